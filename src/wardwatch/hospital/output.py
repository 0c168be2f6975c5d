"""Outputs: findings.json (scan's format), the flow-matrix SVG and the HTML pages (the .xlsx form: xlsxform.py)."""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

from markupsafe import Markup

from ..model import Finding, InputFile, Run
from ..report.jsonout import write_json
from ..report.labels import severity_label
from ..report.messages import message, messages
from ..report.render import render_page
from ..report.style import css_class
from .checklist import Filled
from .inventory import Inventory
from .netcheck import matrix

XLSX_HEADERS = ["番号", "確認項目", "対象機器", "確認結果", "日付", "目標日", "備考"]
COLOURS = {"none": "#f4f4f4", "ok": "#cfe8cf", "watched": "#ffe08a", "danger": "#f08080"}


def input_file(path: str) -> InputFile:
    """An InputFile record (path, SHA-256, size) for findings.json."""
    p = Path(path)
    data = p.read_bytes() if p.is_file() else b""
    return InputFile(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="yaml")


def write_findings(findings: list[Finding], inputs: list[str], out: Path, tz: str, lang: str) -> None:
    """findings.json in the same shape as `wardwatch scan` writes."""
    result = Run(generated_at=datetime.now(UTC), timezone=tz, lang=lang, inputs=[input_file(p) for p in inputs],
                 findings=findings, stats={"findings": len(findings)})
    write_json(result, out)


def matrix_svg(inv: Inventory) -> str:
    """The segment × segment matrix of allowed flows as inline SVG (rows: from, columns: to)."""
    names, cells = matrix(inv)
    cw, lw, hh = 110, 150, 40
    width, height = lw + cw * len(names) + 10, hh + 40 * len(names) + 10
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
              f'aria-label="segment flow matrix" font-size="11" font-family="sans-serif">')]
    for j, b in enumerate(names):
        parts.append(f'<text x="{lw + j * cw + cw / 2}" y="{hh - 10}" text-anchor="middle">→ {escape(b)}</text>')
    for i, a in enumerate(names):
        y = hh + i * 40
        parts.append(f'<text x="{lw - 6}" y="{y + 24}" text-anchor="end">{escape(a)}</text>')
        for j, b in enumerate(names):
            c = cells[(a, b)]
            fill = "#dddddd" if a == b else COLOURS[c.level]
            label = "—" if a == b else (" ".join(c.ports)[:18] or "")
            parts.append(f'<rect x="{lw + j * cw}" y="{y}" width="{cw - 2}" height="38" fill="{fill}" '
                         f'data-level="{c.level}"><title>{escape(a)} → {escape(b)}: {escape(" ".join(c.ports) or "なし")}'
                         f'</title></rect>')
            parts.append(f'<text x="{lw + j * cw + cw / 2}" y="{y + 24}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;"
        "padding:4px 8px;vertical-align:top}.high,.critical{background:#fdd}.medium{background:#ffe9b3}"
        ".conflict{background:#fcc}.auto{color:#555;font-size:90%}")


def _finding_rows(findings: list[Finding], lang: str) -> list[dict[str, str]]:
    return [{"sev": css_class(f.severity), "rule": f.rule, "host": f.host or "", "title": f.title.get(lang),
             "summary": f.summary.get(lang), "advice": f.advice.get(lang), "seed": f.seed} for f in findings]


def write_findings_html(findings: list[Finding], out: Path, title: str, intro: str, lang: str) -> None:
    """A plain page of findings, worst first (vuln check, web check)."""
    ordered = sorted(findings, key=lambda f: (-f.severity, f.host or "", f.rule))
    rows = _finding_rows(ordered, lang)
    for row, f in zip(rows, ordered, strict=True):
        row["sev_label"] = severity_label(f.severity, lang)
    out.write_text(render_page("findings.html.j2", title=title, css=_CSS, L=messages(lang, "inventory"), intro=intro,
                               findings=rows), "utf-8")


def write_inventory_html(inv: Inventory, findings: list[Finding], out: Path, lang: str) -> None:
    """The inventory check report: the flow matrix picture and the findings."""
    out.write_text(render_page("inventory.html.j2", title=message("inventory.title", lang, name=inv.name), css=_CSS,
                               L=messages(lang, "inventory"),
                               name=inv.name, size=inv.size, colours=list(COLOURS.items()),
                               svg=Markup(matrix_svg(inv)), findings=_finding_rows(findings, lang)), "utf-8")


def _remarks(f: Filled) -> str:
    parts = []
    if f.final and f.final.note:
        parts.append(f.final.note)
    if f.auto:
        parts.append(f"[自動判定 {f.auto.answer}] " + " / ".join(f.auto.evidence))
    if f.final and f.final.answer == "いいえ" and not f.final.target_date:
        parts.append("※「いいえ」の目標日が未記入です（回答ファイルの target_date）")
    if f.conflict and f.human and f.auto:
        parts.insert(0, f"【食い違い】回答「{f.human.answer}」と自動判定「{f.auto.answer}」が異なります")
    return "\n".join(parts)


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def xlsx_rows(filled: list[Filled]) -> list[list[str]]:
    """The form's rows as strings, in XLSX_HEADERS order (the test compares these with the file)."""
    return [[f.row.number, f.row.name, f.row.device, f.final.answer if f.final else "",
             _d(f.final.date if f.final else None), _d(f.final.target_date if f.final else None), _remarks(f)]
            for f in filled]


def write_checklist_html(filled: list[Filled], out: Path, title: str, facility: str) -> None:
    """The checklist as an HTML page: every automatic answer shows its evidence; conflicts stand out."""
    rows = []
    for f, values in zip(filled, xlsx_rows(filled), strict=True):
        cells = [{"lines": v.split("\n"), "source": ""} for v in values]
        if f.final:
            cells[3]["source"] = f.final.source
        rows.append({"conflict": f.conflict, "cells": cells})
    out.write_text(render_page("checklist.html.j2", title=title, css=_CSS, headers=XLSX_HEADERS,
                               facility=message("checklist.facility", "ja", facility=facility),
                               rows=rows), "utf-8")
