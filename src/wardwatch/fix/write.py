"""Writing a plan folder: per host secpol.inf, auditpol.csv, .reg files, apply.ps1, undo.ps1, plan.json;
plan.html and gpo.csv for all hosts. Nothing is applied; no secret is written."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from ..model import ReadProblem
from .auditpol import render_auditpol
from .gpo import render_gpo_csv
from .html import render_plan_html
from .inf import encode_inf, render_inf
from .plan import HostPlan, audit_failures, build_host, inventory_vendors, load_bundles, scan_accounts
from .planjson import plan_dict
from .ps1 import encode_ps1, render_apply, render_undo
from .regfile import encode_reg, reg_files

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class PlanResult:
    plans: list[HostPlan]
    files: dict[str, list[str]]  # host -> file names in its folder
    problems: list[ReadProblem] = field(default_factory=list)


def host_dir(host: str) -> str:
    name = _SAFE.sub("_", host).strip(".") or "_"
    return name


def host_files(plan: HostPlan) -> dict[str, bytes]:
    """Every file of one host's folder, by name."""
    out: dict[str, bytes] = {}
    if plan.empty:
        return out
    inf = render_inf(plan)
    if inf:
        out["secpol.inf"] = encode_inf(inf)
    audit = render_auditpol(plan)
    if audit:
        out["auditpol.csv"] = audit.encode("ascii")
    for name, text in reg_files(plan).items():
        out[name] = encode_reg(text)
    out["apply.ps1"] = encode_ps1(render_apply(plan))
    out["undo.ps1"] = encode_ps1(render_undo(plan))
    return out


def make_plans(findings: list[Path], bundles: Path | None = None, scans: list[Path] | None = None,
               inventory: Path | None = None, rdp_from: list[str] | None = None) -> tuple[list[HostPlan], list[ReadProblem]]:
    failures = audit_failures(findings)
    problems: list[ReadProblem] = []
    by_host = load_bundles(bundles, problems)
    accounts = scan_accounts(scans or [])
    vendors = inventory_vendors(inventory)
    plans = [build_host(h, failures[h], by_host.get(h), accounts.get(h, []) + [a for a in accounts.get("*", [])
                                                                              if a not in accounts.get(h, [])],
                        vendors.get(h) or vendors.get("*"), rdp_from) for h in sorted(failures)]
    return plans, problems


def write_plan(out: Path, findings: list[Path], bundles: Path | None = None, scans: list[Path] | None = None,
               inventory: Path | None = None, lang: str = "ja", rdp_from: list[str] | None = None,
               tz: str = "Asia/Tokyo") -> PlanResult:
    plans, problems = make_plans(findings, bundles, scans, inventory, rdp_from)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {}
    for plan in plans:
        folder = out / host_dir(plan.host)
        folder.mkdir(exist_ok=True)
        contents = host_files(plan)
        names = sorted(contents) + ["plan.json"]
        for name, data in contents.items():
            (folder / name).write_bytes(data)
        (folder / "plan.json").write_bytes(orjson.dumps(plan_dict(plan, names), option=orjson.OPT_INDENT_2))
        files[plan.host] = names
    (out / "gpo.csv").write_bytes(render_gpo_csv(plans))
    html = render_plan_html(plans, files, [str(p) for p in findings], lang, datetime.now(UTC), tz)
    (out / "plan.html").write_text(html, encoding="utf-8")
    return PlanResult(plans, files, problems)
