"""Reading an Alaveteli request: its JSON (``/request/<url_title>.json``) and its ZIP.

The JSON is ``InfoRequest#json_for_api(true)`` (app/models/info_request.rb): ``id``,
``url_title``, ``title``, ``created_at``, ``described_state``, ``display_status``,
``law_used``, ``tags`` (``[name, value]`` pairs), ``user`` (or ``user_name`` for an
external request), ``public_body`` (``PublicBody#json_for_api``: ``id``, ``url_name``,
``name``, ``notes``, ``home_page``…) and ``info_request_events``
(``InfoRequestEvent#json_for_api(false)``: ``id``, ``event_type``, ``created_at``,
``described_state``, ``calculated_state``, ``incoming_message_id``,
``outgoing_message_id``…). Times are ISO 8601 with their offset, as Rails writes them.

The ZIP (``RequestController#make_request_zip``) holds ``correspondence.txt`` (the
plain-text rendering of the whole request, whose first line gives its URL) and, for
the N-th incoming message, its attachments as ``N_PART_NAME``.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cada_tracker.errors import InputError
from cada_tracker.faults import reason
from cada_tracker.fileio import read_bounded
from cada_tracker.textlimits import KEY_MAX, NAME_MAX, TAG_MAX, problem

#: Largest JSON file read (a request with thousands of events is a few MB).
JSON_MAX = 50 * 1024 * 1024
#: Entries of a ZIP read at most (a request has a few dozen attachments).
ZIP_ENTRIES_MAX = 5000
#: Site used for the request's URL when no ZIP names it (``--site``).
DEFAULT_SITE = "https://madada.fr"


@dataclass(frozen=True)
class Body:
    id: int | None
    url_name: str
    name: str
    notes: str = ""
    home_page: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlaveteliEvent:
    id: int
    type: str
    at: datetime
    described_state: str | None = None
    calculated_state: str | None = None
    incoming_message_id: int | None = None
    outgoing_message_id: int | None = None

    @property
    def on(self) -> date:
        return local_date(self.at)


@dataclass(frozen=True)
class AlaveteliRequest:
    source: str  # the file it was read from
    id: int
    url_title: str
    title: str
    created_at: datetime
    described_state: str
    law_used: str
    tags: tuple[str, ...]
    user_name: str | None
    body: Body
    events: tuple[AlaveteliEvent, ...] = ()

    def url(self, site: str) -> str:
        return f"{site}/request/{self.url_title}"


@dataclass(frozen=True)
class ArchiveEntry:
    name: str  # the last part of the entry's name (never used as a path)
    size: int
    message: int | None  # N of "N_PART_NAME": the N-th incoming message; None otherwise
    member: str = ""  # the entry's full name in the ZIP, to read it


@dataclass
class Archive:
    path: Path
    url: str | None  # the request's URL, read from correspondence.txt
    entries: list[ArchiveEntry] = field(default_factory=list)
    correspondence: str = ""

    def for_message(self, number: int) -> list[ArchiveEntry]:
        return [e for e in self.entries if e.message == number]


def local_date(moment: datetime) -> date:
    """The day of ``moment`` in Paris (the date French deadlines count from)."""
    if moment.tzinfo is None:
        return moment.date()
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/Paris")).date()
    except Exception:  # noqa: BLE001 - no time-zone database: the date as written
        return moment.date()


def _fail(source: str, message: str) -> InputError:
    return InputError(
        f"« {source} » : {message}",
        hint="Attendu : le JSON d'une demande Ma Dada, téléchargé depuis "
             "https://madada.fr/request/<titre>.json",
    )


def _text(value, source: str, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(source, f"champ « {where} » manquant ou vide.")
    return _no_nul(value.strip(), source, where)


def _no_nul(value: str, source: str, where: str) -> str:
    """``value``, refused if it holds a NUL, which PostgreSQL cannot store in text (a
    directory file with one is refused too: it is not text)."""
    if "\x00" in value:
        raise _fail(source, f"champ « {where} » : caractère NUL (\\u0000) dans le texte.")
    return value


def _limited(value: str, limit: int, source: str, where: str) -> str:
    """``value``, if short enough for the indexes it ends up in (cada_tracker.textlimits)."""
    why = problem(value, limit)
    if why is not None:
        raise _fail(source, f"champ « {where} » : {why}.")
    return value


def _int(value, source: str, where: str, *, required: bool = True) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise _fail(source, f"champ « {where} » : un identifiant numérique est attendu.")
    return value


def _moment(value, source: str, where: str) -> datetime:
    if not isinstance(value, str):
        raise _fail(source, f"champ « {where} » manquant (date et heure ISO 8601 attendues).")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail(source, f"champ « {where} » : « {value[:40]} » n'est pas une date ISO "
                            "8601.") from None
    if not 1900 <= moment.year <= 2100:
        raise _fail(source, f"champ « {where} » : année {moment.year} hors de 1900-2100.")
    return moment


def _state(value, source: str, where: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[a-z_]{1,60}", value):
        raise _fail(source, f"champ « {where} » : état « {str(value)[:40]} » illisible.")
    return value


def _tags(value, source: str, where: str) -> tuple[str, ...]:
    """``[["name", "value"], ["name", null]]`` → ("name:value", "name")."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(source, f"champ « {where} » : une liste est attendue.")
    tags: list[str] = []
    for item in value:
        if isinstance(item, str):
            name, val = item, None
        elif isinstance(item, list) and item and isinstance(item[0], str):
            name, val = item[0], item[1] if len(item) > 1 else None
        else:
            raise _fail(source, f"champ « {where} » : étiquette « {str(item)[:40]} » illisible.")
        tag = f"{name}:{val}" if isinstance(val, str) and val else name
        tag = " ".join(_no_nul(tag, source, where).split())
        if tag and _limited(tag, TAG_MAX, source, where) not in tags:
            tags.append(tag)
    return tuple(tags)


