"""cada templates list/show, cada export, cada doctor: the letters and their printing."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.errors import InputError

#: Above this many letters, export shows a progress bar (on a terminal).
PROGRESS_FROM = 5

ORIGINS = {"builtin": "intégré", "user": "personnel"}


def register(app: typer.Typer) -> None:
    templates = typer.Typer(
        help="Les modèles de courriers (intégrés et personnels).", no_args_is_help=True
    )
    templates.command("list")(templates_list)
    templates.command("show")(templates_show)
    app.add_typer(templates, name="templates")
    app.command("export")(export)
    app.command("doctor")(doctor)


def _user_dir() -> Path:
    from cada_tracker.cli.common import locations

    return locations().user_letters_dir


def _origin(info) -> str:
    if info.origin == "user" and info.overrides_builtin:
        return "personnel (remplace l'intégré)"
    return ORIGINS[info.origin]


def templates_list(
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Lister les modèles de courriers : nom, type, origine, titre.

    Un fichier NOM.html.j2 du dossier des modèles personnels (cada db path) ajoute un
    modèle ou remplace le modèle intégré du même nom.

    \b
    Exemple :
      cada templates list
      cada templates list --json
    """
    from cada_tracker.letter_catalogue import KINDS, list_templates

    infos = list_templates(_user_dir())
    if json_out:
        output.print_json([i.to_dict() for i in infos])
        return
    output.table(
        None, ["Nom", "Type", "Origine", "Titre"],
        ([i.name, KINDS.get(i.kind, i.kind), _origin(i),
          i.title if not i.error else f"{i.title} — ERREUR : {i.error}"] for i in infos),
    )
    output.info(f"Modèles personnels : {_user_dir()}")


