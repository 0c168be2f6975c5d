"""Runs every check on every bundle and across bundles; turns failures into Findings and scores hosts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..checks.factspec import family
from ..checks.finding import make, spec_of
from ..checks.phase import Phase
from ..model import FileRef, Finding, Severity, Text
from .bundle import Bundle, NotCollected
from .checkdefs import CheckDef
from .outcome import FAIL, NOT_COLLECTED, PASS, Context, Outcome
from .registry import FLEET, HOST, load_all

WEIGHT = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}
PHASE = Phase.CONFIG.value  # not an attack phase: audit findings never become incidents
_BULLET = {"ja": "\n・", "en": "\n- "}


@dataclass
class HostResult:
    """One host: its bundle, each check's outcome and the score."""

    host: str
    bundle: Bundle
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # by check name

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.status == status)

    def score(self, checks: dict[str, CheckDef]) -> int | None:
        """Severity-weighted share of judged checks that pass, 0-100; None when nothing could be judged."""
        judged = [(checks[n], o) for n, o in self.outcomes.items() if o.status in (PASS, FAIL)]
        total = sum(WEIGHT[c.severity] for c, _ in judged)
        if not total:
            return None
        return round(100 * sum(WEIGHT[c.severity] for c, o in judged if o.status == PASS) / total)


def _items(outcome: Outcome, lang: str) -> str:
    texts = [i.get(lang) for i in outcome.items]
    return (_BULLET[lang] + _BULLET[lang].join(texts)) if texts else ""


def _plain(value: Any, lang: str) -> Any:
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, dict):
        return {k: _plain(v, lang) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v, lang) for v in value]
    return value


def _advice(check: CheckDef, commands: list[str], lang: str) -> str:
    cmd = "\n".join(commands) if commands else check.fix_command
    if lang == "en":
        return f"Recommended: {check.recommended.en}\nFix (command): {cmd}\nGPO: {check.gpo.en}"
    return f"推奨: {check.recommended.ja}\n直し方（コマンド）: {cmd}\nGPO: {check.gpo.ja}"


def to_finding(check: CheckDef, outcome: Outcome, host: str | None, when: datetime | None,
               files: list[str], lang: str) -> Finding:
    """A failed check as the project's one Finding type (texts in both languages, facts in lang)."""
    commands = [str(c) for c in outcome.facts.get("fix_commands", [])]
    facts = {"seen": [i.get(lang) for i in outcome.items],
             "recommended": check.recommended.get(lang),
             "fix_command": "\n".join(commands) if commands else check.fix_command,
             "gpo_path": check.gpo.get(lang),
             **{k: _plain(v, lang) for k, v in outcome.facts.items() if k != "fix_commands"}}
    if outcome.missing:
        facts["not_collected"] = outcome.missing
    return make(spec_of(check.rule, check.severity, check.title, check.recommended, PHASE, check.seed, check.summary,
                        check.facts),
                host=host, first=when, last=when, count=max(1, len(outcome.items)),
                values={"items": _items(outcome, "ja")}, values_en={"items": _items(outcome, "en")},
                evidence=[FileRef(f) for f in files], accounts=outcome.accounts, severity=outcome.severity,
                facts=facts, advice=Text(_advice(check, commands, "ja"), _advice(check, commands, "en")))


def run_host(bundle: Bundle, checks: list[CheckDef], ctx: Context) -> HostResult:
    result = HostResult(bundle.host, bundle)
    for check in checks:
        if check.scope != "host":
            continue
        bundle.touched = set()
        try:
            outcome = HOST[check.check](bundle, check.params, ctx)
        except NotCollected as exc:
            outcome = Outcome(NOT_COLLECTED, missing=[exc.part], facts={"reason": f"{exc.status} {exc.message}".strip()})
        outcome.facts.setdefault("_files", bundle.evidence_files())
        result.outcomes[check.name] = outcome
    return result


NOT_COLLECTED_SPEC = spec_of(
    "audit.not-collected", Severity.LOW, Text("点検できなかった項目（未収集）", "Checks that could not be judged (not collected)"),
    Text("管理者として収集スクリプトを最後まで実行し直してください。", "Run the collector again as administrator and let it finish."),
    PHASE, facts=family("audit.not-collected"))


def not_collected_finding(r: HostResult, checks: dict[str, CheckDef], lang: str) -> Finding | None:
    """One low finding per host listing the checks that could not be judged and the parts missing."""
    names = [n for n, o in r.outcomes.items() if o.status == NOT_COLLECTED]
    if not names:
        return None
    parts = sorted({m for n in names for m in r.outcomes[n].missing})
    shown = ", ".join(names)
    return make(NOT_COLLECTED_SPEC, host=r.host, first=r.bundle.collected_at, last=r.bundle.collected_at,
                count=len(names), facts={"checks": [checks[n].rule for n in names], "parts": parts},
                summary=Text(f"必要な情報が束になかったため、合格とは判定していません: {shown}。足りない部分: {', '.join(parts)}",
                     f"Needed parts were missing from the bundle, so these are not counted as passed: {shown}. "
                     f"Missing: {', '.join(parts)}"))


def run_audit(bundles: list[Bundle], checks: list[CheckDef], ctx: Context, lang: str
              ) -> tuple[list[HostResult], list[Finding], list[tuple[CheckDef, str | None, Outcome]]]:
    """Host results (for the table and scores), all findings, and the across-host outcomes."""
    load_all()
    for check in checks:
        if check.check not in (FLEET if check.scope == "fleet" else HOST):
            raise ValueError(f"checks.yml: {check.name}: unknown evaluator {check.check!r}")
    by_name = {c.name: c for c in checks}
    results = [run_host(b, checks, ctx) for b in bundles]
    findings: list[Finding] = []
    for r in results:
        for name, outcome in r.outcomes.items():
            if outcome.status == FAIL:
                files = outcome.facts.pop("_files", [])
                findings.append(to_finding(by_name[name], outcome, r.host, r.bundle.collected_at, files, lang))
            else:
                outcome.facts.pop("_files", None)
        nc = not_collected_finding(r, by_name, lang)
        if nc:
            findings.append(nc)
    fleet: list[tuple[CheckDef, str | None, Outcome]] = []
    latest = max((b.collected_at for b in bundles if b.collected_at), default=None)
    for check in (c for c in checks if c.scope == "fleet"):
        for host, outcome in FLEET[check.check](bundles, check.params, ctx):
            fleet.append((check, host, outcome))
            if outcome.status == FAIL:
                findings.append(to_finding(check, outcome, host, latest, [], lang))
    return results, findings, fleet
