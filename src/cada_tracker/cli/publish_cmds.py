"""cada publish: a campaign's documents and letters in a ZIP, the sender's data removed."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)


def publish(
    campaign: str = typer.Option(..., "--campaign", help="La campagne à publier."),
    out: Path = typer.Option(None, "--out", help="Fichier ZIP à écrire (ex. vsa-2026.zip)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Lister ce qui serait publié, sans rien écrire."),
    public_name: str = typer.Option("le demandeur", "--public-name", help="Ce qui remplace le nom du demandeur (défaut : « le demandeur »)."),
    licence: str = typer.Option("", "--licence", help='Licence des fichiers, écrite dans le manifeste (ex. "Licence Ouverte 2.0").'),
    include_unchecked: bool = typer.Option(False, "--include-unchecked", help="Publier aussi les fichiers dont le texte n'a pas pu être vérifié (scans)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    force: bool = typer.Option(False, "--force", help="Remplacer le fichier s'il existe."),
) -> None:
    """Publier les résultats d'une campagne : un ZIP avec un dossier par administration
    (documents obtenus, courriers envoyés et reçus), manifest.csv, manifest.json et un
    README.md.

    Le nom, l'adresse, le courriel et le téléphone du demandeur sont retirés des
    courriers ; un fichier dont le texte les contient encore est remplacé par une
    transcription expurgée ; les métadonnées des PDF sont effacées. Un fichier dont
    le texte ne peut pas être vérifié (scan) n'est publié qu'avec --include-unchecked.

    \b
    Exemple :
      cada publish --campaign vsa-2026 --dry-run
      cada publish --campaign vsa-2026 --out vsa-2026.zip --licence "Licence Ouverte 2.0"
    """
    from cada_tracker.cli.common import locations, session, today
    from cada_tracker.errors import InputError
    from cada_tracker.services.campaigns import campaign_outcomes, totals
    from cada_tracker.services.publish_zip import ACTIONS
    from cada_tracker.services.publish_zip import publish as run

    if not dry_run and out is None:
        raise InputError("--out manquant : le fichier ZIP à écrire (ou --dry-run).")
    if out is not None and out.is_dir():
        raise InputError(f"--out : {out} est un dossier ; donnez un nom de fichier .zip.")
    if out is not None and not dry_run:
        from cada_tracker.fileio import refuse_existing

        refuse_existing(out, force=force)
    if not public_name.strip():
        raise InputError("--public-name ne peut pas être vide.")
    loc = locations()

    def renderer():
        from cada_tracker.pdf import Renderer

        return Renderer(user_dir=loc.user_letters_dir)

    ref_today = today()
    with session() as s:
        outcomes = campaign_outcomes(s, campaign)
        report = run(s.connection(), campaign=campaign, outcomes=outcomes,
                     totals=totals(outcomes, ref_today), data_dir=loc.data_dir,
                     out=None if dry_run else out, today=ref_today,
                     public_name=public_name.strip(), licence=licence.strip(),
                     include_unchecked=include_unchecked, renderer_factory=renderer)
    if json_out:
        output.print_json(report)
        return
    from rich.text import Text

    from cada_tracker.escape import one_line

    console = output.out()
    console.print(Text(one_line(f"Publication de la campagne « {campaign} »")
                       + (" (simulation)" if dry_run else ""), style="bold"))
    for f in report["files"]:
        shown = f["path"] or f["name"]
        if not shown.endswith("/" + f["name"]) and shown != f["name"]:
            shown += f" (de {f['name']})"  # the name as it was sent: control codes shown
        line = Text(one_line(f"{f['reference']}  {shown}  "))
        line.append(ACTIONS[f["action"]], style="dim")
        if f["flags"]:
            line.append(f"  à vérifier : {', '.join(f['flags'])}", style="yellow")
        console.print(line, soft_wrap=True)
    excluded = sum(f["action"] == "excluded" for f in report["files"])
    if excluded:
        output.warn(f"{excluded} fichier(s) exclu(s) : texte non vérifiable ou données du "
                    "demandeur impossibles à retirer.")
    if not dry_run:
        output.success(f"Publication écrite : {out}")
