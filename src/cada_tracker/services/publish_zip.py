"""Writing the publication: the ZIP, its manifests and its French README."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from cada_tracker.dates import format_fr
from cada_tracker.escape import csv_cell, markdown
from cada_tracker.services.publish import Item, collect, place, render, sha256
from cada_tracker.vocab import STATUSES

MANIFEST_COLUMNS = ["reference", "administration", "department", "sent_on", "answered_on",
                    "status", "folder", "file", "sha256", "licence"]
ACTIONS = {"as-is": "tel quel", "metadata-cleared": "métadonnées effacées",
           "redacted": "données du demandeur retirées",
           "transcription": "transcription expurgée (l'original contient des données du "
                            "demandeur)", "excluded": "exclu"}


def prepare(conn, *, campaign: str, data_dir: Path, include_unchecked: bool,
            outcomes: list) -> tuple[list[Item], list, dict]:
    items, senders, _ = collect(conn, campaign, data_dir, include_unchecked=include_unchecked)
    place([i for i in items if i.action != "excluded"])
    return items, senders, {o.reference: o for o in outcomes}


def manifest_rows(items: list[Item], by_ref: dict, licence: str) -> list[dict]:
    rows = []
    for item in items:
        if item.action == "excluded":
            continue
        o = by_ref.get(item.reference)
        rows.append({
            "reference": item.reference, "administration": item.administration,
            "department": o.department if o else None,
            "sent_on": o.sent_on.isoformat() if o and o.sent_on else None,
            "answered_on": o.first_answer_on.isoformat() if o and o.first_answer_on else None,
            "status": o.status if o else None, "folder": item.folder, "file": item.path,
            "sha256": sha256(item.data), "licence": licence or None,
        })
    return rows


def readme(campaign: str, totals: dict, outcomes: list, rows: list[dict], today: date,
           public_name: str, licence: str) -> str:
    """The publication's README.md. Names, the campaign, the public name and the licence
    are data: escaped so that Markdown shows them as typed (escape.markdown)."""
    files = {}
    for row in rows:
        files[row["reference"]] = files.get(row["reference"], 0) + 1
    lines = [
        f"# Campagne « {markdown(campaign)} » : documents administratifs obtenus",
        "",
        f"Publication préparée le {format_fr(today)} avec cada. Demandes faites au titre du "
        "droit d'accès aux documents administratifs (livre III du code des relations entre "
        "le public et l'administration).",
        "",
        f"- {totals['requests']} demande(s), {totals['sent']} envoyée(s) ;",
        f"- {totals['answered']} réponse(s), dont {totals['answered_in_time']} dans le délai "
        "d'un mois ;",
        f"- {totals['refused']} refus ({totals['refused_express']} exprès, "
        f"{totals['refused_implicit']} implicite(s)), {totals['referred']} saisine(s) de la "
        "CADA ;",
        f"- {totals['obtained']} demande(s) avec des documents obtenus.",
        "",
        "Les données personnelles du demandeur (nom, adresse, courriel, téléphone) ont été "
        f"retirées des courriers et remplacées par « {markdown(public_name)} » ; les "
        "métadonnées des PDF (auteur, logiciel, XMP) ont été effacées.",
        "",
        f"Licence : {markdown(licence)}." if licence else "Licence : non précisée.",
        "",
        "| Référence | Administration | Statut | Fichiers |",
        "|---|---|---|---|",
    ]
    for o in outcomes:
        lines.append(f"| {markdown(o.reference)} | {markdown(o.administration)} | "
                     f"{STATUSES.get(o.status, o.status)} | {files.get(o.reference, 0)} |")
    lines += ["", "Chaque fichier est décrit dans `manifest.csv` et `manifest.json` "
                  "(référence, administration, dates, statut, empreinte SHA-256, licence).", ""]
    return "\n".join(lines)


def write_zip(target: Path, items: list[Item], rows: list[dict], readme_text: str) -> None:
    """The ZIP, written beside ``target`` then renamed (never half a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in items:
                if item.action != "excluded":
                    archive.writestr(item.path, item.data)
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, MANIFEST_COLUMNS, lineterminator="\n")
            writer.writeheader()
            # Opened by anyone, in any spreadsheet: cells are made inert (escape.csv_cell);
            # manifest.json keeps the exact values.
            writer.writerows({k: csv_cell("" if v is None else v) for k, v in r.items()}
                             for r in rows)
            archive.writestr("manifest.csv", buffer.getvalue())
            archive.writestr("manifest.json", json.dumps(rows, ensure_ascii=False, indent=2))
            archive.writestr("README.md", readme_text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish(conn, *, campaign: str, outcomes: list, totals: dict, data_dir: Path,
            out: Path | None, today: date, public_name: str, licence: str,
            include_unchecked: bool, renderer_factory) -> dict:
    """Prepare (and unless ``out`` is None, write) the publication; returns its listing."""
    items, senders, by_ref = prepare(conn, campaign=campaign, data_dir=data_dir,
                                     include_unchecked=include_unchecked, outcomes=outcomes)
    if out is not None:
        render(items, senders, public_name, renderer_factory())
        kept = [i for i in items if i.action != "excluded"]
        place(kept)
        rows = manifest_rows(items, by_ref, licence)
        write_zip(out, items, rows, readme(campaign, totals, outcomes, rows, today,
                                           public_name, licence))
    return {
        "out": str(out) if out is not None else None,
        "files": [{"reference": i.reference, "administration": i.administration,
                   "path": i.path or None, "name": i.original or i.name, "action": i.action,
                   "flags": i.flags} for i in items],
    }
