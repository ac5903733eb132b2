"""cada madada import: a Ma Dada request escalated locally (issue 17, part 1)."""

from __future__ import annotations

import zipfile

from tests.madada.conftest import ACHERES_CSV, FANCY_DOG, VIDEO, VIDEO_URL, build_zip, variant


def _import(cli, *args, ok=True):
    return cli("madada", "import", *args, "--json", ok=ok)


def test_import_twice_gives_one_request_with_its_events_and_files(cli, profile, backend,
                                                                 video_zip, tmp_path):
    first = _import(cli, VIDEO, "--zip", video_zip).json()
    assert (first["created"], first["updated"]) == (1, 0)
    [row] = first["requests"]
    assert row["url"] == VIDEO_URL and row["status"] == "partial"
    again = _import(cli, VIDEO, "--zip", video_zip).json()
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["requests"][0]["reference"] == row["reference"]
    assert again["requests"][0]["action"] == "unchanged" and again["notes"] == []

    listed = cli("list", "--json", ok=True).json()
    assert [r["reference"] for r in listed] == [row["reference"]]
    shown = cli("show", row["reference"], "--json", ok=True).json()
    assert shown["source_url"] == VIDEO_URL
    assert shown["subject"] == "Dispositif de vidéoprotection de la commune"
    assert [(e["kind"], e["on"], e["outcome"]) for e in shown["events"]] == [
        ("sent", "2026-06-02", None), ("answer", "2026-07-20", "partial"),
        ("note", "2026-07-29", None), ("note", "2026-08-21", None)]
    assert shown["events"][0]["channel"] == "email"
    assert "recours gracieux" in shown["events"][2]["text"]
    by_event = {f["event"]: f["name"] for f in shown["files"]}
    assert by_event == {shown["events"][0]["id"]: "correspondence.txt",
                        shown["events"][1]["id"]: "1_2_deliberation.pdf"}
    assert len(shown["files"]) == 2
    assert "technopolice" in shown["tags"] and "madada" in shown["tags"]
    text = cli("show", row["reference"], ok=True).stdout
    assert f"Publiée sur    {VIDEO_URL}" in text

    # The deadlines run from the events' dates: on 25/08 the CADA deadline is near.
    due = cli("overdue", "--today", "2026-08-25", "--json").json()
    assert [(i["reference"], i["category"]) for i in due["action_needed"]] == [
        (row["reference"], "refer")]
    refer = cli("refer", row["reference"], "--on", "2026-08-25", "--via", "email", "--html",
                "--out", tmp_path / "out", "--json", ok=True).json()
    letter = (tmp_path / "out").glob("*.html").__next__().read_text(encoding="utf-8")
    assert refer["kind"] == "referred"
    assert f"enregistrement public\u00a0: {VIDEO_URL}." in letter
    # Escalated in cada, then imported again: nothing is duplicated or undone.
    third = _import(cli, VIDEO, "--zip", video_zip).json()
    assert third["requests"][0]["status"] == "referred"
    assert len(cli("show", row["reference"], "--json", ok=True).json()["events"]) == 5


def test_a_later_import_adds_only_what_is_new(cli, profile, tmp_path):
    first = _import(cli, VIDEO).json()
    ref = first["requests"][0]["reference"]

    def withdrawn(data):
        data["info_request_events"].append({
            "id": 62001, "event_type": "status_update",
            "created_at": "2026-09-03T22:30:00.000Z", "described_state": "user_withdrawn",
            "calculated_state": "user_withdrawn", "incoming_message_id": None,
            "outgoing_message_id": None})
        data["described_state"] = "user_withdrawn"

    later = variant(tmp_path, "later.json", withdrawn)
    archive = build_zip(tmp_path / "dispositif_de_videoprotection_de.zip",
                        attachments={"1_2_deliberation.pdf": b"%PDF-1.4 deliberation",
                                     "1_3_annexe.ods": b"annexe"})
    update = _import(cli, later, "--zip", archive).json()
    [row] = update["requests"]
    assert (update["updated"], row["action"], row["events_added"]) == (1, "updated", 1)
    assert row["files_added"] == 3  # correspondence.txt and two attachments, on old events
    assert row["status"] == "closed"
    shown = cli("show", ref, "--json", ok=True).json()
    # 22:30 UTC on 3 September is 4 September in Paris: the date French deadlines use.
    assert (shown["events"][-1]["kind"], shown["events"][-1]["on"],
            shown["events"][-1]["reason"]) == ("close", "2026-09-04", "withdrawn")
    answer = shown["events"][1]["id"]
    assert sorted(f["name"] for f in shown["files"] if f["event"] == answer) == [
        "1_2_deliberation.pdf", "1_3_annexe.ods"]
    assert _import(cli, later, "--zip", archive).json()["requests"][0]["files_added"] == 0


