"""Network detections as data-driven rules over NetEvents, and the 'what did not happen' summary."""
from __future__ import annotations

from collections import Counter, defaultdict, deque
from datetime import datetime, timedelta
from typing import Any

from ..model import Evidence, Finding, Severity, Text
from .parse import NetEvent
from .segments import INTERNET, Segments

DANGEROUS_PORTS: dict[int, str] = {
    3389: "RDP", 445: "SMB", 135: "RPC", 137: "NetBIOS", 138: "NetBIOS", 139: "NetBIOS", 22: "SSH", 23: "Telnet",
    21: "FTP", 161: "SNMP", 162: "SNMP", 88: "Kerberos", 389: "LDAP", 636: "LDAPS", 1433: "MSSQL", 1521: "Oracle",
}
SEED = "002"

RULES: dict[str, dict[str, Any]] = {
    "net-cross-segment": {
        "severity": "high", "phase": "lateral-movement",
        "title": ("セグメント間の危険なポートの通信", "Traffic between segments on a dangerous port"),
        "advice": ("この通信が業務上必要か確認し、不要ならファイアウォール/ルーターで遮断してください。許可された通信なら、"
                   "宛先ホストの侵害の有無を調べてください。",
                   "Check whether this traffic is needed; if not, block it at the firewall or router. Where it was "
                   "allowed, check the destination hosts for compromise."),
    },
    "net-scan": {
        "severity": "high", "phase": "discovery", "window_s": 60, "min_hosts": 20, "min_ports": 20,
        "title": ("ネットワークスキャン", "Network scan"),
        "advice": ("送信元の端末を特定し、スキャンツール(Advanced IP Scanner 等)の実行がないか確認してください。",
                   "Find the source host and check it for scanning tools (such as Advanced IP Scanner)."),
    },
    "vpn-brute-force": {
        "severity": "high", "phase": "initial-access", "window_s": 600, "min_failures": 5,
        "title": ("VPN ログオン失敗の連続", "Burst of VPN logon failures"),
        "advice": ("送信元を遮断し、VPN 機器のファームウェアと多要素認証の設定を確認してください。",
                   "Block the source, and check the VPN device's firmware and multi-factor authentication."),
    },
    "vpn-unexpected-source": {
        "severity": "high", "phase": "initial-access",
        "title": ("許可リスト外からの VPN 接続", "VPN logon from outside the remote-access allowlist"),
        "advice": ("接続した利用者と保守業者に確認し、心当たりがなければアカウントを止めてください。",
                   "Ask the user and the vendor; if nobody expected it, disable the account."),
    },
    "admin-login-failure": {
        "severity": "medium", "phase": "credential-access", "window_s": 600, "min_failures": 3,
        "title": ("機器の管理ログインの失敗", "Failed administrator logins on a network device"),
        "advice": ("管理画面へのアクセス元を管理用セグメントに限り、既定のパスワードを変更してください。",
                   "Limit management access to the management segment, and change default passwords."),
    },
    "net-outbound": {
        "severity": "medium", "phase": "exfiltration",
        "title": ("許可されていない外部への通信", "Outbound connection not on the allowlist"),
        "advice": ("医療系セグメントからインターネットへの通信は原則不要です。宛先を確認し、不要なら遮断してください。",
                   "Clinical segments rarely need the internet: check the destination and block it if not needed."),
    },
}

MAX_LIST = 50


def _finding(rule: str, evs: list[NetEvent], summary: Text, sources: list[str], facts: dict[str, Any],
             severity: Severity | None = None, accounts: list[str] | None = None) -> Finding:
    r = RULES[rule]
    times = [e.time for e in evs if e.time]
    devices = sorted({e.device for e in evs if e.device})
    return Finding(
        rule=rule, severity=severity or Severity.parse(r["severity"]), host=devices[0] if devices else None,
        first_seen=min(times) if times else None, last_seen=max(times) if times else None, count=len(evs),
        title=Text(*r["title"]), summary=summary, advice=Text(*r["advice"]), accounts=accounts or [],
        sources=sorted(set(sources))[:MAX_LIST],
        evidence=[Evidence(e.file, e.line) for e in evs[:20]], evidence_total=len(evs), seed=SEED, phase=r["phase"],
        facts={**facts, "devices": devices},
    )


def _svc(port: int) -> str:
    return f"{DANGEROUS_PORTS.get(port, '?')}/{port}"


