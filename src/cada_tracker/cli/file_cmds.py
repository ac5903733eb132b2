"""cada files: copy a request's stored files (received documents, letters) out."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import locations, session


def register(app: typer.Typer) -> None:
    app.command("files")(files)


def files(
    reference: str = typer.Argument(..., metavar="REF",
                                    help="Référence de la demande (ex. 2026-0042)."),
    out: Path = typer.Option(Path("."), "--out", help="Dossier où copier les fichiers "
                             "(défaut : dossier courant)."),
    event: int = typer.Option(None, "--event", metavar="N",
                              help="Seulement les fichiers de l'événement n° N."),
    json_out: bool = typer.Option(False, "--json", help="Afficher la liste en JSON."),
) -> None:
    """Copier les fichiers enregistrés d'une demande (documents reçus, courriers).

    Avec PostgreSQL, les fichiers sont dans la base partagée : chaque membre
    récupère ceux qu'un autre a enregistrés. Un fichier déjà présent n'est jamais
    remplacé.

    \b
    Exemple :
      cada files 2026-0042 --out ~/Documents/mairie
    """
    from cada_tracker.fileio import prepare_out_dir
    from cada_tracker.services.file_export import export_files
    from cada_tracker.services.requests import get_request

    prepare_out_dir(out)
    loc = locations()
    with session() as s:
        request = get_request(s, reference)
        done = export_files(s, request, data_dir=loc.data_dir, out=out, event_id=event)
    if json_out:
        output.print_json([{"name": name, "copy": str(path), "written": written}
                           for name, path, written in done])
    if not done:
        output.info(f"{request.reference} : aucun fichier enregistré.")
        return
    for _name, path, written in done if not json_out else []:
        typer.echo(f"{path}" + ("" if written else "  (déjà présent)"))
    output.success(f"{request.reference} : {len(done)} fichier(s) dans {out}.")
