"""checklist.xlsx laid out as the MHLW form: sections with headings, items in the official order, はい/いいえ
drop-downs, 1st and 2nd 確認日, 目標日, 備考; a sheet for the hospital and one for its suppliers; a summary; A4."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..report.messages import message
from .checklist import NA, NO, TARGETS, YES, Filled, Row

SECTIONS = ("0", "1", "2", "3")  # 0: whether the hospital has a medical information system at all
COLUMNS = ("number", "item", "device", "result1", "date1", "result2", "date2", "target", "remarks")
WIDTHS = (8, 52, 14, 11, 12, 11, 12, 13, 60)
HEADER_ROW = 5
AUTO_FILL = PatternFill("solid", fgColor="FFF2CC")  # a proposal waiting for a person to confirm it
CONFLICT_FILL = PatternFill("solid", fgColor="F8CBAD")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def order_key(number: str) -> tuple[int, int, str]:
    """The form's order: section, then the item's number ((1), ① or 1), items without one last in their section."""
    section = SECTIONS.index(number[0]) if number[:1] in SECTIONS else len(SECTIONS)
    m = re.match(r"^\d-(?:\((\d+)\)|([①-⑳])|(\d+))", number)
    if m is None:
        return section, 99, number
    n = int(m.group(1) or m.group(3)) if (m.group(1) or m.group(3)) else _CIRCLED.index(m.group(2)) + 1
    return section, n, number


def in_order(filled: list[Filled]) -> list[Filled]:
    """Rows in the official order; the device rows of one item keep their order (サーバ, 端末PC, ネットワーク機器)."""
    return [f for _, f in sorted(enumerate(filled), key=lambda p: (order_key(p[1].row.number), p[0]))]


def version_label(label: str) -> str:
    """The version as the form names it (令和7年度版), without the working notes kept beside it in the item data."""
    return re.split(r"[（(]", label, maxsplit=1)[0].strip()


@dataclass
class Sheet:
    """One form sheet: for whom it is (医療機関 / 事業者) and its rows (answered, or blank for the other party)."""

    target: str
    rows: list[Filled]


def _unconfirmed(row: Row) -> bool:
    return "unconfirmed" in str(row.item.get("confidence", "")) or "unconfirmed" in str(row.item.get("id_note", ""))


def _remarks(f: Filled, lang: str) -> str:
    parts = []
    if f.conflict and f.human and f.auto:
        parts.append(message("xlsx.conflict", lang, human=f.human.answer, auto=f.auto.answer))
    if f.final and f.final.source == "auto":
        parts.append(message("xlsx.auto", lang) + (": " + " / ".join(f.final.evidence) if f.final.evidence else ""))
    elif f.auto and f.auto is not f.final:
        parts.append(message("xlsx.auto_was", lang, answer=f.auto.answer) + ": " + " / ".join(f.auto.evidence))
    if f.final and f.final.answer == NA:
        parts.append(message("xlsx.na", lang))
    if f.final and f.final.note:
        parts.append(f.final.note)
    if f.final and f.final.answer == NO and not f.final.target_date:
        parts.append(message("xlsx.no_target", lang))
    if _unconfirmed(f.row):
        parts.append(message("xlsx.unconfirmed", lang))
    return "\n".join(parts)


def form_row(f: Filled, lang: str) -> list[object]:
    """One row's cells in COLUMNS order. An automatic answer is a proposal: its 確認日 is left for the person who
    confirms it; a person's answer keeps the date they gave."""
    final = f.final
    answer = final.answer if final and final.answer in (YES, NO) else None
    human = bool(final and final.source != "auto")
    return [f.row.number, f.row.name, f.row.device or "-", answer,
            final.date if human and final and final.date else None, None, None,
            final.target_date if final and final.answer == NO and final.target_date else None, _remarks(f, lang)]


