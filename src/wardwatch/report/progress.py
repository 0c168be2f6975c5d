"""Progress on stderr (only when it is a terminal): the scan's phase and events counted, a bar, MB read of the total
and the estimated time left; tasks done of a whole (`wardwatch isac`) with the time left."""
from __future__ import annotations

from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..model import InputFile
from .messages import message


class _Megabytes(ProgressColumn):
    """Megabytes read of the total: '12.4/310.0 MB'."""

    def render(self, task: Task) -> Text:
        total = task.total or 0
        return Text(f"{task.completed / 1e6:,.1f}/{total / 1e6:,.1f} MB", style="progress.download")


class _Left(TimeRemainingColumn):
    """The estimated time left, labelled: '残り 0:01:05' / '0:01:05 left'."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def render(self, task: Task) -> Text:
        left = super().render(task)
        return Text(message("terminal.left", self.lang, time=left.plain), style=left.style)


class _Shown:
    """A Rich progress bar shown while in a `with` block (then removed: transient)."""

    bar: Progress

    def __enter__(self) -> Self:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)


class ScanProgress(_Shown):
    """The progress of a scan on stderr (only when it is a terminal): the phase and events counted, a bar, MB read
    of the total and the time left. Its methods are the scan's `on_file`, `on_events` and `on_phase` callbacks."""

    def __init__(self, total_bytes: int, lang: str, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.lang = lang
        self.total = max(total_bytes, 1)
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=None), _Megabytes(), _Left(lang),
                            console=self.console, transient=True, disable=not self.console.is_terminal,
                            expand=False)
        self.label = message("terminal.reading", lang)
        self.task: TaskID = self.bar.add_task(self.label, total=self.total)

    def on_file(self, inp: InputFile, size: int) -> None:
        if "!" not in inp.path:  # a member of a zip: the zip's own size is counted once
            self.bar.advance(self.task, size)

    def on_events(self, n: int) -> None:
        self.bar.update(self.task, description=message("terminal.reading_n", self.lang, n=f"{n:,}"))

    def on_phase(self, name: str) -> None:
        self.bar.update(self.task, completed=self.total, description=message(f"terminal.phase_{name}", self.lang))


class TaskProgress(_Shown):
    """Tasks done of a whole on stderr (only when it is a terminal): a label, a bar, 'done/total' and the time left.
    Its `on_done(done, total)` is the callback of `wardwatch isac`'s engines (a task: a group of input files to
    ingest, or one hospital to scan), told as tasks finish."""

    def __init__(self, label: str, lang: str, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=None), MofNCompleteColumn(),
                            _Left(lang), console=self.console, transient=True, disable=not self.console.is_terminal,
                            expand=False)
        self.task: TaskID = self.bar.add_task(label, total=None)

    def on_done(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)
