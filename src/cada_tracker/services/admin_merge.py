"""``cada admin merge KEEP OTHER``: two rows the user knows are one body become one.

In the caller's transaction: OTHER's requests and tags move to KEEP, OTHER's
directory keys become KEEP's aliases (so that re-importing OTHER's directory updates
KEEP instead of re-creating OTHER), KEEP takes the richer value of each field (the
rules of :func:`services.directory_match.richer`), and OTHER is deleted. The legal
clock of the requests concerned is recomputed when the department (the holiday
calendar) changes. Refused: the same number twice, an unknown number, two known
kinds that differ (a commune is not a préfecture: fix the kind first).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, delete, select, update

from cada_tracker.errors import InputError, StateError
from cada_tracker.models import (
    Administration,
    AdministrationAlias,
    AdministrationTag,
    Request,
    utcnow,
)
from cada_tracker.services.admins import get_admin
from cada_tracker.services.directory_match import FIELDS, richer
from cada_tracker.vocab import ADMIN_KINDS


@dataclass(frozen=True)
class MergeResult:
    keep: Administration
    other_id: int
    other_name: str
    requests: int
    tags: int
    fields: tuple[str, ...]


def merge_admins(session: Session, *, keep_id: int, other_id: int) -> MergeResult:
    if keep_id == other_id:
        raise InputError(f"cada admin merge : deux fois le n° {keep_id}, rien à fusionner "
                         "(donnez le numéro gardé puis celui qui disparaît).")
    keep, other = get_admin(session, keep_id), get_admin(session, other_id)
    known = {keep.kind, other.kind} - {"autre"}
    if len(known) > 1:
        raise StateError(
            f"« {keep.name} » (n° {keep_id}) est de type « {ADMIN_KINDS.get(keep.kind)} » et "
            f"« {other.name} » (n° {other_id}) de type « {ADMIN_KINDS.get(other.kind)} » : "
            "deux organismes différents, fusion refusée.",
            hint=f"Si c'est bien le même, corrigez d'abord le type : cada admin edit "
                 f"{other_id} --kind {keep.kind}")
    before = {c: getattr(keep, c) for c in FIELDS}
    merged = richer(before, {c: getattr(other, c) for c in FIELDS})
    changed = tuple(c for c in FIELDS if merged[c] != before[c])
    for column in changed:
        setattr(keep, column, merged[column])
    keep.designation = keep.designation or other.designation
    keep.updated_at = utcnow()

    own = list(session.exec(select(Request.id).where(Request.administration_id == keep_id)))
    moved = list(session.exec(select(Request.id).where(Request.administration_id == other_id)))
    session.exec(update(Request).where(Request.administration_id == other_id)
                 .values(administration_id=keep_id))
    tags = set(session.exec(select(AdministrationTag.tag)
                            .where(AdministrationTag.administration_id == other_id)))
    tags -= set(session.exec(select(AdministrationTag.tag)
                             .where(AdministrationTag.administration_id == keep_id)))
    session.exec(delete(AdministrationTag).where(AdministrationTag.administration_id == other_id))
    session.add_all(AdministrationTag(administration_id=keep_id, tag=t) for t in sorted(tags))
    session.exec(update(AdministrationAlias).where(
        AdministrationAlias.administration_id == other_id).values(administration_id=keep_id))
    other_key, other_name, other_department = other.source_key, other.name, other.department
    session.delete(other)
    session.flush()  # OTHER's unique key is gone before an alias takes it
    if other_key:  # an alias, even on a hand-typed row: imports then merge, never replace
        session.add(AdministrationAlias(key=other_key, administration_id=keep_id))
    session.add(keep)
    session.flush()
    # A department is a holiday calendar: the clock of a request whose changed is redone.
    stale = (moved if other_department != keep.department else []) + (
        own if before["department"] != keep.department else [])
    _refresh(session, stale)
    return MergeResult(keep=keep, other_id=other_id, other_name=other_name,
                       requests=len(moved), tags=len(tags), fields=changed)


def _refresh(session: Session, request_ids: list[int]) -> None:
    from cada_tracker.services.events import refresh
    from cada_tracker.services.requests import documents_of

    for request in session.exec(select(Request).where(Request.id.in_(request_ids))):
        refresh(session, request=request, documents=documents_of(session, request.id))