def _setup_page(ws: Worksheet, last_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "&P / &N"


def _form_sheet(ws: Worksheet, sheet: Sheet, title: str, facility: str, lang: str) -> None:
    last = get_column_letter(len(COLUMNS))
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = message("xlsx.facility", lang, facility=facility or "")
    ws["A3"] = message("xlsx.how", lang) if sheet.rows and any(f.final for f in sheet.rows) else \
        message("xlsx.blank", lang, target=message(f"xlsx.target.{TARGETS.index(sheet.target)}", lang))
    ws["A4"] = message("xlsx.wording", lang)
    for r in (2, 3, 4):
        ws.merge_cells(f"A{r}:{last}{r}")
        ws[f"A{r}"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[3].height = 30
    ws.row_dimensions[4].height = 30
    for col, key in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=message(f"xlsx.col.{key}", lang))
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[col - 1]
    ws.row_dimensions[HEADER_ROW].height = 32
    choice = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showDropDown=False,
                            errorTitle=message("xlsx.choice_title", lang), error=message("xlsx.choice_error", lang))
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                           errorTitle=message("xlsx.date_title", lang), error=message("xlsx.date_error", lang))
    ws.add_data_validation(choice)
    ws.add_data_validation(dates)
    r = HEADER_ROW
    section = None
    for f in in_order(sheet.rows):
        sec = f.row.number[:1] if f.row.number[:1] in SECTIONS else "x"
        if sec != section:
            section = sec
            r += 1
            ws.cell(row=r, column=1, value=message(f"xlsx.section.{sec}", lang)).font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(COLUMNS))
            ws.cell(row=r, column=1).fill = SECTION_FILL
        r += 1
        for col, value in enumerate(form_row(f, lang), start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border = BOX
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col in (5, 7, 8):
                cell.number_format = "yyyy-mm-dd"
        choice.add(f"D{r}")
        choice.add(f"F{r}")
        for c in ("E", "G", "H"):
            dates.add(f"{c}{r}")
        fill = CONFLICT_FILL if f.conflict else AUTO_FILL if f.final and f.final.source == "auto" else None
        if fill is not None:
            for col in range(1, len(COLUMNS) + 1):
                ws.cell(row=r, column=col).fill = fill
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    _setup_page(ws, r)


def counts(rows: list[Filled]) -> Counter[str]:
    """はい / いいえ / unanswered (該当なし apart) of a sheet's rows, as the summary sheet shows them."""
    c: Counter[str] = Counter()
    for f in rows:
        answer = f.final.answer if f.final else ""
        c[answer if answer in (YES, NO, NA) else ""] += 1
    return c


def _summary_sheet(ws: Worksheet, sheets: list[tuple[Sheet, str]], lang: str) -> None:
    ws["A1"] = message("xlsx.summary_title", lang)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = message("xlsx.summary_note", lang)
    head = [message(f"xlsx.sum.{k}", lang) for k in ("sheet", "section", "yes", "no", "na", "none", "total",
                                                        "yes_now", "no_now")]
    for col, text in enumerate(head, start=1):
        cell = ws.cell(row=4, column=col, value=text)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    r = 4
    for sheet, name in sheets:
        groups: dict[str, list[Filled]] = {}
        for f in in_order(sheet.rows):
            groups.setdefault(f.row.number[:1] if f.row.number[:1] in SECTIONS else "x", []).append(f)
        for sec, rows in [*groups.items(), ("*", sheet.rows)]:
            r += 1
            c = counts(rows)
            label = message("xlsx.sum.all", lang) if sec == "*" else message(f"xlsx.section.{sec}", lang)
            answers = f"'{name}'!D:D"
            live = [f'=COUNTIF({answers},"{YES}")', f'=COUNTIF({answers},"{NO}")'] if sec == "*" else ["", ""]
            values: list[object] = [name, label, c[YES], c[NO], c[NA], c[""], len(rows), *live]
            for i, v in enumerate(values, start=1):
                cell = ws.cell(row=r, column=i, value=v)
                cell.border = BOX
                if sec == "*":
                    cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", (16, 34, 8, 8, 9, 9, 8, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_form(sheets: list[Sheet], out: Path, title: str, version: str, facility: str, lang: str = "ja") -> None:
    """The workbook: one form sheet per target (医療機関確認用, 事業者確認用), then the summary sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    named: list[tuple[Sheet, str]] = []
    for sheet in sheets:
        name = message(f"xlsx.sheet.{TARGETS.index(sheet.target)}", lang)
        _form_sheet(wb.create_sheet(name), sheet, f"{title}（{version_label(version)}）{name}", facility, lang)
        named.append((sheet, name))
    _summary_sheet(wb.create_sheet(message("xlsx.sheet.summary", lang)), named, lang)
    wb.save(out)
