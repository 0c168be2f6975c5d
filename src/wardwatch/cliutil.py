"""Shared command-line helpers: exit codes, the one-line error for a user's mistake, and common settings."""
from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn, Optional

import typer
from rich.console import Console

from .config import ConfigError, load_config, parse_tz

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> NoReturn:
    """Say what is wrong in one line and end with the usage-error exit code (no traceback)."""
    Console(stderr=True).print(f"[bold red]error:[/bold red] {message}", highlight=False)
    raise typer.Exit(EXIT_USAGE)


def settings(config: Optional[Path], tz: Optional[str], lang: Optional[str]) -> tuple[dict[str, Any], str, str]:
    """Settings file merged over the defaults, with a checked time zone and language."""
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        fail(str(exc))
    if tz is not None:
        try:
            tz = parse_tz(tz)
        except ValueError as exc:
            fail(f"--tz: {exc}")
    tz = tz or cfg.get("timezone", "Asia/Tokyo")  # the file's value is checked where it is read
    if lang is not None and lang not in ("ja", "en"):
        fail(f"--lang must be ja or en, not {lang!r}")
    lang = lang or cfg.get("lang", "ja")
    return cfg, str(tz), str(lang)
