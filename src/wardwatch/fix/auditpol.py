"""auditpol.csv: the audit-policy part of a plan in `auditpol /backup` layout, keyed by subcategory GUID."""
from __future__ import annotations

from .plan import HostPlan

HEADER = "Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value"
LABEL = {0: "No Auditing", 1: "Success", 2: "Failure", 3: "Success and Failure"}


def render_auditpol(plan: HostPlan) -> str | None:
    """ASCII CSV (the GUID decides, the English name is for people), or None without audit-policy changes."""
    steps = plan.steps_of("auditpol")
    if not steps:
        return None
    rows = [HEADER] + [f"{plan.host},System,{s.key[2]},{s.key[1]},{LABEL[int(s.new)]},,{int(s.new)}" for s in steps]
    return "\r\n".join(rows) + "\r\n"
