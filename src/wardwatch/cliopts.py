"""The command-line options many commands share, declared once (`lang: Lang = None`)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Lang = Annotated[str | None, typer.Option("--lang", help="ja (default) or en")]
Tz = Annotated[str | None, typer.Option("--tz", help="Time zone (default Asia/Tokyo)")]
Config = Annotated[Path | None, typer.Option("--config", exists=True, dir_okay=False, help="Settings file")]
By = Annotated[str | None, typer.Option("--by", help="Who does it (default: the login name)")]
FindingsOut = Annotated[Path | None, typer.Option("--out", help="Folder for findings.json")]
