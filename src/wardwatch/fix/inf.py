"""secpol.inf: the security-policy part of a plan as a secedit INF (UTF-16LE, as secedit writes and reads it)."""
from __future__ import annotations

from .plan import HostPlan

ORDER = ["System Access", "Event Audit", "Registry Values"]


def render_inf(plan: HostPlan) -> str | None:
    """The INF text, or None when the plan changes no security policy."""
    steps = plan.steps_of("inf")
    if not steps:
        return None
    sections: dict[str, list[str]] = {}
    for s in steps:
        _, section, name = s.key
        line = f"{name}={s.new}" if section == "Registry Values" else f"{name} = {s.new}"
        sections.setdefault(section, []).append(line)
    lines = ["; WardWatch fix plan: " + plan.host,
             "; secedit /configure /db <backup>\\wardwatch.sdb /cfg secpol.inf /areas SECURITYPOLICY (apply.ps1 does this)",
             "[Unicode]", "Unicode=yes"]
    for section in sorted(sections, key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER)):
        lines.append(f"[{section}]")
        lines += sections[section]
    lines += ["[Version]", 'signature="$CHICAGO$"', "Revision=1"]
    return "\r\n".join(lines) + "\r\n"


def encode_inf(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")