def templates_show(
    name: str = typer.Argument(..., metavar="NOM", help="Nom du modèle (cada templates list)."),
    source: bool = typer.Option(False, "--source",
                                help="Afficher le texte du modèle (pour le copier et l'adapter)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Décrire un modèle : titre, type, description, variables qu'il utilise, fichier.

    \b
    Exemple :
      cada templates show relance
      cada templates show demande --source > ~/.config/cada/modeles/demande.html.j2
    """
    from cada_tracker.letter_catalogue import KINDS, template_info

    info = template_info(name, _user_dir())
    if source:
        output.echo(info.path.read_text(encoding="utf-8"), nl=False)
        return
    if json_out:
        output.print_json(info.to_dict())
        return
    echo = output.echo
    echo(f"{info.name} — {info.title}")
    echo(f"Type : {KINDS.get(info.kind, info.kind)}")
    echo(f"Origine : {_origin(info)}")
    echo(f"Fichier : {info.path}")
    if info.description:
        echo("")
        echo(info.description)
    echo("")
    echo("Variables : " + (", ".join(info.variables) or "aucune"))
    if info.error:
        echo(f"ERREUR : {info.error}")
    if info.origin == "builtin":
        echo("")
        echo(f"Pour l'adapter : cada templates show {info.name} --source > "
             f"{_user_dir() / (info.name + '.html.j2')}")


def export(
    references: list[str] = typer.Argument(None, metavar="[REF]...",
                                           help="Références des demandes à exporter."),
    campaign: str = typer.Option(None, "--campaign", metavar="NOM",
                                 help="Toutes les demandes de la campagne."),
    status: str = typer.Option(None, "--status",
                               help="Les demandes dans ce statut (ex. draft)."),
    html: bool = typer.Option(False, "--html/--pdf", help="Format des courriers (PDF par défaut)."),
    out: Path = typer.Option(Path("."), "--out", metavar="DOSSIER", file_okay=False,
                             help="Dossier de destination (créé au besoin ; défaut : courant)."),
    merge: bool = typer.Option(False, "--merge",
                               help="Un seul PDF de tous les courriers, dans l'ordre, à imprimer."),
    jobs: int = typer.Option(0, "--jobs", min=0, max=16,
                             help="Processus de rendu (0 : selon les processeurs disponibles)."),
    json_out: bool = typer.Option(False, "--json", help="Lister les fichiers écrits en JSON."),
) -> None:
    """Exporter les courriers des demandes pour l'envoi postal : un PDF par demande
    (nommé référence puis administration), ou un seul PDF avec --merge.

    \b
    Exemple :
      cada export --campaign videosurveillance-69 --out courriers/
      cada export --status draft --merge --out impression/
      cada export 2026-0042 --html
    """
    from contextlib import nullcontext

    from cada_tracker.cli.common import locations, today
    from cada_tracker.fileio import prepare_out_dir

    if merge and html:
        raise InputError("--merge assemble des PDF : il ne va pas avec --html.")
    prepare_out_dir(out)
    loc = locations()
    service = None
    if not html:
        # Started before the database is opened: WeasyPrint loads in the rendering
        # process while this one imports the ORM and selects the letters.
        from cada_tracker.pdf_service import RenderService

        service = RenderService(user_dir=loc.user_letters_dir)
    with service or nullcontext():
        rows, written = _export(service, references, campaign, status, out, merge, jobs,
                                today)
    if json_out:
        output.print_json({"count": len(rows), "files": [str(p) for p in written]})
    what = "un PDF" if merge else f"{len(written)} fichier(s)"
    output.success(f"{len(rows)} courrier(s) exporté(s) : {what} dans {out}.")


def _export(service, references, campaign, status, out: Path, merge: bool, jobs: int,
            today) -> tuple[list, list[Path]]:
    """Select the letters and write them (HTML here, PDF through ``service``)."""
    from cada_tracker.cli.common import reader
    from cada_tracker.fileio import atomic_write_text
    from cada_tracker.services.export import letters_html, select_letters

    written: list[Path] = []
    with reader() as db:
        rows = select_letters(db, references=list(references or []), campaign=campaign,
                              status=status, unknown=_unknown_reference)
        if service is None:
            for row, page in zip(rows, letters_html(db, rows), strict=True):
                path = out / row.filename("html")
                atomic_write_text(path, page)
                written.append(path)
            return rows, written
        from cada_tracker.pdf_workers import batch_sizes, default_workers

        workers = jobs or (default_workers() if len(rows) > 10 else 1)
        chunk = batch_sizes(len(rows), workers)
        with _progress(len(rows)) as advance:
            if merge:
                path = out / _merged_name(out, campaign, today())
                title = f"Courriers — {campaign}" if campaign else "Courriers"
                service.write_merged(path, letters_html(db, rows), chunk, title=title,
                                     workers=workers, on_progress=advance)
                written.append(path)
            else:
                paths = [out / row.filename("pdf") for row in rows]
                service.write_many(zip(paths, letters_html(db, rows), strict=True), chunk,
                                   workers=workers, on_progress=advance)
                written.extend(paths)
    _warn_refused(service.refused)
    return rows, written


def _unknown_reference(reference: str):
    """The error for an unknown reference, naming the close ones (with the ORM)."""
    from cada_tracker.cli.common import session
    from cada_tracker.errors import NotFoundError
    from cada_tracker.services.requests import get_request

    with session() as s:
        try:
            get_request(s, reference)
        except NotFoundError as exc:
            return exc
    return NotFoundError(f"Aucune demande de référence « {reference} ».")


def _merged_name(out: Path, campaign: str | None, day) -> str:
    """``vsa-69.pdf`` for a campaign; else ``courriers-DATE.pdf``, numbered rather than
    overwriting an earlier export of the same day."""
    from cada_tracker.services.export import slug

    if campaign:
        return f"{slug(campaign)}.pdf"
    name, n = f"courriers-{day}.pdf", 1
    while (out / name).exists():
        n += 1
        name = f"courriers-{day}-{n}.pdf"
    return name


def _warn_refused(refused: list[str]) -> None:
    for url in dict.fromkeys(refused):
        output.warn(f"ressource refusée dans un courrier (rien n'a été chargé) : {url}")


class _progress:
    """A progress bar on stderr for long batches on a terminal; else nothing."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        if self.total > PROGRESS_FROM and output.err().is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("Courriers"), BarColumn(), MofNCompleteColumn(),
                                console=output.err(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("rendu", total=self.total)
        return self.advance

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, count)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def doctor() -> None:
    """Vérifier l'installation : bibliothèques du rendu PDF, dossiers, base de données.

    Code de sortie 0 si tout va bien, 1 si quelque chose manque (le message dit
    comment l'installer).

    \b
    Exemple :
      cada doctor
    """
    from cada_tracker.services.doctor import run_checks

    problems = 0
    for check in run_checks(_user_dir()):
        mark = "✓" if check.ok else "–" if check.optional else "✗"
        output.info(f"{mark} {check.label} : {check.detail}")
        if not check.ok:
            problems += 0 if check.optional else 1
            if check.fix:
                output.info(f"    → {check.fix}")
    if problems:
        output.error(f"{problems} point(s) à corriger.")
        raise typer.Exit(1)
    output.success("Tout est prêt.")
