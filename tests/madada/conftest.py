"""Ma Dada test data: the JSON files of data/ and ZIPs built in the shape Alaveteli serves."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
VIDEO = DATA / "madada_videoprotection.json"
FANCY_DOG = DATA / "alaveteli_fancy_dog.json"
VIDEO_URL = "https://madada.fr/request/dispositif_de_videoprotection_de"

#: The real row of Mairie - Achères in Ma Dada's public-body CSV
#: (tests/directory/data/administrations_alaveteli_sample.csv).
ACHERES_CSV = (
    "#id,name,request_email,notes,home_page,tag_string\n"
    "mairie-78005-01,Mairie - Achères 78005-01,sgcourrier@mairie-acheres78.fr,"
    "\"Adresse : 6-8 rue Deschamps-Guérin,78260,Achères | Tél : 01 39 79 64 00 | "
    "Fax : 01 39 11 22 42\",http://www.mairie-acheres78.fr,mairie\n"
)


def correspondence(url: str, title: str) -> str:
    """``correspondence.txt`` as ``request/show.text.erb`` renders it in French
    (locale/fr/app.po), with one outgoing and one incoming message."""
    return (
        f"Ceci est une  version textuelle  de la demande d'accès à l'information \"{title}\"."
        f"  La dernière version complète est disponible en ligne à l'adresse suivante  "
        f"{url.replace('https://', 'http://')}.\n\n"
        "-------------------------------\n"
        "De: Technopolice Achères\nÀ: Mairie - Achères 78005-01\nDate: 2 juin 2026\n\n"
        "Madame, Monsieur,\n\nJe sollicite la communication de la liste des caméras.\n\n"
        "-------------------------------\n"
        "De:, Mairie - Achères 78005-01\nÀ: Technopolice Achères\nDate: 20 juillet 2026\n\n"
        "Veuillez trouver ci-joint la délibération.\n"
        "Pièce jointe deliberation.pdf (9K)\n"
    )


def build_zip(path: Path, url: str = VIDEO_URL, title: str = "Dispositif de vidéoprotection "
              "de la commune", attachments: dict[str, bytes] | None = None) -> Path:
    """The ZIP of ``RequestController#make_request_zip``: correspondence.txt, then each
    attachment of the N-th incoming message as ``N_PART_NAME``."""
    attachments = {"1_2_deliberation.pdf": b"%PDF-1.4 deliberation"} \
        if attachments is None else attachments
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("correspondence.txt", correspondence(url, title))
        for name, data in attachments.items():
            zf.writestr(name, data)
    return path


def variant(tmp_path: Path, name: str, edit) -> Path:
    """A copy of the Ma Dada request JSON changed by ``edit(data)``."""
    data = json.loads(VIDEO.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def video_zip(tmp_path):
    return build_zip(tmp_path / "dispositif_de_videoprotection_de.zip")
