"""cada campaign report: the campaign's results as an HTML page (and a PDF)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import date_parser


def register(campaign: typer.Typer) -> None:
    campaign.command("report")(report)


def report(
    name: str = typer.Argument(..., metavar="NOM", help="Nom de la campagne."),
    out: Path = typer.Option(..., "--out", help="Page HTML à écrire (ex. bilan.html)."),
    pdf: Path = typer.Option(None, "--pdf", help="Écrire aussi la page en PDF."),
    today_: date = typer.Option(None, "--today", metavar="DATE", parser=date_parser("--today"), help="Date du bilan (défaut : aujourd'hui)."),
    force: bool = typer.Option(False, "--force", help="Remplacer le fichier s'il existe."),
) -> None:
    """Le bilan d'une campagne en une page à montrer ou imprimer : totaux, réponses par
    administration, délais de réponse face au mois légal, champs de la campagne,
    saisines de la CADA et avis. Graphiques en SVG dans la page : ni JavaScript, ni
    accès au réseau.

    \b
    Exemple :
      cada campaign report vsa-2026 --out bilan-vsa.html
      cada campaign report vsa-2026 --out bilan-vsa.html --pdf bilan-vsa.pdf
    """
    from cada_tracker.cli.common import session, today
    from cada_tracker.fileio import atomic_write_bytes, atomic_write_text, refuse_existing
    from cada_tracker.services.campaign_field_values import field_table
    from cada_tracker.services.campaigns import campaign_outcomes, totals
    from cada_tracker.services.report import referrals
    from cada_tracker.services.report_page import report_html

    for flag, path in (("--out", out), ("--pdf", pdf)):
        if path is not None:
            refuse_existing(path, force=force, flag=flag)
    ref_today = today_ or today()
    with session() as s:
        outcomes = campaign_outcomes(s, name)
        specs, rows = field_table(s.connection(), name)
        html = report_html(name=name, outcomes=outcomes, totals=totals(outcomes, ref_today),
                           today=ref_today, fields=specs, field_rows=rows,
                           referrals=referrals(s.connection(), name))
    atomic_write_text(out, html)
    output.success(f"Bilan écrit : {out}")
    if pdf is not None:
        from cada_tracker.cli.common import locations
        from cada_tracker.pdf import Renderer

        atomic_write_bytes(pdf, Renderer(user_dir=locations().user_letters_dir).pdf(html))
        output.success(f"PDF écrit : {pdf}")
