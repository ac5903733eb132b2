"""cada remind, refer, opinion, court: the escalation steps of the CRPA procedure.

``remind``, ``refer`` and ``court`` record the event and produce its letter (relance,
saisine de la CADA, projet de requête) in the same transaction: the letter is kept
with the request (``cada show`` lists it) and a copy is written to ``--out``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cada_tracker.cli import output, step_cmds
from cada_tracker.cli.common import date_parser, locations, session, today
from cada_tracker.cli.event_cmds import JSON, OPTIONAL_REF, REF, _record
from cada_tracker.errors import InputError, StateError, StorageError
from cada_tracker.vocab import CHANNELS, EVENT_KINDS, STATUSES, VERDICTS


def register(app: typer.Typer) -> None:
    for name, fn in (("remind", remind), ("refer", refer), ("opinion", opinion),
                     ("court", court)):
        app.command(name)(fn)


def _optional_on(help_text: str):
    return typer.Option(None, "--on", metavar="DATE", parser=date_parser("--on"),
                        help=f"{help_text} (défaut : aujourd'hui).")


OUT = typer.Option(Path("."), "--out", metavar="DOSSIER", file_okay=False,
                   help="Dossier où écrire une copie du courrier (défaut : dossier courant).")
HTML = typer.Option(False, "--html", help="Produire le courrier en HTML plutôt qu'en PDF.")
NO_LETTER = typer.Option(False, "--no-letter",
                         help="Enregistrer l'événement sans produire de courrier.")
PREVIEW = typer.Option(False, "--preview",
                       help="Produire le courrier sans rien enregistrer (brouillon).")
FORCE = typer.Option(False, "--force",
                     help="Avec --preview : écrire le brouillon même quand la démarche est "
                          "prématurée ou sans objet (le fichier est suffixé -brouillon).")
TEMPLATE = typer.Option(None, "--template",
                        help="Modèle de courrier à utiliser (cada templates list).")
TRACKING = typer.Option(None, "--tracking", help="Numéro du recommandé de ce courrier.")
VIA = typer.Option(None, "--via", help=f"Canal : {', '.join(CHANNELS)}.")


def _escalate(
    reference: str, json_out: bool, *, kind: str, on: date, out: Path, html: bool,
    no_letter: bool, preview: bool, channel: str | None = None, tracking: str | None = None,
    template: str | None = None, court_name: str | None = None, single: bool = False,
    force: bool = False, court_address: tuple[str, ...] = (),
) -> None:
    from cada_tracker.fileio import prepare_out_dir, write_new_file
    from cada_tracker.services.admins import get_admin
    from cada_tracker.services.escalation import (
        LetterOptions,
        check_escalation,
        early_referral_warning,
        late_court_warning,
        letter_filename,
        render_escalation,
    )
    from cada_tracker.services.events import (
        NewEvent,
        files_of,
        files_removed_on_failure,
        lock_request,
        record_event,
    )
    from cada_tracker.services.requests import get_request
    from cada_tracker.services.views import recorded_as_dict

    if no_letter and preview:
        raise InputError("--preview produit le courrier : il ne va pas avec --no-letter.")
    if force and not preview:
        raise InputError("--force ne vaut qu'avec --preview (un brouillon) : une démarche "
                         "enregistrée doit passer tous les contrôles.")
    if no_letter and (template or html):
        raise InputError("--template et --html décrivent le courrier : ils ne vont pas avec "
                         "--no-letter.")
    loc = locations()
    if template and not no_letter:  # before any warning: a typo is the error to show
        from cada_tracker.letters import require_template

        require_template(template, loc.user_letters_dir)
    if not no_letter:
        prepare_out_dir(out)
    letter: tuple[str, bytes] | None = None
    data: dict = {}
    with files_removed_on_failure(loc.data_dir) as written, session(write=not preview) as s:
        request = get_request(s, reference)
        admin = get_admin(s, request.administration_id)
        if not preview:
            lock_request(s, request)  # the checks below and the event, one at a time
        try:
            check_escalation(s, request=request, admin=admin, kind=kind, on=on,
                             single=single)
        except StateError as exc:
            if not preview:
                raise
            if not force:
                raise StateError(f"{exc.message} Aucun brouillon écrit (--force pour "
                                 "l'écrire quand même).", hint=exc.hint) from exc
            output.warn(f"brouillon écrit malgré tout (--force) : {exc.message}")
        if kind == "referred":
            early = early_referral_warning(s, request=request, admin=admin, on=on)
            if early:
                output.warn(early)
        if kind == "court":
            late = late_court_warning(s, request=request, admin=admin, on=on)
            if late:
                output.warn(late)
            if not no_letter and not court_address:
                _warn_unknown_greffe(admin, court_name)
        if not no_letter and kind == "remind":  # the one step mailed to the administration
            from cada_tracker.services.letter_context import window_problems

            for problem in window_problems(admin):
                output.warn(f"adresse : {problem}")
        if not no_letter:
            options = LetterOptions(template=template, tracking=tracking, court_name=court_name,
                                    court_address=court_address)
            _name, page = render_escalation(
                s, request=request, admin=admin, kind=kind, letter_date=on, options=options,
                user_dir=loc.user_letters_dir,
            )
            if html:
                content, suffix = page.encode("utf-8"), "html"
            else:
                from cada_tracker.pdf import Renderer

                content, suffix = Renderer(user_dir=loc.user_letters_dir).pdf(page), "pdf"
            letter = (letter_filename(request, kind, suffix, on=on, draft=preview), content)
        if not preview:
            new = NewEvent(kind=kind, on=on, channel=channel, tracking=tracking,
                           produced=[letter] if letter else [])
            event = record_event(s, request=request, new=new, today=today(),
                                 files_dir=loc.files_dir, written=written)
            data = recorded_as_dict(s, event)
            data["reference"] = request.reference
            data["status"] = request.status
            stored = [f for f in files_of(s, request.id) if f.event_id == event.id]
            # PostgreSQL keeps it in the shared base (cada files REF copies it out).
            data["letter"] = (str(loc.data_dir / stored[0].path)
                              if stored and s.get_bind().dialect.name != "postgresql" else None)
    copy = None
    if letter is not None:
        try:
            copy = write_new_file(out / letter[0], letter[1])
        except OSError as exc:
            from cada_tracker.faults import reason

            kept = (f" L'événement #{data['number']} est enregistré et le courrier conservé : "
                    f"{data['letter']}.") if data.get("letter") else ""
            raise StorageError(f"--out : écriture impossible dans {out} "
                               f"({reason(exc)}).{kept}") from exc
    if preview:
        if json_out:
            output.print_json({"reference": request.reference, "preview": str(copy)})
        output.success(f"{request.reference} : brouillon du courrier écrit dans {copy} "
                       "(rien n'a été enregistré).")
        return
    data["copy"] = str(copy) if copy else None
    if json_out:
        output.print_json(data)
    output.success(
        f"{request.reference} : événement #{data['number']} enregistré "
        f"({EVENT_KINDS[data['kind']]}). Statut : {STATUSES[data['status']]}."
    )
    if copy is not None:
        output.info(f"Courrier : {copy}")


def remind(
    reference: str = OPTIONAL_REF,
    on: date = _optional_on("Date d'envoi de la relance"),
    via: str = VIA,
    tracking: str = TRACKING,
    campaign: str = step_cmds.CAMPAIGN,
    from_file: Path = step_cmds.FROM_FILE,
    out: Path = OUT,
    html: bool = HTML,
    template: str = TEMPLATE,
    no_letter: bool = NO_LETTER,
    preview: bool = PREVIEW,
    force: bool = FORCE,
    json_out: bool = JSON,
) -> None:
    """Relancer l'administration : enregistre la relance et produit la lettre, qui ne
    cite que les documents encore manquants. Avec --campaign, relance chaque demande
    de la campagne qui attend encore des documents (une lettre chacune).

    \b
    Exemple :
      cada remind 2026-0042 --on 2026-04-10 --via lrar --out courriers/
      cada remind --campaign vsa-isere --on 2026-04-10 --via lrar --from-file suivi.csv
    """
    if step_cmds.wants_bulk(reference, campaign, from_file):
        if preview or force:
            raise InputError("--preview et --force valent pour une demande : pour une "
                             "campagne, prévisualisez une de ses demandes (cada remind REF "
                             "--preview).")
        if no_letter and (template or html):
            raise InputError("--template et --html décrivent le courrier : ils ne vont pas "
                             "avec --no-letter.")
        letter = None if no_letter else {"out": out, "html": html, "template": template}
        step_cmds.record_bulk("remind", campaign=campaign, from_file=from_file,
                              on=on or today(), channel=via, tracking=tracking,
                              json_out=json_out, letter=letter)
        return
    _escalate(reference, json_out, kind="remind", on=on or today(), channel=via,
              tracking=tracking, out=out, html=html, template=template, no_letter=no_letter,
              preview=preview, force=force)


def refer(
    reference: str = typer.Argument(None, metavar="REF",
                                    help="Référence de la demande (ex. 2026-0042)."),
    on: date = _optional_on("Date d'envoi de la saisine de la CADA"),
    via: str = VIA,
    registered: date = typer.Option(
        None, "--registered", metavar="DATE", parser=date_parser("--registered"),
        help="Date d'enregistrement par la CADA (son accusé de réception) : elle fait courir "
             "le délai de confirmation du refus (R343-5).",
    ),
    cada_ref: str = typer.Option(None, "--cada-ref", help="Numéro de dossier donné par la CADA."),
    campaign: str = typer.Option(
        None, "--campaign", metavar="NOM",
        help="Saisine groupée d'une série de demandes (L342-1 al. 2 et 3) : une lettre à la "
             "CADA (sur le refus de REF s'il est donné, sinon le premier refus) et une lettre "
             "d'information par administration.",
    ),
    single: bool = typer.Option(
        False, "--hors-serie",
        help="Saisir la CADA de cette seule demande bien qu'elle relève d'une série de "
             "demandes de même objet (à vos risques : L342-1 al. 2 veut une saisine groupée).",
    ),
    tracking: str = TRACKING,
    out: Path = OUT,
    html: bool = HTML,
    template: str = TEMPLATE,
    no_letter: bool = NO_LETTER,
    preview: bool = PREVIEW,
    force: bool = FORCE,
    json_out: bool = JSON,
) -> None:
    """Saisir la CADA (préalable obligatoire au recours, L342-1 CRPA) : enregistre la
    saisine et produit la lettre à la CADA ; ou enregistrer son accusé de réception
    avec --registered.

    \b
    Exemple :
      cada refer 2026-0042 --on 2026-04-20 --via lrar
      cada refer 2026-0042 --registered 2026-04-24 --cada-ref 20262345
      cada refer --campaign videosurveillance-69 --on 2026-04-20
      cada refer --campaign videosurveillance-69 --registered 2026-04-24 --cada-ref 20262345
    """
    if campaign is not None:
        from cada_tracker.cli import series_cmds

        if single:
            raise InputError("--hors-serie et --campaign s'excluent : l'un saisit la CADA "
                             "d'une seule demande, l'autre de toute la série.")

        if registered is not None:
            if on is not None or via or tracking or template or html or preview or no_letter:
                raise InputError("--registered enregistre l'accusé de réception de la CADA : "
                                 "il ne va qu'avec --cada-ref.")
            if reference:
                raise InputError("Avec --campaign, --registered vaut pour toute la série : "
                                 "ne donnez pas de référence.")
            series_cmds.record_campaign_step(campaign, json_out, kind="registered",
                                             on=registered, cada_ref=cada_ref)
            return
        if cada_ref:
            raise InputError("--cada-ref va avec --registered (la date d'enregistrement par "
                             "la CADA).")
        if template:
            raise InputError("--template ne vaut que pour une demande : la saisine groupée "
                             "utilise les modèles saisine-cada-serie et information-serie "
                             "(remplaçables dans le dossier des modèles personnels).")
        series_cmds.refer_campaign(campaign, json_out, on=on or today(), chosen=reference,
                                   channel=via, tracking=tracking, out=out, html=html,
                                   no_letter=no_letter, preview=preview)
        return
    if not reference:
        raise InputError("Référence de la demande manquante (ou --campaign NOM).")
    if registered is not None:
        if on is not None or via or tracking or template or html or preview or no_letter:
            raise InputError("--registered enregistre l'accusé de réception de la CADA : "
                             "il ne va qu'avec --cada-ref.")
        _record(reference, json_out, kind="registered", on=registered,
                tracking=(cada_ref or "").strip() or None)
        return
    if cada_ref:
        raise InputError("--cada-ref va avec --registered (la date d'enregistrement par la CADA).")
    _escalate(reference, json_out, kind="referred", on=on or today(), channel=via,
              tracking=tracking, out=out, html=html, template=template, no_letter=no_letter,
              preview=preview, single=single, force=force)


def opinion(
    reference: str = typer.Argument(None, metavar="REF",
                                    help="Référence de la demande (ex. 2026-0042)."),
    on: date = typer.Option(..., "--on", metavar="DATE", parser=date_parser("--on"),
                            help="Date de réception de l'avis (2026-03-15 ou 15/03/2026)."),
    verdict: str = typer.Option(..., "--verdict", help=f"Sens de l'avis : {', '.join(VERDICTS)}."),
    campaign: str = typer.Option(
        None, "--campaign", metavar="NOM",
        help="L'avis unique rendu sur une saisine groupée : noté sur chaque demande de la "
             "série saisie (L342-1 al. 2)."),
    json_out: bool = JSON,
) -> None:
    """Enregistrer l'avis de la CADA.

    \b
    Exemple :
      cada opinion 2026-0042 --on 2026-06-02 --verdict favorable
      cada opinion --campaign videosurveillance-69 --on 2026-06-02 --verdict favorable
    """
    if campaign is not None:
        from cada_tracker.cli import series_cmds
        from cada_tracker.vocab import choice

        if reference:
            raise InputError("Avec --campaign, l'avis vaut pour toute la série : ne donnez pas "
                             "de référence.")
        series_cmds.record_campaign_step(campaign, json_out, kind="opinion", on=on,
                                         verdict=choice(verdict, VERDICTS, field="--verdict"))
        return
    if not reference:
        raise InputError("Référence de la demande manquante (ou --campaign NOM).")
    _record(reference, json_out, kind="opinion", on=on, outcome=verdict)


def _warn_unknown_greffe(admin, court_name: str | None) -> None:
    from cada_tracker.services.escalation import court_of

    name, lines = court_of(admin, court_name)
    if not lines:
        output.warn(f"adresse du greffe {'du ' + name if name else 'du tribunal'} inconnue "
                    "de cada : le projet la laisse à compléter. Vérifiez-la sur le site du "
                    "tribunal (« Accès et coordonnées ») et donnez-la avec --greffe.")


def _greffe_lines(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    from cada_tracker.postal import typed_lines

    try:  # the letter prints the court's name and "Greffe" above these lines
        return typed_lines(text, printed_above=2)
    except ValueError as exc:
        raise InputError(f"--greffe : {exc}.") from None


def court(
    reference: str = REF,
    on: date = _optional_on("Date d'enregistrement de la requête au greffe"),
    tribunal: str = typer.Option(None, "--tribunal",
                                 help='Tribunal compétent, ex. "Tribunal administratif de Lyon".'),
    greffe: str = typer.Option(None, "--greffe",
                               help='Adresse postale du greffe quand cada ne la connaît pas ou '
                                    'qu\'elle a changé ; lignes séparées par "\\n", la '
                                    'dernière « CODE POSTAL VILLE ».'),
    out: Path = OUT,
    html: bool = HTML,
    template: str = TEMPLATE,
    no_letter: bool = NO_LETTER,
    preview: bool = PREVIEW,
    force: bool = FORCE,
    json_out: bool = JSON,
) -> None:
    """Recours au tribunal administratif (après la CADA) : produit le projet de requête
    contre le refus confirmé et enregistre le recours. Avec --preview, produit seulement
    le projet.

    \b
    Exemple :
      cada court 2026-0042 --preview --tribunal "Tribunal administratif de Lyon"
      cada court 2026-0042 --on 2026-08-01 --no-letter
      cada court 2026-0042 --preview --greffe "12 rue Exemple\\n83000 Toulon"
    """
    if greffe is not None and no_letter:
        raise InputError("--greffe est l'adresse du projet de requête : il ne va pas avec "
                         "--no-letter.")
    _escalate(reference, json_out, kind="court", on=on or today(), out=out, html=html,
              template=template, no_letter=no_letter, preview=preview, court_name=tribunal,
              force=force, court_address=_greffe_lines(greffe))
