"""Build a large, realistic cada SQLite database for the benchmarks.

What it produces (default: 100 000 requests in ``bench/data/cada-100k.db``):

- about 2 000 administrations across every department (communes, intercommunalités,
  départements, préfectures, régions, ministères, établissements publics);
- requests created between January 2024 and November 2026, each with 1 to 6
  requested documents, its letter (``letter_html``, as ``cada new`` stores it) and
  the events of its life: sent, received (sometimes mistyped then cancelled),
  acknowledgements, answers (full, partial, refusal, fees, extension), reminders,
  referrals to the CADA, registrations, opinions, court, notes and closing.

The schema is created by cada itself (``cada_tracker.storage.open_db``: the real
migrations), then rows are bulk inserted with ``sqlite3.executemany`` in one
transaction. Everything cada derives from events is computed with cada's own code,
per request, so the database is exactly what cada would have stored:

- ``status``, ``sent_on``, ``received_on``: ``services.lifecycle.derive_status`` / ``first``;
- document outcomes: ``services.lifecycle.derive_outcomes``;
- the stored legal clock (``next_action``, ``action_from``, ``action_due``,
  ``implicit_refusal_on``, ``cada_deadline_on``, ``confirmed_refusal_on``,
  ``court_deadline_on``): ``services.clock.refresh_deadlines`` (pure engine
  ``deadlines.compute`` + ``pending_action``) on a stand-in request object;
- the full-text search index (``search_entry``, and through cada's triggers its FTS5
  table ``search_fts``): the entries of each request's subject, letter, requested
  documents and events, built by ``services.search.index.request_entries`` /
  ``document_entries`` / ``event_entries`` (cada's own cleaning of the text) in the
  workers, in the order and with the ids ``cada db reindex`` gives them; the
  generator stores no files, the one other source cada indexes. So ``cada db check``
  finds nothing missing, ``cada search`` works, and an upgrade has no index to build.

No event is later than ``--today`` (default 2026-11-23, the ``CADA_TODAY`` the
benchmarks pin), so ``cada overdue`` finds a realistic share of actionable items.
The work is split over processes (``--jobs``); the output is deterministic for a
given ``--seed`` and ``--requests``.

    python bench/generate.py                       # 100k requests
    python bench/generate.py --requests 10000 --out bench/data/cada-10k.db
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sqlite3
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from cada_tracker.deadlines import add_months
from cada_tracker.services.clock import refresh_deadlines
from cada_tracker.services.lifecycle import (
    Ev,
    derive_outcomes,
    derive_status,
    derive_summary,
    first,
)
from cada_tracker.services.search import index

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH_DIR / "data" / "cada-100k.db"
DEFAULT_TODAY = date(2026, 11, 23)
FIRST_CREATED = date(2024, 1, 2)
# Whole batches of cada's reindex (index.BATCH requests), so that the search entries
# come in the order `cada db reindex` writes them.
CHUNK = 4 * index.BATCH
DAY = timedelta(days=1)

# --------------------------------------------------------------------------- data pools

DEPARTMENTS = ([f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
               + ["971", "972", "973", "974", "976"])
TOWN_ROOTS = [
    "Étienne", "Chambéry", "Orléans", "Besançon", "Nîmes", "Béziers", "Pézenas", "Agen",
    "Sète", "Évreux", "Mâcon", "Épinal", "Sèvres", "Gérardmer", "Vénissieux", "Créteil",
    "Brûlon", "Aÿ", "Lœuilly", "Fontaine", "Montagne", "Rivière", "Forêt", "Château",
    "Laval", "Rennes", "Quimper", "Brest", "Lorient", "Vannes", "Tulle", "Guéret",
    "Périgueux", "Cahors", "Rodez", "Albi", "Auch", "Tarbes", "Pau", "Mont-de-Marsan",
    "Bayonne", "Dax", "Arcachon", "Cognac", "Saintes", "Niort", "Poitiers", "Châtellerault",
    "Limoges", "Brive", "Aurillac", "Le Puy", "Privas", "Valence", "Montélimar", "Gap",
    "Digne", "Draguignan", "Fréjus", "Hyères", "Toulon", "Grasse", "Menton", "Antibes",
    "Ajaccio", "Bastia", "Corte", "Calvi", "Pointe-à-Pitre", "Fort-de-France", "Cayenne",
    "Saint-Denis", "Mamoudzou", "Colmar", "Mulhouse", "Haguenau", "Metz", "Thionville",
]
TOWN_PREFIXES = ["", "", "", "Saint-", "Sainte-", "Le ", "La ", "Villeneuve-", "Bourg-"]
TOWN_SUFFIXES = ["", "", "", "-sur-Mer", "-les-Bains", "-en-Forêt", "-sur-Saône", "-la-Côte"]
SUBJECTS = [
    "Vidéosurveillance algorithmique", "Caméras de vidéoprotection", "Drones de la police municipale",
    "Capteurs sonores", "Reconnaissance faciale", "Marchés publics de sécurité",
    "Subventions aux associations", "Qualité de l'air (rejets industriels)", "Budget 2025 — annexes",
    "Contrat de délégation de service public de l'eau", "Plan local d'urbanisme", "Notes de frais des élus",
    "Rapport d'activité de la police municipale", "Registre des traitements (RGPD)",
    "Convention avec l'État (vidéoprotection)", "Archives du conseil municipal 1975-1985",
]
DOCUMENTS = [
    "Liste et localisation des caméras, avec leur date de mise en service",
    "Marché de maintenance (CCAP & CCTP)", "Délibérations du conseil municipal",
    "Analyse d'impact relative à la protection des données (AIPD)", "Convention de financement",
    "Rapport d'évaluation annuel", "Factures acquittées 2024", "Bons de commande",
    "Registre des accès aux images", "Arrêté préfectoral d'autorisation",
    "Procès-verbaux de la commission d'appel d'offres", "Courriers échangés avec le prestataire",
    "Étude de sûreté et de sécurité publique", "Budget annexe — section d'investissement (€)",
]
CAMPAIGNS = ["vsa-2024", "vsa-2025", "drones-2025", "technopolice-2026", "marches-2026", "air-2025"]
TAGS = ["vsa", "drones", "urgent", "presse", "suivi-juridique", "environnement"]
KINDS = [("commune", 70), ("intercommunalite", 10), ("etablissement_public", 6),
         ("departement", 5), ("prefecture", 5), ("region", 2), ("ministere", 2)]
ADDRESSEES = {
    "commune": "Monsieur le maire", "intercommunalite": "Madame la présidente",
    "etablissement_public": "Monsieur le directeur", "departement": "Madame la présidente",
    "prefecture": "Monsieur le préfet", "region": "Monsieur le président",
    "ministere": "Madame la ministre",
}
NAME_OF_KIND = {
    "commune": "Mairie de {town}", "intercommunalite": "Communauté d'agglomération de {town}",
    "etablissement_public": "Centre hospitalier de {town}", "departement": "Conseil départemental ({dep})",
    "prefecture": "Préfecture ({dep})", "region": "Conseil régional ({dep})",
    "ministere": "Ministère de l'Intérieur — service n° {i}",
}
SENDER = SimpleNamespace(name="Observatoire citoyen des libertés", city="Lyon",
                         address="12 rue de la Paix\n69003 Lyon", email="contact@observatoire.example")

# What the statistics read (services.lifecycle.derive_summary, migrations 0014, 0020).
SUMMARY_COLUMNS = ("answered_on", "express_refusal", "referred_on", "closed_on",
                   "closed_reason", "obtained", "response_days")
# The rest of the stored clock: the legal last days and the implicit refusal's safe date
# that cada calendar and cada overdue read (migrations 0005, 0016).
CLOCK_EXTRA_COLUMNS = ("action_due_legal", "reasonable_delay_on", "implicit_refusal_safe_on",
                       "cada_deadline_legal_on")
# Columns inserted, in the order of the tuples the workers build.
REQUEST_COLUMNS = (
    "id", "reference", "administration_id", "subject", "mode", "regime", "campaign", "template",
    "letter_html", "profile", "sender_name", "sender_address", "sender_email", "sender_city",
    "status", "sent_on", "received_on", "next_action", "action_from", "action_due",
    "implicit_refusal_on", "cada_deadline_on", "confirmed_refusal_on", "court_deadline_on",
    "created_at", "updated_at", *SUMMARY_COLUMNS, *CLOCK_EXTRA_COLUMNS,
)
EVENT_COLUMNS = ("id", "request_id", "kind", "on", "channel", "tracking", "outcome", "mentions",
                 "got", "refused", "reason", "text", "cancels_id", "recorded_by", "created_at")
DOCUMENT_COLUMNS = ("id", "request_id", "position", "description", "outcome")
SEARCH_COLUMNS = ("request_id", "source", "source_id", "chunk", "label", "status", "body")
ADMIN_COLUMNS = ("id", "name", "kind", "addressee", "street", "postcode", "city", "email",
                 "web_form", "prada_name", "prada_email", "department", "source_key",
                 "created_at", "updated_at")


def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})'


def iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def stamp(d: date, rng: random.Random) -> str:
    """A DateTime as SQLAlchemy stores it in SQLite (naive, microseconds)."""
    moment = datetime(d.year, d.month, d.day, rng.randint(7, 21), rng.randint(0, 59),
                      rng.randint(0, 59), rng.randint(0, 999_999))
    return moment.isoformat(sep=" ", timespec="microseconds")


# --------------------------------------------------------------------- administrations

def make_administrations(count: int, rng: random.Random) -> list[tuple]:
    rows = []
    kinds, weights = zip(*KINDS, strict=True)
    for i in range(1, count + 1):
        dep = DEPARTMENTS[(i - 1) % len(DEPARTMENTS)] if i <= len(DEPARTMENTS) else rng.choice(DEPARTMENTS)
        kind = rng.choices(kinds, weights)[0]
        town = rng.choice(TOWN_PREFIXES) + rng.choice(TOWN_ROOTS) + rng.choice(TOWN_SUFFIXES)
        name = NAME_OF_KIND[kind].format(town=town, dep=dep, i=i)
        digits = "20" if dep in ("2A", "2B") else dep
        postcode = (digits + f"{rng.randint(0, 999):03d}")[:5] if len(digits) == 2 else digits + f"{rng.randint(0, 99):02d}"
        slug = "".join(c for c in town.lower() if c.isascii() and c.isalnum())
        created = stamp(FIRST_CREATED - timedelta(days=rng.randint(1, 60)), rng)
        rows.append((
            i, name, kind, ADDRESSEES[kind], f"{rng.randint(1, 120)} place de l'Hôtel de ville",
            postcode, town, f"contact@{slug}{i}.example" if rng.random() < 0.9 else None,
            f"https://{slug}{i}.example/demarches" if rng.random() < 0.05 else None,
            "Service des affaires juridiques" if rng.random() < 0.4 else None,
            f"prada@{slug}{i}.example" if rng.random() < 0.3 else None,
            dep, f"bench:{i}", created, created,
        ))
    return rows


# ------------------------------------------------------------------------- letters

_LETTER_DATE = date(2026, 3, 15)
_letter_templates: dict[int, str] = {}


def letter_templates() -> dict[int, str]:
    """The ``demande`` letter rendered once per document count, with placeholders.

    Rendering 100 000 letters with Jinja would dominate the generation time; a real
    letter with its values substituted has the same size and shape.
    """
    if not _letter_templates:
        from cada_tracker import letters

        for n in range(1, 7):
            context = {
                "sender": {"name": SENDER.name, "address_lines": SENDER.address.splitlines(),
                           "email": SENDER.email, "city": SENDER.city},
                "recipient": {"name": "QQNAMEQQ", "addressee": "QQADDRQQ",
                              "street_lines": ["QQSTREETQQ"], "postcode": "QQPCQQ",
                              "city": "QQCITYQQ", "email": None, "prada_name": None,
                              "prada_email": None},
                "request": {"reference": "QQREFQQ", "subject": "QQSUBJQQ", "mode": "email",
                            "regime": "general", "campaign": None,
                            "documents": [{"position": p, "description": f"QQDOC{p}QQ",
                                           "outcome": "pending"} for p in range(1, n + 1)],
                            "sent_on": None, "received_on": None, "channel": None,
                            "tracking": None},
                "letter": {"date": _LETTER_DATE, "place": SENDER.city, "tracking": None},
            }
            _letter_templates[n] = letters.render("demande", context)
    return _letter_templates


def letter_html(n_docs: int, values: dict[str, str]) -> str:
    from markupsafe import escape

    html = _letter_templates[n_docs]
    for key, value in values.items():
        html = html.replace(key, str(escape(value)))
    return html


# ----------------------------------------------------------------------- life of a request

class Life:
    """The events of one request, appended in the order cada would record them."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, kind: str, on: date, **fields) -> int:
        self.events.append({"kind": kind, "on": on, **fields})
        return len(self.events) - 1

    @property
    def last(self) -> date:
        return max(e["on"] for e in self.events)


