"""remind, refer and court record their event and produce its letter, in one transaction."""

from __future__ import annotations

import html as htmllib
import io
import re
from pathlib import Path

import pytest

from tests.conftest import fill_disk_in

pypdf = pytest.importorskip("pypdf")


def text_of_html(path: Path) -> str:
    raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return " ".join(htmllib.unescape(raw).split())


def text_of_pdf(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


@pytest.fixture
def answered(cli, draft_ref, tmp_path):
    """Sent 05/01, received 07/01, partly answered 20/01: doc 1 obtained, 3 refused."""
    refusal = tmp_path / "refus-mairie.pdf"
    refusal.write_bytes(b"%PDF-1.4 refus")
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", "--tracking", "1A111",
        ok=True)
    cli("received", draft_ref, "--on", "2026-01-07", ok=True)
    cli("answer", draft_ref, "--on", "2026-01-20", "--outcome", "partial", "--got", "1",
        "--refused", "3", "--attach", str(refusal), ok=True)
    return draft_ref


def events(cli, ref):
    return cli("show", ref, "--json", ok=True).json()["events"]


def stored_files(cli, ref):
    return cli("show", ref, "--json", ok=True).json()["files"]


def test_remind_writes_a_pdf_citing_only_missing_documents(cli, answered, tmp_path, isolated_home):
    out = tmp_path / "courriers"
    out.mkdir()
    data = cli("remind", answered, "--on", "2026-02-01", "--via", "lrar", "--tracking",
               "1A222", "--out", out, "--json", ok=True).json()
    copy = out / f"{answered}-relance-2026-02-01.pdf"
    assert data["copy"] == str(copy) and copy.is_file()
    text = text_of_pdf(copy)
    assert "Relance" in text and "Marché de maintenance" in text and "Délibérations" in text
    assert "Liste des caméras" not in text  # obtained: not asked again
    assert "n° 1A222" in text  # this letter's registered-mail number
    assert "1er février 2026" in text and "7 janvier 2026" in text
    # Kept with the request, linked to the remind event, private to its owner.
    files = [f for f in stored_files(cli, answered) if f["event"] == data["id"]]
    assert [f["name"] for f in files] == [f"{answered}-relance-2026-02-01.pdf"]
    stored = isolated_home / files[0]["path"]
    assert stored.read_bytes() == copy.read_bytes()
    assert stored.stat().st_mode & 0o077 == 0 and copy.stat().st_mode & 0o077 == 0


def test_refer_writes_the_referral_to_the_cada(cli, answered):
    data = cli("refer", answered, "--on", "2026-02-10", "--html", "--json", ok=True).json()
    assert data["kind"] == "referred" and data["status"] == "referred"
    text = text_of_html(Path(data["copy"]))
    assert "Commission d’accès aux documents administratifs" in text
    assert "TSA 50730" in text and "75334" in text  # addressed to the CADA
    assert "Mairie de Lyon" in text  # the administration challenged
    assert "décision du 20 janvier 2026" in text
    assert "refus-mairie.pdf" in text  # the refusal enclosed, by its name
    assert "Délibérations" in text and "Liste des caméras" not in text
    assert "L. 342-1" in text and "Technopolice Lyon" in text and "12 rue de la Paix" in text


def test_court_draft_quotes_the_cada_file(cli, answered):
    cli("refer", answered, "--on", "2026-02-10", "--no-letter", ok=True)
    cli("refer", answered, "--registered", "2026-02-12", "--cada-ref", "20260123", ok=True)
    before = len(events(cli, answered))
    draft = cli("court", answered, "--preview", "--html", "--tribunal",
                "Tribunal administratif de Lyon", ok=True)
    assert "rien n'a été enregistré" in draft.stderr
    assert len(events(cli, answered)) == before
    [draft_file] = Path.cwd().glob(f"{answered}-requete-ta-*-brouillon.html")
    text = text_of_html(draft_file)
    assert "Tribunal administratif de Lyon" in text
    assert "20260123" in text and "12 février 2026" in text
    assert "12 avril 2026" in text  # confirmed refusal: registration + 2 months (R343-5)
    assert "R. 421-1" in text and "L. 342-1" in text
    filed = cli("court", answered, "--on", "2026-05-01", "--no-letter", "--json", ok=True).json()
    assert filed["kind"] == "court" and filed["copy"] is None and filed["letter"] is None


