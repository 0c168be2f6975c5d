"""The procurement document: one model (clauses with their gaps, seeds and checklist items, and the vendor's
checklist as an attachment) written as procurement.docx (python-docx) and procurement.html (Jinja2)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..report.render import render_page
from .clauses import Catalog, Selected, find_item, item_number

MAX_WHERE = 12  # hosts named under a gap before "… and N more"

WORDS = {
    "ja": {
        "made": "作成日", "by": "作成", "inputs": "元にした結果", "none_given": "なし（全要件を出力）",
        "about": "この文書について",
        "about_lines": [
            "次の調達（システム更新・新規導入・保守契約の更新）の仕様書に入れるセキュリティ要件の記載例です。"
            "WardWatch の点検で見つかった不備をもとに選んでいます。",
            "研修資料にあるとおり、契約書や仕様書に書かれていないことは、事業者は基本的に対応しません。"
            "必要な要件は仕様書に書いてください。",
            "文言は自院の状況と事業者との協議にあわせて修正してください（WardWatch の clauses.yml をコピーして"
            "編集し --clauses で指定すると、次回から自院の文言で出力されます）。",
            "各要件の下の小さい字（見つかった不備・根拠・チェックリスト）は院内での説明用です。"
            "事業者へ送る仕様書からは削除してかまいません。",
            "別紙の事業者確認用チェックリストは、契約するすべての事業者に送付し、回答を求めてください。",
        ],
        "requirements": "セキュリティ要件",
        "gap": "見つかった不備", "no_gap": "今回の結果に該当する不備はありません（すべての要件を出力）",
        "always": "すべての調達に入れる要件です",
        "more": "ほか {n} 件", "seed": "根拠", "checklist": "チェックリスト", "sep": "、",
        "annex": "別紙　事業者確認用チェックリスト",
        "annex_intro": "厚生労働省「医療機関におけるサイバーセキュリティ対策チェックリスト」（{version}）の事業者確認用の項目です。"
                       "各項目の「はい」「いいえ」の欄に〇を付け、確認日を記入してください。「いいえ」の項目には目標日を記入してください。"
                       "機器ごとの欄がある項目は、機器ごとに回答してください。",
        "annex_note": "項目の文言は要約です。正式な様式は厚生労働省のチェックリスト（事業者確認用）を使用してください。",
        "fields": ["事業者名", "対象システム", "回答者（所属・氏名）", "回答日"],
        "cols": ["番号", "項目", "確認内容", "対象", "はい", "いいえ", "確認日", "目標日"],
        "versions": {"R5": "令和5年6月版", "R6": "令和6年度版", "R7": "令和7年度版"},
    },
    "en": {
        "made": "Made", "by": "By", "inputs": "Based on", "none_given": "none (every clause)",
        "about": "About this document",
        "about_lines": [
            "Example security clauses for the specification of the next procurement (a system renewal, a new system, "
            "a renewed maintenance contract), chosen from the gaps WardWatch found.",
            "As the MHLW training says, vendors do nothing that the contract or the specification does not say. "
            "Write what you need into the specification.",
            "Adapt the wording to the hospital and to what you agree with the vendor (copy WardWatch's clauses.yml, "
            "edit it and pass it with --clauses to get your own wording next time).",
            "The small type under each clause (gaps found, sources, checklist items) is for explaining it inside the "
            "hospital; delete it from the specification you send.",
            "Send the attached vendor checklist (事業者確認用) to every vendor you contract with and ask for answers.",
        ],
        "requirements": "Security requirements",
        "gap": "Gap found", "no_gap": "No gap in these results (all clauses were asked for)",
        "always": "A clause for every procurement",
        "more": "and {n} more", "seed": "Source", "checklist": "Checklist", "sep": ", ",
        "annex": "Attachment: the vendor's checklist (事業者確認用)",
        "annex_intro": "The supplier items of the MHLW cybersecurity checklist ({version}). Mark yes or no for each "
                       "item and write the date checked; for each no, a target date. Items with rows per device are "
                       "answered per device.",
        "annex_note": "Item texts are summaries (in Japanese, as on the MHLW form); use the official MHLW form "
                      "(事業者確認用) for the answer.",
        "fields": ["Vendor", "System", "Answered by (department, name)", "Date"],
        "cols": ["No.", "Item", "What is checked", "Scope", "Yes", "No", "Date checked", "Target date"],
        "versions": {"R5": "June 2023 (R5)", "R6": "FY2024 (R6)", "R7": "FY2025 (R7)"},
    },
}


@dataclass
class GapLine:
    rule: str
    title: str
    where: str


@dataclass
class ClauseView:
    number: int
    id: str
    title: str
    paragraphs: list[str]
    gaps: list[GapLine]
    note: str  # when there is no gap: why the clause is here
    seeds: list[str]
    checklist: list[str]


@dataclass
class AnnexRow:
    number: str
    name: str
    detail: str
    device: str
    span: int = 1  # rows this item takes (its device rows); 0 on the second and later rows of an item


@dataclass
class Document:
    lang: str
    title: str
    made: str
    inputs: list[str]
    words: dict[str, Any]
    clauses: list[ClauseView]
    annex_intro: str
    annex: list[AnnexRow] = field(default_factory=list)
    version: str = __version__


def paragraphs(text: str, lang: str) -> list[str]:
    """The paragraphs of a clause text: lines are joined (no space in Japanese); a blank line or a line that
    starts with (1), ・ or - starts a new paragraph."""
    out: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            out.append([])
            continue
        if re.match(r"^(\(\d+\)|（\d+）|・|- )", line) and out[-1]:
            out.append([])
        out[-1].append(line)
    joiner = " " if lang == "en" else ""
    return [joiner.join(p) for p in out if p]


def _item_label(items: list[dict[str, Any]], number: str, version: str, catalog: Catalog, lang: str) -> str:
    item = find_item(items, number)
    if item is None:
        return number
    name = catalog.annex_items.get(str(item["id"]), {}).get("name_en") if lang == "en" else None
    return f"{item_number(item, version)} {name or item['name']}"


def _order(number: str) -> tuple[int, int, int]:
    """Form order of an R7 number (2-⑥ before 2-⑪); numbers without digits (規程類) last."""
    m = re.match(r"^(\d+)(?:-[(（]?(\d+|[\u2460-\u2473])[)）]?)?", number)
    if not m:
        return (99, 0, 0)
    minor = m.group(2) or "0"
    return (int(m.group(1)), int(minor) if minor.isascii() else ord(minor) - 0x2460 + 1, 0)


def annex_rows(rows: list[Any], catalog: Catalog, lang: str, version: str) -> list[AnnexRow]:
    """The vendor checklist's rows: an item's text once, spanning its device rows; R7 in its numbers' order."""
    order = sorted(rows, key=lambda r: _order(r.number)) if version == "R7" else list(rows)
    out: list[AnnexRow] = []
    for r in order:
        own = catalog.annex_items.get(r.item_id, {})
        name = (own.get("name_en") if lang == "en" else None) or r.name
        detail = own.get(lang) or own.get("ja") or str(r.item.get("paraphrase") or "")
        first = next((a for a in out if a.number == r.number and a.span), None)
        if first is not None and out[-1].number == r.number:
            first.span += 1
            out.append(AnnexRow(r.number, name, detail, r.device, 0))
        else:
            out.append(AnnexRow(r.number, name, detail, r.device))
    return out


