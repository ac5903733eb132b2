"""Fixed contexts for the letter tests (the contract is in letters/README.md)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from cada_tracker.designation import derive, forms, salutation
from cada_tracker.postal import postal_block

LETTER_DATE = date(2026, 3, 15)

DOCUMENTS = [
    {"position": 1,
     "description": "Liste et localisation des caméras, avec leur date de mise en service",
     "outcome": "pending"},
    {"position": 2, "description": "Marché de maintenance (CCAP & CCTP)", "outcome": "obtained"},
    {"position": 3,
     "description": "Délibérations du conseil municipal\nrelatives au centre de supervision",
     "outcome": "refused"},
]

SENDER = {
    "name": "Technopolice Lyon",
    "address_lines": ["12 rue de la Paix", "69003 Lyon"],
    "email": "lyon@technopolice.example",
    "city": "Lyon",
}

RECIPIENT = {
    "name": "Mairie de Saint-Étienne",
    "addressee": "Monsieur le maire",
    "street_lines": ["Hôtel de ville", "Place de l'Hôtel de ville"],
    "postcode": "42000",
    "city": "Saint-Étienne",
    "email": "contact@saint-etienne.example",
    "prada_name": "Service des affaires juridiques",
    "prada_email": "prada@saint-etienne.example",
}
# What letter_context adds: the window block of cada_tracker.postal.
_BLOCK = postal_block(**{k: RECIPIENT[k] for k in
                         ("name", "addressee", "street_lines", "postcode", "city", "prada_name")})
RECIPIENT["postal_lines"] = list(_BLOCK.lines)
RECIPIENT["postal_problems"] = list(_BLOCK.problems)
RECIPIENT["designation"] = forms(derive(RECIPIENT["name"], "commune"))
RECIPIENT["salutation"] = salutation(RECIPIENT["addressee"])


def base_context(**overrides) -> dict:
    """The context ``letter_context`` builds, with fixed values."""
    context = {
        "sender": copy.deepcopy(SENDER),
        "recipient": copy.deepcopy(RECIPIENT),
        "request": {
            "reference": "2026-0042",
            "subject": "Vidéosurveillance algorithmique",
            "mode": "email",
            "regime": "general",
            "campaign": "technopolice-2026",
            "documents": copy.deepcopy(DOCUMENTS),
            "sent_on": date(2026, 1, 5),
            "received_on": date(2026, 1, 7),
            "channel": "lrar",
            "tracking": "1A 123 456 7890 1",
        },
        "letter": {"date": LETTER_DATE, "place": "Lyon", "tracking": "1A 123 456 7890 1"},
    }
    context.update(overrides)
    return context


def missing_of(documents: list[dict]) -> list[dict]:
    return [d for d in documents if d["outcome"] != "obtained"]


def series_items() -> list[dict]:
    towns = ["Saint-Étienne", "Marseille", "Nice", "Toulouse", "Montpellier"]
    items = []
    for i, town in enumerate(towns, start=1):
        items.append({
            "reference": f"2026-{40 + i:04d}",
            "administration": f"Mairie de {town}",
            "sent_on": date(2026, 1, 5),
            "received_on": date(2026, 1, 6 + i % 3),
            "implicit_refusal_on": date(2026, 2, 6 + i % 3) if i != 2 else None,
            "refusal_on": date(2026, 1, 30) if i == 2 else None,
            "missing": missing_of(DOCUMENTS) if i != 4 else [],
        })
    return items


def full_context(**overrides) -> dict:
    """Every variable of every built-in template (escalation letters included)."""
    context = base_context()
    missing = missing_of(context["request"]["documents"])
    context.update({
        # relance
        "missing": missing,
        "implicit_refusal_on": date(2026, 2, 7),
        "cada_deadline_on": date(2026, 4, 6),
        # saisine-cada, saisine-cada-serie
        "refusal_on": None,
        "attachments": ["Demande du 5 janvier 2026", "Avis de réception du 7 janvier 2026"],
        # saisine-cada-serie, information-serie
        "series": series_items(),
        "referral_on": date(2026, 3, 15),
        "series_referral_on": None,
        "answered_in_full": False,
        # requete-ta
        "cada_registered_on": date(2026, 3, 20),
        "cada_ref": "20261234",
        "opinion_on": date(2026, 5, 7),
        "opinion_verdict": "favorable",
        "deadlines_opposable": True,
        "court_deadline_legal_on": date(2026, 7, 21),
        "reasonable_delay_on": None,
        "confirmation_on": None,
        "confirmed_refusal_on": date(2026, 5, 20),
        "court_deadline_on": date(2026, 7, 20),
        "court_name": "Tribunal administratif de Lyon",
        "court_address_lines": ["184 rue Duguesclin", "69433 Lyon Cedex 03"],
    })
    context.update(overrides)
    return context


@pytest.fixture
def context() -> dict:
    return full_context()
