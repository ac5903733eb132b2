"""Regenerate the README's tour from real runs (python scripts/readme_tour.py).

Runs every command of the tour in a throwaway CADA_HOME with a pinned date and
replaces the blocks between <!-- tour:NAME --> and <!-- /tour:NAME --> in
README.md with the commands and what they printed. It then drafts a request to the
Préfecture du Rhône of the real PRADA directory and renders the first page of its
PDF to docs/lettre-prefecture-du-rhone.png (pdfplumber, a test dependency), the
page the README's letter section shows.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ISERE = ["cada", "new", "--to-department", "38", "--to-kind", "commune", "--template", "vsa",
         "--subject", "Vidéosurveillance algorithmique",
         "--doc", "Contrats et conventions relatifs aux logiciels d'analyse d'images",
         "--doc", "Analyse d'impact relative à la protection des données (AIPD)",
         "--campaign", "vsa-isere"]

SECTIONS: dict[str, list[list[str]]] = {
    "db_path": [["cada", "db", "path"]],
    "admin": [
        ["cada", "admin", "add", "Mairie de Villeurbanne", "--kind", "commune",
         "--addressee", "Monsieur le maire", "--street", "Place Lazare-Goujon",
         "--postcode", "69100", "--city", "Villeurbanne",
         "--prada-email", "prada@villeurbanne.example", "--tag", "rhone"],
        ["cada", "admin", "add", "Préfecture du Rhône", "--kind", "préfecture",
         "--addressee", "Monsieur le préfet", "--street", "106 rue Pierre Corneille",
         "--postcode", "69003", "--city", "Lyon"],
        ["cada", "admin", "list"],
    ],
    "new": [
        ["cada", "new", "--to", "1", "--template", "videosurveillance",
         "--subject", "Dispositif de vidéosurveillance",
         "--doc", "Liste et localisation des caméras, avec leur date de mise en service",
         "--doc", "Marché de maintenance (CCTP, CCAP)",
         "--doc", "Délibérations du conseil municipal",
         "--campaign", "vsa-rhone", "--tag", "videosurveillance"],
    ],
    "events": [
        ["cada", "sent", "2026-0001", "--on", "2026-09-01", "--via", "lrar",
         "--tracking", "1A12345678901"],
        ["cada", "received", "2026-0001", "--on", "03/09/2026"],
        ["cada", "ack", "2026-0001", "--on", "2026-09-10", "--no-mentions"],
        ["cada", "answer", "2026-0001", "--on", "2026-10-01", "--outcome", "partial",
         "--got", "3", "--refused", "1", "--no-mentions", "--attach", "deliberations.pdf"],
    ],
    "error": [
        ["cada", "received", "2026-0001", "--on", "2026-08-30"],
        ["cada", "show", "2026-0009"],
        ["cada", "sent", "2026-0001", "--on", "31/09/2026", "--via", "lrar"],
    ],
    "list": [["cada", "list"]],
    "show": [["cada", "show", "2026-0001"]],
    "deadlines": [
        ["cada", "deadlines", "--received", "31/01/2026", "--today", "2026-02-01"],
        ["cada", "deadlines", "--received", "2025-09-01", "--cada-registered", "2025-11-20",
         "--zone", "67", "--mentions", "--json"],
    ],
    "overdue": [["cada", "overdue"], ["cada", "overdue", "--today", "2026-12-01"],
                ["cada", "calendar", "--out", "cada.ics"]],
    "templates": [["cada", "templates", "list"], ["cada", "templates", "show", "relance"]],
    "escalation": [
        ["cada", "remind", "2026-0002", "--on", "2026-11-23", "--via", "email",
         "--out", "courriers"],
        ["cada", "refer", "2026-0001", "--on", "2026-11-23", "--via", "lrar",
         "--tracking", "1A98765432109", "--out", "courriers"],
        ["cada", "court", "2026-0001", "--preview", "--out", "courriers"],
        ["cada", "court", "2026-0001", "--preview", "--force", "--out", "courriers"],
    ],
    "export": [
        ["cada", "export", "2026-0001", "2026-0002", "--out", "courriers"],
        ["cada", "doctor"],
    ],
    "campaign": [
        ["cada", "admin", "import", "annuaire_des_prada.csv", "--tag", "prada"],
        [*ISERE, "--dry-run"],
        ISERE,
    ],
    "campaign_act": [
        ["cat", "recommandes.csv"],
        ["cada", "sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar",
         "--from-file", "recommandes.csv"],
        ["cada", "received", "--campaign", "vsa-isere", "--on", "2026-09-09"],
    ],
    "campaign_follow": [
        ["cada", "campaign", "show", "vsa-isere"],
        ["cada", "stats", "--campaign", "vsa-isere"],
        ["cada", "overdue", "--campaign", "vsa-isere"],
        ["cada", "refer", "--campaign", "vsa-isere", "--on", "2026-11-23", "--out", "serie"],
        ["cada", "overdue", "--campaign", "vsa-isere"],
        ["cada", "export", "--campaign", "vsa-isere", "--merge", "--out", "impression"],
    ],
}

# The Isère campaign's life: sent on 7 September (the tour shows it), received two days
# later; then (not shown) one full answer, one refusal, one partial answer; the others
# stay silent. The post office's slip gives the first three tracking numbers.
CAMPAIGN = [f"2026-{n:04d}" for n in range(3, 15)]
TRACKING_CSV = "reference;tracking\n" + "".join(
    f"{ref};1A00{n:09d}\n" for n, ref in enumerate(CAMPAIGN[:3], start=1))
CAMPAIGN_LIFE = [
    ["cada", "answer", CAMPAIGN[0], "--on", "2026-09-30", "--outcome", "full"],
    ["cada", "answer", CAMPAIGN[1], "--on", "2026-09-25", "--outcome", "refusal"],
    ["cada", "answer", CAMPAIGN[2], "--on", "2026-10-05", "--outcome", "partial",
     "--got", "1", "--refused", "2"],
]
SETUP = {
    "admin": [["cada", "init", "--name", "Technopolice Lyon", "--address",
               r"12 rue de la Paix\n69003 Lyon", "--email", "lyon@technopolice.example",
               "--city", "Lyon"]],
    "list": [["cada", "new", "--to", "2", "--subject", "Drones de la préfecture",
              "--doc", "Arrêtés autorisant l'usage de drones", "--doc", "Doctrine d'emploi"],
             ["cada", "sent", "2026-0002", "--on", "2026-10-20", "--via", "email"],
             ["cada", "received", "2026-0002", "--on", "2026-10-20"]],
    "campaign_follow": CAMPAIGN_LIFE,
}


def main() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CADA_HOME": f"{tmp}/home", "CADA_TODAY": "2026-11-23",
               "COLUMNS": "100", "NO_COLOR": "1"}
        env.pop("CADA_DATABASE_URL", None)
        Path(tmp, "deliberations.pdf").write_bytes(b"%PDF-1.4\n")
        Path(tmp, "recommandes.csv").write_text(TRACKING_CSV, encoding="utf-8")
        shutil.copy(ROOT / "tests" / "directory" / "data" / "annuaire_des_prada.csv", tmp)
        for name, commands in SECTIONS.items():
            for args in SETUP.get(name, []):
                subprocess.run(args, env=env, cwd=tmp, capture_output=True, check=True)
            lines = []
            for args in commands:
                proc = subprocess.run(args, env=env, cwd=tmp, capture_output=True, text=True)
                lines.append(f"$ {shlex.join(args)}")
                lines.append((proc.stderr + proc.stdout).rstrip().replace(tmp, "/tmp/exemple"))
                if proc.returncode:
                    lines.append(f"(code de sortie {proc.returncode})")
            block = "```console\n" + "\n".join(lines) + "\n```"
            pattern = re.compile(rf"<!-- tour:{name} -->.*?<!-- /tour:{name} -->", re.S)
            if not pattern.search(readme):
                sys.exit(f"README.md has no tour:{name} block")
            replacement = f"<!-- tour:{name} -->\n{block}\n<!-- /tour:{name} -->"
            readme = pattern.sub(lambda _m, text=replacement: text, readme)
        letter_page(env, tmp)
    (ROOT / "README.md").write_text(readme, encoding="utf-8")


LETTER_PNG = ROOT / "docs" / "lettre-prefecture-du-rhone.png"


def letter_page(env: dict, tmp: str) -> None:
    """Draft a request to the imported Préfecture du Rhône, export it and render page 1."""
    import json

    import pdfplumber

    def cada(*args: str) -> str:
        return subprocess.run(["cada", *args], env=env, cwd=tmp, capture_output=True,
                              text=True, check=True).stdout

    found = json.loads(cada("admin", "list", "--search", "Préfecture du Rhône", "--json"))
    (admin,) = [a for a in found if a["name"] == "Préfecture du Rhône"
                and a["postcode"] == "69419"]  # the PRADA entry, not the hand-typed one
    request = json.loads(cada(
        "new", "--to", str(admin["id"]), "--template", "videosurveillance",
        "--subject", "Vidéoprotection sur la voie publique dans le Rhône",
        "--doc", "Arrêtés préfectoraux autorisant des systèmes de vidéoprotection en 2026",
        "--doc", "Avis de la commission départementale de vidéoprotection", "--json"))
    cada("export", request["reference"], "--out", "png")
    (pdf,) = Path(tmp, "png").glob("*.pdf")
    LETTER_PNG.parent.mkdir(exist_ok=True)
    with pdfplumber.open(pdf) as document:
        document.pages[0].to_image(resolution=110).save(LETTER_PNG)


if __name__ == "__main__":
    main()
