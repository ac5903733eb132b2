"""cada's settings read from environment variables (``CADA_*``), checked: a bad value
is an InputError naming the variable, its value and what is allowed."""

from __future__ import annotations

import os

from cada_tracker.errors import InputError


def env_int(name: str, default: int, low: int, high: int, unit: str,
            env: dict[str, str] | None = None) -> int:
    """The whole number in the environment variable ``name`` (``default`` when unset),
    or an InputError naming the variable, its value and the range allowed."""
    raw = (os.environ if env is None else env).get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise InputError(f"{name} : « {raw[:40]} » n'est pas un nombre de {unit} entre "
                         f"{low} et {high}.")
    return int(raw)
