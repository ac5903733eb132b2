"""The kind of an administration, guessed from its name or its tags."""

from __future__ import annotations

import re
from collections.abc import Iterable

from cada_tracker.directory.text import clean_line, normalise_name
from cada_tracker.vocab import ADMIN_KIND_ALIASES, ADMIN_KINDS

_KIND_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ministere", (r"^ministere\b",)),
    ("sous_prefecture", (r"^sous-prefecture\b",)),
    ("prefecture", (r"^prefecture\b", r"^haut-commissariat\b")),
    (
        "etablissement_public",
        (
            r"^etablissement (public|national)\b",
            r"^centre hospitalier\b",
            r"^chu\b",
            r"^hopita(l|ux)\b",
            r"^universite\b",
            r"^office (public|national)\b",
            r"^agence (regionale de sante|nationale)\b",
            r"^centre (interdepartemental |departemental )?de gestion\b",
            r"^service (departemental )?d'incendie\b",
            r"^sdis\b",
            r"^syndicat\b",
            r"^centre communal d'action sociale?\b",
            r"^(assistance publique|groupe hospitalier|etablissement hospitalier)\b",
            r"^ecole (nationale|normale|polytechnique)\b",
            r"^agence de l'eau\b",
            r"^(port autonome|grand port maritime)\b",
            r"^ccas\b",
            r"^chambre (de commerce|d'agriculture|de metiers|des metiers)\b",
            r"^(centre|institut) national\b",
        ),
    ),
    ("departement", (r"^conseil (departemental|general)\b", r"^departement (de|du|des|d')")),
    ("region", (r"^conseil regional\b", r"^region\b")),
    ("commune", (r"^mairie\b", r"^(commune|ville) (de|du|des|d')")),
    (
        "intercommunalite",
        (
            r"\bcommunaute\b",
            r"metropole\b",  # also "Eurométropole de Strasbourg"
            r"\bagglomeration\b",
            r"^intercom\b",
            r"^epci\b",
        ),
    ),
)
_KIND_PATTERNS = tuple(
    (kind, re.compile("|".join(f"(?:{p})" for p in patterns))) for kind, patterns in _KIND_RULES
)
# Alaveteli tags, used only when the name says nothing.
_TAG_KINDS = {
    "mairie": "commune",
    "commune": "commune",
    "epci": "intercommunalite",
    "communaute_communes": "intercommunalite",
    "communaute_agglomerations": "intercommunalite",
    "communaute_urbaine": "intercommunalite",
    "metropole": "intercommunalite",
    "cg": "departement",
    "cr": "region",
    "prefecture": "prefecture",
    "sous_pref": "sous_prefecture",
    "ministere": "ministere",
}


def infer_kind(name: str, tags: Iterable[str] = ()) -> str:
    """Kind of administration guessed from its name (then its tags); "autre" if unsure."""
    key = normalise_name(name)
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(key):
            return kind
    for tag in tags:
        kind = _TAG_KINDS.get(tag.casefold())
        if kind:
            return kind
    return "autre"


def kind_key(value: str) -> str | None:
    """A stored kind key from what a user typed ("Intercommunalité" -> "intercommunalite")."""
    text = clean_line(value).casefold()
    if text in ADMIN_KINDS:
        return text
    if text in ADMIN_KIND_ALIASES:
        return ADMIN_KIND_ALIASES[text]
    return None
