"""cada refer --campaign: the grouped CADA referral of a series (L342-1 al. 2 and 3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cada_tracker.cli import output
from cada_tracker.cli.common import locations, session, today


def refer_campaign(
    campaign: str, json_out: bool, *, on: date, chosen: str | None, channel: str | None,
    tracking: str | None, out: Path, html: bool, no_letter: bool, preview: bool,
) -> None:
    """Refer the series to the CADA once, and inform every administration of it."""
    from cada_tracker.errors import InputError, StorageError
    from cada_tracker.fileio import prepare_out_dir, write_new_file
    from cada_tracker.services.export import slug
    from cada_tracker.services.series import plan_series, record_series, render_series_letters
    from cada_tracker.vocab import CHANNELS, choice

    if no_letter and preview:
        raise InputError("--preview produit les courriers : il ne va pas avec --no-letter.")
    if channel:
        channel = choice(channel, CHANNELS, field="--via")
    if not no_letter:
        prepare_out_dir(out)
    loc = locations()
    files: list[tuple[str, bytes]] = []
    from cada_tracker.services.events import files_removed_on_failure

    with files_removed_on_failure(loc.data_dir) as written_files, session(write=not preview) as s:
        plan = plan_series(s, campaign=campaign, on=on, chosen_reference=chosen)
        grouped: tuple[str, bytes] | None = None
        notices: list = [None] * len(plan.members)
        if not no_letter:
            pages = render_series_letters(s, plan, user_dir=loc.user_letters_dir,
                                          tracking=tracking)
            grouped_html, notice_htmls = pages
            suffix = "html" if html else "pdf"
            if html:
                datas = [p.encode("utf-8") for p in [grouped_html, *notice_htmls]]
            else:
                from cada_tracker.pdf import Renderer
                from cada_tracker.pdf_workers import default_workers

                renderer = Renderer(user_dir=loc.user_letters_dir)
                workers = default_workers() if len(notice_htmls) > 10 else 1
                datas = renderer.many([grouped_html, *notice_htmls], workers=workers)
            mark = "-brouillon" if preview else ""  # like every other preview
            grouped = (f"{slug(campaign)}-saisine-cada-serie{mark}.{suffix}", datas[0])
            notices = [(f"{m.request.reference}-information-serie{mark}.{suffix}", data)
                       for m, data in zip(plan.members, datas[1:], strict=True)]
            files = [grouped, *notices]
        if not preview:
            record_series(s, plan, grouped=grouped, notices=notices, channel=channel,
                          tracking=tracking, today=today(), files_dir=loc.files_dir,
                          written=written_files)
    written = []
    for name, data in files:
        try:
            written.append(str(write_new_file(out / name, data)))
        except OSError as exc:
            from cada_tracker.faults import reason

            kept = "" if preview else (" La saisine est enregistrée et ses courriers sont "
                                       "conservés avec chaque demande (cada show REF).")
            raise StorageError(f"--out : écriture impossible de {out / name} "
                               f"({reason(exc)}).{kept}") from exc
    if json_out:
        output.print_json({
            "campaign": campaign,
            "subject": plan.subject,
            "on": on,
            "preview": preview,
            "refusal": plan.chosen.request.reference,
            "series": [m.request.reference for m in plan.members],
            "referred": [m.request.reference for m in plan.referred],
            "informed_only": [m.request.reference for m in plan.informed_only],
            "skipped": plan.skipped,
            "files": written,
        })
    n = len(plan.members)
    if preview:
        output.success(f"Brouillons écrits dans {out} : saisine groupée et {n} lettre(s) "
                       "d'information (rien n'a été enregistré).")
    else:
        output.success(
            f"Série « {campaign} » ({n} demandes) : CADA saisie du refus de "
            f"{plan.chosen.request.reference} ; {len(plan.referred)} demande(s) marquée(s) "
            f"saisies, {len(plan.informed_only)} administration(s) seulement informée(s)."
        )
        if written:
            output.info(f"Courriers : {len(written)} fichier(s) dans {out} (la saisine "
                        f"{files[0][0]} et une lettre d'information par administration).")
    if plan.informed_only and not preview:
        refs = ", ".join(m.request.reference for m in plan.informed_only)
        output.warn(f"sans refus à ce jour, ces demandes sont seulement informées : {refs}.")
    if plan.skipped:
        output.info("Hors série : " + "; ".join(plan.skipped) + ".")


def record_campaign_step(campaign: str, json_out: bool, *, kind: str, on: date,
                         cada_ref: str | None = None, verdict: str | None = None) -> None:
    """The CADA registered the grouped referral, or gave its one opinion: record it on
    each referred request of the series."""
    from cada_tracker.services.events import NewEvent
    from cada_tracker.services.series import record_series_step

    loc = locations()
    new = NewEvent(kind=kind, on=on, tracking=(cada_ref or "").strip() or None, outcome=verdict)
    with session(write=True) as s:
        done = record_series_step(s, campaign=campaign, new=new, today=today(),
                                  files_dir=loc.files_dir)
    if json_out:
        output.print_json({"campaign": campaign, "kind": kind, "on": on, "requests": done,
                           "cada_ref": new.tracking, "verdict": verdict})
    what = "Enregistrement par la CADA" if kind == "registered" else "Avis de la CADA"
    output.success(f"{what} noté sur {len(done)} demande(s) de la série « {campaign} ».")
