"""Indicators from one hospital's findings (attacking addresses, guessed accounts, supplier logons, tools): the rows
the cross-hospital checks compare. What counts as internal or generic is data (indicators.yml)."""
from __future__ import annotations

import ipaddress
from functools import cache
from importlib import resources
from typing import Any

from .. import useryaml
from ..checks.phase import Phase
from ..checks.spec import has_tag
from ..model import Finding

INDICATOR_COLUMNS = ("hospital", "kind", "value", "rule", "first_seen", "last_seen", "n")


@cache
def _data() -> dict[str, Any]:
    raw = useryaml.load((resources.files("wardwatch.isac") / "indicators.yml").read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


@cache
def _internal() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(str(n)) for n in _data()["internal_ranges"])


def generic_account(name: str) -> bool:
    """A built-in or common account name (Administrator, sa, admin, ...): the same at every hospital by design."""
    return name.strip().lower() in {str(a).lower() for a in _data()["generic_accounts"]}


def external_address(value: str) -> bool:
    """An address outside every hospital's own ranges: the same one seen at two hospitals is the same machine."""
    try:
        ip = ipaddress.ip_address(value.strip().split("%")[0])
    except ValueError:
        return False
    return not any(ip in net for net in _internal()) and not ip.is_unspecified and not ip.is_multicast


def _values(f: Finding) -> dict[str, list[str]]:
    """The indicator values of one finding, by kind."""
    phase = Phase.parse(f.phase) if f.phase in {p.value for p in Phase} else Phase.OTHER
    out: dict[str, list[str]] = {}
    if phase == Phase.GUESSING:
        out["attacker-source"] = [s for s in f.sources if external_address(s)]
        out["guessed-account"] = [a for a in f.accounts if a and not generic_account(a)]
    if phase == Phase.ACCESS or has_tag(f.rule, "rdp-in"):
        out["supplier-source"] = [s for s in f.sources if external_address(s)]
        out["supplier-account"] = [a for a in f.accounts if a and not generic_account(a)]
    tools = f.facts.get("tools") or []
    hashes = f.facts.get("hashes") or []
    out["tool"] = [str(t) for t in tools] + [str(h).lower() for h in hashes]
    return out


def indicator_rows(hospital: str, findings: list[Finding]) -> list[dict[str, Any]]:
    """One row per (kind, value, rule) of a hospital's findings, with the first and last time and the count."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for f in findings:
        for kind, values in _values(f).items():
            for value in dict.fromkeys(v.strip() for v in values if v and v.strip()):
                key = (kind, value.lower() if kind.endswith("account") else value, f.rule)  # names: any case
                row = rows.setdefault(key, {"hospital": hospital, "kind": kind, "value": key[1], "rule": f.rule,
                                            "first_seen": f.first_seen, "last_seen": f.last_seen, "n": 0,
                                            "accounts": []})
                row["n"] += f.count
                if kind == "attacker-source":  # the built-in names it targeted (shared; other names never are)
                    row["accounts"] = sorted(set(row["accounts"]) | {a for a in f.accounts if generic_account(a)})
                if f.first_seen and (row["first_seen"] is None or f.first_seen < row["first_seen"]):
                    row["first_seen"] = f.first_seen
                if f.last_seen and (row["last_seen"] is None or f.last_seen > row["last_seen"]):
                    row["last_seen"] = f.last_seen
    return list(rows.values())