def parse_request(data, source: str) -> AlaveteliRequest:
    if not isinstance(data, dict):
        raise _fail(source, "un objet JSON est attendu.")
    body = data.get("public_body")
    if not isinstance(body, dict):
        raise _fail(source, "champ « public_body » manquant : ce n'est pas le JSON complet "
                            "d'une demande.")
    events = data.get("info_request_events")
    if not isinstance(events, list):
        raise _fail(source, "champ « info_request_events » manquant : ce n'est pas le JSON "
                            "complet d'une demande.")
    url_title = _text(data.get("url_title"), source, "url_title")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,255}", url_title):
        raise _fail(source, f"champ « url_title » : « {url_title[:60]} » n'est pas un titre "
                            "d'adresse Alaveteli.")
    user = data.get("user")
    user_name = user.get("name") if isinstance(user, dict) else data.get("user_name")
    parsed_events = []
    for position, event in enumerate(events, start=1):
        where = f"info_request_events[{position}]"
        if not isinstance(event, dict):
            raise _fail(source, f"« {where} » : un objet est attendu.")
        parsed_events.append(AlaveteliEvent(
            id=_int(event.get("id"), source, f"{where}.id"),
            type=_state(event.get("event_type"), source, f"{where}.event_type") or "",
            at=_moment(event.get("created_at"), source, f"{where}.created_at"),
            described_state=_state(event.get("described_state"), source,
                                   f"{where}.described_state"),
            calculated_state=_state(event.get("calculated_state"), source,
                                    f"{where}.calculated_state"),
            incoming_message_id=_int(event.get("incoming_message_id"), source,
                                     f"{where}.incoming_message_id", required=False),
            outgoing_message_id=_int(event.get("outgoing_message_id"), source,
                                     f"{where}.outgoing_message_id", required=False),
        ))
        if not parsed_events[-1].type:
            raise _fail(source, f"champ « {where}.event_type » manquant.")
    return AlaveteliRequest(
        source=source,
        id=_int(data.get("id"), source, "id"),
        url_title=url_title,
        title=" ".join(_text(data.get("title"), source, "title").split()),
        created_at=_moment(data.get("created_at"), source, "created_at"),
        described_state=_state(data.get("described_state"), source, "described_state")
        or "waiting_response",
        law_used=_text(data.get("law_used"), source, "law_used", required=False) or "foi",
        tags=_tags(data.get("tags"), source, "tags"),
        user_name=_no_nul(user_name, source, "user.name" if user else "user_name")
        if isinstance(user_name, str) and user_name.strip() else None,
        body=Body(
            id=_int(body.get("id"), source, "public_body.id", required=False),
            url_name=_limited(_text(body.get("url_name"), source, "public_body.url_name"),
                              KEY_MAX, source, "public_body.url_name"),
            name=_limited(_text(body.get("name"), source, "public_body.name"), NAME_MAX,
                          source, "public_body.name"),
            notes=_text(body.get("notes"), source, "public_body.notes", required=False),
            home_page=_text(body.get("home_page"), source, "public_body.home_page",
                            required=False),
            tags=_tags(body.get("tags"), source, "public_body.tags"),
        ),
        events=tuple(sorted(parsed_events, key=lambda e: (e.at, e.id))),
    )


