"""Bad input found by review: each one a French message and exit 2, never exit 70."""

from __future__ import annotations

import random
import string

import pytest

both = pytest.mark.usefixtures("backend")


def _no_traceback(result):
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.exit_code != 70, result.stderr


def _random_text(length: int) -> str:
    """Letters PostgreSQL cannot compress below its index row limit (2,704 bytes)."""
    rng = random.Random(length)
    return "".join(rng.choice(string.ascii_letters) for _ in range(length))


@both
def test_an_administration_name_too_long_for_an_index_is_refused(cli, profile):
    name = _random_text(3000)
    result = cli("admin", "add", name, "--kind", "commune", "--postcode", "69001",
                 "--city", "Lyon")
    _no_traceback(result)
    assert result.exit_code == 2
    assert "Nom de l'administration" in result.stderr and "500 au plus" in result.stderr
    assert cli("admin", "list", "--json").json() == []


@both
def test_a_tag_too_long_for_an_index_is_refused(cli, admin_id):
    tag = _random_text(3000)
    result = cli("new", "--to", admin_id, "--subject", "Caméras", "--doc", "Liste",
                 "--tag", tag)
    _no_traceback(result)
    assert result.exit_code == 2 and "--tag" in result.stderr and "100 au plus" in result.stderr
    assert cli("list", "--json").json() == []
    again = cli("admin", "add", "Mairie de Bron", "--kind", "commune", "--postcode", "69500",
                "--city", "Bron", "--tag", tag)
    assert again.exit_code == 2 and "--tag" in again.stderr


@both
def test_a_folded_name_too_long_for_an_index_is_refused(cli, profile):
    # NFKD turns each of these into 18 letters: 200 characters, 7,200 bytes folded.
    result = cli("admin", "add", "\ufdfa" * 200, "--kind", "commune", "--postcode", "69001",
                 "--city", "Lyon")
    _no_traceback(result)
    assert result.exit_code == 2 and "décomposés" in result.stderr


@both
def test_a_directory_row_too_long_for_an_index_is_rejected_with_its_line(cli, profile,
                                                                          tmp_path):
    csv_file = tmp_path / "annuaire.csv"
    csv_file.write_text(
        "#id,name,request_email,notes,home_page,tag_string\n"
        "mairie-1,Mairie de Bron,a@bron.example,,,\n"
        f"mairie-2,{_random_text(3000)},b@bron.example,,,\n", encoding="utf-8")
    strict = cli("admin", "import", csv_file, "--strict")
    _no_traceback(strict)
    assert strict.exit_code == 2 and "Ligne 3" in strict.stderr and "500 au plus" in strict.stderr
    lenient = cli("admin", "import", csv_file, "--tag", _random_text(3000))
    assert lenient.exit_code == 2 and "--tag" in lenient.stderr
    done = cli("admin", "import", csv_file)
    assert done.exit_code == 0, done.stderr
    assert len(cli("admin", "list", "--json").json()) == 1


def test_a_schema_that_is_not_utf8_is_a_damaged_database(cli, admin_id):
    import sqlite3

    from cada_tracker import storage
    from cada_tracker.paths import resolve

    for engine in storage._engines.values():
        engine.dispose()
    conn = sqlite3.connect(resolve().sqlite_path)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = CAST(X'435245415445ff20' AS TEXT) "
                 "WHERE name = 'ix_administration_name'")
    conn.commit()
    conn.close()
    storage._engines.clear()
    result = cli("admin", "list")
    _no_traceback(result)
    assert result.exit_code == 5 and "endommagée" in result.stderr
    assert "UnicodeDecodeError" not in result.stderr


_PROFILE = {"name": "Technopolice", "address": "1 rue X", "email": "a@b.fr", "city": "Lyon"}


