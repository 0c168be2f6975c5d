"""The one place a Finding is made: a check's spec (id, severity, Phase, seed, ja/en templates), the values its
templates name, and typed evidence. A template key with no value follows textfmt's one rule: it shows as '-'."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..model import Evidence, Finding, Severity, Text
from ..textfmt import english_plurals, render
from .factspec import FactDecl, check
from .phase import Phase
from .spec import CheckSpec


def _shown(value: Any) -> Any:
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple, set, frozenset)) else value


def fill(template: str, values: Mapping[str, Any], lang: str = "ja") -> str:
    """A template with its {names} filled (a Text value gives each language its own words; lists are joined);
    a name with no value shows as '-' (textfmt's one rule); English plurals fixed."""
    if "{" not in template:
        return template.strip()
    try:
        text = render(template, {k: _shown(v.get(lang) if isinstance(v, Text) else v) for k, v in values.items()})
    except (ValueError, IndexError, AttributeError, TypeError):  # a text with braces of its own is not a template
        return template.strip()
    return english_plurals(text) if lang == "en" else text


def fill_text(text: Text, values: Mapping[str, Any], values_en: Mapping[str, Any] | None = None) -> Text:
    return Text(fill(text.ja, values, "ja"), fill(text.en, values if values_en is None else values_en, "en"))


def spec_of(rule: str, severity: Severity, title: Text, advice: Text, phase: Phase | str = Phase.OTHER,
            seed: str = "", summary: Text | None = None, facts: FactDecl | None = None) -> CheckSpec:
    """A spec for findings whose check is not a rule file (Sigma rules, checklist rows, generated texts); facts:
    what its findings carry (a family's declaration, factspec.family)."""
    return CheckSpec(id=rule, severity=severity, phase=Phase(phase), title=title, summary=summary or Text("", ""),
                     advice=advice, seed=seed, facts=facts)


def make(spec: CheckSpec, *, host: str | None = None, first: datetime | None = None, last: datetime | None = None,
         count: int = 1, values: Mapping[str, Any] | None = None, values_en: Mapping[str, Any] | None = None,
         evidence: Iterable[Evidence] = (), evidence_total: int | None = None, accounts: Iterable[str] = (),
         sources: Iterable[str] = (), severity: Severity | None = None, phase: Phase | str | None = None,
         facts: Mapping[str, Any] | None = None, summary: Text | None = None, advice: Text | None = None) -> Finding:
    """The Finding of one check: its texts filled from values (English may have its own), its spec's severity and
    phase unless the finding has its own; `summary` replaces the template where a check writes its text itself.
    The facts are checked against the facts the spec declares (factspec.check)."""
    check(spec.id, spec.facts, facts or {})
    vals = dict(values or {})
    if host is not None:
        vals.setdefault("host", host)
    vals_en = None if values_en is None else {**vals, **values_en}
    ev = list(evidence)
    return Finding(
        rule=spec.id, severity=severity if severity is not None else spec.severity, host=host,
        first_seen=first, last_seen=last, count=count,
        title=fill_text(spec.title, vals, vals_en),
        summary=summary if summary is not None else fill_text(spec.summary, vals, vals_en),
        advice=advice if advice is not None else fill_text(spec.advice, vals, vals_en),
        accounts=list(accounts), sources=list(sources), evidence=ev,
        evidence_total=len(ev) if evidence_total is None else evidence_total, seed=spec.seed,
        phase=str(Phase(phase).value if isinstance(phase, Phase) else (phase or spec.phase.value)),
        facts=dict(facts or {}))
