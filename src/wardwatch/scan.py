"""The scan pipeline: inputs → store → rules → incidents → reports (JSON, timeline, HTML), with progress."""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .checks.factspec import fact
from .checks.spec import tagged
from .guard import Guard
from .model import (
    Coverage,
    Finding,
    Incident,
    InputFile,
    ReadProblem,
    ScanResult,
    TimelineEvent,
)
from .sources import read_sources
from .store import EventStore, ReaderFailed, damaged_records
from .textfmt import as_utc
from .verdict import LogSeen

Progress = Callable[[InputFile, int], None]


def ingest(paths: list[Path], store: EventStore, on_file: Progress | None = None,
           on_read: Callable[[], Any] | None = None, guard: Guard | None = None, tz: str = "Asia/Tokyo") -> list[InputFile]:
    """Read every input into the store (syslog's network lines into its network table); returns what was read
    from each (hash, events, problems).

    on_read is called when the last input has been read, while the store still writes its last part (a
    thread started there runs beside the writer instead of competing with the reader)."""
    inputs: list[InputFile] = []
    for inp, records in read_sources(paths, tz=tz, network=store.network):
        inputs.append(inp)
        try:
            added = store.add(records, inp.path)  # first: a reader counts what it does not yield while it reads
            inp.events += added
        except ReaderFailed as exc:  # keep what the reader gave before it failed; the next input is still read
            inp.events += exc.records
            inp.errors.append(ReadProblem(inp.path, f"after event {exc.records}",
                                          f"the reader stopped here ({type(exc.error).__name__}: {exc}); "
                                          "the rest of the file was not read"))
        except Exception as exc:  # the store's writer failed: what it wrote is still queried below
            if guard is None:
                raise
            guard.fail("event store", exc)
            break
        if on_file:
            on_file(inp, inp.size)
    if on_read:
        on_read()
    if guard is None:
        store.close()
        _note_damage(store, inputs)
    elif guard.run("event store", store.close, default=False) is not False:  # else the parts written are still used
        guard.run("event store", _note_damage, store, inputs, default=None)
    return inputs


def _note_damage(store: EventStore, inputs: list[InputFile]) -> None:
    """Each input's damaged records (repaired or kept as text), named with their record numbers."""
    by_path = {i.path: i for i in inputs}
    for file, damage, count, ids in damaged_records(store):
        where = ("records " if count > 1 else "record ") + ", ".join(map(str, ids)) + (" …" if count > len(ids) else "") \
            if ids else "record number unreadable"
        if file in by_path:
            by_path[file].errors.append(ReadProblem(file, where, f"{count} damaged record(s): {damage}"))


def timeline_events(store: EventStore, findings: list[Finding], lang: str = "ja") -> list[TimelineEvent]:
    """The events behind the findings (their evidence), looked up in the store."""
    refs = [(e.file, e.record_id, i) for i, f in enumerate(findings) for e in f.evidence if e.record_id is not None]
    if not refs:
        return []
    import pyarrow as pa
    table = pa.table({"file": [r[0] for r in refs], "record_id": [r[1] for r in refs], "fi": [r[2] for r in refs]})
    store.con.register("refs", table)
    rows = store.query("""SELECT DISTINCT r.fi, e.ts, e.host, e.channel, e.provider, e.event_id, e.record_id, e.file,
                                 e.target_user, e.src_ip, e.logon_type, coalesce(e.message, e.command_line, e.image_path) AS what
                          FROM refs r JOIN events e ON e.file = r.file AND e.record_id = r.record_id
                          WHERE e.ts IS NOT NULL ORDER BY e.ts, r.fi, e.file, e.record_id""")  # same input, same order
    store.con.unregister("refs")
    out = []
    for fi, ts, host, channel, provider, eid, rid, file, user, src, ltype, what in rows:
        f = findings[fi]
        parts = [f"[{f.rule}] {f.title.get(lang)}", f"{channel} {eid}"]
        if user:
            parts.append(f"account={user}")
        if src:
            parts.append(f"source={src}")
        if ltype is not None:
            parts.append(f"logon_type={ltype}")
        if what:
            parts.append(str(what)[:200])
        out.append(TimelineEvent(as_utc(ts), host, channel, provider, eid, rid, file, f.rule, " | ".join(parts)))  # type: ignore[arg-type]
    return out


