"""Ma Dada files that are well-formed JSON but unfit for the database: exit 2, named."""

from __future__ import annotations

import random
import string

import pytest

import zipfile

from tests.madada.conftest import VIDEO, VIDEO_URL, correspondence, variant

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


@both
@pytest.mark.parametrize("field", ["title", "public_body.name", "public_body.notes", "tags"])
def test_a_nul_character_in_a_text_field_is_named(cli, profile, tmp_path, field):
    def edit(data):
        if field == "tags":
            data["tags"] = [["vid\u0000eo", None]]
        elif field == "title":
            data["title"] += "\u0000"
        else:
            data["public_body"][field.split(".")[1]] = "Mairie\u0000"

    result = cli("madada", "import", variant(tmp_path, "nul.json", edit))
    assert result.exit_code == 2, result.stderr
    assert f"« {field} »" in result.stderr and "NUL" in result.stderr
    assert cli("list", "--json").json() == []


@both
def test_a_nul_character_in_the_correspondence_is_dropped(cli, profile, tmp_path):
    text = correspondence(VIDEO_URL, "Dispositif").replace("Je sollicite", "Je\x00 sollicite")
    archive = tmp_path / "nul.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("correspondence.txt", text)
    result = cli("madada", "import", VIDEO, "--zip", archive, "--json")
    assert result.exit_code == 0, result.stderr
    from sqlalchemy import create_engine, text as sql

    from cada_tracker.paths import resolve

    engine = create_engine(resolve().database_url)
    with engine.connect() as conn:
        letter = conn.execute(sql("SELECT letter_html FROM request")).scalar_one()
    engine.dispose()
    assert "Je sollicite" in letter
