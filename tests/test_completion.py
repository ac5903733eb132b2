"""cada completion SHELL prints a script; the shell then asks cada through _CADA_COMPLETE."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o"), ("zsh", "compdef"),
                                           ("fish", "complete --command cada")])
def test_completion_prints_the_script_of_each_shell(cli, shell, marker):
    script = cli("completion", shell, ok=True).stdout
    assert marker in script and "_CADA_COMPLETE" in script


@pytest.mark.parametrize("words, cword, expected", [
    ("cada ad", 1, ["admin"]),
    ("cada admin l", 2, ["list"]),
    ("cada completion ", 2, ["bash", "zsh", "fish"]),
])
def test_the_shell_gets_cadas_commands(cli, monkeypatch, capsys, words, cword, expected):
    monkeypatch.setenv("_CADA_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(cword))
    from cada_tracker.cli.main import run

    with pytest.raises(SystemExit) as done:
        run([])
    assert done.value.code == 0
    assert capsys.readouterr().out.split() == expected


def test_an_unknown_shell_is_refused_in_french(cli):
    result = cli("completion", "tcsh")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur :") and "SHELL" in result.stderr
    assert "« tcsh »" in result.stderr
