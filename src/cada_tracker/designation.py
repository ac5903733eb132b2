"""An administration as a French noun phrase, and the salutation of its letters.

Pure. A letter says "opposé par la commune de Villeurbanne", "enjoindre à la
commune de Nice", "j'ai demandé au département du Rhône": the *designation* is
the phrase with its article, derived from the kind and the name
(:func:`derive`), stored with the administration and editable; :func:`forms`
gives its forms after "à", "de" and "par" with the contractions (au, du, aux,
des, d').

>>> derive("Mairie de Nice", "commune")
'la commune de Nice'
>>> derive("Agence nationale pour la gestion des déchets radioactifs (ANDRA)",
...        "etablissement_public")
'l’Agence nationale pour la gestion des déchets radioactifs (ANDRA)'
>>> forms("le département du Rhône")["a"]
'au département du Rhône'
>>> salutation("Monsieur le préfet du Rhône")
'Monsieur le Préfet'
>>> salutation("Madame le préfet")
'Madame la Préfète'
"""

from __future__ import annotations

import re

_FEMININE = {
    "agence", "agglomération", "assistance", "association", "autorité", "banque",
    "brigade", "caisse", "chambre", "collectivité", "commission", "commune",
    "communauté", "cour", "délégation", "direction", "école", "eurométropole",
    "faculté", "fédération", "haute", "inspection", "maison", "mairie", "métropole",
    "mission", "mutualité", "permanence", "plateforme", "poste", "préfecture",
    "région", "section", "société", "sous-préfecture", "trésorerie", "université",
    "ville", "ecole",
}
_MASCULINE = {
    "bureau", "centre", "comité", "commissariat", "conciliateur", "conseil",
    "défenseur", "département", "établissement", "etablissement", "greta", "groupe",
    "grand", "haut-commissariat", "hôpital", "institut", "lycée", "ministère", "musée",
    "office", "parc", "point", "pôle", "port", "rectorat", "réseau", "secrétariat",
    "service", "syndicat", "tribunal",
}
_PLURAL = {"hôpitaux", "permanences", "services", "voies", "archives", "haras"}
_H_MUET = {"hôpital", "hôpitaux", "hôtel"}
_ASPIRATED = {"haut-commissariat", "haute", "haut"}
# Kinds whose first word is a common noun written in lower case inside a sentence.
_LOWER_KINDS = {"commune", "prefecture", "sous_prefecture", "departement", "region", "intercommunalite",
                "ministere"}
_VOWEL = re.compile(r"(?i)^[aeiouyàâäéèêëîïôöùûüœæ]")
_ACRONYM_TAIL = re.compile(r"\s*\((?:CD|CG|CR)\s*[\dA-B]*\)\s*$")
_PREPOSITION = re.compile(r"(?i)^(?:de la |de l['’]|du |des |de |d['’])")

_FEMININE_TITLES = {
    "préfet": "préfète", "sous-préfet": "sous-préfète", "directeur": "directrice",
    "président": "présidente", "recteur": "rectrice", "délégué": "déléguée",
    "général": "générale", "inspecteur": "inspectrice", "administrateur": "administratrice",
    "conseiller": "conseillère", "procureur": "procureure", "chef": "cheffe",
}
_CIVILITY = re.compile(r"(?i)^(monsieur|madame|m\.|mme\.?)\s+")
_TITLE_CUT = re.compile(
    r"\s+(?:de la|de l['’]|du|des|de|d['’]|l['’])\s*\S.*$|\s+-\s+.*$|\s*,.*$", re.IGNORECASE
)


def _apostrophes(text: str) -> str:
    return text.replace("'", "’")


def _article(first_word: str) -> str:
    """"le ", "la ", "l’", "les " or "" (a proper name) for a phrase starting with it."""
    word = first_word.casefold()
    if word in _PLURAL:
        return "les "
    if word in _FEMININE or word in _MASCULINE:
        if (_VOWEL.match(word) or word in _H_MUET) and word not in _ASPIRATED:
            return "l’"
        return "la " if word in _FEMININE else "le "
    return ""


