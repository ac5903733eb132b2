"""The questions ``cada new`` asks on a terminal: which administration (searched in the
directory by name, town or number), which template, which campaign."""

from __future__ import annotations

from pathlib import Path

from cada_tracker.cli import prompts
from cada_tracker.errors import CadaError, InputError


def ask_administration(open_session) -> int:
    """The id of the administration the user finds by searching; echoes the choice."""
    from cada_tracker.services.admins import get_admin, list_admin_rows

    while True:
        answer = prompts.ask_value("Administration destinataire (nom, ville ou numéro)")
        try:
            with open_session() as s:
                if answer.isascii() and answer.isdigit():
                    admin = get_admin(s, int(answer))
                    rows = [(admin.id, admin.name, admin.kind, admin.postcode, admin.city)]
                else:
                    rows = list_admin_rows(s, search=answer)
        except CadaError as exc:  # unknown number, search too long: ask again
            prompts.say(exc.message)
            continue
        if not rows:
            prompts.say(f"Aucune administration ne correspond à « {answer} » "
                        "(cada admin add pour en ajouter une).")
            continue
        if len(rows) > prompts.SHOWN_CHOICES:
            prompts.say(f"{len(rows)} administrations correspondent à « {answer} » ; voici "
                        f"les {prompts.SHOWN_CHOICES} premières (précisez la recherche "
                        "pour les autres, ou tapez 0).")
        chosen = rows[0] if len(rows) == 1 else _choose(rows[:prompts.SHOWN_CHOICES])
        if chosen is None:
            continue
        admin_id, name, _kind, postcode, city = chosen[:5]
        place = " ".join(p for p in (postcode, city) if p)
        prompts.say(f"Administration choisie : {name} (n° {admin_id}{', ' + place if place else ''}).")
        return admin_id


def _choose(rows: list[tuple]):
    """One of ``rows`` by its number; 0 or an empty line to search again (None)."""
    for number, row in enumerate(rows, 1):
        place = " ".join(p for p in (row[3], row[4]) if p)
        prompts.say(f"  {number:>2}. {row[1]}" + (f" — {place}" if place else "") +
                    f" (n° {row[0]})")

    def check(answer: str):
        if answer.isascii() and answer.isdigit() and 0 <= int(answer) <= len(rows):
            return int(answer)
        raise InputError(f"« {answer} » : tapez un numéro de 1 à {len(rows)}, ou 0 pour "
                         "chercher à nouveau.")

    number = prompts.ask_value("Numéro dans la liste", default="0", check=check)
    return rows[number - 1] if number else None


def ask_template(user_dir: Path | None, default: str = "demande") -> str:
    """A request template, chosen in the list of those that render."""
    from cada_tracker.letter_catalogue import list_templates

    options = [(t.name, t.title) for t in list_templates(user_dir)
               if t.kind == "request" and t.error is None]
    if not options:
        return default
    return prompts.ask_choice("Modèle de courrier", options,
                              default=default if any(n == default for n, _ in options) else None)


def ask_campaign(open_session) -> str | None:
    """An existing campaign by number, a new name, or none (empty line)."""
    from cada_tracker.services.campaigns import campaign_names

    with open_session() as s:
        names = campaign_names(s)
    for number, name in enumerate(names[:prompts.SHOWN_CHOICES], 1):
        prompts.say(f"  {number:>2}. {name}")

    def check(answer: str) -> str:
        if answer.isascii() and answer.isdigit() and names:
            if 1 <= int(answer) <= min(len(names), prompts.SHOWN_CHOICES):
                return names[int(answer) - 1]
            raise InputError(f"« {answer} » : pas de campagne n° {answer} dans la liste.")
        return answer

    label = ("Campagne (numéro, nouveau nom, ou ligne vide pour aucune)" if names
             else "Campagne (nom, ou ligne vide pour aucune)")
    return prompts.ask_value(label, check=check, optional=True) or None
