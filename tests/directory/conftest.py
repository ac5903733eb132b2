"""The two real directories, parsed once for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from cada_tracker.directory import parse_directory

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def prada():
    return parse_directory(DATA / "annuaire_des_prada.csv")


@pytest.fixture(scope="session")
def alaveteli():
    return parse_directory(DATA / "administrations_alaveteli_sample.csv")