def derive(name: str, kind: str = "autre") -> str:
    """The designation of administration ``name`` of kind ``kind``."""
    text = _apostrophes(" ".join(name.split()))
    match = re.match(r"(?i)^(mairie|ville|commune)\s+(.*)$", text)
    if kind == "commune" and match and _PREPOSITION.match(match.group(2)):
        return f"la commune {match.group(2)}"
    match = re.match(r"(?i)^mairie\s+-\s+(.+?)(?:\s+\d{5}-\d{2})?$", text)
    if kind == "commune" and match:  # Ma Dada: "Mairie - Saint-Maur 60588-01"
        return f"la commune {forms(match.group(1))['de']}"
    match = re.match(r"(?i)^sous-préfecture\s+-\s+(.+)$", text)
    if kind == "sous_prefecture" and match:  # Ma Dada: "Sous-préfecture - Belley"
        return f"la sous-préfecture {forms(match.group(1))['de']}"
    match = re.match(r"(?i)^conseil (départemental|général)\s+(.*)$", text)
    if match and _PREPOSITION.match(match.group(2)):
        return f"le département {_ACRONYM_TAIL.sub('', match.group(2))}"
    match = re.match(r"(?i)^conseil régional\s+(.*)$", text)
    if match:
        rest = _ACRONYM_TAIL.sub("", match.group(1))
        return f"la région {_PREPOSITION.sub('', rest)}"
    lead = re.match(r"(?i)^(le|la|les)\s+|^l’", text)
    if lead:  # "La Poste", "Les Mureaux": the article belongs to the name
        return text[0].lower() + text[1:] if _article(text[lead.end():].split()[0]) else text
    first = re.split(r"[\s’]", text, maxsplit=1)[0]
    article = _article(first)
    if not article:
        return text
    if kind in _LOWER_KINDS and not first.isupper():  # "Sous-Préfecture" too
        text = first.lower() + text[len(first):]
    return article + text


def forms(designation: str) -> dict[str, str]:
    """The designation as subject ("le"), capitalised ("Le"), after "à", "de", "par"."""
    text = _apostrophes(designation.strip())
    lower = text.casefold()
    if lower.startswith("le "):
        a, de = "au " + text[3:], "du " + text[3:]
    elif lower.startswith("les "):
        a, de = "aux " + text[4:], "des " + text[4:]
    else:
        a = "à " + text
        de = ("d’" if _VOWEL.match(text) and not lower.startswith(("la ", "l’")) else "de ") + text
    return {"le": text, "Le": text[:1].upper() + text[1:], "a": a, "de": de,
            "par": "par " + text}


def salutation(addressee: str | None) -> str:
    """The title alone: "Monsieur le Maire", "Madame la Préfète"; else "Madame, Monsieur"."""
    if not addressee:
        return "Madame, Monsieur"
    text = " ".join(_apostrophes(addressee).split())
    civility = _CIVILITY.match(text)
    if not civility:
        return "Madame, Monsieur"
    feminine = civility.group(1).lower().startswith(("madame", "mme"))
    rest = _TITLE_CUT.sub("", text[civility.end():]).strip()
    words = rest.split()
    if len(words) > 2 and words[1].lower() in ("le", "la"):  # "Madame la La directrice"
        del words[1]
    if not words or words[0].lower() not in ("le", "la", "l’") and not words[0].startswith("l’"):
        return "Madame" if feminine else "Monsieur"
    if words[0].lower().startswith("l’") and len(words[0]) > 2:  # "l’inspecteur"
        words = ["l’", words[0][2:], *words[1:]]
    if feminine:
        words = [_FEMININE_TITLES.get(w.lower(), w) for w in words]
        if words[0].lower() == "le":
            words[0] = "la"
    article, *title = words
    if not title:
        return "Madame" if feminine else "Monsieur"
    title[0] = title[0][:1].upper() + title[0][1:]
    head = "Madame" if feminine else "Monsieur"
    joined = f"{article}{title[0]}" if article == "l’" else f"{article} {title[0]}"
    return " ".join([head, joined, *title[1:]])
