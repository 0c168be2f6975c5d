"""checklist.xlsx as the MHLW form, read back with openpyxl: sections and the official order (from the shared
reference list), the form's sentences with summaries marked, はい/いいえ drop-downs on every answer cell, no 確認日
for automatic proposals, both sheets, A4 print settings, and a summary whose counts and formulas match the answers."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders.corpus import SHARED, need
from builders.inventories import segmented_hospital, write
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from typer.testing import CliRunner

from wardwatch.hospital.checklist import load_items
from wardwatch.hospital.cli import checklist_app
from wardwatch.hospital.xlsxform import COLUMNS, FIRST_ROW, GROUP_ROW, HEADER_ROW, order_key, version_label

ANSWERS = """\
checklist_version: {version}
target: 医療機関
answers:
  {patch}: {{answer: いいえ, date: 2026-04-01, target_date: 2026-09-30, note: 更新計画あり}}
  3-(3): {{answer: はい, date: 2026-04-02}}
  1-(1): {{answer: いいえ, date: 2026-04-03, target_date: 2026-10-01}}
"""
PATCH = {"R7": "2-(7) 医療情報システム全般", "R6": "2-(7) サーバ"}
COL = {k: i for i, k in enumerate(COLUMNS)}
SHEETS = ("医療機関確認用", "事業者確認用")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬"


def _fill(tmp: Path, version: str = "R7", *extra: str) -> Path:
    inv = write(tmp, "h.yml", segmented_hospital())
    ans = tmp / "answers.yml"
    ans.write_text(ANSWERS.format(version=version, patch=PATCH[version]), "utf-8")
    out = tmp / "out"
    res = CliRunner().invoke(checklist_app, ["fill", "--inventory", str(inv), "--answers", str(ans), "--out", str(out),
                                             "--version", version, *extra], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out / "checklist.xlsx"


@pytest.fixture(scope="module")
def r7(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fill(tmp_path_factory.mktemp("r7"))


def _items(ws: Any) -> list[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of every item row: a number and a device cell (section headings have neither)."""
    rows = enumerate(ws.iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW)
    return [(r, (*v[:-1], v[-1] or "")) for r, v in rows if v[COL["number"]] and v[COL["device"]]]  # 備考 as text


def _headings(ws: Any) -> list[str]:
    return [str(v[0]) for v in ws.iter_rows(min_row=FIRST_ROW, values_only=True) if v[0] and not v[COL["device"]]]


def _reference() -> dict[str, Any]:
    return dict(yaml.safe_load(need(SHARED / "reference" / "checklist.yaml").read_text("utf-8")))


def _official_r7(ref: dict[str, Any], target: str) -> list[str]:
    """The R7 numbers in the official order, read from the reference list alone: section, then circled number;
    items whose place is not known (規程類) last."""
    numbers = []
    for it in [*ref["items"], *ref["r7_new_items"]]:
        if target not in it.get("targets", [target]):
            continue
        m = re.search(r"\d-[①-⑬]", str(it.get("r7_id") or it["id"]))
        numbers.append(m.group(0) if m else "0" if it["id"] == "0" else str(it["id"]).split()[0])

    def key(n: str) -> tuple[int, int]:
        return (int(n[0]), CIRCLED.index(n[2]) if len(n) > 2 else 0) if n[0].isdigit() else (9, 0)
    return sorted(numbers, key=key)


def test_sections_in_order_with_headings(r7: Path) -> None:
    wb = load_workbook(r7)
    assert _headings(wb["医療機関確認用"]) == ["0 医療情報システムの有無", "1 体制構築", "2 医療情報システムの管理・運用",
                                              "3 インシデント発生に備えた対応", "その他（番号未確認の項目）"]
    assert _headings(wb["事業者確認用"]) == ["1 体制構築", "2 医療情報システムの管理・運用", "その他（番号未確認の項目）"]
    ws = wb["医療機関確認用"]
    assert "WG" not in ws["A1"].value and "案" not in ws["A1"].value and "令和7年度版" in ws["A1"].value
    assert version_label("令和7年度版（2025-05公表、2025-03-13 WG第24回で案）") == "令和7年度版"