def days(rng: random.Random, lo: int, hi: int) -> timedelta:
    return timedelta(days=rng.randint(lo, hi))


def escalate(life: Life, rng: random.Random, trigger: date) -> None:
    """After a refusal (express or implicit): maybe refer to the CADA, and what follows."""
    if rng.random() >= 0.72:
        if rng.random() < 0.4:
            life.add("close", trigger + days(rng, 40, 200), reason="abandoned")
        return
    referred = trigger + days(rng, 1, 58)
    life.add("referred", referred, channel=rng.choice(["email", "lrar", "portal"]))
    last = referred
    if rng.random() < 0.8:
        last = referred + days(rng, 2, 25)
        life.add("registered", last, text=f"CADA n° {rng.randint(20240001, 20269999)}")
    if rng.random() >= 0.78:
        return
    opinion = last + days(rng, 28, 90)
    verdict = rng.choices(["favorable", "partial", "unfavorable", "moot", "inadmissible",
                           "incompetent"], [55, 10, 10, 15, 5, 5])[0]
    life.add("opinion", opinion, outcome=verdict)
    roll = rng.random()
    favourable = verdict in ("favorable", "partial")
    if favourable and roll < 0.45:
        answered = opinion + days(rng, 7, 70)
        life.add("answer", answered, outcome="full")
        if rng.random() < 0.8:
            life.add("close", answered + days(rng, 0, 30), reason="obtained")
    elif roll > (0.93 if favourable else 0.88):
        life.add("court", opinion + days(rng, 20, 55), channel="portal")
    elif roll > 0.6:
        life.add("close", opinion + days(rng, 30, 150), reason="abandoned")


