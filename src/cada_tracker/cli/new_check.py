"""Before ``cada new`` writes many drafts: ``--dry-run`` lists them, a large batch is
confirmed (on a terminal) or needs ``--yes`` (in a script)."""

from __future__ import annotations

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import interactive, session
from cada_tracker.errors import InputError

CONFIRM_ABOVE = 20  # recipients; more asks for confirmation

DRY_RUN = typer.Option(False, "--dry-run",
                       help="Lister qui recevrait quelle demande, sans rien enregistrer.")
YES = typer.Option(False, "--yes", "-y",
                   help=f"Confirmer d'avance une campagne de plus de {CONFIRM_ABOVE} "
                        "destinataires (obligatoire hors terminal).")


def dry_run(*, draft, selection, profile, today, user_letters, json_out: bool) -> None:
    """Print who would get what; nothing is written."""
    from cada_tracker.services.drafting import preview_many
    from cada_tracker.services.letter_context import window_problems

    with session() as s:
        checked, planned = preview_many(s, draft=draft, selection=selection, profile=profile,
                                        today=today, user_letters=user_letters)
        problems = [p for _ref, admin in planned for p in window_problems(admin)]
    rows = [{"reference": ref, "administration": {
                "id": a.id, "name": a.name, "postcode": a.postcode, "city": a.city,
                "department": a.department},
             "email": a.prada_email or a.email} for ref, a in planned]
    if json_out:
        output.print_json({"dry_run": True, "count": len(rows), "subject": checked.subject,
                           "documents": checked.documents, "template": checked.template,
                           "mode": checked.mode, "campaign": checked.campaign,
                           "requests": rows})
    else:
        output.table(
            None, ["Réf. prévue", "N°", "Administration", "CP", "Ville", "Courriel"],
            ((r["reference"], r["administration"]["id"], r["administration"]["name"],
              r["administration"]["postcode"], r["administration"]["city"], r["email"] or "—")
             for r in rows),
            caption=f"{len(rows)} demande(s)", keep=(0,))
    for problem in problems:
        output.warn(f"adresse : {problem}")
    campaign = f", campagne « {checked.campaign} »" if checked.campaign else ""
    output.info(f"Simulation : {len(rows)} demande(s) « {checked.subject} » "
                f"({len(checked.documents)} document(s), modèle {checked.template}"
                f"{campaign}) ; rien n'a été enregistré.")


def confirm_many(selection, *, yes: bool) -> None:
    """Above :data:`CONFIRM_ABOVE` recipients: ask on a terminal, else demand --yes."""
    if yes:
        return
    from cada_tracker.services.drafting import count_recipients

    with session() as s:
        count = count_recipients(s, selection)
    if count <= CONFIRM_ABOVE:
        return
    if not interactive():
        raise InputError(
            f"{count} destinataires : au-delà de {CONFIRM_ABOVE}, confirmez avec --yes "
            "(vérifiez d'abord la liste avec --dry-run).")
    from cada_tracker.cli.prompts import ask_yes_no

    answer = ask_yes_no(f"Rédiger {count} demandes, une par administration ?")
    if not answer:
        raise InputError(f"Rien n'a été rédigé ({count} destinataires non confirmés ; "
                         "--dry-run pour voir la liste).")
