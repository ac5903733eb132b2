"""Importing a directory file into the administrations, and exporting them back.

An import is an upsert keyed by ``Administration.source_key`` (the record's stable
``key``): importing the same file twice leaves the same rows. It runs in two steps,
both inside the caller's transaction:

* :func:`plan_import` reads every administration once (one column select, one select
  of their tags) and compares each record with what is stored: ``create``, ``update``
  (with the fields that change, old and new value) or ``unchanged``. Nothing is written,
  so ``--dry-run`` is the plan alone.
* :func:`apply_import` writes the plan in bulk: one multi-row INSERT for the new
  administrations, one bulk UPDATE by primary key, one INSERT for the new tags.

Merge rules, in one place:

* A value the file gives replaces the stored one; an empty cell never erases a known
  value (a hand-corrected e-mail survives a directory that has none), and the kind
  "autre" (the parser's "could not tell") never replaces a known kind.
* Tags are only added: the record's tags (Alaveteli ``tag_string``) plus ``--tag``;
  tags set by hand stay.
* An administration typed in by hand (no ``source_key``) with the same normalised name
  and postal code as a record is adopted (its ``source_key`` is set: an update) instead
  of being duplicated, unless two hand-typed ones match (then the record is created).
  So ``cada admin export`` then ``cada admin import`` into the same database creates
  nothing, and a second import changes nothing.

>>> # plan = plan_import(session, parse_directory(path), extra_tags=["vsa"])
>>> # (plan.created, plan.updated, plan.unchanged) == (1704, 0, 0)
>>> # apply_import(session, plan)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlmodel import Session, insert, select, update

from cada_tracker.directory import AdminRecord, ParseResult, normalise_name
from cada_tracker.errors import InputError
from cada_tracker.folding import admin_search_key, name_key
from cada_tracker.models import Administration, AdministrationTag, utcnow

# Stored columns an import sets, in the order changes are shown.
FIELDS: tuple[str, ...] = (
    "name",
    "kind",
    "addressee",
    "street",
    "postcode",
    "city",
    "email",
    "web_form",
    "prada_name",
    "prada_email",
    "department",
)
FIELD_LABELS = {
    "name": "nom",
    "kind": "type",
    "addressee": "destinataire",
    "street": "adresse",
    "postcode": "code postal",
    "city": "ville",
    "email": "e-mail",
    "web_form": "formulaire web",
    "prada_name": "PRADA",
    "prada_email": "e-mail PRADA",
    "department": "département",
    "source_key": "clé d'import",
    "tags": "étiquettes",
}
# Columns that are NOT NULL with "" for "unknown" (the others are NULL when unknown).
_EMPTY_STRING = {"street", "postcode", "city"}


@dataclass(frozen=True)
class Change:
    """What importing one record does. ``fields`` maps a column to (old, new)."""

    line: int
    key: str
    action: str  # create | update | unchanged
    admin_id: int | None
    name: str
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    tags_added: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "key": self.key,
            "action": self.action,
            "id": self.admin_id,
            "name": self.name,
            "fields": {k: {"old": old, "new": new} for k, (old, new) in self.fields.items()},
            "tags_added": list(self.tags_added),
        }


@dataclass
class ImportPlan:
    changes: list[Change]
    # New values of every record to create or update, by key (what apply writes).
    values: dict[str, dict[str, str | None]]

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.action != "unchanged"]


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Tags as ``cada admin add`` stores them: stripped, lower case, deduplicated, sorted."""
    return sorted({t.strip().lower() for t in tags if t and t.strip()})


def _record_values(record: AdminRecord) -> dict[str, str | None]:
    return {
        "name": record.name,
        "kind": record.kind,
        "addressee": record.addressee,
        "street": "\n".join(record.street_lines),
        "postcode": record.postcode,
        "city": record.city,
        "email": record.email,
        "web_form": record.web_form,
        "prada_name": record.prada_name,
        "prada_email": record.prada_email,
        "department": record.department,
    }


