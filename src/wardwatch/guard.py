"""Guards: a part of a scan that fails becomes a named problem, and the rest still runs and writes its files."""
from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
D = TypeVar("D")


@dataclass
class StageProblem:
    """A part of the work that failed and was set aside: which part, and why (one line)."""

    stage: str
    message: str


@dataclass
class Guard:
    """Runs the parts of a scan; a failure is recorded (the traceback kept for errors.log) instead of raised."""

    problems: list[StageProblem] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def run(self, stage: str, fn: Callable[..., T], *args: object, default: D, **kwargs: object) -> T | D:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # the guard's purpose: any failure of one part is named, the rest goes on
            self.fail(stage, exc)
            return default

    def fail(self, stage: str, exc: BaseException) -> None:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        problem = StageProblem(stage, f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
        if problem in self.problems:  # the same failure seen again by a later step
            return
        self.problems.append(problem)
        self.details.append(f"[{stage}]\n" + "".join(traceback.format_exception(exc)))
