"""Holiday calendars against the rule book §8 (L3133-1, L3134-13, L3422-2)."""

from __future__ import annotations

from datetime import date as D

import pytest

from cada_tracker.deadlines import zone_for
from cada_tracker.deadlines.calendar import holidays_of, is_working_day, next_working_day

METROPOLE_2026 = {D(2026, 1, 1), D(2026, 4, 6), D(2026, 5, 1), D(2026, 5, 8), D(2026, 5, 14),
                  D(2026, 5, 25), D(2026, 7, 14), D(2026, 8, 15), D(2026, 11, 1),
                  D(2026, 11, 11), D(2026, 12, 25)}


def test_metropole_has_the_eleven_fetes_legales():
    assert set(holidays_of("metropole", 2026)) == METROPOLE_2026


def test_alsace_moselle_adds_good_friday_and_26_december():
    assert set(holidays_of("alsace-moselle", 2026)) == METROPOLE_2026 | {D(2026, 4, 3),
                                                                         D(2026, 12, 26)}
    assert zone_for("57") == zone_for("67") == zone_for(68) == "alsace-moselle"


@pytest.mark.parametrize("zone, day", [
    ("976", D(2026, 4, 27)), ("972", D(2026, 5, 22)), ("971", D(2026, 5, 27)),
    ("973", D(2026, 6, 10)), ("974", D(2026, 12, 20)),
])
def test_overseas_adds_only_its_abolition_day(zone, day):
    assert set(holidays_of(zone, 2026)) == METROPOLE_2026 | {day}
    assert zone_for(zone) == zone


def test_zone_names_and_errors():
    assert zone_for("69") == zone_for("2A") == zone_for("metropole") == zone_for("1") == "metropole"
    with pytest.raises(ValueError, match="999"):
        zone_for("999")


@pytest.mark.parametrize("year", [2000, 2100])
def test_years_2000_and_2100(year):
    days = holidays_of("metropole", year)
    assert D(year, 7, 14) in days and D(year, 12, 25) in days and len(days) >= 11


def test_chained_non_working_days():
    # Friday 1 May 2026 (holiday), then the weekend → Monday 4 May.
    assert next_working_day(D(2026, 5, 1), "metropole") == D(2026, 5, 4)
    assert not is_working_day(D(2026, 4, 3), "alsace-moselle")
    assert is_working_day(D(2026, 4, 3), "metropole")


def test_the_generated_table_is_what_the_holidays_package_says():
    """A ``holidays`` release that changes a date fails here: run the script again."""
    import importlib.util
    from pathlib import Path

    from cada_tracker.deadlines import holiday_table

    script = Path(__file__).resolve().parent.parent / "scripts" / "holiday_table.py"
    spec = importlib.util.spec_from_file_location("holiday_table_script", script)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    names, rows = generator.table()
    assert (holiday_table.FIRST, holiday_table.LAST) == (generator.FIRST, generator.LAST)
    assert holiday_table.NAMES == names, "python scripts/holiday_table.py"
    for zone, per_year in rows.items():
        assert holiday_table.TABLE[zone] == per_year, f"{zone}: python scripts/holiday_table.py"


@pytest.mark.parametrize("zone", ["metropole", "alsace-moselle", "974", "977", "986"])
def test_outside_the_table_the_package_answers(zone):
    from cada_tracker.deadlines import holiday_table
    from cada_tracker.deadlines.calendar import holidays_from_package

    for year in (holiday_table.FIRST - 1, holiday_table.LAST + 1):
        assert holidays_of(zone, year) == holidays_from_package(zone, year)
        assert D(year, 12, 25) in holidays_of(zone, year)
    inside = holiday_table.FIRST + 26
    assert holidays_of(zone, inside) == holidays_from_package(zone, inside)


@pytest.mark.parametrize("zone", ["metropole", "alsace-moselle", "972"])
def test_the_monday_of_pentecost_stays_a_holiday_in_the_solidarity_years(zone):
    """The ``holidays`` package drops it in 2005-2007 (journée de solidarité); it
    remained one of the fêtes légales (L3133-1 C. trav.), so a délai ending on it
    moves to the next day (a review found 16 May 2005 counted as a working day)."""
    for day in (D(2005, 5, 16), D(2006, 6, 5), D(2007, 5, 28), D(2026, 5, 25)):
        assert holidays_of(zone, day.year).get(day) == "Lundi de Pentecôte"
    assert next_working_day(D(2005, 5, 14), zone) == D(2005, 5, 17)
