"""The issue's story, as a new user would run it, non-interactively."""

from __future__ import annotations

import hashlib
import os
import stat


def test_new_user_story(cli, backend, isolated_home, tmp_path):
    cli("init", "--name", "Marie Dupont", "--address", r"3 rue des Lilas\n69003 Lyon",
        "--email", "marie@example.org", "--city", "Lyon", ok=True)
    admin = cli("admin", "add", "Mairie de Villeurbanne", "--kind", "commune",
                "--addressee", "Monsieur le maire", "--street", "Place Lazare-Goujon",
                "--postcode", "69100", "--city", "Villeurbanne", "--json", ok=True).json()
    assert admin["department"] == "69"

    created = cli("new", "--to", admin["id"], "--subject", "Caméras de vidéosurveillance",
                  "--doc", "Liste et localisation des caméras",
                  "--doc", "Contrat de maintenance", "--mode", "email",
                  "--campaign", "vsa-2026", "--tag", "vsa", "--json", ok=True).json()
    ref = created["reference"]
    assert ref.endswith("-0001") and created["status"] == "draft"
    assert [d["description"] for d in created["documents"]] == [
        "Liste et localisation des caméras", "Contrat de maintenance"]

    cli("sent", ref, "--on", "2026-03-02", "--via", "lrar", "--tracking", "1A0001", ok=True)
    cli("received", ref, "--on", "04/03/2026", ok=True)
    cli("ack", ref, "--on", "2026-03-06", "--no-mentions", ok=True)

    reply = tmp_path / "réponse mairie.pdf"
    reply.write_bytes(b"%PDF-1.4 fake reply")
    answer = cli("answer", ref, "--on", "2026-04-01", "--outcome", "partial", "--got", "1",
                 "--refused", "2", "--attach", reply, "--json", ok=True).json()
    assert answer["status"] == "partial"

    listed = cli("list", "--campaign", "vsa-2026", "--json", ok=True).json()
    assert [r["reference"] for r in listed] == [ref]
    assert listed[0]["sent_on"] == "2026-03-02" and listed[0]["received_on"] == "2026-03-04"

    shown = cli("show", ref, "--json", ok=True).json()
    assert shown["status"] == "partial"
    assert [d["outcome"] for d in shown["documents"]] == ["obtained", "refused"]
    assert [e["kind"] for e in shown["events"]] == ["sent", "received", "ack", "answer"]
    assert shown["events"][0]["tracking"] == "1A0001"
    stored = shown["files"][0]
    assert stored["sha256"] == hashlib.sha256(b"%PDF-1.4 fake reply").hexdigest()
    if backend == "sqlite":
        stored_path = isolated_home / stored["path"]
    else:  # in the shared database: copied out by cada files
        assert not (isolated_home / "fichiers").exists()
        copies = cli("files", ref, "--out", tmp_path / "copie", "--json", ok=True).json()
        stored_path = tmp_path / "copie" / os.path.basename(copies[0]["copy"])
    assert stored_path.read_bytes() == b"%PDF-1.4 fake reply"
    assert stat.S_IMODE(os.stat(stored_path).st_mode) == 0o600

    text = cli("show", ref, ok=True).stdout
    assert "Mairie de Villeurbanne" in text and "réponse partielle" in text

    cli("close", ref, "--reason", "obtained", "--on", "2026-04-02", ok=True)
    assert cli("show", ref, "--json", ok=True).json()["status"] == "closed"


def test_cancelled_event_no_longer_counts(cli, backend, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "email", ok=True)
    wrong = cli("received", draft_ref, "--on", "2026-03-09", "--json", ok=True).json()
    again = cli("received", draft_ref, "--on", "2026-03-03")
    assert again.exit_code == 4 and f"#{wrong['id']}" in again.stderr
    cli("cancel", draft_ref, wrong["number"], "--why", "mauvaise date", ok=True)
    cli("received", draft_ref, "--on", "2026-03-03", ok=True)
    shown = cli("show", draft_ref, "--json", ok=True).json()
    assert shown["received_on"] == "2026-03-03"
    cancelled = [e for e in shown["events"] if e["id"] == wrong["id"]][0]
    assert cancelled["cancelled_by"] is not None  # still in the record, struck out


