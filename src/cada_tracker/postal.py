"""The recipient's block as La Poste wants it in the envelope window (NF Z10-011).

Pure: no database, no template. The stored administration keeps the directory's
text; :func:`postal_block` derives, each time it is asked, the block the letter
prints. The norm's rules as applied here:

* at most :data:`MAX_LINES` (6) lines of at most :data:`MAX_CHARS` (38) characters;
* line 1 the organisation, then one "À l'attention de …" line (the PRADA when known,
  else the addressee's title: the two used to repeat each other), then the service
  and building complements, the street, the distribution (BP, CS, TSA), and last
  "POSTCODE CITY" in capitals without accents or punctuation (CEDEX kept);
* a line too long is first abbreviated with the norm's abbreviations (AV, BD, PL,
  ST…), then wrapped on word boundaries; when the block still has more than six
  lines, short neighbours are joined with " - ", then complements are left out
  (the last first), then the organisation is replaced by its acronym. Every line
  left out or shortened is reported in ``problems``: nothing is cut silently.

>>> block = postal_block(name="Préfecture du Rhône", addressee="Monsieur le préfet du Rhône",
...     street_lines=["Direction des affaires juridiques et de l'administration locale",
...                   "A l'attention de Madame Patricia CHENEL", "106 rue Pierre Corneille"],
...     postcode="69419", city="LYON CEDEX 03", prada_name="Patricia CHENEL")
>>> block.lines[0], block.lines[1], block.lines[-1]
('Préfecture du Rhône', 'À l’attention de Mme Patricia CHENEL', '69419 LYON CEDEX 03')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MAX_LINES = 6
MAX_CHARS = 38

_APOSTROPHE = str.maketrans({"'": "’", "`": "’", "´": "’", "ʼ": "’"})

# Street types and common words of street names, with La Poste's abbreviation
# (NF Z10-011 annex; used only when a line is longer than 38 characters).
_ABBREVIATIONS: dict[str, str] = {
    "allée": "all",
    "avenue": "av",
    "bâtiment": "bat",
    "boulevard": "bd",
    "carrefour": "carr",
    "chemin": "che",
    "chaussée": "chs",
    "cours": "crs",
    "domaine": "dom",
    "esplanade": "esp",
    "faubourg": "fg",
    "hameau": "ham",
    "immeuble": "imm",
    "impasse": "imp",
    "lieu-dit": "ld",
    "lotissement": "lot",
    "montée": "mte",
    "passage": "pass",
    "place": "pl",
    "promenade": "prom",
    "quartier": "qua",
    "résidence": "res",
    "rond-point": "rpt",
    "route": "rte",
    "sentier": "sen",
    "square": "sq",
    "traverse": "tra",
    "zone artisanale": "za",
    "zone industrielle": "zi",
    "saint": "st",
    "sainte": "ste",
    "général": "gal",
    "maréchal": "mal",
    "président": "pdt",
    "docteur": "dr",
    "professeur": "pr",
}
_ABBREVIATION_RE = re.compile(
    r"(?i)(?<![\w-])(" + "|".join(sorted(map(re.escape, _ABBREVIATIONS), key=len, reverse=True))
    + r")(?![\w])"
)
_STREET_TYPES = (
    "allée|avenue|av|boulevard|bd|carrefour|chemin|chaussée|cours|esplanade|faubourg|"
    "impasse|montée|passage|place|parvis|promenade|quai|rond-point|route|rue|ruelle|"
    "sentier|square|traverse|voie|cité|village|hameau|lieu-dit"
)
_STREET_RE = re.compile(
    rf"(?i)^(\d+[\s,-]*(bis|ter|quater|[a-d])?\b|({_STREET_TYPES})\b)"
)
_DISTRIBUTION_RE = re.compile(r"(?i)^(bp|cs|tsa|cedex|case postale|cp|boîte postale|b\.p\.)\b")
_ATTENTION_RE = re.compile(
    r"(?i)(?:^|[\s-]+)[aà]\s*l\s*['’]\s*att(?:ention|\.)?\s+(?:de\s+|d['’]\s*)(?P<who>.*)$"
)
_CIVILITY_RE = re.compile(r"(?i)^(monsieur|madame|mademoiselle|m\.|mme\.?|mlle\.?)\s+")
_CIVILITY_SHORT = {"monsieur": "M.", "m.": "M.", "madame": "Mme", "mme": "Mme",
                   "mme.": "Mme", "mademoiselle": "Mme", "mlle": "Mme", "mlle.": "Mme"}
_TITLE_CUT_RE = re.compile(r"\s+(?:de la|de l['’]|du|des|de|d['’])\s*\S.*$", re.IGNORECASE)
_ACRONYM_RE = re.compile(r"\(([A-Z][A-Za-z0-9 .'’&-]{1,20})\)\s*$")
_SEPARATOR_RE = re.compile(r"\s+-\s+|\s*-\s*(?=[aàAÀ]\s*l\s*['’]\s*att)|^-|-$")


@dataclass(frozen=True)
class PostalBlock:
    """The lines to print in the window, and what could not be kept as written."""

    lines: tuple[str, ...]
    problems: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return not self.problems


@dataclass
class _Part:
    role: str  # name | attention | complement | street | distribution
    text: str
    lines: list[str] = field(default_factory=list)


def typographic(text: str) -> str:
    """One apostrophe style in letters: the typographic one (’)."""
    return text.translate(_APOSTROPHE)


def postal_line(postcode: str | None, city: str | None) -> str:
    """"POSTCODE CITY" in capitals, without accents or punctuation, CEDEX kept."""
    city_text = unicodedata.normalize("NFKD", city or "")
    city_text = "".join(c for c in city_text if not unicodedata.combining(c)).upper()
    city_text = " ".join(re.sub(r"[^\w ]|_", " ", city_text).split())
    line = " ".join(part for part in ((postcode or "").strip(), city_text) if part)
    if len(line) > MAX_CHARS:
        line = re.sub(r"\bSAINTE\b", "STE", re.sub(r"\bSAINT\b", "ST", line))
    return line


def typed_lines(text: str, *, printed_above: int = 0) -> tuple[str, ...]:
    """The lines of an address a user typed ("\\n" between lines), checked against
    the window rules; the letter prints ``printed_above`` lines of its own first.
    The last line becomes "POSTCODE CITY" (:func:`postal_line`). ValueError, in
    French and naming the line, when the address cannot be printed as typed.

    >>> typed_lines("12 rue Exemple\\n83000 Toulon", printed_above=2)
    ('12 rue Exemple', '83000 TOULON')
    """
    lines = [" ".join(line.split()) for line in text.replace("\\n", "\n").splitlines()]
    lines = [line for line in lines if line]
    room = MAX_LINES - printed_above
    if not lines:
        raise ValueError("adresse vide")
    if len(lines) > room:
        raise ValueError(f"{len(lines)} lignes, {room} au plus tiennent dans la fenêtre")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_CHARS:
            raise ValueError(f"ligne {number} « {line} » : {len(line)} caractères, "
                             f"{MAX_CHARS} au plus")
    last = re.fullmatch(r"([0-9]{5}) +(\S.*)", lines[-1])
    if last is None:
        raise ValueError(f"dernière ligne « {lines[-1]} » : « CODE POSTAL VILLE » attendu "
                         "(ex. « 83000 Toulon »)")
    return (*lines[:-1], postal_line(last[1], last[2]))


def abbreviate(line: str) -> str:
    """``line`` with the norm's abbreviations ("avenue" -> "av"), keeping the case style."""

    def short(match: re.Match[str]) -> str:
        word = match.group(1)
        abbr = _ABBREVIATIONS[word.lower()]
        if word.isupper():
            return abbr.upper()
        if word[0].isupper():
            return abbr[0].upper() + abbr[1:]
        return abbr

    return _ABBREVIATION_RE.sub(short, line)


