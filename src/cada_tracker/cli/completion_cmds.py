"""cada completion SHELL: the script that completes cada's commands and options."""

from __future__ import annotations

from enum import StrEnum

import typer

#: The variable through which a shell asks cada for completions (Click's protocol).
COMPLETE_VAR = "_CADA_COMPLETE"


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)


def completion(
    shell: Shell = typer.Argument(..., metavar="SHELL", help="Interpréteur : bash, zsh ou fish."),
) -> None:
    """Afficher le script de complétion de cada pour un interpréteur de commandes.

    \b
    Exemple :
      cada completion bash >> ~/.bashrc
      cada completion zsh > ~/.zfunc/_cada
      cada completion fish > ~/.config/fish/completions/cada.fish
    """
    from typer._completion_shared import get_completion_script

    typer.echo(get_completion_script(prog_name="cada", complete_var=COMPLETE_VAR,
                                     shell=shell.value))


def enable_if_asked(environ) -> None:
    """A shell asking for completions: register Typer's completion for that run."""
    if COMPLETE_VAR in environ:
        from typer.completion import completion_init

        completion_init()
