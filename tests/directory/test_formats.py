"""Format detection, encodings, errors, duplicates and the cada export round trip."""

from __future__ import annotations

import io
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cada_tracker.directory import (
    CADA_COLUMNS,
    AdminRecord,
    DirectoryError,
    RowError,
    department_from_postcode,
    parse_directory,
    parse_text,
    write_cada_csv,
)
from cada_tracker.vocab import ADMIN_KINDS

PRADA_HEADER = (
    '"Département de l\'autorité","Nom de l\'administration","Prénom PRADA","Nom PRADA",'
    '"Courriel 1 PRADA","Adresse PRADA","Code postal/Ville de l\'autorité"'
)
ALAVETELI_HEADER = "#id,name,request_email,notes,home_page,tag_string"
CADA_HEADER = ",".join(CADA_COLUMNS)


def export(records) -> str:
    buffer = io.StringIO(newline="")
    write_cada_csv(records, buffer)
    return buffer.getvalue()


# --- Round trip ----------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["prada", "alaveteli"])
def test_real_files_round_trip_through_cada_format(request, fixture):
    original = request.getfixturevalue(fixture)
    text = export(original.records)
    assert text.startswith(CADA_HEADER + "\r\n")
    again = parse_text(text, source_name="export.csv")
    assert again.format == "cada"
    assert again.records == original.records  # keys included; line is not compared
    assert again.errors == [] and again.warnings == [] and again.duplicates == []


FRENCH = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "àâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
    " '’\",;:.-/()«»&#|\t"
)


def one_line(text: str) -> str:
    return " ".join(text.split())


def multi_line(text: str) -> str:
    return "\n".join(one_line(line) for line in text.split("\n") if line.split())


line_text = st.text(alphabet=FRENCH, max_size=30).map(one_line)
name_text = st.text(alphabet=FRENCH + "\n", min_size=1, max_size=40).map(multi_line)
departments = st.sampled_from(["01", "2A", "2B", "13", "69", "75", "971", "974", "976", "987"])


@st.composite
def records(draw):
    postcode = draw(st.none() | st.from_regex(r"[0-9]{5}", fullmatch=True))
    city = draw(line_text.filter(bool)) if postcode else None
    department = draw(st.none() | departments)
    if department is None:
        # An empty department cell is filled from the postal code on import.
        department = department_from_postcode(postcode)
    contact = draw(
        st.sampled_from(["none", "email", "web_form"]),
    )
    email = web_form = None
    if contact == "email":
        email = draw(
            st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,5})?@[a-z0-9]{1,8}\.fr", fullmatch=True)
        )
    elif contact == "web_form":
        web_form = draw(
            st.from_regex(r"https://[a-z0-9]{1,10}\.fr/[a-z0-9/_?=&-]{0,15}", fullmatch=True)
        )
    return AdminRecord(
        key=draw(line_text.filter(bool)),
        name=draw(name_text.filter(bool)),
        kind=draw(st.sampled_from(sorted(ADMIN_KINDS))),
        addressee=draw(line_text) or None,
        street_lines=tuple(
            draw(
                st.lists(
                    line_text.map(lambda s: one_line(s.replace("|", " "))).filter(bool), max_size=3
                )
            )
        ),
        postcode=postcode,
        city=city,
        email=email,
        web_form=web_form,
        prada_name=draw(line_text) or None,
        prada_email=draw(st.none() | st.just("prada@ville.example.fr")),
        department=department,
        tags=tuple(
            draw(
                st.lists(
                    line_text.map(lambda s: one_line(s.replace(",", " "))).filter(bool),
                    max_size=3,
                    unique=True,
                )
            )
        ),
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), max_size=5, unique_by=lambda r: r.key))
def test_round_trip_random_french_text(generated):
    text = export(generated)
    result = parse_text(text, source_name="aléatoire.csv")
    assert result.errors == []
    assert result.duplicates == []
    assert result.records == generated


def test_round_trip_keeps_newlines_quotes_and_line_numbers():
    record = AdminRecord(
        key="cada:x",
        name='Mairie de « Saint-Étienne », dite "la Verte"\nService, juridique',
        street_lines=("1 rue de l'Église", "BP 12, CS 7"),
        postcode="42000",
        city="SAINT-ÉTIENNE CEDEX 1",
        department="42",
        tags=("vidéosurveillance", "safe city"),
    )
    second = AdminRecord(key="cada:y", name="Mairie de Lyon", kind="commune")
    text = export([record, second])
    result = parse_text(text, source_name="x.csv")
    assert result.records == [record, second]
    assert [r.line for r in result.records] == [2, 4]  # the first name spans two lines