def wrap(text: str, width: int = MAX_CHARS) -> list[str]:
    """``text`` on lines of at most ``width`` characters, cut between words
    (preferably at " - "); a single word longer than ``width`` is cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current.removesuffix(" -"))
            current = word.removeprefix("-").strip() if word == "-" else word
    if current:
        lines.append(current)
    return [line for line in lines if line and line != "-"]


def _fit(text: str) -> list[str]:
    """``text`` as lines of at most 38 characters: as is, abbreviated, or wrapped."""
    if len(text) <= MAX_CHARS:
        return [text]
    short = abbreviate(text)
    if len(short) <= MAX_CHARS:
        return [short]
    return wrap(short)


def _person(who: str) -> tuple[str | None, str]:
    """(short civility or None, the rest) of "Madame Anne LABORIE"."""
    match = _CIVILITY_RE.match(who)
    if not match:
        return None, who.strip()
    return _CIVILITY_SHORT[match.group(1).lower()], who[match.end():].strip()


def _initials(name: str) -> str:
    """"Anne-Sophie CHOLLETON" -> "A.-S. CHOLLETON" (given names only)."""
    words = name.split()
    given = [w for w in words if not (w.isupper() and len(w) > 1)]
    if not given or len(given) == len(words):
        return name
    short = {w: "-".join(p[:1] + "." for p in w.split("-") if p) for w in given}
    return " ".join(short.get(w, w) for w in words)


def _attention_line(civility: str | None, person: str) -> str:
    for who in (person, _initials(person)):
        label = f"{civility} {who}" if civility else who
        elide = re.match(r"(?i)[aeiouyàâéèêîôûœh]", label) is not None  # "d’Anne"
        for lead in ("À l’attention d’", "À l’att. d’") if elide else (
                "À l’attention de ", "À l’att. de "):
            line = f"{lead}{label}"
            if len(line) <= MAX_CHARS:
                return line
    return f"À l’att. de {_initials(person)}"


def _title(addressee: str) -> str:
    """The addressee's title without what follows it ("Monsieur le président" of
    "Monsieur le président de la communauté de communes …")."""
    return _TITLE_CUT_RE.sub("", addressee).strip() or addressee


def _segments(lines: Iterable[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        for segment in _SEPARATOR_RE.split(line):
            segment = " ".join(segment.split()).strip(" -")
            if segment:
                out.append(segment)
    return out


def _same_person(a: str, b: str) -> bool:
    def key(text: str) -> set[str]:
        return {w.replace("-", "").casefold() for w in text.split() if len(w) > 1}

    ka, kb = key(a), key(b)
    return bool(ka) and bool(kb) and (ka <= kb or kb <= ka or len(ka & kb) >= 2)


def postal_block(
    *,
    name: str,
    addressee: str | None = None,
    street_lines: Sequence[str] = (),
    postcode: str | None = None,
    city: str | None = None,
    prada_name: str | None = None,
) -> PostalBlock:
    """The window block of one administration (see the module docstring)."""
    problems: list[str] = []
    name_text = typographic(" ".join(name.split()))

    # Who the letter is for: one line, the PRADA first, else the addressee's title.
    found: list[tuple[str | None, str]] = []
    title = None
    for segment in _segments([addressee] if addressee else []):
        match = _ATTENTION_RE.search(segment)
        if match:
            found.append(_person(match["who"]))
        elif title is None:
            title = _title(segment)
    kept: list[str] = []
    for segment in _segments(street_lines):
        match = _ATTENTION_RE.search(segment)
        if match:
            found.append(_person(match["who"]))
            segment = segment[: match.start()].strip(" -")
        if segment:
            kept.append(segment)
    civility: str | None = None
    person: str | None = None
    if prada_name:
        civility, person = _person(" ".join(prada_name.split()))
        for found_civility, who in found:
            if _same_person(who, person):
                civility, person = found_civility or civility, who
                break
    elif found:
        civility, person = found[0]
    parts: list[_Part] = [_Part("name", name_text)]
    if person:
        parts.append(_Part("attention", typographic(_attention_line(civility, person))))
    elif title:
        parts.append(_Part("attention", typographic(_attention_line(None, title))))

    body = [typographic(s) for s in kept if s.casefold() != name_text.casefold()
            and not re.match(r"(?i)^prada\s*:", s)]
    complements = [s for s in body if not _STREET_RE.match(s) and not _DISTRIBUTION_RE.match(s)]
    streets = [s for s in body if _STREET_RE.match(s) and not _DISTRIBUTION_RE.match(s)]
    distributions = [s for s in body if _DISTRIBUTION_RE.match(s)]
    # A complement after the street is a lieu-dit: it stays after the street.
    first_street = body.index(streets[0]) if streets else len(body)
    before = [s for s in complements if body.index(s) < first_street]
    after = [s for s in complements if body.index(s) > first_street]
    parts += [_Part("complement", s) for s in before]
    parts += [_Part("street", s) for s in streets]
    parts += [_Part("lieu-dit", s) for s in after]
    parts += [_Part("distribution", s) for s in distributions]
    last = postal_line(postcode, city)
    if not last:
        problems.append("code postal et ville manquants : le courrier ne peut être acheminé")
    for part in parts:
        part.lines = _fit(part.text)

    def count() -> int:
        return sum(len(p.lines) for p in parts) + (1 if last else 0)

    _join_neighbours(parts, count)
    # Too long still: leave complements out, the last first, then the lieux-dits.
    for role in ("complement", "lieu-dit"):
        while count() > MAX_LINES and any(p.role == role for p in parts):
            index = max(i for i, p in enumerate(parts) if p.role == role)
            problems.append(f"ligne « {parts[index].text} » omise (plus de {MAX_LINES} lignes)")
            parts.pop(index)
    name_part = parts[0]
    acronym = _ACRONYM_RE.search(name_text)
    if count() > MAX_LINES and len(name_part.lines) > 1 and acronym:
        name_part.lines = [acronym.group(1)]
        problems.append(f"nom « {name_text} » abrégé en « {acronym.group(1)} »")
    while count() > MAX_LINES and len(name_part.lines) > 1:
        dropped = name_part.lines.pop()
        name_part.lines[-1] = name_part.lines[-1][: MAX_CHARS - 1].rstrip() + "…"
        problems.append(f"nom « {name_text} » raccourci (« {dropped} » omis)")
    for role in ("attention", "street", "distribution"):
        while count() > MAX_LINES and any(p.role == role for p in parts):
            index = max(i for i, p in enumerate(parts) if p.role == role)
            problems.append(f"ligne « {parts[index].text} » omise (plus de {MAX_LINES} lignes)")
            parts.pop(index)
    for part in parts:
        if any(len(line) > MAX_CHARS for line in part.lines):  # a word of 39+ characters
            problems.append(f"ligne « {part.text} » coupée à {MAX_CHARS} caractères")
            part.lines = [line[:MAX_CHARS] for line in part.lines]
    lines = [line for part in parts for line in part.lines]
    if last:
        lines.append(last)
    return PostalBlock(tuple(lines), tuple(problems))


def _join_neighbours(parts: list[_Part], count) -> None:
    """Join two neighbouring one-line parts of compatible roles with " - " while the
    block has more than six lines and the joined line still fits."""
    compatible = {("complement", "complement"), ("street", "distribution"),
                  ("lieu-dit", "distribution"), ("street", "lieu-dit"),
                  ("complement", "street"), ("lieu-dit", "lieu-dit")}
    joined = True
    while count() > MAX_LINES and joined:
        joined = False
        for i in range(len(parts) - 1):
            a, b = parts[i], parts[i + 1]
            if (a.role, b.role) not in compatible or len(a.lines) != 1 or len(b.lines) != 1:
                continue
            line = f"{a.lines[0]} - {b.lines[0]}"
            if len(line) > MAX_CHARS:
                continue
            role = a.role if a.role != "complement" or b.role == "complement" else b.role
            parts[i : i + 2] = [_Part(role, f"{a.text} - {b.text}", [line])]
            joined = True
            break
