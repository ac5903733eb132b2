from datetime import date, datetime

import pytest

from cada_tracker.frenchdates import date_fr


def test_first_of_month_is_1er():
    assert date_fr(date(2026, 3, 1)) == "1er mars 2026"


def test_other_days():
    assert date_fr(date(2026, 3, 15)) == "15 mars 2026"
    assert date_fr(date(2026, 8, 1)) == "1er août 2026"
    assert date_fr(date(2026, 12, 31)) == "31 décembre 2026"


def test_datetime_is_written_as_its_date():
    assert date_fr(datetime(2026, 3, 1, 23, 59)) == "1er mars 2026"


def test_not_a_date():
    with pytest.raises(TypeError):
        date_fr("2026-03-01")