def life_of(rng: random.Random, created: date, n_docs: int, regime: str, today: date) -> list[dict]:
    """A plausible history: every event respects cada's rules (check_new_event)."""
    life = Life()
    age = (today - created).days
    if rng.random() < (0.6 if age < 15 else 0.025):
        return []  # still a draft
    channel = rng.choices(["lrar", "email", "portal", "letter", "hand"], [45, 35, 10, 7, 3])[0]
    sent = created + days(rng, 0, 6)
    tracking = f"1A {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)} 1" \
        if channel == "lrar" else None
    life.add("sent", sent, channel=channel, tracking=tracking)
    start = sent
    if rng.random() < 0.85:
        received = sent + (DAY * 0 if channel in ("email", "portal", "hand") else days(rng, 1, 6))
        if rng.random() < 0.02:
            # A mistyped reception date, cancelled the same day, then the right one.
            wrong = add_months(received, 1)
            target = life.add("received", wrong)
            life.add("cancel", wrong, cancels=target, text="mauvaise date de réception")
        life.add("received", received)
        start = received
        if rng.random() < 0.3:
            life.add("ack", received + days(rng, 1, 15), mentions=rng.random() < 0.7)
    implicit = add_months(start, 2 if regime == "archives" else 1)

    behaviour = rng.choices(
        ["silence", "full", "partial", "refusal", "extension", "fees"],
        [30, 37, 12 if n_docs > 1 else 0, 14, 8 if regime == "environment" else 1, 2],
    )[0]
    if behaviour == "full":
        answered = start + days(rng, 3, 50)
        life.add("answer", answered, outcome="full")
        if rng.random() < 0.65:
            life.add("close", answered + days(rng, 0, 30), reason="obtained")
    elif behaviour == "fees":
        asked = start + days(rng, 10, 30)
        life.add("answer", asked, outcome="fees")
        if rng.random() < 0.5:
            life.add("close", asked + days(rng, 10, 40), reason="withdrawn")
        else:
            life.add("answer", asked + days(rng, 15, 45), outcome="full")
    elif behaviour == "extension":
        extended = start + days(rng, 12, 29)
        life.add("answer", extended, outcome="extension")
        if rng.random() < 0.6:
            life.add("answer", extended + days(rng, 15, 45), outcome="full")
        else:
            escalate(life, rng, add_months(start, 2))
    elif behaviour == "partial":
        answered = start + days(rng, 10, 45)
        positions = list(range(1, n_docs + 1))
        rng.shuffle(positions)
        cut = rng.randint(1, n_docs - 1)
        life.add("answer", answered, outcome="partial",
                 got=",".join(map(str, sorted(positions[:cut]))),
                 refused=",".join(map(str, sorted(positions[cut:]))),
                 mentions=rng.random() < 0.6)
        escalate(life, rng, answered)
    elif behaviour == "refusal":
        answered = start + days(rng, 5, 45)
        life.add("answer", answered, outcome="refusal",
                 mentions=rng.choices([True, False, None], [55, 35, 10])[0])
        escalate(life, rng, answered)
    else:  # silence
        if rng.random() < 0.5:
            life.add("remind", implicit + days(rng, -5, 20), channel=rng.choice(["email", "lrar"]))
        escalate(life, rng, implicit)

    # Stale requests get closed by whoever tidies the list up.
    closed = any(e["kind"] in ("close", "court") for e in life.events)
    if not closed and (today - life.last).days > 120 and rng.random() < 0.95:
        life.add("close", life.last + days(rng, 60, 200), reason="abandoned")
    if rng.random() < 0.08:
        life.add("note", sent + days(rng, 1, 90), text="Appel au service juridique : réponse promise sous 15 jours")

    # Nothing happens after today: drop later events (their dependants are later still;
    # a cancel is dated like its target).
    return [e for e in life.events if e["on"] <= today]


