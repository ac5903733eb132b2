"""On a terminal, missing values are asked for (driven through a real pseudo-terminal)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pexpect


def _spawn(args, env):
    return pexpect.spawn(sys.executable, ["-m", "cada_tracker", *args], env=env,
                         encoding="utf-8", timeout=20, dimensions=(40, 200))


def test_prompts_for_missing_values(isolated_home):
    env = {**os.environ, "CADA_HOME": str(isolated_home), "TERM": "dumb"}
    child = _spawn(["init"], env)
    child.expect("Nom de l'expéditeur")
    child.sendline("Collectif Technopolice")
    child.expect("Adresse postale")
    child.sendline(r"5 rue Paul Bert\n13001 Marseille")
    child.expect("Adresse e-mail")
    child.sendline("marseille@technopolice.example")
    child.expect("Ville")
    child.sendline("Marseille")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    subprocess.run([sys.executable, "-m", "cada_tracker", "admin", "add", "Mairie de Marseille",
                    "--kind", "commune", "--postcode", "13002", "--city", "Marseille"],
                   env=env, check=True, capture_output=True)
    child = _spawn(["new", "--to", "1"], env)
    child.expect("Objet de la demande")
    child.sendline("Vidéosurveillance algorithmique")
    child.expect("n° 1")
    child.sendline("Contrat de la plateforme")
    child.expect("n° 2")
    child.sendline("Analyse d'impact (AIPD)")
    child.expect("n° 3")
    child.sendline("")
    child.expect("Mode de communication")
    child.sendline("paper")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    shown = subprocess.run([sys.executable, "-m", "cada_tracker", "list", "--json"], env=env,
                           check=True, capture_output=True, text=True)
    rows = json.loads(shown.stdout)
    assert rows[0]["subject"] == "Vidéosurveillance algorithmique"
    detail = subprocess.run([sys.executable, "-m", "cada_tracker", "show", rows[0]["reference"],
                             "--json"], env=env, check=True, capture_output=True, text=True)
    data = json.loads(detail.stdout)
    assert [d["description"] for d in data["documents"]] == [
        "Contrat de la plateforme", "Analyse d'impact (AIPD)"]
    assert data["mode"] == "paper"
    assert data["sender"]["address"] == ["5 rue Paul Bert", "13001 Marseille"]
