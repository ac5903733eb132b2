"""The CADA's published opinions ("Avis et conseils de la CADA", data.gouv.fr, Licence
Ouverte): a local, searchable index, for ``cada avis`` and the referral letters.

The index is reference data, not the legal record: a separate SQLite file next to the
main database (``avis-cada.db``), with an FTS5 table whose tokenizer drops accents
(``unicode61 remove_diacritics 2``: "videoprotection" finds "vidéoprotection"). It
can be deleted at any time and rebuilt with ``cada avis import``. Only the standard
library's ``sqlite3`` is used: no ORM, no migration.

:mod:`.csvfile` streams the published CSV (about 190 MB) row by row; :mod:`.store`
writes and queries the index.
"""

#: The published CSV's columns, in order (etalab/cada ``cada/csv.py`` ``HEADER``).
COLUMNS: tuple[str, ...] = (
    "Numéro de dossier", "Administration", "Type", "Année", "Séance", "Objet",
    "Thème et sous thème", "Mots clés", "Sens et motivation", "Partie", "Avis",
)

#: The file name of the index, beside the main database.
INDEX_NAME = "avis-cada.db"
