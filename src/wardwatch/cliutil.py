"""Shared command-line helpers: exit codes, the one-line error for a user's mistake, and common settings."""
from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console

from .config import ConfigError, load_config

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
    tz = tz or cfg.get("timezone", "Asia/Tokyo")
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone {tz!r} (use a name such as Asia/Tokyo or UTC)")
    lang = lang or cfg.get("lang", "ja")
    if lang not in ("ja", "en"):
        fail(f"--lang must be ja or en, not {lang!r}")
    return cfg, str(tz), str(lang)
