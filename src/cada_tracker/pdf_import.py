"""Import WeasyPrint for less: two thirds of a single letter's time is that import.

Two things make it slower than it needs to be, and both are avoided here, for
WeasyPrint's import only (the rest of the process imports as usual):

- library loading: WeasyPrint tries several names for each library
  (``libgobject-2.0-0``, ``gobject-2.0``… before ``libgobject-2.0.so.0``); cffi
  answers each name that does not load by calling ``ctypes.util.find_library``,
  which runs ``ldconfig``, ``gcc`` and ``ld``: a third of the import on a loaded
  machine. On Linux the sonames in WeasyPrint's lists load directly, so the import
  is tried with that search switched off;
- fontTools: ``weasyprint.pdf.fonts`` imports ``fontTools.subset`` and
  ``fontTools.varLib.instancer`` (with their dependencies, a quarter of the
  import), used only to subset fonts without HarfBuzz-Subset and to flatten
  variable fonts, neither of which a letter in DejaVu needs. They are replaced
  during the import by :class:`Deferred` modules that import the real one the
  first time WeasyPrint uses it.

If the import fails this way, it is retried as WeasyPrint would do it alone.
"""

from __future__ import annotations

import sys
from types import ModuleType

#: Modules WeasyPrint imports and rarely uses; the functions it imports from them.
DEFERRED = {"fontTools.subset": (), "fontTools.varLib.instancer": ("instantiateVariableFont",)}


class Deferred(ModuleType):
    """Stands for a module until WeasyPrint uses it; then imports the real one.

    ``functions`` are what WeasyPrint imports by name (``from m import f``): they
    forward their calls to the real module's. Any other attribute imports it too.
    """

    def __init__(self, name: str, functions: tuple[str, ...]) -> None:
        super().__init__(name)
        for function in functions:
            setattr(self, function, self._forward(function))

    def _real(self) -> ModuleType:
        import importlib

        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]  # still importing WeasyPrint: load it now
        return importlib.import_module(self.__name__)

    def _forward(self, function: str):
        def call(*args, **kwargs):
            return getattr(self._real(), function)(*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        return call

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._real(), attr)


def import_weasyprint() -> None:
    """Import WeasyPrint (once), as described above."""
    if "weasyprint" in sys.modules or sys.platform != "linux":
        import weasyprint  # noqa: F401
        return
    import ctypes.util

    real = ctypes.util.find_library
    stand_ins = {name: Deferred(name, functions) for name, functions in DEFERRED.items()
                 if name not in sys.modules}
    ctypes.util.find_library = lambda name: None
    sys.modules.update(stand_ins)
    try:
        import weasyprint  # noqa: F401
        import weasyprint.pdf.fonts  # noqa: F401  (what imports the deferred modules)
    except (ImportError, OSError):
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        _remove(stand_ins)
        ctypes.util.find_library = real
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = real
        _remove(stand_ins)


def _remove(stand_ins: dict[str, ModuleType]) -> None:
    """Take the stand-ins out of ``sys.modules``: a later import gets the real module."""
    for name, module in stand_ins.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]
