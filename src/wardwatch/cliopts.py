"""The command-line options many commands share, declared once (`lang: Lang = None`), and `with_settings`, which
gives a command --lang, --tz and --config already checked."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

Lang = Annotated[str | None, typer.Option("--lang", help="ja (default) or en")]
Tz = Annotated[str | None, typer.Option("--tz", help="Time zone (default Asia/Tokyo)")]
Config = Annotated[Path | None, typer.Option("--config", exists=True, dir_okay=False, help="Settings file")]
By = Annotated[str | None, typer.Option("--by", help="Who does it (default: the login name)")]
FindingsOut = Annotated[Path | None, typer.Option("--out", help="Folder for findings.json")]
T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """The checked settings of one command: the settings file merged over the defaults, time zone and language,
    and the settings file given (None: the defaults alone)."""

    cfg: dict[str, Any]
    tz: str
    lang: str
    config: Path | None = None


def with_settings(command: Callable[..., T]) -> Callable[..., T]:
    """Give a command the --lang, --tz and --config options, checked by `cliutil.settings` before it runs (a mistake
    is the one-line error), as its keyword argument `s: Settings` (declared last, without a default)."""
    from .cliutil import settings

    sig = inspect.signature(command, eval_str=True)
    own = [p for name, p in sig.parameters.items() if name != "s"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
              for name, kind in (("lang", Lang), ("tz", Tz), ("config", Config))]

    @functools.wraps(command)
    def run(*args: Any, lang: str | None = None, tz: str | None = None, config: Path | None = None,
            **kwargs: Any) -> T:
        return command(*args, s=Settings(*settings(config, tz, lang), config), **kwargs)

    run.__signature__ = sig.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]  # what Typer reads
    return run
