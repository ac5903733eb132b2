"""French for the few words Typer's help and parser print themselves.

Typer (and its vendored click) call ``gettext`` through a module-level ``_``; we
point those at a small French table. Only strings listed here change.
"""

from __future__ import annotations

FRENCH = {
    "Options": "Options",
    "Arguments": "Arguments",
    "Commands": "Commandes",
    "required": "obligatoire",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "Aborted!": "Interrompu, rien n'a été enregistré.",
    "(dynamic)": "(dynamique)",
    "Show this message and exit.": "Afficher cette aide et quitter.",
}


# Typer 0.29 validates values with pydantic, whose messages are English.
_VALIDATION = [
    (r"Input should be a valid integer.*", "nombre entier attendu"),
    (r"Input should be a valid number.*", "nombre attendu"),
    (r"Input should be a valid boolean.*", "oui ou non attendu"),
    (r"Input should be a valid string.*", "texte attendu"),
    (r"Input should be less than or equal to (\S+?)\.?$", r"au plus \1"),
    (r"Input should be greater than or equal to (\S+?)\.?$", r"au moins \1"),
    (r"Input should be less than (\S+?)\.?$", r"inférieur à \1"),
    (r"Input should be greater than (\S+?)\.?$", r"supérieur à \1"),
    (r"Input should be (.+)$", r"valeurs possibles : \1"),
    (r"'?(.*?)'? is not a valid integer.*", r"« \1 » n'est pas un nombre entier"),
    (r"'?(.*?)'? is not a valid float.*", r"« \1 » n'est pas un nombre"),
    (r"'?(.*?)'? is not a valid boolean.*", r"« \1 » n'est pas oui ou non"),
    # Typer 0.28's click names its integer types "int" and "int range".
    (r"'?(.*?)'? is not a valid int(?: range)?\.$", r"« \1 » n'est pas un nombre entier"),
    (r"(.*?) is not in the range (.*)\.$", r"\1 n'est pas dans l'intervalle \2"),
    (r"'(.*?)' is not one of (.*)\.$", r"« \1 » n'est pas parmi \2"),
]


# Typer's checks of a path option (``dir_okay=False``, ``file_okay=False``…): the path
# is quoted with ' (or " when it holds a ').
_QUOTED = r"(?:File|Directory|Path) (['\"])(.*)\1"
_PATHS = [
    (_QUOTED + r" does not exist\.", "« {} » introuvable"),
    (_QUOTED + r" is a file\.", "« {} » est un fichier, pas un dossier"),
    (_QUOTED + r" is a directory\.", "« {} » est un dossier, pas un fichier"),
    (_QUOTED + r" is not readable\.", "« {} » ne peut pas être lu (droits d'accès)"),
    (_QUOTED + r" is not writable\.", "« {} » ne peut pas être modifié (droits d'accès)"),
]


def french_validation(message: str) -> str:
    """The French for a value-validation message from pydantic or click."""
    import re

    text = message.strip()
    for pattern, french in _PATHS:
        found = re.fullmatch(pattern, text, flags=re.DOTALL)
        if found:  # the path as given, untouched by the « or » below
            return french.format(found.group(2))
    for pattern, french in _VALIDATION:
        if re.fullmatch(pattern, text, flags=re.DOTALL):
            return re.sub(pattern, french, text, flags=re.DOTALL).replace("'or'", "ou") \
                .replace(" or ", " ou ")
    return text


def _(message: str) -> str:
    return FRENCH.get(message, message)


def install() -> None:
    import typer.core
    from typer._click import core as click_core
    from typer._click import formatting

    if getattr(install, "done", False):
        return
    install.done = True
    typer.core._ = _
    original_help_option = click_core.Command.get_help_option

    def get_help_option(self, ctx):
        option = original_help_option(self, ctx)
        if option is not None and option.help in FRENCH:
            option.help = FRENCH[option.help]
        return option

    click_core.Command.get_help_option = get_help_option
    original = formatting.HelpFormatter.write_usage

    def write_usage(self, prog, args="", prefix=None):
        return original(self, prog, args, prefix="Usage : " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage
