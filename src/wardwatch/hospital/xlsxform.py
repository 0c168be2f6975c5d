"""checklist.xlsx laid out as the MHLW form: sections with headings, items in the official order with the form's
sentences, はい/いいえ drop-downs, 1st and 2nd 確認日, 目標日, 備考; a sheet for the hospital and one for its
suppliers; a summary sheet that counts the answers (values, and formulas that recount); A4 print settings."""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..report.messages import has, message
from .checklist import NA, NO, TARGETS, YES, Filled, Proof, Row, answer_label, evidence_hints

SECTIONS = ("0", "1", "2", "3")  # 0: whether the hospital has a medical information system at all


@dataclass(frozen=True)
class Column:
    """One column of the form: its name (message xlsx.col.<key>), width, the heading above it (xlsx.group.<group>:
    1回目 / 2回目) and what its cells hold (text, answer: はい/いいえ, date)."""

    key: str
    width: float
    group: str = ""
    kind: str = "text"


LAYOUT = (Column("number", 7), Column("item", 46), Column("device", 13),
          Column("result1", 9, "first", "answer"), Column("date1", 11, "first", "date"),
          Column("result2", 9, "second", "answer"), Column("date2", 11, "second", "date"),
          Column("target", 13, kind="date"), Column("remarks", 42))
COLUMNS = tuple(c.key for c in LAYOUT)
GROUP_ROW, HEADER_ROW = 5, 6  # the headings over 1回目 / 2回目, then the column names; items start below
FIRST_ROW = HEADER_ROW + 1
ANSWER, DATE1, TARGET = (get_column_letter(COLUMNS.index(k) + 1) for k in ("result1", "date1", "target"))
UNDATED_FILL = PatternFill("solid", fgColor="FFF2CC", bgColor="FFF2CC")  # an answer nobody has dated (confirmed) yet
CONFLICT_FILL = PatternFill("solid", fgColor="F8CBAD")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
LINE_HEIGHT = 15.0  # points per line of 11-point text
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


def section_of(number: str) -> str:
    """The section a row's number belongs to (0 … 3), or x for an item whose place in the form is not known."""
    return number[:1] if number[:1] in SECTIONS else "x"


def version_label(label: str) -> str:
    """The version as the form names it (令和7年度版), without the working notes kept beside it in the item data."""
    return re.split(r"[（(]", label, maxsplit=1)[0].strip()


@dataclass
class Sheet:
    """One form sheet: for whom it is (医療機関 / 事業者), the checklist version (R5/R6/R7) and its rows (answered,
    or blank for the other party)."""

    target: str
    rows: list[Filled]
    version: str


def paraphrased(row: Row, version: str) -> bool:
    """Whether the sentence shown is a summary: its item data has none, or says the form's wording for this version
    was not seen."""
    return not row.item.get("sentence") or version in (row.item.get("wording_unconfirmed") or [])


def number_doubt(row: Row, version: str) -> str:
    """'inferred' or 'unconfirmed' when the item's number in this version is a guess ('' when it is known)."""
    if version == "R7":
        how = str(row.item.get("r7_id_confidence") or "")
        if how in ("inferred", "unconfirmed"):
            return how
    return "unconfirmed" if "unconfirmed" in str(row.item.get("id_note", "")) else ""


def item_text(row: Row, target: str, version: str, lang: str) -> str:
    """The item as the form words it for this target (the supplier's sentence where it differs), marked ※要約 when
    it is a summary; under --lang en an English gloss above the Japanese sentence."""
    it = row.item
    vendor = target == TARGETS[1] and it.get("sentence_vendor")
    ja = str((it.get("sentence_vendor") if vendor else it.get("sentence")) or it.get("name") or row.name)
    if paraphrased(row, version):
        ja += message("xlsx.paraphrase", lang)
    en = str((it.get("sentence_vendor_en") if vendor else it.get("sentence_en")) or "")
    return f"{en}\n{ja}" if lang == "en" and en else ja


def device_text(row: Row, lang: str) -> str:
    """The device class of the row (サーバ / 端末PC / ネットワーク機器), or the item's (医療情報システム全般), or -."""
    names = [row.device] if row.device else [str(d) for d in row.item.get("devices") or []]
    shown = [message(f"checklist.device.{d}", lang) if has(f"checklist.device.{d}") else d for d in names]
    return "、".join(shown) or "-"


def evidence(lines: list[Proof], lang: str) -> list[str]:
    """The evidence as the checklist page words it, each line once (with its count where findings repeat it)."""
    seen = Counter(line.get(lang) for line in lines)
    return [text if n == 1 else message("xlsx.times", lang, text=text, n=n) for text, n in seen.items()]


def remarks(f: Filled, sheet: Sheet, lang: str) -> str:
    """備考: a conflict, the automatic proposal and its evidence, a missing target date, what to look at for an
    unanswered row, and whether the item's number or wording is unconfirmed."""
    parts = []
    final = f.final
    if f.conflict and f.human and f.auto:
        parts.append(message("xlsx.conflict", lang, human=answer_label(f.human.answer, lang),
                             auto=answer_label(f.auto.answer, lang)))
    if final and final.source == "auto":
        parts.append(message("xlsx.auto", lang))
        parts.extend(f"・{e}" for e in evidence(final.evidence, lang))
    elif f.auto and f.auto is not final:
        parts.append(message("xlsx.auto_was", lang, answer=answer_label(f.auto.answer, lang)) + ": " +
                     " / ".join(evidence(f.auto.evidence, lang)))
    if final and final.answer == NA:
        parts.append(message("xlsx.na", lang))
    if final and final.note:
        parts.append(final.note)
    if final and final.answer == NO and not final.target_date:
        parts.append(message("xlsx.no_target", lang))
    hints = evidence_hints(f.row, lang)
    if final is None and hints and any(g.final for g in sheet.rows):
        parts.append(message("xlsx.hints", lang, hints=hints))
    if paraphrased(f.row, sheet.version):
        parts.append(message("xlsx.unconfirmed_wording", lang))
    doubt = number_doubt(f.row, sheet.version)
    if doubt:
        parts.append(message("xlsx.unconfirmed_number", lang, how=message(f"xlsx.number.{doubt}", lang)))
    return "\n".join(parts)


def form_row(f: Filled, sheet: Sheet, lang: str) -> list[object]:
    """One row's cells in COLUMNS order. An automatic answer is a proposal: its 確認日 is left for the person who
    confirms it; a person's answer keeps the date they gave. The 2nd check is left for the next check."""
    final = f.final
    answer = final.answer if final and final.answer in (YES, NO) else None
    human = final is not None and final.source != "auto"
    return [f.row.number, item_text(f.row, sheet.target, sheet.version, lang), device_text(f.row, lang), answer,
            final.date if human and final and final.date else None, None, None,
            final.target_date if final and final.answer == NO and final.target_date else None,
            remarks(f, sheet, lang) or None]


