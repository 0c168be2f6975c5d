"""plan.html: the offline plan page a person reads before applying (every change per host, Japanese first)."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from ..checks.factspec import fact
from ..report.render import render_page
from .gpo import gpo_rows, show
from .model import ABSENT, UNKNOWN
from .plan import HostPlan, Step

L = {
    "ja": {"title": "WardWatch 修正プラン", "generated": "作成日時", "hosts": "ホスト", "inputs": "元にした点検結果",
           "how": "使い方", "how_steps": [
               "このページと各ホストのファイルを読み、リスクと調整事項を確認する（WardWatch 自身は何も変更しません）。",
               "対象のホストで管理者の PowerShell から .\\apply.ps1 を実行する（既定は WhatIf: 現在の値を保存し、何をするか表示するだけ）。",
               "内容を確認してから .\\apply.ps1 -Apply で変更する。変更前の値は backup-日時 フォルダーに保存され、undo.ps1 も置かれます。",
               "元に戻すには backup-日時\\undo.ps1 -Apply。",
               "ドメインでは、同じ設定をグループ ポリシーで配布する（下の GPO の表、gpo.csv）。AD のない PC は secpol.inf を secedit /configure で取り込む（000 Q&A 6, 8）。"],
           "change": "変更", "fixes": "直す点検項目", "now": "現在", "new": "変更後", "lesson": "研修の教訓", "seed": "出典",
           "risk": "リスク", "undo": "戻し方", "gpo": "GPO", "notes": "先に調整すること", "not_fixed": "このプランでは直さない項目（人の判断が必要）",
           "predicted": "モデルで適用した後の点検結果", "files": "ファイル", "empty": "変更はありません（直せる不合格の点検項目がない）。",
           "gpo_table": "ドメインの場合: グループポリシーの管理での設定", "gpo_hosts": "対象", "value": "値",
           "unknown": "不明（束なし）", "absent": "なし", "member": "所属", "domain": "ドメイン参加", "workgroup": "ワークグループ",
           "port": "新しい RDP ポート", "fix_cmd": "点検の推奨", "yes": "はい", "no": "いいえ", "pass": "合格", "fail": "不合格"},
    "en": {"title": "WardWatch fix plan", "generated": "Generated", "hosts": "Hosts", "inputs": "Audit results used",
           "how": "How to use it", "how_steps": [
               "Read this page and each host's files; check the risks and what to coordinate (WardWatch changes nothing itself).",
               "On the host, run .\\apply.ps1 from an administrator PowerShell (default WhatIf: it saves the current values and shows what it would do).",
               "After review, run .\\apply.ps1 -Apply. The old values are saved in a backup-<time> folder, with undo.ps1.",
               "To go back: backup-<time>\\undo.ps1 -Apply.",
               "In a domain, deploy the same settings by Group Policy (the GPO table below, gpo.csv); PCs without AD import secpol.inf with secedit /configure (000 Q&A 6, 8)."],
           "change": "Change", "fixes": "Fixes", "now": "Now", "new": "After", "lesson": "Training lesson", "seed": "Source",
           "risk": "Risk", "undo": "Undo", "gpo": "GPO", "notes": "Coordinate first", "not_fixed": "Not in this plan (needs a person's decision)",
           "predicted": "Audit result after the plan (model)", "files": "Files", "empty": "No change (no failing check this plan can fix).",
           "gpo_table": "In a domain: the settings in Group Policy Management", "gpo_hosts": "Hosts", "value": "Value",
           "unknown": "unknown (no bundle)", "absent": "none", "member": "Membership", "domain": "Domain member", "workgroup": "Workgroup",
           "port": "New RDP port", "fix_cmd": "The check's advice", "yes": "yes", "no": "no", "pass": "pass", "fail": "fail"},
}


_RETENTION = {"ja": {True: "上書きしない（満杯で記録停止）", False: "必要に応じて上書き"},
              "en": {True: "do not overwrite (stops when full)", False: "overwrite as needed"}}


def _shown(s: Step, value: Any, lang: str) -> str:
    """A value as a person reads it: sizes in KB, retention in words, absent and unknown named."""
    if value is UNKNOWN:
        return L[lang]["unknown"]
    if value is ABSENT:
        return L[lang]["absent"]
    if s.kind == "eventlog" and s.key[2] == "max_size" and isinstance(value, int):
        return f"{value // 1024:,} KB"
    if s.kind == "eventlog" and isinstance(value, bool):
        return _RETENTION[lang][value]
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
    t = L[lang]
    changes = []
    for c in plan.changes:
        steps = [s for s in plan.steps if s.change == c.id]
        changes.append({
            "id": c.id, "title": _fill(c.title.get(lang), plan),
            "fixes": [{"rule": f"audit.{x}", "title": _check_title(plan, x, lang)} for x in plan.fixes(c)],
            "steps": [{"target": s.target, "now": _shown(s, s.old, lang), "new": _shown(s, s.new, lang)} for s in steps],
            "lesson": c.lesson.get(lang), "seed": c.seed, "risk": _fill(c.risk.get(lang), plan),
            "undo": c.undo.get(lang), "gpo": c.gpo.get(lang)})
    not_fixed = [{"rule": f"audit.{c}", "title": _check_title(plan, c, lang),
                  "advice": str(fact(plan.failing[c], "fix_command") or "")} for c in plan.not_fixed]
    domain = None if plan.domain is None else (t["domain"] if plan.domain else t["workgroup"])
    return {"host": plan.host, "changes": changes, "not_fixed": not_fixed, "notes": [n.get(lang) for n in plan.notes],
            "predicted": [{"rule": f"audit.{k}", "status": v} for k, v in plan.predicted.items()], "files": files,
            "domain": domain, "port": plan.port}


def render_plan_html(plans: list[HostPlan], files: dict[str, list[str]], inputs: list[str], lang: str,
                     generated: datetime) -> str:
    return render_page(
        "plan.html.j2",
        lang=lang, L=L[lang], generated=generated.strftime("%Y-%m-%d %H:%M %Z").strip(), inputs=inputs,
        hosts=[host_view(p, files.get(p.host, []), lang) for p in plans],
        gpo=[{**r, "gpo": r["gpo_en"] if lang == "en" else r["gpo_ja"]} for r in gpo_rows(plans)])
