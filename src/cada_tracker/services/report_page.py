"""The campaign report's HTML: a sandboxed, autoescaping Jinja template with inline SVG."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from cada_tracker.services.report import (
    BAR_HEIGHT,
    CATEGORIES,
    CHART_WIDTH,
    LABEL_WIDTH,
    delays,
    outcome_bars,
)
from cada_tracker.vocab import STATUSES, VERDICTS

TEMPLATE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Campagne « {{ name }} » — bilan</title>
<style>
  body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #222;
         max-width: 190mm; margin: 8mm auto; }
  h1 { font-size: 18pt; margin-bottom: 2mm; } h2 { font-size: 13pt; margin-top: 8mm; }
  .totals { display: flex; flex-wrap: wrap; gap: 3mm; }
  .total { border: 0.4mm solid #bbb; border-radius: 2mm; padding: 2mm 4mm; min-width: 30mm; }
  .total b { display: block; font-size: 16pt; }
  table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
  th, td { border: 0.3mm solid #999; padding: 1.2mm 2mm; text-align: left; }
  svg { width: 100%; height: auto; } svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
  figure, table, .totals { break-inside: avoid; } figure { margin: 0; }
  figcaption { font-size: 9pt; color: #555; }
  @page { size: A4; margin: 12mm; }
  @media print { body { margin: 0 auto; } }
</style></head><body>
<h1>Campagne « {{ name }} »</h1>
<p>Bilan au {{ today | fr }} : {{ totals.requests }} demande(s) à autant
d'administrations{% if subject %}, objet « {{ subject }} »{% endif %}.</p>
<div class="totals">
{% for label, value in figures %}<div class="total"><b>{{ value }}</b>{{ label }}</div>{% endfor %}
</div>

<h2>Réponses par administration</h2>
<figure id="chart-outcomes">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{ width }} {{ bars_height }}"
     role="img" aria-label="Réponses par administration">
{% for b in bars %}
  <text x="{{ label_width - 8 }}" y="{{ b.y + 15 }}" text-anchor="end" font-size="12">{{ b.label }}</text>
  <rect x="{{ label_width }}" y="{{ b.y }}" width="{{ '%.1f' | format(b.width) }}"
        height="{{ bar_height }}" fill="{{ b.colour }}"></rect>
  <text x="{{ label_width + b.width + 6 }}" y="{{ b.y + 15 }}" font-size="12">{{ b.text }}</text>
{% endfor %}
</svg>
<figcaption>Nombre d'administrations par issue de la demande.</figcaption></figure>

<h2>Délais de réponse et mois légal</h2>
<figure id="chart-delays">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{ width }} {{ delays_height }}"
     role="img" aria-label="Délais de réponse">
  <line x1="{{ label_width + month }}" y1="4" x2="{{ label_width + month }}"
        y2="{{ delays_height - 6 }}" stroke="#333" stroke-dasharray="4 3"></line>
  <text x="{{ label_width + month + 4 }}" y="14" font-size="11">1 mois</text>
{% for d in timeline %}
  <text x="{{ label_width - 8 }}" y="{{ d.y + 15 }}" text-anchor="end" font-size="11">{{ d.label | truncate(38) }}</text>
  <rect x="{{ label_width }}" y="{{ d.y }}" width="{{ '%.1f' | format(d.width) }}"
        height="{{ bar_height }}" fill="{{ d.colour }}"></rect>
  {% if d.legal_x is not none %}<line x1="{{ label_width + d.legal_x }}" y1="{{ d.y - 2 }}"
        x2="{{ label_width + d.legal_x }}" y2="{{ d.y + bar_height + 2 }}" stroke="#000"
        stroke-width="2.5"></line>{% endif %}
  <text x="{{ label_width + d.width + 6 }}" y="{{ d.y + 15 }}" font-size="11">{{ d.text }}</text>
{% endfor %}
</svg>
<figcaption>Jours d'attente depuis la réception (sinon l'envoi) ; le trait noir marque
la date du refus implicite de chaque demande (un mois, R311-13 CRPA).</figcaption></figure>
<p>{% for key, (label, colour) in categories %}<span style="color: {{ colour }}">■</span>
{{ label }}{% if not loop.last %} · {% endif %}{% endfor %}</p>

{% if fields %}<h2>Ce que disent les documents</h2>
<table><tr><th>Administration</th>{% for f in fields %}<th>{{ f.name }}</th>{% endfor %}</tr>
{% for r in field_rows %}<tr><td>{{ r.administration }}</td>{% for v in r["values"] %}
<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}

<h2>Saisines de la CADA et avis</h2>
{% if referrals %}<table><tr><th>Réf.</th><th>Administration</th><th>Saisine</th>
<th>Enregistrement</th><th>Avis</th></tr>
{% for r in referrals %}<tr><td>{{ r.reference }}</td><td>{{ r.administration }}</td>
<td>{{ r.referred_on | fr }}</td><td>{{ r.registered_on | fr }}{% if r.cada_ref %}
(n° {{ r.cada_ref }}){% endif %}</td><td>{{ r.opinion_on | fr }}{% if r.verdict %}
— {{ verdicts.get(r.verdict, r.verdict) }}{% endif %}</td></tr>{% endfor %}</table>
{% else %}<p>Aucune saisine de la CADA.</p>{% endif %}

<h2>Les demandes</h2>
<table><tr><th>Réf.</th><th>Administration</th><th>Envoi</th><th>Réponse</th><th>Statut</th></tr>
{% for o in outcomes %}<tr><td>{{ o.reference }}</td><td>{{ o.administration }}</td>
<td>{{ o.sent_on | fr }}</td><td>{{ o.first_answer_on | fr }}</td>
<td>{{ statuses.get(o.status, o.status) }}</td></tr>{% endfor %}</table>
</body></html>
"""


def _fr(value) -> str:
    if value is None or value == "":
        return ""
    iso = value.isoformat() if isinstance(value, date) else str(value)[:10]
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


@lru_cache(maxsize=1)
def _template():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    env.filters["fr"] = _fr
    return env.from_string(TEMPLATE)


def report_html(*, name: str, outcomes: list, totals: dict, today: date, fields: list,
                field_rows: dict, referrals: list[dict]) -> str:
    bars, bars_height = outcome_bars(outcomes, today)
    timeline, delays_height, month = delays(outcomes, today)
    subjects = {o.subject for o in outcomes}
    figures = [("demandes envoyées", totals["sent"]), ("réponses", totals["answered"]),
               ("dans le délai légal", totals["answered_in_time"]),
               ("refus", totals["refused"]), ("saisines de la CADA", totals["referred"]),
               ("avec documents obtenus", totals["obtained"])]
    by_ref = {o.reference: o for o in outcomes}
    rows = [{"administration": by_ref[ref].administration,
             "values": ["oui" if v is True else "non" if v is False else "" if v is None else v
                        for v in (row["fields"][f.name] for f in fields)]}
            for ref, row in field_rows.items() if ref in by_ref]
    return _template().render(
        name=name, today=today, totals=totals, figures=figures,
        subject=subjects.pop() if len(subjects) == 1 else None,
        width=CHART_WIDTH, label_width=LABEL_WIDTH, bar_height=BAR_HEIGHT,
        bars=bars, bars_height=bars_height, timeline=timeline,
        delays_height=max(delays_height, 40), month=month,
        categories=list(CATEGORIES.items()), fields=fields, field_rows=rows,
        referrals=referrals, outcomes=outcomes, statuses=STATUSES, verdicts=VERDICTS)
