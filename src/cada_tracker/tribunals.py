"""The tribunal administratif competent for an administration (R312-1 and R221-3 CJA).

Pure. Under article R312-1 of the code de justice administrative the competent court
is, as a rule, the tribunal administratif in whose territory the authority that took
the decision has its seat; article R221-3 fixes the seat and territory of each of the
42 tribunals, department by department, and R221-1 their names ("tribunal
administratif de la Guadeloupe" for Basse-Terre…). The table is package data,
``cada_tracker/data/tribunaux.csv``:

* ``departments``: R221-3 CJA, version in force since décret n° 2015-1444 of
  6 November 2015 (Légifrance, LEGIARTI000031459523: Montreuil for Seine-Saint-Denis,
  Nîmes for Gard, Lozère and Vaucluse, Toulon for Var, Cergy-Pontoise for
  Hauts-de-Seine and Val-d'Oise, Schœlcher, no longer Fort-de-France, for Martinique).
* ``street``/``postcode``/``city``: the postal address a letter to the greffe carries
  (`` - `` separates its lines). For most courts it is the one of the service-public.fr
  "Annuaire de l'administration" (Licence Ouverte) as republished by
  okfnfr/dada-france-authorities (tribunals tagged ``ta``, an extract from before
  November 2018, when Nice moved to 18 avenue des Fleurs, as reported by Nice-Matin on
  29 October 2018). The Conseil d'État's directory ("La carte des juridictions
  administratives", conseil-etat.fr) gives the same 42 courts and territories.
* ``source``: where each row's address comes from (documentation only, the reader
  ignores the column). The courts the 2018 extract lacked (sources seen on 2026-12-01):

  - Montreuil: 7 rue Catherine Puig, 93100 Montreuil, from French Wikipedia (revision
    179358087 of 29 January 2021, seat taken from Wikidata) and, independently, public
    procurement documents naming the court for appeals; one of them gives the CEDEX
    form "93558 Montreuil Cedex", the geographic one is kept.
  - Nouvelle-Calédonie: BP Q3, 98851 Nouméa Cedex, the address the court gave when the
    Wallis-et-Futuna greffe closed (la1ere.francetvinfo.fr, April 2023).
  - Wallis-et-Futuna: no greffe of its own since 16 April 2023; the court's 2022
    activity report (nouvelle-caledonie.tribunal-administratif.fr) sends filings to the
    Nouméa greffe. A letter names the Wallis-et-Futuna court and carries the Nouméa
    greffe's address, "TA de Nouvelle-Calédonie" first.
  - Saint-Barthélemy and Saint-Martin: their seat is fixed at Basse-Terre (R221-3, last
    paragraph) and they sit in the Guadeloupe court's building with its judges and
    greffe (conseil-etat.fr, February 2020; karibinfo.com, September 2023; the
    saint-martin.tribunal-administratif.fr notice of September 2017 gives the Basse-Terre
    greffe's e-mail): their letters carry the Guadeloupe court's address.
  - Martinique: the seat is Schœlcher since décret n° 2015-1444 of 6 November 2015
    (R221-1, LEGIARTI000031459525, and R221-3); no reliable postal address was found.
  - Toulon, Mayotte, Polynésie française, Saint-Pierre-et-Miquelon (whose judges and
    greffe are the Martinique court's): no reliable postal address was found either.

  Rows checked again against later sources: Marseille left 22-24 rue Breteuil for the
  former SNCM workshops, rue Mazenod (Joliette), open to the public since 15 February
  2022 (marseille.tribunal-administratif.fr; madeinmarseille.net, March 2021); the new
  street number and postcode were not found, so its address is now left to fill in
  rather than send a filing to the old building. Châlons-en-Champagne, Melun, Nice,
  Orléans, Paris and Toulouse were confirmed (sources in the column).

  Where no source gave an address the cells are empty and the draft leaves the address
  to fill in rather than guess it; a user can check it on the court's site
  (NAME.tribunal-administratif.fr, "Accès et coordonnées") and pass ``--tribunal``.

>>> competent_tribunal("69").name
'Tribunal administratif de Lyon'
>>> competent_tribunal("93").seat
'Montreuil'
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "tribunaux.csv"


@dataclass(frozen=True)
class Tribunal:
    seat: str
    name: str
    departments: tuple[str, ...]
    street: str | None
    postcode: str | None
    city: str | None

    @property
    def address_lines(self) -> tuple[str, ...]:
        """The greffe's postal lines ("POSTCODE CITY" last), () when unknown."""
        if not self.postcode:
            return ()
        return (*(part.strip() for part in (self.street or "").split(" - ") if part),
                f"{self.postcode} {self.city}")


@lru_cache(maxsize=1)
def tribunals() -> tuple[Tribunal, ...]:
    """Every tribunal of the table, in its order (R221-3's)."""
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Tribunal(seat=row["seat"], name=row["name"],
                     departments=tuple(row["departments"].split()),
                     street=row["street"] or None, postcode=row["postcode"] or None,
                     city=row["city"] or None)
            for row in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def _by_department() -> dict[str, Tribunal]:
    return {code: t for t in tribunals() for code in t.departments}


def tribunal_named(name: str) -> Tribunal | None:
    """The tribunal of the table called ``name`` (case and apostrophes ignored)."""
    key = " ".join(name.replace("'", "’").casefold().split())
    return next((t for t in tribunals() if t.name.casefold() == key), None)


def competent_tribunal(department: str | None) -> Tribunal | None:
    """The tribunal for an authority seated in ``department`` ("69", "2A", "974"),
    None when the department is unknown."""
    if not department:
        return None
    return _by_department().get(department.strip().upper())
