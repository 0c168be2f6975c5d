"""The self-contained, offline HTML report: render_html() builds it, write_html() saves it."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from wardwatch.checks.factspec import fact
from wardwatch.checks.spec import has_tag, tagged
from wardwatch.detect.names import AccountNames
from wardwatch.model import (
    Coverage,
    Finding,
    Incident,
    InputFile,
    ScanResult,
    Severity,
    Text,
)
from wardwatch.report.labels import (
    fact_label,
    format_duration,
    format_hours,
    format_number,
    format_size,
    format_time,
    label,
    labels,
    phase_label,
    severity_label,
)
from wardwatch.report.render import render_page
from wardwatch.report.style import severity_badge
from wardwatch.report.svg import matrix_svg
from wardwatch.report.timechart import is_detection, timeline_context
from wardwatch.story import narrative_parts
from wardwatch.verdict import CANNOT_JUDGE, CLEAR

MAX_EVIDENCE = 50
SHOWN = 3  # cards of one rule shown before the rest is folded
OPEN_INCIDENTS = 3  # incidents shown open; the others are folded to their one-line summary
NARRATIVE_LINES = 8  # lines of an incident's story shown before the rest is folded
FOLD_ROWS = 25  # a longer table (logs, files) shows its problem rows and folds the whole
_BULLET = re.compile(r"^(?:[-・*•●]|\d+[.)．、])\s*")



def _sev(sev: Severity, lang: str) -> dict[str, Any]:
    return severity_badge(sev, lang)


def _period(first: datetime | None, last: datetime | None, tz: str, lang: str) -> dict[str, str]:
    span = (last - first).total_seconds() if first and last else None
    return {"first": format_time(first, tz), "last": format_time(last, tz),
            "duration": format_duration(span, lang) if span else ""}


def _lines(text: str) -> list[str]:
    """Action text split into steps, bullets and numbers removed."""
    return [_BULLET.sub("", line.strip()) for line in text.splitlines() if line.strip()]


def _value(value: Any, tz: str, lang: str) -> str:
    if isinstance(value, datetime):
        return format_time(value, tz)
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v, tz, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_value(v, tz, lang) for v in value)
    return str(value)


def _finding(f: Finding, anchor: str, tz: str, lang: str) -> dict[str, Any]:
    shown = f.evidence[:MAX_EVIDENCE]
    total = max(f.evidence_total, len(f.evidence))
    return {
        "anchor": anchor, "rule": f.rule, "sev": _sev(f.severity, lang), "title": f.title.get(lang),
        "host": f.host or label("unknown_host", lang), "summary": f.summary.get(lang),
        "advice": f.advice.get(lang), "count": format_number(f.count),
        **_period(f.first_seen, f.last_seen, tz, lang),
        "accounts": f.accounts, "sources": f.sources, "seed": f.seed, "phase": phase_label(f.phase, lang),
        "facts": [(fact_label(str(k), lang), _value(v, tz, lang)) for k, v in f.facts.items()],
        "evidence": [(e.file, str(e.record_id) if e.record_id is not None else
                      (f"line {e.line}" if e.line is not None else "—")) for e in shown],
        "more": label("more", lang, n=format_number(total - len(shown))) if total > len(shown) else "",
    }


def _folded(cards: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """A list of cards: the first SHOWN, the rest folded behind one line (when there is more than one more)."""
    cut = SHOWN if len(cards) > SHOWN + 1 else len(cards)
    return {"shown": cards[:cut], "rest": cards[cut:],
            "rest_label": label("show_rest", lang, n=format_number(len(cards) - cut))}


def _ts(t: datetime | None) -> float:
    return t.timestamp() if t else float("inf")


def _order(findings: list[Finding]) -> list[Finding]:
    def key(f: Finding) -> tuple[Any, ...]:
        return (-f.severity, f.rule, f.host or "", _ts(f.first_seen))

    return sorted(findings, key=key)


def _groups(ordered: list[tuple[Finding, str]], tz: str, lang: str) -> list[dict[str, Any]]:
    """Findings grouped by severity (worst first), then by rule; hosts and times sorted inside; long rules folded."""
    groups: list[dict[str, Any]] = []
    for f, anchor in ordered:
        if not groups or groups[-1]["sev"]["cls"] != f.severity.label:
            groups.append({"sev": _sev(f.severity, lang), "n": 0, "rules": []})
        group = groups[-1]
        if not group["rules"] or group["rules"][-1]["rule"] != f.rule:
            group["rules"].append({"rule": f.rule, "title": f.title.get(lang), "findings": []})
        group["rules"][-1]["findings"].append(_finding(f, anchor, tz, lang))
        group["n"] += 1
    for group in groups:
        for rule in group["rules"]:
            rule.update(_folded(rule["findings"], lang))
    return groups


def _incident(inc: Incident, n: int, anchors: dict[int, str], tz: str, lang: str) -> dict[str, Any]:
    steps = _lines(inc.actions.get(lang))
    items = [{"anchor": anchors.get(id(f), ""), "sev": _sev(f.severity, lang), "title": f.title.get(lang),
              "host": f.host or label("unknown_host", lang), "when": format_time(f.first_seen, tz)}
             for f in sorted(inc.findings, key=lambda f: _ts(f.first_seen))]
    lead, story, closing = narrative_parts(inc.narrative.get(lang))
    events = [{"when": when, "text": text} for when, text in story]
    cut = NARRATIVE_LINES if len(events) > NARRATIVE_LINES + 2 else len(events)
    return {"id": inc.id, "n": n, "sev": _sev(inc.severity, lang), "hosts": inc.hosts,
            **_period(inc.first_seen, inc.last_seen, tz, lang),
            "phases": [phase_label(p, lang) for p in inc.phases], "lead": lead, "events": events[:cut],
            "events_rest": events[cut:], "closing": "\n".join(closing),
            "narrative_more": label("read_on", lang, n=format_number(len(events) - cut)),
            "steps": steps, "findings": items}


def _by_incident(incidents: list[Incident], cards: list[tuple[Finding, str]], tz: str,
                 lang: str) -> list[dict[str, Any]]:
    """Each incident's findings shown as cards (worst first, then by time), each under its first incident only."""
    anchors = {id(f): a for f, a in cards}
    groups, done = [], set()
    for n, inc in enumerate(incidents, 1):
        mine = [f for f in inc.findings if id(f) in anchors and id(f) not in done]
        done |= {id(f) for f in mine}
        mine.sort(key=lambda f: (-f.severity, _ts(f.first_seen), f.rule, f.host or ""))
        if mine:
            groups.append({"id": inc.id, "n": n, "sev": _sev(inc.severity, lang),
                           **_folded([_finding(f, anchors[id(f)], tz, lang) for f in mine], lang)})
    return groups


