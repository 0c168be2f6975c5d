"""The one severity style table: Rich styles for the terminal, colours, CSS classes and labels for HTML."""
from __future__ import annotations

from typing import Any

from wardwatch.model import Severity
from wardwatch.verdict import ATTENTION, BREACH, CANNOT_JUDGE, CLEAR

SEVERITY_STYLE: dict[Severity, str] = {Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red",
                                       Severity.MEDIUM: "yellow", Severity.LOW: "cyan", Severity.INFO: "dim"}
VERDICT_STYLE: dict[str, str] = {BREACH: "bold white on red", ATTENTION: "bold yellow", CLEAR: "green",
                                 CANNOT_JUDGE: "bold magenta"}

# HTML: (badge colour, text on the badge, soft background of a card or row) by severity; the page's style sheet
# reads them as CSS variables (--high, --high-ink, --high-soft).
SEVERITY_COLOUR: dict[Severity, tuple[str, str, str]] = {
    Severity.CRITICAL: ("#7f1d1d", "#ffffff", "#fef2f2"),
    Severity.HIGH: ("#c2410c", "#ffffff", "#fff7ed"),
    Severity.MEDIUM: ("#f59e0b", "#1f2937", "#fffbeb"),
    Severity.LOW: ("#1d4ed8", "#ffffff", "#eff6ff"),
    Severity.INFO: ("#6b7280", "#ffffff", "#f3f4f6"),
}
# The other badges of the pages: a verdict that cannot be made, and the answers and outcomes of checks.
OTHER_COLOUR: dict[str, tuple[str, str, str]] = {
    "cannot_judge": ("#6b21a8", "#ffffff", "#faf5ff"),
    "clear": ("#15803d", "#ffffff", "#f0fdf4"),
    "pass": ("#15803d", "#ffffff", "#f0fdf4"),
    "fail": ("#c2410c", "#ffffff", "#fff7ed"),
    "open": ("#92400e", "#ffffff", "#fffbeb"),
    "neutral": ("#6b7280", "#ffffff", "#f3f4f6"),
}


def css_class(sev: Severity | str | int) -> str:
    """The HTML class of a severity (the style sheet colours .critical, .high, ...)."""
    return Severity.parse(sev).label


def css_colours() -> list[tuple[str, str, str, str]]:
    """(class, colour, ink, soft) for every severity and other badge: the style sheet's variables."""
    rows = [(s.label, *SEVERITY_COLOUR[s]) for s in sorted(Severity, reverse=True)]
    return rows + [(name, *c) for name, c in OTHER_COLOUR.items()]


def severity_badge(sev: Severity | str | int, lang: str) -> dict[str, Any]:
    """A severity as the pages show it: its class, its label in the page's language and its rank (worst first)."""
    from wardwatch.report.labels import severity_label

    s = Severity.parse(sev)
    return {"cls": s.label, "label": severity_label(s, lang), "rank": int(s)}
