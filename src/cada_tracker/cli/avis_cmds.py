"""cada avis import, search, show: what the CADA already said (its published opinions)."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import MAX_ID, locations

SHOWN = 20  # malformed rows listed before "…"
DATASET = "https://www.data.gouv.fr/fr/datasets/53698f37a3a729239d2036a0/"


def register(app: typer.Typer) -> None:
    avis = typer.Typer(help="Les avis de la CADA (données ouvertes « Avis et conseils de la "
                            "CADA ») : un index local, séparé de la base.",
                       no_args_is_help=True, rich_markup_mode=None)
    avis.command("import")(import_)
    avis.command("search")(search)
    avis.command("show")(show)
    app.add_typer(avis, name="avis")


def _index() -> Path:
    from cada_tracker.services.avis import index_path

    return index_path(locations())


def import_(
    file: Path = typer.Argument(..., metavar="FICHIER.csv", help=f"Le CSV publié par la CADA ({DATASET})."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON : imported, updated, unchanged, skipped, errors."),
) -> None:
    """Importer les avis de la CADA dans l'index local (mise à jour si déjà importés).

    Le fichier (« Avis et conseils de la CADA », environ 190 Mo, Licence Ouverte) se
    télécharge sur data.gouv.fr. Il est lu au fil de l'eau ; chaque avis est repris
    par son numéro de dossier : réimporter une version plus récente ajoute les
    nouveaux et met à jour ceux qui ont changé. Une ligne illisible est signalée avec
    son numéro, les autres sont importées.

    L'index est un fichier à part (avis-cada.db, à côté de la base) : des données de
    référence, pas le dossier des demandes. Il peut être supprimé et reconstruit.

    \b
    Exemple :
      cada avis import cada-2024-12-05.csv
      cada avis search vidéoprotection --favorable
    """
    from cada_tracker.services.avis import import_csv

    index = _index()
    report = _run_import(file, index, import_csv)
    if json_out:
        output.print_json({"imported": report.imported, "updated": report.updated,
                           "unchanged": report.unchanged, "skipped": report.skipped,
                           "errors": report.errors, "index": str(index)})
    for error in report.errors[:SHOWN]:
        output.warn(f"ligne {error['line']} ignorée : {error['message']}.")
    if len(report.errors) > SHOWN:
        output.warn(f"… et {len(report.errors) - SHOWN} autre(s) ligne(s) ignorée(s) "
                    "(--json les liste toutes).")
    output.success(f"Avis de la CADA : {report.imported} importé(s), {report.updated} mis à "
                   f"jour, {report.unchanged} inchangé(s), {report.skipped} ligne(s) "
                   f"ignorée(s). Index : {index}")


def _run_import(file: Path, index: Path, import_csv):
    import sys

    if not sys.stderr.isatty():
        return import_csv(file, index)
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    size = file.stat().st_size if file.is_file() else None
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=output.err(), transient=True) as bar:
        task = bar.add_task("Import des avis", total=size)
        return import_csv(file, index, progress=lambda n: bar.advance(task, n))


def search(
    words: str = typer.Argument(..., metavar="TEXTE", help="Mots cherchés (tous requis ; accents indifférents)."),
    admin: int = typer.Option(None, "--admin", metavar="ID", min=1, max=MAX_ID, help="Seulement les avis sur cette administration de l'annuaire."),
    name: str = typer.Option(None, "--name", metavar="TEXTE", help="Seulement les administrations dont le nom contient ce texte."),
    favorable: bool = typer.Option(False, "--favorable", help="Seulement les avis favorables (même en partie)."),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="Nombre maximal de résultats (défaut : 20)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON : number, date, administration, meaning, excerpt."),
) -> None:
    """Chercher dans les avis de la CADA (objet, administration, thèmes, mots clés, texte).

    Tous les mots doivent figurer ; majuscules et accents sont indifférents
    (« videoprotection » trouve « vidéoprotection »). Les plus pertinents d'abord.

    \b
    Exemple :
      cada avis search vidéoprotection --favorable
      cada avis search "caméras piétons" --admin 3 --json
      cada avis search drones --name "préfecture de police"
    """
    from cada_tracker.avis.store import search as run_search
    from cada_tracker.errors import InputError
    from cada_tracker.services.avis import open_index

    if admin is not None and name:
        raise InputError("--admin et --name ne vont pas ensemble : choisissez l'un des deux.")
    if name is not None and len(name) > 200:
        raise InputError("--name : 200 caractères au plus.")
    if len(words) > 1000:
        raise InputError("TEXTE : 1000 caractères au plus.")
    keys = _admin_keys(admin) if admin is not None else ()
    conn = open_index(_index())
    try:
        hits = run_search(conn, words, admin_keys=keys, name=name, favorable=favorable,
                          limit=limit)
    finally:
        conn.close()
    if json_out:
        output.print_json([{"number": h.number, "date": h.session, "administration":
                            h.administration, "meaning": h.meaning, "subject": h.subject,
                            "excerpt": h.marked()} for h in hits])
        return
    _print_hits(hits, limit)


def _admin_keys(admin_id: int) -> set[str]:
    from cada_tracker.cli.common import session
    from cada_tracker.services.admins import get_admin
    from cada_tracker.services.avis import admin_keys

    with session() as s:
        return admin_keys(get_admin(s, admin_id))


def _print_hits(hits, limit: int) -> None:
    from rich.text import Text

    from cada_tracker.avis.store import MATCH_START, MATCH_STOP
    from cada_tracker.dates import format_fr
    from cada_tracker.escape import terminal

    if not hits:
        output.info("Aucun avis ne correspond.")
        return
    console = output.out()
    for hit in hits:
        when = format_fr(hit.session) if hit.session else "date inconnue"
        head = Text(f"Avis n° {terminal(hit.number)}", style="bold")
        head.append(terminal(f"  {when} — {hit.administration} — {hit.meaning}"))
        console.print(head, soft_wrap=True)
        console.print(Text(terminal(f"    {hit.subject}")), soft_wrap=True)
        console.print(output.excerpt(hit.excerpt, start=MATCH_START, stop=MATCH_STOP),
                      soft_wrap=True)
    output.info(f"{len(hits)} avis." + (" (limite atteinte : --limit)"
                                         if len(hits) == limit else ""))


def show(
    number: str = typer.Argument(..., metavar="NUMÉRO", help="Numéro de dossier de l'avis (ex. 20231234)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Afficher un avis de la CADA en entier.

    \b
    Exemple :
      cada avis show 20231234
    """
    from cada_tracker.avis.store import get, near_numbers
    from cada_tracker.errors import NotFoundError
    from cada_tracker.services.avis import open_index

    conn = open_index(_index())
    try:
        data = get(conn, number[:100])
        near = near_numbers(conn, number[:100]) if data is None else []
    finally:
        conn.close()
    if data is None:
        hint = f" Numéros proches : {', '.join(near)}." if near else ""
        raise NotFoundError(f"Aucun avis n° « {number[:100]} » dans l'index.{hint}")
    if json_out:
        output.print_json(data)
        return
    from cada_tracker.dates import format_fr
    from datetime import date

    when = format_fr(date.fromisoformat(data["date"])) if data["date"] else "date inconnue"
    echo = output.echo
    echo(f"Avis n° {data['number']} — {data['type']} — séance du {when}")
    echo(f"Administration {data['administration']}")
    echo(f"Objet          {data['subject']}")
    echo(f"Sens           {data['meaning']}")
    if data["topics"]:
        echo(f"Thèmes         {data['topics']}")
    if data["keywords"]:
        echo(f"Mots clés      {data['keywords']}")
    if data["part"]:
        echo(f"Partie         {data['part']}")
    echo("")
    echo(data["text"])