def read_request(path: Path) -> AlaveteliRequest:
    source = str(path)
    try:
        raw = read_bounded(path, JSON_MAX)
        if raw is None:
            raise _fail(source, f"fichier de plus de {JSON_MAX // 2**20} Mo.")
    except FileNotFoundError:
        raise InputError(f"« {source} » : fichier introuvable.") from None
    except IsADirectoryError:
        raise InputError(f"« {source} » : c'est un dossier, pas un fichier JSON.") from None
    except OSError as exc:
        raise InputError(f"« {source} » : lecture impossible ({reason(exc)}).") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _fail(source, "ce n'est pas du texte UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise _fail(source, f"JSON illisible (ligne {exc.lineno}, colonne {exc.colno}).") \
            from None
    except RecursionError:
        raise _fail(source, "JSON trop imbriqué.") from None
    return parse_request(data, source)


_ATTACHMENT = re.compile(r"\A([0-9]{1,6})_([0-9.]{1,20})_(.+)\Z", re.S)
_URL = re.compile(r"(https?://[^\s\"'<>]+?)/request/([A-Za-z0-9_.-]+)")


def read_archive(path: Path) -> Archive:
    """The entries of a request's ZIP download (nothing is extracted here)."""
    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(f"--zip : « {source} » : fichier introuvable.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"--zip : « {source} » n'est pas une archive ZIP lisible "
                         f"({reason(exc) if isinstance(exc, OSError) else 'format ZIP invalide'}).") from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > ZIP_ENTRIES_MAX:
            raise InputError(f"--zip : « {source} » contient {len(infos)} fichiers, "
                             f"{ZIP_ENTRIES_MAX} au plus.")
        result = Archive(path=path, url=None)
        for info in infos:
            name = info.filename.rsplit("/", 1)[-1]
            if name == "correspondence.txt":
                with archive.open(info) as fh:
                    # A rendering of mails: NUL dropped, as mail import drops controls.
                    result.correspondence = fh.read(2_000_000).decode(
                        "utf-8", "replace").replace("\x00", "")
                found = _URL.search(result.correspondence[:4000])
                if found:
                    result.url = f"{found.group(1)}/request/{found.group(2).rstrip('.')}"
            match = _ATTACHMENT.match(name)
            result.entries.append(ArchiveEntry(
                name=name, size=info.file_size,
                message=int(match.group(1)) if match else None, member=info.filename))
    if not result.correspondence:
        raise InputError(f"--zip : « {source} » ne contient pas de correspondence.txt : ce "
                         "n'est pas le ZIP d'une demande Ma Dada (« Télécharger un fichier "
                         "ZIP de toute la correspondance »).")
    return result


def site_of(url: str) -> str:
    return url.split("/request/", 1)[0]


def check_site(value: str) -> str:
    site = value.strip().rstrip("/")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?", site):
        raise InputError(f"--site : « {value[:80]} » n'est pas l'adresse d'un site Alaveteli "
                         "(ex. https://madada.fr).")
    return site
