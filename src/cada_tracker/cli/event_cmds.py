"""cada sent, received, ack, answer, note, close, cancel: the dated life of a request."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cada_tracker.cli import output, step_cmds
from cada_tracker.cli.common import MAX_ID, date_parser, locations, session, today
from cada_tracker.vocab import CHANNELS, CLOSE_REASONS, EVENT_KINDS, OUTCOMES, STATUSES

REF = typer.Argument(..., metavar="REF", help="Référence de la demande (ex. 2026-0042).")
OPTIONAL_REF = typer.Argument(None, metavar="[REF]",
                              help="Référence de la demande (ex. 2026-0042) ; sans elle, "
                                   "--campaign ou --from-file.")
JSON = typer.Option(False, "--json", help="Afficher l'événement créé en JSON.")


def _on(help_text: str):
    return typer.Option(..., "--on", metavar="DATE", parser=date_parser("--on"),
                        help=f"{help_text} (2026-03-15 ou 15/03/2026).")


def register(app: typer.Typer) -> None:
    for name, fn in (("sent", sent), ("received", received), ("ack", ack), ("answer", answer),
                     ("note", note), ("close", close), ("cancel", cancel)):
        app.command(name)(fn)


def _record(reference: str, json_out: bool, **fields) -> None:
    from cada_tracker.services.events import NewEvent, files_removed_on_failure, record_event
    from cada_tracker.services.requests import get_request
    from cada_tracker.services.views import recorded_as_dict

    loc = locations()
    with files_removed_on_failure(loc.data_dir) as written, session(write=True) as s:
        request = get_request(s, reference)
        event = record_event(s, request=request, new=NewEvent(**fields), today=today(),
                             files_dir=loc.files_dir, written=written)
        data = recorded_as_dict(s, event)
        data["reference"] = request.reference
        data["status"] = request.status
    if json_out:
        output.print_json(data)
    output.success(
        f"{request.reference} : événement #{data['number']} enregistré "
        f"({EVENT_KINDS[data['kind']]}). Statut : {STATUSES[data['status']]}."
    )


def sent(
    reference: str = OPTIONAL_REF,
    on: date = _on("Date d'envoi"),
    via: str = typer.Option(..., "--via", help=f"Canal : {', '.join(CHANNELS)}."),
    tracking: str = typer.Option(None, "--tracking", help="Numéro du recommandé."),
    campaign: str = step_cmds.CAMPAIGN,
    from_file: Path = step_cmds.FROM_FILE,
    json_out: bool = JSON,
) -> None:
    """Enregistrer l'envoi de la demande (canal, numéro de recommandé), ou de toutes
    les demandes d'une campagne encore en brouillon (--campaign), avec le numéro de
    recommandé de chacune (--from-file).

    \b
    Exemple :
      cada sent 2026-0042 --on 2026-03-02 --via lrar --tracking 1A23456789012
      cada sent --campaign vsa-isere --on 2026-03-02 --via lrar --from-file recommandes.csv
    """
    if step_cmds.wants_bulk(reference, campaign, from_file):
        step_cmds.record_bulk("sent", campaign=campaign, from_file=from_file, on=on,
                              channel=via, tracking=tracking, json_out=json_out)
        return
    _record(reference, json_out, kind="sent", on=on, channel=via, tracking=tracking)


def received(reference: str = OPTIONAL_REF,
             on: date = _on("Date de réception par l'administration"),
             campaign: str = step_cmds.CAMPAIGN, from_file: Path = step_cmds.FROM_FILE,
             json_out: bool = JSON) -> None:
    """Enregistrer la date de réception par l'administration (avis de réception, accusé
    électronique) : elle fait courir le délai d'un mois (R311-13 CRPA). Avec --campaign,
    pour toutes les demandes envoyées de la campagne ; --from-file donne la date de
    chacune (colonne date).

    \b
    Exemple :
      cada received 2026-0042 --on 04/03/2026
      cada received --campaign vsa-isere --on 04/03/2026 --from-file avis.csv
    """
    if step_cmds.wants_bulk(reference, campaign, from_file):
        step_cmds.record_bulk("received", campaign=campaign, from_file=from_file, on=on,
                              channel=None, tracking=None, json_out=json_out)
        return
    _record(reference, json_out, kind="received", on=on)


def ack(
    reference: str = REF,
    on: date = _on("Date de l'accusé de réception de l'administration"),
    mentions: bool = typer.Option(
        True, "--mentions/--no-mentions",
        help="L'accusé indique-t-il les délais et voies de recours (L112-3, R112-5) ?",
    ),
    json_out: bool = JSON,
) -> None:
    """Enregistrer l'accusé de réception envoyé par l'administration, et s'il comporte
    les mentions obligatoires (sinon les délais de recours sont inopposables, L112-6).

    \b
    Exemple :
      cada ack 2026-0042 --on 2026-03-06 --no-mentions
    """
    _record(reference, json_out, kind="ack", on=on, mentions=mentions)


def answer(
    reference: str = REF,
    on: date = _on("Date de la réponse"),
    outcome: str = typer.Option(..., "--outcome", help=f"Réponse : {', '.join(OUTCOMES)}."),
    got: str = typer.Option(None, "--got", help="Documents obtenus, par numéro (ex. 1,3)."),
    refused: str = typer.Option(None, "--refused", help="Documents refusés, par numéro (ex. 2)."),
    mentions: bool = typer.Option(
        None, "--mentions/--no-mentions",
        help="Pour un refus : indique-t-il les voies et délais de recours (R421-5 CJA) ?",
    ),
    attach: list[Path] = typer.Option(None, "--attach", help="Fichier reçu à conserver (répétable)."),
    json_out: bool = JSON,
) -> None:
    """Enregistrer une réponse de l'administration (documents, refus, frais, prolongation).

    \b
    Exemple :
      cada answer 2026-0042 --on 2026-04-01 --outcome partial --got 1,3 --refused 2 \\
          --no-mentions --attach reponse.pdf
    """
    _record(reference, json_out, kind="answer", on=on, outcome=outcome, got=got,
            refused=refused, mentions=mentions, attachments=list(attach or []))


def note(
    reference: str = REF,
    text: str = typer.Argument(..., help="Le texte de la note."),
    on: date = typer.Option(None, "--on", metavar="DATE", parser=date_parser("--on"),
                            help="Date (défaut : aujourd'hui)."),
    json_out: bool = JSON,
) -> None:
    """Ajouter une note datée à la chronologie.

    \b
    Exemple :
      cada note 2026-0042 "Appel au service juridique : réponse promise sous 15 jours"
    """
    _record(reference, json_out, kind="note", on=on or today(), text=text)


def close(
    reference: str = REF,
    reason: str = typer.Option(..., "--reason", help=f"Motif : {', '.join(CLOSE_REASONS)}."),
    on: date = typer.Option(None, "--on", metavar="DATE", parser=date_parser("--on"),
                            help="Date (défaut : aujourd'hui)."),
    json_out: bool = JSON,
) -> None:
    """Clore une demande (documents obtenus, abandon, retrait).

    \b
    Exemple :
      cada close 2026-0042 --reason obtained
    """
    _record(reference, json_out, kind="close", on=on or today(), reason=reason)


def cancel(
    reference: str = REF,
    event_id: int = typer.Argument(..., metavar="EVENT", min=1, max=MAX_ID, help="Numéro de l'événement erroné dans sa demande (#n dans cada show : 1 pour le premier)."),
    reason: str = typer.Option(None, "--why", help="Pourquoi il est annulé."),
    json_out: bool = JSON,
) -> None:
    """Annuler un événement erroné : il reste dans l'historique, barré, et ne compte plus.

    \b
    Exemple :
      cada cancel 2026-0042 7 --why "mauvaise date de réception"
    """
    _record(reference, json_out, kind="cancel", on=today(), cancels_number=event_id,
            text=reason)
