"""The procurement document: one model (clauses with their gaps, seeds and checklist items, and the vendor's
checklist as an attachment) written as procurement.docx (python-docx) and procurement.html (Jinja2)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..report.messages import lines, message, messages
from ..report.render import render_page
from .clauses import Catalog, Selected, find_item, item_number

MAX_WHERE = 12  # hosts named under a gap before "… and N more"

LISTS = ("about_lines", "fields", "cols")  # messages that are lists: one item a line


def words(lang: str) -> dict[str, Any]:
    """The document's words (the catalog's `procure.` messages), its lists as lists."""
    return {**messages(lang, "procure"), **{k: lines(f"procure.{k}", lang) for k in LISTS}}


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
    name = item.get("name_en") if lang == "en" else None
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
        name = str((r.item.get("name_en") if lang == "en" else None) or r.name)
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
    w = words(lang)
    views = []
    for n, s in enumerate(selected, 1):
        c = s.clause
        gaps = []
        for g in s.gaps:
            where = ", ".join(g.where[:MAX_WHERE])
            if len(g.where) > MAX_WHERE:
                where += " " + message("procure.more", lang, n=len(g.where) - MAX_WHERE)
            gaps.append(GapLine(g.rule, g.title, where))
        note = "" if gaps else (w["always"] if c.always else w["no_gap"])
        seeds = [f"{catalog.sources.get(sd['file'], {}).get(lang) or sd['file']}: "
                 f"{sd['place_en' if lang == 'en' else 'place']}"
                 for sd in c.seeds]
        views.append(ClauseView(n, c.id, c.title[lang], paragraphs(c.body(lang, catalog.params), lang), gaps, note,
                                seeds, [_item_label(items, x, version, catalog, lang) for x in c.checklist]))
    annex = annex_rows(rows, catalog, lang, version)
    vname = message(f"procure.version.{version}", lang)  # a version not in the catalog shows as itself
    return Document(lang, catalog.title(lang), (today or date.today()).isoformat(), inputs, w, views,
                    message("procure.annex_intro", lang, version=vname), annex)


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
