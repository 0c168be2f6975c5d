"""Checks across hosts: one local admin account on many hosts, RDP on everywhere, hosts without a bundle."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from .bundle import Bundle, NotCollected
from .checks_accounts import admin_members, is_dc, users
from .checks_rdp import rdp_state
from .outcome import Context, Outcome, T, failed, passed
from .parsers import as_bool
from .registry import fleet


def _local_admins(b: Bundle) -> set[str]:
    """Names of enabled local accounts that are in Administrators."""
    local = {str(u.get("sid")): str(u.get("name")) for u in users(b) if as_bool(u.get("enabled"))}
    return {local[str(m.get("sid"))] for m in admin_members(b) if str(m.get("sid")) in local}


@fleet("shared_local_admin")
def shared_local_admin(bundles: list[Bundle], p: dict[str, Any], ctx: Context) -> list[tuple[str | None, Outcome]]:
    hosts_by_name: dict[str, list[str]] = defaultdict(list)
    shown: dict[str, str] = {}
    for b in bundles:
        if is_dc(b):
            continue
        try:
            names = _local_admins(b)
        except NotCollected:
            continue
        for name in names:
            hosts_by_name[name.lower()].append(b.host)
            shown.setdefault(name.lower(), name)
    out: list[tuple[str | None, Outcome]] = []
    for key, hosts in sorted(hosts_by_name.items()):
        name = shown[key]
        if len(hosts) >= p["min_hosts"]:
            item = T(f"ローカル管理者「{name}」が {len(hosts)} 台で有効: {', '.join(sorted(hosts))}",
                     f"local admin \"{name}\" is enabled on {len(hosts)} hosts: {', '.join(sorted(hosts))}")
            out.append((None, failed([item], accounts=[name], hosts=sorted(hosts))))
    return out


@fleet("rdp_everywhere")
def rdp_everywhere(bundles: list[Bundle], p: dict[str, Any], ctx: Context) -> list[tuple[str | None, Outcome]]:
    known = {}
    for b in bundles:
        try:
            known[b.host] = rdp_state(b)["enabled"]
        except NotCollected:
            continue
    on = sorted(h for h, e in known.items() if e)
    if len(known) >= p["min_hosts"] and len(on) / len(known) >= p["min_share"]:
        item = T(f"{len(known)} 台中 {len(on)} 台で RDP が有効: {', '.join(on)}",
                 f"RDP is on for {len(on)} of {len(known)} hosts: {', '.join(on)}")
        return [(None, failed([item], hosts=on))]
    if len(known) >= p["min_hosts"]:
        return [(None, passed(T(f"RDP 有効は {len(known)} 台中 {len(on)} 台",
                                f"RDP on for {len(on)} of {len(known)} hosts")))]
    return []


@fleet("hosts_missing")
def hosts_missing(bundles: list[Bundle], p: dict[str, Any], ctx: Context) -> list[tuple[str | None, Outcome]]:
    if not ctx.inventory:
        return []
    have = {b.host.upper() for b in bundles}
    out: list[tuple[str | None, Outcome]] = []
    for host in ctx.inventory:
        if host.upper() not in have:
            out.append((host.upper(), failed([T(f"{host} の束がない（点検されていない）",
                                                f"no bundle for {host} (not audited)")])))
    return out


@fleet("hosts_unlisted")
def hosts_unlisted(bundles: list[Bundle], p: dict[str, Any], ctx: Context) -> list[tuple[str | None, Outcome]]:
    if not ctx.inventory:
        return []
    listed = {h.upper() for h in ctx.inventory}
    return [(b.host, failed([T(f"{b.host} はホスト一覧にない", f"{b.host} is not in the host list")]))
            for b in bundles if b.host.upper() not in listed]
