"""The stored clock and the event log import one way: events → clock, never back."""

from __future__ import annotations

import ast
import subprocess
import sys

import cada_tracker.services.clock as clock


def test_the_clock_does_not_import_the_event_log():
    code = ("import sys, cada_tracker.services.clock; "
            "print('cada_tracker.services.events' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
    with open(clock.__file__, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "cada_tracker.services.events" not in imported  # not even inside a function
