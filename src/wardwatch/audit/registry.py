"""The evaluator registry: checks.yml names an evaluator, modules register theirs with @evaluator."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .bundle import Bundle
from .outcome import Context, Outcome

HostCheck = Callable[[Bundle, dict[str, Any], Context], Outcome]
FleetCheck = Callable[[list[Bundle], dict[str, Any], Context], list[tuple[str | None, Outcome]]]
HOST: dict[str, HostCheck] = {}
FLEET: dict[str, FleetCheck] = {}


def evaluator(name: str) -> Callable[[HostCheck], HostCheck]:
    def add(fn: HostCheck) -> HostCheck:
        HOST[name] = fn
        return fn
    return add


def fleet(name: str) -> Callable[[FleetCheck], FleetCheck]:
    def add(fn: FleetCheck) -> FleetCheck:
        FLEET[name] = fn
        return fn
    return add


def load_all() -> None:
    """Import the modules that register evaluators."""
    from . import checks_accounts, checks_fleet, checks_logs, checks_rdp, checks_system  # noqa: F401
