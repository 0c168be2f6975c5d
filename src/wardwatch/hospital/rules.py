"""Check definitions from data/checks.yml turned into Findings."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..checks.factspec import declare
from ..checks.finding import fill_text
from ..checks.finding import make as make_finding
from ..checks.phase import Phase
from ..checks.spec import CheckSpec, spec_for
from ..model import Finding, Severity, Text


def load_yaml(name: str) -> Any:
    """A YAML file shipped in hospital/data."""
    return yaml.safe_load(resources.files("wardwatch.hospital").joinpath("data", name).read_text("utf-8"))


@lru_cache(maxsize=1)
def checks() -> dict[str, dict[str, Any]]:
    """Every network/backup check definition by rule id."""
    return dict(load_yaml("checks.yml"))


def make(rule: str, host: str | None = None, severity: Severity | None = None, case: str = "",
         en: dict[str, Any] | None = None, **facts: Any) -> Finding:
    """A Finding for an inventory check (net.* / backup.*) with its texts filled from facts; `case`: a case worded
    apart (its summary and advice are the check's phrases `<case>_summary` and `<case>_advice`, where it has them);
    `en`: facts the English texts word in English (the data's own translation of a term or a law's name)."""
    spec = spec_for(rule)
    if spec is None:
        raise KeyError(f"no inventory check {rule!r} in hospital/data/checks.yml")
    values_en = {**facts, **en} if en else None
    summary, advice = (fill_text(spec.phrases[f"{case}_{part}"], facts, values_en)
                       if f"{case}_{part}" in spec.phrases else None for part in ("summary", "advice"))
    return make_finding(spec, host=host, severity=severity, values=facts, values_en=values_en, facts=facts,
                        summary=summary, advice=advice)


def check_specs() -> list[CheckSpec]:
    """Every network/backup check of data/checks.yml as a CheckSpec (kind: its family) for the one registry."""
    return [CheckSpec(id=rule, kind=rule.partition(".")[0], severity=Severity.parse(d["severity"]), phase=Phase.OTHER,
                      title=Text(d["title"]["ja"], d["title"]["en"]),
                      summary=Text(d["summary"]["ja"], d["summary"]["en"]),
                      advice=Text(d["advice"]["ja"], d["advice"]["en"]), seed=str(d.get("seed", "")),
                      phrases={str(k): Text(v["ja"], v["en"]) for k, v in (d.get("phrases") or {}).items()},
                      source=f"hospital/data/checks.yml {rule}",
                      facts=declare(d.get("facts"), f"hospital/data/checks.yml {rule}"))
            for rule, d in checks().items()]
