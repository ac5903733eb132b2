"""WeasyPrint imported without fontTools' subsetter and instancer (cada_tracker.pdf_import).

Each check runs in a fresh interpreter: the test process may have imported them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from cada_tracker import letters

from .conftest import base_context

pytest.importorskip("weasyprint")
pytest.importorskip("pypdf")

PRELUDE = (
    "import io, sys\n"
    "import pypdf\n"
    "from cada_tracker.pdf import Renderer, import_weasyprint\n"
    "import_weasyprint()\n"
    "import weasyprint.pdf.fonts as fonts\n"
    "html = open(sys.argv[1], encoding='utf-8').read()\n"
    "def text(data):\n"
    "    return ' '.join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)\n"
)


@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    context = base_context()
    context["request"]["subject"] = "Caméras piétonnes"
    path = tmp_path_factory.mktemp("letter") / "letter.html"
    path.write_text(letters.render("demande", context), encoding="utf-8")
    return path


def run(letter, code: str) -> list[str]:
    return subprocess.run([sys.executable, "-c", PRELUDE + code, str(letter)],
                          capture_output=True, text=True, check=True).stdout.split()


def test_a_letter_is_written_without_importing_the_font_subsetter_nor_the_instancer(letter):
    out = run(letter,
              "data = Renderer().pdf(html)\n"
              "print(type(fonts.subset).__name__, 'Caméras piétonnes' in text(data), "
              "      'fontTools.subset' in sys.modules, "
              "      'fontTools.varLib.instancer' in sys.modules)\n")
    assert out == ["Deferred", "True", "False", "False"]


def test_without_harfbuzz_subset_the_real_subsetter_is_imported_and_used(letter):
    out = run(letter,
              "fonts.harfbuzz_subset = None  # as on a system without libharfbuzz-subset\n"
              "data = Renderer().pdf(html)\n"
              "real = sys.modules['fontTools.subset']\n"
              "print(type(real).__name__, real.Subsetter.__module__, "
              "      'Caméras piétonnes' in text(data), len(data) < 200_000)\n")
    assert out == ["module", "fontTools.subset", "True", "True"]


def test_the_instancer_function_calls_the_real_one(letter):
    out = run(letter,
              "from fontTools.ttLib import TTFont\n"
              "try:\n"
              "    fonts.instantiateVariableFont(TTFont(), {})\n"
              "except ValueError as exc:\n"
              "    print('fvar' in str(exc))\n"
              "print(type(sys.modules['fontTools.varLib.instancer']).__name__)\n")
    assert out == ["True", "module"]


def test_a_later_import_of_the_deferred_modules_gets_the_real_ones(letter):
    out = run(letter,
              "from fontTools import subset\n"
              "from fontTools.varLib import instancer\n"
              "print(type(subset).__name__, callable(instancer.instantiateVariableFont), "
              "      hasattr(subset, 'Options'))\n")
    assert out == ["module", "True", "True"]
