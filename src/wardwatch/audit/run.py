"""The audit pipeline: find bundles → read parts → run checks → findings, host scores and reports."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..model import Finding, Incident, InputFile, ReadProblem, ScanResult
from .bundle import Bundle, discover, load_bundle
from .checkdefs import CheckDef, load_checks
from .engine import HostResult, run_audit
from .outcome import Context, Outcome


@dataclass
class AuditResult:
    """Everything one audit produced; the reports read this."""

    generated_at: datetime
    timezone: str
    lang: str
    checks: list[CheckDef]
    hosts: list[HostResult]
    findings: list[Finding]
    fleet: list[tuple[CheckDef, str | None, Outcome]]
    inputs: list[InputFile]
    stats: dict[str, Any] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)  # from event logs given with the bundles

    def add_scan(self, scan: ScanResult, report: str) -> None:
        """Join a scan of event logs given alongside the bundles into one result (findings, incidents, inputs)."""
        self.findings.extend(scan.findings)
        self.incidents.extend(scan.incidents)
        self.inputs.extend(scan.inputs)
        self.stats["scan"] = {"events": scan.stats.get("events", 0), "findings": len(scan.findings),
                              "incidents": len(scan.incidents), "report": report}

    @property
    def incomplete(self) -> bool:
        """True when something was skipped or not collected (exit code 1)."""
        return any(i.errors for i in self.inputs) or any(f.rule in ("audit.not-collected", "audit.hosts-missing")
                                                        for f in self.findings)


def latest_per_host(bundles: list[Bundle]) -> tuple[list[Bundle], list[Bundle]]:
    """The newest bundle of each host, and the older ones left aside."""
    best: dict[str, Bundle] = {}
    older: list[Bundle] = []
    epoch = datetime.min.replace(tzinfo=UTC)
    for b in sorted(bundles, key=lambda b: b.collected_at or epoch, reverse=True):
        if b.host in best:
            older.append(b)
        else:
            best[b.host] = b
    return sorted(best.values(), key=lambda b: b.host), older


def split_paths(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(paths holding collector bundles, other paths: event logs for a scan)."""
    bundles: list[Path] = []
    logs: list[Path] = []
    for path in paths:
        (bundles if discover([path], []) else logs).append(path)
    return bundles, logs


def run(paths: list[Path], cfg: dict[str, Any], ctx: Context, tz: str, lang: str) -> AuditResult:
    """Audit the bundles under paths; raises FileNotFoundError when none is found."""
    started = time.perf_counter()
    problems: list[ReadProblem] = []
    sources = discover(paths, problems)
    if not sources and not problems:
        raise FileNotFoundError(", ".join(str(p) for p in paths))
    bundles, older = latest_per_host([load_bundle(s) for s in sources])
    checks = load_checks((cfg.get("audit") or {}).get("checks"))
    hosts, findings, fleet = run_audit(bundles, checks, ctx, lang)
    inputs = [i for b in bundles for i in b.inputs]
    inputs += [InputFile(p.file, "", 0, 0, "bundle", [p]) for p in problems]
    stats = {"hosts": [b.host for b in bundles], "bundles": len(bundles),
             "superseded": [b.path for b in older], "seconds": round(time.perf_counter() - started, 2)}
    return AuditResult(datetime.now(UTC), tz, lang, checks, hosts, findings, fleet, inputs, stats)
