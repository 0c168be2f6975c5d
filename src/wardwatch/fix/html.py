"""plan.html: the offline plan page a person reads before applying (every change per host, Japanese first)."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from ..checks.factspec import fact
from ..report.messages import lines, message, messages
from ..report.page import run_date
from ..report.render import render_page
from ..textfmt import as_named
from .gpo import gpo_rows, show
from .model import ABSENT, UNKNOWN
from .plan import HostPlan, Step


def labels(lang: str) -> dict[str, Any]:
    """The page's labels (the catalog's `fix.` messages), the steps of how to use it as a list."""
    return {**messages(lang, "fix"), "how_steps": lines("fix.how_steps", lang)}


def _shown(s: Step, value: Any, lang: str) -> str:
    """A value as a person reads it: sizes in KB, retention in words, absent and unknown named."""
    if value is UNKNOWN:
        return message("fix.unknown", lang)
    if value is ABSENT:
        return message("fix.absent", lang)
    if s.kind == "eventlog" and s.key[2] == "max_size" and isinstance(value, int):
        return f"{value // 1024:,} KB"
    if s.kind == "eventlog" and isinstance(value, bool):
        return message("fix.no_overwrite" if value else "fix.overwrite", lang)
    return show(value)


def _fill(text: str, plan: HostPlan) -> str:
    return text.replace("{port}", str(plan.port or "")).replace("{sources}", ", ".join(plan.rdp_from))


@lru_cache(maxsize=1)
def _titles() -> dict[str, Any]:
    from ..audit.checkdefs import load_checks

    return {c.name: c.title for c in load_checks()}


def _check_title(plan: HostPlan, name: str, lang: str) -> str:
    """The check's title in the page's language (checks.yml), else the one the audit wrote."""
    titles = _titles()
    return titles[name].get(lang) if name in titles else str(plan.failing[name].get("title") or "")


def host_view(plan: HostPlan, files: list[str], lang: str) -> dict[str, Any]:
    changes = []
    for c in plan.changes:
        steps = [s for s in plan.steps if s.change == c.id]
        changes.append({
            "id": c.id, "title": _fill(c.title.get(lang), plan),
            "fixes": [{"rule": f"audit.{x}", "title": _check_title(plan, x, lang)} for x in plan.fixes(c)],
            "steps": [{"target": s.target, "now": _shown(s, s.old, lang), "new": _shown(s, s.new, lang)}
                      for s in steps],
            "lesson": c.lesson.get(lang), "seed": c.seed, "risk": _fill(c.risk.get(lang), plan),
            "undo": c.undo.get(lang), "gpo": c.gpo.get(lang)})
    not_fixed = [{"rule": f"audit.{c}", "title": _check_title(plan, c, lang),
                  "advice": str(fact(plan.failing[c], "fix_command") or "")} for c in plan.not_fixed]
    domain = None if plan.domain is None else message("fix.domain" if plan.domain else "fix.workgroup", lang)
    return {"host": plan.host, "changes": changes, "not_fixed": not_fixed, "notes": [n.get(lang) for n in plan.notes],
            "predicted": [{"rule": f"audit.{k}", "status": v} for k, v in plan.predicted.items()], "files": files,
            "domain": domain, "port": plan.port}


def render_plan_html(plans: list[HostPlan], files: dict[str, list[str]], inputs: list[str], lang: str,
                     generated: datetime, tz: str = "Asia/Tokyo") -> str:
    """The page: generated in the run's time zone; inputs as the person named them (textfmt.as_named)."""
    return render_page(
        "plan.html.j2",
        lang=lang, L=labels(lang), generated=run_date(generated, tz), inputs=[as_named(i) for i in inputs],
        hosts=[host_view(p, files.get(p.host, []), lang) for p in plans],
        gpo=[{**r, "gpo": r["gpo_en"] if lang == "en" else r["gpo_ja"]} for r in gpo_rows(plans)])