class _NoSession:
    """refresh_deadlines() only calls session.add(request): nothing to store here."""

    @staticmethod
    def add(_obj) -> None:
        pass


# -------------------------------------------------------------------------- workers

_ADMINS: list[tuple] = []


def created_on(request_id: int, total: int, today: date) -> date:
    """Requests are numbered in the order they were drafted, spread evenly in time."""
    span = (today - DAY * 3 - FIRST_CREATED).days
    return FIRST_CREATED + DAY * ((request_id - 1) * span // total)


def year_starts(total: int, today: date) -> dict[int, int]:
    """The first request id of each year (cada numbers references YEAR-NNNN per year)."""
    starts: dict[int, int] = {}
    for request_id in range(1, total + 1):
        starts.setdefault(created_on(request_id, total, today).year, request_id)
    return starts


def build_chunk(task: tuple) -> dict:
    """Rows of requests ``first_id`` .. ``first_id + count - 1`` (event ids are local)."""
    first_id, count, total, seed, today_iso, starts = task
    today = date.fromisoformat(today_iso)
    rng = random.Random(seed)
    letter_templates()
    requests, documents, events, tags, search = [], [], [], [], []
    # The search entries of the current reindex batch, in the order reindex writes them.
    heads: list[dict] = []
    doc_entries: list[dict] = []
    event_entries: list[dict] = []
    statuses: Counter = Counter()
    next_event = next_document = 1
    for request_id in range(first_id, first_id + count):
        if (request_id - 1) % index.BATCH == 0:
            search += search_tuples(heads + doc_entries + event_entries)
            heads, doc_entries, event_entries = [], [], []
        admin = _ADMINS[rng.randrange(len(_ADMINS))]
        admin_id, admin_name, _kind, addressee, street, postcode, city = admin[:7]
        department = admin[11]
        created = created_on(request_id, total, today)
        regime = rng.choices(["general", "environment", "archives"], [90, 7, 3])[0]
        n_docs = rng.choices(range(1, 7), [25, 30, 20, 12, 8, 5])[0]
        subject = rng.choice(SUBJECTS)
        docs = rng.sample(DOCUMENTS, n_docs)
        campaign = rng.choice(CAMPAIGNS) if rng.random() < 0.3 else None

        history = life_of(rng, created, n_docs, regime, today)
        ids = []
        for _event in history:
            ids.append(next_event)
            next_event += 1
        evs = [Ev(id=ids[i], kind=e["kind"], on=e["on"], outcome=e.get("outcome"),
                  got=e.get("got"), refused=e.get("refused"),
                  cancels_id=ids[e["cancels"]] if "cancels" in e else None,
                  mentions=e.get("mentions"), reason=e.get("reason"),
                  channel=e.get("channel"))
               for i, e in enumerate(history)]

        # What cada derives from the events, with cada's own functions.
        status = derive_status(evs)
        sent, received = first(evs, "sent"), first(evs, "received")
        outcomes = derive_outcomes(evs, n_docs)
        summary = derive_summary(evs, outcomes)
        clock = SimpleNamespace(regime=regime)
        refresh_deadlines(_NoSession, request=clock, admin=SimpleNamespace(department=department),
                          events=evs)
        statuses[status] += 1

        year_ref = f"{created.year}-{request_id - starts[created.year] + 1:04d}"
        created_at = stamp(created, rng)
        updated_at = stamp(max([created] + [e["on"] for e in history]), rng)
        html = letter_html(n_docs, {
            "QQNAMEQQ": admin_name, "QQADDRQQ": addressee, "QQSTREETQQ": street,
            "QQPCQQ": postcode, "QQCITYQQ": city, "QQREFQQ": year_ref, "QQSUBJQQ": subject,
            **{f"QQDOC{p}QQ": d for p, d in enumerate(docs, start=1)},
        }).replace("15 mars 2026", f"{created.day} {_MONTHS[created.month - 1]} {created.year}")
        requests.append((
            request_id, year_ref, admin_id, subject, rng.choice(["email", "email", "paper"]),
            regime, campaign, "demande", html, "defaut", SENDER.name, SENDER.address,
            SENDER.email, SENDER.city, status, iso(sent.on if sent else None),
            iso(received.on if received else None), clock.next_action, iso(clock.action_from),
            iso(clock.action_due), iso(clock.implicit_refusal_on), iso(clock.cada_deadline_on),
            iso(clock.confirmed_refusal_on), iso(clock.court_deadline_on), created_at, updated_at,
            *(iso(v) if isinstance(v, date) else v
              for v in (summary[c] for c in SUMMARY_COLUMNS)),
            *(iso(getattr(clock, c)) for c in CLOCK_EXTRA_COLUMNS),
        ))
        heads += index.request_entries(request_id, subject, html)
        for p, d in enumerate(docs, start=1):
            documents.append((next_document, request_id, p, d, outcomes[p]))
            doc_entries += index.document_entries(request_id, next_document, p, d)
            next_document += 1
        for i, e in enumerate(history):
            event_entries += index.event_entries(request_id, ids[i], e["kind"], e["on"],
                                                 e.get("tracking"), e.get("reason"),
                                                 e.get("text"))
            mentions = e.get("mentions")
            events.append((
                ids[i], request_id, e["kind"], e["on"].isoformat(), e.get("channel"),
                e.get("tracking"), e.get("outcome"), None if mentions is None else int(mentions),
                e.get("got"), e.get("refused"), e.get("reason"), e.get("text"),
                ids[e["cancels"]] if "cancels" in e else None, "bench", stamp(e["on"], rng),
            ))
        if rng.random() < 0.15:
            for tag in rng.sample(TAGS, rng.randint(1, 2)):
                tags.append((request_id, tag))
    search += search_tuples(heads + doc_entries + event_entries)
    return {"requests": requests, "documents": documents, "events": events, "tags": tags,
            "search": search, "event_count": next_event - 1,
            "document_count": next_document - 1, "statuses": statuses}


def search_tuples(entries: list[dict]) -> list[tuple]:
    return [tuple(e[c] for c in SEARCH_COLUMNS) for e in entries]


_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"]


def _init_worker(admins: list[tuple]) -> None:
    global _ADMINS
    _ADMINS = admins


# ----------------------------------------------------------------------------- main

def create_schema(path: Path) -> None:
    """Let cada create the database: the real migrations, exactly as a user gets it."""
    from cada_tracker.paths import resolve
    from cada_tracker.storage import open_db

    engine = open_db(resolve(f"sqlite:///{path}", env={"CADA_HOME": str(path.parent)}))
    engine.dispose()


def remove_db(path: Path) -> None:
    # ".lock": the file cada's upgrade lock takes beside a database (sqlite_file.file_lock).
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def generate(requests: int, out: Path, *, admins: int = 2000, seed: int = 20261123,
             today: date = DEFAULT_TODAY, jobs: int | None = None, quiet: bool = False) -> dict:
    t0 = time.perf_counter()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    remove_db(tmp)
    create_schema(tmp)
    t_schema = time.perf_counter() - t0

    rng = random.Random(seed)
    admin_rows = make_administrations(admins, rng)
    starts = year_starts(requests, today)
    tasks = [(first, min(CHUNK, requests - first + 1), requests, seed * 1000 + first,
              today.isoformat(), starts) for first in range(1, requests + 1, CHUNK)]
    letter_templates()  # rendered once, before the workers fork

    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-200000")
    con.execute("PRAGMA temp_store=MEMORY")
    con.execute("BEGIN")
    con.executemany(insert_sql("administration", ADMIN_COLUMNS), admin_rows)
    sql_request = insert_sql("request", REQUEST_COLUMNS)
    sql_document = insert_sql("requested_document", DOCUMENT_COLUMNS)
    sql_event = insert_sql("event", EVENT_COLUMNS)
    sql_tag = insert_sql("request_tag", ("request_id", "tag"))
    con.execute(f"CREATE TEMP TABLE search_load ({', '.join(SEARCH_COLUMNS)})")

    statuses: Counter = Counter()
    totals = Counter()
    event_offset = document_offset = 0
    jobs = jobs or os.cpu_count() or 1
    t_build = time.perf_counter()
    ctx = multiprocessing.get_context("fork") if sys.platform != "win32" else multiprocessing
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(admin_rows,)) as pool:
        for chunk in pool.imap(build_chunk, tasks):
            # Event and document ids are local to a chunk: shift them (and what cancels
            # and search entries point to).
            events = [(e[0] + event_offset,) + e[1:12]
                      + ((e[12] + event_offset) if e[12] is not None else None,) + e[13:]
                      for e in chunk["events"]]
            documents = [(d[0] + document_offset,) + d[1:] for d in chunk["documents"]]
            con.executemany(sql_request, chunk["requests"])
            con.executemany(sql_document, documents)
            con.executemany(sql_event, events)
            con.executemany(sql_tag, chunk["tags"])
            insert_search(con, chunk["search"], document_offset, event_offset)
            event_offset += chunk["event_count"]
            document_offset += chunk["document_count"]
            statuses += chunk["statuses"]
            totals.update(requests=len(chunk["requests"]), documents=len(documents),
                          events=len(events), tags=len(chunk["tags"]),
                          search_entries=len(chunk["search"]))
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    remove_db(out)
    os.replace(tmp, out)
    remove_db(tmp)
    elapsed = time.perf_counter() - t0
    summary = {"path": str(out), "seconds": elapsed, "schema_seconds": t_schema,
               "rows_seconds": time.perf_counter() - t_build, "administrations": len(admin_rows),
               **totals, "statuses": dict(statuses), "size_mb": out.stat().st_size / 1e6}
    if not quiet:
        print_summary(summary, today)
    return summary


