"""The hospital apps mounted the way cli.py will mount them: init → check → fill end to end."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from wardwatch.hospital.cli import checklist_app, inventory_app


def _root() -> typer.Typer:
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    app.add_typer(inventory_app, name="inventory")
    app.add_typer(checklist_app, name="checklist")
    return app


def test_end_to_end(tmp_path: Path) -> None:
    run = CliRunner()
    inv = tmp_path / "inventory.yml"
    assert run.invoke(_root(), ["inventory", "init", str(inv), "--kind", "clinic"], catch_exceptions=False).exit_code == 0
    res = run.invoke(_root(), ["inventory", "check", str(inv), "--out", str(tmp_path / "inv")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    res = run.invoke(_root(), ["checklist", "fill", "--inventory", str(inv), "--scan", str(tmp_path / "inv" / "findings.json"),
                               "--out", str(tmp_path / "cl")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    ws = load_workbook(tmp_path / "cl" / "checklist.xlsx").active
    assert "令和7年度版" in ws["A1"].value and ws["A2"].value == "医療機関名: ○○クリニック"
    numbers = [r[0].value for r in ws.iter_rows(min_row=5)]
    assert "2-⑦" in numbers and "1-①" in numbers
    schema = run.invoke(_root(), ["inventory", "schema"], catch_exceptions=False)
    assert json.loads(schema.output)["title"] == "WardWatch hospital inventory"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    run = CliRunner()
    assert run.invoke(_root(), ["inventory", "init", str(tmp_path / "x.yml"), "--kind", "zoo"]).exit_code == 2
    assert run.invoke(_root(), ["checklist", "fill", "--version", "R9", "--out", str(tmp_path / "o")]).exit_code == 2
    notjson = tmp_path / "f.json"
    notjson.write_text("{}", "utf-8")
    inv = tmp_path / "i.yml"
    run.invoke(_root(), ["inventory", "init", str(inv)])
    res = run.invoke(_root(), ["inventory", "check", str(inv), "--audit", str(notjson)])
    assert res.exit_code == 2 and "findings.json" in res.output
