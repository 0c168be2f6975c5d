"""Report UI labels by their short names: a view of the one catalog (messages.py) and the one formatter (textfmt)."""
from __future__ import annotations

from typing import Any

from wardwatch.model import Severity
from wardwatch.report.messages import has, message, messages
from wardwatch.textfmt import format_duration as format_duration  # re-exported: the formatters live in textfmt
from wardwatch.textfmt import format_hours as format_hours
from wardwatch.textfmt import format_number as format_number
from wardwatch.textfmt import format_size as format_size
from wardwatch.textfmt import format_time as format_time
from wardwatch.textfmt import zone_name as zone_name


def label(key: str, lang: str, **kw: Any) -> str:
    """One report label (`report.<key>` in the catalog); the catalog's rule for a missing key applies."""
    return message(f"report.{key}", lang, **kw)


def labels(lang: str) -> dict[str, str]:
    """Every report label for one language (for the template)."""
    return messages(lang, "report")


def severity_label(sev: Severity, lang: str) -> str:
    """重大/高/中/低/情報 or critical/high/medium/low/info."""
    return message(f"severity.{Severity.parse(sev).label}", lang)


def phase_label(phase: str, lang: str) -> str:
    """A readable attack-stage name; unknown phases are shown as given."""
    key = phase.strip().lower().replace("_", "-")
    return message(f"phase.{key}", lang) if has(f"phase.{key}") else phase


def fact_label(key: str, lang: str) -> str:
    """A readable name for a Finding.facts key; unknown keys are shown as given."""
    return message(f"fact.{key}", lang) if has(f"fact.{key}") else key

