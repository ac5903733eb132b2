"""Letter templates: the template library and its rendering to HTML.

Templates are Jinja2 files named ``NAME.html.j2``. They are looked up first in
the user's folder (``Locations.user_letters_dir``: a file there overrides the
built-in template of the same name), then in the built-in ``letters/`` folder
(``cada_tracker/_letters`` in a wheel). Files whose name starts with ``_``
(the base layout, the macros) are building blocks, not letters: they are not
listed and cannot be rendered by name.

Every template receives the context described in ``letters/README.md``; it
starts with a comment header giving its title, kind and description::

    {#- title: Demande générique ; kind: request ; description: … -#}

The environment is sandboxed, autoescapes everything (user data is never
marked safe) and uses ``StrictUndefined``: a missing variable is an error, not
an empty string in a letter with legal effect.

>>> html = render("demande", context)                      # doctest: +SKIP
>>> template_names(None)[:2]                                # doctest: +SKIP
['capteurs-sonores', 'demande']

What ``cada templates`` shows of each (title, kind, variables, origin) is read by
:mod:`cada_tracker.letter_catalogue`.
"""

from __future__ import annotations

import re
import traceback
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from cada_tracker.designation import forms
from cada_tracker.errors import InputError, NotFoundError
from cada_tracker.sandbox_errors import french_message
from cada_tracker.frenchdates import date_fr
from cada_tracker.paths import asset_dir
from cada_tracker.postal import postal_block

if TYPE_CHECKING:
    from jinja2 import Environment, Template
    from markupsafe import Markup

TEMPLATE_SUFFIX = ".html.j2"
STYLESHEET = "lettre.css"

#: Kinds of letters, with their French label (used by ``cada templates``).
KINDS: dict[str, str] = {
    "request": "demande",
    "reminder": "relance",
    "referral": "saisine de la CADA",
    "grouped_referral": "saisine de la CADA pour une série de demandes",
    "series_notice": "information des administrations d'une série",
    "court": "recours au tribunal administratif",
}

#: Postal address of the Commission d'accès aux documents administratifs, as a
#: recipient dict of the context contract (service-public annuaire; RULES §4.3).
CADA_ADDRESS: dict[str, Any] = {
    "name": "Commission d’accès aux documents administratifs",
    "addressee": None,
    "street_lines": ["TSA 50730"],
    "postcode": "75334",
    "city": "Paris Cedex 07",
    "email": "cada@cada.fr",
    "prada_name": None,
    "prada_email": None,
}
#: Its window block (tuples: the template globals are read-only).
_CADA_BLOCK = postal_block(
    name=CADA_ADDRESS["name"],
    street_lines=CADA_ADDRESS["street_lines"],
    postcode=CADA_ADDRESS["postcode"],
    city=CADA_ADDRESS["city"],
)
CADA_ADDRESS["postal_lines"] = _CADA_BLOCK.lines
CADA_ADDRESS["postal_problems"] = _CADA_BLOCK.problems
CADA_ADDRESS["designation"] = MappingProxyType(
    forms("la Commission d’accès aux documents administratifs")
)
CADA_ADDRESS["salutation"] = "Madame, Monsieur"

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# --------------------------------------------------------------------------- filters


def _visible_controls(value: Any) -> Any:
    """Control characters in user text are shown (``\\x1b``), not slipped into a letter;
    apostrophes are made typographic (:func:`_apostrophes`)."""
    from markupsafe import Markup

    from cada_tracker.escape import terminal

    if isinstance(value, Markup):  # escaped user text: its apostrophes are "&#39;"
        text = terminal(str(value))
        if "@" not in text and "://" not in text:
            text = text.replace("&#39;", "’")
        return Markup(text)
    if isinstance(value, str):
        return _apostrophes(terminal(value))
    return value


def _apostrophes(text: str) -> str:
    """One apostrophe style in a letter: what the user typed ("l'AIPD") is printed with
    the typographic apostrophe of the templates ("l’AIPD"). E-mail addresses and links
    are left exactly as they are: they must still work when copied."""
    if "'" not in text or "@" in text or "://" in text:
        return text
    from cada_tracker.postal import typographic

    return typographic(text)


def nl2br(value: Any) -> Markup:
    """Escape ``value`` and turn its line breaks into ``<br>`` (for multi-line user text)."""
    from markupsafe import Markup, escape

    text = str(escape(value)).replace("\r\n", "\n").replace("\r", "\n")
    return Markup(text.replace("\n", "<br>\n"))


# --------------------------------------------------------------------------- environment


def builtin_dir() -> Path:
    """The built-in templates and stylesheet (``letters/`` or ``cada_tracker/_letters``)."""
    return asset_dir("letters")


def dir_key(user_dir: Path | str | None) -> str | None:
    if user_dir is None:
        return None
    return str(Path(user_dir).expanduser().resolve())


def environment(user_dir: Path | str | None = None) -> Environment:
    """The Jinja environment for ``user_dir`` (built once per process and folder)."""
    return _environment(dir_key(user_dir))


