"""The one severity style table: Rich styles for the terminal and CSS classes for HTML, by severity and verdict."""
from __future__ import annotations

from wardwatch.model import Severity
from wardwatch.verdict import ATTENTION, BREACH, CANNOT_JUDGE, CLEAR

SEVERITY_STYLE: dict[Severity, str] = {Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red",
                                       Severity.MEDIUM: "yellow", Severity.LOW: "cyan", Severity.INFO: "dim"}
VERDICT_STYLE: dict[str, str] = {BREACH: "bold white on red", ATTENTION: "bold yellow", CLEAR: "green",
                                 CANNOT_JUDGE: "bold magenta"}


def css_class(sev: Severity) -> str:
    """The HTML class of a severity (the templates' style sheets colour .critical, .high, ...)."""
    return Severity.parse(sev).label
