"""Which requests of a campaign form a series (L342-1 al. 2 CRPA): pure, no imports.

The series' object is the subject most of the campaign's sent requests share
(compared case- and space-insensitively); its members are the sent requests with
that subject, one per administration (the first by reference).

>>> pick_members([("2026-0001", "VSA", 1), ("2026-0002", "vsa ", 2), ("2026-0003", "VSA", 1)])
['2026-0001', '2026-0002']
"""

from __future__ import annotations

SERIES_THRESHOLD = 5  # L342-1 al. 2 CRPA, décret 2022-1335 (rule book §1.6)


def subject_key(subject: str) -> str:
    return " ".join(subject.casefold().split())


def pick_members(sent: list[tuple[str, str, int]]) -> list[str]:
    """Of a campaign's sent requests (reference, subject, administration id), in
    reference order: those of the series' subject, one per administration."""
    by_subject: dict[str, int] = {}
    for _ref, subject, _admin in sent:
        key = subject_key(subject)
        by_subject[key] = by_subject.get(key, 0) + 1
    if not by_subject:
        return []
    chosen = max(by_subject, key=by_subject.get)
    admins: set[int] = set()
    refs = []
    for ref, subject, admin in sent:
        if subject_key(subject) == chosen and admin not in admins:
            admins.add(admin)
            refs.append(ref)
    return refs
