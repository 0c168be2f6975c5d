"""Network checks on the inventory: segmentation, watched ports, any/any, remote access, syslog, observed traffic."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..checks.facts import watched_ports
from ..checks.spec import spec_for
from ..model import Finding, Severity
from .inventory import Inventory
from .rules import make

CORE_ROLES = ("AD", "HIS", "PACS", "backup")
CLINICAL_ROLES = {"AD", "HIS", "医事会計", "PACS", "部門", "backup", "医療機器"}
OUTSIDE_ROLES = {"情報系", "internet", "guest"}
LOG_DEVICES = {"firewall", "router", "l3switch"}


def observed_service(rule: str) -> tuple[str, int] | None:
    """(service, port) of the traffic a finding of rule is evidence of (source → host), as its rule file declares
    (`traffic_port`); None for rules that declare none."""
    spec = spec_for(rule)
    port = spec.traffic_port if spec is not None else None
    return None if port is None else (watched_ports().get(port, str(port)), port)


def port_set(ports: Iterable[Any]) -> set[int] | None:
    """The ports of a flow; None means any."""
    out: set[int] = set()
    for p in ports:
        if p == "any":
            return None
        if isinstance(p, str) and "-" in p:
            lo, hi = (int(x) for x in p.split("-"))
            out.update(range(lo, hi + 1))
        else:
            out.add(int(p))
    return out


def _flows(inv: Inventory) -> list[dict[str, Any]]:
    return inv.section("flows")


def check_shared(inv: Inventory) -> list[Finding]:
    out = []
    for seg in inv.segments():
        core = [r for r in CORE_ROLES if r in seg["roles"]]
        if len(core) >= 2:
            out.append(make("net.shared-segment", segment=seg["name"], roles=core))
    return out


def check_flows(inv: Inventory) -> list[Finding]:
    out, watched = [], watched_ports()
    for f in _flows(inv):
        if f["from"] == f["to"] and f["from"] != "any":  # within one segment; any → any is every pair
            continue
        ports = port_set(f["ports"])
        if ports is None or f["from"] == "any" or f["to"] == "any":
            out.append(make("net.any-any", src=f["from"], dst=f["to"]))
            continue
        hits = sorted(p for p in ports if p in watched)
        if hits:
            facts: dict[str, Any] = {"src": f["from"], "dst": f["to"], "ports": [f"{watched[p]} {p}" for p in hits]}
            if f.get("why"):  # the reason written: a decision on record, info
                out.append(make("net.dangerous-port", severity=Severity.INFO, case="recorded", why=str(f["why"]),
                                **facts))
            else:
                out.append(make("net.dangerous-port", **facts))
    return out


def check_outside(inv: Inventory) -> list[Finding]:
    out = []
    for seg in inv.segments():
        outside = OUTSIDE_ROLES & set(seg["roles"])
        clinical = CLINICAL_ROLES & set(seg["roles"])
        if outside and clinical:
            out.append(make("net.internet-to-clinical", src=seg["name"], src_roles=sorted(outside), dst=seg["name"],
                            dst_roles=sorted(clinical)))
    for f in _flows(inv):
        src = set(inv.roles(f["from"])) if f["from"] != "any" else OUTSIDE_ROLES
        dst = set(inv.roles(f["to"])) if f["to"] != "any" else CLINICAL_ROLES
        crosses = f["from"] != f["to"] or f["from"] == "any"
        if crosses and OUTSIDE_ROLES & src and CLINICAL_ROLES & dst and not CLINICAL_ROLES & src:
            out.append(make("net.internet-to-clinical", src=f["from"], src_roles=sorted(OUTSIDE_ROLES & src),
                            dst=f["to"], dst_roles=sorted(CLINICAL_ROLES & dst)))
    return out


def check_remote(inv: Inventory) -> list[Finding]:
    out = []
    for ra in inv.section("remote_access"):
        srcs = [s for s in ra.get("sources") or [] if s not in ("0.0.0.0/0", "::/0", "any")]
        if not srcs:
            out.append(make("net.remote-unrestricted", host=ra["device"], vendor=ra["vendor"], device=ra["device"]))
        if ra["mode"] == "always":
            out.append(make("net.remote-always-on", host=ra["device"], vendor=ra["vendor"], device=ra["device"]))
    return out


def check_syslog(inv: Inventory) -> list[Finding]:
    return [make("net.syslog-missing", host=h["name"], role=h["role"])
            for h in inv.section("hosts") if h.get("role") in LOG_DEVICES and not h.get("syslog_forward")]


def allowed(inv: Inventory, src: str, dst: str, port: int) -> bool:
    """True when the inventory's flows let src segment reach dst segment on port."""
    if src == dst:
        return True
    for f in _flows(inv):
        if f["from"] in (src, "any") and f["to"] in (dst, "any"):
            ports = port_set(f["ports"])
            if ports is None or port in ports:
                return True
    return False


