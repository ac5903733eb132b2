"""Files that cannot be read are explained in French, never in the parser's English."""

from __future__ import annotations

import csv
import json
import os
import tomllib

import pytest

from cada_tracker.readerrors import csv_reason, decode_reason, json_reason, toml_reason

ENGLISH = ("Expecting", "Invalid", "line contains", "expected after", "No such file", "Is a directory",
           "Permission denied", "Errno", "codec", "Traceback")


def _french_only(text: str) -> None:
    assert not [word for word in ENGLISH if word in text], text


def test_a_broken_profiles_file_names_its_line_and_column(cli, profile):
    path = os.path.join(os.environ["CADA_HOME"], "profils.json")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"default": "defaut",\n "profiles": {,}}\n')
    result = cli("init", "--name", "Autre", "--address", "1 rue A\\n69001 Lyon",
                 "--email", "a@b.example", "--city", "Lyon", "--profile", "autre")
    assert result.exit_code != 0
    assert "profils.json (JSON invalide à la ligne 2, colonne 15)" in result.stderr
    _french_only(result.stderr)


def test_a_broken_mail_settings_file_names_its_line(cli, profile):
    path = os.path.join(os.environ["CADA_HOME"], "config.toml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('[mail]\nfrom = "a@b.example"\nport = = 3\n')
    result = cli("mail", "fetch")
    assert result.exit_code != 0
    assert "syntaxe TOML invalide à la ligne 3, colonne 8" in result.stderr
    _french_only(result.stderr)


def test_a_folder_given_as_the_recipients_file_is_named_as_a_folder(cli, profile, tmp_path):
    result = cli("new", "--to-file", tmp_path, "--template", "demande-videoprotection",
                 "--yes")
    assert result.exit_code != 0
    assert "c'est un dossier, pas un fichier" in result.stderr
    _french_only(result.stderr)


def test_an_opinions_file_with_a_stray_quote_stops_in_french(cli, tmp_path):
    from cada_tracker.avis import COLUMNS

    source = tmp_path / "avis.csv"
    row = ["20260001", "Commune de Nice", "Avis", "2026", "", '"vidéo"protection']
    source.write_text(",".join(COLUMNS) + "\n" + ",".join(row + [""] * 5) + "\n",
                      encoding="utf-8")
    result = cli("avis", "import", source)
    output = result.stdout + result.stderr
    assert "ligne illisible (texte collé après un guillemet fermant)" in output
    _french_only(output)


@pytest.mark.parametrize(("text", "expected"), [
    ('{"a": 1,\n}', "JSON invalide à la ligne 2, colonne 1"),
    ("[1, 2", "JSON invalide à la ligne 1, colonne 6"),
])
def test_json_reason(text, expected):
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(text)
    assert json_reason(info.value) == expected


def test_toml_reason_with_and_without_a_position():
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads("a = 1\nb = \n")
    assert toml_reason(info.value) == "syntaxe TOML invalide à la ligne 2, colonne 5"
    assert toml_reason(tomllib.TOMLDecodeError("Unclosed")) == \
        "syntaxe TOML invalide en fin de fichier"


def test_csv_reason_maps_the_csv_module_messages():
    csv.field_size_limit(10)
    try:
        with pytest.raises(csv.Error) as info:
            list(csv.reader(["a," + "x" * 20]))
    finally:
        csv.field_size_limit(131072)
    assert csv_reason(info.value) == "champ trop long"
    assert csv_reason(csv.Error("',' expected after '\"'")) == \
        "texte collé après un guillemet fermant"
    assert csv_reason(csv.Error("something new")) == "format CSV illisible"


def test_decode_reason_gives_the_byte():
    with pytest.raises(UnicodeDecodeError) as info:
        b"ab\xffc".decode("utf-8")
    assert decode_reason(info.value) == "le fichier n'est pas en UTF-8 (octet n° 3)"