def insert_search(con: sqlite3.Connection, rows: list[tuple], document_offset: int,
                  event_offset: int) -> None:
    """Add a chunk's search entries, their chunk-local document and event ids shifted
    like the rows they point to. Their FTS5 index follows through cada's trigger, run
    here by a single INSERT … SELECT from a temporary table: the trigger is far slower
    run by one INSERT per row (measured on 20k requests: 5.3 s against 2.0 s)."""
    con.executemany(f"INSERT INTO temp.search_load VALUES ({', '.join('?' * len(SEARCH_COLUMNS))})",
                    rows)
    shifted = ("source_id + CASE source WHEN 'document' THEN :documents "
               "WHEN 'event' THEN :events ELSE 0 END")
    columns = ", ".join(shifted if c == "source_id" else c for c in SEARCH_COLUMNS)
    con.execute(f"INSERT INTO search_entry ({', '.join(SEARCH_COLUMNS)}) SELECT {columns} "
                "FROM temp.search_load ORDER BY rowid",
                {"documents": document_offset, "events": event_offset})
    con.execute("DELETE FROM temp.search_load")


def actionable(path: Path, today: date, within: int = 14) -> Counter:
    """What `cada overdue` will report, classified with cada's own function."""
    from cada_tracker.services.overdue import Row, classify

    con = sqlite3.connect(path)
    counts: Counter = Counter()
    query = ("SELECT r.reference, a.name, r.subject, r.campaign, r.next_action, r.action_from, "
             "r.action_due, r.implicit_refusal_on, r.cada_deadline_on, r.confirmed_refusal_on, "
             "r.court_deadline_on FROM request r JOIN administration a ON a.id = r.administration_id "
             "WHERE r.next_action IS NOT NULL")
    for values in con.execute(query):
        values = list(values[:5]) + [date.fromisoformat(v) if v else None for v in values[5:]]
        item = classify(Row(*values), today, within)
        if item is not None:
            counts[("now " if item.now else "soon ") + item.category] += 1
    con.close()
    return counts


