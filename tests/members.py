"""A collective's request, as several tests need it: a profile, an administration, sent."""

from __future__ import annotations


def sent_request(cli, sent_on: str = "2026-03-02") -> str:
    cli("init", "--name", "Collectif", "--address", r"1 rue X\n69001 Lyon", "--email",
        "c@example.org", "--city", "Lyon", ok=True)
    admin = cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--postcode", "69001",
                "--city", "Lyon", "--json", ok=True).json()["id"]
    ref = cli("new", "--to", admin, "--subject", "Caméras", "--doc", "Liste", "--json",
              ok=True).json()["reference"]
    cli("sent", ref, "--on", sent_on, "--via", "lrar", ok=True)
    return ref