def run_scan(paths: list[Path], out_dir: Path, config: dict[str, Any], tz: str, lang: str,
             on_file: Progress | None = None, on_events: Callable[[int], None] | None = None,
             on_phase: Callable[[str], None] | None = None, rule_paths: list[Path] | None = None,
             min_level: str | None = None, segments: Any = None) -> ScanResult:
    """Scan the inputs and write every output into out_dir; returns the result for the terminal summary.

    Each part (the rules, Sigma, the network logs, the story, each report) runs in a guard: a part that fails
    is named in `result.problems` and errors.log, and the others still run and write their files.
    segments (for syslog inputs): a `cidr,segment` CSV path, or netlog Segments built from an inventory."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    guard = Guard()
    store = EventStore(out_dir / "store", on_batch=on_events)
    sigma_rules: list[Future[Any]] = []  # the rules load in a thread while the store writes its last events
    inputs = ingest(paths, store, on_file, on_read=(lambda: sigma_rules.append(_start_sigma_load(rule_paths)))
                    if rule_paths else None, guard=guard, tz=tz)
    return analyse(store, inputs, out_dir, config, tz, lang, guard, started, on_phase=on_phase, rule_paths=rule_paths,
                   min_level=min_level, segments=segments, sigma_rules=sigma_rules[0] if sigma_rules else None)


def analyse(store: EventStore, inputs: list[InputFile], out_dir: Path, config: dict[str, Any], tz: str, lang: str,
            guard: Guard, started: float, *, on_phase: Callable[[str], None] | None = None,
            rule_paths: list[Path] | None = None, min_level: str | None = None, segments: Any = None,
            sigma_rules: Future[Any] | None = None) -> ScanResult:
    """Everything after reading: the rules, Sigma, the network rules, the story and every report, over a store
    that holds the inputs' events (a scan's own, or one hospital's part of an ISAC dataset)."""
    from .detect.engine import run_rules
    from .report.html import write_html
    from .report.jsonout import write_json
    from .report.timeline import write_timeline
    from .story import build_incidents, follow_story
    from .verdict import decide

    read_s = time.perf_counter() - started
    if on_phase:
        on_phase("detect")
    sizes = {i.path: i.size for i in inputs}
    findings: list[Finding] = guard.run("rules", run_rules, store, config, tz, sizes, default=[], problems=guard)
    sigma_stats: dict[str, Any] = guard.run("sigma", _sigma, store, rule_paths, tz, min_level, config, findings, sigma_rules,
                            default={}) if rule_paths else {}
    net_stats: dict[str, Any]
    net_stats = guard.run("network logs", _network, store, segments, findings, guard, tz, default={})
    incidents: list[Incident] = guard.run("incidents", build_incidents, findings, tz, float(config.get("incident_gap_hours", 24)),
                          default=[])
    guard.run("RDP table", follow_story, findings, incidents, default=None)
    coverage: list[Coverage] = guard.run("log coverage", _coverage, findings, default=[])
    timeline: list[TimelineEvent] = guard.run("timeline", timeline_events, store, findings, lang, default=[])
    logs: list[LogSeen] = guard.run("what was read", _logs_seen, store, default=[])
    hosts = sorted({x.host for x in logs if x.host})
    stats = {"events": sum(i.events for i in inputs), "hosts": hosts, "seconds": round(time.perf_counter() - started, 2),
             "read_seconds": round(read_s, 2), "store": str(out_dir / "store")}
    if sigma_stats:
        stats["sigma_rules"] = sigma_stats
    if net_stats:
        stats["netlog"] = net_stats.get("netlog", {})
    verdict = decide(findings, incidents, inputs, logs, int(net_stats.get("events", 0) or 0), tz)
    result = ScanResult(datetime.now(UTC), tz, lang, inputs, findings, incidents, coverage, timeline, stats,
                        verdict, guard.problems)
    if on_phase:
        on_phase("report")
    for name, write, args in (("report.html", write_html, (out_dir / "report.html",)),
                              ("timeline.csv / timeline.jsonl", write_timeline,
                               (out_dir / "timeline.csv", out_dir / "timeline.jsonl")),
                              ("findings.json", write_json, (out_dir / "findings.json",))):  # JSON last: it lists
        guard.run(f"report {name}", write, result, *args, default=None)                      # the others' failures
    if guard.details:
        (out_dir / "errors.log").write_text("\n".join(guard.details), encoding="utf-8")
    store.con.close()
    return result


def _logs_seen(store: EventStore) -> list[LogSeen]:
    """Events per host and log, with their first and last time: what the verdict says was read."""
    rows = store.query("SELECT host, channel, count(*)::BIGINT, min(ts), max(ts) FROM events GROUP BY ALL ORDER BY ALL")
    return [LogSeen(host, channel, n, as_utc(lo) if lo else None, as_utc(hi) if hi else None)
            for host, channel, n, lo, hi in rows]


def _start_sigma_load(rule_paths: list[Path]) -> Future[Any]:
    from .sigma import start_loading
    return start_loading(rule_paths)


def _sigma(store: EventStore, rule_paths: list[Path], tz: str, min_level: str | None, config: dict[str, Any],
           findings: list[Finding], rules: Future[Any] | None = None) -> dict[str, Any]:
    """Run the user's Sigma rules on the same store; their findings join the list, the rule counts are returned."""
    from .sigma import run_sigma
    from .sigma.proof import add_proof
    sigma_findings, sigma_rules = run_sigma(store, rule_paths, tz, min_level=min_level,
                                            evidence_limit=int(config.get("evidence_limit", 1000)),
                                            rules=rules.result() if rules is not None else None)
    others = list(findings)
    findings += sigma_findings
    add_proof(store, sigma_findings, others)  # what their events show beyond their tags (story.phase_of)
    return {"loaded": len(sigma_rules), "running": sum(1 for s in sigma_rules if s.will_run),
            "skipped": [vars(s) for s in sigma_rules if not s.will_run]}


def _network(store: EventStore, segments: Any, findings: list[Finding], guard: Guard | None = None,
             tz: str = "Asia/Tokyo") -> dict[str, Any]:
    """The network rules (wardwatch.netlog) over the network events the syslog reader put in the store; their
    findings join the list. Nothing when no syslog input was read."""
    if not store.network.inputs:
        return {}
    from .netlog.api import analyse_events
    net_findings, net_stats = analyse_events(store.network, segments, problems=guard, tz=tz)
    findings += net_findings
    return net_stats


def _coverage(findings: list[Finding]) -> list[Coverage]:
    return [Coverage(f.host or "", fact(f, "channel", ""), f.first_seen, f.last_seen, f.count,
                     float(fact(f, "days", 0)), float(fact(f, "largest_gap_hours", 0)), list(fact(f, "files", [])))
            for f in tagged(findings, "coverage")]
