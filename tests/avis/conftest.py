"""A CSV of the CADA's opinions in the exact published shape.

The rows are constructed for the tests (not real opinions: the numbers, dates and
texts are invented); the columns, their order, the comma separator, the ``"`` quoting,
the ``JJ/MM/AAAA`` session date, the ``Sens/Motivation, …`` meanings and the roman
``Partie`` are those of the published file (etalab/cada ``cada/csv.py``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cada_tracker.avis import COLUMNS

VIDEO_TEXT = (
    "Monsieur X a saisi la commission d'accès aux documents administratifs, par courrier "
    "enregistré à son secrétariat le 3 février 2024, à la suite du refus opposé par le "
    "maire de {city} à sa demande de communication des documents relatifs au dispositif "
    "de vidéoprotection de la commune, notamment la liste des caméras et leur "
    "implantation.\n\n{absence}La commission estime que ces documents sont communicables "
    "à toute personne qui en fait la demande en application de l'article L311-1 du code "
    "des relations entre le public et l'administration, sous réserve de l'occultation des "
    "mentions relevant de la sécurité publique. Elle émet donc un avis favorable."
)
ABSENCE = ("En l'absence de réponse du maire de {city} à la date de sa séance, la "
           "commission rappelle que ")

ROWS = [
    ["20240512", "Mairie de Villeurbanne", "Avis", "2024", "14/03/2024",
     "Communication de la liste des caméras de vidéoprotection et de leur implantation.",
     "Collectivités territoriales/Sécurité", "vidéoprotection, caméras",
     "Favorable/Sauf sécurité publique", "III", VIDEO_TEXT.format(city="Villeurbanne",
                                                                   absence=ABSENCE.format(
                                                                       city="Villeurbanne"))],
    ["20241877", "Commune de Villeurbanne", "Avis", "2024", "10/10/2024",
     "Copie du marché de maintenance du système de vidéoprotection.",
     "Collectivités territoriales/Marchés publics", "vidéoprotection, marché public",
     "Favorable/Sauf secret des affaires", "III",
     VIDEO_TEXT.format(city="Villeurbanne", absence="")],
    ["20233001", "Mairie de Nice", "Avis", "2023", "06/07/2023",
     "Communication des délibérations relatives à la videoprotection algorithmique.",
     "Collectivités territoriales", "vidéoprotection algorithmique",
     "Favorable, Défavorable/Document inexistant", "III",
     VIDEO_TEXT.format(city="Nice", absence=ABSENCE.format(city="Nice"))],
    ["20221010", "Préfecture du Rhône", "Avis", "2022", "12/05/2022",
     "Arrêtés d'autorisation de systèmes de vidéoprotection.",
     "Justice, Ordre Public Et Sécurité/Police", "vidéoprotection, arrêté préfectoral",
     "Défavorable/Sécurité publique", "III",
     "La commission émet un avis défavorable : la communication porterait atteinte à la "
     "sécurité publique (article L311-5 du CRPA)."],
    ["20200444", "Mairie de Villeurbanne", "Conseil", "2020", "02/04/2020",
     "Conditions de réutilisation des délibérations du conseil municipal.",
     "Collectivités territoriales", "réutilisation", "Favorable", "II",
     "La commission estime que les délibérations peuvent être réutilisées librement."],
    ["20191234", "Centre hospitalier de Grasse", "Avis", "2019", "21/11/2019",
     "Dossier médical d'une personne décédée, \"ayants droit\".",
     "Santé/Dossier médical", "dossier médical, secret médical",
     "Favorable/Ayant droit", "III",
     "Le secret médical ne fait pas obstacle, en vertu de l'article L1110-4 du code de la "
     "santé publique, à la communication aux ayants droit."],
]


def csv_text(rows=ROWS, *, header=COLUMNS, extra_lines: list[str] = ()) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quotechar='"', lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue() + "".join(extra_lines)


def write_csv(path: Path, rows=ROWS, **kw) -> Path:
    path.write_text(csv_text(rows, **kw), encoding="utf-8")
    return path