CLOCK_FIELDS = ("status", "sent_on", "received_on", "next_action", "action_from", "action_due",
                "implicit_refusal_on", "cada_deadline_on", "confirmed_refusal_on",
                "court_deadline_on", *SUMMARY_COLUMNS)


def verify(path: Path, sample: int, seed: int = 1) -> int:
    """Re-derive ``sample`` requests through cada's ORM (``services.events.refresh``) and
    count the ones whose stored state differs from what the generator wrote."""
    from sqlmodel import select

    from cada_tracker.models import Request
    from cada_tracker.paths import resolve
    from cada_tracker.services.events import refresh
    from cada_tracker.services.requests import documents_of
    from cada_tracker.storage import open_db, session_scope

    engine = open_db(resolve(f"sqlite:///{path}", env={"CADA_HOME": str(path.parent)}))
    mismatches = 0
    with session_scope(engine) as s:
        total = s.exec(select(Request.id).order_by(Request.id.desc())).first() or 0
        for request_id in random.Random(seed).sample(range(1, total + 1), min(sample, total)):
            request = s.get(Request, request_id)
            documents = documents_of(s, request_id)
            before = [getattr(request, f) for f in CLOCK_FIELDS] + [d.outcome for d in documents]
            refresh(s, request=request, documents=documents)
            after = [getattr(request, f) for f in CLOCK_FIELDS] + [d.outcome for d in documents]
            if before != after:
                mismatches += 1
                if mismatches <= 3:
                    print(f"  mismatch {request.reference}: {before} != {after}")
        s.rollback()
    engine.dispose()
    return mismatches


