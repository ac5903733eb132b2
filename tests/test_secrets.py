"""A database password never reaches the screen, a file or a command line."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from cada_tracker.dburl import display_url, scrub, secrets_in, without_password

SECRET = "S3cr3t-m0t"


@pytest.mark.parametrize("url, shown", [
    ("postgresql+psycopg://cada:pw1234@db.example/cada",
     "postgresql+psycopg://cada:***@db.example/cada"),
    ("postgresql+psycopg://cada:p@ss:w@rd@db.example:5432/cada",
     "postgresql+psycopg://cada:***@db.example:5432/cada"),
    ("postgresql+psycopg://:pw1234@db.example/cada", "postgresql+psycopg://:***@db.example/cada"),
    ("postgresql+psycopg:/cada:pw1234@db.example/cada",
     "postgresql+psycopg:/cada:***@db.example/cada"),
    ("postgresql+psycopg://cada@db.example/cada?password=pw1234&sslmode=require",
     "postgresql+psycopg://cada@db.example/cada?password=***&sslmode=require"),
    ("postgresql://db.example/cada?sslmode=require&PassWord=pw1234",
     "postgresql://db.example/cada?sslmode=require&PassWord=***"),
    ("cada:pw1234@db.example/cada", "cada:***@db.example/cada"),
    ("sqlite:////home/m@rie/cada.db", "sqlite:////home/m@rie/cada.db"),
    ("postgresql://cada@db.example/cada", "postgresql://cada@db.example/cada"),
])
def test_every_shape_of_url_is_masked(url, shown):
    assert display_url(url) == shown
    for secret in secrets_in(url):
        assert secret not in without_password(url)
        assert secret not in scrub(f"erreur sur {url} (mot de passe {secret})", url)
    assert bool(secrets_in(url)) == ("***" in shown)


def test_percent_encoded_passwords_are_found_decoded_too():
    url = "postgresql://cada:p%40ss%3Aword@db/cada"
    assert set(secrets_in(url)) == {"p%40ss%3Aword", "p@ss:word"}
    assert scrub("refusé pour p@ss:word", url) == "refusé pour ***"


@pytest.mark.parametrize("password", ["e", "serveur", "cada"])
def test_a_password_that_is_a_word_is_masked_but_leaves_the_words_alone(password):
    """Replacing every occurrence garbled the messages of a user whose password is a
    common word (« l***s s***rv***urs »): a password reaches a message as a token of
    its own, so only such occurrences are masked, and all of them are."""
    from cada_tracker.mail.config import Secret

    url = f"postgresql://cada:{password}@db.example/cada"
    words = "les serveurs des cadastres ont répondu : échec"
    message = f"{words} pour {url} (password={password}; « {password} » {password})"
    for shown in (scrub(message, url), Secret(password).redact(message)):
        assert shown.startswith(words)
        assert f"={password};" not in shown and f"« {password} »" not in shown
        assert f":{password}@" not in shown and not shown.endswith(f" {password})")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*")
                     if p.is_file())


def test_a_story_with_a_password_never_shows_it(cli, pg_server, monkeypatch, tmp_path,
                                                isolated_home):
    base = pg_server.create_database()  # trust authentication: any password is accepted
    userinfo = base.replace("cada@", f"cada:{SECRET}@")
    query = f"{base}?password={SECRET}"
    outputs: list[str] = []

    def run(*args):
        result = cli(*args)
        outputs.append(result.stdout + result.stderr)
        return result

    reply = tmp_path / "réponse.pdf"
    reply.write_bytes(b"%PDF-1.4 reply")
    for url in (userinfo, query):
        monkeypatch.setenv("CADA_DATABASE_URL", url)
        run("init", "--name", "Collectif", "--address", r"1 rue X\n69001 Lyon", "--email",
            "c@example.org", "--city", "Lyon")
        admin = run("admin", "add", f"Mairie {len(outputs)}", "--kind", "commune",
                    "--postcode", "69001", "--city", "Lyon", "--json").json()["id"]
        ref = run("new", "--to", admin, "--subject", "Caméras", "--doc", "Liste",
                  "--json").json()["reference"]
        assert run("sent", ref, "--on", "2026-03-02", "--via", "lrar").exit_code == 0
        assert run("answer", ref, "--on", "2026-03-20", "--outcome", "refusal",
                   "--attach", reply).exit_code == 0
        assert run("refer", ref, "--on", "2026-04-02", "--via", "lrar").exit_code == 0
        for args in (("show", ref), ("show", ref, "--json"), ("list",), ("overdue",),
                     ("db", "path"), ("db", "path", "--json"), ("db", "backup"),
                     ("db", "check"), ("show", "2099-9999")):
            run(*args)
    assert any(o.startswith("pg_dump") for o in outputs)
    # Servers that fail, and a mistyped URL: their errors quote the URL.
    port = _closed_port()
    for url in (f"postgresql+psycopg://cada:{SECRET}@127.0.0.1:{port}/cada",
                f"postgresql+psycopg:/cada:{SECRET}@127.0.0.1/cada",
                f"postgresql+psycopg://:{SECRET}@127.0.0.1:{port}/cada",
                f"postgresql+psycopg://cada@127.0.0.1:{port}/cada?password={SECRET}"):
        failed = run("--db", url, "list")
        assert failed.exit_code == 5, failed.stderr
        assert "Traceback" not in failed.stderr
    joined = "\n".join(outputs)
    assert SECRET not in joined
    assert "***" in joined
    assert SECRET not in _all_text(isolated_home) + _all_text(Path.cwd())
