"""The `wardwatch` app with the audit and collect commands, a runner that lets crashes fail the test, and every
command of the CLI with its parameters."""
from __future__ import annotations

from typing import Any

import typer
import typer.main
from typer.testing import CliRunner

from wardwatch.audit.cli import audit_app, collect_app


def _app() -> typer.Typer:
    """The real `wardwatch` app when cli.py registers audit/collect; else a root built the same way."""
    from wardwatch.cli import app
    if {"audit", "collect"} <= {g.name for g in app.registered_groups}:
        return app
    root = typer.Typer()
    root.command("version")(lambda: None)
    root.add_typer(audit_app, name="audit")
    root.add_typer(collect_app, name="collect")
    return root


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(_app(), args, catch_exceptions=False)  # a crash fails the test, never "exit 1"


def one_line(output: str) -> str:
    """Command output with every run of whitespace (Rich's line wrapping included) made one space.

    Rich wraps what a test captures at the terminal width (80 columns under CliRunner, or $COLUMNS), so a message
    next to a long temporary path can be cut anywhere between its words: compare phrases against this instead."""
    return " ".join(output.split())


def commands() -> dict[str, set[str]]:
    """Every command of the CLI by its path ('incident evidence add'; a group run without a subcommand counts)
    and the names of its parameters."""
    from wardwatch.cli import app
    found: dict[str, set[str]] = {}

    def walk(cmd: Any, path: list[str]) -> None:  # Typer's (vendored) click commands and groups
        if hasattr(cmd, "commands"):
            if cmd.invoke_without_command:
                found[" ".join(path)] = {p.name or "" for p in cmd.params}
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = {p.name or "" for p in cmd.params}

    walk(typer.main.get_command(app), [])
    return found
