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
    "Aborted!": "Interrompu.",
    "(dynamic)": "(dynamique)",
    "Show this message and exit.": "Afficher cette aide et quitter.",
}


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
