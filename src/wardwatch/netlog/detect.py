"""Network detections over NetEvents: the rules are data (netlog/rules/*.yml), their implementations registered by
kind here; and the 'what did not happen' summary."""
from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from ..checks.facts import watched_ports
from ..checks.factspec import with_family
from ..checks.finding import make
from ..checks.spec import CheckSpec, Registry, SpecError, common_fields, register
from ..guard import Guard
from ..model import Finding, LineRef, Severity, Text
from ..textfmt import local_time
from .parse import NetEvent
from .segments import INTERNET, Segments

NetCheck = Callable[[CheckSpec, list[NetEvent], Segments], list[Finding]]
NETWORK: Registry[NetCheck] = Registry("network check kind")  # kind → implementation

MAX_LIST = 50


@lru_cache(maxsize=1)
def load_network_rules() -> tuple[CheckSpec, ...]:
    """The shipped network rules (netlog/rules/*.yml), each checked and registered by id."""
    specs = []
    folder = resources.files("wardwatch.netlog") / "rules"
    for f in sorted((f for f in folder.iterdir() if f.name.endswith(".yml")), key=lambda f: f.name):
        raw = yaml.safe_load(f.read_text(encoding="utf-8"))
        where = f"netlog/rules/{f.name}"
        for key in ("id", "kind", "phase", "severity"):
            if not isinstance(raw, dict) or key not in raw:
                raise SpecError(f"{where}: missing '{key}'")
        fields = common_fields(raw, where)
        fields["facts"] = with_family("network", fields["facts"])  # every network finding names its devices
        spec = CheckSpec(id=str(raw["id"]), kind=str(raw["kind"]), source=where, **fields)
        NETWORK.find(spec.kind, where)
        register(spec)
        specs.append(spec)
    return tuple(specs)


def _finding(spec: CheckSpec, evs: list[NetEvent], values: dict[str, Any], sources: list[str], facts: dict[str, Any],
             severity: Severity | None = None, accounts: list[str] | None = None) -> Finding:
    times = [e.time for e in evs if e.time]
    devices = sorted({e.device for e in evs if e.device})
    return make(spec, host=devices[0] if devices else None, first=min(times) if times else None,
                last=max(times) if times else None, count=len(evs), values=values, accounts=accounts or [],
                sources=sorted(set(sources))[:MAX_LIST], evidence=[LineRef(e.file, e.line) for e in evs[:20]],
                evidence_total=len(evs), severity=severity, facts={**facts, "devices": devices})


def _svc(port: int) -> str:
    return f"{watched_ports().get(port, '?')}/{port}"


def _novelty(evs: list[NetEvent], since: datetime | None, p: dict[str, Any]) -> tuple[str, list[str], datetime | None]:
    """Whether a group's flows (source → destination) are new: 'new' when a flow first appears after at least
    baseline_hours of logs in which it never did; 'habitual' when every flow was there from the start of those hours
    on; 'unknown' when the logs do not reach back baseline_hours before a flow (no claim without them)."""
    first: dict[str, datetime] = {}
    for e in evs:
        if e.time is not None:
            key = f"{e.src} → {e.dst}"
            first[key] = min(first.get(key, e.time), e.time)
    if since is None or not first:
        return "unknown", [], None
    history = timedelta(hours=float(p["baseline_hours"]))
    new = sorted((k for k, t in first.items() if t - since >= history), key=lambda k: first[k])
    if new:
        return "new", new, first[new[0]]
    known = [k for k, t in first.items() if t - since < history]
    return ("habitual" if known and max(e.time for e in evs if e.time) - since >= history else "unknown"), [], None