def _stored(column: str, value: str | None) -> str | None:
    """A value as the column stores it ("" for the NOT NULL text columns)."""
    if column in _EMPTY_STRING:
        return value or ""
    return value or None


def _merged(row, new: dict[str, str | None]) -> dict[str, str | None]:
    """Stored values after import: the file's, unless it says nothing (module docstring).

    The e-mail and the web form are one contact (the cada format has one column for
    both): when the file gives either, it replaces both."""
    merged = {}
    for column in FIELDS:
        old, value = getattr(row, column), new[column]
        if column in ("email", "web_form"):
            keep = not (new["email"] or new["web_form"])
        elif column == "kind":
            keep = not value or (value == "autre" and bool(old))
        else:
            keep = not value
        merged[column] = old if keep else _stored(column, value)
    return merged


def adoption_key(name: str, postcode: str | None) -> tuple[str, str] | None:
    """How a hand-typed administration is recognised in a file: name and postal code."""
    if not postcode:
        return None
    return normalise_name(name), postcode


def plan_import(
    session: Session, result: ParseResult, *, extra_tags: Iterable[str] = ()
) -> ImportPlan:
    """Compare the parsed records with the database (two queries, no per-row SELECT)."""
    extra = normalise_tags(extra_tags)
    columns = [getattr(Administration, c) for c in FIELDS]
    by_key: dict[str, tuple] = {}
    keyless: dict[tuple[str, str], list[tuple]] = {}
    for row in session.exec(
        select(Administration.id, Administration.source_key, *columns).order_by(
            Administration.id
        )
    ):
        if row.source_key is not None:
            by_key[row.source_key] = row
        else:
            adopt = adoption_key(row.name, row.postcode)
            if adopt is not None:
                keyless.setdefault(adopt, []).append(row)
    tags_of: dict[int, set[str]] = {}
    for admin_id, tag in session.exec(select(AdministrationTag.administration_id,
                                             AdministrationTag.tag)):
        tags_of.setdefault(admin_id, set()).add(tag)

    changes: list[Change] = []
    values: dict[str, dict[str, str | None]] = {}
    for record in result.records:
        new = _record_values(record)
        tags = normalise_tags([*record.tags, *extra])
        row = by_key.get(record.key)
        adopted = False
        adopt = adoption_key(record.name, record.postcode)
        if row is None and adopt is not None and len(keyless.get(adopt, ())) == 1:
            row = keyless.pop(adopt)[0]
            adopted = True
        if row is None:
            created = {c: _stored(c, new[c]) for c in FIELDS}
            created["kind"] = created["kind"] or "autre"
            values[record.key] = created
            changes.append(Change(
                line=record.line, key=record.key, action="create", admin_id=None,
                name=record.name,
                fields={c: (None, v) for c, v in created.items() if v},
                tags_added=tuple(tags),
            ))
            continue
        merged = _merged(row, new)
        diff = {c: (getattr(row, c), v) for c, v in merged.items() if v != getattr(row, c)}
        if adopted:
            diff["source_key"] = (None, record.key)
        added = tuple(t for t in tags if t not in tags_of.get(row.id, set()))
        action = "update" if diff or added else "unchanged"
        if action == "update":
            # Every column, changed or not: one key set, so one batched UPDATE.
            values[record.key] = {**merged, "source_key": record.key}
        changes.append(Change(
            line=record.line, key=record.key, action=action, admin_id=row.id,
            name=record.name, fields=diff, tags_added=added,
        ))
    return ImportPlan(changes=changes, values=values)


