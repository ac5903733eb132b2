"""``cada campaign report``: one HTML page (and its PDF) a group can show and print.

Totals; a bar chart of outcomes by administration; a timeline of each
administration's answer delay against its legal month (to the implicit refusal
date); the table of campaign fields; the referrals and the CADA's opinions. The
charts are inline SVG computed here (no JavaScript, no network: the page's
Content-Security-Policy forbids both); every text comes through Jinja's
autoescape, so an administration's name is never markup.

>>> category(Outcome(id=1, reference="x", sent_on=date(2026, 1, 5)), date(2026, 1, 10))
'pending'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cada_tracker.services.campaigns import Outcome

CATEGORIES = {  # key: (label, colour)
    "obtained": ("documents obtenus", "#2e7d32"),
    "partial": ("communication partielle", "#9ccc65"),
    "refused_express": ("refus exprès", "#c62828"),
    "refused_implicit": ("refus implicite (silence)", "#ef6c00"),
    "pending": ("en attente, dans le délai", "#1e88e5"),
    "draft": ("pas encore envoyée", "#9e9e9e"),
}
BAR_HEIGHT = 22
LABEL_WIDTH = 260
CHART_WIDTH = 720


def category(o: Outcome, today: date) -> str:
    if not o.sent:
        return "draft"
    if o.express_refusal and not o.obtained:
        return "refused_express"
    if o.obtained:
        return "obtained" if o.documents_obtained >= o.documents or o.closed_reason == \
            "obtained" else "partial"
    if o.implicit_refusal(today):
        return "refused_implicit"
    return "pending"


@dataclass(frozen=True)
class Bar:
    y: int
    label: str
    width: float
    colour: str
    text: str


def outcome_bars(outcomes: list[Outcome], today: date) -> tuple[list[Bar], int]:
    """One bar per outcome: how many administrations are there."""
    counts = {key: 0 for key in CATEGORIES}
    for o in outcomes:
        counts[category(o, today)] += 1
    top = max(counts.values()) or 1
    bars, y = [], 10
    for key, count in counts.items():
        label, colour = CATEGORIES[key]
        bars.append(Bar(y, label, (CHART_WIDTH - LABEL_WIDTH - 60) * count / top, colour,
                        str(count)))
        y += BAR_HEIGHT + 8
    return bars, y + 10


@dataclass(frozen=True)
class Delay:
    y: int
    label: str
    width: float
    colour: str
    text: str
    legal_x: float | None


def delays(outcomes: list[Outcome], today: date) -> tuple[list[Delay], int, float]:
    """Per sent request: days waited (bar) and the legal month (a mark), one scale."""
    sent = [o for o in outcomes if o.start is not None]
    legal = {o.reference: (o.implicit_refusal_on - o.start).days
             for o in sent if o.implicit_refusal_on is not None}
    longest = max([o.days_waited(today) or 0 for o in sent] + list(legal.values()) + [31])
    scale = (CHART_WIDTH - LABEL_WIDTH - 130) / longest
    rows, y = [], 24
    for o in sorted(sent, key=lambda o: (o.days_waited(today) or 0), reverse=True):
        days = o.days_waited(today) or 0
        colour = CATEGORIES[category(o, today)][1]
        state = "réponse" if o.answered else "sans réponse"
        rows.append(Delay(y, f"{o.administration} ({o.reference})", max(days * scale, 1.5),
                          colour, f"{days} j, {state}",
                          legal[o.reference] * scale if o.reference in legal else None))
        y += BAR_HEIGHT + 6
    return rows, y + 10, 30 * scale


def referrals(conn, campaign: str) -> list[dict]:
    """Referrals to the CADA, their registration and the opinions, per request."""
    from sqlalchemy import text

    rows = conn.execute(text(
        'SELECT r.reference, a.name, e.kind, e."on", e.tracking, e.outcome, e.id '
        "FROM event e JOIN request r ON r.id = e.request_id "
        "JOIN administration a ON a.id = r.administration_id "
        "WHERE r.campaign = :c AND e.kind IN ('referred', 'registered', 'opinion') "
        "AND e.id NOT IN (SELECT cancels_id FROM event WHERE kind = 'cancel' "
        "AND cancels_id IS NOT NULL) ORDER BY r.reference, e.\"on\", e.id"),
        {"c": campaign}).all()
    found: dict[str, dict] = {}
    for ref, admin, kind, on, tracking, outcome, _ in rows:
        item = found.setdefault(ref, {"reference": ref, "administration": admin,
                                      "referred_on": None, "registered_on": None,
                                      "cada_ref": None, "opinion_on": None, "verdict": None})
        if kind == "referred" and item["referred_on"] is None:
            item["referred_on"] = on
        elif kind == "registered":
            item["registered_on"], item["cada_ref"] = on, tracking
        elif kind == "opinion":
            item["opinion_on"], item["verdict"] = on, outcome
    return list(found.values())
