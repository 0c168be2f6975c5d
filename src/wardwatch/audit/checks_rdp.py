"""Checks on Remote Desktop: on where not needed, default port 3389, no NLA, open to any address."""
from __future__ import annotations

from typing import Any

from .bundle import Bundle
from .outcome import NOT_COLLECTED, Context, Outcome, T, failed, not_applicable, passed
from .parsers import as_bool, as_int, as_list
from .registry import evaluator

_OFF = T("RDP は無効", "RDP is off")
_ANY = {"any", "*", "0.0.0.0/0", "::/0", "internet", "0.0.0.0-255.255.255.255"}


def rdp_state(b: Bundle) -> dict[str, Any]:
    """enabled, port, nla from the RDP part; group policy wins over the local registry values."""
    rdp = b.get("rdp")
    pol = rdp.get("policy") or {}
    ts = rdp.get("terminal_server") or {}
    tcp = rdp.get("rdp_tcp") or {}
    deny = as_int(pol.get("fDenyTSConnections"))
    deny = as_int(ts.get("fDenyTSConnections")) if deny is None else deny
    nla = as_int(pol.get("UserAuthentication"))
    nla = as_int(tcp.get("UserAuthentication")) if nla is None else nla
    service_off = str((rdp.get("service") or {}).get("start_mode") or "").lower() == "disabled"
    return {"enabled": deny == 0 and not service_off, "port": as_int(tcp.get("PortNumber")) or 3389, "nla": nla != 0,
            "deny_value": deny}


@evaluator("rdp_enabled")
def rdp_enabled(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    state = rdp_state(b)
    if not state["enabled"]:
        return passed(_OFF, enabled=False)
    if b.host.upper() in ctx.rdp_hosts:
        return passed(T("RDP は有効（必要なホストとして登録済み）", "RDP is on (listed as needed)"), enabled=True)
    return failed([T(f"RDP が有効（ポート {state['port']}）", f"RDP is on (port {state['port']})")], enabled=True)


@evaluator("rdp_port")
def rdp_port(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    state = rdp_state(b)
    if not state["enabled"]:
        return not_applicable(_OFF)
    if state["port"] == p["default_port"]:
        return failed([T(f"RDP が既定のポート {state['port']} で待ち受け",
                         f"RDP listens on the default port {state['port']}")],
                      port=state["port"])
    return passed(T(f"RDP のポート {state['port']}", f"RDP port {state['port']}"), port=state["port"])


@evaluator("rdp_nla")
def rdp_nla(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    state = rdp_state(b)
    if not state["enabled"]:
        return not_applicable(_OFF)
    if not state["nla"]:
        return failed([T("ネットワーク レベル認証（NLA）が無効", "Network Level Authentication (NLA) is off")])
    return passed(T("NLA が有効", "NLA is on"))


def _profiles_off(rdp: dict[str, Any]) -> list[str]:
    return [str(pr.get("name")) for pr in as_list(rdp.get("firewall_profiles"))
            if isinstance(pr, dict) and as_bool(pr.get("enabled")) is False]


@evaluator("rdp_any_source")
def rdp_any_source(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    state = rdp_state(b)
    if not state["enabled"]:
        return not_applicable(_OFF)
    rdp = b.get("rdp")
    if not as_list(rdp.get("firewall_profiles")):
        return Outcome(NOT_COLLECTED, [T("ファイアウォールの設定が収集されていない",
                                         "firewall settings were not collected")],
                       missing=["rdp.firewall"])
    items = []
    off = _profiles_off(rdp)
    if off:
        items.append(T(f"ファイアウォールが無効のプロファイル: {', '.join(off)}（どこからでも接続可能）",
                       f"firewall off for profile(s): {', '.join(off)} (reachable from anywhere)"))
    open_rules = []
    for rule in as_list(rdp.get("firewall_rules")):
        if not isinstance(rule, dict):
            continue
        remote = [str(a) for a in as_list(rule.get("remote_address"))] or ["Any"]
        if any(a.strip().lower() in _ANY for a in remote):
            label = str(rule.get("display_name") or rule.get("name"))
            open_rules.append(label)
            items.append(T(f"受信の規則「{label}」が接続元を制限していない（{', '.join(remote)}）",
                           f"inbound rule \"{label}\" allows any source address ({', '.join(remote)})"))
    if items:
        return failed(items, rules=open_rules)
    return passed(T("RDP の受信規則は接続元を限定", "RDP inbound rules limit the source addresses"))
