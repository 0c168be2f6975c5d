"""What one check concluded on one host (pass, fail, not collected, not applicable) and the context it used."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..detect.lists import Tool
from ..model import Severity, Text

PASS, FAIL, NOT_COLLECTED, NOT_APPLICABLE = "pass", "fail", "not-collected", "n/a"


@dataclass
class Outcome:
    """A check's verdict; items are what was seen (each one line, in both languages)."""

    status: str
    items: list[Text] = field(default_factory=list)
    severity: Severity | None = None  # overrides the check's severity (worse or milder case)
    accounts: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # parts that were not collected


@dataclass
class Context:
    """What checks may use besides the bundle: the user's lists and the attack-tool list."""

    rdp_hosts: set[str] = field(default_factory=set)  # hosts where RDP is needed (upper case)
    expected_admins: set[str] = field(default_factory=set)  # lower case, "name" or "domain\\name"
    tools: list[Tool] = field(default_factory=list)
    inventory: list[str] = field(default_factory=list)  # hosts that should have a bundle (upper case)


def T(ja: str, en: str | None = None) -> Text:
    return Text(ja, ja if en is None else en)


def passed(*items: Text, **facts: Any) -> Outcome:
    return Outcome(PASS, list(items), facts=facts)


def failed(items: list[Text], severity: Severity | str | None = None, accounts: list[str] | None = None,
           **facts: Any) -> Outcome:
    sev = Severity.parse(severity) if severity is not None else None
    return Outcome(FAIL, items, sev, accounts or [], facts)


def not_applicable(reason: Text) -> Outcome:
    return Outcome(NOT_APPLICABLE, [reason])


def kb(n: int | float) -> str:
    return f"{int(n):,} KB"