def cross_segment(events: list[NetEvent], segs: Segments) -> list[Finding]:
    groups: dict[tuple[str, str, int], list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind != "traffic" or e.dport not in DANGEROUS_PORTS:
            continue
        a, b = segs.segment(e.src), segs.segment(e.dst)
        if a and b and a != b and INTERNET not in (a, b) and (a, b, e.dport) not in segs.allowed_flows:
            groups[(a, b, e.dport)].append(e)
    out = []
    for (a, b, port), evs in sorted(groups.items()):
        allowed = sum(1 for e in evs if e.action != "deny")
        denied = len(evs) - allowed
        dsts = sorted({e.dst for e in evs})
        sev = Severity.HIGH if allowed else Severity.MEDIUM
        out.append(_finding("net-cross-segment", evs, Text(
            f"{a} → {b} の {_svc(port)} 通信: 許可 {allowed} 件、拒否 {denied} 件(宛先 {', '.join(dsts[:5])})",
            f"{_svc(port)} from segment {a} to segment {b}: {allowed} allowed, {denied} denied "
            f"(to {', '.join(dsts[:5])})"), [e.src for e in evs],
            {"src_segment": a, "dst_segment": b, "port": port, "service": DANGEROUS_PORTS[port],
             "allowed": allowed, "denied": denied, "destinations": dsts[:MAX_LIST]}, severity=sev))
    return out


def scans(events: list[NetEvent], segs: Segments) -> list[Finding]:
    r = RULES["net-scan"]
    win = timedelta(seconds=r["window_s"])
    by_src: dict[str, list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind == "traffic" and e.src and e.time:
            by_src[e.src].append(e)
    out = []
    for src, evs in sorted(by_src.items()):
        evs.sort(key=lambda e: e.time)  # type: ignore[arg-type, return-value]
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
            out.append(_finding("net-scan", window, Text(
                f"{src}({seg})が {r['window_s']} 秒間に {nh} 台・{np_} ポートへ接続(宛先セグメント: {', '.join(dsegs)})",
                f"{src} (segment {seg}) touched {nh} addresses and {np_} ports within {r['window_s']} s "
                f"(segments {', '.join(dsegs)})"), [src],
                {"src_segment": seg, "dst_segments": dsegs, "hosts": nh, "ports": top[:MAX_LIST],
                 "window_s": r["window_s"]}))
    return out


def _bursts(events: list[NetEvent], kind: str, rule: str, segs: Segments) -> list[Finding]:
    r = RULES[rule]
    win = timedelta(seconds=r["window_s"])
    by_key: dict[str, list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind == kind and e.time:
            by_key[e.src or f"user:{e.user}"].append(e)
    out = []
    for key, evs in sorted(by_key.items()):
        evs.sort(key=lambda e: e.time)  # type: ignore[arg-type, return-value]
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
        ja_what = "VPN ログオン" if kind == "vpn-failure" else "管理ログイン"
        en_what = "VPN logon" if kind == "vpn-failure" else "administrator login"
        out.append(_finding(rule, best, Text(
            f"{src or '不明な送信元'}({seg})から {r['window_s'] // 60} 分間に {ja_what}の失敗 {len(best)} 回"
            f"(アカウント: {', '.join(users[:5]) or '不明'}、機器: {', '.join(sorted({e.device for e in best}))})",
            f"{len(best)} failed {en_what}s within {r['window_s'] // 60} min from {src or 'an unknown source'} "
            f"(segment {seg}; accounts {', '.join(users[:5]) or 'unknown'})"),
            [src] if src else [], {"src_segment": seg, "failures": len(best), "window_s": r["window_s"],
                                   "port": best[0].dport}, accounts=users))
    return out


def vpn_unexpected(events: list[NetEvent], segs: Segments) -> list[Finding]:
    if not segs.vpn_allow:
        return []
    groups: dict[str, list[NetEvent]] = defaultdict(list)
    for e in events:
        if e.kind == "vpn-success" and e.src and not segs.vpn_allowed(e.src):
            groups[e.src].append(e)
    out = []
    for src, evs in sorted(groups.items()):
        users = sorted({e.user for e in evs if e.user})
        out.append(_finding("vpn-unexpected-source", evs, Text(
            f"リモートアクセス許可リストにない {src}({segs.segment(src) or '?'})から VPN 接続 {len(evs)} 回"
            f"(アカウント: {', '.join(users) or '不明'})",
            f"{len(evs)} VPN logon(s) from {src} (segment {segs.segment(src) or '?'}), not on the remote-access "
            f"allowlist (accounts {', '.join(users) or 'unknown'})"), [src],
            {"src_segment": segs.segment(src) or "?"}, accounts=users))
    return out


def outbound(events: list[NetEvent], segs: Segments) -> list[Finding]:
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
        out.append(_finding("net-outbound", evs, Text(
            f"{sseg} から外部 {dst} への許可された通信 {len(evs)} 件(ポート {', '.join(map(str, ports)) or '-'})"
            + ("。医療系セグメントです" if clinical else "。外部通信の許可リストにありません"),
            f"{len(evs)} allowed connection(s) from segment {sseg} to {dst} on the internet (ports "
            f"{', '.join(map(str, ports)) or '-'})" + ("; a clinical segment" if clinical else "; not on the allowlist")),
            [e.src for e in evs], {"src_segment": sseg, "dst_segment": INTERNET, "destination": dst,
                                   "ports": ports, "clinical": clinical},
            severity=Severity.HIGH if clinical else None))
    return out


def detect(events: list[NetEvent], segs: Segments) -> list[Finding]:
    """Every network rule over the events, worst first."""
    found = (cross_segment(events, segs) + scans(events, segs)
             + _bursts(events, "vpn-failure", "vpn-brute-force", segs) + vpn_unexpected(events, segs)
             + _bursts(events, "login-failure", "admin-login-failure", segs) + outbound(events, segs))
    found.sort(key=lambda f: (-int(f.severity), f.rule, f.first_seen.timestamp() if f.first_seen else 0.0))
    return found


def not_seen(events: list[NetEvent], segs: Segments, since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    """Segment pairs × dangerous services with no traffic at all (allowed or denied) in the window."""
    seen: set[tuple[str, str, str]] = set()
    for e in events:
        if e.kind != "traffic" or e.dport not in DANGEROUS_PORTS or not e.time:
            continue
        if (since and e.time < since) or (until and e.time > until):
            continue
        a, b = segs.segment(e.src), segs.segment(e.dst)
        if a and b:
            seen.add((a, b, DANGEROUS_PORTS[e.dport]))
    services = sorted(set(DANGEROUS_PORTS.values()))
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