def _width(text: str) -> float:
    """Display width in column-width units (a Japanese character is nearly two)."""
    return sum(1.8 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def row_height(values: list[object]) -> float:
    """A height that shows every wrapped line (spreadsheets do not grow a row for wrapped text by themselves)."""
    lines = 1
    for value, col in zip(values, LAYOUT, strict=True):
        if isinstance(value, str):
            per = max(int(col.width) - 1, 1)
            lines = max(lines, sum(max(1, math.ceil(_width(part) / per)) for part in value.split("\n")))
    return LINE_HEIGHT * lines + 3


def _setup_page(ws: Worksheet, last_row: int, columns: int, landscape: bool, titles: str | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if titles:
        ws.print_title_rows = titles
    ws.print_area = f"A1:{get_column_letter(columns)}{last_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = "&P / &N"


def _header(ws: Worksheet, lang: str) -> None:
    """Two header rows: 1回目 / 2回目 over their answer and date, every other column name spanning both rows."""
    for col, c in enumerate(LAYOUT, start=1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = c.width
        for r in (GROUP_ROW, HEADER_ROW):
            cell = ws.cell(row=r, column=col)
            cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        if c.group:
            ws.cell(row=HEADER_ROW, column=col, value=message(f"xlsx.col.{c.key}", lang))
            if ws.cell(row=GROUP_ROW, column=col - 1).value != message(f"xlsx.group.{c.group}", lang):
                ws.cell(row=GROUP_ROW, column=col, value=message(f"xlsx.group.{c.group}", lang))
                ws.merge_cells(start_row=GROUP_ROW, start_column=col, end_row=GROUP_ROW, end_column=col + 1)
        else:
            ws.cell(row=GROUP_ROW, column=col, value=message(f"xlsx.col.{c.key}", lang))
            ws.merge_cells(f"{letter}{GROUP_ROW}:{letter}{HEADER_ROW}")
    ws.row_dimensions[GROUP_ROW].height = 18
    ws.row_dimensions[HEADER_ROW].height = 30


def _validations(ws: Worksheet, lang: str) -> tuple[DataValidation, DataValidation]:
    choice = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showDropDown=False,
                            showErrorMessage=True, showInputMessage=True,
                            promptTitle=message("xlsx.choice_title", lang), prompt=message("xlsx.choice_prompt", lang),
                            errorTitle=message("xlsx.choice_title", lang), error=message("xlsx.choice_error", lang))
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                           showErrorMessage=True, errorTitle=message("xlsx.date_title", lang),
                           error=message("xlsx.date_error", lang))
    ws.add_data_validation(choice)
    ws.add_data_validation(dates)
    return choice, dates


def _form_sheet(ws: Worksheet, sheet: Sheet, title: str, facility: str, lang: str) -> dict[str, tuple[int, int]]:
    """Write one form sheet; returns each section's first and last item row (the summary's formulas count them)."""
    last = get_column_letter(len(COLUMNS))
    filled = any(f.final for f in sheet.rows)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = message("xlsx.facility" if sheet.target == TARGETS[0] else "xlsx.supplier", lang, facility=facility)
    ws["A3"] = message("xlsx.how", lang) if filled else \
        message("xlsx.blank", lang, target=message(f"xlsx.target.{TARGETS.index(sheet.target)}", lang))
    ws["A4"] = message("xlsx.legend", lang)
    for r in (1, 2, 3, 4):
        ws.merge_cells(f"A{r}:{last}{r}")
        ws[f"A{r}"].alignment = WRAP
    ws.row_dimensions[1].height = 22
    ws.row_dimensions[3].height = ws.row_dimensions[4].height = 32
    _header(ws, lang)
    choice, dates = _validations(ws, lang)
    spans: dict[str, tuple[int, int]] = {}
    r = HEADER_ROW
    for f in in_order(sheet.rows):
        sec = section_of(f.row.number)
        if sec not in spans:
            r += 1
            cell = ws.cell(row=r, column=1, value=message(f"xlsx.section.{sec}", lang))
            cell.font, cell.fill = Font(bold=True), SECTION_FILL
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(COLUMNS))
        r += 1
        spans[sec] = (spans.get(sec, (r, r))[0], r)
        values = form_row(f, sheet, lang)
        for col, (value, c) in enumerate(zip(values, LAYOUT, strict=True), start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border, cell.alignment = BOX, WRAP
            if c.kind == "date":
                cell.number_format = "yyyy-mm-dd"
            if c.kind == "answer":
                cell.alignment = Alignment(horizontal="center", vertical="top")
                choice.add(cell.coordinate)
            elif c.kind == "date":
                dates.add(cell.coordinate)
            if f.conflict:
                cell.fill = CONFLICT_FILL
        ws.row_dimensions[r].height = row_height(values)
    # Yellow while an answer has no 確認日 (an automatic proposal, until a person confirms and dates it), and a
    # いいえ without its 目標日: conditional, so the marks go away as the person fills the form in.
    items = f"A{FIRST_ROW}:{last}{r}"
    ws.conditional_formatting.add(items, FormulaRule(formula=[f'AND(${ANSWER}{FIRST_ROW}<>"",${DATE1}{FIRST_ROW}="")'],
                                                     fill=UNDATED_FILL))
    ws.conditional_formatting.add(f"{TARGET}{FIRST_ROW}:{TARGET}{r}",
                                  FormulaRule(formula=[f'AND(${ANSWER}{FIRST_ROW}="{NO}",{TARGET}{FIRST_ROW}="")'],
                                              fill=CONFLICT_FILL))
    ws.freeze_panes = f"A{FIRST_ROW}"
    _setup_page(ws, r, len(COLUMNS), landscape=True, titles=f"{GROUP_ROW}:{HEADER_ROW}")
    return spans


def counts(rows: list[Filled]) -> Counter[str]:
    """はい / いいえ / 該当なし / unanswered ('') of a sheet's rows, and 'auto': the answers that are proposals."""
    c: Counter[str] = Counter()
    for f in rows:
        answer = f.final.answer if f.final else ""
        c[answer if answer in (YES, NO, NA) else ""] += 1
        c["auto"] += bool(f.final and f.final.source == "auto")
    return c


SUMMARY = ("sheet", "section", "yes", "no", "na", "none", "auto", "total", "yes_now", "no_now", "undated_now")
SUMMARY_WIDTHS = (15, 40, 7, 7, 8, 8, 12, 7, 10, 10, 13)


def live(name: str, first: int, last: int) -> list[str]:
    """Formulas recounting the 1st-check answers in rows first…last: はい, いいえ, and answers without a 確認日."""
    answers, dated = f"'{name}'!{ANSWER}{first}:{ANSWER}{last}", f"'{name}'!{DATE1}{first}:{DATE1}{last}"
    return [f'=COUNTIF({answers},"{YES}")', f'=COUNTIF({answers},"{NO}")',
            f'=SUMPRODUCT(({answers}<>"")*({dated}=""))']


def _summary_sheet(ws: Worksheet, sheets: list[tuple[Sheet, str, dict[str, tuple[int, int]]]], lang: str) -> None:
    ws["A1"] = message("xlsx.summary_title", lang)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = message("xlsx.summary_note", lang)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(SUMMARY))
    ws["A2"].alignment = WRAP
    ws.row_dimensions[2].height = 32
    for col, (key, width) in enumerate(zip(SUMMARY, SUMMARY_WIDTHS, strict=True), start=1):
        cell = ws.cell(row=4, column=col, value=message(f"xlsx.sum.{key}", lang))
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[4].height = 32
    r = 4
    for sheet, name, spans in sheets:
        groups: dict[str, list[Filled]] = {}
        for f in in_order(sheet.rows):
            groups.setdefault(section_of(f.row.number), []).append(f)
        whole = (min(a for a, _ in spans.values()), max(b for _, b in spans.values())) if spans else (FIRST_ROW,
                                                                                                        FIRST_ROW)
        for sec, rows in [*groups.items(), ("*", sheet.rows)]:
            r += 1
            c = counts(rows)
            label = message("xlsx.sum.all", lang) if sec == "*" else message(f"xlsx.section.{sec}", lang)
            values: list[object] = [name, label, c[YES], c[NO], c[NA], c[""], c["auto"], len(rows),
                                    *live(name, *(whole if sec == "*" else spans[sec]))]
            for i, v in enumerate(values, start=1):
                cell = ws.cell(row=r, column=i, value=v)
                cell.border = BOX
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if sec == "*":
                    cell.font = Font(bold=True)
    _setup_page(ws, r, len(SUMMARY), landscape=False, titles="4:4")


def write_form(sheets: list[Sheet], out: Path, title: str, version: str, facility: str, lang: str = "ja") -> None:
    """The workbook: one form sheet per target (医療機関確認用, 事業者確認用), then the summary sheet. `version` is
    the version's label in the item data (its working notes are left out of the title)."""
    wb = Workbook()
    wb.remove(wb.active)
    named: list[tuple[Sheet, str, dict[str, tuple[int, int]]]] = []
    for sheet in sheets:
        name = message(f"xlsx.sheet.{TARGETS.index(sheet.target)}", lang)
        heading = message("xlsx.title", lang, title=title, version=version_label(version), sheet=name)
        named.append((sheet, name, _form_sheet(wb.create_sheet(name), sheet, heading, facility, lang)))
    _summary_sheet(wb.create_sheet(message("xlsx.sheet.summary", lang)), named, lang)
    wb.calculation.fullCalcOnLoad = True  # the summary's formulas are counted when the file is opened
    wb.save(out)
