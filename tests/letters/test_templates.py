"""Letter templates: goldens, escaping, library, user templates and errors."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from cada_tracker import letter_catalogue, letters
from cada_tracker.errors import InputError, NotFoundError

from .conftest import base_context, full_context

GOLDEN = Path(__file__).parent / "golden"
BUILTIN = {
    "demande": "request",
    "videosurveillance": "request",
    "vsa": "request",
    "drones": "request",
    "capteurs-sonores": "request",
    "reconnaissance-faciale": "request",
    "relance": "reminder",
    "saisine-cada": "referral",
    "saisine-cada-serie": "grouped_referral",
    "information-serie": "series_notice",
    "requete-ta": "court",
}
BASE_VARIABLES = {"sender", "recipient", "request", "letter"}
EXTRA_VARIABLES = {
    "relance": {"missing", "implicit_refusal_on", "cada_deadline_on", "refusal_on",
                "referral_on", "series_referral_on"},
    "saisine-cada": {"refusal_on", "implicit_refusal_on", "missing", "attachments", "opinions"},
    "saisine-cada-serie": {"series", "refusal_on", "implicit_refusal_on", "missing",
                           "attachments", "opinions"},
    "information-serie": {"series", "referral_on", "answered_in_full"},
    "requete-ta": {"cada_registered_on", "cada_ref", "opinion_on", "opinion_verdict",
                   "confirmed_refusal_on", "court_deadline_on", "court_deadline_legal_on",
                   "deadlines_opposable", "reasonable_delay_on", "confirmation_on",
                   "court_name", "court_address_lines", "attachments"},
}


# The usual case of each letter: a reminder is mostly sent before any referral.
# The court golden keeps the inventory a petition has without a dossier's pieces.
GOLDEN_CASE = {"relance": {"referral_on": None}, "requete-ta": {"attachments": []}}


def text_of(html: str) -> str:
    """Visible text of a letter, whitespace collapsed (non-breaking spaces included)."""
    import html as html_module

    body = re.sub(r"<[^>]+>", " ", html)
    return " ".join(html_module.unescape(body).split())


# ---------------------------------------------------------------------------- goldens


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_golden(name):
    html = letters.render(name, full_context(**GOLDEN_CASE.get(name, {})))
    path = GOLDEN / f"{name}.html"
    if os.environ.get("CADA_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assert path.exists(), f"{path} manque : relancer avec CADA_UPDATE_GOLDEN=1"
    assert html == path.read_text(encoding="utf-8"), (
        f"{name} a changé ; vérifier puis relancer avec CADA_UPDATE_GOLDEN=1"
    )


def test_every_builtin_template_has_a_golden_and_no_more():
    assert {p.name.removesuffix(".html") for p in GOLDEN.glob("*.html")} == set(BUILTIN)


# ---------------------------------------------------------------------------- content


def test_request_cites_its_legal_bases():
    text = text_of(letters.render("demande", base_context()))
    for article in ("L. 300-1", "L. 311-1", "L. 311-9", "L. 300-4", "L. 112-3", "R. 112-5",
                    "R. 311-12", "R. 311-13", "L. 342-1"):
        assert article in text, article
    assert "par courrier électronique, sans frais, à l’adresse lyon@technopolice.example" in text
    assert "standard ouvert, aisément réutilisable" in text
    assert "Lettre recommandée avec accusé de réception n° 1A 123 456 7890 1" in text
    assert "Lyon, le 15 mars 2026" in text
    assert "Objet : Demande de communication de documents administratifs" in text
    assert "Notre référence : 2026-0042" in text


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("email", "par courrier électronique, sans frais"),
        ("paper", "0,18 € par page de format A4"),
        ("consultation", "consulter gratuitement ces documents sur place"),
    ],
)
def test_mode_of_communication(mode, expected):
    context = base_context()
    context["request"]["mode"] = mode
    assert expected in text_of(letters.render("demande", context))


@pytest.mark.parametrize(
    ("regime", "expected", "absent"),
    [
        ("general", ["L. 300-1 et suivants", "R. 311-13"], "code de l’environnement"),
        ("environment", ["L. 124-1 et suivants du code de l’environnement", "R. 124-1",
                         "porté à deux mois"], "R. 311-13"),
        ("archives", ["L. 213-1 et L. 213-3 du code du patrimoine",
                      "deux mois à compter de son enregistrement"], "R. 311-13"),
    ],
)
def test_regime(regime, expected, absent):
    context = base_context()
    context["request"]["regime"] = regime
    text = text_of(letters.render("demande", context))
    for fragment in expected:
        assert fragment in text
    assert absent not in text


def test_documents_are_numbered_by_position():
    text = text_of(letters.render("relance", full_context()))
    assert "1. Liste et localisation des caméras" in text
    assert "3. Délibérations du conseil municipal relatives au centre" in text
    assert "Marché de maintenance" not in text  # obtained: not in `missing`


def test_relance_tense_follows_the_letter_date():
    before = text_of(letters.render("relance", full_context(implicit_refusal_on=date(2026, 4, 1),
                                                            referral_on=None)))
    after = text_of(letters.render("relance", full_context(implicit_refusal_on=date(2026, 3, 1),
                                                           referral_on=None)))
    assert "à défaut de réponse au 1er avril 2026, votre silence vaudra" in before
    assert "a fait naître, le 1er mars 2026, une décision implicite de refus" in after
    assert "au plus tard le 6 avril 2026" in after


def test_saisine_is_addressed_to_the_cada():
    html = letters.render("saisine-cada", full_context())
    window = html[html.index('<div class="destinataire">'):html.index("</header>")]
    assert "Commission d’accès aux documents administratifs" in text_of(window)
    assert "TSA 50730" in window and "75334 PARIS CEDEX 07" in window
    text = text_of(html)
    assert "Administration mise en cause Mairie de Saint-Étienne" in text
    assert "une décision implicite de refus est née le 7 février 2026" in text
    assert "Demande du 5 janvier 2026" in text


def test_saisine_without_attachments_lists_the_copies_required_by_r343_1():
    text = text_of(letters.render(
        "saisine-cada", full_context(attachments=[], refusal_on=date(2026, 1, 30))))
    assert "Copie de ma demande du 5 janvier 2026 et de la preuve de sa réception" in text
    assert "Copie de la décision de refus du 30 janvier 2026" in text
    assert "Par une décision du 30 janvier 2026" in text


def test_series_referral_lists_every_request():
    text = text_of(letters.render("saisine-cada-serie", full_context()))
    assert "série de 5 demandes ayant le même objet" in text
    for item in full_context()["series"]:
        assert item["reference"] in text and item["administration"] in text
    assert "troisième alinéa" in text


def test_court_draft_with_unknown_court_leaves_a_blank():
    text = text_of(letters.render("requete-ta", full_context(court_name=None, opinion_on=None,
                                                             opinion_verdict=None)))
    assert "Tribunal administratif de ……" in text
    assert "la Commission n’a pas notifié son avis" in text
    assert "R. 421-1" in text and "R. 421-2" in text and "R. 412-1" in text


def test_cada_address_constant():
    assert letters.CADA_ADDRESS["street_lines"] == ["TSA 50730"]
    assert letters.CADA_ADDRESS["postcode"] == "75334"
    assert set(letters.CADA_ADDRESS) == set(base_context()["recipient"])


# ---------------------------------------------------------------------------- escaping


def test_user_html_is_escaped():
    context = base_context()
    context["request"]["documents"][0]["description"] = '<b>x</b><script>alert("y")</script>'
    context["recipient"]["name"] = "Mairie <i>de</i> Lyon & co"
    context["recipient"]["postal_lines"][0] = context["recipient"]["name"]
    html = letters.render("demande", context)
    assert "<b>x</b>" not in html and "<script>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;alert(&#34;y&#34;)&lt;/script&gt;" in html
    assert "Mairie &lt;i&gt;de&lt;/i&gt; Lyon &amp; co" in html


def test_nl2br_escapes_then_breaks_lines():
    assert str(letters.nl2br("a <b>\r\nc")) == "a &lt;b&gt;<br>\nc"


# ---------------------------------------------------------------------------- library


def test_list_templates_builtin():
    infos = {t.name: t for t in letter_catalogue.list_templates(None)}
    assert set(infos) == set(BUILTIN)
    for name, kind in BUILTIN.items():
        info = infos[name]
        assert info.kind == kind
        assert info.title and info.description
        assert info.origin == "builtin" and info.path.is_file()
        assert info.error is None
        assert set(info.variables) == BASE_VARIABLES | EXTRA_VARIABLES.get(name, set())


def test_template_info_dict():
    data = letter_catalogue.template_info("relance").to_dict()
    assert data["title"] == "Relance" and data["kind"] == "reminder"
    assert "missing" in data["variables"]


def test_parse_header():
    header = letter_catalogue.parse_header(
        "{#- title: Ma demande ;\n kind: reminder ; description: Un\n texte ; suite -#}\n<p>")
    assert header == {"title": "Ma demande", "kind": "reminder",
                      "description": "Un texte ; suite"}
    assert letter_catalogue.parse_header("<p>rien</p>") == {}


def test_user_template_overrides_builtin(tmp_path):
    (tmp_path / "demande.html.j2").write_text(
        "{#- title: Ma demande ; kind: request ; description: perso -#}\n"
        '{% extends "_base.html.j2" %}\n'
        "{% block subject %}Perso {{ request.subject }}{% endblock %}\n"
        "{% block body %}<p>Texte personnel.</p>{% endblock %}\n",
        encoding="utf-8",
    )
    (tmp_path / "nouveau.html.j2").write_text("<p>{{ sender.name }}</p>", encoding="utf-8")
    html = letters.render("demande", base_context(), user_dir=tmp_path)
    assert "Texte personnel." in html and "Perso Vidéosurveillance" in html
    assert "Texte personnel." not in letters.render("demande", base_context())
    infos = {t.name: t for t in letter_catalogue.list_templates(tmp_path)}
    assert infos["demande"].origin == "user" and infos["demande"].overrides_builtin
    assert infos["demande"].title == "Ma demande"
    assert infos["nouveau"].origin == "user" and not infos["nouveau"].overrides_builtin
    assert infos["nouveau"].kind == "request" and infos["nouveau"].variables == ("sender",)
    assert infos["vsa"].origin == "builtin"


def test_unknown_template_lists_the_available_ones():
    with pytest.raises(NotFoundError) as error:
        letters.render("demand", base_context())
    assert "« demand »" in error.value.message
    assert "demande" in error.value.message and "saisine-cada" in error.value.message
    for name in ("_base", "../demande", "demande/../x"):
        with pytest.raises(NotFoundError):
            letters.render(name, base_context())


def test_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "casse.html.j2"
    path.write_text("<p>un</p>\n<p>deux</p>\n<p>{{ sender.name }</p>\n<p>quatre</p>\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as error:
        letters.render("casse", base_context(), user_dir=tmp_path)
    assert str(path) in error.value.message
    assert "ligne 3" in error.value.message
    assert "inattendu : « } »" in error.value.message  # Jinja's « unexpected '}' »
    info = {t.name: t for t in letter_catalogue.list_templates(tmp_path)}["casse"]
    assert info.error and str(path) in info.error


@pytest.mark.parametrize("source, said", [
    ("{% if x %}a", "le bloc « if » n'est pas fermé (attendu : « elif » ou « else » ou "
                    "« endif »)"),
    ("{% lettre %}", "balise inconnue « lettre »"),
    ("{{ sender.name sender.city }}", "attendu : la fin d'expression « }} » ; trouvé : "
                                      "« sender »"),
    ("{{ x | }}", "attendu : un nom ; trouvé : la fin d'expression « }} »"),
    ("{% set %}", "attendu : une expression ; trouvé : la fin de balise « %} »"),
    ("{{ ! }}", "caractère inattendu : « ! »"),
    ("{% %}", "nom de balise attendu après « {% »"),
])
def test_template_syntax_errors_are_said_in_french(tmp_path, source, said):
    """Jinja's own English (« Encountered unknown tag 'lettre'. ») reached the author
    of a template as it was."""
    (tmp_path / "casse.html.j2").write_text(source, encoding="utf-8")
    with pytest.raises(InputError) as error:
        letters.render("casse", base_context(), user_dir=tmp_path)
    assert said in error.value.message, error.value.message
    assert not any(w in error.value.message for w in ("expected", "unexpected", "Encountered"))


def test_undefined_variable_names_file_and_line(tmp_path):
    path = tmp_path / "trou.html.j2"
    path.write_text("<p>{{ sender.name }}</p>\n<p>{{ inexistant }}</p>\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        letters.render("trou", base_context(), user_dir=tmp_path)
    message = error.value.message
    assert str(path) in message and "ligne 2" in message and "« inexistant »" in message


def test_missing_extra_variable_in_builtin_is_an_input_error():
    with pytest.raises(InputError) as error:
        letters.render("relance", base_context())
    assert "relance.html.j2" in error.value.message
    assert "« missing »" in error.value.message


def test_sandbox_blocks_unsafe_attributes(tmp_path):
    (tmp_path / "evil.html.j2").write_text(
        "{{ sender.name.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    with pytest.raises(InputError) as error:
        letters.render("evil", base_context(), user_dir=tmp_path)
    assert "evil.html.j2" in error.value.message


def test_environment_is_cached_per_user_dir(tmp_path):
    assert letters.environment(None) is letters.environment(None)
    assert letters.environment(tmp_path) is letters.environment(str(tmp_path))
    assert letters.environment(tmp_path) is not letters.environment(None)


# ---------------------------------------------------------------------------- typography

_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


@pytest.mark.parametrize("path", sorted(letters.builtin_dir().glob("*.html.j2")),
                         ids=lambda p: p.name)
def test_french_typography_of_builtin_templates(path):
    text = _COMMENT.sub("", path.read_text(encoding="utf-8"))
    assert not re.search(r"\w'\w", text), "apostrophe droite : utiliser ’"
    assert not re.search(r" [:;?!](?=[\s<\"])", text), "espace insécable avant : ; ? !"
    assert "« " not in text and " »" not in text, "espaces insécables dans « »"
    assert not re.search(r"\b[LRD]\. \d", text), "espace insécable dans L. 311-1"


def test_late_court_draft_relies_on_the_reasonable_delay_only_when_not_opposable():
    late = {"court_deadline_legal_on": date(2026, 7, 21),
            "letter": {**full_context()["letter"], "date": date(2026, 9, 1)}}
    opposable = text_of(letters.render("requete-ta", full_context(**late)))
    assert "introduite dans le délai de deux mois" not in opposable
    assert "délai raisonnable" not in opposable and "rejetée comme tardive" in opposable
    not_opposable = text_of(letters.render("requete-ta", full_context(
        **late, deadlines_opposable=False, reasonable_delay_on=date(2027, 5, 20))))
    assert "n’est pas opposable au requérant" in not_opposable
    assert "n° 387763" in not_opposable and "R. 421-5" in not_opposable
    assert "jusqu’au 20 mai 2027" in not_opposable
    beyond = text_of(letters.render("requete-ta", full_context(
        court_deadline_legal_on=date(2026, 7, 21), deadlines_opposable=False,
        reasonable_delay_on=date(2027, 5, 20),
        letter={**full_context()["letter"], "date": date(2027, 9, 1)})))
    assert "délai raisonnable" in beyond and "introduite dans un délai raisonnable" not in beyond
    assert "très probablement irrecevable" in beyond


def test_court_draft_after_a_written_confirmation_attacks_it():
    text = text_of(letters.render("requete-ta", full_context(confirmation_on=date(2026, 4, 2))))
    assert "Par une décision du 2 avril 2026, postérieure à la saisine" in text
    assert "Le silence gardé" not in text and "(décision du 2 avril 2026)" in text


def test_date_line_is_below_the_window_with_a_superscript_ordinal():
    from datetime import date

    context = full_context()
    context["letter"]["date"] = date(2026, 12, 1)
    html = letters.render("demande", context)
    assert '<p class="lieu-date">Lyon, le 1<sup>er</sup> décembre 2026</p>' in html
    assert "Fait à" not in html.split('class="objet"')[0]
    assert html.index('class="lieu-date"') > html.index('class="destinataire"')


def test_stylesheet_never_hyphenates():
    css = (letters.builtin_dir() / letters.STYLESHEET).read_text(encoding="utf-8")
    assert "hyphens: auto" not in css  # it cut "pra-da@…" and "Ni-colas"
    assert "hyphens: manual" in css


def test_apostrophes_typed_by_the_user_are_typographic_in_the_letter():
    context = base_context()
    context["request"]["subject"] = "Contrat d'exploitation de l'outil"
    context["request"]["documents"][0]["description"] = "L'analyse d'impact (AIPD)"
    context["sender"]["name"] = "Collectif l'Œil"
    context["sender"]["email"] = "o'brien@example.org"  # an address stays as typed
    text = text_of(letters.render("demande", context))
    assert "Contrat d’exploitation de l’outil" in text
    assert "L’analyse d’impact (AIPD)" in text and "Collectif l’Œil" in text
    assert "o'brien@example.org" in text
    assert not re.search(r"\w'\w", text.replace("o'brien@", "")), "one apostrophe style"


def test_a_jinja_message_not_known_yet_is_quoted_as_jinja_s():
    from cada_tracker.jinja_messages import french

    assert french("some new\\n wording") == "erreur signalée par Jinja (« some new\\n wording »)"
