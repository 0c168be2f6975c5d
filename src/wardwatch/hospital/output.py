"""Outputs: findings.json (scan's format), the flow-matrix SVG and the HTML pages (the .xlsx form: xlsxform.py)."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..model import Finding, InputFile, Run
from ..report.findings_page import findings_page
from ..report.jsonout import write_json
from ..report.labels import format_time
from ..report.messages import has, message, messages
from ..report.render import render_page
from .checklist import ANSWER_CLASS, NO, Filled, answer_label, number_label
from .inventory import Inventory
from .netcheck import matrix
from .xlsxform import SECTIONS, order_key

COLOURS = {"danger": "#f08080", "watched": "#ffe08a", "ok": "#cfe8cf", "none": "#f4f4f4"}  # the legend's order


def input_file(path: str) -> InputFile:
    """An InputFile record (path, SHA-256, size) for findings.json."""
    p = Path(path)
    data = p.read_bytes() if p.is_file() else b""
    return InputFile(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="yaml")


def write_findings(findings: list[Finding], inputs: list[str], out: Path, tz: str, lang: str,
                   stats: dict[str, Any] | None = None) -> None:
    """findings.json in the same shape as `wardwatch scan` writes; stats: more figures beside the findings' count."""
    result = Run(generated_at=datetime.now(UTC), timezone=tz, lang=lang, inputs=[input_file(p) for p in inputs],
                 findings=findings, stats={"findings": len(findings), **(stats or {})})
    write_json(result, out)


def matrix_svg(inv: Inventory, lang: str = "ja") -> str:
    """The segment × segment matrix of allowed flows as inline SVG (rows: from, columns: to)."""
    names, cells = matrix(inv)
    cw, lw, hh = 110, 150, 40
    width, height = lw + cw * len(names) + 10, hh + 40 * len(names) + 10
    none = message("inventory.level.none", lang)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
              f'viewBox="0 0 {width} {height}" '
              f'aria-label="{escape(message("inventory.flow_matrix", lang))}" font-size="12" '
              f'font-family="sans-serif" class="flows">')]
    parts.append(f'<text x="{lw - 6}" y="{hh - 10}" text-anchor="end" fill="#4b5563">'
                 f'{escape(message("inventory.from_to", lang))}</text>')
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
                         f'data-level="{c.level}"><title>{escape(a)} → {escape(b)}: {escape(" ".join(c.ports) or none)}'
                         f'</title></rect>')
            parts.append(f'<text x="{lw + j * cw + cw / 2}" y="{y + 24}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def write_inventory_html(inv: Inventory, findings: list[Finding], out: Path, lang: str,
                         tz: str = "Asia/Tokyo") -> None:
    """The inventory check report: the flow matrix picture and the findings."""
    t = messages(lang, "inventory")
    size = message(f"inventory.size.{inv.size}", lang) if has(f"inventory.size.{inv.size}") else inv.size
    out.write_text(render_page("inventory.html.j2", title=t["title"], subject=inv.name, facts=[(t["size"], size)],
                               subject_label=message("page.facility", lang),
                               L=t, nav=[("flows", t["nav_flows"]), ("findings", t["nav_findings"])],
                               legend=[(level, colour, t[f"level.{level}"]) for level, colour in COLOURS.items()],
                               svg=Markup(matrix_svg(inv, lang)),
                               **findings_page(findings, lang, tz, t["verdict_bad"], t["verdict_good"])), "utf-8")


def _order(number: str) -> tuple[int, int]:
    """Where a row's number stands in the form: its section (0 … 3, then the rest) and its item number."""
    section, item, _ = order_key(number)
    return (section if section < len(SECTIONS) else 9), item


def _answer(word: str | None, lang: str) -> dict[str, str]:
    cls = ANSWER_CLASS.get(word or "", "open")
    return {"cls": cls, "label": message(f"checklist.answer.{cls}", lang), "word": word or ""}


def checklist_view(filled: list[Filled], lang: str) -> dict[str, Any]:
    """The checklist page's sections, rows and counts (the rows in the form's order, grouped by section)."""
    sections: dict[int, list[dict[str, Any]]] = {}
    for f in sorted(filled, key=lambda f: _order(f.row.number)):
        final = f.final
        answer = _answer(final.answer if final else None, lang)
        source = "" if final is None else "auto" if final.source == "auto" else "human"
        lines = [(e.get(lang), e.ref) for e in (final.evidence if final else [])]
        notes = [final.note] if final and final.note else []
        if f.conflict and f.human and f.auto:
            notes.insert(0, message("checklist.conflict_note", lang, human=answer_label(f.human.answer, lang),
                                    auto=answer_label(f.auto.answer, lang)))
        missing_target = bool(final and final.answer == NO and not final.target_date)
        sections.setdefault(_order(f.row.number)[0], []).append({
            "number": number_label(f.row, lang), "name": f.row.name, "answer": answer,
            "name_en": str(f.row.item.get("name_en") or "") if lang == "en" else "",
            "device": message(f"checklist.device.{f.row.device}", lang) if has(f"checklist.device.{f.row.device}")
            else f.row.device,
            "source": message(f"checklist.source.{source}", lang) if source else "", "auto": source == "auto",
            "evidence": lines, "notes": notes, "conflict": f.conflict,
            "target": final.target_date.isoformat() if final and final.target_date else "",
            "missing_target": missing_target})
    rows = [r for rs in sections.values() for r in rs]
    counts = [{"cls": cls, "label": message(f"checklist.answer.{cls}", lang),
               "n": sum(1 for r in rows if r["answer"]["cls"] == cls)} for cls in ("pass", "fail", "neutral", "open")]
    counts.append({"cls": "high", "label": message("checklist.conflicts", lang),
                   "n": sum(1 for r in rows if r["conflict"])})
    return {"sections": [{"title": message(f"checklist.section.{n}", lang), "rows": rs}
                         for n, rs in sorted(sections.items())], "counts": counts, "rows": len(rows)}


def write_checklist_html(filled: list[Filled], out: Path, title: str, facility: str, lang: str = "ja",
                         tz: str = "Asia/Tokyo") -> None:
    """The checklist as an HTML page in the form's order: every answer with where it came from and its evidence,
    conflicts and unanswered rows marked, and the count of each answer on top."""
    t = messages(lang, "checklist")
    view = checklist_view(filled, lang)
    n = {c["cls"]: c["n"] for c in view["counts"]}
    cls = "high" if n["high"] else "medium" if n["fail"] else "open" if n["open"] else "clear"
    verdict = {"cls": cls, "label": t[f"verdict.{cls}"], "counts": view["counts"], "counts_label": t["answers"],
               "text": t["verdict"].format(rows=view["rows"], yes=n["pass"], no=n["fail"], open=n["open"]),
               "sub": t["verdict_sub"]}
    heading = title if lang != "en" else t["title_en"]
    facts = [(t["form"], title)] if lang == "en" else []
    out.write_text(render_page("checklist.html.j2", title=heading, subject=facility, facts=facts, lang=lang, L=t,
                               subject_label=message("page.facility", lang),
                               verdict=verdict, generated=format_time(datetime.now(UTC), tz),
                               **view), "utf-8")
