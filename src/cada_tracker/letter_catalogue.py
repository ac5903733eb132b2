"""What ``cada templates`` shows of the letter templates: title, kind, description
(the comment opening each template), the context variables it uses, its origin.

The template library itself, and what a letter needs to render, is
:mod:`cada_tracker.letters`; this module only reads the templates' sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cada_tracker.errors import InputError
from cada_tracker.letters import (KINDS, TEMPLATE_SUFFIX, builtin_dir, dir_key, environment,
                                  syntax_error, template_file, template_names,
                                  unknown_template)

if TYPE_CHECKING:
    from jinja2 import Environment

_HEADER_RE = re.compile(r"^\s*\{#-?(.*?)-?#\}", re.DOTALL)
_HEADER_KEY_RE = re.compile(r"(?:^|;|\n)\s*(title|kind|description)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class TemplateInfo:
    """What ``cada templates`` shows about one letter template."""

    name: str
    title: str
    kind: str
    description: str
    variables: tuple[str, ...]
    origin: str  # "builtin" or "user"
    path: Path
    overrides_builtin: bool = False
    error: str | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "description": self.description,
            "variables": list(self.variables),
            "origin": self.origin,
            "path": str(self.path),
            "overrides_builtin": self.overrides_builtin,
            "error": self.error,
        }


def list_templates(user_dir: Path | None = None) -> list[TemplateInfo]:
    """Every renderable template; a broken user template is listed with its ``error``."""
    return [template_info(name, user_dir) for name in template_names(user_dir)]


def template_info(name: str, user_dir: Path | None = None) -> TemplateInfo:
    """Title, kind, description, variables and origin of template ``name``."""
    env = environment(user_dir)
    filename = template_file(name, user_dir)
    base = filename.removesuffix(TEMPLATE_SUFFIX)
    builtin_path = builtin_dir() / filename
    user_path = Path(dir_key(user_dir)) / filename if user_dir is not None else None
    if user_path is not None and user_path.is_file():
        origin, path = "user", user_path
    elif builtin_path.is_file():
        origin, path = "builtin", builtin_path
    else:
        raise unknown_template(name, user_dir)
    try:
        source, encoding_error = path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:  # listed with its error, like a syntax error
        from cada_tracker.readerrors import decode_reason

        source, encoding_error = "", f"{decode_reason(exc)} : enregistrez-le en UTF-8"
    header = parse_header(source)
    error = None
    kind = header.get("kind", "request")
    if kind not in KINDS:
        error = f"type « {kind} » inconnu (types : {', '.join(KINDS)})"
    if encoding_error is not None:
        variables, error = (), encoding_error
    else:
        try:
            variables = tuple(sorted(template_variables(env, filename)))
        except InputError as exc:
            variables, error = (), exc.message
    return TemplateInfo(
        name=base,
        title=header.get("title", base),
        kind=kind,
        description=header.get("description", ""),
        variables=variables,
        origin=origin,
        path=path,
        overrides_builtin=origin == "user" and builtin_path.is_file(),
        error=error,
    )


def parse_header(source: str) -> dict[str, str]:
    """The ``title``/``kind``/``description`` of the comment opening a template.

    ``{#- title: Relance ; kind: reminder ; description: Rappel … -#}`` gives
    ``{"title": "Relance", "kind": "reminder", "description": "Rappel …"}``.
    Keys may be separated by ``;`` or by line breaks; other text is ignored.
    """
    match = _HEADER_RE.match(source)
    if not match:
        return {}
    body = match.group(1)
    keys = list(_HEADER_KEY_RE.finditer(body))
    result: dict[str, str] = {}
    for i, key in enumerate(keys):
        end = keys[i + 1].start() if i + 1 < len(keys) else len(body)
        value = " ".join(body[key.end() : end].split()).strip(" ;")
        result[key.group(1).lower()] = value
    return result


def template_variables(env: Environment, filename: str) -> set[str]:
    """Context variables used by ``filename`` and the templates it extends, imports
    or includes (``jinja2.meta.find_undeclared_variables``), globals excluded."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, meta

    seen: set[str] = set()
    found: set[str] = set()
    defined: set[str] = set()
    pending = [filename]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source, path, _ = env.loader.get_source(env, current)
            ast = env.parse(source, name=current, filename=path)
        except TemplateSyntaxError as exc:
            raise syntax_error(exc) from exc
        except TemplateNotFound as exc:
            raise InputError(
                f"Le modèle « {filename} » fait appel au modèle « {exc.name} », introuvable."
            ) from exc
        found |= meta.find_undeclared_variables(ast)
        defined |= _top_level_names(ast)
        pending.extend(ref for ref in meta.find_referenced_templates(ast) if ref)
    return found - defined - set(env.globals)


def _top_level_names(ast: Any) -> set[str]:
    """Names a template defines at its top level (``set``, ``import``, ``macro``).

    ``find_undeclared_variables`` reports them when blocks use them, because
    each block is analysed as its own scope; they are not context variables.
    """
    from jinja2 import nodes

    names: set[str] = set()
    for node in ast.body:
        if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
            names |= {n.name for n in node.target.find_all(nodes.Name)}
            if isinstance(node.target, nodes.Name):
                names.add(node.target.name)
        elif isinstance(node, nodes.Import):
            names.add(node.target)
        elif isinstance(node, nodes.FromImport):
            names |= {n[1] if isinstance(n, tuple) else n for n in node.names}
        elif isinstance(node, nodes.Macro):
            names.add(node.name)
    return names
