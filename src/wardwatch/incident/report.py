"""The case report page: journal and scan findings on one timeline, evidence with hashes, contacts, open steps."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..report.labels import severity_label
from ..report.messages import messages
from ..report.render import render_page
from ..textfmt import format_time


def timeline(data: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Journal entries and the scans' top findings and incidents, in time order."""
    rows: list[dict[str, Any]] = []
    questions = {s["id"]: s["question"] for s in data["steps"]}
    for e in data["journal"]:
        if e["kind"] == "answer":
            what = f"{questions.get(e['step'], e['step'])} → {e['data'].get('answer')}"
            if e["data"].get("note"):
                what += f"（{e['data']['note']}）"
        elif e["kind"] == "evidence":
            what = f"{e['data'].get('file')} ({e['data'].get('sha256', '')[:16]}…)"
        elif e["kind"] == "scan":
            what = f"{e['data'].get('file')}: {e['data'].get('verdict') or ''}"
        else:
            what = str(e["data"].get("text") or e["data"].get("title") or "")
        rows.append({"time": e["time"], "kind": e["kind"], "by": e["by"], "what": what, "severity": ""})
    for s in data["scans"]:
        for f in s.get("top", []):
            if f.get("first_seen"):
                rows.append({"time": f["first_seen"], "kind": "detection", "by": "WardWatch",
                             "what": _with_host(f),
                             "severity": f.get("severity") or ""})
    return sorted(rows, key=lambda r: str(r["time"]))


def _with_host(f: dict[str, Any]) -> str:
    text = str(f.get("summary") or f.get("title") or "")
    host = str(f.get("host") or "")
    return text if not host or host in text else f"{host}: {text}"


def _when(tz: str) -> Any:
    """ISO times of the journal and the scans shown as people read them (2026-12-05 18:19:09 JST)."""
    def show(value: Any) -> str:
        try:
            return format_time(datetime.fromisoformat(str(value)), tz)
        except (TypeError, ValueError):
            return str(value or "")
    return show


def write_html(data: dict[str, Any], path: Path, lang: str) -> None:
    html = render_page("incident.html.j2", when=_when(str(data["case"].get("timezone", "Asia/Tokyo"))),
                       sev=lambda s: severity_label(s, lang) if s else "", d=data,
                       t=messages(lang, "incident"), lang=lang, rows=timeline(data, lang))
    path.write_text(html, encoding="utf-8")
