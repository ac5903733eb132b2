"""On a terminal, missing values are asked for (driven through a real pseudo-terminal).

Each answer is checked as it is typed and asked again when wrong; Ctrl-C leaves
nothing behind."""

from __future__ import annotations

import json
import os
import sys

import pexpect
import pytest


def _spawn(args, env):
    return pexpect.spawn(sys.executable, ["-m", "cada_tracker", *args], env=env,
                         encoding="utf-8", timeout=30, dimensions=(40, 200))


def _finish(child):
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before


@pytest.fixture
def env(isolated_home):
    return {**os.environ, "CADA_HOME": str(isolated_home), "TERM": "dumb"}


def test_init_checks_each_answer_and_asks_the_address_line_by_line(env):
    child = _spawn(["init"], env)
    child.expect_exact("Nom de l'expéditeur : ")  # French typography: space before ":"
    child.sendline("Collectif Technopolice")
    child.expect_exact("Adresse postale : une réponse par ligne")
    child.expect_exact("ligne n° 1 : ")
    child.sendline("5 rue Paul Bert")
    child.expect_exact("ligne n° 2 : ")
    child.sendline("13001 Marseille")
    child.expect_exact("ligne n° 3 : ")
    child.sendline("")
    child.expect_exact("Adresse e-mail : ")
    child.sendline("marseille@technopolice")  # no domain: refused at once, asked again
    child.expect_exact("Adresse e-mail invalide : « marseille@technopolice »")
    child.expect_exact("Adresse e-mail : ")
    child.sendline("marseille@technopolice.example")
    child.expect_exact("Ville (« Fait à … ») : ")
    child.sendline("Marseille")
    _finish(child)
    profiles = json.loads((env_home(env) / "profils.json").read_text())
    assert profiles["profiles"]["defaut"] == {
        "name": "Collectif Technopolice", "address": "5 rue Paul Bert\n13001 Marseille",
        "email": "marseille@technopolice.example", "city": "Marseille"}


def env_home(env):
    from pathlib import Path

    return Path(env["CADA_HOME"])


def _profile_and_admins(cli):
    """The setup, in-process (the same CADA_HOME): only the questions need a terminal."""
    cli("init", "--name", "Collectif", "--address", r"1 rue X\n13001 Marseille",
        "--email", "a@b.fr", "--city", "Marseille", ok=True)
    cli("admin", "add", "Mairie de Marseille", "--kind", "commune",
        "--postcode", "13002", "--city", "Marseille", ok=True)
    cli("admin", "add", "Métropole Aix-Marseille-Provence", "--kind", "autre",
        "--postcode", "13007", "--city", "Marseille", ok=True)
    cli("admin", "add", "Mairie de Nice", "--kind", "commune",
        "--postcode", "06364", "--city", "Nice", ok=True)


def test_new_without_recipient_searches_the_directory_and_asks_template_and_campaign(cli, env):
    _profile_and_admins(cli)
    child = _spawn(["new"], env)
    child.expect_exact("Administration destinataire (nom, ville ou numéro) : ")
    child.sendline("Toulouse")
    child.expect_exact("Aucune administration ne correspond à « Toulouse »")
    child.expect_exact("Administration destinataire (nom, ville ou numéro) : ")
    child.sendline("Marseille")
    child.expect_exact("1. Mairie de Marseille — 13002 Marseille (n° 1)")
    child.expect_exact("2. Métropole Aix-Marseille-Provence — 13007 Marseille (n° 2)")
    child.expect_exact("Numéro dans la liste [0] : ")
    child.sendline("7")  # not in the list: asked again
    child.expect_exact("« 7 » : tapez un numéro de 1 à 2")
    child.expect_exact("Numéro dans la liste [0] : ")
    child.sendline("2")
    child.expect_exact("Administration choisie : Métropole Aix-Marseille-Provence (n° 2, "
                       "13007 Marseille).")
    child.expect_exact("Objet de la demande : ")
    child.sendline("Vidéosurveillance algorithmique")
    child.expect_exact("document n° 1 : ")
    child.sendline("Contrat de la plateforme")
    child.expect_exact("document n° 2 : ")
    child.sendline("")
    child.expect_exact("Modèle de courrier [demande] : ")
    child.sendline("vsa")
    child.expect_exact("Mode de communication [email] : ")
    child.sendline("2")  # by its number in the list
    child.expect_exact("Campagne (nom, ou ligne vide pour aucune) : ")
    child.sendline("vsa-marseille")
    _finish(child)

    rows = json.loads(cli("list", "--json", ok=True).stdout)
    assert len(rows) == 1
    data = json.loads(cli("show", rows[0]["reference"], "--json", ok=True).stdout)
    assert data["administration"]["name"] == "Métropole Aix-Marseille-Provence"
    assert [d["description"] for d in data["documents"]] == ["Contrat de la plateforme"]
    assert (data["template"], data["mode"], data["campaign"]) == ("vsa", "paper",
                                                                  "vsa-marseille")


def test_with_a_recipient_given_only_the_missing_values_are_asked(cli, env):
    _profile_and_admins(cli)
    child = _spawn(["new", "--to", "3", "--subject", "Drones"], env)
    child.expect_exact("document n° 1 : ")
    child.sendline("Autorisations préfectorales")
    child.expect_exact("document n° 2 : ")
    child.sendline("")
    child.expect_exact("Mode de communication [email] : ")
    child.sendline("")
    _finish(child)
    data = json.loads(cli("list", "--json", ok=True).stdout)[0]
    assert data["campaign"] is None


def test_ctrl_c_at_a_question_records_nothing(cli, env):
    _profile_and_admins(cli)
    child = _spawn(["new"], env)
    child.expect_exact("Administration destinataire (nom, ville ou numéro) : ")
    child.sendline("1")
    child.expect_exact("Objet de la demande : ")
    child.sendcontrol("c")  # the terminal sends SIGINT, as a user's Ctrl-C
    child.expect_exact("Interrompu, rien n'a été enregistré.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert json.loads(cli("list", "--json", ok=True).stdout) == []