def _rdp(findings: list[Finding], tag: str, tz: str, lang: str) -> list[dict[str, Any]]:
    rows = []
    for f in sorted(tagged(findings, tag), key=lambda f: (f.host or "", _ts(f.first_seen))):
        dests = fact(f, "destinations")
        rows.append({"host": f.host or label("unknown_host", lang), "sev": _sev(f.severity, lang),
                     "accounts": ", ".join(AccountNames().distinct(f.accounts)), "sources": ", ".join(f.sources),
                     "destinations": _value(dests, tz, lang) if dests else ", ".join(f.sources),
                     "first": format_time(f.first_seen, tz), "last": format_time(f.last_seen, tz),
                     "count": format_number(f.count)})
    return rows


def short_days(result: ScanResult) -> float:
    """The coverage check's `min_days` (the check tagged `coverage`): as the run used it (its findings' facts),
    else its default in the settings."""
    for f in tagged(result.findings, "coverage"):
        if isinstance(fact(f, "min_days"), (int, float)):
            return float(fact(f, "min_days"))
    from wardwatch.checks.spec import registered
    from wardwatch.config import defaults
    rules = defaults()["rules"]
    for spec in registered():
        if "coverage" in spec.tags and "min_days" in (rules.get(spec.id) or {}):
            return float(rules[spec.id]["min_days"])
    return 30.0


def _kb(value: Any) -> str:
    return f"{format_number(value)} KB" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _coverage(rows: list[Coverage], tz: str, lang: str, min_days: float,
              found: list[tuple[Finding, str]] | None = None) -> list[dict[str, Any]]:
    """One row per host and log: the period the logs hold, with what the coverage check found about it (the file's
    size against the recommended one); a check's finding with no such row becomes a row of its own."""
    by_log = {(f.host or "", str(fact(f, "channel", ""))): (f, a)
              for f, a in found or []}
    out = []
    for c in rows:
        f, anchor = by_log.pop((c.host, c.channel), (None, ""))
        out.append({"host": c.host, "channel": c.channel, "first": format_time(c.first, tz),
                    "last": format_time(c.last, tz), "days": f"{c.days:,.1f}", "short": c.days < min_days,
                    "events": format_number(c.events), "gap": format_hours(c.largest_gap_hours, lang),
                    "files": len(c.files), **_log_size(f, anchor)})
    for (host, channel), (f, anchor) in by_log.items():
        days = fact(f, "days")
        gap = fact(f, "largest_gap_hours")
        out.append({"host": host or f.host or label("unknown_host", lang), "channel": channel or "—",
                    "first": format_time(f.first_seen, tz), "last": format_time(f.last_seen, tz),
                    "days": f"{days:,.1f}" if isinstance(days, (int, float)) else "—",
                    "short": bool(fact(f, "short")), "events": format_number(f.count),
                    "gap": format_hours(gap, lang) if isinstance(gap, (int, float)) else "—",
                    "files": len(fact(f, "files") or []), **_log_size(f, anchor)})
    return sorted(out, key=lambda r: (r["host"], r["channel"]))