def test_write_refuses_what_the_format_cannot_hold():
    with pytest.raises(ValueError, match="formulaire web"):
        export([AdminRecord(key="k", name="n", email="a@b.fr", web_form="https://b.fr/f")])
    with pytest.raises(ValueError, match="ligne d'adresse"):
        export([AdminRecord(key="k", name="n", street_lines=("a | b",))])
    with pytest.raises(ValueError, match="étiquette"):
        export([AdminRecord(key="k", name="n", tags=("a,b",))])


# --- cada format details -------------------------------------------------------


def test_cada_hand_written_rows():
    text = (
        CADA_HEADER + "\n"
        ",Mairie de Lyon,,,1 place de la Comédie | BP 1,69001,LYON,mairie@lyon.fr,,,,\n"
        ",Ville de Nice,,,,6364,NICE CEDEX 4,https://www.nice.fr/formulaire,,,,"
        '" vidéo , drones ,vidéo"\n'
        "k3,Conseil départemental de l'Ain,Département,,,,,,,,1,\n"
        "k4,Bidule,truc,,,,,,,,99,\n"
    )
    result = parse_text(text, source_name="main.csv")
    lyon, nice, ain, bidule = result.records
    assert lyon.key == "cada:mairie de lyon:69001"
    assert lyon.kind == "commune"
    assert lyon.street_lines == ("1 place de la Comédie", "BP 1")
    assert lyon.department == "69"  # filled from the postal code
    assert nice.postcode == "06364" and nice.department == "06"
    assert nice.email is None and nice.web_form == "https://www.nice.fr/formulaire"
    assert nice.tags == ("vidéo", "drones")
    assert ain.kind == "departement" and ain.department == "01"
    assert bidule.kind == "autre" and bidule.department is None
    assert result.warnings == [
        RowError(3, "postcode", "code postal « 6364 » complété en « 06364 » (zéro initial perdu)"),
        RowError(5, "kind", "type « truc » inconnu, déduit du nom : « autre »"),
        RowError(5, "department", "département « 99 » inconnu, ignoré"),
    ]


def test_row_errors_name_the_value_and_line():
    text = (
        CADA_HEADER + "\n"
        "a,,commune,,,,,,,,,\n"
        "b,Mairie de B,commune,,,8502,B,,,,,\n"
        "c,Mairie de C,commune,,,,Lyon,,,,,\n"
        "d,Mairie de D,commune,,,69001,,,,,,\n"
        "e,Mairie de E,commune\n"
        "f,Mairie de F,commune,,,69001,LYON,,,,,\n"
    )
    result = parse_text(text, source_name="f.csv")
    assert [(r.key, r.postcode, r.line) for r in result.records] == [
        ("b", "08502", 3),
        ("f", "69001", 7),
    ]
    assert result.rows_read == 6
    assert result.errors == [
        RowError(2, "name", "nom de l'administration manquant"),
        RowError(4, "postcode", "code postal manquant pour la ville « Lyon »"),
        RowError(5, "city", "ville manquante pour le code postal « 69001 »"),
        RowError(6, "", "3 colonnes au lieu de 12"),
    ]
    assert result.warnings == [
        RowError(3, "postcode", "code postal « 8502 » complété en « 08502 » (zéro initial perdu)")
    ]


def test_invalid_postcode_message():
    text = CADA_HEADER + "\nb,Mairie de B,commune,,,850,B,,,,,\nc,Mairie de C,,,,85O21,C,,,,,\n"
    result = parse_text(text, source_name="f.csv")
    assert result.records == []
    assert result.errors == [
        RowError(2, "postcode", "code postal « 850 » invalide (5 chiffres attendus)"),
        RowError(3, "postcode", "code postal « 85O21 » invalide (5 chiffres attendus)"),
    ]


def test_prada_unreadable_postal_line_rejects_the_row():
    text = (
        PRADA_HEADER + "\r\n"
        '85,"Mairie de A","Jean","DUPONT",,"Monsieur le maire\nBP 1","NICE CEDEX 4"\r\n'
        '85,"Mairie de B","Jean","DUPONT",,"Monsieur le maire\nBP 1","8502 / LA ROCHE"\r\n'
        '85,"Mairie de C","Jean","DUPONT",,"Monsieur le maire","85O21 / LA ROCHE"\r\n'
        '85,"Mairie de D","","",,"",""\r\n'
    )
    result = parse_text(text, source_name="prada.csv")
    field = "Code postal/Ville de l'autorité"
    assert result.errors == [
        RowError(
            2,
            field,
            "code postal/ville « NICE CEDEX 4 » illisible (attendu : « 06364 / NICE CEDEX 4 »)",
        ),
        RowError(6, field, "code postal « 85O21 » invalide (5 chiffres attendus)"),
    ]
    b, d = result.records
    assert (b.postcode, b.city, b.line) == ("08502", "LA ROCHE", 4)
    # No postal information at all: kept, without an address.
    assert (d.postcode, d.city, d.addressee, d.prada_name) == (None, None, None, None)


