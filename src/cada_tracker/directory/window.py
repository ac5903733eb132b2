"""Which imported addresses do not fit the envelope window as written (NF Z10-011)."""

from __future__ import annotations

from collections.abc import Iterable

from cada_tracker.directory.records import AdminRecord, RowError
from cada_tracker.postal import postal_block

FIELD = "adresse"


def window_warnings(records: Iterable[AdminRecord]) -> list[RowError]:
    """One warning per line a record's window block leaves out or shortens, naming the
    administration (the record is imported anyway: its stored fields keep every line)."""
    warnings = []
    for record in records:
        block = postal_block(
            name=record.name,
            addressee=record.addressee,
            street_lines=record.street_lines,
            postcode=record.postcode,
            city=record.city,
            prada_name=record.prada_name,
        )
        for problem in block.problems:
            warnings.append(RowError(record.line, FIELD, f"« {record.name} » : {problem}"))
    return warnings