def print_summary(s: dict, today: date) -> None:
    print(f"{s['path']}: {s['requests']} requests, {s['administrations']} administrations, "
          f"{s['documents']} documents, {s['events']} events, {s['tags']} tags, "
          f"{s['search_entries']} search entries, "
          f"{s['size_mb']:.0f} MB")
    print(f"built in {s['seconds']:.1f} s (schema {s['schema_seconds']:.1f} s, "
          f"rows {s['rows_seconds']:.1f} s)")
    print("status:    " + ", ".join(f"{k} {v}" for k, v in sorted(s["statuses"].items(),
                                                                   key=lambda kv: -kv[1])))
    counts = actionable(Path(s["path"]), today)
    print(f"overdue on {today} (within 14 days): " + (", ".join(
        f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) or "nothing"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="number of requests (100000)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"database file ({DEFAULT_OUT.relative_to(BENCH_DIR.parent)})")
    parser.add_argument("--administrations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY,
                        help="no event after this day (the CADA_TODAY of the benchmarks)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (CPU count)")
    parser.add_argument("--verify", type=int, default=300, metavar="N",
                        help="re-derive N random requests with cada's ORM code and compare (300)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    summary = generate(args.requests, args.out, admins=args.administrations, seed=args.seed,
                       today=args.today, jobs=args.jobs, quiet=args.quiet)
    if args.verify:
        t0 = time.perf_counter()
        bad = verify(Path(summary["path"]), args.verify)
        if not args.quiet or bad:
            print(f"verify: {args.verify} random requests re-derived by cada "
                  f"(services.events.refresh): {bad} mismatch(es) "
                  f"[{time.perf_counter() - t0:.1f} s]")
        if bad:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
