"""The Jinja sandbox letter templates run in: templates are code someone else may write.

A collective shares its templates (often a git repository). A template must not be
able to read the environment or the files of whoever renders it, change cada's
data, or exhaust the machine. So:

- ``ImmutableSandboxedEnvironment``: no attribute starting with ``_``, no
  ``str.format`` escape, no ``list.append``/``dict.update`` (Jinja2 ≥ 3.1.6, which
  closes CVE-2025-27516's ``|attr("format")`` route to ``os.environ``);
- ``ConfinedLoader``: every template path is resolved (symlinks included) and must
  stay inside its templates folder, be a regular file and stay under
  :data:`MAX_TEMPLATE_BYTES`; ``racine -> /`` in a shared folder gives nothing;
- limits: rendered output :data:`MAX_OUTPUT_CHARS`, loop iterations per letter
  :data:`MAX_LOOP_ITERATIONS`, and no operator, filter or method may build a string
  or list longer than the output limit (``'a' * 10**8`` is refused before it is
  built). Exceeding one raises :class:`TemplateLimit`, which the letters module
  turns into a French error naming the template.
"""

from __future__ import annotations

import os
import re
import stat
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from functools import wraps
from typing import Any

from jinja2 import BytecodeCache, FileSystemLoader, TemplateNotFound, nodes
from jinja2.bccache import Bucket
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_OUTPUT_CHARS = 2_000_000  # a letter is about 20 000; a series letter a few 100 000
MAX_LOOP_ITERATIONS = 200_000
MAX_TEMPLATE_BYTES = 1_000_000
MAX_INT_ARGUMENT = 100_000  # widths, counts… passed to filters and methods

GUARD_NAME = "cada_loop_guard"  # reserved: a template may not use this name


class TemplateLimit(SecurityError):
    """A template went past one of the sandbox's limits."""


_budget: ContextVar[list[int] | None] = ContextVar("cada_loop_budget", default=None)


class LoopBudget:
    """Counts the iterations of every loop of one rendering."""

    def __enter__(self) -> LoopBudget:
        self._token = _budget.set([MAX_LOOP_ITERATIONS])
        return self

    def __exit__(self, *exc: object) -> None:
        _budget.reset(self._token)


def loop_guard(iterable: Iterable) -> Iterator:
    remaining = _budget.get()
    if remaining is None:  # rendering outside render(): give this loop its own budget
        remaining = [MAX_LOOP_ITERATIONS]
    for item in iterable:
        remaining[0] -= 1
        if remaining[0] < 0:
            raise TemplateLimit(
                f"plus de {MAX_LOOP_ITERATIONS} tours de boucle dans un même courrier")
        yield item


def _too_big(value: Any) -> bool:
    return isinstance(value, (str, bytes, list, tuple)) and len(value) > MAX_OUTPUT_CHARS


def _check_arguments(args: tuple, kwargs: dict) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and \
                abs(value) > MAX_INT_ARGUMENT:
            raise TemplateLimit(f"nombre trop grand passé à une fonction ({value})")


def _limited_filter(name: str, function: Callable) -> Callable:
    @wraps(function)
    def limited(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[1:], kwargs)
        if name == "format" and args and isinstance(args[0], str) and \
                _PERCENT_WIDTH.search(args[0]):
            raise TemplateLimit("largeur de format trop grande")
        result = function(*args, **kwargs)
        if _too_big(result):
            raise TemplateLimit("un filtre produit un texte trop long")
        return result

    return limited


# A width of a million characters or more in a %-format or a str.format field.
_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(?:\(\w*\))?[-+ #0]*\d{6,}")
_BRACE_WIDTH = re.compile(r"\{[^{}]*:[^{}]*\d{6,}[^{}]*\}")


def _product_size(left: Any, right: Any) -> int:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int):
            return len(seq) * max(count, 0)
    return 0


class LetterSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with limits on what one letter may compute."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*" and _product_size(left, right) > MAX_OUTPUT_CHARS:
            raise TemplateLimit("une multiplication produit un texte trop long")
        if operator == "**" and isinstance(right, int) and isinstance(left, int) and \
                abs(right) > 64 and abs(left) > 1:
            raise TemplateLimit(f"puissance trop grande ({left} ** {right})")
        if operator == "%" and isinstance(left, str) and _PERCENT_WIDTH.search(left):
            raise TemplateLimit("largeur de format trop grande")
        result = super().call_binop(context, operator, left, right)
        if _too_big(result):
            raise TemplateLimit("une opération produit un texte trop long")
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        target = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str) and getattr(target, "__name__", "") in (
                "format", "format_map") and _BRACE_WIDTH.search(owner):
            raise TemplateLimit("largeur de format trop grande")
        result = super().call(__context, __obj, *args, **kwargs)
        if _too_big(result):
            raise TemplateLimit("un appel produit un texte trop long")
        return result

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for node in tree.find_all(nodes.Name):
            if node.name == GUARD_NAME:
                raise SecurityError(f"le nom « {GUARD_NAME} » est réservé")
        for loop in list(tree.find_all(nodes.For)):
            guarded = nodes.Call(nodes.Name(GUARD_NAME, "load"), [loop.iter], [], None, None)
            guarded.set_lineno(loop.lineno)
            guarded.set_environment(self)
            loop.iter = guarded
        return tree


class CompiledTemplates(BytecodeCache):
    """Compiled letter templates kept in memory for the life of the process, shared by
    every environment :func:`make_environment` builds.

    Jinja keeps a template per environment, and there is one environment per templates
    folder: a process that renders for several folders (the test suite builds one per
    test, the built-in templates the same in all) used to parse, guard and compile the
    same file each time, about 20 ms for ``demande``. Entries are Jinja's own bytecode
    buckets, keyed by template name and file path and checked against the source's
    checksum, so an edited template is compiled again. Environments share a cache only
    when they have the same options (``make_environment`` keeps one per set: the code
    Jinja generates depends on them, not on the loaders), and a template that fails to
    compile or is refused is never stored.
    """

    LIMIT = 64

    def __init__(self) -> None:
        self.entries: OrderedDict[str, bytes] = OrderedDict()

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.entries.get(bucket.key)
        if data is not None:
            self.entries.move_to_end(bucket.key)
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()
        self.entries.move_to_end(bucket.key)
        while len(self.entries) > self.LIMIT:
            self.entries.popitem(last=False)


#: One cache per set of environment options (all hashable: flags, classes, functions).
_compiled: dict[tuple, CompiledTemplates] = {}


def make_environment(loaders: list, **options: Any) -> LetterSandbox:
    from jinja2 import ChoiceLoader

    cache = _compiled.setdefault(tuple(sorted(options.items())), CompiledTemplates())
    env = LetterSandbox(loader=ChoiceLoader(loaders), bytecode_cache=cache, **options)
    env.globals[GUARD_NAME] = loop_guard
    for name, function in list(env.filters.items()):
        env.filters[name] = _limited_filter(name, function)
    return env


def render_limited(template: Any, context: dict[str, Any]) -> str:
    """Render ``template``, stopping as soon as the letter passes the output limit."""
    parts: list[str] = []
    size = 0
    with LoopBudget():
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateLimit(
                    f"le courrier dépasse {MAX_OUTPUT_CHARS:_} caractères".replace("_", " "))
            parts.append(chunk)
    return "".join(parts)


class ConfinedLoader(FileSystemLoader):
    """A file loader that never leaves its folder, even through a symbolic link."""

    def __init__(self, searchpath: str, encoding: str = "utf-8") -> None:
        super().__init__(searchpath, encoding=encoding, followlinks=False)
        self.root = os.path.realpath(searchpath)

    def get_source(self, environment: Any, template: str):
        pieces = split_template_path(template)
        path = os.path.join(self.root, *pieces)
        real = os.path.realpath(path)
        if os.path.commonpath([real, self.root]) != self.root:
            raise TemplateNotFound(template, f"« {template} » sort du dossier des modèles")
        try:
            info = os.stat(real)
        except OSError:
            raise TemplateNotFound(template) from None
        if not stat.S_ISREG(info.st_mode):
            raise TemplateNotFound(template, f"« {template} » n'est pas un fichier")
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise TemplateLimit(f"le modèle « {template} » dépasse {MAX_TEMPLATE_BYTES} octets")
        with open(real, "rb") as fh:
            data = fh.read(MAX_TEMPLATE_BYTES + 1)
        try:
            source = data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise TemplateLimit(f"le modèle « {template} » n'est pas du texte UTF-8") from exc
        mtime = info.st_mtime

        def uptodate() -> bool:
            try:
                return os.path.getmtime(real) == mtime
            except OSError:
                return False

        return source, real, uptodate