@NETWORK.kind("cross-segment")
def cross_segment(spec: CheckSpec, events: list[NetEvent], segs: Segments) -> list[Finding]:
    """Traffic on a watched port between two segments that the allowed flows do not cover, ranked by the segments'
    roles (members to the directory are expected) and by what is new against the hours of logs before it."""
    watched = watched_ports()
    since = min((e.time for e in events if e.time), default=None)  # how far back the logs read go
    groups: dict[tuple[str, str, int], list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind != "traffic" or e.dport not in watched:
            continue
        a, b = segs.segment(e.src), segs.segment(e.dst)
        if a and b and a != b and INTERNET not in (a, b) and (a, b, e.dport) not in segs.allowed_flows:
            groups[(a, b, e.dport)].append(e)
    out = []
    for (a, b, port), evs in sorted(groups.items()):
        allowed = sum(1 for e in evs if e.action != "deny")
        denied = len(evs) - allowed
        dsts = sorted({e.dst for e in evs})
        sev = spec.severity if allowed else Severity.parse(spec.params["denied_severity"])
        directory = re.search(str(spec.params.get("directory_segments", "(?!)")), b, re.I)
        expected = bool(directory) and port in set(spec.params.get("directory_ports", []))
        if expected:  # members talking to the directory: expected, shown low
            sev = min(sev, Severity.parse(spec.params["expected_severity"]))
        novelty, new, new_at = _novelty(evs, since, spec.params)
        if novelty == "habitual" and not expected:  # there all along: to check against the inventory, not new
            sev = min(sev, Severity.parse(spec.params["habitual_severity"]))
        tz = str(spec.params.get("tz") or "Asia/Tokyo")
        phrase = spec.phrase(novelty)
        hours = f"{float(spec.params['baseline_hours']):g}"
        flows = "、".join(new[:3]) + (f" ほか {len(new) - 3} 件" if len(new) > 3 else "")
        flows_en = ", ".join(new[:3]) + (f" and {len(new) - 3} more" if len(new) > 3 else "")
        when = local_time(new_at, tz) if new_at else "-"
        novelty_text = Text(phrase.ja.format(flows=flows, hours=hours, first=when),
                            phrase.en.format(flows=flows_en, hours=hours, first=when))
        facts = {"src_segment": a, "dst_segment": b, "port": port, "service": watched[port], "allowed": allowed,
                 "denied": denied, "destinations": dsts[:MAX_LIST], "expected_directory_traffic": expected,
                 "novelty": novelty, "baseline_hours": float(spec.params["baseline_hours"])}
        if new:
            facts["new_flows"] = new[:MAX_LIST]
        out.append(_finding(spec, evs, {"src_segment": a, "dst_segment": b, "service_port": _svc(port),
                                        "allowed": allowed, "denied": denied, "to": ", ".join(dsts[:5]),
                                        "novelty": novelty_text},
                            [e.src for e in evs], facts, severity=sev))
    return out


def _timed_groups(events: list[NetEvent], keep: Callable[[NetEvent], bool],
                  key: Callable[[NetEvent], str]) -> list[tuple[str, list[NetEvent]]]:
    """The timed events kept, grouped by key: groups in key order, each in time order."""
    groups: dict[str, list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.time and keep(e):
            groups[key(e)].append(e)
    return [(k, sorted(v, key=lambda e: e.time or datetime.min)) for k, v in sorted(groups.items())]


@NETWORK.kind("scan")
def scans(spec: CheckSpec, events: list[NetEvent], segs: Segments) -> list[Finding]:
    """One source touching at least min_hosts addresses or min_ports ports within window_s seconds."""
    r = spec.params
    win = timedelta(seconds=r["window_s"])
    out = []
    for src, evs in _timed_groups(events, lambda e: e.kind == "traffic" and bool(e.src), lambda e: e.src):
        hosts: Counter[str] = Counter()
        ports: Counter[int | None] = Counter()
        q: deque[NetEvent] = deque()
        best: tuple[int, int, list[NetEvent]] | None = None
        for e in evs:
            q.append(e)
            hosts[e.dst] += 1
            ports[e.dport] += 1
            while q and e.time - q[0].time > win:  # type: ignore[operator]
                old = q.popleft()
                hosts[old.dst] -= 1
                ports[old.dport] -= 1
                if not hosts[old.dst]:
                    del hosts[old.dst]
                if not ports[old.dport]:
                    del ports[old.dport]
            if len(hosts) >= r["min_hosts"] or len(ports) >= r["min_ports"]:
                if best is None or len(hosts) + len(ports) > best[0] + best[1]:
                    best = (len(hosts), len(ports), list(q))
        if best:
            nh, np_, window = best
            seg = segs.segment(src) or "?"
            dsegs = sorted({segs.segment(e.dst) or "?" for e in window})
            top = sorted({e.dport for e in window if e.dport is not None})
            out.append(_finding(spec, window, {"src": src, "src_segment": seg, "window_s": r["window_s"], "hosts": nh,
                                               "ports": np_, "dst_segments": ", ".join(dsegs)}, [src],
                                {"src_segment": seg, "dst_segments": dsegs, "hosts": nh, "ports": top[:MAX_LIST],
                                 "window_s": r["window_s"]}))
    return out


@NETWORK.kind("burst")
def bursts(spec: CheckSpec, events: list[NetEvent], segs: Segments) -> list[Finding]:
    """The longest run of `event` failures within window_s per source (or user), when at least min_failures."""
    r = spec.params
    win = timedelta(seconds=r["window_s"])
    out = []
    for key, evs in _timed_groups(events, lambda e: e.kind == r["event"], lambda e: e.src or f"user:{e.user}"):
        best: list[NetEvent] = []
        lo = 0
        for hi, e in enumerate(evs):
            while e.time - evs[lo].time > win:  # type: ignore[operator]
                lo += 1
            if hi - lo + 1 > len(best):
                best = evs[lo:hi + 1]
        if len(best) < r["min_failures"]:
            continue
        users = sorted({e.user for e in best if e.user})
        src = key if not key.startswith("user:") else ""
        seg = segs.segment(src) or "?" if src else "?"
        out.append(_finding(spec, best, {
            "src": src or spec.phrase("unknown_source"), "src_segment": seg, "window_min": r["window_s"] // 60,
            "failures": len(best), "accounts": ", ".join(users[:5]) or spec.phrase("unknown"),
            "devices": ", ".join(sorted({e.device for e in best}))},
            [src] if src else [], {"src_segment": seg, "failures": len(best), "window_s": r["window_s"],
                                   "port": best[0].dport}, accounts=users))
    return out


@NETWORK.kind("vpn-unexpected")
def vpn_unexpected(spec: CheckSpec, events: list[NetEvent], segs: Segments) -> list[Finding]:
    """VPN logons from addresses outside the remote-access allowlist (only when there is one)."""
    if not segs.vpn_allow:
        return []
    groups: dict[str, list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind == "vpn-success" and e.src and not segs.vpn_allowed(e.src):
            groups[e.src].append(e)
    out = []
    for src, evs in sorted(groups.items()):
        users = sorted({e.user for e in evs if e.user})
        out.append(_finding(spec, evs, {"src": src, "src_segment": segs.segment(src) or "?", "count": len(evs),
                                        "accounts": ", ".join(users) or spec.phrase("unknown")}, [src],
                            {"src_segment": segs.segment(src) or "?"}, accounts=users))
    return out


@NETWORK.kind("outbound")
def outbound(spec: CheckSpec, events: list[NetEvent], segs: Segments) -> list[Finding]:
    """Allowed connections to the internet from clinical segments, or not on the outbound allowlist."""
    groups: dict[tuple[str, str], list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind != "traffic" or e.action == "deny" or segs.segment(e.dst) != INTERNET:
            continue
        if segs.outbound_allowed(e.dst):
            continue
        sseg = segs.segment(e.src)
        if not sseg or sseg == INTERNET:
            continue
        if Segments.is_clinical(sseg) or segs.outbound_allow:
            groups[(sseg, e.dst)].append(e)
    out = []
    for (sseg, dst), evs in sorted(groups.items()):
        ports = sorted({e.dport for e in evs if e.dport is not None})
        clinical = Segments.is_clinical(sseg)
        out.append(_finding(spec, evs, {"src_segment": sseg, "destination": dst, "count": len(evs),
                                        "ports": ", ".join(map(str, ports)) or "-",
                                        "why": spec.phrase("clinical" if clinical else "not_allowed")},
                            [e.src for e in evs], {"src_segment": sseg, "dst_segment": INTERNET, "destination": dst,
                                                   "ports": ports, "clinical": clinical},
                            severity=Severity.parse(spec.params["clinical_severity"]) if clinical else None))
    return out


@NETWORK.kind("upload-volume")
def upload_volume(spec: CheckSpec, events: list[NetEvent], segs: Segments) -> list[Finding]:
    """Bytes sent from inside to one outside address: large, at night to an address new that day, or far above the
    source's own usual (median per outside address). Needs byte counts; the outbound allowlist is respected."""
    p = spec.params
    sent: dict[tuple[str, str], list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind != "traffic" or e.action == "deny" or e.sent is None or segs.segment(e.dst) != INTERNET:
            continue
        sseg = segs.segment(e.src)
        if sseg and sseg != INTERNET and not segs.outbound_allowed(e.dst):
            sent[(e.src, e.dst)].append(e)
    if not sent:
        return []
    totals = {k: sum(e.sent or 0 for e in evs) for k, evs in sent.items()}
    per_src: dict[str, list[int]] = defaultdict(list)
    for (src, _), total in totals.items():
        per_src[src].append(total)
    mb = 1 << 20
    out = []
    for (src, dst), evs in sorted(sent.items()):
        total = totals[(src, dst)]
        night = [e for e in evs if e.time and _at_night(e.time, p)]
        day_seen = any(e.time and not _at_night(e.time, p) for e in evs)
        others = sorted(t for t in per_src[src] if t != total) or [0]
        median = others[len(others) // 2]
        why = []
        if total >= p["min_mb"] * mb:
            why.append("large")
        if night and not day_seen and sum(e.sent or 0 for e in night) >= p["night_mb"] * mb:
            why.append("night")
        if len(per_src[src]) > 2 and median and total >= p["ratio"] * median and total >= p["night_mb"] * mb:
            why.append("unusual")
        if not why:
            continue
        sseg = segs.segment(src) or ""
        clinical = Segments.is_clinical(sseg)
        times = [e.time for e in evs if e.time]
        out.append(_finding(
            spec, evs, {"src": src, "src_segment": sseg, "destination": dst, "mb": f"{total / mb:,.1f}",
                        "count": len(evs), "first": local_time(min(times), p.get("tz") or "Asia/Tokyo") if times else "-",
                        "last": local_time(max(times), p.get("tz") or "Asia/Tokyo") if times else "-",
                        "why": Text(" ".join(spec.phrase(w).ja for w in why), " ".join(spec.phrase(w).en for w in why))},
            [src], {"src_segment": sseg, "dst_segment": INTERNET, "destination": dst, "bytes_sent": total,
                    "reasons": why, "clinical": clinical},
            severity=Severity.parse(p["clinical_severity"]) if clinical else None))
    return out


def _at_night(t: datetime, p: dict[str, Any]) -> bool:
    """Whether t falls in the night of the run's time zone (night_start to night_end, local hours)."""
    hour = t.astimezone(ZoneInfo(str(p.get("tz") or "Asia/Tokyo"))).hour
    start, end = int(p["night_start"]), int(p["night_end"])
    return hour >= start or hour < end if start > end else start <= hour < end


def detect(events: list[NetEvent], segs: Segments, problems: Guard | None = None,
           tz: str = "Asia/Tokyo") -> list[Finding]:
    """Every network rule over the events, worst first; with a guard, a rule that fails is named and the others run.
    tz: the run's time zone, given to each rule with its own parameters (the hospital's night is local time)."""
    found: list[Finding] = []
    guard = problems or Guard()
    for spec in load_network_rules():
        run = dataclasses.replace(spec, params={**spec.params, "tz": tz})
        found += guard.run(f"network rule {spec.id}", NETWORK.find(spec.kind, spec.source), run, events, segs,
                           default=[])
    if problems is None and guard.problems:  # no caller to tell: fail as before
        raise RuntimeError("; ".join(f"{p.stage}: {p.message}" for p in guard.problems))
    found.sort(key=lambda f: (-int(f.severity), f.rule, f.first_seen.timestamp() if f.first_seen else 0.0))
    return found


def not_seen(events: list[NetEvent], segs: Segments, since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    """Segment pairs × dangerous services with no traffic at all (allowed or denied) in the window."""
    watched = watched_ports()
    seen: set[tuple[str, str, str]] = set()
    for e in events:
        if e.kind != "traffic" or e.dport not in watched or not e.time:
            continue
        if (since and e.time < since) or (until and e.time > until):
            continue
        a, b = segs.segment(e.src), segs.segment(e.dst)
        if a and b:
            seen.add((a, b, watched[e.dport]))
    services = sorted(set(watched.values()))
    out = []
    for a in segs.names():
        for b in segs.names():
            if a == b:
                continue
            quiet = [s for s in services if (a, b, s) not in seen]
            if quiet:
                out.append({"from": a, "to": b, "no_traffic_on": quiet, "all_quiet": len(quiet) == len(services)})
    return out


def pair_matrix(events: list[NetEvent], segs: Segments) -> dict[str, dict[str, int]]:
    """Segment × segment counts of traffic events actually seen (for the picture in reports)."""
    m: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in events:
        if e.kind == "traffic":
            m[segs.segment(e.src) or "?"][segs.segment(e.dst) or "?"] += 1
    return {a: dict(b) for a, b in m.items()}
