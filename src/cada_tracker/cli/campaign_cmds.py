"""cada campaign list/show, cada stats: how the administrations answered."""

from __future__ import annotations

from datetime import date

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import date_parser, raw_csv_option

STATS_PAGE = 30
SHOW_PAGE = 50  # requests per page of cada campaign show's table
WIDE = 120  # columns: below, campaign list puts its figures in one column


def _today_option():
    return typer.Option(None, "--today", metavar="DATE", parser=date_parser("--today"),
                        help="Date du jour pour les délais et les refus implicites "
                             "(défaut : aujourd'hui).")


def register(app: typer.Typer) -> None:
    campaign = typer.Typer(
        help="Les campagnes : une même demande adressée à plusieurs administrations.",
        no_args_is_help=True,
    )
    campaign.command("list")(list_)
    campaign.command("show")(show)
    from cada_tracker.cli import campaign_field_cmds, report_cmds

    campaign_field_cmds.register(campaign)
    report_cmds.register(campaign)
    app.add_typer(campaign, name="campaign")
    app.command("stats")(stats)


def _fr(value) -> str:
    from cada_tracker.dates import format_fr

    return format_fr(value)


def _days(value) -> str:
    if value is None:
        return "—"
    return f"{value} j".replace(".", ",")


def _percent(value) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def list_(
    today_: date = _today_option(),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Lister les campagnes avec leurs chiffres : demandes, envoyées, réponses, refus,
    saisines de la CADA, documents obtenus et prochaine échéance.

    \b
    Exemple :
      cada campaign list
      cada campaign list --json
    """
    from cada_tracker.cli.common import reader, today
    from cada_tracker.services.campaign_query import campaign_list

    ref_today = today_ or today()
    with reader() as connection:
        rows = campaign_list(connection, ref_today)
    if json_out:
        output.print_json(rows)
        return
    if not rows:
        output.info("Aucune campagne (cada new --campaign NOM, ou plusieurs destinataires).")
        return
    caption = f"{len(rows)} campagne(s) au {_fr(ref_today)}"
    names = [r["campaign"] + (" (série)" if r["series"] else "") for r in rows]
    if output.out().width < WIDE:  # the figures in one wrapping column: names stay whole
        output.table(
            None, ["Campagne", "Bilan", "Délai médian", "Prochaine échéance"],
            ((name, f"{r['requests']} demande(s), {r['sent']} envoyée(s), {r['answered']} "
                    f"réponse(s), {r['refused']} refus, {r['referred']} CADA, "
                    f"{r['obtained']} obtenu(s)",
              _days(r["median_response_days"]), _fr(r["next_deadline"]))
             for name, r in zip(names, rows, strict=True)),
            caption=caption, keep=(0,))
        return
    output.table(
        None,
        ["Campagne", "Demandes", "Envoyées", "Réponses", "Refus", "CADA", "Obtenus",
         "Délai médian", "Prochaine échéance"],
        ((name, r["requests"], r["sent"], r["answered"], r["refused"], r["referred"],
          r["obtained"], _days(r["median_response_days"]), _fr(r["next_deadline"]))
         for name, r in zip(names, rows, strict=True)),
        caption=caption, keep=(0,),
    )


def show(
    name: str = typer.Argument(..., metavar="NOM", help="Nom de la campagne (cada campaign list)."),
    today_: date = _today_option(),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON (publiable : sans les coordonnées de l'expéditeur)."),
    csv_out: bool = typer.Option(False, "--csv", help="Sortie CSV, une ligne par demande (publiable)."),
    raw_csv: bool = raw_csv_option(),
    page: int = typer.Option(1, "--page", min=1, max=1_000_000,
                             help=f"Page du tableau des demandes ({SHOW_PAGE} par page)."),
    all_rows: bool = typer.Option(False, "--all", help="Toutes les demandes dans le tableau."),
) -> None:
    """Le bilan d'une campagne : pour chaque administration, sa demande, son statut,
    l'attente et la prochaine échéance ; les totaux et le délai médian de réponse.

    L'attente court depuis la réception de la demande (sinon son envoi) jusqu'à la
    première réponse, sinon jusqu'à aujourd'hui. Un refus est exprès, ou implicite
    (aucune réponse à la date du refus implicite). Signale une série au sens de
    l'article L342-1 al. 2 CRPA (au moins 5 demandes de même objet à des
    administrations différentes) : la CADA ne peut alors être saisie qu'une fois,
    pour toute la série. Les sorties --json et --csv ne contiennent aucune donnée
    personnelle de l'expéditeur : elles peuvent être publiées.

    \b
    Le tableau montre les demandes par pages de 50 (--page, --all) ; les
    totaux portent toujours sur toute la campagne.

    \b
    Exemple :
      cada campaign show vsa-2026
      cada campaign show vsa-2026 --page 2
      cada campaign show vsa-2026 --csv > bilan-vsa-2026.csv
    """
    from cada_tracker.cli.common import reader, today
    from cada_tracker.services.campaign_field_values import add_to_report
    from cada_tracker.services.campaign_query import campaign_report, has_fields
    from cada_tracker.services.outcomes import REQUEST_COLUMNS

    if json_out and csv_out:
        from cada_tracker.errors import InputError

        raise InputError("Choisissez --json ou --csv, pas les deux.")
    ref_today = today_ or today()
    whole = json_out or csv_out or all_rows
    specs = []
    with reader() as connection:
        report = campaign_report(connection, name, ref_today, page=1 if whole else page,
                                 per_page=None if whole else SHOW_PAGE)
        if json_out or csv_out or has_fields(connection, name):  # postcode, city, fields
            specs = add_to_report(connection, report)
    if json_out:
        output.print_json(report)
        return
    if csv_out:
        names = [sp.name for sp in specs]
        output.write_csv(
            [*REQUEST_COLUMNS, "postcode", "city", *names],
            ([*(r[c] for c in REQUEST_COLUMNS), r["postcode"], r["city"],
              *(_csv_value(r["fields"][n]) for n in names)] for r in report["requests"]),
            raw=raw_csv)
        return
    first = 0 if whole else (page - 1) * SHOW_PAGE
    _print_campaign(report, ref_today, _page_caption(report, first, whole))
    if specs:
        output.plain_table("Champs de la campagne", ["Réf.", *(sp.name for sp in specs)],
                           ([r["reference"], *(_csv_value(r["fields"][sp.name]) for sp in specs)]
                            for r in report["requests"]))


def _csv_value(value):
    return {True: "oui", False: "non"}.get(value, value) if isinstance(value, bool) else value


def _page_caption(report: dict, first: int, whole: bool) -> str | None:
    """Which requests the table shows, and how to see the others."""
    total, shown = report["totals"]["requests"], len(report["requests"])
    if whole or (first == 0 and shown == total):
        return None
    if shown == 0:
        pages = -(-total // SHOW_PAGE)
        return f"aucune demande sur cette page : {total} demande(s), {pages} page(s)"
    more = " (--page N, --all pour tout, --csv pour exporter)"
    return f"demandes {first + 1} à {first + shown} sur {total}{more}"


def _print_campaign(report: dict, ref_today: date, caption: str | None = None) -> None:
    from cada_tracker.services.overdue import deadline_label
    from cada_tracker.vocab import STATUSES

    t = report["totals"]
    output.echo(f"Campagne « {report['campaign']} » au {_fr(ref_today)}")
    output.echo(
        f"{t['requests']} demande(s), {t['sent']} envoyée(s), {t['answered']} réponse(s) "
        f"({_percent(t['answer_rate'])}, dont {t['answered_in_time']} dans le délai légal), "
        f"{t['refused']} refus ({t['refused_express']} exprès, {t['refused_implicit']} "
        f"implicite(s)), {t['referred']} saisine(s) de la CADA, {t['obtained']} demande(s) "
        "avec documents obtenus."
    )
    output.echo(f"Délai médian de réponse : {_days(t['median_response_days'])}"
               " (depuis la réception, sinon l'envoi).")
    if t["next_deadline"]:
        grouped = ""
        series = report["series"]
        if series["is_series"] and not series["referred_on"] \
                and t["next_deadline_kind"] in ("cada_earliest", "cada_deadline"):
            import shlex

            grouped = f", pour la série : cada refer --campaign {shlex.quote(report['campaign'])}"
        output.echo(f"Prochaine échéance : {_fr(t['next_deadline'])} "
                    f"({deadline_label(t['next_deadline_kind'], t['next_deadline_state'])}"
                    f"{grouped}).")
    if t["overdue"]:
        output.warn(f"{t['overdue']} demande(s) ont une échéance dépassée (cada overdue).")
    _series_notice(report["series"], report["campaign"])

    def deadline(r) -> str:
        if r["next_deadline"] is None:
            return ""
        label = deadline_label(r["next_deadline_kind"], r["next_deadline_state"])
        return f"{_fr(r['next_deadline'])} {label}"

    output.table(
        None, ["Réf.", "Administration", "Statut", "Attente", "Prochaine échéance"],
        ((r["reference"], r["administration"], STATUSES.get(r["status"], r["status"]),
          _days(r["days_waited"]), deadline(r)) for r in report["requests"]),
        caption=caption, keep=(0,),
    )


def _series_notice(series: dict, campaign: str) -> None:
    if series["referred_on"]:
        output.info(
            f"Série (L342-1 al. 2 CRPA) : la CADA a été saisie pour toute la série le "
            f"{_fr(series['referred_on'])} (saisine groupée) ; son avis unique vaudra pour "
            "chaque demande : ne la saisissez pas à nouveau.")
    elif series["is_series"]:
        import shlex

        output.warn(
            f"série au sens de l'article L342-1 al. 2 CRPA : {series['administrations']} "
            f"administrations ont reçu la même demande (« {series['subject']} »). En cas de "
            "refus, la CADA ne peut être saisie qu'une fois : une saisine unique, qui liste "
            "toutes les demandes de la série, et dont chaque administration concernée doit "
            f"être informée : cada refer --campaign {shlex.quote(campaign)}."
        )
    elif series["with_drafts"] >= series["threshold"]:
        output.info(
            f"Une fois envoyées, les {series['with_drafts']} demandes « {series['subject']} » "
            "formeront une série (L342-1 al. 2 CRPA) : une seule saisine groupée de la CADA."
        )


def stats(
    today_: date = _today_option(),
    all_rows: bool = typer.Option(False, "--all", help=f"Toutes les administrations (sinon les {STATS_PAGE} plus sollicitées)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON (toutes les administrations)."),
    campaign: str = typer.Option(None, "--campaign", metavar="NOM",
                                 help="Seulement les demandes de cette campagne."),
) -> None:
    """Taux de réponse et délais médians, par type d'administration et par
    administration, sur toutes les demandes envoyées (ou celles d'une campagne).

    Le taux de réponse compte les demandes envoyées qui ont reçu une réponse
    (documents, refus exprès ou frais) ; « dans le délai » : au plus tard à la date du
    refus implicite. Le délai médian court de la réception (sinon de l'envoi) à la
    première réponse.

    \b
    Exemple :
      cada stats
      cada stats --campaign vsa-isere
      cada stats --json > stats.json
    """
    from cada_tracker.cli.common import reader, today
    from cada_tracker.services.outcome_query import stats as compute_stats, unknown_campaign
    from cada_tracker.vocab import ADMIN_KINDS

    ref_today = today_ or today()
    with reader() as connection:
        result = compute_stats(connection, ref_today, campaign)
        if campaign is not None and result.overall["requests"] == 0:
            raise unknown_campaign(connection, campaign)
    if json_out:
        data = result.as_dict(ref_today)
        data["campaign"] = campaign
        output.print_json(data)
        return
    o = result.overall
    if o["requests"] == 0:
        output.info("Aucune demande pour l'instant (cada new).")
        return
    whose = f"Campagne « {campaign} » : " if campaign is not None else ""
    output.echo(
        f"{whose}{o['requests']} demande(s), {o['sent']} envoyée(s) ; réponses : {o['answered']} "
        f"({_percent(o['answer_rate'])}), dans le délai légal : {o['answered_in_time']} "
        f"({_percent(o['in_time_rate'])}) ; délai médian : {_days(o['median_response_days'])}."
    )
    columns = ["Envoyées", "Réponses", "Taux", "Dans le délai", "Refus", "CADA",
               "Délai médian"]

    def figures(r):
        return (r["sent"], r["answered"], _percent(r["answer_rate"]),
                _percent(r["in_time_rate"]), r["refused"], r["referred"],
                _days(r["median_response_days"]))

    output.table("Par type d'administration", ["Type", *columns],
                 ((ADMIN_KINDS.get(r["kind"], r["kind"]), *figures(r)) for r in result.by_kind))
    admins = result.by_administration
    shown = admins if all_rows else admins[:STATS_PAGE]
    caption = None
    if len(shown) < len(admins):
        caption = f"{len(shown)} sur {len(admins)} (--all pour tout, --json pour exporter)"
    output.table("Par administration", ["N°", "Administration", *columns],
                 ((r["administration_id"], r["administration"], *figures(r)) for r in shown),
                 caption=caption)
