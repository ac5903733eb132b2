"""Events are numbered within their request (#1, #2…): what show, cancel and JSON use."""

from __future__ import annotations


def _two_requests(cli, admin_id):
    refs = [cli("new", "--to", admin_id, "--subject", f"Objet {i}", "--doc", "D", "--json",
                ok=True).json()["reference"] for i in (1, 2)]
    for ref in refs:
        cli("sent", ref, "--on", "2026-09-01", "--via", "lrar", ok=True)
    return refs


def test_numbers_are_per_request_and_cancel_uses_them(cli, admin_id):
    first, second = _two_requests(cli, admin_id)
    said = cli("received", second, "--on", "2026-09-03", ok=True).stderr
    assert f"{second} : événement #2 enregistré" in said  # its second, the 4th overall
    events = cli("show", second, "--json", ok=True).json()["events"]
    assert [e["number"] for e in events] == [1, 2]
    assert events[0]["id"] != 1  # the global id stays, as "id"
    # The case: the first event of the second request is #1, not "not yours".
    cancelled = cli("cancel", second, "1", "--why", "envoi en double", "--json", ok=True)
    data = cancelled.json()
    assert data["number"] == 3 and data["cancels_number"] == 1
    assert data["cancels"] == events[0]["id"]
    assert f"{second} : événement #3 enregistré" in cancelled.stderr
    shown = cli("show", second, ok=True).stdout
    assert "#1    01/09/2026  envoi" in shown and "(annulé par #3)" in shown
    assert "annule l'événement #1" in shown
    # The other request is untouched: its #1 still counts.
    assert cli("show", first, "--json", ok=True).json()["status"] == "sent"
    missing = cli("cancel", first, "7")
    assert missing.exit_code == 4
    assert "n'a pas d'événement #7 (événements actifs : #1)" in missing.stderr
    twice = cli("cancel", second, "1")
    assert twice.exit_code == 4 and "L'événement #1 est déjà annulé" in twice.stderr


def test_state_errors_name_events_by_number(cli, admin_id):
    _first, second = _two_requests(cli, admin_id)
    cli("received", second, "--on", "2026-09-03", ok=True)
    again = cli("received", second, "--on", "2026-09-04")
    assert again.exit_code == 4 and "(événement #2)" in again.stderr
