"""The evaluator registry: checks.yml names an evaluator, modules register theirs with @evaluator."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .bundle import Bundle, NotCollected
from .outcome import NOT_COLLECTED, Context, Outcome

HostCheck = Callable[[Bundle, dict[str, Any], Context], Outcome]
FleetCheck = Callable[[list[Bundle], dict[str, Any], Context], list[tuple[str | None, Outcome]]]
HOST: dict[str, HostCheck] = {}
FLEET: dict[str, FleetCheck] = {}


# What a check meets in a part of an unexpected shape (a hand-edited or damaged bundle): a string where a list
# belongs, a missing key, a number out of range. The check is then 'not collected' for those parts, never a pass.
SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError, RecursionError)


def _reason(exc: BaseException) -> str:
    return f"unexpected content ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"


def evaluator(name: str) -> Callable[[HostCheck], HostCheck]:
    """Register a host check; one that trips over a part's content raises NotCollected naming the parts it read."""
    def add(fn: HostCheck) -> HostCheck:
        @functools.wraps(fn)
        def guarded(bundle: Bundle, params: dict[str, Any], ctx: Context) -> Outcome:
            try:
                return fn(bundle, params, ctx)
            except SHAPE_ERRORS as exc:
                raise NotCollected(", ".join(sorted(bundle.touched)) or name, "unreadable", _reason(exc)) from exc
        HOST[name] = guarded
        return fn
    return add


def fleet(name: str) -> Callable[[FleetCheck], FleetCheck]:
    """Register an across-hosts check; one that trips over a part's content is 'not collected' for the fleet."""
    def add(fn: FleetCheck) -> FleetCheck:
        @functools.wraps(fn)
        def guarded(bundles: list[Bundle], params: dict[str, Any], ctx: Context) -> list[tuple[str | None, Outcome]]:
            try:
                return fn(bundles, params, ctx)
            except SHAPE_ERRORS as exc:
                parts = sorted({p for b in bundles for p in b.touched})
                return [(None, Outcome(NOT_COLLECTED, missing=parts or [name], facts={"reason": _reason(exc)}))]
        FLEET[name] = guarded
        return fn
    return add


def load_all() -> None:
    """Import the modules that register evaluators."""
    from . import checks_accounts, checks_fleet, checks_logs, checks_rdp, checks_system  # noqa: F401