def check_observed(inv: Inventory, observed: list[dict[str, Any]]) -> list[Finding]:
    """Findings from scan/audit findings.json whose (source → host) traffic the flows do not allow."""
    out: list[Finding] = []
    seen: set[tuple[str, str, tuple[str, int]]] = set()
    unlisted: set[str] = set()
    for f in observed:
        rule = str(f.get("rule", ""))
        svc = observed_service(rule)
        name = str(f.get("host") or "").strip()
        host = inv.host(name) if name and name != "—" else None
        if name and name != "—" and host is None and name.lower() not in unlisted:
            unlisted.add(name.lower())
            out.append(make("net.unlisted-host", host=name, seen_rule=rule))
        if svc is None or host is None:
            continue
        dst = inv.host_segment(host)
        for src_ip in f.get("sources") or []:
            src = inv.segment_of(str(src_ip))
            if dst and src and not allowed(inv, src, dst, svc[1]) and (str(src_ip), host["name"], svc) not in seen:
                seen.add((str(src_ip), host["name"], svc))
                out.append(make("net.unallowed-observed", host=host["name"], src=src_ip, src_seg=src, dst_seg=dst,
                                service=f"{svc[0]} {svc[1]}", seen_rule=rule))
    return out


CHECKS: dict[str, Callable[[Inventory], list[Finding]]] = {
    "shared-segment": check_shared, "flows": check_flows, "outside": check_outside,
    "remote": check_remote, "syslog": check_syslog,
}


def run_network(inv: Inventory, observed: list[dict[str, Any]] | None = None) -> list[Finding]:
    """Every network check on the inventory (and on observed findings when given)."""
    out = [f for fn in CHECKS.values() for f in fn(inv)]
    return out + check_observed(inv, observed or [])


@dataclass
class Cell:
    """One segment × segment cell of the flow matrix."""

    ports: list[str]
    level: str  # none / ok / watched / danger


def matrix(inv: Inventory) -> tuple[list[str], dict[tuple[str, str], Cell]]:
    """Segment names and, for each (from, to), the allowed ports and how worrying they are."""
    names = [s["name"] for s in inv.segments()]
    watched, cells = watched_ports(), {}
    for a in names:
        for b in names:
            labels: list[str] = []
            level = "none"
            for f in _flows(inv):
                if f["from"] in (a, "any") and f["to"] in (b, "any") and a != b:
                    ports = port_set(f["ports"])
                    if ports is None:
                        labels.append("any")
                        level = "danger"
                        continue
                    labels += [str(p) for p in sorted(ports)][:6]
                    hit = any(p in watched for p in ports)
                    rank = "danger" if hit and not f.get("why") else ("watched" if hit else "ok")
                    order = ["none", "ok", "watched", "danger"]
                    level = max(level, rank, key=order.index)
            cells[(a, b)] = Cell(labels, level)
    return names, cells
