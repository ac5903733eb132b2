"""Importing a directory file into the administrations, and exporting them back.

An import is an upsert keyed by ``Administration.source_key`` (the record's stable
``key``) and the aliases other directories' keys became when a body was merged:
importing the same file twice leaves the same rows. A batch of records
(:mod:`services.directory_batches` cuts the file into batches of :data:`BATCH`) is
imported in two steps, both inside the caller's transaction:

* :func:`plan_batch` reads the administrations the records may concern (by key, by
  alias, by name key and postal code: a few indexed selects per batch) and
  compares each record with what is stored: ``create``, ``update`` (with the fields
  that change, old and new value), ``merge`` (another directory's row of the same
  body) or ``unchanged``. Nothing is written, so ``--dry-run`` is the plan alone.
* :func:`apply_import` writes the plan in bulk: one multi-row INSERT for the new
  administrations, one bulk UPDATE by primary key, one INSERT for the new aliases and
  one for the new tags.

How a record finds its row and how fields merge: :mod:`services.directory_match`.
Tags are only added: the record's tags (Alaveteli ``tag_string``) plus ``--tag``;
tags set by hand stay. So ``cada admin export`` then ``cada admin import`` into the
same database creates nothing, and a second import changes nothing.

>>> # plan = ImportPlan(changes=[], values={})
>>> # plan_batch(session, records[:BATCH], plan, extra_tags=["vsa"], claimed={})
>>> # (plan.created, plan.updated, plan.unchanged) == (1704, 0, 0)
>>> # apply_import(session, plan)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import tuple_
from sqlmodel import Session, insert, select, update

from cada_tracker.directory import AdminRecord, normalise_name
from cada_tracker.errors import InputError
from cada_tracker.folding import admin_search_key, name_key
from cada_tracker.models import (
    Administration,
    AdministrationAlias,
    AdministrationTag,
    utcnow,
)
from cada_tracker.services.directory_match import FIELDS, replaced, richer, source_of, stored

BATCH = 5000  # records looked up and written at a time (one transaction each)
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


@dataclass(frozen=True)
class Change:
    """What importing one record does. ``fields`` maps a column to (old, new);
    ``into`` is the stored name of the row a ``merge`` joins."""

    line: int
    key: str
    action: str  # create | update | merge | unchanged
    admin_id: int | None
    name: str
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    tags_added: tuple[str, ...] = ()
    into: str | None = None

    def as_dict(self) -> dict:
        data = {
            "line": self.line,
            "key": self.key,
            "action": self.action,
            "id": self.admin_id,
            "name": self.name,
            "fields": {k: {"old": old, "new": new} for k, (old, new) in self.fields.items()},
            "tags_added": list(self.tags_added),
        }
        if self.action == "merge":
            data["into"] = self.into
        return data


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
    def merged(self) -> int:
        return self.count("merge")

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


@dataclass
class _Stored:
    """The rows a batch of records may concern, read in a few indexed selects."""

    rows: dict[int, dict] = field(default_factory=dict)  # id -> columns
    by_key: dict[str, int] = field(default_factory=dict)  # source_key or alias -> id
    by_name: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    keys_of: dict[int, set[str]] = field(default_factory=dict)
    aliased: set[int] = field(default_factory=set)
    tags_of: dict[int, set[str]] = field(default_factory=dict)


def _read_stored(session: Session, records: list[AdminRecord]) -> _Stored:
    found = _Stored()
    columns = [Administration.id, Administration.source_key, Administration.name_key,
               *[getattr(Administration, c) for c in FIELDS]]
    keys = [r.key for r in records]
    alias_ids = dict(session.exec(select(AdministrationAlias.key,
                                         AdministrationAlias.administration_id)
                                  .where(AdministrationAlias.key.in_(keys))).all())
    # The (name, postcode) pairs themselves: two separate IN lists made the index
    # probe every name with every postcode (1.7 M probes for the PRADA file).
    pairs = {(name_key(r.name), r.postcode) for r in records if r.postcode}
    queries = [
        select(*columns).where(Administration.source_key.in_(keys)),
        select(*columns).where(Administration.id.in_(set(alias_ids.values()))),
        select(*columns).where(tuple_(Administration.name_key, Administration.postcode)
                               .in_(pairs)),
    ]
    for query in queries:
        for row in session.exec(query):
            found.rows[row.id] = row._asdict()
    ids = list(found.rows)
    for row in found.rows.values():
        found.keys_of[row["id"]] = {row["source_key"]} if row["source_key"] else set()
        if row["source_key"]:
            found.by_key[row["source_key"]] = row["id"]
        if row["postcode"]:
            found.by_name.setdefault((row["name_key"], row["postcode"]), []).append(row["id"])
    for key, admin_id in session.exec(select(AdministrationAlias.key,
                                             AdministrationAlias.administration_id)
                                      .where(AdministrationAlias.administration_id.in_(ids))):
        found.keys_of[admin_id].add(key)
        found.aliased.add(admin_id)
        if key in alias_ids or key in keys:
            found.by_key[key] = admin_id
    for admin_id, tag in session.exec(select(AdministrationTag.administration_id,
                                             AdministrationTag.tag)
                                      .where(AdministrationTag.administration_id.in_(ids))):
        found.tags_of.setdefault(admin_id, set()).add(tag)
    return found


def _find(found: _Stored, record: AdminRecord, claimed: dict[int, set[str]]
          ) -> tuple[dict | None, str]:
    """The stored row of ``record`` and how it was found: key, adopt, merge or ""."""
    admin_id = found.by_key.get(record.key)
    if admin_id is not None:
        return found.rows[admin_id], "key"
    if not record.postcode:
        return None, ""
    candidates = [found.rows[i] for i in found.by_name.get((name_key(record.name),
                                                             record.postcode), [])]
    exact = normalise_name(record.name)
    typed = [r for r in candidates if r["source_key"] is None and not found.keys_of[r["id"]]
             and normalise_name(r["name"]) == exact]
    if len(typed) == 1:
        return typed[0], "adopt"
    source = source_of(record.key)
    others = [r for r in candidates
              if source not in {source_of(k) for k in found.keys_of[r["id"]]}
              and source not in claimed.get(r["id"], set())]
    if len(others) == 1:
        return others[0], "merge"
    return None, ""


def plan_batch(session: Session, records: list[AdminRecord], plan: ImportPlan, *,
               extra_tags: Iterable[str] = (), claimed: dict[int, set[str]]) -> None:
    """Add the changes of ``records`` to ``plan``. ``claimed`` (kept across the
    batches of one import) records which directories merged into which rows, so that
    one directory never merges two of its records into one row."""
    extra = normalise_tags(extra_tags)
    found = _read_stored(session, records)
    for record in records:
        new = _record_values(record)
        tags = normalise_tags([*record.tags, *extra])
        row, how = _find(found, record, claimed)
        if row is None:
            created = {c: stored(c, new[c]) for c in FIELDS}
            created["kind"] = created["kind"] or "autre"
            plan.values[record.key] = {**created, "source_key": record.key}
            plan.changes.append(Change(
                line=record.line, key=record.key, action="create", admin_id=None,
                name=record.name, fields={c: (None, v) for c, v in created.items() if v},
                tags_added=tuple(tags),
            ))
            continue
        admin_id = row["id"]
        shared = how == "merge" or admin_id in found.aliased
        merged = richer(row, new) if shared else replaced(row, new)
        diff = {c: (row[c], v) for c, v in merged.items() if v != row[c]}
        source_key = row["source_key"]
        if source_key is None and how != "key":  # adopted, or merged into a typed row
            source_key = record.key
            diff["source_key"] = (None, record.key)
        added = tuple(t for t in tags if t not in found.tags_of.get(admin_id, set()))
        action = "merge" if how == "merge" else "update" if diff or added else "unchanged"
        if how == "merge":
            claimed.setdefault(admin_id, set()).add(source_of(record.key))
        if action != "unchanged":
            # Every column, changed or not: one key set, so one batched UPDATE.
            plan.values[record.key] = {**merged, "source_key": source_key}
        plan.changes.append(Change(
            line=record.line, key=record.key, action=action, admin_id=admin_id,
            name=record.name, fields=diff, tags_added=added,
            into=row["name"] if how == "merge" else None,
        ))


def apply_import(session: Session, plan: ImportPlan) -> None:
    """Write a plan: one INSERT of the new rows, one bulk UPDATE, one INSERT of the new
    aliases, one of the new tags."""
    now = utcnow()
    creates = [c for c in plan.changes if c.action == "create"]
    updates = [c for c in plan.changes if c.action in ("update", "merge")]
    ids: dict[str, int] = {}
    if creates:
        rows = [{**_with_keys(plan.values[c.key]), "created_at": now, "updated_at": now}
                for c in creates]
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
    aliases = [{"key": c.key, "administration_id": c.admin_id} for c in updates
               if c.action == "merge" and plan.values[c.key]["source_key"] != c.key]
    if aliases:
        session.exec(insert(AdministrationAlias), params=aliases)
    tag_rows = [
        {"administration_id": c.admin_id if c.admin_id is not None else ids[c.key], "tag": t}
        for c in (*creates, *updates)
        for t in c.tags_added
    ]
    if tag_rows:
        session.exec(insert(AdministrationTag), params=_unique(tag_rows))
    session.flush()


def _unique(rows: list[dict]) -> list[dict]:
    """Tag rows once each (two records merged into one row may bring the same tag)."""
    return list({(r["administration_id"], r["tag"]): r for r in rows}.values())


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


def write_export(records: Iterable[AdminRecord], fh, *, raw: bool = False,
                 on_terminal: bool = False) -> int:
    """cada's CSV of ``records``; a record the format cannot hold is an InputError."""
    from cada_tracker.directory import write_cada_csv

    try:
        return write_cada_csv(records, fh, raw=raw, on_terminal=on_terminal)
    except ValueError as exc:
        raise InputError(
            f"export impossible : {exc}",
            hint="Corrigez cette administration avec cada admin edit, puis relancez.",
        ) from None