@pytest.mark.parametrize("target", ["医療機関", "事業者"])
def test_items_in_the_official_order_of_the_reference(r7: Path, target: str) -> None:
    ws = load_workbook(r7)[SHEETS[("医療機関", "事業者").index(target)]]
    numbers = list(dict.fromkeys(v[COL["number"]] for _, v in _items(ws)))
    assert numbers == _official_r7(_reference(), target)
    if target == "医療機関":
        assert numbers[numbers.index("2-①"):numbers.index("3-①")] == [f"2-{c}" for c in CIRCLED]


def test_r6_order_is_the_reference_item_order(tmp_path: Path) -> None:
    ref = _reference()
    ws = load_workbook(_fill(tmp_path, "R6"))["医療機関確認用"]
    numbers = list(dict.fromkeys(v[COL["number"]] for _, v in _items(ws)))
    assert numbers == [it["id"] for it in ref["items"]]  # the reference lists the R5/R6 items in the form's order
    devices = [v[COL["device"]] for _, v in _items(ws) if v[COL["number"]] == "2-(7)"]
    assert devices == ["サーバ", "端末PC", "ネットワーク機器"]


def test_device_rows_and_sentences(r7: Path) -> None:
    ws = load_workbook(r7)["医療機関確認用"]
    rows = [v for _, v in _items(ws)]
    devices: dict[str, list[str]] = {}
    for v in rows:
        devices.setdefault(v[COL["number"]], []).append(v[COL["device"]])
    assert devices["2-④"] == devices["2-⑤"] == devices["2-⑫"] == ["サーバ", "端末PC"]
    assert devices["2-⑪"] == ["サーバ"] and devices["2-⑬"] == ["ネットワーク機器"]
    assert devices["2-①"] == devices["2-⑥"] == ["医療情報システム全般"]
    items = {str(it.get("r7_id") or it["id"]): it for it in load_items()["items"]}
    for v in rows:
        item = items[v[COL["number"]]]
        text = v[COL["item"]]
        assert text.startswith(item["sentence"])  # the form's sentence, not the short name
        summary = "R7" in (item.get("wording_unconfirmed") or [])
        assert text.endswith("※要約") == summary and ("※文言は要約" in v[COL["remarks"]]) == summary
    # what the reference list says it could not confirm is marked: the wording of the R7 additions, and numbers
    ref = _reference()
    doubtful = {it["id"].split()[0] for it in ref["r7_new_items"]
                if re.search(r"unconfirmed|not retrieved", str(it.get("confidence")))}
    marked = {v[COL["number"]] for v in rows if v[COL["item"]].endswith("※要約")}
    assert doubtful - {"2-⑩"} <= marked and "2-⑩" in marked and "規程類" in marked
    guessed = {v[COL["number"]] for v in rows if "※番号は" in v[COL["remarks"]]}
    assert {"2-⑪", "2-⑩", "規程類"} <= guessed and "2-①" not in guessed
    vendor = {v[COL["number"]]: v[COL["item"]] for _, v in _items(load_workbook(r7)["事業者確認用"])}
    assert vendor["2-③"].startswith("医療機関に製造業者/サービス事業者による")  # the supplier's own sentence


def test_every_answer_cell_is_a_hai_iie_dropdown(r7: Path) -> None:
    for name in SHEETS:
        ws = load_workbook(r7)[name]
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert [dv.formula1 for dv in lists] == ['"はい,いいえ"'] and lists[0].showErrorMessage
        dates = next(dv for dv in ws.data_validations.dataValidation if dv.type == "date")
        answer_cells = {f"{c}{r}" for r, _ in _items(ws) for c in "DF"}
        assert {str(c) for rng in lists[0].sqref.ranges for c in _cells(str(rng))} == answer_cells
        assert {f"{c}{r}" for r, _ in _items(ws) for c in "EGH"} <= {str(c) for rng in dates.sqref.ranges
                                                                     for c in _cells(str(rng))}
        assert all(v[COL["result1"]] in ("はい", "いいえ", None) for _, v in _items(ws))


