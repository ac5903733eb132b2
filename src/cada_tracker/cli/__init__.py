"""The command line: Typer commands only (parse, call one service, render)."""