def test_no_letter_records_without_a_file(cli, answered, tmp_path):
    data = cli("remind", answered, "--on", "2026-02-01", "--no-letter", "--json",
               ok=True).json()
    assert data["letter"] is None and data["copy"] is None
    assert not list(Path.cwd().iterdir())
    both = cli("remind", answered, "--no-letter", "--preview")
    assert both.exit_code == 2 and "--preview" in both.stderr


def test_a_failing_letter_records_nothing(cli, answered, isolated_home):
    before = events(cli, answered)
    unknown = cli("remind", answered, "--on", "2026-02-01", "--template", "inconnu")
    assert unknown.exit_code == 3 and "inconnu" in unknown.stderr
    user = isolated_home / "modeles"
    user.mkdir()
    (user / "relance.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block subject %}R{% endblock %}\n'
        "{% block body %}\n{{ pas_definie }}\n{% endblock %}\n", encoding="utf-8")
    broken = cli("remind", answered, "--on", "2026-02-01")
    assert broken.exit_code == 2
    assert "relance.html.j2" in broken.stderr and "pas_definie" in broken.stderr
    assert events(cli, answered) == before
    assert not list(Path.cwd().iterdir())
    assert not list((isolated_home / "fichiers" / answered).glob("*relance*"))


def test_a_state_error_writes_no_letter(cli, draft_ref):
    result = cli("refer", draft_ref, "--on", "2026-02-10")
    assert result.exit_code == 4
    assert not list(Path.cwd().iterdir())


def test_user_template_overrides_the_builtin_reminder(cli, answered, isolated_home):
    user = isolated_home / "modeles"
    user.mkdir()
    (user / "relance.html.j2").write_text(
        '{#- title: Ma relance ; kind: reminder ; description: courte -#}\n'
        '{% extends "_base.html.j2" %}{% block subject %}Ma relance{% endblock %}\n'
        "{% block body %}<p>Manquent : {% for d in missing %}{{ d.description }} ; "
        "{% endfor %}</p>{% endblock %}\n", encoding="utf-8")
    data = cli("remind", answered, "--on", "2026-02-01", "--html", "--json", ok=True).json()
    text = text_of_html(Path(data["copy"]))
    assert "Ma relance" in text and "Manquent : Marché de maintenance ; Délibérations" in text
    listed = {t["name"]: t for t in cli("templates", "list", "--json", ok=True).json()}
    assert listed["relance"]["origin"] == "user" and listed["relance"]["overrides_builtin"]
    assert listed["relance"]["title"] == "Ma relance"