def _cells(rng: str) -> list[str]:
    lo_c, lo_r, hi_c, hi_r = range_boundaries(rng)
    letters = "ABCDEFGHI"
    return [f"{letters[c - 1]}{r}" for r in range(lo_r, hi_r + 1) for c in range(lo_c, hi_c + 1)]


def test_automatic_answers_are_proposals_without_a_date(r7: Path) -> None:
    wb = load_workbook(r7)
    ws = wb["医療機関確認用"]
    rows = {(v[COL["number"]], v[COL["device"]]): v for _, v in _items(ws)}
    autos = [v for v in rows.values() if "自動判定（要確認）" in v[COL["remarks"]]]
    assert len(autos) >= 5
    for v in autos:
        assert v[COL["result1"]] in ("はい", "いいえ") and v[COL["date1"]] is None and v[COL["date2"]] is None
        evidence = v[COL["remarks"]].split("自動判定（要確認）", 1)[1]
        assert re.search(r"\n・\S", evidence)  # the evidence it rests on, one line each
    assert "people.safety_manager" not in "".join(v[COL["remarks"]] for v in autos)  # worded, not a YAML path
    patch = rows[("2-⑥", "医療情報システム全般")]  # a person's answer keeps its own dates
    assert patch[COL["result1"]] == "いいえ" and str(patch[COL["date1"]])[:10] == "2026-04-01"
    assert str(patch[COL["target"]])[:10] == "2026-09-30" and "更新計画あり" in patch[COL["remarks"]]
    assert str(rows[("3-③", "-")][COL["date1"]])[:10] == "2026-04-02"
    conflict = rows[("1-①", "-")]
    assert conflict[COL["result1"]] == "いいえ" and "食い違い" in conflict[COL["remarks"]]
    dated = [c.value for s in SHEETS for row in wb[s].iter_rows() for c in row if isinstance(c.value, datetime)]
    assert date.today() not in {d.date() for d in dated}  # nobody "checked today": only the people's own dates
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert any("$E" in f and '<>""' in f for r in rules for f in r.formula)  # yellow until a person dates it


def test_two_sheets_and_a4_print_settings(r7: Path) -> None:
    wb = load_workbook(r7)
    assert wb.sheetnames == [*SHEETS, "集計"]
    vendor = wb["事業者確認用"]
    assert _items(vendor) and all(v[COL["result1"]] is None for _, v in _items(vendor))  # the supplier fills it in
    assert "事業者名" in vendor["A2"].value
    ref = _reference()
    hospital_only = {re.search(r"\d-[①-⑬]", str(it["r7_id"])).group(0) for it in ref["items"]  # type: ignore[union-attr]
                     if it.get("targets") == ["医療機関"] and it["id"] != "0"}
    assert hospital_only == {"3-①", "3-②", "3-③"}
    assert not hospital_only & {v[COL["number"]] for _, v in _items(vendor)}
    for ws in (wb[SHEETS[0]], vendor):
        setup = ws.page_setup
        assert str(setup.paperSize) == str(ws.PAPERSIZE_A4) and setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
        assert ws.print_title_rows == f"${GROUP_ROW}:${HEADER_ROW}"
        assert ws.print_area == f"'{ws.title}'!$A$1:$I${ws.max_row}"
        assert [ws.cell(GROUP_ROW, c).value for c in (1, 2, 3, 4, 6, 8, 9)] == \
            ["番号", "確認項目", "対象機器", "1回目", "2回目", "目標日\n（いいえの場合）", "備考"]
        assert [ws.cell(HEADER_ROW, c).value for c in (4, 5, 6, 7)] == ["確認結果", "確認日", "確認結果", "確認日"]
    summary = wb["集計"]
    assert summary.page_setup.fitToWidth == 1 and str(summary.page_setup.paperSize) == str(summary.PAPERSIZE_A4)


