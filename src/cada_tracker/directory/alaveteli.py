"""The public-body CSV of Alaveteli (Ma Dada, WhatDoTheyKnow)."""

from __future__ import annotations

from cada_tracker.directory.kinds import infer_kind
from cada_tracker.directory.places import department_from_postcode
from cada_tracker.directory.records import AdminRecord
from cada_tracker.directory.rows import Row, RowReject
from cada_tracker.directory.text import clean_line, clean_name, normalise_name

ALAVETELI_REQUIRED: tuple[str, ...] = ("#id", "name", "request_email")
ALAVETELI_OPTIONAL: tuple[str, ...] = ("notes", "home_page", "tag_string")


def parse_alaveteli(values: dict[str, str], row: Row) -> AdminRecord:
    identifier = clean_line(values["#id"])
    name = clean_name(values["name"])
    if not name:
        raise RowReject("name", "nom de l'administration manquant")
    if not identifier:
        raise RowReject("#id", "identifiant « #id » manquant")

    street: tuple[str, ...] = ()
    postcode = city = None
    for segment in (values.get("notes") or "").split("|"):
        label, _, address = segment.partition(":")
        if normalise_name(label) != "adresse":
            continue
        address = clean_line(address)
        if not address:
            break
        parts = [part.strip() for part in address.rsplit(",", 2)]
        if len(parts) != 3 or not parts[1]:
            raise RowReject(
                "notes",
                f"adresse « {address} » illisible (attendu : « rue,code postal,ville »)",
            )
        street = (parts[0],) if parts[0] else ()
        postcode = row.postcode(parts[1], "notes")
        city = parts[2]
        if not city:
            raise RowReject("notes", f"ville manquante après le code postal « {postcode} »")
        break

    tags = tuple(dict.fromkeys(clean_line(values.get("tag_string")).split()))
    email, web_form = row.email_or_url(values["request_email"], "request_email")
    return AdminRecord(
        key=f"alaveteli:{identifier}",
        name=name,
        kind=infer_kind(name, tags),
        street_lines=street,
        postcode=postcode,
        city=city,
        email=email,
        web_form=web_form,
        department=department_from_postcode(postcode),
        tags=tags,
        line=row.line,
    )