def test_administration_matched_by_its_alaveteli_identifier(cli, profile, tmp_path):
    directory = tmp_path / "autorites.csv"
    directory.write_text(ACHERES_CSV, encoding="utf-8")
    cli("admin", "import", directory, ok=True)
    row = _import(cli, VIDEO).json()["requests"][0]
    assert row["administration_match"] == "key"
    admins = cli("admin", "list", "--json", ok=True).json()
    assert len(admins) == 1
    shown = cli("show", row["reference"], "--json", ok=True).json()
    assert shown["administration"]["id"] == admins[0]["id"]


def test_administration_matched_by_name_else_created(cli, profile):
    admin = cli("admin", "add", "Geraldine  QUANGO", "--postcode", "75001", "--city", "Paris",
                "--json", ok=True).json()
    dog = _import(cli, FANCY_DOG).json()["requests"][0]
    assert dog["administration_match"] == "name"
    assert cli("show", dog["reference"], "--json", ok=True).json()[
        "administration"]["id"] == admin["id"]
    video = _import(cli, VIDEO).json()["requests"][0]
    assert video["administration_match"] == "created"
    created = [a for a in cli("admin", "list", "--json", ok=True).json()
               if a["id"] != admin["id"]]
    assert [(a["name"], a["postcode"], a["city"]) for a in created] == [
        ("Mairie - Achères 78005-01", "78260", "Achères")]
    # The created row carries the Alaveteli key: a CSV import later updates it.
    assert _import(cli, VIDEO).json()["requests"][0]["administration_match"] == "key"


def test_a_name_match_is_exact_and_unique(cli, profile):
    # Same name_key (articles ignored) but another name once normalised: not the body.
    cli("admin", "add", "Geraldine la Quango", "--postcode", "75001", "--city", "Paris", ok=True)
    assert _import(cli, FANCY_DOG, "--dry-run").json()["requests"][0][
        "administration_match"] == "created"
    # Two rows with the body's very name: ambiguous, so neither is taken.
    for city in ("Paris", "Lyon"):
        cli("admin", "add", "GERALDINE QUANGO", "--postcode", "75001", "--city", city, ok=True)
    assert _import(cli, FANCY_DOG, "--dry-run").json()["requests"][0][
        "administration_match"] == "created"


def test_the_fixture_request_unclassified_response_is_a_listed_note(cli, profile):
    result = _import(cli, FANCY_DOG).json()
    [row] = result["requests"]
    assert row["reference"].startswith("2007-") and row["status"] == "sent"
    texts = [n["text"] for n in result["notes"]]
    assert any("non classée" in t and "cada answer" in t for t in texts)
    assert any("annotation" in t for t in texts)
    shown = cli("show", row["reference"], "--json", ok=True).json()
    assert [e["kind"] for e in shown["events"]] == ["sent", "note", "note"]
    assert shown["source_url"] == "https://madada.fr/request/why_do_you_have_such_a_fancy_dog"


def test_site_option_names_the_url(cli, profile):
    row = _import(cli, FANCY_DOG, "--site", "https://www.whatdotheyknow.com/").json()
    assert row["requests"][0]["url"] == (
        "https://www.whatdotheyknow.com/request/why_do_you_have_such_a_fancy_dog")
    bad = cli("madada", "import", FANCY_DOG, "--site", "javascript:alert(1)")
    assert bad.exit_code == 2 and "--site" in bad.stderr


def test_dry_run_writes_nothing(cli, profile, video_zip):
    result = _import(cli, VIDEO, "--zip", video_zip, "--dry-run").json()
    assert result["dry_run"] is True and result["created"] == 1
    assert result["requests"][0]["reference"] is None
    assert result["requests"][0]["files_added"] == 2
    assert cli("list", "--json", ok=True).json() == []
    assert cli("admin", "list", "--json", ok=True).json() == []


