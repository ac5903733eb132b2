"""Every command has French help with an example (a command without help fails here)."""

from __future__ import annotations

import typer.main

from cada_tracker.cli.main import build_app

FRENCH_WORDS = (" la ", " le ", " les ", " une ", " un ", " des ", " du ", " de ")


def _commands(command, path=()):
    subs = getattr(command, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, (*path, name))
    else:
        yield path, command


def test_every_command_has_french_help_with_an_example():
    root = typer.main.get_command(build_app())
    seen = []
    for path, command in _commands(root):
        seen.append(" ".join(path))
        text = command.help or ""
        assert text.strip(), f"cada {' '.join(path)} has no help"
        assert "Exemple" in text, f"cada {' '.join(path)} has no example"
        assert "cada " + " ".join(path) in text, f"example of cada {' '.join(path)} is not itself"
        assert any(w in f" {text.lower()} " for w in FRENCH_WORDS), f"{path}: not French?"
        for param in command.params:
            if param.name != "help":
                assert getattr(param, "help", None), f"cada {' '.join(path)}: {param.name} lacks help"
    assert {"new", "sent", "list", "show", "admin add", "db path"} <= set(seen)


def test_help_output_is_french(cli):
    result = cli("--help", ok=True)
    assert "Usage :" in result.stdout and "Commandes" in result.stdout
    assert "Afficher cette aide" in cli("new", "--help", ok=True).stdout


def test_version_answers_without_a_command(cli):
    from cada_tracker import __version__

    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"cada {__version__}"


def test_ctrl_c_while_starting_up_exits_130_in_french(monkeypatch, capsys):
    import builtins

    import pytest

    from cada_tracker import entry

    real_import = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "cada_tracker.cli.main":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code == 130 and capsys.readouterr().err == "\nInterrompu, rien n'a été enregistré.\n"