def build(catalog: Catalog, selected: list[Selected], items: list[dict[str, Any]], rows: list[Any],
          lang: str, inputs: list[str], version: str, today: date | None = None) -> Document:
    """The document model both writers use."""
    w = WORDS[lang]
    views = []
    for n, s in enumerate(selected, 1):
        c = s.clause
        gaps = []
        for g in s.gaps:
            where = ", ".join(g.where[:MAX_WHERE])
            if len(g.where) > MAX_WHERE:
                where += " " + w["more"].format(n=len(g.where) - MAX_WHERE)
            gaps.append(GapLine(g.rule, g.title, where))
        note = "" if gaps else (w["always"] if c.always else w["no_gap"])
        seeds = [f"{catalog.sources.get(sd['file'], {}).get(lang) or sd['file']}: {sd['place_en' if lang == 'en' else 'place']}"
                 for sd in c.seeds]
        views.append(ClauseView(n, c.id, c.title[lang], paragraphs(c.body(lang, catalog.params), lang), gaps, note,
                                seeds, [_item_label(items, x, version, catalog, lang) for x in c.checklist]))
    annex = annex_rows(rows, catalog, lang, version)
    vname = w["versions"].get(version, version)
    return Document(lang, catalog.title(lang), (today or date.today()).isoformat(), inputs, w, views,
                    w["annex_intro"].format(version=vname), annex)


# --- HTML -----------------------------------------------------------------------------------------------------------

def write_html(doc: Document, out: Path) -> Path:
    out.write_text(render_page("procurement.html.j2", doc=doc, w=doc.words), "utf-8")
    return out


