"""The CADA's directory of PRADA (see the package docstring)."""

from __future__ import annotations

import re

from cada_tracker.directory.kinds import infer_kind
from cada_tracker.directory.places import department_from_postcode
from cada_tracker.directory.records import AdminRecord
from cada_tracker.directory.rows import Row, RowReject
from cada_tracker.directory.text import (
    clean_line,
    clean_lines,
    clean_name,
    normalise_name,
    optional,
)

PRADA_COLUMNS: tuple[str, ...] = (
    "Département de l'autorité",
    "Nom de l'administration",
    "Prénom PRADA",
    "Nom PRADA",
    "Courriel 1 PRADA",
    "Adresse PRADA",
    "Code postal/Ville de l'autorité",
)

# "Monsieur le maire", "Madame la présidente", "Le directeur", "M. le préfet"…
_ADDRESSEE = re.compile(
    r"(?i)^(?:monsieur|madame|mademoiselle|mme\.?|mlle\.?|m\.|messieurs|mesdames|le|la|les)"
    r"(?=\s|$)|^l['’]"
)
_GLUED_ARTICLE = re.compile(r"^(Monsieur|Madame)(la|le)\b")  # "Madamela directrice…"
_CONTACT_LINE = re.compile(
    r"(?i)^(t[ée]l[ée]?(phone)?|fax|t[ée]l[ée]copie|mail|e-mail|courriel)\b\.?\s*:"
)
_POSTAL_LINE = re.compile(r"^(?P<postcode>[^/]*?)\s*/\s*(?P<city>.*)$")


def parse_prada(values: dict[str, str], row: Row) -> AdminRecord:
    name = clean_name(values["Nom de l'administration"])
    if not name:
        raise RowReject("Nom de l'administration", "nom de l'administration manquant")

    postcode = city = None
    postal = clean_line(values["Code postal/Ville de l'autorité"])
    if postal:
        match = _POSTAL_LINE.match(postal)
        if not match:
            raise RowReject(
                "Code postal/Ville de l'autorité",
                f"code postal/ville « {postal} » illisible (attendu : « 06364 / NICE CEDEX 4 »)",
            )
        postcode = row.postcode(match["postcode"], "Code postal/Ville de l'autorité")
        city = match["city"]
        if not city:
            raise RowReject(
                "Code postal/Ville de l'autorité",
                f"ville manquante après le code postal « {postcode} »",
            )

    lines = clean_lines(values["Adresse PRADA"])
    addressee = None
    if lines:
        first = _GLUED_ARTICLE.sub(r"\1 \2", lines[0])
        if _ADDRESSEE.match(first):
            addressee = first
            lines = lines[1:]
    street: list[str] = []
    for line in lines:
        if _CONTACT_LINE.match(line):
            row.warn(
                "Adresse PRADA",
                f"ligne d'adresse « {line} » retirée (téléphone, fax ou courriel)",
            )
        else:
            street.append(line)

    # The CADA's department column is the postal code's first two (three overseas)
    # digits. The key keeps it as written, so keys never depend on the refinement below.
    raw_department = clean_line(values["Département de l'autorité"]).upper()
    key_department = raw_department.zfill(2) if raw_department.isdigit() else raw_department
    department = row.department(raw_department, "Département de l'autorité")
    derived = department_from_postcode(postcode)
    if department is None:
        department = derived
    elif (
        derived
        and derived != department
        and postcode
        and (department == "20" or department == postcode[:3])
    ):
        # "20" for Corsica, "977"/"978" for La Réunion's CEDEX codes: a prefix, not a
        # department. The postal code tells the real one (holiday calendars differ).
        row.warn(
            "Département de l'autorité",
            f"département « {department} » remplacé par « {derived} » "
            f"d'après le code postal « {postcode} »",
        )
        department = derived

    email, web_form = row.email_or_url(values["Courriel 1 PRADA"], "Courriel 1 PRADA")
    prada_name = clean_line(f"{values['Prénom PRADA']} {values['Nom PRADA']}")
    return AdminRecord(
        key=f"prada:{key_department}:{normalise_name(name)}",
        name=name,
        kind=infer_kind(name),
        addressee=addressee,
        street_lines=tuple(street),
        postcode=postcode,
        city=city,
        # The PRADA's address is the one the CADA publishes for access requests.
        email=email,
        web_form=web_form,
        prada_name=optional(prada_name),
        prada_email=email,
        department=department,
        line=row.line,
    )