def apply_import(session: Session, plan: ImportPlan) -> None:
    """Write a plan: one INSERT of the new rows, one bulk UPDATE, one INSERT of tags."""
    now = utcnow()
    creates = [c for c in plan.changes if c.action == "create"]
    updates = [c for c in plan.changes if c.action == "update"]
    ids: dict[str, int] = {}
    if creates:
        rows = [{**_with_keys(plan.values[c.key]), "source_key": c.key, "created_at": now,
                 "updated_at": now} for c in creates]
        # render_nulls: one key set for every row, so one batched INSERT (not one per
        # pattern of empty cells).
        inserted = session.exec(
            insert(Administration)
            .returning(Administration.id, Administration.source_key)
            .execution_options(render_nulls=True),
            params=rows,
        )
        ids = {key: admin_id for admin_id, key in inserted}
    field_updates = [{"id": c.admin_id, **_with_keys(plan.values[c.key]), "updated_at": now}
                     for c in updates]
    if field_updates:
        session.exec(update(Administration), params=field_updates)
    tag_rows = [
        {"administration_id": c.admin_id if c.admin_id is not None else ids[c.key], "tag": t}
        for c in (*creates, *updates)
        for t in c.tags_added
    ]
    if tag_rows:
        session.exec(insert(AdministrationTag), params=tag_rows)
    session.flush()


def _with_keys(values: dict[str, str | None]) -> dict[str, str | None]:
    """Bulk statements skip the ORM's hooks: the search keys are computed here."""
    return {**values,
            "search_key": admin_search_key(values["name"], values["city"], values["postcode"]),
            "name_key": name_key(values["name"])}


def lock_directory(session: Session) -> None:
    """Serialise imports between concurrent writers (SQLite's write lock already does)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.exec(text("SELECT pg_advisory_xact_lock(20260005)"))


# ---------------------------------------------------------------------------
# Export


@dataclass
class ExportFilter:
    tag: str | None = None
    kind: str | None = None
    department: str | None = None


def export_records(session: Session, f: ExportFilter) -> Iterator[AdminRecord]:
    """Stored administrations as directory records (column selects), ordered by name.

    An administration typed in by hand gets the key the cada format gives a row without
    one (``cada:<normalised name>:<postcode>``), so that importing the export back into
    the same database adopts it instead of duplicating it.
    """
    from cada_tracker.services.admins import normalise_department
    from cada_tracker.vocab import ADMIN_KIND_ALIASES, ADMIN_KINDS, choice

    query = select(Administration.id, Administration.source_key,
                   *[getattr(Administration, c) for c in FIELDS])
    tags_query = select(AdministrationTag.administration_id, AdministrationTag.tag)
    if f.tag:
        tagged = select(AdministrationTag.administration_id).where(
            AdministrationTag.tag == f.tag.strip().lower())
        query = query.where(Administration.id.in_(tagged))
        tags_query = tags_query.where(AdministrationTag.administration_id.in_(tagged))
    if f.kind:
        query = query.where(Administration.kind == choice(
            f.kind, ADMIN_KINDS, field="--kind", aliases=ADMIN_KIND_ALIASES))
    if f.department:
        query = query.where(Administration.department == normalise_department(f.department))
    tags_of: dict[int, list[str]] = {}
    for admin_id, tag in session.exec(tags_query.order_by(AdministrationTag.tag)):
        tags_of.setdefault(admin_id, []).append(tag)
    for row in session.exec(query.order_by(Administration.name, Administration.id)):
        key = row.source_key or f"cada:{normalise_name(row.name)}:{row.postcode or ''}"
        yield AdminRecord(
            key=key,
            name=row.name,
            kind=row.kind,
            addressee=row.addressee or None,
            street_lines=tuple(line for line in (row.street or "").splitlines() if line),
            postcode=row.postcode or None,
            city=row.city or None,
            email=row.email or None,
            web_form=row.web_form or None,
            prada_name=row.prada_name or None,
            prada_email=row.prada_email or None,
            department=row.department or None,
            tags=tuple(tags_of.get(row.id, ())),
        )


def write_export(records: Iterable[AdminRecord], fh, *, raw: bool = False) -> int:
    """cada's CSV of ``records``; a record the format cannot hold is an InputError."""
    from cada_tracker.directory import write_cada_csv

    try:
        return write_cada_csv(records, fh, raw=raw)
    except ValueError as exc:
        raise InputError(
            f"export impossible : {exc}",
            hint="Corrigez cette administration avec cada admin edit, puis relancez.",
        ) from None
