"""Jinja's syntax errors said in French, for the authors of letter templates.

Jinja words its errors in English (``Encountered unknown tag 'foo'.``); a user
who writes a template should not have to read them. The messages Jinja 3 gives
for a template that does not parse are matched here and said again in French,
with the tags and tokens they name; anything else is given as Jinja's own words,
in quotes, after a French sentence (a newer Jinja may word a new case).
"""

from __future__ import annotations

import re

# Jinja's names of its tokens (jinja2.lexer.describe_token), in the template's terms.
_TOKENS = {
    "end of statement block": "la fin de balise « %} »",
    "end of print statement": "la fin d'expression « }} »",
    "begin of statement block": "« {% »",
    "begin of print statement": "« {{ »",
    "end of template": "la fin du modèle",
    "name": "un nom",
    "integer": "un nombre",
    "string": "un texte entre guillemets",
}


def _token(name: str) -> str:
    return _TOKENS.get(name, f"« {name} »")


def _tags(listed: str) -> str:
    return " ou ".join(f"« {t} »" for t in re.findall(r"'([^']*)'", listed))


_OPEN = (r"(?: Jinja was looking for the following tags: (?P<tags>.+?)\. The innermost "
         r"block that needs to be closed is '(?P<block>[^']+)'\.)?")

_PATTERNS = [
    (re.compile(r"Unexpected end of template\." + _OPEN + "$"),
     lambda m: "fin du modèle alors qu'un bloc est ouvert" + _still_open(m)),
    (re.compile(r"Encountered unknown tag '(?P<tag>[^']+)'\." + _OPEN + "$"),
     lambda m: f"balise inconnue « {m['tag']} »" + _still_open(m)),
    (re.compile(r"expected token '(?P<want>[^']+)', got '(?P<got>[^']*)'$"),
     lambda m: f"attendu : {_token(m['want'])} ; trouvé : {_token(m['got'])}"),
    (re.compile(r"Expected an expression, got '(?P<got>[^']*)'$"),
     lambda m: f"attendu : une expression ; trouvé : {_token(m['got'])}"),
    (re.compile(r"unexpected '(?P<got>[^']*)', expected '(?P<want>[^']*)'$"),
     lambda m: f"inattendu : {_token(m['got'])} ; attendu : {_token(m['want'])}"),
    (re.compile(r"unexpected '(?P<got>[^']*)'$"), lambda m: f"inattendu : {_token(m['got'])}"),
    (re.compile(r"""unexpected char (?P<q>['"])(?P<got>.+)(?P=q) at \d+$"""),
     lambda m: f"caractère inattendu : « {m['got']} »"),
    (re.compile(r"unexpected end of template, expected '(?P<want>[^']+)'\.?$"),
     lambda m: f"fin du modèle inattendue ; attendu : {_token(m['want'])}"),
    (re.compile(r"tag name expected$"), lambda m: "nom de balise attendu après « {% »"),
]


def _still_open(match: re.Match) -> str:
    if not match["block"]:
        return ""
    return (f" : le bloc « {match['block']} » n'est pas fermé "
            f"(attendu : {_tags(match['tags'])})")


def french(message: str | None) -> str:
    """Jinja's syntax error ``message`` in French."""
    text = " ".join((message or "").split())
    for pattern, say in _PATTERNS:
        match = pattern.match(text)
        if match:
            return say(match)
    return f"erreur signalée par Jinja (« {text} »)"
