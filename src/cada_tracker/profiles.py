"""Sender profiles (a person, an association): who signs the letters.

Kept in ``profils.json`` in the config folder, private to its owner (0600),
written atomically. The first profile created becomes the default.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from cada_tracker.errors import InputError, NotFoundError
from cada_tracker.fileio import atomic_write_text
from cada_tracker.paths import ensure_private_dir
from cada_tracker.readerrors import read_reason

DEFAULT_NAME = "defaut"


@dataclass(frozen=True)
class Profile:
    key: str  # the profile's name, chosen with --profile
    name: str  # who signs: a person or an association
    address: str  # several lines separated by "\n"
    email: str
    city: str

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


def normalise_address(text: str) -> str:
    """Accept a literal backslash-n (as typed in a shell) as a line break."""
    return "\n".join(
        line.strip() for line in text.replace("\\n", "\n").splitlines() if line.strip()
    )


def check_email(text: str) -> str:
    """The sender's address, stripped; InputError when a mail server would refuse it."""
    from cada_tracker.emails import valid_email

    text = text.strip()
    if not valid_email(text):
        raise InputError(f"Adresse e-mail invalide : « {text} » (exemple : nom@exemple.fr).")
    return text


def _load(path: Path) -> dict:
    if not path.exists():
        return {"default": None, "profiles": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Fichier de profils illisible : {path} ({read_reason(exc)}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
        raise InputError(f"Fichier de profils mal formé : {path} (clé « profiles » absente).")
    if not isinstance(data.get("default"), str | None):
        raise _malformed(path, "« default » doit être le nom d'un profil")
    for key, fields in data["profiles"].items():
        if not isinstance(fields, dict):
            raise _malformed(path, f"le profil « {key} » doit être un objet JSON")
        for field in _FIELDS:
            if not isinstance(fields.get(field), str):
                raise _malformed(path, f"profil « {key} », champ « {field} » : texte "
                                       "manquant")
        unknown = sorted(set(fields) - set(_FIELDS))
        if unknown:
            raise _malformed(path, f"profil « {key} », champ inconnu « {unknown[0]} »")
    return data


_FIELDS = ("name", "address", "email", "city")


def _malformed(path: Path, why: str) -> InputError:
    return InputError(f"Fichier de profils mal formé : {path} ({why}).",
                      hint="Corrigez-le, ou recréez le profil avec cada init.")


def save_profile(path: Path, profile: Profile, *, make_default: bool = False) -> bool:
    """Create or replace a profile. Returns True when it is the default one."""
    for field in _FIELDS:
        if not getattr(profile, field).strip():
            raise InputError(f"Le champ « {field} » du profil ne peut pas être vide.")
    check_email(profile.email)
    data = _load(path)
    fields = asdict(profile)
    key = fields.pop("key")
    if not key.strip():
        raise InputError("--profile : le nom du profil ne peut pas être vide.")
    data["profiles"][key] = fields
    if make_default or not data.get("default"):
        data["default"] = key
    ensure_private_dir(path.parent)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return data["default"] == key


def list_profiles(path: Path) -> tuple[str | None, list[Profile]]:
    data = _load(path)
    profiles = [Profile(key=k, **v) for k, v in sorted(data["profiles"].items())]
    return data.get("default"), profiles


def get_profile(path: Path, name: str | None) -> Profile:
    data = _load(path)
    profiles = data["profiles"]
    if not profiles:
        raise NotFoundError(
            "Aucun profil d'expéditeur : les courriers doivent être signés.",
            hint='Créez-en un : cada init --name "…" --address "…" --email … --city …',
        )
    key = name or data.get("default") or DEFAULT_NAME
    if key not in profiles:
        raise NotFoundError(
            f"Profil inconnu : « {key} ». Profils existants : {', '.join(sorted(profiles))}."
        )
    return Profile(key=key, **profiles[key])
