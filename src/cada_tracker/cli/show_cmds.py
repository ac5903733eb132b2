"""cada show: everything about one request, as text or JSON."""

from __future__ import annotations

import typer

from cada_tracker.cli import output
from cada_tracker.vocab import DOCUMENT_OUTCOMES, EVENT_KINDS, MODES, REGIMES, STATUSES


def register(app: typer.Typer) -> None:
    app.command("show")(show)


def _fr(value) -> str:
    from cada_tracker.dates import format_fr

    return format_fr(value)


def show(
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande (ex. 2026-0042)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    letter: bool = typer.Option(False, "--letter", help="Afficher aussi le courrier (HTML)."),
) -> None:
    """Tout sur une demande : administration, documents, chronologie, fichiers.

    \b
    Exemple :
      cada show 2026-0042
      cada show 2026-0042 --json
    """
    from cada_tracker.cli.common import reader
    from cada_tracker.services.show_query import show_view

    with reader() as db:
        view, html = show_view(db, reference)
    if json_out:
        if letter:
            view["letter_html"] = html
        output.print_json(view)
        return
    _print_view(view)
    if letter:
        output.echo(html)


def _print_view(v: dict) -> None:
    from cada_tracker.vocab import (CHANNELS, CLOSE_REASONS, MAIL_KINDS, OUTCOMES,
                                    SERIES_LABEL, VERDICTS)

    echo = output.echo
    echo(f"Demande {v['reference']} — {STATUSES.get(v['status'], v['status'])}")
    echo(f"Objet          {v['subject']}")
    echo(f"Administration {v['administration']['name']} (n° {v['administration']['id']})")
    echo(f"Mode           {MODES[v['mode']]} ; {REGIMES[v['regime']]}")
    if v.get("source_url"):
        echo(f"Publiée sur    {v['source_url']}")
    if v["campaign"]:
        echo(f"Campagne       {v['campaign']}")
    if v["tags"]:
        echo(f"Étiquettes     {', '.join(v['tags'])}")
    echo(f"Expéditeur     {v['sender']['name']} (profil {v['profile']})")
    echo("")
    echo("Documents demandés")
    for d in v["documents"]:
        echo(f"  {d['position']:>2}. [{DOCUMENT_OUTCOMES[d['outcome']]}] {d['description']}")
    echo("")
    echo("Chronologie")
    if not v["events"]:
        echo("  (aucun événement : brouillon non envoyé)")
    for e in v["events"]:
        detail = []
        if e["channel"]:
            detail.append(CHANNELS.get(e["channel"], e["channel"]))
        if e["tracking"]:
            detail.append(f"n° {e['tracking']}")
        if e["outcome"] and e["kind"] == "mail":
            detail.append(MAIL_KINDS.get(e["outcome"], e["outcome"]))
        elif e["outcome"]:
            detail.append(OUTCOMES.get(e["outcome"]) or VERDICTS.get(e["outcome"])
                          or SERIES_LABEL.get(e["outcome"], e["outcome"]))
        if e["got"]:
            detail.append("obtenus : " + ",".join(map(str, e["got"])))
        if e["refused"]:
            detail.append("refusés : " + ",".join(map(str, e["refused"])))
        if e["mentions"] is not None:
            detail.append("mentions des voies et délais" if e["mentions"]
                          else "SANS les mentions des voies et délais")
        if e["reason"]:
            detail.append(CLOSE_REASONS.get(e["reason"], e["reason"]))
        if e["cancels"]:
            detail.append(f"annule l'événement #{e['cancels_number']}")
        if e["text"]:
            detail.append(e["text"])
        struck = f" (annulé par #{e['cancelled_by_number']})" if e["cancelled_by"] else ""
        echo(f"  #{e['number']:<4} {_fr(e['on'])}  {EVENT_KINDS[e['kind']]}"
             f"{' — ' + ' ; '.join(detail) if detail else ''}{struck}")
    clock = v.get("deadlines") or {}
    if clock.get("steps"):
        from datetime import date as _date

        from cada_tracker.vocab import STEP_LABELS

        echo("")
        echo("Délais (date prudente à respecter ; lecture juridique entre parenthèses)")
        for step in clock["steps"]:
            legal = _fr(_date.fromisoformat(step["date"]))
            safe = _fr(_date.fromisoformat(step["safe_date"])) if step.get("safe_date") else None
            when = f"{safe} ({legal})" if safe and safe != legal else legal
            echo(f"  {STEP_LABELS.get(step['key'], step['key']):<40} {when}")
            echo(f"      {step['explanation']} — {step['basis']}")
        for warning in clock.get("warnings", []):
            echo(f"  ⚠ {warning}")
    if v.get("messages"):
        _print_messages(v["messages"])
    if v["files"]:
        echo("")
        echo("Fichiers (courriers produits et documents reçus)")
        kinds = {e["id"]: e["kind"] for e in v["events"]}
        for f in v["files"]:
            label = EVENT_KINDS.get(kinds.get(f["event"]), "")
            echo(f"  #{f['event_number']} {label} : {f['name']} ({f['size']} octets, "
                 f"sha256 {f['sha256'][:12]}…) → {f['path']}")


def _print_messages(messages: list[dict]) -> None:
    """The e-mails of the request: their text came from outside, so it is cleaned."""
    from cada_tracker.cli.mail_common import local_time
    from cada_tracker.mail.parse import clean
    from cada_tracker.vocab import MAIL_KINDS

    echo = output.echo  # control codes shown, as everywhere in cada show
    echo("")
    echo("Courriels")
    for m in messages:
        when = local_time(m["date"]) or "?"
        arrow = "→" if m["direction"] == "out" else "←"
        who = m["to"] if m["direction"] == "out" else m["from"]
        state = " (brouillon)" if m["state"] == "draft" else ""
        echo(f"  {when} {arrow} {clean(who)} — {clean(m['subject'])}{state}")
        detail = MAIL_KINDS.get(m["kind"], m["kind"] or "")
        if m["matched_by"] == "sender":
            detail += " ; rattaché d'après l'expéditeur (à vérifier)"
        if m["files"]:
            detail += " ; fichiers : " + ", ".join(clean(f) for f in m["files"])
        if m["download_until"]:
            detail += f" ; télécharger avant le {_fr(m['download_until'])}"
        echo(f"      {detail}")