@lru_cache(maxsize=8)
def _environment(user_dir: str | None) -> Environment:
    from jinja2 import StrictUndefined

    from cada_tracker.sandbox import ConfinedLoader, make_environment

    loaders = []
    if user_dir is not None:
        loaders.append(ConfinedLoader(user_dir, encoding="utf-8"))
    loaders.append(ConfinedLoader(str(builtin_dir()), encoding="utf-8"))
    env = make_environment(
        loaders,
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_visible_controls,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_fr"] = date_fr
    env.filters["nl2br"] = nl2br
    # Read-only copy: a template cannot alter the constant for the next letters.
    env.globals["cada"] = MappingProxyType(
        {**CADA_ADDRESS, "street_lines": tuple(CADA_ADDRESS["street_lines"])}
    )
    return env


# --------------------------------------------------------------------------- rendering


def render(name: str, context: dict[str, Any], *, user_dir: Path | None = None) -> str:
    """The full HTML document of one letter rendered from template ``name``.

    Raises ``NotFoundError`` for an unknown template (the message lists the
    available ones) and ``InputError`` naming the file and line for an error in
    a template (syntax, undefined variable, forbidden operation).
    """
    from cada_tracker.sandbox import render_limited

    env = environment(user_dir)
    template = _get_template(env, name, user_dir)
    try:
        return render_limited(template, context)
    except Exception as exc:
        error = _render_error(exc, template)
        if error is None:
            raise
        raise error from exc


def normalise_name(name: str) -> str:
    base = name.strip()
    if base.endswith(TEMPLATE_SUFFIX):
        base = base[: -len(TEMPLATE_SUFFIX)]
    return base


def template_file(name: str, user_dir: Path | None) -> str:
    """The file name of template ``name`` (``demande`` → ``demande.html.j2``); a name
    that is not a template's (a path, a ``_`` partial) is an unknown template."""
    base = normalise_name(name)
    if not NAME_RE.match(base) or base.startswith("_"):
        raise unknown_template(name, user_dir)
    return base + TEMPLATE_SUFFIX


def _get_template(env: Environment, name: str, user_dir: Path | None) -> Template:
    from jinja2 import TemplateNotFound, TemplateSyntaxError
    from jinja2.sandbox import SecurityError

    filename = template_file(name, user_dir)
    base = filename.removesuffix(TEMPLATE_SUFFIX)

    try:
        return env.get_template(filename)
    except TemplateSyntaxError as exc:
        raise syntax_error(exc) from exc
    except SecurityError as exc:
        raise InputError(f"Modèle « {base} » refusé : {french_message(exc)}.") from exc
    except TemplateNotFound as exc:
        if exc.name == filename:
            raise unknown_template(name, user_dir) from exc
        raise InputError(
            f"Le modèle « {base} » fait appel au modèle « {exc.name} », introuvable."
        ) from exc


def syntax_error(exc: Any) -> InputError:
    from cada_tracker.jinja_messages import french

    return InputError(
        f"Erreur de syntaxe dans le modèle {exc.filename or exc.name}, "
        f"ligne {exc.lineno} : {french(exc.message)}."
    )


def unknown_template(name: str, user_dir: Path | None) -> NotFoundError:
    names = ", ".join(template_names(user_dir)) or "aucun"
    return NotFoundError(
        f"Modèle de courrier inconnu : « {name} ». Modèles disponibles : {names}.",
        hint="cada templates list",
    )


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """File and line of the innermost template frame in ``exc``'s traceback.

    Jinja rewrites tracebacks so that template code appears with the template's
    file name and line number.
    """
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".j2", ".html", ".jinja")) and frame.lineno:
            found = (frame.filename, frame.lineno)
    return found


def _render_error(exc: Exception, template: Template) -> InputError | None:
    """The user error for ``exc`` raised while rendering, or None for a bug in cada."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):  # in an included or extended template
        return syntax_error(exc)
    if isinstance(exc, TemplateNotFound):
        return InputError(
            f"Le modèle {template.filename} fait appel au modèle « {exc.name} », introuvable."
        )
    where = _template_frame(exc)
    if where is None and not isinstance(exc, TemplateError):
        return None
    filename, line = where if where else (template.filename, "?")
    return InputError(f"Erreur dans le modèle {filename}, ligne {line} : {french_message(exc)}")


# --------------------------------------------------------------------------- library


def require_template(name: str, user_dir: Path | None = None) -> None:
    """Refuse an unknown template name before anything is printed or recorded."""
    if name not in template_names(user_dir):
        raise unknown_template(name, user_dir)


def template_names(user_dir: Path | None = None) -> list[str]:
    """Names of the letters that can be rendered (built-in and user), sorted."""
    env = environment(user_dir)
    names = set()
    for filename in env.list_templates(extensions=None):
        if "/" in filename or not filename.endswith(TEMPLATE_SUFFIX):
            continue
        base = filename[: -len(TEMPLATE_SUFFIX)]
        if base.startswith("_") or not NAME_RE.match(base):
            continue
        names.add(base)
    return sorted(names)
