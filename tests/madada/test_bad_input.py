"""Ma Dada files that are well-formed JSON but unfit for the database: exit 2, named."""

from __future__ import annotations

import random
import string

import pytest

from tests.madada.conftest import variant

both = pytest.mark.usefixtures("backend")


def _random_text(length: int) -> str:
    rng = random.Random(length)
    return "".join(rng.choice(string.ascii_letters) for _ in range(length))


@both
@pytest.mark.parametrize("field", ["name", "url_name", "tags"])
def test_a_public_body_text_too_long_for_an_index_is_named(cli, profile, tmp_path, field):
    long = _random_text(3000)

    def edit(data):
        data["public_body"][field] = [[long, None]] if field == "tags" else long

    result = cli("madada", "import", variant(tmp_path, "long.json", edit))
    assert result.exit_code == 2, result.stderr
    assert f"public_body.{field}" in result.stderr and "au plus" in result.stderr
    assert cli("admin", "list", "--json").json() == []
