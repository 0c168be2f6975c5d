"""gpo.csv: the plan's settings for a domain, as グループポリシーの管理 / Group Policy Management paths and values."""
from __future__ import annotations

import csv
import io
from typing import Any

from .model import ABSENT
from .plan import HostPlan, Step

COLUMNS = ["change", "hosts", "value", "gpo_ja", "gpo_en"]


def show(value: Any) -> str:
    if value is ABSENT:
        return "(削除 / delete)"
    if isinstance(value, dict):
        return f"{value.get('display_name', '')}: TCP {', '.join(value.get('local_port', []))} from {', '.join(value.get('remote_address', []))}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def step_value(s: Step) -> str:
    if s.kind == "eventlog" and s.key[2] == "max_size":
        return f"{s.key[1]}: {int(s.new) // 1024:,} KB"
    if s.kind == "eventlog":
        return f"{s.key[1]}: overwrite as needed"
    return f"{s.target} = {show(s.new)}"


def gpo_rows(plans: list[HostPlan]) -> list[dict[str, str]]:
    """One row per change (and value), with the hosts that need it."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for plan in plans:
        specs = {c.id: c for c in plan.changes}
        for s in plan.steps:
            if s.kind in ("firewall",):
                value = "Inbound rule: TCP (RDP port), scope = RDP rule's sources"
            elif s.kind == "reg" and s.key[2] == "PortNumber":
                value = f"{s.target} = 49152-65535 (per host; {plan.host}: {s.new})"
            else:
                value = step_value(s)
            row = rows.setdefault((s.change, value), {"change": s.change, "hosts": [], "value": value,
                                                      "gpo_ja": specs[s.change].gpo.ja, "gpo_en": specs[s.change].gpo.en})
            if plan.host not in row["hosts"]:
                row["hosts"].append(plan.host)
    return [{**r, "hosts": " ".join(r["hosts"])} for r in rows.values()]


def render_gpo_csv(plans: list[HostPlan]) -> bytes:
    """UTF-8 with BOM (Excel opens it in Japanese without mojibake)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, lineterminator="\r\n")
    w.writeheader()
    w.writerows(gpo_rows(plans))
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