def test_letter_is_stored_with_the_request(cli, draft_ref, isolated_home):
    shown = cli("show", draft_ref, "--json", "--letter", ok=True).json()
    html = shown["letter_html"]
    assert "Mairie de Lyon" in html and "Liste des caméras" in html
    assert "Technopolice Lyon" in html


def test_reference_sequence_per_year(cli, admin_id):
    refs = [
        cli("new", "--to", admin_id, "--subject", f"Objet {i}", "--doc", "Un document",
            "--json", ok=True).json()["reference"]
        for i in range(3)
    ]
    year = refs[0].split("-")[0]
    assert refs == [f"{year}-0001", f"{year}-0002", f"{year}-0003"]


def test_list_filters_and_csv(cli, backend, admin_id):
    cli("new", "--to", admin_id, "--subject", "Drones", "--doc", "Autorisations de vol",
        "--tag", "drones", ok=True)
    cli("new", "--to", admin_id, "--subject", "Caméras", "--doc", "Liste", "--campaign", "c1",
        ok=True)
    assert len(cli("list", "--tag", "drones", "--json", ok=True).json()) == 1
    assert len(cli("list", "--search", "autorisations", "--json", ok=True).json()) == 1
    assert len(cli("list", "--status", "draft", "--json", ok=True).json()) == 2
    assert cli("list", "--status", "sent", "--json", ok=True).json() == []
    csv_out = cli("list", "--csv", ok=True).stdout.splitlines()
    assert csv_out[0].startswith("reference,status,administration_id")
    assert len(csv_out) == 3
    table = cli("list", ok=True).stdout
    assert "Drones" in table and "Caméras" in table


def test_edit_opens_the_draft_letter_in_editor(cli, draft_ref, tmp_path, monkeypatch):
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\nsed -i 's/Liste des caméras/Liste COMPLÈTE des caméras/' \"$1\"\n")
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    cli("edit", draft_ref, ok=True)
    html = cli("show", draft_ref, "--json", "--letter", ok=True).json()["letter_html"]
    assert "Liste COMPLÈTE des caméras" in html
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "email", ok=True)
    refused = cli("edit", draft_ref)
    assert refused.exit_code == 4 and "fait foi" in refused.stderr


def test_admin_edit_list_remove(cli, backend, admin_id, profile):
    cli("admin", "edit", admin_id, "--prada-name", "Jeanne Martin", "--tag", "vsa", ok=True)
    shown = cli("admin", "show", admin_id, "--json", ok=True).json()
    assert shown["prada_name"] == "Jeanne Martin" and shown["tags"] == ["vsa"]
    other = cli("admin", "add", "Préfecture du Rhône", "--kind", "préfecture",
                "--postcode", "69003", "--city", "Lyon", "--json", ok=True).json()
    assert other["kind"] == "prefecture"
    assert [a["name"] for a in cli("admin", "list", "--kind", "commune", "--json",
                                   ok=True).json()] == ["Mairie de Lyon"]
    cli("new", "--to", admin_id, "--subject", "X", "--doc", "Y", ok=True)
    refused = cli("admin", "remove", admin_id)
    assert refused.exit_code == 4 and "2026-" in refused.stderr or "-0001" in refused.stderr
    cli("admin", "remove", other["id"], ok=True)
    assert cli("admin", "show", other["id"]).exit_code == 3


def test_profiles_choose_the_sender(cli, admin_id):
    cli("init", "--profile", "asso", "--name", "La Quadrature du Net",
        "--address", r"115 rue de Ménilmontant\n75020 Paris", "--email", "contact@lqdn.example",
        "--city", "Paris", ok=True)
    created = cli("new", "--to", admin_id, "--subject", "X", "--doc", "Y", "--profile", "asso",
                  "--json", ok=True).json()
    assert created["sender"]["name"] == "La Quadrature du Net"
    assert created["profile"] == "asso"
    default = cli("new", "--to", admin_id, "--subject", "X", "--doc", "Y", "--json",
                  ok=True).json()
    assert default["profile"] == "defaut"
    unknown = cli("new", "--to", admin_id, "--subject", "X", "--doc", "Y", "--profile", "nope")
    assert unknown.exit_code == 3 and "asso" in unknown.stderr