def _log_size(f: Finding | None, anchor: str) -> dict[str, Any]:
    """The log file's size and the size recommended (seed 002), from the coverage check's finding."""
    if f is None:
        return {"anchor": "", "size": "", "recommended": "", "small": False}
    kb, rec = fact(f, "file_kb"), fact(f, "recommended_kb")
    small = isinstance(kb, (int, float)) and isinstance(rec, (int, float)) and kb < rec
    return {"anchor": anchor, "size": _kb(kb), "recommended": _kb(rec), "small": small}


def _flagged(rows: list[dict[str, Any]], flag: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """The problem rows of a long table, shown above it while the whole table is folded; none when the table is
    short enough to show whole or every row is a problem (then the one table is shown)."""
    flagged = [r for r in rows if flag(r)]
    return flagged if len(rows) > FOLD_ROWS and len(flagged) < len(rows) else []


def _inputs(inputs: list[InputFile]) -> list[dict[str, Any]]:
    return [{"path": i.path, "sha256": i.sha256, "size": format_size(i.size), "events": format_number(i.events),
             "format": i.format or "—", "skipped": any(e.skipped_file for e in i.errors),
             "errors": [(e.where, e.message) for e in i.errors]} for i in inputs]


def _count(value: Any, fallback: int) -> int:
    if isinstance(value, bool) or value is None:
        return fallback
    if isinstance(value, (int, float)):
        return int(value)
    try:
        return len(value)
    except TypeError:
        return fallback


def _days(n: float) -> str:
    return format_number(int(n) if float(n).is_integer() else n)


def _verdict(result: ScanResult, events: int, lang: str, min_days: float) -> dict[str, Any]:
    """The scan's one verdict (wardwatch.verdict), with what it rests on and what was not read."""
    v = result.verdict
    if v is None:  # a result made without a scan's verdict (older callers): judged from what it holds
        from wardwatch.verdict import LogSeen, decide
        seen = [LogSeen(c.host, c.channel, c.events, c.first, c.last) for c in result.coverage]
        v = decide(result.findings, result.incidents, result.inputs, seen, 0, result.timezone)
    caveats = [label("missing_log", lang, log=log, why=why.get(lang),
                     hosts=(", ".join(on[:5]) + (f" +{len(on) - 5}" if len(on) > 5 else "")) if on else label("all_hosts", lang))
               for log, why, on in v.missing]
    if any(c.days < min_days for c in result.coverage):
        caveats.append(label("caveat_short", lang, days=_days(min_days)))
    if any(e.skipped_file for i in result.inputs for e in i.errors):
        caveats.append(label("caveat_skipped", lang))
    if result.problems:
        caveats.append(label("caveat_failed", lang, parts=", ".join(p.stage for p in result.problems)))
    cls = "cannot_judge" if v.level == CANNOT_JUDGE else "clear" if v.level == CLEAR else v.severity.label
    badge = label("cannot_judge", lang) if v.level == CANNOT_JUDGE else \
        label("clear", lang) if v.level == CLEAR else severity_label(v.severity, lang)
    counts = [{**_sev(s, lang), "n": sum(1 for f in result.findings if f.severity == s)}
              for s in sorted(Severity, reverse=True)]
    return {"sev": {"cls": cls, "label": badge}, "cls": cls, "label": badge, "text": v.title.get(lang),
            "sub": v.detail.get(lang), "caveats": caveats, "level": v.level, "counts": counts,
            "counts_label": label("sev_counts", lang)}


def _moment(value: Any, tz: str) -> str:
    """An ISO time of the network section as the report shows times (its own text when it is not one)."""
    try:
        return format_time(datetime.fromisoformat(str(value)), tz)
    except ValueError:
        return str(value)


def _network(netlog: dict[str, Any], lang: str, tz: str = "Asia/Tokyo") -> dict[str, Any]:
    """The segment × segment picture and the 'what did not happen' list, when syslog was scanned."""
    if not netlog:
        return {"network": None}
    quiet = [{"pair": f"{q['from']} → {q['to']}",
              "ports": label("all_quiet", lang) if q.get("all_quiet") else ", ".join(q.get("no_traffic_on", []))}
             for q in netlog.get("not_seen", [])]
    return {"network": {"svg": Markup(matrix_svg(netlog.get("segment_matrix", {}), netlog.get("segments", []),
                                                 label("matrix_caption", lang))),
                        "window": " – ".join(_moment(w, tz) for w in netlog.get("window", []) if w), "not_seen": quiet}}


def build_context(result: ScanResult) -> dict[str, Any]:
    """Everything the template shows, as plain formatted strings and lists."""
    lang = "en" if result.lang == "en" else "ja"
    tz = result.timezone
    ordered = [(f, f"f-{n}") for n, f in enumerate(_order(result.findings), 1)]
    anchors = {id(f): a for f, a in ordered}
    events = _count(result.stats.get("events"), sum(i.events for i in result.inputs))
    hosts = {f.host for f in result.findings if f.host} | {c.host for c in result.coverage}
    timed = sorted((f for f in result.findings if f.first_seen and is_detection(f)), key=lambda f: _ts(f.first_seen))
    seconds = result.stats.get("seconds")
    min_days = short_days(result)
    texts = {**labels(lang), "coverage_note": label("coverage_note", lang, days=_days(min_days))}
    incidents = sorted(result.incidents, key=lambda i: (-i.severity, _ts(i.first_seen)))
    logs = [(f, a) for f, a in ordered if has_tag(f.rule, "coverage")]  # shown as rows of the coverage table
    cards = [(f, a) for f, a in ordered if not has_tag(f.rule, "coverage")]
    in_incident = {id(f) for i in incidents for f in i.findings}
    coverage = _coverage(result.section("coverage"), tz, lang, min_days, logs)
    network = _network(result.section("network") or {}, lang, tz)
    inputs = _inputs(result.inputs)
    return {
        "lang": lang, "tz": tz, "L": texts, "title": texts["title"],
        "generated": format_time(result.generated_at, tz),
        "facts": [(texts["timezone"], tz), (texts["inputs_n"], format_number(len(result.inputs))),
                  (texts["events_n"], format_number(events)),
                  (texts["hosts_n"], format_number(_count(result.stats.get("hosts"), len(hosts))))],
        "nav": [(a, texts[f"nav_{a}"]) for a in ("incidents", "timeline", "findings", "rdp", "coverage")] +
               ([("network", texts["nav_network"])] if network["network"] else []) + [("inputs", texts["nav_inputs"])],
        "seeds": [f.seed for f in result.findings if f.seed],
        "n_inputs": format_number(len(result.inputs)), "n_events": format_number(events),
        "n_hosts": format_number(_count(result.stats.get("hosts"), len(hosts))),
        "verdict": _verdict(result, events, lang, min_days),
        "sev_counts": [{**_sev(s, lang), "n": sum(1 for f in result.findings if f.severity == s)}
                       for s in sorted(Severity, reverse=True)],
        "incidents": [_incident(i, n, anchors, tz, lang) for n, i in enumerate(incidents, 1)],
        "open_incidents": OPEN_INCIDENTS,
        **timeline_context(result, tz, lang),  # svg (the overview), zooms (one per incident)
        "untimed": sum(1 for f in result.findings if f.first_seen is None and f.last_seen is None),
        "timeline_rows": [{"when": format_time(f.first_seen, tz), "host": f.host or label("unknown_host", lang),
                           "sev": _sev(f.severity, lang), "title": f.title.get(lang), "anchor": anchors[id(f)]}
                          for f in timed],
        "by_incident": _by_incident(incidents, cards, tz, lang),
        "groups": _groups([(f, a) for f, a in cards if id(f) not in in_incident], tz, lang),
        "n_logs": format_number(len(logs)),
        "rdp_in": _rdp(result.findings, "rdp-in", tz, lang),  # the rules tagged so in their files
        "rdp_out": _rdp(result.findings, "rdp-out", tz, lang),
        "coverage": coverage,
        "coverage_flagged": _flagged(coverage, lambda c: c["short"] or c["small"]),
        "coverage_advice": logs[0][0].advice.get(lang) if logs else "",
        "coverage_seed": logs[0][0].seed if logs else "",
        **network,
        "inputs": inputs,
        "inputs_flagged": _flagged(inputs, lambda i: bool(i["errors"])),
        "inputs_fold": len(inputs) > FOLD_ROWS and not any(i["errors"] for i in inputs),
        "seconds": label("seconds", lang, n=f"{float(seconds):,.1f}") if isinstance(seconds, (int, float)) else "",
    }


def render_html(result: ScanResult) -> str:
    """The whole report as one HTML string (inline CSS and SVG, no outside resources)."""
    return render_page("report.html.j2", **build_context(result))


def write_html(result: ScanResult, path: Path) -> None:
    """Write the report to path as UTF-8, creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result), encoding="utf-8")
