"""French messages for what goes wrong inside a template (Jinja's messages are English).

Imported by the letters module without Jinja itself: Jinja is imported only when a
message is made, which happens only after a template failed.
"""

from __future__ import annotations

import re

_UNDEFINED_RE = re.compile(r"^'(?P<name>[^']+)' is undefined$")
_NO_ATTR_RE = re.compile(r"^'(?P<obj>[^']+)' has no attribute '(?P<attr>[^']+)'$")


def french_message(exc: BaseException) -> str:
    from jinja2 import UndefinedError
    from jinja2.sandbox import SecurityError

    text = str(exc)
    if isinstance(exc, UndefinedError):
        if m := _UNDEFINED_RE.match(text):
            return f"la variable « {m['name']} » n'est pas définie"
        if m := _NO_ATTR_RE.match(text):
            return f"« {m['obj']} » n'a pas d'attribut « {m['attr']} »"
        return f"valeur non définie ({text})"
    from cada_tracker.sandbox import TemplateLimit

    if isinstance(exc, TemplateLimit):
        return f"limite dépassée : {text}"
    if isinstance(exc, SecurityError):
        if m := _UNSAFE_ATTR_RE.match(text):
            return (f"opération interdite dans un modèle (accès à l'attribut « {m['attr']} » "
                    f"d'un objet {m['type']})")
        if "not safely callable" in text:
            return "opération interdite dans un modèle (appel d'une fonction non autorisée)"
        if "MAX_RANGE" in text:
            return "opération interdite dans un modèle (range() limité à 100 000 éléments)"
        return f"opération interdite dans un modèle ({text})"
    if isinstance(exc, RecursionError):
        return "appels imbriqués trop profonds (macro récursive ?)"
    if isinstance(exc, ZeroDivisionError):
        return "division par zéro"
    return f"{_PYTHON_ERRORS.get(type(exc).__name__, type(exc).__name__)} : {text}"


_UNSAFE_ATTR_RE = re.compile(r"^access to attribute '(?P<attr>[^']+)' of '(?P<type>[^']+)'")
_PYTHON_ERRORS = {"TypeError": "opération impossible sur ces valeurs",
                  "ValueError": "valeur invalide", "KeyError": "clé absente",
                  "IndexError": "indice hors limites", "OverflowError": "nombre trop grand",
                  "MemoryError": "mémoire insuffisante"}
