"""Check definitions from checks.yml, with the user's overrides (thresholds, severity, enabled) applied."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from ..checks.factspec import FactDecl, declare, family
from ..checks.phase import Phase
from ..checks.spec import CheckSpec
from ..config import ConfigError
from ..model import Severity, Text


@dataclass
class CheckDef:
    """One check: its evaluator, thresholds and the texts shown when it fails."""

    name: str
    check: str
    scope: str
    severity: Severity
    seed: str
    params: dict[str, Any]
    title: Text
    summary: Text
    recommended: Text
    fix_command: str
    gpo: Text
    facts: FactDecl  # what its finding carries: every audit check's facts and its evaluator's own

    @property
    def rule(self) -> str:
        return f"audit.{self.name}"


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict) or "ja" not in value or "en" not in value:
        raise ConfigError(f"{where}: needs both ja and en texts")
    return Text(str(value["ja"]), str(value["en"]))


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in over.items()}}
    return over


def _facts(spec: dict[str, Any], where: str) -> FactDecl:
    return {**family("audit"), **(declare(spec.get("facts"), where, ConfigError) or {})}


def raw_checks() -> dict[str, dict[str, Any]]:
    text = (resources.files("wardwatch.audit") / "checks.yml").read_text(encoding="utf-8")
    raw: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return raw


def load_checks(overrides: dict[str, Any] | None = None) -> list[CheckDef]:
    """Every enabled check; overrides is the `audit.checks` mapping of the user's settings."""
    raw = raw_checks()
    overrides = {str(k).removeprefix("audit."): v for k, v in (overrides or {}).items()}
    unknown = sorted(set(overrides) - set(raw))
    if unknown:
        raise ConfigError(f"unknown audit check(s) under audit.checks: {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(raw))})")
    out = []
    for name, spec in raw.items():
        over = overrides.get(name) or {}
        if not isinstance(over, dict):
            raise ConfigError(f"audit.checks.{name}: expected a mapping of settings")
        if over.get("enabled", True) is False:
            continue
        params = _merge(spec.get("params") or {}, {k: v for k, v in over.items() if k not in ("enabled", "severity")})
        try:
            severity = Severity.parse(over.get("severity", spec["severity"]))
        except KeyError as exc:
            raise ConfigError(f"audit.checks.{name}: unknown severity {exc}") from exc
        fix = spec.get("fix") or {}
        out.append(CheckDef(name, spec["check"], spec.get("scope", "host"), severity, str(spec.get("seed", "")), params,
                            _text(spec["title"], name), _text(spec["summary"], name), _text(spec["recommended"], name),
                            str(fix.get("command", "")), _text(fix.get("gpo", {"ja": "", "en": ""}), name),
                            _facts(spec, name)))
    return out


def check_specs() -> list[CheckSpec]:
    """Every shipped audit check as a CheckSpec (rule id audit.<name>, kind: its evaluator) for the one registry."""
    out = []
    for name, spec in raw_checks().items():
        where = f"audit/checks.yml {name}"
        out.append(CheckSpec(
            id=f"audit.{name}", kind=str(spec["check"]), severity=Severity.parse(spec["severity"]), phase=Phase.CONFIG,
            title=_text(spec["title"], where), summary=_text(spec["summary"], where),
            advice=_text(spec["recommended"], where), seed=str(spec.get("seed", "")),
            params=dict(spec.get("params") or {}), source=where, facts=_facts(spec, where)))
    return out
