"""Shared command-line helpers: exit codes, the one-line error for a user's mistake, and common settings."""
from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer

from .config import ConfigError, load_config, parse_tz

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
LANGS = ("ja", "en")


def say_error(message: str, label: str = "error") -> None:
    """One red `error:` line on stderr (never wrapped by WardWatch: it names a file to find)."""
    from .report.terminal import Terminal

    Terminal().error(message, label)


def fail(message: str) -> NoReturn:
    """Say what is wrong in one line and end with the usage-error exit code (no traceback)."""
    say_error(message)
    raise typer.Exit(EXIT_USAGE)


_OUTPUT: list[Path] = []


def output(path: Path) -> Path:
    """Note where this command writes: a write error without a file name (a full disk) is blamed on it."""
    _OUTPUT[:] = [path]
    return path


def describe(exc: OSError) -> str:
    """'PATH: reason' for a file or folder that cannot be written or read; names a file standing where a folder
    is needed (out/report under a file called out) instead of errno's 'Not a directory' / 'File exists'."""
    if exc.filename is None:
        return f"{_OUTPUT[0]}: {exc.strerror or exc}" if _OUTPUT else str(exc.strerror or exc)
    path = Path(os.fsdecode(exc.filename))
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = next((p for p in (path, *path.parents) if p.is_file()), None)
        if blocker == path:
            return f"{path}: is a file, not a folder"
        if blocker is not None:
            return f"{path}: {blocker} is a file, not a folder"
    return f"{path}: {exc.strerror or exc}"


def run_app(app: Callable[[], Any]) -> None:
    """Run a Typer app as a command: an OSError anywhere (a folder that cannot be written, a full disk, a file that
    cannot be read) ends with one `error:` line and exit 2, Ctrl+C with 130; never a traceback for those."""
    from .detect.rules import RuleError

    try:
        app()
    except RuleError as exc:
        say_error(str(exc), "rule error")
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        say_error(describe(exc))
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)


def inventory_or_fail(path: Path) -> Any:
    """The hospital inventory at `path` (hospital.inventory.Inventory), or the one-line error naming the file and
    its first problems."""
    from .hospital.inventory import InventoryError, load_inventory

    try:
        return load_inventory(path)
    except InventoryError as exc:
        fail(f"{path}: not a usable inventory ({'; '.join(map(str, exc.problems[:3]))})")


def check_lang(lang: str | None, option: str = "--lang") -> str | None:
    """The --lang value, or the one-line error when it is not ja or en."""
    if lang is not None and lang not in LANGS:
        fail(f"{option} must be ja or en, not {lang!r}")
    return lang


def settings(config: Path | None, tz: str | None, lang: str | None) -> tuple[dict[str, Any], str, str]:
    """Settings file merged over the defaults (checked: errors name the file), with a checked --tz and --lang."""
    check_lang(lang)
    if tz is not None:
        try:
            tz = parse_tz(tz)
        except ValueError as exc:
            fail(f"--tz: {exc}")
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        fail(str(exc))
    return cfg, str(tz or cfg["timezone"]), str(lang or cfg["lang"])
