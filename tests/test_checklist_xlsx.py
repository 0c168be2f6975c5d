"""checklist.xlsx as the MHLW form, read back with openpyxl: sections, official order, はい/いいえ drop-downs, empty
確認日 for automatic answers, both sheets, A4 print settings, and a summary that counts the answers."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from builders.inventories import segmented_hospital, write
from openpyxl import load_workbook
from typer.testing import CliRunner

from wardwatch.hospital.cli import checklist_app
from wardwatch.hospital.xlsxform import HEADER_ROW, order_key, version_label

ANSWERS = """\
checklist_version: R7
target: 医療機関
answers:
  2-(7) 医療情報システム全般: {answer: いいえ, date: 2026-04-01, target_date: 2026-09-30, note: 更新計画あり}
  3-(3): {answer: はい, date: 2026-04-02}
"""


def _fill(tmp_path: Path, *extra: str) -> Any:
    inv = write(tmp_path, "h.yml", segmented_hospital())
    ans = tmp_path / "answers.yml"
    ans.write_text(ANSWERS, "utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(checklist_app, ["fill", "--inventory", str(inv), "--answers", str(ans), "--out", str(out),
                                             *extra], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return load_workbook(out / "checklist.xlsx")


def _items(ws: Any) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0] and r[2]]


def test_sections_and_official_order(tmp_path: Path) -> None:
    ws = _fill(tmp_path)["医療機関確認用"]
    first = [r[0] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0]]
    headings = [v for v in first if str(v)[1:2] == " "]
    assert headings[:4] == ["0 医療情報システムの有無", "1 体制構築", "2 医療情報システムの管理・運用",
                            "3 インシデント発生に備えた対応"]
    numbers = [r[0] for r in _items(ws)]
    assert numbers == sorted(numbers, key=order_key)
    section2 = [n for n in dict.fromkeys(numbers) if n.startswith("2-")]
    assert section2 == ["2-①", "2-②", "2-③", "2-④", "2-⑤", "2-⑥", "2-⑦", "2-⑧", "2-⑨", "2-⑩", "2-⑪", "2-⑫", "2-⑬"]
    assert numbers.index("2-⑥") < numbers.index("2-⑪") and numbers.index("2-⑩") < numbers.index("3-①")
    devices = [r[2] for r in _items(ws) if r[0] == "2-④"]
    assert devices == ["サーバ", "端末PC"]  # the device rows of one item, in the form's order
    assert "WG" not in ws["A1"].value and "令和7年度版" in ws["A1"].value  # no working notes in the title


def test_dropdowns_dates_and_automatic_proposals(tmp_path: Path) -> None:
    ws = _fill(tmp_path)["医療機関確認用"]
    rows = {(r[0], r[2]): r for r in _items(ws)}
    validations = {str(dv.formula1): dv for dv in ws.data_validations.dataValidation}
    choice = validations['"はい,いいえ"']
    item_rows = [r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 3).value]
    for r in item_rows:
        assert f"D{r}" in choice.sqref and f"F{r}" in choice.sqref  # 1st and 2nd answers: はい / いいえ only
    autos = [r for r in rows.values() if r[8] and "自動判定（要確認）" in r[8]]
    assert autos and all(r[4] is None and r[6] is None for r in autos)  # 確認日 left for the person who confirms
    human = rows[("2-⑥", "医療情報システム全般")]
    assert human[3] == "いいえ" and str(human[4])[:10] == "2026-04-01" and str(human[7])[:10] == "2026-09-30"
    assert "更新計画あり" in human[8]
    assert str(rows[("3-③", "-")][4])[:10] == "2026-04-02"


def test_two_sheets_print_settings_and_summary(tmp_path: Path) -> None:
    wb = _fill(tmp_path)
    assert wb.sheetnames == ["医療機関確認用", "事業者確認用", "集計"]
    vendor = wb["事業者確認用"]
    assert _items(vendor) and all(r[3] is None for r in _items(vendor))  # blank: the supplier fills it in
    assert "0" not in [r[0] for r in _items(vendor)]
    for ws in (wb["医療機関確認用"], vendor):
        assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert ws.print_area
    summary = {(r[0], r[1]): r for r in wb["集計"].iter_rows(min_row=5, values_only=True) if r[0]}
    answers = [r[3] for r in _items(wb["医療機関確認用"])]
    total = summary[("医療機関確認用", "合計")]
    assert total[2] == answers.count("はい") and total[3] == answers.count("いいえ")
    assert total[5] == answers.count(None) and total[6] == len(answers)
    assert total[7] == "=COUNTIF('医療機関確認用'!D:D,\"はい\")"
    assert summary[("事業者確認用", "合計")][5] == len(_items(vendor))


@pytest.mark.parametrize("lang", ["en"])
def test_english_sheets(tmp_path: Path, lang: str) -> None:
    wb = _fill(tmp_path, "--lang", lang)
    assert wb.sheetnames == ["For the hospital", "For suppliers", "Summary"]
    ws = wb["For the hospital"]
    assert [c.value for c in ws[HEADER_ROW]][:4] == ["No.", "Item", "Devices", "Answer (1st check)"]


def test_version_label_and_order_key() -> None:
    assert version_label("令和7年度版（2025-05公表、2025-03-13 WG第24回で案）") == "令和7年度版"
    assert order_key("2-(11)") > order_key("2-(9)") and order_key("2-⑪") > order_key("2-⑥")
    assert order_key("規程類") > order_key("3-③") > order_key("2-⑬") > order_key("1-①") > order_key("0")
