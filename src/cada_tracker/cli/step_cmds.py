"""cada sent/received/remind --campaign NAME [--from-file CSV]: one step for a campaign.

Every request of the campaign ready for the step gets its event in one transaction;
a CSV gives each request its own tracking number or date (services/step_file.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import locations, session, today
from cada_tracker.errors import InputError

CAMPAIGN = typer.Option(
    None, "--campaign", metavar="NOM",
    help="Enregistrer l'étape pour toutes les demandes de la campagne qui en sont à ce point "
         "(une seule transaction : toutes ou aucune).")
FROM_FILE = typer.Option(
    None, "--from-file", metavar="CSV", dir_okay=False,
    help="Fichier CSV, une demande par ligne : référence, numéro de suivi, date (facultatifs ; "
         "en-tête « reference;tracking;date » facultatif) : les valeurs propres à chaque "
         "demande. Sans --campaign, seules les demandes du fichier.")


def wants_bulk(reference: str | None, campaign: str | None, from_file: Path | None) -> bool:
    """Whether the command acts on a campaign or a file; refuses mixing with REF."""
    if campaign is None and from_file is None:
        if not reference:
            raise InputError("Référence de la demande manquante (ou --campaign NOM, ou "
                             "--from-file CSV).")
        return False
    if reference:
        raise InputError("Donnez une référence, ou --campaign / --from-file, pas les deux.")
    return True


def record_bulk(kind: str, *, campaign: str | None, from_file: Path | None, on: date,
                channel: str | None, tracking: str | None, json_out: bool,
                letter: dict | None = None) -> None:
    """Plan, (render the reminders,) record, report: one transaction.

    ``letter`` (reminders only): ``out``, ``html``, ``template``, or None for no letter.
    """
    from cada_tracker.services.campaign_steps import plan_step, record_step, tracking_for
    from cada_tracker.services.events import files_removed_on_failure
    from cada_tracker.services.step_file import read_overrides
    from cada_tracker.services.views import recorded_as_dict
    from cada_tracker.vocab import CHANNELS, EVENT_KINDS, STATUSES, choice

    if tracking:
        raise InputError("--tracking est propre à un courrier : pour une campagne, donnez le "
                         "numéro de chaque demande dans le fichier --from-file.")
    if channel:
        channel = choice(channel, CHANNELS, field="--via")
    overrides = read_overrides(from_file) if from_file is not None else None
    source = str(from_file) if from_file is not None else None
    tracking_for(kind, overrides, source)
    if letter is not None:
        from cada_tracker.fileio import prepare_out_dir

        prepare_out_dir(letter["out"])
    loc = locations()
    files: list[tuple[str, bytes]] = []
    with files_removed_on_failure(loc.data_dir) as written, session(write=True) as s:
        plan = plan_step(s, kind=kind, campaign=campaign, on=on, overrides=overrides,
                         source=source)
        letters = None
        if letter is not None:
            letters = _reminders(s, plan, letter, loc.user_letters_dir)
            files = [f for f in letters if f]
        done = record_step(s, plan, channel=channel, today=today(), files_dir=loc.files_dir,
                           written=written, source=source, letters=letters)
        events = []
        for request, event in done:
            data = recorded_as_dict(s, event)
            data.update(reference=request.reference, status=request.status)
            events.append(data)
    copies = _write_copies(files, letter["out"]) if letter is not None else []
    if json_out:
        output.print_json({"campaign": campaign, "kind": kind, "events": events,
                           "skipped": [{"reference": r, "reason": why}
                                       for r, why in plan.skipped],
                           "files": copies})
    refs = [e["reference"] for e in events]
    span = refs[0] if len(refs) == 1 else f"{refs[0]} à {refs[-1]}"
    whose = f"de la campagne « {campaign} »" if campaign else f"de {source}"
    statuses = sorted({STATUSES[e["status"]] for e in events})
    output.success(f"{len(refs)} demande(s) {whose} : événement « {EVENT_KINDS[kind]} » "
                   f"enregistré ({span}). Statut : {', '.join(statuses)}.")
    if copies:
        output.info(f"Courriers : {len(copies)} fichier(s) dans {letter['out']}.")
    if plan.skipped:
        shown = " ; ".join(f"{r} ({why})" for r, why in plan.skipped[:10])
        more = f" … et {len(plan.skipped) - 10} autre(s)" if len(plan.skipped) > 10 else ""
        output.info(f"Non concernée(s) : {len(plan.skipped)} : {shown}{more}.")


def _reminders(s, plan, letter: dict, user_dir) -> list[tuple[str, bytes]]:
    """Each target's reminder, rendered (PDFs in parallel for a large campaign)."""
    from cada_tracker.services.escalation import (
        LetterOptions,
        letter_filename,
        render_escalation,
    )

    pages = []
    for t in plan.targets:
        options = LetterOptions(template=letter["template"], tracking=t.tracking)
        _name, page = render_escalation(s, request=t.request, admin=t.admin, kind="remind",
                                        letter_date=t.on, options=options, user_dir=user_dir)
        pages.append(page)
    if letter["html"]:
        contents, suffix = [p.encode("utf-8") for p in pages], "html"
    else:
        from cada_tracker.pdf import Renderer
        from cada_tracker.pdf_workers import default_workers

        workers = default_workers() if len(pages) > 10 else 1
        contents, suffix = Renderer(user_dir=user_dir).many(pages, workers=workers), "pdf"
    return [(letter_filename(t.request, "remind", suffix, on=t.on), data)
            for t, data in zip(plan.targets, contents, strict=True)]


def _write_copies(files: list[tuple[str, bytes]], out: Path) -> list[str]:
    from cada_tracker.errors import StorageError
    from cada_tracker.fileio import write_new_file

    copies = []
    for name, data in files:
        try:
            copies.append(str(write_new_file(out / name, data)))
        except OSError as exc:
            from cada_tracker.faults import reason

            raise StorageError(f"--out : écriture impossible de {out / name} ({reason(exc)}). "
                               "Les relances sont enregistrées et leurs courriers conservés "
                               "avec chaque demande (cada show REF).") from exc
    return copies
