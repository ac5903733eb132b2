"""Administrations: the directory requests are addressed to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import Session, delete, func, select

from cada_tracker.designation import derive
from cada_tracker.errors import InputError, NotFoundError, StateError
from cada_tracker.models import Administration, AdministrationTag, Request, utcnow
from cada_tracker.services.like import every_word, key_like
from cada_tracker.textlimits import CITY_MAX, NAME_MAX, check, check_tags
from cada_tracker.vocab import ADMIN_KIND_ALIASES, ADMIN_KINDS, choice

_POSTCODE = re.compile(r"^\d{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class AdminFields:
    """What a user may set on an administration (None: leave unchanged on edit)."""

    name: str | None = None
    kind: str | None = None
    addressee: str | None = None
    street: list[str] | None = None
    postcode: str | None = None
    city: str | None = None
    email: str | None = None
    prada_name: str | None = None
    prada_email: str | None = None
    department: str | None = None
    tags: list[str] | None = None
    designation: str | None = None  # "" on edit: back to the derived one
    extra: dict = field(default_factory=dict)


def department_from_postcode(postcode: str) -> str | None:
    """The department (holiday calendar) of a postcode: Saint-Barthélemy (97133) is 977
    and Saint-Martin (97150) 978, not Guadeloupe; 977xx and 978xx are La Réunion's
    CEDEX codes (RULES.md §12bis-11)."""
    from cada_tracker.deadlines.calendar import DEPARTMENT_CODES

    if not _POSTCODE.match(postcode or ""):
        return None
    overseas = {"97133": "977", "97150": "978"}
    if postcode in overseas:
        return overseas[postcode]
    if postcode[:3] in ("977", "978"):
        return "974"
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3] if postcode[:3] in DEPARTMENT_CODES else None
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def normalise_department(value: str) -> str:
    """A department code from the one set ``cada deadlines --zone`` accepts too."""
    from cada_tracker.deadlines.calendar import DEPARTMENT_CODES

    code = value.strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if code not in DEPARTMENT_CODES:
        raise InputError(
            f"--department : « {value} » n'est pas un code de département ou de collectivité "
            "d'outre-mer (ex. 01, 2A, 69, 974, 977, 988)."
        )
    return code


def _validate(f: AdminFields) -> AdminFields:
    if f.name is not None and not f.name.strip():
        raise InputError("Le nom de l'administration ne peut pas être vide.")
    if f.name is not None:
        check(f.name.strip(), NAME_MAX, "Nom de l'administration")
    if f.kind is not None:
        f.kind = choice(f.kind, ADMIN_KINDS, field="--kind", aliases=ADMIN_KIND_ALIASES)
    if f.postcode is not None:
        f.postcode = f.postcode.strip()
        if not _POSTCODE.match(f.postcode):
            raise InputError(
                f"--postcode : « {f.postcode} » n'est pas un code postal (5 chiffres)."
            )
    if f.city is not None and not f.city.strip():
        raise InputError("--city : la ville ne peut pas être vide.")
    if f.city is not None:
        check(f.city.strip(), CITY_MAX, "--city")
    for flag, value in (("--email", f.email), ("--prada-email", f.prada_email)):
        if value and not _EMAIL.match(value.strip()):
            raise InputError(f"{flag} : « {value} » n'est pas une adresse e-mail.")
    if f.department:
        f.department = normalise_department(f.department)
    if f.tags is not None:
        f.tags = check_tags(sorted({t.strip().lower() for t in f.tags if t.strip()}))
    if f.designation is not None:
        f.designation = " ".join(f.designation.split()).replace("'", "’")
        if len(f.designation) > 200:
            raise InputError("--designation : 200 caractères au plus.")
    return f


def designation_of(admin: Administration) -> str:
    """How letters name ``admin`` in a sentence: the edited designation, else the one
    derived from its kind and name ("la commune de Nice")."""
    return admin.designation or derive(admin.name, admin.kind)


def _set_tags(session: Session, admin_id: int, tags: list[str]) -> None:
    session.exec(delete(AdministrationTag).where(AdministrationTag.administration_id == admin_id))
    for tag in tags:
        session.add(AdministrationTag(administration_id=admin_id, tag=tag))


def add_admin(session: Session, *, fields: AdminFields) -> Administration:
    f = _validate(fields)
    if not f.name or not f.postcode or not f.city:
        raise InputError("Une administration a besoin d'un nom, d'un code postal et d'une ville.")
    admin = Administration(
        name=f.name.strip(),
        kind=f.kind or "autre",
        addressee=(f.addressee or "").strip() or None,
        street="\n".join(s.strip() for s in (f.street or []) if s.strip()),
        postcode=f.postcode,
        city=f.city.strip(),
        email=(f.email or "").strip() or None,
        prada_name=(f.prada_name or "").strip() or None,
        prada_email=(f.prada_email or "").strip() or None,
        department=f.department or department_from_postcode(f.postcode),
        designation=f.designation or None,
    )
    session.add(admin)
    session.flush()
    _set_tags(session, admin.id, f.tags or [])
    return admin


def get_admin(session: Session, admin_id: int) -> Administration:
    admin = session.get(Administration, admin_id)
    if admin is None:
        count = session.exec(select(func.count()).select_from(Administration)).one()
        raise NotFoundError(
            f"Aucune administration n° {admin_id} ({count} dans l'annuaire ; "
            "voir cada admin list)."
        )
    return admin


def admin_tags(session: Session, admin_id: int) -> list[str]:
    return list(
        session.exec(
            select(AdministrationTag.tag)
            .where(AdministrationTag.administration_id == admin_id)
            .order_by(AdministrationTag.tag)
        )
    )


def edit_admin(session: Session, *, admin_id: int, fields: AdminFields) -> Administration:
    admin = get_admin(session, admin_id)
    f = _validate(fields)
    for name in ("name", "kind", "postcode", "city", "department"):
        value = getattr(f, name)
        if value is not None:
            setattr(admin, name, value.strip())
    for name in ("addressee", "email", "prada_name", "prada_email", "designation"):
        value = getattr(f, name)
        if value is not None:
            setattr(admin, name, value.strip() or None)
    if f.street is not None:
        admin.street = "\n".join(s.strip() for s in f.street if s.strip())
    admin.updated_at = utcnow()
    session.add(admin)
    if f.tags is not None:
        _set_tags(session, admin.id, f.tags)
    return admin


def remove_admin(session: Session, *, admin_id: int) -> Administration:
    admin = get_admin(session, admin_id)
    refs = list(
        session.exec(
            select(Request.reference).where(Request.administration_id == admin_id).limit(6)
        )
    )
    if refs:
        shown = ", ".join(refs[:5]) + (" …" if len(refs) > 5 else "")
        raise StateError(
            f"« {admin.name} » est destinataire de demandes ({shown}) : "
            "suppression refusée, le suivi de ces demandes en dépend."
        )
    session.exec(delete(AdministrationTag).where(AdministrationTag.administration_id == admin_id))
    session.delete(admin)
    return admin


LIST_COLUMNS = ["id", "name", "kind", "postcode", "city", "department"]


def list_admin_rows(
    session: Session, *, tag: str | None = None, kind: str | None = None,
    department: str | None = None, search: str | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[tuple]:
    """``LIST_COLUMNS`` of the administrations matching the filters, by name (a column
    select: no ORM objects for thousands of rows); ``limit`` rows from ``offset``."""
    columns = [getattr(Administration, c) for c in LIST_COLUMNS]
    query = _filtered(select(*columns), tag=tag, kind=kind, department=department,
                      search=search).order_by(Administration.name, Administration.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [tuple(r) for r in session.exec(query)]


def count_admin_rows(
    session: Session, *, tag: str | None = None, kind: str | None = None,
    department: str | None = None, search: str | None = None,
) -> int:
    """How many administrations :func:`list_admin_rows` would return (one COUNT)."""
    return session.exec(_filtered(select(func.count()).select_from(Administration), tag=tag,
                                  kind=kind, department=department, search=search)).one()


def _filtered(query, *, tag: str | None, kind: str | None, department: str | None,
              search: str | None):
    if tag:
        query = query.where(
            Administration.id.in_(
                select(AdministrationTag.administration_id).where(
                    AdministrationTag.tag == tag.strip().lower()
                )
            )
        )
    if kind:
        query = query.where(
            Administration.kind == choice(kind, ADMIN_KINDS, field="--kind",
                                          aliases=ADMIN_KIND_ALIASES)
        )
    if department:
        query = query.where(Administration.department == normalise_department(department))
    if search:  # every word, in any order, accents and case folded (services.like)
        query = query.where(every_word(search, key_like(Administration.search_key)))
    return query


def admin_as_dict(admin: Administration, tags: list[str]) -> dict:
    return {
        "id": admin.id,
        "name": admin.name,
        "kind": admin.kind,
        "addressee": admin.addressee,
        "street": admin.street.splitlines() if admin.street else [],
        "postcode": admin.postcode,
        "city": admin.city,
        "email": admin.email,
        "web_form": admin.web_form,
        "prada_name": admin.prada_name,
        "prada_email": admin.prada_email,
        "department": admin.department,
        "designation": designation_of(admin),
        "tags": tags,
    }
