"""``cada doctor``: what the machine has for printing letters, and how to fix what lacks.

Each check returns a :class:`Check`; nothing here writes anything. The database is
not opened (``cada db check`` does that): a doctor must work when the database
does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HARFBUZZ_FIX = (
    "installez libharfbuzz-subset0 (Debian, Ubuntu : sudo apt install libharfbuzz-subset0 ; "
    "Fedora : sudo dnf install harfbuzz ; macOS : brew install harfbuzz). Sans elle, "
    "WeasyPrint sous-ensemble les polices en Python, environ cinq fois plus lentement."
)
PANGO_FIX = (
    "WeasyPrint a besoin de Pango (Debian, Ubuntu : sudo apt install libpango-1.0-0 "
    "libpangoft2-1.0-0 ; voir https://doc.courtbouillon.org/weasyprint/stable/"
    "first_steps.html)."
)
SAMPLE_TEXT = "Égalité, « forêt », cœur, août, 15 € — ÀÂÇÈÉÊËÎÏÔÙÛÜŸ"


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str
    fix: str | None = None
    optional: bool = False  # a missing optional tool is said, not counted as a problem


def check_weasyprint() -> Check:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        return Check("WeasyPrint", False, f"ne se charge pas ({exc})", PANGO_FIX)
    return Check("WeasyPrint", True, f"version {weasyprint.__version__}")


def check_harfbuzz() -> Check:
    from cada_tracker.pdf import harfbuzz_subset_available

    if harfbuzz_subset_available():
        return Check("HarfBuzz (sous-ensembles de polices)", True,
                     "libharfbuzz-subset présente : rendu PDF rapide")
    return Check("HarfBuzz (sous-ensembles de polices)", False,
                 "libharfbuzz-subset absente : rendu PDF lent", HARFBUZZ_FIX)


def check_sample_letter() -> Check:
    """Render a letter with every French accent and the euro sign, and read it back."""
    import time
    from datetime import date

    from cada_tracker import letters
    from cada_tracker.pdf import Renderer

    context = {
        "sender": {"name": "Essai", "address_lines": ["1 rue de l'Église", "69001 Lyon"],
                   "email": "essai@example.org", "city": "Lyon"},
        "recipient": {"name": "Mairie d'Évry", "addressee": None,
                      "street_lines": ["Place des Droits-de-l'Homme"], "postcode": "91000",
                      "city": "Évry", "email": None, "prada_name": None, "prada_email": None},
        "request": {"reference": "2026-0001", "subject": SAMPLE_TEXT, "mode": "email",
                    "regime": "general", "campaign": None,
                    "documents": [{"position": 1, "description": SAMPLE_TEXT,
                                   "outcome": "pending"}],
                    "sent_on": None, "received_on": None, "channel": None, "tracking": None},
        "letter": {"date": date(2026, 3, 1), "place": "Lyon", "tracking": None},
    }
    try:
        start = time.perf_counter()
        data = Renderer().pdf(letters.render("demande", context))
        elapsed = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - the doctor reports every failure
        return Check("Courrier d'essai", False, f"le rendu a échoué ({exc})", PANGO_FIX)
    missing = _missing_glyphs(data)
    if missing:
        return Check("Courrier d'essai", False,
                     f"caractères absents du PDF : {' '.join(missing)}",
                     "installez une police complète (Debian : sudo apt install fonts-dejavu).")
    return Check("Courrier d'essai", True,
                 f"PDF de {len(data) // 1024} Ko en {elapsed * 1000:.0f} ms, accents et € rendus")


def _missing_glyphs(data: bytes) -> list[str]:
    """Characters of SAMPLE_TEXT not found in the PDF's text (pypdf extraction)."""
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)
    return sorted({c for c in SAMPLE_TEXT if not c.isspace() and c not in text})


def check_user_templates(folder: Path) -> Check:
    from cada_tracker.letter_catalogue import list_templates

    broken = [f"{i.name} ({i.error})" for i in list_templates(folder) if i.error]
    if broken:
        return Check("Modèles de courriers", False, "modèles en erreur : " + "; ".join(broken),
                     f"corrigez ou retirez ces fichiers dans {folder}")
    own = sum(1 for _ in folder.glob("*.html.j2")) if folder.is_dir() else 0
    return Check("Modèles de courriers", True,
                 f"tous se chargent ({own} modèle(s) personnel(s) dans {folder})")


def check_ocr() -> Check:
    from cada_tracker.services.search.ocr import tools

    found = tools()
    if found.ok:
        return Check("Reconnaissance de caractères (cada ocr)", True,
                     f"Tesseract avec le français ({found.tesseract})")
    return Check("Reconnaissance de caractères (cada ocr)", False,
                 "indisponible (facultative) : il manque " + ", ".join(found.missing()),
                 "Debian, Ubuntu : sudo apt install tesseract-ocr tesseract-ocr-fra "
                 "poppler-utils ; sans elle, les documents scannés ne sont pas cherchables.",
                 optional=True)


def run_checks(user_letters_dir: Path) -> list[Check]:
    weasy = check_weasyprint()
    checks = [weasy, check_harfbuzz(), check_user_templates(user_letters_dir)]
    if weasy.ok:
        checks.append(check_sample_letter())
    checks.append(check_ocr())
    return checks