def test_out_must_be_writable(cli, answered, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    before = events(cli, answered)
    result = cli("remind", answered, "--on", "2026-02-01", "--html", "--out", blocker / "sous")
    assert result.exit_code == 2 and "--out" in result.stderr
    assert events(cli, answered) == before  # checked before anything is recorded


def test_a_second_reminder_does_not_overwrite_the_first(cli, answered, tmp_path):
    out = tmp_path / "courriers"
    cli("remind", answered, "--on", "2026-02-01", "--html", "--out", out, ok=True)
    cli("remind", answered, "--on", "2026-03-01", "--html", "--out", out, ok=True)
    assert sorted(p.name for p in out.iterdir()) == [
        f"{answered}-relance-2026-02-01.html", f"{answered}-relance-2026-03-01.html"]
    preview = cli("remind", answered, "--on", "2026-03-02", "--preview", "--html", "--out", out,
                  "--json", ok=True).json()
    assert preview["preview"].endswith(f"{answered}-relance-2026-03-02-brouillon.html")


def test_reminder_after_an_express_refusal_quotes_it(cli, answered):
    # The partial answer of 20/01 refused document 3: the letter says so, not "silence".
    text = text_of_html(Path(cli("remind", answered, "--on", "2026-02-01", "--html", "--json",
                                 ok=True).json()["copy"]))
    assert "décision du 20 janvier 2026" in text and "réexaminer" in text
    assert "votre silence" not in text
    assert "au plus tard le 19 mars 2026" in text  # R343-1, the safe date (rule book §4)


def test_reminder_after_referral_threatens_nothing_already_done(cli, answered):
    cli("refer", answered, "--on", "2026-02-10", "--no-letter", ok=True)
    text = text_of_html(Path(cli("remind", answered, "--on", "2026-04-01", "--html", "--json",
                                 ok=True).json()["copy"]))
    assert "J’ai saisi la Commission" in text and "10 février 2026" in text
    assert "je saisirai" not in text


def test_reminder_never_quotes_a_passed_referral_deadline(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", "2026-01-07", ok=True)
    late = text_of_html(Path(cli("remind", draft_ref, "--on", "2026-05-01", "--html", "--json",
                                 ok=True).json()["copy"]))
    assert "7 février 2026" in late  # the implicit refusal, born
    assert "je saisirai la Commission" in late and "au plus tard" not in late


def test_premature_referral_and_court_are_refused(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", "2026-01-07", ok=True)
    early = cli("refer", draft_ref, "--on", "2026-02-06")
    assert early.exit_code == 4 and "prématurée" in early.stderr and "R343-1" in early.stderr
    # --preview runs the same checks: no draft unless --force, then named -brouillon.
    preview = cli("refer", draft_ref, "--on", "2026-02-06", "--preview", "--html")
    assert preview.exit_code == 4 and "prématurée" in preview.stderr
    assert "--force" in preview.stderr and not list(Path.cwd().glob("*saisine*"))
    forced = cli("refer", draft_ref, "--on", "2026-02-06", "--preview", "--force", "--html",
                 "--json", ok=True)
    assert "prématurée" in forced.stderr and "--force" in forced.stderr
    assert forced.json()["preview"].endswith("-saisine-cada-2026-02-06-brouillon.html")
    assert cli("refer", draft_ref, "--on", "2026-02-06", "--force").exit_code == 2
    cli("refer", draft_ref, "--on", "2026-02-10", "--no-letter", ok=True)
    again = cli("refer", draft_ref, "--on", "2026-02-11", "--no-letter")
    assert again.exit_code == 4
    unregistered = cli("court", draft_ref, "--on", "2026-05-01", "--no-letter")
    assert unregistered.exit_code == 4 and "--registered" in unregistered.stderr
    cli("refer", draft_ref, "--registered", "2026-02-12", "--cada-ref", "20260999", ok=True)
    before = cli("court", draft_ref, "--on", "2026-04-12", "--no-letter")  # the day it is born
    assert before.exit_code == 4 and "12/04/2026" in before.stderr
    # A court draft dated before the decision it attacks is refused, preview or not.
    draft = cli("court", draft_ref, "--on", "2026-04-12", "--preview", "--html")
    assert draft.exit_code == 4 and "Recours prématuré" in draft.stderr
    assert cli("court", draft_ref, "--on", "2026-04-13", "--no-letter").exit_code == 0


def test_late_court_draft_does_not_claim_to_be_in_time(cli, answered):
    cli("refer", answered, "--on", "2026-02-10", "--no-letter", ok=True)
    cli("refer", answered, "--registered", "2026-02-12", "--cada-ref", "20260123", ok=True)
    in_time = text_of_html(Path(cli("court", answered, "--on", "2026-05-01", "--preview",
                                    "--html", "--json", ok=True).json()["preview"]))
    assert "introduite dans le délai de deux mois" in in_time and "a expiré" not in in_time
    result = cli("court", answered, "--on", "2026-09-01", "--preview", "--html", "--json",
                 ok=True)
    assert "délai de recours a expiré" in result.stderr
    late = text_of_html(Path(result.json()["preview"]))
    assert "introduite dans le délai de deux mois" not in late
    assert "le délai de deux mois a expiré le 15 juin 2026" in late
    # The legal last day (13/06 + délai franc, a Saturday → Monday 15/06) is still in
    # time, though past the safe date (12/06): no warning, no "late" wording.
    last_day = cli("court", answered, "--on", "2026-06-15", "--preview", "--html", "--json",
                   ok=True)
    assert "expiré" not in last_day.stderr
    assert "introduite dans le délai de deux mois" in text_of_html(
        Path(last_day.json()["preview"]))


def test_copy_failure_after_recording_says_the_event_is_kept(cli, answered, tmp_path,
                                                             monkeypatch):
    out = tmp_path / "plein"
    fill_disk_in(monkeypatch, out)
    result = cli("remind", answered, "--on", "2026-02-01", "--html", "--out", out)
    assert result.exit_code == 5 and "Traceback" not in result.stderr
    assert "disque plein" in result.stderr and "est enregistré" in result.stderr
    reminders = [e for e in events(cli, answered) if e["kind"] == "remind"]
    assert len(reminders) == 1  # recorded, and its letter kept with the request
    assert any(f["event"] == reminders[0]["id"] for f in stored_files(cli, answered))


def test_an_unwritable_path_is_a_clear_error(cli, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    result = cli("calendar", "--out", blocker / "cada.ics")
    assert result.exit_code == 5 and "Traceback" not in result.stderr
    assert "fichier inaccessible" in result.stderr.lower() and str(blocker) in result.stderr


def test_referral_after_an_implicit_then_express_refusal_is_not_premature(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", "2026-01-07", ok=True)  # implicit refusal 07/02
    cli("answer", draft_ref, "--on", "2026-03-01", "--outcome", "refusal", ok=True)
    assert cli("refer", draft_ref, "--on", "2026-02-15", "--no-letter").exit_code == 0


def test_court_after_a_written_confirmation_needs_no_registration(cli, answered):
    cli("refer", answered, "--on", "2026-02-10", "--no-letter", ok=True)
    cli("answer", answered, "--on", "2026-02-20", "--outcome", "refusal", ok=True)
    early = cli("court", answered, "--on", "2026-02-19", "--no-letter")
    assert early.exit_code == 4  # before the confirmation it relies on
    draft = cli("court", answered, "--on", "2026-03-01", "--preview", "--html", "--json",
                ok=True).json()
    text = text_of_html(Path(draft["preview"]))
    assert "Par une décision du 20 février 2026, postérieure à la saisine" in text
    assert cli("court", answered, "--on", "2026-03-01", "--no-letter").exit_code == 0


def test_escalating_a_fully_answered_request_is_refused(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", "2026-01-07", ok=True)
    cli("answer", draft_ref, "--on", "2026-01-20", "--outcome", "full", ok=True)
    for args, step in ((("remind", "--on", "2026-02-01"), "une relance"),
                       (("refer", "--on", "2026-03-01"), "une saisine de la CADA"),
                       (("court", "--on", "2026-06-01"), "un recours au tribunal")):
        for extra in ((), ("--preview", "--html")):
            refused = cli(args[0], draft_ref, *args[1:], *extra)
            assert refused.exit_code == 4, (args, extra, refused.stderr)
            assert "tous été obtenus" in refused.stderr and step in refused.stderr
            assert "Traceback" not in refused.stderr
    assert not list(Path.cwd().glob(f"{draft_ref}-*"))  # no letter, no draft
    assert [e["kind"] for e in events(cli, draft_ref)] == ["sent", "received", "answer"]


def test_court_draft_names_the_competent_tribunal_and_its_address(cli, answered):
    cli("refer", answered, "--on", "2026-02-10", "--no-letter", ok=True)
    cli("refer", answered, "--registered", "2026-02-12", "--cada-ref", "20260123", ok=True)
    cli("court", answered, "--on", "2026-05-01", "--preview", "--html", ok=True)
    [draft] = Path.cwd().glob(f"{answered}-requete-ta-2026-05-01-brouillon.html")
    text = text_of_html(draft)  # the administration (Mairie de Lyon) is in the Rhône
    assert "Tribunal administratif de Lyon Greffe 184 rue Duguesclin 69433 Lyon Cedex 03" in text
    assert "composant le Tribunal administratif de Lyon" in text
    draft.unlink()
    cli("court", answered, "--on", "2026-05-01", "--preview", "--html", "--tribunal",
        "Tribunal administratif de Grenoble", ok=True)
    [draft] = Path.cwd().glob(f"{answered}-requete-ta-2026-05-01-brouillon.html")
    text = text_of_html(draft)
    assert "Tribunal administratif de Grenoble Greffe 2 place de Verdun" in text
    assert "Duguesclin" not in text
    draft.unlink()
    # A court without a greffe of its own: the letter names it, the Nouméa greffe gets it.
    cli("court", answered, "--on", "2026-05-01", "--preview", "--html", "--tribunal",
        "Tribunal administratif de Wallis-et-Futuna", ok=True)
    [draft] = Path.cwd().glob(f"{answered}-requete-ta-2026-05-01-brouillon.html")
    assert ("Tribunal administratif de Wallis-et-Futuna Greffe TA de Nouvelle-Calédonie "
            "BP Q3 98851 Nouméa Cedex") in text_of_html(draft)


def test_a_greffe_cada_does_not_know_is_announced_and_can_be_given(cli, answered):
    cli("refer", answered, "--on", "2026-02-10", "--no-letter", ok=True)
    cli("refer", answered, "--registered", "2026-02-12", "--cada-ref", "20260123", ok=True)
    toulon = ("--tribunal", "Tribunal administratif de Toulon")
    result = cli("court", answered, "--on", "2026-05-01", "--preview", "--html", *toulon,
                 ok=True)
    assert ("adresse du greffe du Tribunal administratif de Toulon inconnue de cada : le "
            "projet la laisse à compléter") in " ".join(result.stderr.split())
    [draft] = Path.cwd().glob(f"{answered}-requete-ta-2026-05-01-brouillon.html")
    assert "Tribunal administratif de Toulon Greffe" in text_of_html(draft)
    assert draft.read_text(encoding="utf-8").count('class="a-remplir"') >= 2
    draft.unlink()
    given = cli("court", answered, "--on", "2026-05-01", "--preview", "--html", *toulon,
                "--greffe", r"12 rue Exemple\n  83000 Toulon ", ok=True)
    assert "inconnue" not in given.stderr
    [draft] = Path.cwd().glob(f"{answered}-requete-ta-2026-05-01-brouillon.html")
    assert "Tribunal administratif de Toulon Greffe 12 rue Exemple 83000 TOULON" in \
        text_of_html(draft)
    draft.unlink()
    for bad, why in ((r"12 rue Exemple\nToulon", "« CODE POSTAL VILLE » attendu"),
                     ("x" * 39 + r"\n83000 Toulon", "ligne 1"),
                     (r"a\nb\nc\nd\n83000 Toulon", "5 lignes, 4 au plus")):
        refused = cli("court", answered, "--on", "2026-05-01", "--preview", "--html",
                      "--greffe", bad)
        assert refused.exit_code == 2 and why in refused.stderr, refused.stderr
    assert not list(Path.cwd().glob(f"{answered}-requete-ta-*"))
    assert cli("court", answered, "--no-letter", "--greffe", r"1 rue A\n83000 Toulon"
               ).exit_code == 2


def test_reminder_names_the_address_lines_left_out_and_typographic_apostrophes(
        cli, answered, admin_id):
    streets = ["Direction des affaires juridiques", "Service de l'accès aux documents",
               "Bureau des archives", "Hôtel de ville", "1 place de la Comédie", "CS 10001"]
    args = [a for line in streets for a in ("--street", line)]
    cli("admin", "edit", admin_id, "--prada-name", "Anne LABORIE", *args, ok=True)
    result = cli("remind", answered, "--on", "2026-02-01", "--preview", "--html", ok=True)
    assert "adresse : « Mairie de Lyon » : ligne « Bureau des archives - Hôtel de ville » omise" in result.stderr
    [draft] = Path.cwd().glob(f"{answered}-relance-*-brouillon.html")
    html = draft.read_text(encoding="utf-8")
    window = html.split('<div class="destinataire">')[1].split("</div>")[0]
    assert "À l’attention d’Anne LABORIE" in window and "Bureau des archives" not in window
    assert "l'accès" not in html.replace("&#39;", "'")  # one apostrophe style