@pytest.mark.parametrize("content, named", [
    ([], "clé « profiles »"),
    ({"default": "a", "profiles": {"a": "Technopolice"}}, "le profil « a »"),
    ({"default": "a", "profiles": {"a": {**_PROFILE, "city": 69}}}, "champ « city »"),
    ({"default": "a", "profiles": {"a": {**_PROFILE, "phone": "01"}}}, "champ inconnu « phone »"),
    ({"default": 3, "profiles": {"a": _PROFILE}}, "« default »"),
    ({"default": "a", "profiles": {"a": {"name": "T"}}}, "champ « address »"),
])
def test_a_profiles_file_of_the_wrong_shape_is_named(cli, isolated_home, content, named):
    import json

    isolated_home.mkdir(parents=True, exist_ok=True)
    path = isolated_home / "profils.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    for args in (["new", "--to", "1", "--subject", "S", "--doc", "D"],
                 ["init", "--name", "T", "--address", "1 rue X", "--email", "a@b.fr",
                  "--city", "Lyon"]):
        result = cli(*args)
        _no_traceback(result)
        assert result.exit_code == 2, (args, result.stderr)
        assert str(path) in result.stderr and named in result.stderr


def _cada(*args: str, stdin=None, timeout: float = 60):
    """cada in a child with 1 GB of memory at most, as a user's shell starts it."""
    import os
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    return subprocess.run([sys.executable, "-m", "cada_tracker", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, env=os.environ,
                          preexec_fn=limit)


def test_to_file_is_read_with_a_limit(cli, admin_id, tmp_path):
    big = tmp_path / "liste.txt"
    big.write_text("Mairie de Lyon\n" * 1_400_000, encoding="utf-8")
    result = cli("new", "--to-file", big, "--subject", "S", "--doc", "D")
    _no_traceback(result)
    assert result.exit_code == 2 and "plus de 20 Mo" in result.stderr and str(big) in result.stderr
    endless = _cada("new", "--to-file", "/dev/zero", "--subject", "S", "--doc", "D")
    assert endless.returncode == 2 and "/dev/zero" in endless.stderr, endless.stderr
    piped = _cada("new", "--to-file", "/dev/stdin", "--subject", "S", "--doc", "D",
                  "--dry-run", "--json", stdin=f"{admin_id}\n")
    assert piped.returncode == 0, piped.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/stdin"])
def test_a_directory_that_is_not_a_regular_file_is_refused(cli, profile, device):
    result = _cada("admin", "import", device, stdin="#id,name,request_email\n")
    assert result.returncode == 2, result.stderr
    assert device in result.stderr and "pas un fichier ordinaire" in result.stderr


def test_a_madada_json_that_never_ends_is_refused(cli, profile):
    result = _cada("madada", "import", "/dev/zero")
    assert result.returncode == 2 and "/dev/zero" in result.stderr and "Mo" in result.stderr


@pytest.mark.parametrize("url, named", [
    ("postgresql://[::1", "serveur ou port illisible"),
    ("postgresql+psycopg://cada:secretpw@[::1/cada", "serveur ou port illisible"),
    ("postgresql+psycopg://cada:secretpw@db.example:port/cada", "serveur ou port illisible"),
    ("sqlite:///{tmp}/x.db?timeout=abc", "paramètre « timeout »"),
    ("sqlite:///{tmp}/x.db?foo=bar", "paramètre « foo »"),
    ("postgresql+psycopg://cada:secretpw@127.0.0.1:1/cada?sslmode=disable&foo=bar",
     "paramètre « foo » inconnu de PostgreSQL"),
    ("postgresql+psycopg://cada:secretpw@127.0.0.1:1/cada?sslmode=nope",
     "paramètre « sslmode », valeur « nope » inconnue de PostgreSQL (valeurs possibles : "
     "disable, allow, prefer, require, verify-ca, verify-full)"),
    ("postgresql+psycopg://cada:secretpw@127.0.0.1:1/cada?target_session_attrs=zz",
     "paramètre « target_session_attrs », valeur « zz »"),
    ("postgresql+psycopg://cada:secretpw@127.0.0.1:1/cada?connect_timeout=abc",
     "paramètre « connect_timeout », « abc » n'est pas un nombre entier"),
])
def test_a_malformed_database_url_is_refused_in_french(tmp_path, url, named):
    url = url.format(tmp=tmp_path)
    result = _cada("--db", url, "list")
    assert result.returncode == 5, result.stderr
    assert named in result.stderr and "adresse de base de données" in result.stderr
    assert "secretpw" not in result.stderr + result.stdout
    assert "Warning" not in result.stderr and "Error" not in result.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("variable", ["CADA_EXTRACT_TIMEOUT", "CADA_EXTRACT_MEMORY_MB"])
@pytest.mark.parametrize("value", ["abc", "-1", "0", "1.5"])
def test_bad_extraction_limits_are_named(cli, draft_ref, tmp_path, monkeypatch, variable,
                                         value):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "email", ok=True)
    note = tmp_path / "note.txt"
    note.write_text("Réponse de la mairie\n", encoding="utf-8")
    monkeypatch.setenv(variable, value)
    result = cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "full",
                 "--attach", note)
    _no_traceback(result)
    assert result.exit_code == 2 and f"{variable} : « {value} »" in result.stderr
    monkeypatch.delenv(variable)
    assert len(cli("show", draft_ref, "--json", ok=True).json()["events"]) == 1


