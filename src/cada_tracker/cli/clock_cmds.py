"""cada deadlines (calculator), cada overdue (weekly check), cada calendar (iCalendar)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import date_parser, raw_csv_option, today

OVERDUE_PAGE = 20


def register(app: typer.Typer) -> None:
    app.command("deadlines")(deadlines)
    app.command("overdue")(overdue)
    app.command("calendar")(calendar)


def _date_opt(flag: str, help_text: str):
    return typer.Option(None, flag, metavar="DATE", parser=date_parser(flag), help=help_text)


def deadlines(
    received: date = _date_opt("--received", "Réception de la demande par l'administration (ou enregistrement, pour les archives)."),
    sent: date = _date_opt("--sent", "Envoi de la demande (si la réception n'est pas connue)."),
    via: str = typer.Option(None, "--via", help="Moyen d'envoi : lrar, letter, email, portal ou hand (réception inconnue : lettre = envoi + 7 jours)."),
    refusal: date = _date_opt("--refusal", "Notification d'un refus exprès."),
    pending: bool = typer.Option(False, "--pending", help="Le refus exprès est partiel : des documents restent en attente."),
    extension: date = _date_opt("--extension", "Prolongation motivée notifiée (information environnementale)."),
    regime: str = typer.Option("general", "--regime", help="Régime : general, environment ou archives."),
    cada_sent: date = _date_opt("--cada-sent", "Envoi de la saisine de la CADA."),
    cada_registered: date = _date_opt("--cada-registered", "Enregistrement de la saisine par la CADA."),
    confirmation: date = _date_opt("--confirmation", "Refus confirmé par écrit après la saisine de la CADA."),
    zone: str = typer.Option("metropole", "--zone", help="Calendrier du tribunal : code de département ou de collectivité (67, 974, 977…), metropole ou alsace-moselle."),
    mentions: bool = typer.Option(None, "--mentions/--no-mentions", help="L'accusé de réception et le refus mentionnaient (ou non) les voies et délais ; sans l'option : aucun accusé de réception connu, comme pour une demande enregistrée sans cada ack."),
    confirmation_mentions: bool = typer.Option(None, "--confirmation-mentions/--confirmation-no-mentions", help="Le refus confirmé par écrit mentionnait (ou non) les voies et délais de recours."),
    today_: date = typer.Option(None, "--today", metavar="DATE", parser=date_parser("--today"), help="Date du jour (défaut : aujourd'hui)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON (contrat documenté dans le README)."),
) -> None:
    """Calculer les délais légaux d'une demande, sans base de données, avec leurs articles.

    Pour chaque étape : la date limite prudente (à respecter), la date de la lecture
    juridique (dernier jour possible) et le calcul expliqué. Sans --mentions, aucun
    accusé de réception conforme n'est supposé (délais inopposables : borne d'un an).

    \b
    Exemple :
      cada deadlines --received 31/01/2026
      cada deadlines --received 2026-03-15 --cada-registered 2026-05-20 --zone 67 --json
    """
    from cada_tracker.deadlines import Facts, compute, inconsistencies, result_as_dict, zone_for
    from cada_tracker.errors import InputError
    from cada_tracker.vocab import CHANNELS, REGIMES, choice

    if received is None and sent is None and refusal is None:
        raise InputError("Indiquez au moins --received (ou --sent, ou --refusal).")
    try:
        zone_key = zone_for(zone)
    except ValueError as exc:
        raise InputError(f"--zone : {exc}") from None
    facts = Facts(
        regime=choice(regime, REGIMES, field="--regime"), sent=sent,
        sent_via=choice(via, CHANNELS, field="--via") if via else None, received=received,
        refusal=refusal, pending_documents=pending, extension=extension, cada_sent=cada_sent,
        cada_registered=cada_registered, confirmation=confirmation,
        confirmation_mentions=confirmation_mentions if confirmation else None,
        ack_mentions=mentions, refusal_mentions=mentions if refusal else None,
    )
    problems = inconsistencies(facts)
    if problems:
        raise InputError("Dates incohérentes : " + " ; ".join(problems) + ".")
    result = compute(facts, zone=zone_key)
    data = result_as_dict(result)
    if json_out:
        output.print_json(data)
        return
    _print_steps(data, today_ or today())


def _print_steps(data: dict, ref_today: date) -> None:
    from cada_tracker.dates import format_fr
    from cada_tracker.vocab import STEP_LABELS

    for step in data["steps"]:
        legal = date.fromisoformat(step["date"])
        safe = date.fromisoformat(step["safe_date"]) if step.get("safe_date") else None
        label = STEP_LABELS.get(step["key"], step["key"])
        when = f"{format_fr(safe)} (prudent) / {format_fr(legal)} (lecture juridique)" \
            if safe and safe != legal else format_fr(legal)
        delta = ((safe or legal) - ref_today).days
        rel = f"dans {delta} j" if delta > 0 else ("aujourd'hui" if delta == 0 else f"il y a {-delta} j")
        output.echo(f"{label:<38} {when}  [{rel}]")
        output.echo(f"    {step['explanation']} — {step['basis']}")
    for warning in data["warnings"]:
        output.warn(warning)


def overdue(
    within: int = typer.Option(14, "--within", min=0, max=3650, help="Horizon « à venir », en jours."),
    today_: date = typer.Option(None, "--today", metavar="DATE", parser=date_parser("--today"), help="Date du jour (défaut : aujourd'hui)."),
    campaign: str = typer.Option(None, "--campaign", help="Seulement cette campagne."),
    all_rows: bool = typer.Option(False, "--all", help=f"Tout afficher (sinon les {OVERDUE_PAGE} plus urgentes)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    csv_out: bool = typer.Option(False, "--csv", help="Sortie CSV (toutes les lignes)."),
    raw_csv: bool = raw_csv_option(),
) -> int:
    """Le point hebdomadaire : ce qui demande une action maintenant, puis ce qui arrive.

    Code de sortie : 0 si rien n'est à faire, 1 si une action est nécessaire
    (pour cron et les scripts), 2 ou plus en cas d'erreur.

    \b
    Exemple :
      cada overdue
      cada overdue --within 30 --campaign vsa-2026 --json
    """
    from cada_tracker.cli.common import reader
    from cada_tracker.services.mail_overdue import mail_items
    from cada_tracker.services.overdue import (
        HORIZON_ALL,
        deadline_key,
        group_series,
        next_deadline,
        sort_key,
    )
    from cada_tracker.services.overdue_query import overdue_items, series_members

    ref_today = today_ or today()
    with reader() as s:
        clock = list(overdue_items(s, today=ref_today, within=within, campaign=campaign))
        series = series_members(s, {i.row.campaign for i in clock
                                    if i.row.campaign and i.row.next_action == "refer"})
        items = sorted([*group_series(clock, series),
                        *mail_items(s, today=ref_today, campaign=campaign)], key=sort_key)
        # Every item due now is within any horizon; so is the first coming one, unless
        # nothing is: only then look further (campaign show names it too).
        first = next_deadline(clock) or next_deadline(overdue_items(
            s, today=ref_today, within=HORIZON_ALL, campaign=campaign))
    now = [i for i in items if i.now]
    soon = [i for i in items if not i.now]
    fields = ["reference", "administration", "subject", "category", "state", "date",
              "legal_date", "days", "message", "series", "members"]
    if json_out:
        def as_dict(i):
            return {f: getattr(i, f) for f in fields}

        nxt = None if first is None else {
            "date": first.date, "kind": deadline_key(first), "state": first.state,
            "reference": first.reference}
        output.print_json({"today": ref_today, "within": within, "next_deadline": nxt,
                           "action_needed": [as_dict(i) for i in now],
                           "upcoming": [as_dict(i) for i in soon]})
    elif csv_out:
        output.write_csv(["now", *fields],
                         ([i.now, *(getattr(i, f) for f in fields[:-1]), " ".join(i.members)]
                          for i in items), raw=raw_csv)
    else:
        who = None
        if first is not None:
            grouped = first.row.campaign in series and first.row.next_action == "refer" \
                and first.reference in series[first.row.campaign]
            who = f"série {first.row.campaign}" if grouped else first.reference
        _print_overdue(now, soon, within, all_rows, first, who)
    raise typer.Exit(1 if now else 0)


def _print_overdue(now, soon, within, all_rows, first, who) -> None:
    from cada_tracker.dates import format_fr
    from cada_tracker.services.overdue import deadline_key, deadline_label

    summary = (f"{sum(max(1, len(i.members)) for i in now)} demande(s) à traiter maintenant, "
               f"{len(soon)} échéance(s) dans les {within} prochains jours.")
    following = "" if first is None else (
        f" Prochaine échéance : {format_fr(first.date)} "
        f"({deadline_label(deadline_key(first), first.state)}, {who}).")
    if not now and not soon:
        output.info("Rien à faire : aucune échéance dans les "
                    f"{within} prochains jours.{following}")
        return
    summary += following
    for title, group in (("À traiter maintenant", now), ("À venir", soon)):
        if not group:
            continue
        shown = group if all_rows else group[:OVERDUE_PAGE]
        caption = None
        if len(shown) < len(group):
            caption = f"{len(shown)} sur {len(group)} (--all pour tout, --csv pour exporter)"
        output.table(
            title, ["Réf.", "Administration", "Échéance", "Jours", "Quoi"],
            ((i.label, i.administration, format_fr(i.date),
              "" if i.days is None else str(i.days), i.message) for i in shown),
            caption=caption, keep=(0,),
        )
    output.info(summary)


def calendar(
    out: Path = typer.Option(Path("cada.ics"), "--out", help="Fichier iCalendar à écrire."),
    campaign: str = typer.Option(None, "--campaign", help="Seulement cette campagne."),
    alarm_days: int = typer.Option(None, "--alarm", min=0, max=60, help="Rappel, en jours avant chaque échéance (remplace les deux suivants)."),
    alarm_cada: int = typer.Option(7, "--alarm-cada", min=0, max=60, help="Rappel avant les étapes de la CADA (refus, saisine), en jours (0 : aucun)."),
    alarm_court: int = typer.Option(14, "--alarm-court", min=0, max=60, help="Rappel avant le refus confirmé et le recours au tribunal, en jours (0 : aucun)."),
    today_: date = typer.Option(None, "--today", metavar="DATE", parser=date_parser("--today"), help="Date du jour (défaut : aujourd'hui)."),
    force: bool = typer.Option(False, "--force", help="Remplacer le fichier s'il existe."),
) -> None:
    """Écrire les échéances à venir (dates prudentes) dans un fichier iCalendar (RFC 5545),
    à importer ou publier pour que le groupe s'y abonne. Chaque événement donne la date
    prudente, la date légale et les articles ; une série de demandes partage un seul
    événement par échéance, qui liste ses demandes. Les identifiants (UID) sont stables
    d'un export à l'autre et propres à la base : l'abonnement se met à jour.

    \b
    Exemple :
      cada calendar --out ~/Public/cada.ics --force
      cada calendar --out cada.ics --alarm-cada 10 --alarm-court 21
    """
    from cada_tracker.cli.common import reader
    from cada_tracker.fileio import refuse_existing

    refuse_existing(out, force=force)
    from cada_tracker.services.calendar import database_id, write_upcoming

    if alarm_days is not None:
        alarm_cada = alarm_court = alarm_days
    ref_today = today_ or today()
    with reader() as connection:
        count = write_upcoming(out, connection, today=ref_today, campaign=campaign,
                               alarm_cada=alarm_cada, alarm_court=alarm_court,
                               database=database_id(connection))
    output.success(f"{count} échéance(s) écrite(s) dans {out}")
