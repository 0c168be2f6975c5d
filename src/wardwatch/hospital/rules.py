"""Check definitions from data/checks.yml turned into Findings."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..checks.phase import Phase
from ..checks.spec import CheckSpec
from ..model import Finding, Severity, Text


class _Safe(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def load_yaml(name: str) -> Any:
    """A YAML file shipped in hospital/data."""
    return yaml.safe_load(resources.files("wardwatch.hospital").joinpath("data", name).read_text("utf-8"))


@lru_cache(maxsize=1)
def checks() -> dict[str, dict[str, Any]]:
    """Every network/backup check definition by rule id."""
    return dict(load_yaml("checks.yml"))


def make(rule: str, host: str | None = None, severity: Severity | None = None, **facts: Any) -> Finding:
    """A Finding for rule with its text filled from facts."""
    d = checks()[rule]
    vals = _Safe({k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in facts.items()})
    if host is not None:
        vals.setdefault("host", host)
    text = {k: Text(d[k]["ja"].format_map(vals), d[k]["en"].format_map(vals)) for k in ("title", "summary", "advice")}
    return Finding(rule=rule, severity=severity if severity is not None else Severity.parse(d["severity"]), host=host,
                   first_seen=None, last_seen=None, count=1, title=text["title"], summary=text["summary"],
                   advice=text["advice"], seed=str(d.get("seed", "")), phase=Phase.OTHER.value, facts=dict(facts))


def check_specs() -> list[CheckSpec]:
    """Every network/backup check of data/checks.yml as a CheckSpec (kind: its family) for the one registry."""
    return [CheckSpec(id=rule, kind=rule.partition(".")[0], severity=Severity.parse(d["severity"]), phase=Phase.OTHER,
                      title=Text(d["title"]["ja"], d["title"]["en"]), summary=Text(d["summary"]["ja"], d["summary"]["en"]),
                      advice=Text(d["advice"]["ja"], d["advice"]["en"]), seed=str(d.get("seed", "")),
                      source=f"hospital/data/checks.yml {rule}")
            for rule, d in checks().items()]
