"""Public holidays by zone, for the extension of a deadline to the next working day.

Zones: ``metropole`` (the 11 fêtes légales of L3133-1 Code du travail),
``alsace-moselle`` (departments 57, 67, 68: adds Good Friday and 26 December,
L3134-13), and the overseas departments ``971`` Guadeloupe, ``972`` Martinique,
``973`` Guyane, ``974`` La Réunion, ``976`` Mayotte (add their abolition-of-slavery
day, L3422-2). The ``holidays`` package supplies the dates (through
``holiday_table``, generated from it for 2000–2099 by scripts/holiday_table.py; the
package itself outside those years); for overseas zones it
also lists customary days (Mi-Carême, Good Friday in Guadeloupe, 21 July Victor
Schœlcher) that the rule book does not establish as legal holidays: they are
dropped, so that the legal reading never relies on an unproven extension.
The CADA sits in Paris: its deadline uses ``metropole``.

Territories (§12bis-11): ``975`` Saint-Pierre-et-Miquelon has the métropole holidays;
``977`` Saint-Barthélemy (9 October) and ``978`` Saint-Martin (28 May, per etalab's
``jours-feries-france``; sources disagree) are zones of their own. ``984`` TAAF,
``986`` Wallis-et-Futuna, ``987`` Polynésie française and ``988`` Nouvelle-Calédonie,
where the CRPA Livre III applies only in part, are computed as métropole and every
step is marked indicative (``INDICATIVE_ZONES``). ``DEPARTMENT_CODES`` is the one set
of codes that ``cada deadlines --zone`` and the administrations' directory accept.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

ZONES = ("metropole", "alsace-moselle", "971", "972", "973", "974", "975", "976", "977",
         "978", "984", "986", "987", "988")
INDICATIVE_ZONES = frozenset({"984", "986", "987", "988"})
ZONE_LABELS = {
    "metropole": "métropole",
    "alsace-moselle": "Alsace-Moselle",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon",
    "976": "Mayotte",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "984": "Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
}
_SUBDIV = {"alsace-moselle": "57", "971": "971", "972": "972", "973": "973", "974": "974",
           "976": "976", "977": "BL", "978": "MF"}
# Names (in the library's French) kept on top of the métropole list, per zone.
_EXTRA = {
    "alsace-moselle": {"Vendredi saint", "Saint-Étienne"},
    "971": {"Abolition de l'esclavage"},
    "972": {"Abolition de l'esclavage"},
    "973": {"Abolition de l'esclavage"},
    "974": {"Abolition de l'esclavage"},
    "976": {"Abolition de l'esclavage"},
    "977": {"Abolition de l'esclavage"},
    "978": {"Abolition de l'esclavage"},
}
# "20": Corsica before 1976, still used by the CADA's directory of PRADA.
_METROPOLE_DEPARTMENTS = {f"{n:02d}" for n in range(1, 96)} | {"2A", "2B"}
# Zones with the métropole holidays, by their own code.
_AS_METROPOLE = {"975"} | INDICATIVE_ZONES
DEPARTMENT_CODES = frozenset(_METROPOLE_DEPARTMENTS | {"57", "67", "68"} | set(_SUBDIV)
                             | _AS_METROPOLE) - {"alsace-moselle"}


def zone_for(code: str | int) -> str:
    """A calendar zone from a department code or a zone name."""
    value = str(code).strip().lower().replace("_", "-")
    if value in ("metropole", "métropole"):
        return "metropole"
    if value in ("alsace-moselle", "alsace", "moselle"):
        return "alsace-moselle"
    upper = value.upper()
    if upper.isdigit() and len(upper) == 1:
        upper = "0" + upper
    if upper in ("57", "67", "68"):
        return "alsace-moselle"
    if upper in _SUBDIV or upper in _AS_METROPOLE:
        return upper
    if upper in _METROPOLE_DEPARTMENTS:
        return "metropole"
    raise ValueError(
        f"« {code} » n'est ni un code de département ou de collectivité d'outre-mer (ex. 69, "
        "2A, 67, 974, 977, 988) ni une zone (metropole, alsace-moselle)"
    )


# Zones with a calendar of their own in holiday_table (the others use métropole's).
TABLE_ZONES = ("metropole", *_SUBDIV)


@lru_cache(maxsize=512)
def holidays_of(zone: str, year: int) -> dict[date, str]:
    """The zone's holidays of ``year``: from the generated table, else the package."""
    from cada_tracker.deadlines import holiday_table as table

    if table.FIRST <= year <= table.LAST:
        row = table.TABLE[zone if zone in _SUBDIV else "metropole"][year - table.FIRST]
        return {date(year, int(item[:2]), int(item[2:4])): table.NAMES[int(item[5:])]
                for item in row.split()}
    return holidays_from_package(zone, year)


PENTECOST = "Lundi de Pentecôte"


def holidays_from_package(zone: str, year: int) -> dict[date, str]:
    """The zone's holidays as the ``holidays`` package computes them (slow to import:
    every country module of the package comes with ``holidays.France``)."""
    import holidays

    base = dict(holidays.France(years=year, language="fr"))
    if PENTECOST not in base.values():
        # The package leaves out the Monday of Pentecost in 2005-2007, the first years
        # of the « journée de solidarité »; it stayed a fête légale (L3133-1 C. trav.,
        # RULES.md §8), so a délai ending on it still moves on (art. 642 CPC).
        from dateutil.easter import easter

        base[easter(year) + timedelta(days=50)] = PENTECOST
    if zone in _SUBDIV:
        local = holidays.France(subdiv=_SUBDIV[zone], years=year, language="fr")
        base.update({d: n for d, n in local.items() if n in _EXTRA[zone]})
    return base


def holiday_name(d: date, zone: str) -> str | None:
    return holidays_of(zone, d.year).get(d)


def is_working_day(d: date, zone: str) -> bool:
    return d.weekday() < 5 and holiday_name(d, zone) is None


def next_working_day(d: date, zone: str) -> date:
    while not is_working_day(d, zone):
        d += timedelta(days=1)
    return d


def previous_working_day(d: date, zone: str) -> date:
    while not is_working_day(d, zone):
        d -= timedelta(days=1)
    return d
