"""Building the plan: failing audit checks (findings.json) -> per host, the concrete setting changes (Steps)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..audit.parsers import as_bool, as_int, as_list
from ..checks.factspec import fact
from ..model import ReadProblem, Text
from . import model
from .catalog import ChangeSpec, load_catalog
from .model import ABSENT, UNKNOWN

FIREWALL_RULE = "WardWatch-RDP-In-TCP"
RDP_RULE = "RemoteDesktop-UserMode-In-TCP"
# scan rules whose accounts keep failing to log on (a stale password or an attack): named before lockout
FAILING_RULES = ("brute-force", "chronic-failures", "password-spray", "breach-after-guessing")
_MS = re.compile(r'wevtutil sl "([^"]+)" /ms:(\d+)')
_RT = re.compile(r'wevtutil sl "([^"]+)" /rt:false')
_GUID = re.compile(r"\{[0-9A-Fa-f-]{36}\}")


class PlanInputError(ValueError):
    """A findings.json (or scan findings.json) that cannot be used; the message names the file."""


@dataclass
class Step:
    """One value set (or deleted) on one host."""

    change: str  # ChangeSpec id
    kind: str  # inf | auditpol | reg | eventlog | feature | firewall (a new rule) | scope (rules' remote addresses)
    key: tuple[str, ...]  # the model's target (see model.read / model.write)
    new: Any  # ABSENT: delete
    old: Any = UNKNOWN
    reg_type: str = ""
    secret: bool = False

    @property
    def target(self) -> str:
        """What the step sets, as the plan names it for a person (TARGETS, by the key's kind)."""
        k = list(self.key)
        if k[0] == "reg":
            k[1] = k[1].replace("HKEY_LOCAL_MACHINE", "HKLM")
        if k[0] == "eventlog":
            k[2] = "maxSize" if k[2] == "max_size" else "retention"
        return TARGETS.get(k[0], TARGETS["firewall"]).format(*k)


# How a step's target is named, by the kind of its model key ({1}, {2}: the key's parts).
TARGETS = {
    "inf": "secpol.inf [{1}] {2}", "auditpol": "auditpol {2} {1}", "reg": "{1}\\{2}", "eventlog": "wevtutil {1} {2}",
    "feature": "Windows feature {1}", "scope": "firewall rules of group {1} and {2}: remote addresses",
    "firewall": "firewall rule {1}",
}


@dataclass
class HostPlan:
    """Every change for one host, the checks they fix, and what a person must coordinate first."""

    host: str
    failing: dict[str, dict[str, Any]]  # check name -> the finding (as in findings.json)
    changes: list[ChangeSpec] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    not_fixed: list[str] = field(default_factory=list)  # failing checks no change of the catalog covers
    port: int | None = None
    domain: bool | None = None
    failing_accounts: list[str] = field(default_factory=list)
    vendors: list[str] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    rdp_from: list[str] = field(default_factory=list)  # --rdp-from: the sources RDP is limited to
    predicted: dict[str, str] = field(default_factory=dict)  # audit rule -> status after the plan (model)
    bundle: Any = None  # the host's bundle when --bundles was given

    def steps_of(self, kind: str) -> list[Step]:
        return [s for s in self.steps if s.kind == kind]

    def fixes(self, change: ChangeSpec) -> list[str]:
        return [c for c in change.fixes if c in self.failing]

    @property
    def empty(self) -> bool:
        return not self.steps


def rdp_port(host: str) -> int:
    """A port between 49152 and 65535, different per host and the same on every run (seed 002, 000 Q&A 28)."""
    return 49152 + int(hashlib.sha256(host.upper().encode()).hexdigest(), 16) % 16384


def _load(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise PlanInputError(f"{path}: not a readable findings.json ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise PlanInputError(f"{path}: not a WardWatch findings.json (no findings list)")
    return data


def audit_failures(paths: list[Path]) -> dict[str, dict[str, dict[str, Any]]]:
    """host -> failing audit check name -> finding; hosts of the audit table with nothing failing are kept (empty)."""
    hosts: dict[str, dict[str, dict[str, Any]]] = {}
    for path in paths:
        data = _load(path)
        audit = data.get("audit")
        for h in (audit.get("hosts") if isinstance(audit, dict) else None) or []:
            if isinstance(h, dict) and h.get("host"):
                hosts.setdefault(str(h["host"]).upper(), {})
        for f in data["findings"]:
            rule = str(f.get("rule", "")) if isinstance(f, dict) else ""
            if not rule.startswith("audit.") or not f.get("host") or rule == "audit.not-collected":
                continue
            hosts.setdefault(str(f["host"]).upper(), {})[rule.removeprefix("audit.")] = f
        if not audit and not any(str(f.get("rule", "")).startswith("audit.") for f in data["findings"] if isinstance(f, dict)):
            raise PlanInputError(f"{path}: holds no audit results (give the findings.json of `wardwatch audit`)")
    return hosts


def scan_accounts(paths: list[Path]) -> dict[str, list[str]]:
    """host -> accounts the scan saw failing to log on (host '*' for findings without one)."""
    out: dict[str, list[str]] = {}
    for path in paths:
        for f in _load(path)["findings"]:
            if not isinstance(f, dict):
                continue
            rule = str(f.get("rule", ""))
            if not any(rule == r or rule.endswith("." + r) or rule.endswith("/" + r) for r in FAILING_RULES):
                continue
            names = out.setdefault(str(f.get("host") or "*").upper(), [])
            for a in f.get("accounts") or []:
                if str(a) and str(a) not in names:
                    names.append(str(a))
    return out


def inventory_vendors(path: Path | None) -> dict[str, list[str]]:
    """host -> vendors with a remote maintenance path to it (inventory remote_access, device = host);
    '*' -> every vendor path of the inventory (shown where none names the host: a person checks which apply)."""
    if path is None:
        return {}
    from ..hospital.inventory import load_inventory

    inv = load_inventory(path)
    out: dict[str, list[str]] = {}
    for ra in inv.data.get("remote_access") or []:
        label = f"{ra['vendor']}（{', '.join(ra.get('sources') or []) or '接続元未登録 / sources not listed'}）"
        out.setdefault(str(ra["device"]).upper(), []).append(label)
        out.setdefault("*", []).append(f"{label} → {ra['device']}")
    return out


def _logs(finding: dict[str, Any], pattern: re.Pattern[str]) -> list[re.Match[str]]:
    return list(pattern.finditer(str(fact(finding, "fix_command", ""))))


def _steps(change: ChangeSpec, plan: HostPlan) -> list[Step]:
    b = plan.bundle
    steps: list[Step] = []
    if change.kind == "inf":
        steps = [Step(change.id, "inf", ("inf", change.section, k), v) for k, v in change.values.items()]
    elif change.kind == "auditpol":
        failing = {g.upper() for g in _GUID.findall(str(fact(plan.failing["audit-logon"], "fix_command", "")))}
        for sub in change.subcategories:
            if not failing or sub["guid"].upper() in failing:
                steps.append(Step(change.id, "auditpol", ("auditpol", sub["guid"].upper(), sub["name"]), int(sub["value"])))
        steps += [Step(change.id, "inf", ("inf", "Registry Values", k), v) for k, v in change.inf_registry.items()]
    elif change.kind == "eventlog":
        finding = next(plan.failing[c] for c in change.fixes if c in plan.failing)
        if change.setting == "max_size":
            steps = [Step(change.id, "eventlog", ("eventlog", m.group(1), "max_size"), _whole_64k(int(m.group(2))))
                     for m in _logs(finding, _MS)]
        else:
            steps = [Step(change.id, "eventlog", ("eventlog", m.group(1), "retention"), False) for m in _logs(finding, _RT)]
    elif change.kind == "reg":
        for v in change.reg:
            new: Any = ABSENT if v.delete else v.value
            if isinstance(new, str) and "{port}" in new:
                plan.port = plan.port or rdp_port(plan.host)
                new = new.replace("{port}", str(plan.port))
            if new is not ABSENT and v.type == "dword":
                new = int(new)
            steps.append(Step(change.id, "reg", ("reg", v.key, v.name), new, reg_type=v.type, secret=v.secret))
        if change.firewall and plan.port:
            scope = ["Any"]
            rdp = model._part(b, "rdp") if b is not None else None
            if isinstance(rdp, dict):
                for r in as_list(rdp.get("firewall_rules")):
                    if isinstance(r, dict) and r.get("name") == RDP_RULE:
                        scope = [str(a) for a in as_list(r.get("remote_address"))] or ["Any"]
            steps.append(Step(change.id, "firewall", ("firewall", FIREWALL_RULE),
                              {"name": FIREWALL_RULE, "display_name": f"WardWatch RDP {plan.port} (TCP-In)",
                               "protocol": "TCP", "local_port": [str(plan.port)], "remote_address": scope,
                               "profile": "Any"}))
        if change.feature:
            steps.append(Step(change.id, "feature", ("feature", change.feature), "Disabled"))
    elif change.kind == "firewall" and plan.rdp_from and not _profile_off(plan):
        steps = [Step(change.id, "scope", ("scope", change.group, FIREWALL_RULE), list(plan.rdp_from))]
    for s in steps:
        s.old = model.read(b, s.key)
    if change.kind == "inf" and change.keep_better:
        steps = [s for s in steps if not _stricter(s.old, s.new, change.keep_better.get(s.key[2], ""))]
        _lockout_order(steps, b)
    return steps


def _whole_64k(size: int) -> int:
    """Event log sizes are whole 64 KB blocks (Event Viewer rounds them): round up, never below the recommendation."""
    return -(-size // 65536) * 65536


def _stricter(old: Any, new: Any, better: str) -> bool:
    """The current value is at least as strict as the plan's: keep it (the plan never loosens a setting)."""
    now = as_int(old) if old not in (UNKNOWN, ABSENT) else None
    if now is None or not better:
        return False
    if better == "lower":
        return 0 < now <= int(new)
    return now == -1 or now >= int(new)  # -1: locked until an administrator unlocks (the strictest)


def _lockout_order(steps: list[Step], bundle: Any) -> None:
    """Windows refuses a counter reset longer than the lockout duration: raise the duration to the reset if needed."""
    final = {k: as_int(model.read(bundle, ("inf", "System Access", k))) for k in ("ResetLockoutCount", "LockoutDuration")}
    final.update({s.key[2]: int(s.new) for s in steps if s.key[2] in final})
    reset, duration = final["ResetLockoutCount"], final["LockoutDuration"]
    if reset is not None and duration is not None and duration != -1 and reset > duration:
        step = next((s for s in steps if s.key[2] == "LockoutDuration"), None)
        if step is not None:
            step.new = reset


def _profile_off(plan: HostPlan) -> bool:
    """A firewall profile is off: limiting rules does not help, and the plan never turns a firewall on by itself."""
    rdp = model._part(plan.bundle, "rdp") if plan.bundle is not None else None
    if isinstance(rdp, dict):
        return any(isinstance(p, dict) and as_bool(p.get("enabled")) is False
                   for p in as_list(rdp.get("firewall_profiles")))
    finding = plan.failing.get("rdp-any-source") or {}
    return int(finding.get("count") or 0) > len(fact(finding, "rules") or [])


def build_host(host: str, failing: dict[str, dict[str, Any]], bundle: Any = None,
               accounts: list[str] | None = None, vendors: list[str] | None = None,
               rdp_from: list[str] | None = None) -> HostPlan:
    """The plan of one host: every catalog change whose checks fail there, in the catalog's order."""
    catalog, notes = load_catalog()
    plan = HostPlan(host.upper(), failing, bundle=bundle, failing_accounts=list(accounts or []), vendors=list(vendors or []),
                    rdp_from=list(rdp_from or []))
    for change in catalog.values():
        if not any(c in failing for c in change.fixes):
            continue
        steps = _steps(change, plan)
        if not steps:
            continue
        plan.changes.append(change)
        plan.steps.extend(steps)
    if bundle is not None:
        system = model._part(bundle, "system")
        if isinstance(system, dict) and system.get("part_of_domain") is not None:
            plan.domain = bool(system.get("part_of_domain"))
    covered = {c for ch in plan.changes for c in ch.fixes}
    plan.not_fixed = sorted(c for c in failing if c not in covered)
    ids = {c.id for c in plan.changes}
    coords = {c.coordinate for c in plan.changes if c.coordinate}
    if "lockout" in coords:
        names = ", ".join(plan.failing_accounts)
        plan.notes.append(Text(notes["lockout"].ja.replace("{accounts}", names), notes["lockout"].en.replace("{accounts}", names))
                          if plan.failing_accounts else notes["lockout-none"])
    if ids & {"account-lockout", "password-length"} and plan.domain is not False:
        plan.notes.append(notes["domain-account-policy"])
    if "rdp-port" in coords:
        v = ("事業者 / vendors: " + "; ".join(plan.vendors)) if plan.vendors else ""
        plan.notes.append(Text(notes["rdp-port"].ja.replace("{vendors}", v), notes["rdp-port"].en.replace("{vendors}", v)))
    if "rdp-scope" in coords:
        plan.notes.append(notes["rdp-scope"])
    elif "rdp-any-source" in failing:
        plan.notes.append(notes["rdp-scope-missing"])
    if "builtin-admin" in coords:
        plan.notes.append(notes["builtin-admin"])
    if bundle is not None and plan.steps:
        plan.predicted = predict(plan)
    return plan


def apply_steps(bundle: Any, steps: list[Step]) -> None:
    for s in steps:
        model.write(bundle, s.key, s.new)


def undo_steps(bundle: Any, steps: list[Step]) -> list[Step]:
    """Put every old value back (in reverse order); returns the steps that cannot be undone (secret, unknown)."""
    left = []
    for s in reversed(steps):
        if s.secret or s.old is UNKNOWN:
            left.append(s)
            continue
        model.write(bundle, s.key, s.old)
    return left


def audit_statuses(bundle: Any) -> dict[str, str]:
    """Each host check's status on a bundle (the audit's own evaluators, default settings)."""
    from ..audit.bundle import NotCollected
    from ..audit.checkdefs import load_checks
    from ..audit.outcome import NOT_COLLECTED, Context
    from ..audit.registry import HOST, load_all

    load_all()
    out: dict[str, str] = {}
    for check in load_checks():
        if check.scope != "host":
            continue
        try:
            out[check.name] = HOST[check.check](bundle, check.params, Context()).status
        except NotCollected:
            out[check.name] = NOT_COLLECTED
    return out


def predict(plan: HostPlan) -> dict[str, str]:
    """The statuses of the checks the plan claims to fix, on a copy of the bundle with the plan applied."""
    copy_ = model.clone(plan.bundle)
    apply_steps(copy_, plan.steps)
    statuses = audit_statuses(copy_)
    return {c: statuses.get(c, "?") for ch in plan.changes for c in plan.fixes(ch)}


def load_bundles(folder: Path | None, problems: list[ReadProblem]) -> dict[str, Any]:
    """host -> newest bundle under folder."""
    if folder is None:
        return {}
    from ..audit.bundle import discover, load_bundle
    from ..audit.run import latest_per_host

    latest, _ = latest_per_host([load_bundle(s) for s in discover([folder], problems)])
    return {b.host.upper(): b for b in latest}
