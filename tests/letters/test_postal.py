"""The window block of cada_tracker.postal: NF Z10-011 rules, on real and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cada_tracker.directory import parse_directory
from cada_tracker.postal import MAX_CHARS, MAX_LINES, abbreviate, postal_block, postal_line

DATA = Path(__file__).parents[1] / "directory" / "data"


def block_of(record):
    return postal_block(name=record.name, addressee=record.addressee,
                        street_lines=record.street_lines, postcode=record.postcode,
                        city=record.city, prada_name=record.prada_name)


@pytest.fixture(scope="module")
def prada():
    return {r.name: r for r in parse_directory(DATA / "annuaire_des_prada.csv").records}


def test_prefecture_du_rhone(prada):
    block = block_of(prada["Préfecture du Rhône"])
    assert block.lines == (
        "Préfecture du Rhône",
        "À l’attention de Mme Patricia CHENEL",
        "Direction des affaires juridiques et",
        "de l’administration locale",
        "106 rue Pierre Corneille",
        "69419 LYON CEDEX 03",
    )
    # The line left out is named, never dropped silently.
    assert block.problems == (
        "ligne « Pôle des affaires juridiques/responsable du pôle » omise (plus de 6 lignes)",
    )


def test_addressee_and_prada_make_one_attention_line(prada):
    block = block_of(prada["Mairie de Villeurbanne"])
    assert block.lines == ("Mairie de Villeurbanne", "À l’attention de Mme Judith DESCOMBES",
                           "Place Lazare Goujon", "CS 650 51", "69601 VILLEURBANNE CEDEX")
    assert block.fits
    assert not any("PRADA" in line for line in block.lines)


def test_without_prada_the_title_of_the_addressee():
    block = postal_block(
        name="Communauté de communes Rhône Valloire",
        addressee="Monsieur le président de la communauté de communes Rhône Valloire",
        street_lines=["Le Creux de la Thine"], postcode="26140", city="Albon")
    assert block.lines[1] == "À l’attention de Monsieur le président"


def test_last_line_in_capitals_without_accents_or_punctuation():
    assert postal_line("85021", "La Roche-sur-Yon Cedex") == "85021 LA ROCHE SUR YON CEDEX"
    assert postal_line("42000", "Saint-Étienne") == "42000 SAINT ETIENNE"
    assert postal_line("75334", "Paris Cedex 07") == "75334 PARIS CEDEX 07"
    long_city = postal_line("38000", "Saint-Martin-d'Hères-et-Sainte-Marie-des-Bois")
    assert long_city == "38000 ST MARTIN D HERES ET STE MARIE DES BOIS"


def test_street_abbreviations_only_when_too_long():
    assert abbreviate("12 avenue du Général de Gaulle") == "12 av du Gal de Gaulle"
    block = postal_block(name="Mairie", street_lines=["12 avenue du Général de Gaulle"],
                         postcode="06000", city="Nice")
    assert block.lines[1] == "12 avenue du Général de Gaulle"  # 30 characters: kept
    block = postal_block(name="Mairie",
                         street_lines=["12 boulevard du Maréchal de Lattre de Tassigny"],
                         postcode="06000", city="Nice")
    assert block.lines[1] == "12 bd du Mal de Lattre de Tassigny"
    assert block.fits


def test_a_long_name_is_wrapped_then_shortened_to_its_acronym_with_a_problem():
    name = ("Caisse d'assurance retraite et de la santé au travail du Languedoc-Roussillon-"
            "Midi-Pyrenées (CARSAT 31)")
    block = postal_block(name=name, prada_name="Anne LABORIE",
                         street_lines=["Direction juridique", "Service des archives",
                                       "2 rue Georges Vivent", "BP 1"],
                         postcode="31065", city="Toulouse Cedex 9")
    assert len(block.lines) <= MAX_LINES
    assert any("omise" in p or "abrégé" in p for p in block.problems)


def test_missing_postal_code_is_a_problem():
    block = postal_block(name="Mairie de Nulle-Part")
    assert block.lines == ("Mairie de Nulle-Part",)
    assert not block.fits


@pytest.mark.parametrize("source", ["annuaire_des_prada.csv",
                                    "administrations_alaveteli_sample.csv"])
def test_every_real_block_respects_the_norm(source):
    for record in parse_directory(DATA / source).records:
        block = block_of(record)
        assert len(block.lines) <= MAX_LINES, record.name
        assert all(len(line) <= MAX_CHARS for line in block.lines), block.lines
        if record.postcode:
            assert block.lines[-1].startswith(record.postcode)
            assert block.lines[-1] == block.lines[-1].upper()


text = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=120)


@settings(max_examples=200, deadline=None)
@given(name=text.filter(str.strip), addressee=st.none() | text,
       street=st.lists(text, max_size=8), prada=st.none() | text)
def test_any_input_gives_at_most_six_lines_of_38(name, addressee, street, prada):
    block = postal_block(name=name, addressee=addressee, street_lines=street,
                         postcode="75001", city="Paris", prada_name=prada)
    assert len(block.lines) <= MAX_LINES
    assert all(0 < len(line) <= MAX_CHARS for line in block.lines)
    assert block.lines[-1] == "75001 PARIS"
