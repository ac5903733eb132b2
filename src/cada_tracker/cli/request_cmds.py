"""cada new, edit, list: drafting requests and listing them (cada show: show_cmds)."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import new_check, output
from cada_tracker.cli.common import (
    MAX_ID,
    PAGE_ONLY,
    ask,
    ask_list,
    interactive,
    locations,
    page_caption,
    page_option,
    raw_csv_option,
    session,
    today,
)
from cada_tracker.vocab import MODES, STATUSES
from cada_tracker.faults import reason

LIST_PAGE = 50


def register(app: typer.Typer) -> None:
    app.command("new")(new)
    app.command("edit")(edit)
    app.command("list")(list_)


def new(
    to: list[int] = typer.Option(None, "--to", metavar="ADMIN_ID", min=1, max=MAX_ID, help="Administration destinataire (répétable : une demande par administration)."),
    to_tag: list[str] = typer.Option(None, "--to-tag", help="Toutes les administrations ayant cette étiquette."),
    to_kind: list[str] = typer.Option(None, "--to-kind", help="Toutes les administrations de ce type (commune…)."),
    to_department: list[str] = typer.Option(None, "--to-department", help="Toutes les administrations de ce département."),
    to_file: Path = typer.Option(None, "--to-file", help="Fichier : une administration par ligne (numéro, nom, nom et code postal, ou identifiant d'annuaire)."),
    subject: str = typer.Option(None, "--subject", help="Objet de la demande."),
    doc: list[str] = typer.Option(None, "--doc", help="Un document demandé (répétable : un par document)."),
    template: str = typer.Option(None, "--template", help="Modèle de courrier (cada templates list ; défaut : demande)."),
    mode: str = typer.Option(None, "--mode", help="Mode de communication : email, paper ou consultation."),
    regime: str = typer.Option("general", "--regime", help="Régime : general, environment ou archives."),
    campaign: str = typer.Option(None, "--campaign", help="Campagne (nommée automatiquement pour plusieurs destinataires)."),
    tag: list[str] = typer.Option(None, "--tag", help="Étiquette (répétable)."),
    profile: str = typer.Option(None, "--profile", help="Profil d'expéditeur (défaut : le profil par défaut)."),
    json_out: bool = typer.Option(False, "--json", help="Afficher la ou les demandes créées en JSON."),
    dry_run: bool = new_check.DRY_RUN,
    yes: bool = new_check.YES,
) -> None:
    """Rédiger une demande de documents à une ou plusieurs administrations (brouillons).

    Le courrier est rédigé tout de suite et conservé avec chaque demande : un modèle
    modifié plus tard ne change jamais un courrier déjà envoyé. Plusieurs --to, ou une
    sélection (--to-tag, --to-kind, --to-department, --to-file), créent une demande
    par administration, toutes dans la même campagne. Les valeurs d'une même option
    s'additionnent ; des options différentes se combinent (intersection). Au-delà de
    20 destinataires, la commande demande confirmation (--yes dans un script) ;
    --dry-run liste les demandes qui seraient rédigées, sans rien enregistrer.

    \b
    Exemple :
      cada new --to 1 --subject "Dispositif de vidéosurveillance" \\
          --doc "Liste et localisation des caméras" --doc "Marché de maintenance (CCTP, CCAP)"
      cada new --to-department 69 --to-kind commune --template videosurveillance \\
          --subject "Vidéosurveillance" --doc "Liste des caméras" --campaign vsa-rhone
    """
    from cada_tracker.errors import InputError
    from cada_tracker.profiles import get_profile
    from cada_tracker.services.requests import (
        SERIES_THRESHOLD,
        Draft,
        Selection,
    )
    from cada_tracker.services.letter_context import window_problems_of
    from cada_tracker.services.views import request_view

    loc = locations()
    sender = get_profile(loc.profiles_file, profile)
    selection = Selection(ids=list(to or []), tags=list(to_tag or []),
                          kinds=list(to_kind or []), departments=list(to_department or []),
                          file_entries=_read_to_file(to_file) if to_file else None)
    guided = selection.empty() and interactive()  # no recipient given: ask for everything
    if selection.empty():
        if not guided:
            raise InputError("Option --to manquante (numéro de l'administration, "
                             "cada admin list).")
        from cada_tracker.cli.pickers import ask_administration

        selection.ids = [ask_administration(session)]
    draft = Draft(
        administration_id=0,
        subject=ask(subject, flag="--subject", label="Objet de la demande"),
        documents=ask_list(doc, flag="--doc", label="Documents demandés", item="document"),
        template=template or _ask_template(guided, loc.user_letters_dir),
        mode=ask(mode, flag="--mode", label="Mode de communication", default="email",
                 choices=list(MODES)),
        regime=regime,
        campaign=campaign if campaign is not None or not guided else _ask_campaign(),
        tags=tag or [],
    )
    if dry_run:
        new_check.dry_run(draft=draft, selection=selection, profile=sender, today=today(),
                          user_letters=loc.user_letters_dir, json_out=json_out)
        return
    new_check.confirm_many(selection, yes=yes)
    from cada_tracker.services.drafting import draft_many

    created = draft_many(session, draft=draft, selection=selection, profile=sender,
                         today=today(), user_letters=loc.user_letters_dir)
    with session() as s:  # after the commit: the write lock is not held for this
        # Views of every request only for --json; the messages need one, or the ends.
        shown = created if json_out or len(created) == 1 else [created[0], created[-1]]
        views = [request_view(s, r) for r in shown]
        problems = window_problems_of(s, [r.administration_id for r in created])
    if json_out:
        # One --to prints the request; any selection prints an array (even of one).
        single = len(selection.ids) == 1 and selection == Selection(ids=selection.ids)
        output.print_json(views[0] if single else views)
    for problem in problems:
        output.warn(f"adresse : {problem}")
    if len(created) == 1:
        v = views[0]
        output.success(
            f"Demande {v['reference']} rédigée pour {v['administration']['name']} "
            f"({len(v['documents'])} document(s)). Après l'envoi : "
            f"cada sent {v['reference']} --on DATE --via lrar"
        )
        return
    output.success(f"{len(created)} demandes rédigées ({views[0]['reference']} à "
                   f"{views[-1]['reference']}), campagne « {views[0]['campaign']} ».")
    if len(created) >= SERIES_THRESHOLD:
        output.warn(
            f"série de {len(created)} demandes de même objet à des administrations différentes "
            "(L342-1 al. 2 CRPA) : en cas de refus, la CADA ne peut être saisie qu'une fois, "
            f"par une saisine groupée : cada refer --campaign \"{views[0]['campaign']}\"."
        )


def _ask_template(guided: bool, user_dir: Path) -> str:
    if not guided:
        return "demande"
    from cada_tracker.cli.pickers import ask_template

    return ask_template(user_dir)


def _ask_campaign() -> str | None:
    from cada_tracker.cli.pickers import ask_campaign

    return ask_campaign(session)


#: Largest --to-file read (every commune of France, one a line, is about 1 MB).
TO_FILE_MAX = 20_000_000


def _read_to_file(path: Path) -> list[tuple[int, str]]:
    from cada_tracker.errors import InputError
    from cada_tracker.fileio import read_option_file

    data = read_option_file(path, "--to-file", TO_FILE_MAX,
                            "une administration par ligne attendue")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    entries = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)
               if line.strip() and not line.lstrip().startswith("#")]
    if not entries:
        raise InputError(f"--to-file : {path} ne contient aucune administration.")
    return entries


def edit(
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande (ex. 2026-0042)."),
) -> None:
    """Retoucher le courrier d'un brouillon dans $EDITOR (refusé une fois la demande envoyée).

    \b
    Exemple :
      EDITOR=nano cada edit 2026-0042
    """
    import os

    from cada_tracker.errors import InputError
    from cada_tracker.services.requests import ensure_draft, get_request, replace_letter

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise InputError("Aucun éditeur : définissez la variable EDITOR (ex. EDITOR=nano).")
    # Read, then let the database go: the editor may stay open for an hour while the
    # rest of the group goes on recording events.
    with session() as s:
        request = get_request(s, reference)
        ensure_draft(request)
        reference, original = request.reference, request.letter_html
    html = _run_editor(editor, reference, original)
    if html == original:
        output.info("Courrier inchangé.")
        return
    with session(write=True) as s:
        replace_letter(s, reference=reference, expected=original, html=html,
                       keep=lambda: _keep_edit(reference, html))
    output.success(f"Courrier de {reference} mis à jour.")


def _run_editor(editor: str, reference: str, text: str) -> str:
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    from cada_tracker.errors import InputError, StateError

    with tempfile.TemporaryDirectory(prefix="cada-") as tmp:
        path = Path(tmp) / f"{reference}.html"
        path.write_text(text, encoding="utf-8")
        try:
            status = subprocess.call([*shlex.split(editor), str(path)])
        except OSError as exc:
            raise InputError(f"Éditeur « {editor} » introuvable ({reason(exc)}).") from exc
        if status != 0:
            raise StateError(f"L'éditeur a échoué (code {status}) : courrier inchangé.")
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("Le courrier modifié n'est pas du texte UTF-8 : courrier "
                             "inchangé.") from exc


def _keep_edit(reference: str, html: str) -> str:
    """Save an edit that cannot be applied, so the user's work is not lost."""
    from pathlib import Path

    from cada_tracker.fileio import write_new_file

    return str(write_new_file(Path.cwd() / f"{reference}-courrier-modifie.html",
                              html.encode("utf-8")))