def _recount(wb: Any, formula: str) -> int:
    """What the spreadsheet will compute for one of the summary's formulas, from the cells read back."""
    m = re.match(r"=(COUNTIF|SUMPRODUCT)\(+'([^']+)'!([A-Z])(\d+):[A-Z](\d+)", formula)
    assert m, formula
    ws, col, lo, hi = wb[m.group(2)], m.group(3), int(m.group(4)), int(m.group(5))
    answers = [ws[f"{col}{r}"].value for r in range(lo, hi + 1)]
    if m.group(1) == "COUNTIF":
        return answers.count(re.search(r',"(.+)"\)$', formula).group(1))  # type: ignore[union-attr]
    dated = [ws[f"E{r}"].value for r in range(lo, hi + 1)]
    return sum(1 for a, d in zip(answers, dated, strict=True) if a and d is None)


def test_summary_counts_equal_the_answers(r7: Path) -> None:
    wb = load_workbook(r7)
    rows = [r for r in wb["集計"].iter_rows(min_row=5, values_only=True) if r[0]]
    for name in SHEETS:
        ws = wb[name]
        items = [v for _, v in _items(ws)]
        mine = {r[1]: r for r in rows if r[0] == name}
        total = mine["合計"]
        answers = [v[COL["result1"]] for v in items]
        assert total[2:8] == (answers.count("はい"), answers.count("いいえ"), 0, answers.count(None),
                              sum("自動判定（要確認）" in v[COL["remarks"]] for v in items), len(items))
        for heading in _headings(ws):
            section = [v for v in items if order_key(v[COL["number"]])[0] == order_key(heading[0])[0]]
            got = mine[heading]
            assert got[2] == [v[COL["result1"]] for v in section].count("はい") and got[7] == len(section)
        for r in mine.values():  # the live formulas count the same cells as the values beside them
            assert [_recount(wb, f) for f in r[8:11]] == [r[2], r[3], r[6]]
    assert wb.calculation.fullCalcOnLoad


def test_english_sheets_keep_the_japanese_sentence(tmp_path: Path) -> None:
    wb = load_workbook(_fill(tmp_path, "R7", "--lang", "en"))
    assert wb.sheetnames == ["For the hospital", "For suppliers", "Summary"]
    ws = wb["For the hospital"]
    assert [ws.cell(GROUP_ROW, c).value for c in (1, 2, 3, 4)] == ["No.", "Item", "Devices", "1st check"]
    assert _headings(ws)[1] == "1 Organisation (体制構築)"
    first = {v[COL["number"]]: v for _, v in _items(ws)}["1-①"]
    assert first[COL["item"]] == ("A safety manager for the medical information systems has been appointed.\n"
                                  "医療情報システム安全管理責任者を設置している。")
    assert first[COL["result1"]] == "いいえ"  # the form's words, whatever the language of the sheet


def test_printed_pages_fit_a4_with_repeated_headings(r7: Path, tmp_path: Path) -> None:
    """Printed through LibreOffice where it is installed: A4 landscape pages, every column on the page (fit to
    width), the column headings repeated on every page of a form sheet."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice and poppler-utils are not installed (apt-get install libreoffice-calc poppler-utils)")
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(r7)], check=True,
                   capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "checklist.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "A4" in info
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    forms = [p for p in pages if p.strip() and "チェックリスト集計" not in p]
    assert len(forms) >= 2 and all("確認項目" in p and "備考" in p and "目標日" in p for p in forms)
    items = [v[COL["number"]] for name in SHEETS for _, v in _items(load_workbook(r7)[name])]
    printed = "".join(forms)
    assert all(n in printed for n in items)  # no row falls off the print area