def test_alaveteli_web_form_and_missing_address():
    text = (
        ALAVETELI_HEADER + "\n"
        "mairie-1,Mairie - Brest,https://www.brest.fr/contact,"
        '"Adresse : 2 rue Frézier,29200,Brest | Tél : 02 98 00 80 80 | Fax : ",,mairie\n'
        "mairie-2,Mairie - Quelquepart,www.quelquepart.fr/ecrire,,,mairie\n"
        'mairie-3,Mairie - Ailleurs,contact@ailleurs.fr,"Adresse : rue sans code | Tél : ",,\n'
        ",Mairie - Sans id,contact@x.fr,,,\n"
    )
    result = parse_text(text, source_name="ala.csv")
    brest, quelque = result.records
    assert brest.email is None and brest.web_form == "https://www.brest.fr/contact"
    assert (brest.postcode, brest.city, brest.department, brest.kind) == (
        "29200",
        "Brest",
        "29",
        "commune",
    )
    assert quelque.web_form == "www.quelquepart.fr/ecrire"
    assert quelque.postcode is None and quelque.department is None
    assert result.errors == [
        RowError(
            4,
            "notes",
            "adresse « rue sans code » illisible (attendu : « rue,code postal,ville »)",
        ),
        RowError(5, "#id", "identifiant « #id » manquant"),
    ]


def test_duplicates_keep_the_first_and_are_reported():
    text = (
        PRADA_HEADER + "\n"
        '85,"Mairie de La Roche","A","B",a@b.fr,"Monsieur le maire","85000 / LA ROCHE"\n'
        '"85","MAIRIE  DE LA  ROCHE","C","D",c@d.fr,"Monsieur le maire","85000 / LA ROCHE"\n'
        '01,"Mairie de La Roche","E","F",,"Monsieur le maire","01000 / BOURG"\n'
        '85,"Mairie de la Röche","G","H",,"Monsieur le maire","85000 / LA ROCHE"\n'
    )
    result = parse_text(text, source_name="dup.csv")
    assert [r.prada_name for r in result.records] == ["A B", "E F"]
    assert result.duplicates == [
        (3, 2, "prada:85:mairie de la roche"),
        (5, 2, "prada:85:mairie de la roche"),
    ]
    assert result.rows_read == 4


# --- Encodings and delimiters --------------------------------------------------


def test_latin1_file_with_semicolons(tmp_path):
    text = (
        '"Département de l\'autorité";"Nom de l\'administration";"Prénom PRADA";'
        '"Nom PRADA";"Courriel 1 PRADA";"Adresse PRADA";"Code postal/Ville de l\'autorité"\r\n'
        '13;"Mairie d\'Aix-en-Provence";"Hélène";"LEFÈVRE";;'
        '"Madame la maire\nDirection générale – Pôle Œuvres\n'
        'Place de l’Hôtel de Ville";"13616 / AIX-EN-PROVENCE CEDEX 1"\r\n'
    )
    path = tmp_path / "prada-excel.csv"
    path.write_bytes(text.encode("cp1252"))
    result = parse_directory(path)
    assert (result.encoding, result.delimiter, result.format) == ("cp1252", ";", "prada")
    (record,) = result.records
    assert record.name == "Mairie d'Aix-en-Provence"
    assert record.prada_name == "Hélène LEFÈVRE"
    assert record.addressee == "Madame la maire"
    assert record.street_lines == ("Direction générale – Pôle Œuvres", "Place de l’Hôtel de Ville")
    assert record.key == "prada:13:mairie d'aix-en-provence"


def test_latin1_bytes_undefined_in_windows_1252(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((CADA_HEADER + "\nk,Mairie d'Évian\x81,commune,,,,,,,,,\n").encode("latin-1"))
    result = parse_directory(path)
    assert result.encoding == "latin-1"
    assert result.records[0].name == "Mairie d'Évian"  # the stray C1 byte is dropped


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + ALAVETELI_HEADER + "\nx,Mairie - Éze,a@b.fr,,,\n").encode("utf-8"))
    result = parse_directory(path)
    assert (result.encoding, result.format) == ("utf-8", "alaveteli")
    assert result.records[0].key == "alaveteli:x"
    assert result.records[0].name == "Mairie - Éze"


def test_utf16_tab_separated_spreadsheet_export(tmp_path):
    path = tmp_path / "unicode.txt"
    text = CADA_HEADER.replace(",", "\t") + "\r\nk\tMairie d'Évry\t" + "\t" * 9 + "\r\n"
    path.write_bytes(text.encode("utf-16"))
    result = parse_directory(path)
    assert (result.encoding, result.delimiter) == ("utf-16", "\t")
    assert [(r.name, r.kind) for r in result.records] == [("Mairie d'Évry", "commune")]


