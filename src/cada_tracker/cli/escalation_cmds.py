"""cada remind, refer, opinion, court: the escalation steps of the CRPA procedure."""

from __future__ import annotations

from datetime import date

import typer

from cada_tracker.cli.common import date_parser, today
from cada_tracker.cli.event_cmds import JSON, REF, _record
from cada_tracker.vocab import CHANNELS, VERDICTS


def register(app: typer.Typer) -> None:
    for name, fn in (("remind", remind), ("refer", refer), ("opinion", opinion),
                     ("court", court)):
        app.command(name)(fn)


def _optional_on(help_text: str):
    return typer.Option(None, "--on", metavar="DATE", parser=date_parser("--on"),
                        help=f"{help_text} (défaut : aujourd'hui).")


def remind(
    reference: str = REF,
    on: date = _optional_on("Date d'envoi de la relance"),
    via: str = typer.Option(None, "--via", help=f"Canal : {', '.join(CHANNELS)}."),
    json_out: bool = JSON,
) -> None:
    """Enregistrer une relance adressée à l'administration.

    \b
    Exemple :
      cada remind 2026-0042 --on 2026-04-10 --via email
    """
    _record(reference, json_out, kind="remind", on=on or today(), channel=via)


def refer(
    reference: str = REF,
    on: date = _optional_on("Date d'envoi de la saisine de la CADA"),
    via: str = typer.Option(None, "--via", help=f"Canal : {', '.join(CHANNELS)}."),
    registered: date = typer.Option(
        None, "--registered", metavar="DATE", parser=date_parser("--registered"),
        help="Date d'enregistrement par la CADA (son accusé de réception) : elle fait courir "
             "le délai de confirmation du refus (R343-5).",
    ),
    cada_ref: str = typer.Option(None, "--cada-ref", help="Numéro de dossier donné par la CADA."),
    json_out: bool = JSON,
) -> None:
    """Saisir la CADA (préalable obligatoire au recours, L342-1 CRPA), ou enregistrer
    l'accusé de réception de la CADA avec --registered.

    \b
    Exemple :
      cada refer 2026-0042 --on 2026-04-20 --via email
      cada refer 2026-0042 --registered 2026-04-24 --cada-ref 20262345
    """
    if registered is not None:
        _record(reference, json_out, kind="registered", on=registered,
                tracking=(cada_ref or "").strip() or None)
        return
    if cada_ref:
        from cada_tracker.errors import InputError

        raise InputError("--cada-ref va avec --registered (la date d'enregistrement par la CADA).")
    _record(reference, json_out, kind="referred", on=on or today(), channel=via)


def opinion(
    reference: str = REF,
    on: date = typer.Option(..., "--on", metavar="DATE", parser=date_parser("--on"),
                            help="Date de réception de l'avis (2026-03-15 ou 15/03/2026)."),
    verdict: str = typer.Option(..., "--verdict", help=f"Sens de l'avis : {', '.join(VERDICTS)}."),
    json_out: bool = JSON,
) -> None:
    """Enregistrer l'avis de la CADA.

    \b
    Exemple :
      cada opinion 2026-0042 --on 2026-06-02 --verdict favorable
    """
    _record(reference, json_out, kind="opinion", on=on, outcome=verdict)


def court(
    reference: str = REF,
    on: date = _optional_on("Date d'enregistrement de la requête au greffe"),
    json_out: bool = JSON,
) -> None:
    """Enregistrer le recours déposé au tribunal administratif (après la CADA).

    \b
    Exemple :
      cada court 2026-0042 --on 2026-08-01
    """
    _record(reference, json_out, kind="court", on=on or today())