def test_bad_files_are_named_in_french(cli, profile, tmp_path, video_zip):
    broken = tmp_path / "cassé.json"
    broken.write_text('{"id": 1,\n "title": ', encoding="utf-8")
    result = cli("madada", "import", broken)
    assert result.exit_code == 2
    assert "cassé.json" in result.stderr and "ligne 2" in result.stderr
    assert "Traceback" not in result.stderr

    no_body = variant(tmp_path, "sans-organisme.json", lambda d: d.pop("public_body"))
    result = cli("madada", "import", no_body)
    assert result.exit_code == 2 and "public_body" in result.stderr

    bad_date = variant(tmp_path, "date.json", lambda d: d["info_request_events"][0].update(
        created_at="02/06/2026"))
    result = cli("madada", "import", bad_date)
    assert result.exit_code == 2 and "info_request_events[1].created_at" in result.stderr

    other = build_zip(tmp_path / "autre.zip", url="https://madada.fr/request/autre_demande")
    result = cli("madada", "import", VIDEO, "--zip", other)
    assert result.exit_code == 2 and "autre_demande" in result.stderr

    not_zip = tmp_path / "pas-un.zip"
    not_zip.write_bytes(b"PK not really")
    result = cli("madada", "import", VIDEO, "--zip", not_zip)
    assert result.exit_code == 2 and "ZIP" in result.stderr

    empty = tmp_path / "vide.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("1_1_x.pdf", b"x")
    result = cli("madada", "import", VIDEO, "--zip", empty)
    assert result.exit_code == 2 and "correspondence.txt" in result.stderr
    assert cli("list", "--json", ok=True).json() == []


def test_zip_entries_never_become_paths(cli, profile, tmp_path):
    archive = build_zip(tmp_path / "dispositif_de_videoprotection_de.zip",
                        attachments={"1_2_../../../evil.pdf": b"x", "9_1_orphan.pdf": b"y"})
    result = _import(cli, VIDEO, "--zip", archive).json()
    ref = result["requests"][0]["reference"]
    assert any("sans message reçu correspondant" in n["text"] for n in result["notes"])
    shown = cli("show", ref, "--json", ok=True).json()
    for stored in shown["files"]:
        assert ".." not in stored["path"].split("/")
        assert stored["path"].startswith(f"fichiers/{ref}/")
    assert not (tmp_path / "evil.pdf").exists()


def test_an_event_cada_refuses_is_kept_as_a_note_saying_why(cli, profile, tmp_path):
    unsent = variant(tmp_path, "sans-envoi.json", lambda d: d.update(info_request_events=[
        e for e in d["info_request_events"] if e["event_type"] != "sent"]))
    result = _import(cli, unsent).json()
    [row] = result["requests"]
    assert row["status"] == "draft"
    refused = [n for n in result["notes"] if "Non enregistré comme « answer »" in n["text"]]
    assert len(refused) == 1 and "envoyée" in refused[0]["text"]
    shown = cli("show", row["reference"], "--json", ok=True).json()
    assert [e["kind"] for e in shown["events"]] == ["note", "note", "note"]
    # Imported again, the refused event is not retried: its note holds its key.
    assert _import(cli, unsent).json()["requests"][0]["events_added"] == 0


def test_a_body_merged_into_another_row_is_found_by_its_alaveteli_key(cli, profile, tmp_path):
    typed = cli("admin", "add", "Commune d'Achères", "--kind", "commune", "--postcode", "78260",
                "--city", "Achères", "--json", ok=True).json()
    created = _import(cli, VIDEO).json()["requests"][0]  # creates the Ma Dada body's row
    assert created["administration_match"] == "created"
    body = [a for a in cli("admin", "list", "--json", ok=True).json()
            if a["id"] != typed["id"]][0]
    cli("admin", "merge", typed["id"], body["id"], ok=True)  # its key is now an alias

    def another(data):
        data["url_title"] = "drones_de_la_police_municipale"
        data["title"] = "Drones de la police municipale"
    second = _import(cli, variant(tmp_path, "drones.json", another)).json()["requests"][0]
    assert second["administration_match"] == "key"
    assert cli("show", second["reference"], "--json", ok=True).json()[
        "administration"]["id"] == typed["id"]
