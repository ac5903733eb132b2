"""A campaign's fields and their values, read in plain SQL (no ORM import).

``cada campaign show`` and ``cada campaign report`` add to each request row its
administration's postcode and city and the typed values of the campaign's fields
(``services.campaign_fields`` defines and records them). Reading them here, over a
plain connection, keeps ``cada campaign show`` from importing SQLModel and the models
(about half of the command's time at 100,000 requests).

>>> typed(FieldSpec("vsa", "bool"), "oui")
True
>>> typed(FieldSpec("cameras", "int"), "1250")
1250
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    choices: tuple[str, ...] = ()


def typed(spec: FieldSpec, value: str | None):
    if value is None:
        return None
    if spec.kind == "int":
        return int(value)
    if spec.kind == "bool":
        return value == "oui"
    return value


def choices_of(stored: str | None) -> tuple[str, ...]:
    """The choices of a field as stored (a JSON list, or NULL)."""
    return tuple(json.loads(stored or "[]"))


_FIELDS = "SELECT id, name, kind, choices FROM campaign_field WHERE campaign = :c ORDER BY id"
_PLACES = """
SELECT r.reference, a.postcode, a.city FROM request AS r
JOIN administration AS a ON a.id = r.administration_id WHERE r.campaign = :c"""
_VALUES = """
SELECT r.reference, v.field_id, v.value FROM campaign_value AS v
JOIN request AS r ON r.id = v.request_id WHERE r.campaign = :c"""


def field_table(connection, campaign: str) -> tuple[list[FieldSpec], dict[str, dict]]:
    """The campaign's fields, and per reference: postcode, city and the typed values."""
    from cada_tracker.readdb import as_reader

    db = as_reader(connection)
    params = {"c": campaign}
    specs = {field_id: FieldSpec(name, kind, choices_of(choices))
             for field_id, name, kind, choices in db.rows(_FIELDS, params)}
    rows: dict[str, dict] = {}
    for reference, postcode, city in db.rows(_PLACES, params):
        rows[reference] = {"postcode": postcode or None, "city": city or None,
                           "fields": {s.name: None for s in specs.values()}}
    for reference, field_id, value in db.rows(_VALUES, params):
        if field_id in specs and reference in rows:
            spec = specs[field_id]
            rows[reference]["fields"][spec.name] = typed(spec, value)
    return list(specs.values()), rows


def add_to_report(connection, report: dict) -> list[FieldSpec]:
    """Add postcode, city and the campaign fields to each request row of a campaign report."""
    specs, rows = field_table(connection, report["campaign"])
    report["fields"] = [{"name": s.name, "type": s.kind, "choices": list(s.choices) or None}
                        for s in specs]
    for row in report["requests"]:
        row.update(rows.get(row["reference"], {"postcode": None, "city": None, "fields": {}}))
    return specs
