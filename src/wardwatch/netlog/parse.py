"""Syslog parsing: RFC 3164/5424 headers, then vendor messages chosen by content, into normalized NetEvents."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PROTOS = {"6": "tcp", "17": "udp", "1": "icmp"}
MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"), start=1)}


@dataclass
class NetEvent:
    """One normalized network log line (kind 'unknown' keeps the raw line)."""

    time: datetime | None
    device: str
    vendor: str
    kind: str  # traffic, login-failure, login-success, vpn-failure, vpn-success, other, unknown
    action: str = ""  # allow / deny / ""
    proto: str = ""
    src: str = ""
    sport: int | None = None
    dst: str = ""
    dport: int | None = None
    user: str = ""
    raw: str = ""
    file: str = ""
    line: int = 0
    sent: int | None = None  # bytes the source sent (FortiGate sentbyte, PAN-OS bytes sent), where logged


RE_5424 = re.compile(r"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (?:-|(?:\[.*?\])+) ?(.*)$", re.S)
RE_3164 = re.compile(r"^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (?:(\S+) )?(.*)$", re.S)
RE_ISO = re.compile(r"^(?:<(\d{1,3})>)?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (\S+) (.*)$", re.S)
RE_TAG = re.compile(r"^([\w./-]+)(?:\[\d+\])?: ?(.*)$", re.S)


def parse_header(line: str, context: datetime, tz: str) -> tuple[datetime | None, str, str]:
    """(time, host, message) from a syslog line; a 3164 time takes its year from context (never in the future)."""
    m = RE_5424.match(line)
    if m:
        ts = None if m.group(2) == "-" else _iso(m.group(2), tz)
        host = "" if m.group(3) == "-" else m.group(3)
        app = m.group(4)
        return ts, host, (f"{app}: " if app != "-" else "") + m.group(7)
    m = RE_ISO.match(line)
    if m:
        return _iso(m.group(2), tz), m.group(3), m.group(4)
    m = RE_3164.match(line)
    if m and m.group(2) in MONTHS:
        zone = ZoneInfo(tz)
        ctx = context.astimezone(zone)
        try:
            ts = datetime(ctx.year, MONTHS[m.group(2)], int(m.group(3)), int(m.group(4)), int(m.group(5)),
                          int(m.group(6)), tzinfo=zone)
            if ts - ctx > timedelta(days=2):
                ts = ts.replace(year=ctx.year - 1)
        except ValueError:
            ts = None
        host, rest = m.group(7) or "", m.group(8)
        if host and (host.endswith(":") or "[" in host or "=" in host or "%" in host):
            rest, host = host + " " + rest, ""
        return (ts.astimezone(UTC) if ts else None), host, rest
    if line.startswith("<"):
        end = line.find(">")
        if 0 < end <= 4:
            return None, "", line[end + 1:]
    return None, "", line


def _iso(value: str, tz: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=ZoneInfo(tz))
    return t.astimezone(UTC)


# --- vendor parsers: each takes the message and returns a partly filled event or None ---------------------------
Fields = dict[str, object]

RE_RTX_FILTER = re.compile(r"(Rejected|Passed) at (?:IN|OUT)\(\S+\) filter: (\w+) "
                           r"([\d.:a-fA-F]+?)(?::(\d+))? > ([\d.:a-fA-F]+?)(?::(\d+))?(?: |$)")
RE_RTX_INSPECT = re.compile(r"\[INSPECT\] \S+ (\w+) ([\d.]+):(\d+) > ([\d.]+):(\d+)")
RE_RTX_LOGIN = re.compile(r"Login (succeeded|failed) for (\w+)(?: \w+)*?:\s*([\d.:a-fA-F]+)(?:\s+(\S+))?")
# "[L2TP] ... connected ... from 192.0.2.10": three searches one after the other, not one pattern with two lazy
# gaps (that backtracks over every tag and word of a long line: seconds for a 20 KB line); same matches.
RE_RTX_VPN_TAG = re.compile(r"\[(L2TP|IPSEC|IKE)\]", re.IGNORECASE)
RE_RTX_VPN_WORD = re.compile(r"(connected|disconnected|failed|fail)", re.IGNORECASE)
RE_RTX_VPN_FROM = re.compile(r"from ([\d.]+)", re.IGNORECASE)
RE_RTX_CHAP = re.compile(r"PP\[\w+\] (?:RECV|SEND) (?:CHAP|PAP|MSCHAP\w*) (Failure|Success)", re.I)


def _rtx_vpn(msg: str) -> tuple[str, str] | None:
    """(word, source address) of an RTX VPN line: the first tag, the first word after it, then "from ADDRESS",
    on one line (a later tag on the same line cannot match where the first did not: it is tried on later lines)."""
    done = -1
    for tag in RE_RTX_VPN_TAG.finditer(msg):
        if tag.start() < done:
            continue
        end = msg.find("\n", tag.end())
        done = end if end >= 0 else len(msg)
        word = RE_RTX_VPN_WORD.search(msg, tag.end(), done)
        src = RE_RTX_VPN_FROM.search(msg, word.end(), done) if word else None
        if word and src:
            return word.group(1).lower(), src.group(1)
    return None


def p_yamaha(msg: str) -> Fields | None:
    m = RE_RTX_FILTER.search(msg)
    if m:
        return {"vendor": "yamaha", "kind": "traffic", "action": "deny" if m.group(1) == "Rejected" else "allow",
                "proto": m.group(2).lower(), "src": m.group(3), "sport": m.group(4), "dst": m.group(5),
                "dport": m.group(6)}
    m = RE_RTX_INSPECT.search(msg)
    if m:
        return {"vendor": "yamaha", "kind": "traffic", "action": "allow", "proto": m.group(1).lower(),
                "src": m.group(2), "sport": m.group(3), "dst": m.group(4), "dport": m.group(5)}
    m = RE_RTX_LOGIN.search(msg)
    if m:
        return {"vendor": "yamaha", "kind": "login-success" if m.group(1) == "succeeded" else "login-failure",
                "src": m.group(3), "user": m.group(4) or ""}
    vpn = _rtx_vpn(msg)
    if vpn:
        word, src = vpn
        ok = word == "connected"
        return {"vendor": "yamaha", "kind": "vpn-success" if ok else ("other" if word == "disconnected"
                                                                       else "vpn-failure"), "src": src}
    m = RE_RTX_CHAP.search(msg)
    if m:
        came = re.search(r"from ([\d.]+)", msg)
        return {"vendor": "yamaha", "kind": "vpn-failure" if m.group(1).lower() == "failure" else "vpn-success",
                "src": came.group(1) if came else ""}
    return None


RE_KV = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def _kv(msg: str) -> dict[str, str]:
    return {k: v[1:-1] if v.startswith('"') else v for k, v in RE_KV.findall(msg)}


def p_fortigate(msg: str) -> Fields | None:
    if "devid=" not in msg and "logid=" not in msg:
        return None
    kv = _kv(msg)
    if "type" not in kv:
        return None
    action, logdesc = kv.get("action", ""), kv.get("logdesc", "").lower()
    base: Fields = {"vendor": "fortigate", "user": kv.get("user", ""),
                    "devname": kv.get("devname") or kv.get("devid", "")}  # the device's name, else its serial
    if kv.get("date") and kv.get("time"):  # the device's own local time: a line without a syslog header keeps it
        base["localtime"] = f"{kv['date']}T{kv['time']}"
    if kv["type"] == "traffic":
        return {**base, "kind": "traffic", "action": "deny" if action in ("deny", "block", "blocked", "drop") else "allow",
                "proto": PROTOS.get(kv.get("proto", ""), kv.get("proto", "")), "src": kv.get("srcip", ""),
                "sport": kv.get("srcport"), "dst": kv.get("dstip", ""), "dport": kv.get("dstport"),
                "sent": kv.get("sentbyte")}
    src = kv.get("remip") or kv.get("srcip") or ""
    if "ssl-login-fail" in action or ("vpn" in logdesc and "fail" in logdesc) or "tunnel-fail" in action:
        return {**base, "kind": "vpn-failure", "src": src}
    if action in ("tunnel-up", "ssl-login", "tunnel-established") or ("vpn" in logdesc and "success" in logdesc):
        return {**base, "kind": "vpn-success", "src": src}
    if "admin login" in logdesc or kv.get("subtype") == "system" and action == "login":
        fail = "fail" in logdesc or kv.get("status", "") == "failed"
        return {**base, "kind": "login-failure" if fail else "login-success", "src": src}
    return {**base, "kind": "other"}


RE_ASA = re.compile(r"%(?:ASA|FTD)-\d-(\d{6}): (.*)")
RE_ASA_106023 = re.compile(r"Deny (\w+) src \S+?:([\d.:a-fA-F]+?)(?:/(\d+))? dst \S+?:([\d.:a-fA-F]+?)(?:/(\d+))?(?: |$)")
RE_ASA_1061 = re.compile(r"access-list \S+ (permitted|denied) (\w+) \S+?/([\d.]+)\((\d+)\) -> \S+?/([\d.]+)\((\d+)\)")
RE_ASA_302 = re.compile(r"Built (inbound|outbound) (TCP|UDP) connection \d+ for \S+?:([\d.]+)/(\d+) .*?to \S+?:([\d.]+)/(\d+)")
RE_USER = re.compile(r"[Uu]ser(?:name)?\s*=\s*'?<?([^'>,\s:]+)|[Uu]ser(?:name)? [\"'<]([^\"'>]+)")
RE_IP = re.compile(r"(?:IP|[Aa]ddress)\s*=?\s*<?(\d+\.\d+\.\d+\.\d+)")
RE_FROM = re.compile(r"from (?:\S+:)?(\d+\.\d+\.\d+\.\d+)")


def p_asa(msg: str) -> Fields | None:
    m = RE_ASA.search(msg)
    if not m:
        return None
    code, body = m.group(1), m.group(2)
    if code in ("106023", "106006", "106007", "106001"):
        t = RE_ASA_106023.search(body)
        if t:
            return {"vendor": "cisco-asa", "kind": "traffic", "action": "deny", "proto": t.group(1).lower(),
                    "src": t.group(2), "sport": t.group(3), "dst": t.group(4), "dport": t.group(5)}
    if code in ("106100",):
        t = RE_ASA_1061.search(body)
        if t:
            return {"vendor": "cisco-asa", "kind": "traffic", "action": "deny" if t.group(1) == "denied" else "allow",
                    "proto": t.group(2).lower(), "src": t.group(3), "sport": t.group(4), "dst": t.group(5),
                    "dport": t.group(6)}
    if code == "302013" or code == "302015":
        t = RE_ASA_302.search(body)
        if t:
            a = [t.group(3), t.group(4), t.group(5), t.group(6)]
            if t.group(1) == "inbound":  # "for outside:SRC to inside:DST"
                pass
            else:  # outbound: "for outside:DST ... to inside:SRC"
                a = [a[2], a[3], a[0], a[1]]
            return {"vendor": "cisco-asa", "kind": "traffic", "action": "allow", "proto": t.group(2).lower(),
                    "src": a[0], "sport": a[1], "dst": a[2], "dport": a[3]}
    user = RE_USER.search(body)
    ip = RE_IP.search(body) or RE_FROM.search(body)
    base: Fields = {"vendor": "cisco-asa", "user": (user.group(1) or user.group(2)) if user else "", "src": ip.group(1) if ip else ""}
    if code in ("113005", "113015", "716039", "109006"):
        return {**base, "kind": "vpn-failure"}
    if code in ("113004", "113012", "722022", "716001"):
        return {**base, "kind": "vpn-success"}
    if code == "605004":
        return {**base, "kind": "login-failure"}
    if code == "605005":
        return {**base, "kind": "login-success"}
    return {**base, "kind": "other"}


RE_IOS = re.compile(r"%SEC-6-IPACCESSLOG\w*: list \S+ (permitted|denied) (\w+) ([\d.]+)(?:\((\d+)\))?(?: \([^)]*\))? -> "
                    r"([\d.]+)(?:\((\d+)\))?")
RE_IOS_LOGIN = re.compile(r"%SEC_LOGIN-\d-LOGIN_(FAILED|SUCCESS): .*?[Uu]ser: ?\[?([^\]\s]*)\]?.*?[Ss]ource: ?\[?([\d.:a-fA-F]+)")


def p_ios(msg: str) -> Fields | None:
    m = RE_IOS.search(msg)
    if m:
        return {"vendor": "cisco-ios", "kind": "traffic", "action": "deny" if m.group(1) == "denied" else "allow",
                "proto": m.group(2).lower(), "src": m.group(3), "sport": m.group(4), "dst": m.group(5), "dport": m.group(6)}
    m = RE_IOS_LOGIN.search(msg)
    if m:
        return {"vendor": "cisco-ios", "kind": "login-failure" if m.group(1) == "FAILED" else "login-success",
                "user": m.group(2), "src": m.group(3)}
    return None


def p_paloalto(msg: str) -> Fields | None:
    if ",TRAFFIC," not in msg and ",SYSTEM," not in msg:
        return None
    f = msg.split(",")
    try:
        i = f.index("TRAFFIC")
    except ValueError:
        i = -1
    if i >= 0 and len(f) > i + 28:  # PAN-OS: type at 3 (i), src 7, dst 8, ... sport 24, dport 25, proto 29, action 30
        o = i - 3
        return {"vendor": "paloalto", "kind": "traffic", "src": f[o + 7], "dst": f[o + 8], "user": f[o + 12],
                "sport": f[o + 24], "dport": f[o + 25], "proto": f[o + 29].lower(),
                "action": "allow" if f[o + 30] == "allow" else "deny",
                "sent": f[o + 32] if len(f) > o + 32 else None}  # 31 bytes, 32 bytes sent, 33 bytes received
    if ",SYSTEM," in msg:
        low = msg.lower()
        src = re.search(r"(?:from|From|ip|IP)[: ]+'?([\d]+\.[\d]+\.[\d]+\.[\d]+)", msg)
        user = re.search(r"[Uu]ser(?:name)?[: ]+'?([^',\s]+)", msg)
        base: Fields = {"vendor": "paloalto", "src": src.group(1) if src else "", "user": user.group(1) if user else ""}
        if "globalprotect" in low and ("fail" in low or "error" in low):
            return {**base, "kind": "vpn-failure"}
        if "globalprotect" in low and ("succeed" in low or "success" in low):
            return {**base, "kind": "vpn-success"}
        if ("auth-fail" in low or "authentication failed" in low or "failed authentication" in low):
            return {**base, "kind": "login-failure"}
        return {**base, "kind": "other"}
    return None


def p_pfsense(msg: str) -> Fields | None:
    k = msg.find("filterlog")
    if k < 0:
        return None
    body = msg[msg.find(":", k) + 1:].strip() if ":" in msg[k:] else ""
    f = body.split(",")
    try:
        if len(f) < 9:
            return None
        action, ipver = f[6], f[8]
        if ipver == "4":
            proto, src, dst = f[16].lower(), f[18], f[19]
            rest = f[20:]
        elif ipver == "6":
            proto, src, dst = f[12].lower(), f[15], f[16]
            rest = f[17:]
        else:
            return None
        sport = rest[0] if proto in ("tcp", "udp") and rest else None
        dport = rest[1] if proto in ("tcp", "udp") and len(rest) > 1 else None
    except IndexError:
        return None
    return {"vendor": "pfsense", "kind": "traffic", "action": "allow" if action == "pass" else "deny", "proto": proto,
            "src": src, "dst": dst, "sport": sport, "dport": dport}


RE_IPT_KV = re.compile(r"\b(SRC|DST|PROTO|SPT|DPT)=(\S+)")


def p_iptables(msg: str) -> Fields | None:
    if "SRC=" not in msg or "DST=" not in msg:
        return None
    kv = dict(RE_IPT_KV.findall(msg))
    low = msg.lower()
    deny = any(w in low for w in ("drop", "reject", "deny", "block"))
    return {"vendor": "iptables", "kind": "traffic", "action": "deny" if deny else "allow",
            "proto": kv.get("PROTO", "").lower(), "src": kv.get("SRC", ""), "dst": kv.get("DST", ""),
            "sport": kv.get("SPT"), "dport": kv.get("DPT")}


RE_SSH_FAIL = re.compile(r"(?:Failed (?:password|publickey|keyboard-interactive\S*) for (?:invalid user )?(\S+)|"
                         r"Invalid user (\S*)) from ([\d.:a-fA-F]+)(?: port (\d+))?")
RE_SSH_OK = re.compile(r"Accepted \S+ for (\S+) from ([\d.:a-fA-F]+)(?: port (\d+))?")


def p_sshd(msg: str) -> Fields | None:
    if "sshd" not in msg[:64]:
        return None
    m = RE_SSH_FAIL.search(msg)
    if m:
        return {"vendor": "sshd", "kind": "login-failure", "user": m.group(1) or m.group(2) or "", "src": m.group(3),
                "sport": m.group(4), "proto": "tcp", "dport": "22"}
    m = RE_SSH_OK.search(msg)
    if m:
        return {"vendor": "sshd", "kind": "login-success", "user": m.group(1), "src": m.group(2), "sport": m.group(3),
                "proto": "tcp", "dport": "22"}
    return {"vendor": "sshd", "kind": "other"}


PARSERS: list[tuple[str, Callable[[str], Fields | None]]] = [
    ("%ASA-", p_asa), ("%FTD-", p_asa), ("%SEC", p_ios), ("filterlog", p_pfsense), ("=", p_fortigate),
    ("sshd", p_sshd), ("SRC=", p_iptables), (",", p_paloalto), ("", p_yamaha),
]


def _port(v: object) -> int | None:
    try:
        return int(str(v)) if v not in (None, "") else None
    except ValueError:
        return None


def _count(v: object) -> int | None:
    """A byte count as logged (a non-negative whole number), else None."""
    text = str(v).strip() if v is not None else ""
    return int(text) if text.isdigit() and len(text) < 19 else None


def parse_line(line: str, context: datetime, tz: str = "Asia/Tokyo", device: str = "") -> NetEvent:
    """One syslog line into a NetEvent; kind 'unknown' when no parser knows it (raw kept)."""
    line = line.rstrip("\r\n")
    ts, host, msg = parse_header(line, context, tz)
    dev = host or device
    for hint, fn in PARSERS:
        if hint and hint not in msg:
            continue
        try:
            got = fn(msg)
        except (IndexError, ValueError):
            got = None
        if got:
            own = _iso(str(got["localtime"]), tz) if got.get("localtime") else None
            return NetEvent(time=ts or own or context, device=dev or str(got.get("devname") or ""),
                            vendor=str(got.get("vendor", "")),
                            kind=str(got.get("kind", "other")), action=str(got.get("action", "")),
                            proto=str(got.get("proto", "")), src=str(got.get("src", "") or ""),
                            sport=_port(got.get("sport")), dst=str(got.get("dst", "") or ""),
                            dport=_port(got.get("dport")), user=str(got.get("user", "") or ""), raw=line,
                            sent=_count(got.get("sent")))
    return NetEvent(time=ts or context, device=dev, vendor="", kind="unknown", raw=line)
