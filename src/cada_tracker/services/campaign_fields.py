"""Campaign fields: what the documents obtained say, recorded per request and exported.

A field belongs to one campaign and has a type: ``text``, ``int`` (a count, an amount
in whole euros), ``bool`` (``oui``/``non``) or ``choice`` (one of a fixed list). Values
are stored as canonical text and typed again on export (JSON numbers and booleans,
``services.campaign_field_values``, which reads them without the ORM).

>>> parse_value(FieldSpec("cameras", "int"), "1 250")
'1250'
>>> parse_value(FieldSpec("vsa", "bool"), "Vrai")
'oui'
"""

from __future__ import annotations

import json
import re
import unicodedata

from sqlmodel import Session, select

from cada_tracker.errors import InputError, NotFoundError, StateError
from cada_tracker.models import CampaignField, CampaignValue, Request, utcnow
from cada_tracker.services.campaign_field_values import FieldSpec, choices_of

KINDS = {"text": "texte", "int": "nombre entier", "bool": "oui/non", "choice": "choix"}
_TRUE = {"oui", "o", "vrai", "true", "1", "yes", "y"}
_FALSE = {"non", "n", "faux", "false", "0", "no"}
MAX_TEXT = 1000


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def spec_of(field: CampaignField) -> FieldSpec:
    return FieldSpec(field.name, field.kind, choices_of(field.choices))


def parse_value(spec: FieldSpec, raw: str) -> str:
    """The canonical text of ``raw`` for this field, or a French InputError."""
    value = raw.strip()
    if spec.kind == "int":
        digits = re.sub(r"[\s\u00a0\u202f.]", "", value)
        if not re.fullmatch(r"\d{1,15}", digits):
            raise InputError(f"Champ « {spec.name} » : « {raw} » n'est pas un nombre entier "
                             "positif (ex. 12 ou 12 500).")
        return str(int(digits))
    if spec.kind == "bool":
        folded = _fold(value)
        if folded in _TRUE:
            return "oui"
        if folded in _FALSE:
            return "non"
        raise InputError(f"Champ « {spec.name} » : « {raw} » n'est pas oui ou non.")
    if spec.kind == "choice":
        for choice in spec.choices:
            if _fold(choice) == _fold(value):
                return choice
        raise InputError(f"Champ « {spec.name} » : « {raw} » n'est pas un choix possible "
                         f"({', '.join(spec.choices)}).")
    if not value:
        raise InputError(f"Champ « {spec.name} » : valeur vide.")
    if len(value) > MAX_TEXT:
        raise InputError(f"Champ « {spec.name} » : {MAX_TEXT} caractères au plus.")
    return value


def _campaign_exists(session: Session, campaign: str) -> None:
    from cada_tracker.services.campaigns import campaign_names

    names = campaign_names(session)
    if campaign not in names:
        shown = ", ".join(f"« {n} »" for n in names[:10]) or "aucune"
        raise NotFoundError(f"Aucune campagne « {campaign} » (campagnes : {shown}).")


def fields_of(session: Session, campaign: str) -> list[CampaignField]:
    return list(session.exec(select(CampaignField).where(CampaignField.campaign == campaign)
                             .order_by(CampaignField.id)))


def add_field(session: Session, *, campaign: str, name: str, kind: str,
              choices: list[str] | None) -> CampaignField:
    _campaign_exists(session, campaign)
    name = name.strip()
    if not re.fullmatch(r"[\w][\w-]{0,49}", name):
        raise InputError(f"Nom de champ « {name} » invalide : lettres, chiffres, - et _ "
                         "(50 caractères au plus), ex. nombre_cameras.")
    if kind not in KINDS:
        raise InputError(f"--type : « {kind} » n'est pas un type possible "
                         f"(types : {', '.join(KINDS)}).")
    options = [c.strip() for item in (choices or []) for c in item.split(",") if c.strip()]
    if kind == "choice" and len(options) < 2:
        raise InputError("--choices : un champ à choix demande au moins deux choix "
                         '(ex. --choices "Briefcam,Idemia,autre").')
    if kind != "choice" and options:
        raise InputError("--choices ne vaut que pour --type choice.")
    if len({_fold(o) for o in options}) != len(options):
        raise InputError("--choices : deux choix identiques.")
    if any(f.name == name for f in fields_of(session, campaign)):
        raise InputError(f"La campagne « {campaign} » a déjà un champ « {name} ».")
    field = CampaignField(campaign=campaign, name=name, kind=kind,
                          choices=json.dumps(options, ensure_ascii=False) if options else None)
    session.add(field)
    session.flush()
    return field


def set_value(session: Session, *, reference: str, name: str, raw: str) -> tuple[Request, str]:
    request = session.exec(select(Request).where(Request.reference == reference)).first()
    if request is None:
        raise NotFoundError(f"Aucune demande de référence « {reference} ».")
    if not request.campaign:
        raise StateError(f"La demande {reference} n'appartient à aucune campagne : ses champs "
                         "sont ceux d'une campagne (cada campaign field add).")
    fields = fields_of(session, request.campaign)
    field = next((f for f in fields if f.name == name.strip()), None)
    if field is None:
        known = ", ".join(f.name for f in fields) or "aucun"
        raise NotFoundError(f"La campagne « {request.campaign} » n'a pas de champ « {name} » "
                            f"(champs : {known}).")
    value = parse_value(spec_of(field), raw)
    existing = session.get(CampaignValue, (request.id, field.id))
    if existing is None:
        session.add(CampaignValue(request_id=request.id, field_id=field.id, value=value))
    else:
        existing.value, existing.updated_at = value, utcnow()
        session.add(existing)
    return request, value