def test_tab_separated_and_blank_lines():
    text = (
        "\n" + CADA_HEADER.replace(",", "\t") + "\n\nk\tMairie de Pau\tcommune" + "\t" * 9 + "\n\n"
    )
    result = parse_text(text, source_name="t.tsv")
    assert result.delimiter == "\t"
    assert [(r.key, r.line) for r in result.records] == [("k", 4)]
    assert result.rows_read == 1


def test_extra_empty_cells_and_extra_columns():
    text = "key,name,kind,addressee,street,postcode,city,email,prada_name,prada_email,department,tags,notes\n"
    text += "k,Mairie de Pau,commune,,,,,,,,,,rien,,\n"
    result = parse_text(text, source_name="x.csv")
    assert [r.key for r in result.records] == ["k"]
    assert result.warnings == [RowError(1, "notes", "colonne « notes » ignorée")]


# --- File-level errors ---------------------------------------------------------


def error_of(text: str, name: str = "annuaire.csv") -> DirectoryError:
    with pytest.raises(DirectoryError) as info:
        parse_text(text, source_name=name)
    assert str(info.value) == info.value.message
    assert info.value.path == name
    return info.value


def test_unknown_format_lists_known_ones():
    error = error_of("nom,adresse,ville\nMairie,1 rue,Lyon\n")
    assert error.message == (
        "« annuaire.csv » : format d'annuaire non reconnu (ligne 1 : « nom, adresse, ville »). "
        "Formats reconnus : annuaire des PRADA de la CADA (colonnes « Département de "
        "l'autorité », « Nom de l'administration », « Prénom PRADA », …) ; export Alaveteli "
        "(Ma Dada) (colonnes « #id », « name », « request_email », …) ; export de cada "
        "(colonnes « key », « name », « kind », …)."
    )
    assert error.line == 1


def test_missing_columns_of_a_recognised_format():
    error = error_of("#id,name,request_email\n".replace(",request_email", "") + "x,y\n")
    assert "format d'annuaire non reconnu" in error.message
    error = error_of("key,name,kind,city\n")
    assert error.message == (
        "« annuaire.csv », ligne 1 : colonne(s) manquante(s) pour le format export de cada : "
        "« addressee », « street », « postcode », « email », « prada_name », « prada_email », "
        "« department », « tags »"
    )


@pytest.mark.parametrize("content", [b"", b"   \r\n\n", "\ufeff".encode()])
def test_empty_file(tmp_path, content):
    path = tmp_path / "vide.csv"
    path.write_bytes(content)
    with pytest.raises(DirectoryError) as info:
        parse_directory(path)
    assert info.value.message == f"le fichier « {path} » est vide"


def test_header_only_is_an_empty_directory():
    result = parse_text(CADA_HEADER + "\n", source_name="x.csv")
    assert (result.format, result.records, result.rows_read) == ("cada", [], 0)


def test_duplicated_header_column():
    error = error_of("#id,name,request_email,Name\n")
    assert error.message == (
        "« annuaire.csv », ligne 1 : la colonne « Name » apparaît deux fois (colonnes 2 et 4)"
    )
    assert error.line == 1


def test_unterminated_quote_at_end_of_file():
    text = (
        ALAVETELI_HEADER
        + '\nx,Mairie - A,a@b.fr,,,\ny,"Mairie - B,b@c.fr,,,\nz,Mairie - C,c@d.fr,,,\n'
    )
    error = error_of(text)
    assert error.message == (
        "« annuaire.csv », ligne 3 : guillemet non fermé (le champ ouvert ligne 3 court "
        "jusqu'à la fin du fichier, ligne 4)"
    )
    assert error.line == 3


def test_misplaced_quote_in_the_middle():
    text = (
        ALAVETELI_HEADER + "\n"
        'x,"Mairie - A,a@b.fr,,,\n'
        'y,"Mairie - B",b@c.fr,,,\n'
        "z,Mairie - C,c@d.fr,,,\n"
    )
    error = error_of(text)
    assert error.message == (
        "« annuaire.csv », ligne 2 : guillemet mal placé ou non fermé (erreur détectée ligne 3)"
    )
    assert error.line == 2


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "absent" / "annuaire.csv"
    with pytest.raises(DirectoryError) as info:
        parse_directory(path)
    assert info.value.message == f"fichier introuvable : {path}"
    assert info.value.path == str(path)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(DirectoryError) as info:
        parse_directory(tmp_path)
    assert info.value.message == f"« {tmp_path} » est un dossier, pas un fichier"


def test_binary_file(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DirectoryError, match="n'est pas un fichier texte"):
        parse_directory(path)