def list_(
    status: str = typer.Option(None, "--status", help=f"Seulement ce statut ({', '.join(STATUSES)})."),
    admin: int = typer.Option(None, "--admin", metavar="ID", min=1, max=MAX_ID, help="Seulement cette administration."),
    campaign: str = typer.Option(None, "--campaign", help="Seulement cette campagne."),
    tag: str = typer.Option(None, "--tag", help="Seulement cette étiquette."),
    search: str = typer.Option(None, "--search", help="Mots cherchés (référence, objet, documents, administration), dans n'importe quel ordre, sans tenir compte des accents ni des majuscules."),
    sort: str = typer.Option("reference", "--sort", help="Tri : reference, created, sent, status, admin, deadline."),
    page_number: int = page_option(LIST_PAGE),
    all_rows: bool = typer.Option(False, "--all", help=f"Tout afficher (sinon les {LIST_PAGE} premières)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON (toutes les lignes)."),
    csv_out: bool = typer.Option(False, "--csv", help="Sortie CSV (toutes les lignes)."),
    raw_csv: bool = raw_csv_option(),
) -> None:
    """Lister les demandes, avec filtres (une page et le total ; --page pour la suite).

    \b
    Exemple :
      cada list --status sent --campaign vsa-2026
      cada list --sort deadline --page 2
      cada list --csv > demandes.csv
    """
    from cada_tracker.cli.common import locations, reading
    from cada_tracker.services.request_export import ListFilter, sqlite_export

    _one_output(json_out=json_out, csv_out=csv_out, all_rows=all_rows, page=page_number)
    wanted = ListFilter(status=status, admin_id=admin, campaign=campaign, tag=tag,
                        search=search, sort=sort)
    if csv_out:  # from an SQLite file as it is, without SQLAlchemy's import
        plain = sqlite_export(locations(), wanted, raw=raw_csv)
        if plain is not None:
            from cada_tracker.services.request_export import HEADER

            output.write_csv(HEADER, plain, ready=True)
            return
    from cada_tracker.services.request_list import COLUMNS, count_requests, export_rows, page

    with reading() as conn:
        if csv_out:
            output.write_csv(list(COLUMNS), export_rows(conn, wanted, raw=raw_csv),
                             ready=True)
            return
        if json_out:
            output.print_json_rows(dict(zip(COLUMNS, row, strict=True))
                                   for row in export_rows(conn, wanted, raw=True))
            return
        total = count_requests(conn, wanted)
        rows = page(conn, wanted, number=page_number, size=None if all_rows else LIST_PAGE)
    if not total:
        output.info("Aucune demande ne correspond.")
        return
    caption = page_caption(total, len(rows), number=page_number, size=LIST_PAGE,
                           noun="demande(s)")
    output.table(
        None, ["Réf.", "Statut", "Administration", "Objet", "Envoyée", "Reçue", "Échéance"],
        ((r["reference"], STATUSES.get(r["status"], r["status"]), r["administration"],
          r["subject"], _fr(r["sent_on"]), _fr(r["received_on"]), _fr(r["next_deadline"]))
         for r in rows),
        caption=caption, keep=(0,),
    )


def _one_output(*, json_out: bool, csv_out: bool, all_rows: bool, page: int) -> None:
    from cada_tracker.errors import InputError

    if json_out and csv_out:
        raise InputError("Choisissez --json ou --csv, pas les deux.")
    if page != 1 and (json_out or csv_out or all_rows):
        raise InputError(PAGE_ONLY)


def _fr(value) -> str:
    from cada_tracker.dates import format_fr

    return format_fr(value)