def test_db_check_on_a_busy_database_says_busy_not_reindex(cli, draft_ref, monkeypatch):
    import sqlite3

    from cada_tracker.paths import resolve

    monkeypatch.setenv("CADA_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(resolve().sqlite_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another command writing
    try:
        result = cli("db", "check")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _no_traceback(result)
    assert result.exit_code == 5 and "occupée" in result.stderr
    assert "reindex" not in result.stderr + result.stdout


@pytest.mark.parametrize("given", ["", "dossier"])
def test_calendar_out_that_is_a_folder_is_named(cli, draft_ref, tmp_path, given):
    (tmp_path / "work" / "dossier").mkdir()
    result = cli("calendar", "--out", given)
    _no_traceback(result)
    assert result.exit_code == 2 and "est un dossier" in result.stderr
    assert ".tmp" not in result.stderr and "n°" not in result.stderr


def test_an_atomic_write_error_names_the_users_file(tmp_path):
    from cada_tracker.fileio import atomic_write_text

    target = tmp_path / "sortie" / "occupé"
    target.mkdir(parents=True)
    (target / "x").write_text("")  # a folder that is not empty cannot be replaced
    with pytest.raises(OSError) as caught:
        atomic_write_text(target, "texte")
    assert caught.value.filename == str(target)
    assert [p.name for p in target.parent.iterdir()] == ["occupé"]  # no .tmp left


def test_a_folder_in_the_staging_folder_is_left_alone(cli, draft_ref, isolated_home):
    from cada_tracker.paths import resolve

    stray = resolve().data_dir / ".en-cours" / "7"
    stray.mkdir(parents=True)
    result = cli("list")
    _no_traceback(result)
    assert result.exit_code == 0, result.stderr
    assert stray.is_dir()


def test_known_postgresql_options_pass_the_url_check(tmp_path):
    """libpq's own options (sslmode, application_name…) are not refused by the check:
    the connection is tried (here to a closed port) and its failure said in French."""
    result = _cada("--db", "postgresql+psycopg://cada@127.0.0.1:1/cada?sslmode=disable"
                   "&application_name=cada&connect_timeout=3&target_session_attrs=any",
                   "list")
    assert result.returncode != 0
    assert "inconnu de PostgreSQL" not in result.stderr and "Traceback" not in result.stderr
    assert "inconnue de PostgreSQL" not in result.stderr and "entier" not in result.stderr


@pytest.mark.parametrize("args, said", [
    (["sent", "--campaign", "x", "--on", "2026-03-02", "--via", "lrar", "--from-file",
      "{folder}"], "--from-file : « {folder} » est un dossier, pas un fichier"),
    (["export", "--campaign", "x", "--out", "{file}"],
     "--out : « {file} » est un fichier, pas un dossier"),
])
def test_a_path_of_the_wrong_kind_is_named_in_french(cli, profile, tmp_path, args, said):
    """Typer's own check of a path option said « File '…' is a directory. »; a path
    holding « or » is given untouched (the pydantic « or » → « ou » is not for it)."""
    folder, file = tmp_path / "l'appel or not", tmp_path / "notes or.txt"
    folder.mkdir()
    file.write_text("")
    names = {"folder": str(folder), "file": str(file)}
    result = cli(*(a.format(**names) for a in args))
    _no_traceback(result)
    assert result.exit_code == 2
    assert said.format(**names) in result.stderr, result.stderr
    assert " is a " not in result.stderr