# --- Word (.docx) ---------------------------------------------------------------------------------------------------

def _east_asian(style_or_run: Any, font: str) -> None:
    """Set the East Asian font too (python-docx sets only the Latin one)."""
    from docx.oxml.ns import qn
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn
    trpr = row._tr.get_or_add_trPr()
    el = trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    trpr.append(el)


def write_docx(doc: Document, out: Path) -> Path:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt, RGBColor

    w = doc.words
    d = Docx()
    for sec in d.sections:
        sec.page_height, sec.page_width = Mm(297), Mm(210)
        sec.left_margin = sec.right_margin = Mm(20)
        sec.top_margin = sec.bottom_margin = Mm(20)
    normal = d.styles["Normal"]
    normal.font.name = "Yu Mincho" if doc.lang == "ja" else "Calibri"
    normal.font.size = Pt(10.5)
    _east_asian(normal, "游明朝")
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(d.styles[name], "游ゴシック")
    grey = RGBColor(0x55, 0x55, 0x55)

    d.add_heading(doc.title, level=0)
    meta = d.add_paragraph()
    meta.add_run(f"{w['made']}: {doc.made}　{w['by']}: WardWatch {doc.version}\n"
                 f"{w['inputs']}: {', '.join(doc.inputs) or w['none_given']}").font.size = Pt(8)

    d.add_heading(w["about"], level=1)
    for line in w["about_lines"]:
        d.add_paragraph(line, style="List Bullet")

    d.add_heading(w["requirements"], level=1)
    for c in doc.clauses:
        d.add_heading(f"{c.number}. {c.title}", level=2)
        for p in c.paragraphs:
            d.add_paragraph(p)
        small = []
        if c.gaps:
            small += [f"{w['gap']}: {g.rule}（{g.title}）" + (f" — {g.where}" if g.where else "") for g in c.gaps]
        else:
            small.append(f"{w['gap']}: {c.note}")
        small += [f"{w['seed']}: {s}" for s in c.seeds]
        if c.checklist:
            small.append(f"{w['checklist']}: " + w["sep"].join(c.checklist))
        for line in small:
            para = d.add_paragraph()
            para.paragraph_format.space_after = Pt(0)
            para.paragraph_format.left_indent = Mm(5)
            run = para.add_run(line)
            run.font.size = Pt(8)
            run.font.color.rgb = grey
        d.add_paragraph().paragraph_format.space_after = Pt(2)

    # the attachment on landscape pages
    from docx.enum.section import WD_SECTION
    sec = d.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Mm(297), Mm(210)
    d.add_heading(w["annex"], level=1)
    d.add_paragraph(doc.annex_intro)
    note = d.add_paragraph().add_run(w["annex_note"])
    note.font.size = Pt(8)
    note.font.color.rgb = grey
    fields = d.add_table(rows=len(w["fields"]), cols=2)
    fields.style = "Table Grid"
    for i, label in enumerate(w["fields"]):
        fields.cell(i, 0).text = label
        fields.cell(i, 0).width = Mm(60)
        fields.cell(i, 1).width = Mm(150)
    d.add_paragraph()
    table = d.add_table(rows=1, cols=len(w["cols"]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Mm(16), Mm(48), Mm(112), Mm(26), Mm(12), Mm(12), Mm(16), Mm(16)]
    for cell, label, width in zip(table.rows[0].cells, w["cols"], widths, strict=False):
        cell.text = label
        cell.width = width
        for r in cell.paragraphs[0].runs:
            r.font.bold = True
            r.font.size = Pt(9)
    _repeat_header(table.rows[0])
    starts: list[tuple[int, int]] = []  # (table row, span) of items with several device rows
    for row in doc.annex:
        cells = table.add_row().cells
        values = [row.number, row.name, row.detail] if row.span else ["", "", ""]
        if row.span > 1:
            starts.append((len(table.rows) - 1, row.span))
        for cell, value, width in zip(cells, [*values, row.device, "", "", "", ""], widths, strict=False):
            cell.text = value
            cell.width = width
            for r in cell.paragraphs[0].runs:
                r.font.size = Pt(8.5)
    for start, span in starts:  # one cell for the item's number, name and text over its device rows
        for col in range(3):
            merged = table.cell(start, col).merge(table.cell(start + span - 1, col))
            for extra in merged.paragraphs[1:]:  # merging keeps the empty paragraphs of the cells below
                if not extra.text:
                    extra._element.getparent().remove(extra._element)
    d.save(str(out))
    return out
