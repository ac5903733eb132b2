"""Entry point: builds the Typer app and turns every error into a French message.

Exit status: 0 success; 1 "something needs action" (cada overdue); 2 bad input or
usage; 3 not found; 4 impossible in the request's state; 5 database; 70 bug;
130 interrupted. ``CADA_DEBUG=1`` shows the traceback of unexpected errors.
"""

from __future__ import annotations

import os
import re
import sys

import typer

from cada_tracker.cli import i18n

HELP = """Suivi des demandes d'accès aux documents administratifs (CRPA, livre III).

Rédige les demandes, enregistre leur vie (envoi, réception, réponses), calcule les
délais légaux et prépare relances, saisines de la CADA et recours.

\b
Exemple :
  cada init --name "Technopolice Lyon" --address "1 rue X\\n69001 Lyon" --email a@b.fr --city Lyon
  cada admin add "Mairie de Lyon" --kind commune --postcode 69001 --city Lyon
  cada new --to 1 --subject "Vidéosurveillance" --doc "Liste des caméras"
  cada overdue
"""


def _show_version(value: bool) -> None:
    """``cada --version``: eager, so it answers before a command is asked for."""
    if value:
        from cada_tracker import __version__

        typer.echo(f"cada {__version__}")
        raise typer.Exit(0)


#: The ``cli`` modules whose ``register(app)`` adds the top-level commands, in the order
#: of ``cada --help``. ``scripts/command_index.py`` turns them into ``command_index``.
COMMAND_MODULES = ("setup_cmds", "admin_cmds", "request_cmds", "show_cmds", "event_cmds",
                   "escalation_cmds", "clock_cmds", "campaign_cmds", "letter_cmds", "mail_cmds",
                   "file_cmds", "search_cmds", "dossier_cmds", "publish_cmds", "ocr_cmds",
                   "madada_cmds", "avis_cmds", "completion_cmds")


def build_app() -> typer.Typer:
    """The ``cada`` app; each command is imported and built when it runs (cli/lazy.py)."""
    from cada_tracker.cli.lazy import LazyGroup

    app = typer.Typer(
        cls=LazyGroup,
        help=HELP,
        rich_markup_mode=None,
        add_completion=False,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        db: str = typer.Option(
            None, "--db", metavar="URL",
            help="Base de données (URL SQLAlchemy), sinon CADA_DATABASE_URL, sinon SQLite local.",
        ),
        version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                     help="Afficher la version et quitter."),
    ) -> None:
        from cada_tracker.cli.common import set_database_url

        set_database_url(db)

    return app


def _usage_message(exc) -> str:
    from typer._click import exceptions as cx

    if isinstance(exc, cx.NoSuchOption):
        msg = f"Option inconnue : {exc.option_name}."
        if exc.possibilities:
            msg += f" Vouliez-vous dire {', '.join(sorted(exc.possibilities))} ?"
        return msg
    if isinstance(exc, cx.MissingParameter):
        hint = exc.param_hint if isinstance(exc.param_hint, str) else None
        if hint is None and exc.param is not None:
            hint = _param_name(exc.param)
        return f"Paramètre manquant : {hint}."
    if isinstance(exc, cx.BadParameter):
        hint = exc.param_hint if isinstance(exc.param_hint, str) else None
        if hint is None and exc.param is not None:
            hint = _param_name(exc.param)
        return f"Valeur invalide pour {hint} : {i18n.french_validation(exc.message)}"
    message = exc.format_message()
    replacements = {
        "Got unexpected extra argument": "Argument en trop",
        "Got unexpected extra arguments": "Arguments en trop",
        "requires an argument": "attend une valeur",
        "Option": "L'option",
    }
    for en, fr in replacements.items():
        message = message.replace(en, fr)
    return re.sub(r"Did you mean (.+)\?$", r"Vouliez-vous dire \1 ?", message)


def _param_name(param) -> str:
    """``--to`` for an option, its metavar (``ID``, ``REF``) for an argument."""
    if getattr(param, "param_type_name", "") == "argument" and getattr(param, "metavar", None):
        return param.metavar
    return " / ".join(getattr(param, "opts", []) or [param.name])


def run(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (tests call this directly)."""
    from typer._click import exceptions as cx

    from cada_tracker.cli import output
    from cada_tracker.errors import CadaError

    output.reset()
    _reset_common()
    i18n.install()
    from cada_tracker.cli.completion_cmds import enable_if_asked

    enable_if_asked(os.environ)
    command = typer.main.get_command(build_app())
    try:
        _check_arguments(sys.argv[1:] if argv is None else argv)
        result = command.main(args=argv, prog_name="cada", standalone_mode=False)
        if result == 130:  # Typer turns a Ctrl-C into a silent Exit(130), then returns it
            return _interrupted()
        return result if isinstance(result, int) else 0
    except CadaError as exc:
        output.error(_scrub(exc.message), _scrub(exc.hint))
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except cx.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n")
        return 0
    except cx.UsageError as exc:
        ctx = exc.ctx
        output.error(_scrub(_usage_message(exc)),
                     f"Voir : {ctx.command_path} --help" if ctx is not None else None)
        return 2
    except (typer.Abort, KeyboardInterrupt, EOFError):
        return _interrupted()
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except SystemExit as exc:  # Typer exits by itself on a broken pipe
        if isinstance(exc.__context__, BrokenPipeError):
            return _quiet_broken_pipe()
        raise
    except Exception as exc:
        if os.environ.get("CADA_DEBUG"):
            raise
        return _unexpected(exc)


def _interrupted() -> int:
    from cada_tracker.cli.common import interrupted_message

    sys.stderr.write("\n" + interrupted_message() + "\n")
    return 130


def _reset_common() -> None:
    common = sys.modules.get("cada_tracker.cli.common")  # not imported by --help alone
    if common is not None:
        common.reset_run()


def _database_url() -> str | None:
    from cada_tracker.cli.common import locations

    try:
        return locations().database_url
    except Exception:  # noqa: BLE001 - no location, nothing to name or mask
        return None


def _scrub(message: str | None) -> str | None:
    """No message shows the database's password, whatever quoted the URL."""
    if message is None:
        return None
    from cada_tracker.dburl import scrub

    return scrub(message, _database_url())


def _unexpected(exc: Exception) -> int:
    """Disk, permission and server faults are expected (exit 5); the rest is a bug (70).

    Neither shows SQL, its parameters or a password.
    """
    from cada_tracker.cli import output
    from cada_tracker.faults import storage_error

    known = storage_error(exc, _database_url())
    if known is not None:
        output.error(_scrub(known.message), known.hint)
        return known.exit_code
    orig = getattr(exc, "orig", None)
    detail = str(orig if orig is not None else exc).splitlines()[0] if str(exc) else ""
    output.error(
        _scrub(f"erreur inattendue, {type(exc).__name__}: {detail}"),
        "Relancez avec CADA_DEBUG=1 pour le détail, et signalez-la.",
    )
    return 70


def _check_arguments(argv: list[str]) -> None:
    """Arguments that are not valid text (bytes not in UTF-8) are refused, by position.

    Python decodes such bytes as lone surrogates (PEP 383); stored or printed, they
    would fail later with an English codec error.
    """
    from cada_tracker.errors import InputError

    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise InputError(
                f"argument n° {position} ({shown[:80]}) : ce n'est pas du texte UTF-8 valide.",
                hint="Vérifiez l'encodage du terminal ou du script (UTF-8 attendu).",
            ) from None


def _quiet_broken_pipe() -> int:
    """``cada list | head``: the reader left; stop quietly (as Unix tools do)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))
