"""plan.json: the machine-readable plan of one host (every step with its old and new value; no secret)."""
from __future__ import annotations

from typing import Any

from .gpo import show
from .model import ABSENT, UNKNOWN
from .plan import HostPlan, Step

FORMAT = "wardwatch-fix-plan/1"


def state(value: Any) -> dict[str, Any]:
    if value is UNKNOWN:
        return {"state": "unknown"}
    if value is ABSENT:
        return {"state": "absent"}
    return {"state": "value", "value": value if isinstance(value, (int, str, bool, list, dict)) else str(value)}


def step_dict(s: Step) -> dict[str, Any]:
    old = state(s.old)
    if s.secret and old["state"] == "value":
        old = {"state": "present"}  # never a secret's value
    return {"change": s.change, "kind": s.kind, "key": list(s.key), "target": s.target, "old": old, "new": state(s.new),
            "reg_type": s.reg_type, "secret": s.secret, "shown": show(s.new)}


def plan_dict(plan: HostPlan, files: list[str]) -> dict[str, Any]:
    return {"format": FORMAT, "host": plan.host, "domain": plan.domain, "rdp_port": plan.port,
            "failing_checks": sorted(f"audit.{c}" for c in plan.failing),
            "changes": [{"id": c.id, "fixes": [f"audit.{x}" for x in plan.fixes(c)], "kind": c.kind, "seed": c.seed}
                        for c in plan.changes],
            "not_fixed": [f"audit.{c}" for c in plan.not_fixed],
            "steps": [step_dict(s) for s in plan.steps],
            "notes": [{"ja": n.ja, "en": n.en} for n in plan.notes],
            "failing_accounts": plan.failing_accounts,
            "predicted_after": {f"audit.{k}": v for k, v in plan.predicted.items()},
            "files": files}
