"""cada ocr: make scanned documents searchable (Tesseract, French)."""

from __future__ import annotations

import typer

from cada_tracker.cli import output


def register(app: typer.Typer) -> None:
    app.command("ocr")(ocr)


def ocr(
    reference: str = typer.Argument(None, metavar="[REF]", help="Référence de la demande dont lire les scans."),
    all_: bool = typer.Option(False, "--all", help="Tous les fichiers sans texte de toutes les demandes."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Lire les documents scannés (PDF sans texte, images) par reconnaissance de
    caractères (Tesseract, français) pour que cada search les trouve. Le fichier
    reçu n'est jamais modifié : une copie avec sa couche de texte est gardée à côté.

    \b
    Exemple :
      cada ocr 2026-0042
      cada ocr --all
    """
    from cada_tracker.cli.common import locations, open_engine
    from cada_tracker.errors import InputError
    from cada_tracker.services.search.ocr import ocr_and_index, pending_files, require

    if (reference is None) == (not all_):
        raise InputError("Donnez une référence ou --all (pas les deux).")
    found = require()
    loc = locations()
    engine = open_engine().execution_options(cada_write=True)
    done = []
    with engine.begin() as conn:
        if reference is not None:
            from sqlalchemy import text

            from cada_tracker.errors import NotFoundError

            exists = conn.execute(text("SELECT 1 FROM request WHERE reference = :r"),
                                  {"r": reference.strip()}).first()
            if exists is None:
                raise NotFoundError(f"Aucune demande de référence « {reference.strip()} ».")
        for file in pending_files(conn, reference.strip() if reference else None):
            status = ocr_and_index(conn, found, file, loc.data_dir)
            done.append({"reference": file.reference, "file": file.original_name,
                         "status": status})
    if json_out:
        output.print_json(done)
        return
    labels = {"ocr": "texte reconnu et indexé", "empty": "aucun texte reconnu",
              "error": "lecture impossible", "missing": "fichier introuvable"}
    for item in done:
        output.info(f"{item['reference']}  {item['file']} : "
                    f"{labels.get(item['status'], item['status'])}")
    read = sum(item["status"] == "ocr" for item in done)
    output.success(f"{read} fichier(s) sur {len(done)} sans texte rendu(s) cherchable(s).")
