"""The terminal writer: Japanese wrapped at character boundaries (never short at a space mid-sentence), dates never
cut, `rules list` within 80 columns, `rules check --problems` counted per reason, progress in MB, and every
command's exit codes in both READMEs."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from builders.cli import commands
from builders.corpus import SHARED, need
from wardwatch.cli import app
from wardwatch.model import InputFile
from wardwatch.report.progress import ScanProgress
from wardwatch.report.terminal import Terminal
from wardwatch.report.wrap import NO_BREAK_AFTER, NO_BREAK_BEFORE, break_offsets

ROOT = Path(__file__).resolve().parents[1]
DATE_CUT = re.compile(r"\d{4}-\d{0,2}-?\d{0,2}…")  # 「2022-10-…」


def _lines(text: str, width: int) -> list[str]:
    cuts = [0, *break_offsets(text, width), len(text)]
    return [text[a:b].rstrip() for a, b in zip(cuts, cuts[1:], strict=False)]


TEXT = st.lists(st.sampled_from(["パスワード", "推測", "うち", "1,989", "回は", "、", "。", "（", "）", "「", "」",
                                 "Administrator", "KYUSHOKU-SV", " ", " ", "2022-10-31 04:07:12 JST", "ログオン"]),
                min_size=1, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=8, max_value=100))
def test_wrapped_lines_fit_keep_kinsoku_and_break_at_a_space_only_when_the_next_part_does_not_fit(text: str,
                                                                                                  width: int) -> None:
    assume(not re.search(r"[（「] |[、。（）「」]( ?[、。（）「」]){2}", text))  # punctuation runs: folded anywhere
    lines = _lines(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost, nothing added
    for n, line in enumerate(lines):
        word = max(re.split(r"[ 　]", line), key=cell_len)
        assert cell_len(line) <= width or cell_len(word) > width or len(line) <= 2, (line, width)
        if n and line:
            assert line[0] not in NO_BREAK_BEFORE or cell_len(line[0]) == 1, (lines[n - 1], line)  # 、。）」 start none
        if n + 1 < len(lines) and line:
            assert line[-1] not in NO_BREAK_AFTER, (line, lines[n + 1])  # （「 never end a line
    cuts = [0, *break_offsets(text, width)]
    for prev, cut in zip(cuts, cuts[1:], strict=False):
        ch, after = text[cut], text[cut + 1:cut + 2]
        alone = cell_len(ch) == 2 and ch not in NO_BREAK_AFTER and (not after or (cell_len(after) == 2
                                                                                  and after not in NO_BREAK_BEFORE))
        if text[cut - 1] == " " and alone:  # broken at a space before a Japanese character that stands alone:
            assert cell_len(text[prev:cut]) + 2 > width, (text[prev:cut], ch, width)  # only because it did not fit


def test_a_japanese_sentence_goes_on_after_a_number_instead_of_breaking_at_its_space() -> None:
    text = "送信元: 不明（記録なし）。うち 1,989 回は実在するアカウントへのパスワード間違い（SubStatus 0xC000006A）。"
    for width in range(20, 80):
        lines = _lines(text, width)
        for a in lines[:-1]:
            if a.endswith("1,989"):  # the space after it is a break only when 「回」 would not fit
                assert cell_len(a) + 1 + cell_len("回") > width, (width, lines)


def _demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: int) -> tuple[str, dict]:
    monkeypatch.chdir(tmp_path)  # relative paths: the output never depends on the temporary folder's length
    res = CliRunner().invoke(app, ["demo", "--out", f"demo{columns}"], env={"COLUMNS": str(columns)},
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output, json.loads((tmp_path / f"demo{columns}" / "result" / "findings.json").read_text("utf-8"))


@pytest.mark.parametrize("columns", [80, 120])
def test_demo_terminal_never_cuts_japanese_at_a_space_nor_a_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 columns: int) -> None:
    out, data = _demo(tmp_path, monkeypatch, columns)
    lines = out.splitlines()
    assert all(cell_len(line) <= columns for line in lines), max(lines, key=cell_len)
    assert not DATE_CUT.search(out), DATE_CUT.search(out)
    assert "…" not in out.replace("… ほか", "").replace(" …", "")  # nothing cut with an ellipsis
    sources = json.dumps(data, ensure_ascii=False)  # every text the terminal shows, as findings.json holds it
    checked = 0
    for a, b in zip(lines, lines[1:], strict=False):
        if not (a.startswith("│ ") and a.endswith(" │") and b.startswith("│ ") and b.endswith(" │")):
            continue  # the prose is in the verdict and incident panels
        inner = cell_len(a) - 4
        left, right = a[2:-2].rstrip(), b[2:-2].strip()
        if not left or not right or cell_len(right[0]) != 2 or right[0] in NO_BREAK_BEFORE:
            continue
        if f"{left[-8:]} {right[:3]}" in sources:  # the line was broken at a space before Japanese text
            unit = right[0] + "".join(c for c in right[1:3] if c in NO_BREAK_BEFORE)
            checked += 1
            assert cell_len(left) + 1 + cell_len(unit) > inner, (columns, left, right)
    table = [line for line in lines if re.match(r"^(重大|高|中|低)\s+\S", line)]
    assert len(table) == 15 and all(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", line) for line in table), table
    assert checked or columns == 120  # at 80 columns some breaks fall at spaces: each was checked


def test_the_demo_at_80_columns_no_longer_reads_uchi_1989_then_kai_wa(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = _demo(tmp_path, monkeypatch, 80)
    assert "うち 1,989\n" not in out and not re.search(r"うち 1,989\s+│\n│ 回は", out)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("columns", [80, 120])
def test_rules_list_fits_the_terminal(lang: str, columns: int) -> None:
    res = CliRunner().invoke(app, ["rules", "list", "--lang", lang], env={"COLUMNS": str(columns)},
                             catch_exceptions=False)
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert all(cell_len(line) <= columns for line in lines), max(lines, key=cell_len)
    assert "brute-force" in res.output and "breach-after-guessing" in res.output  # ids whole, never folded
    assert "…" not in res.output


def test_rules_check_problems_counts_each_reason_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    sigma = need(SHARED / "sigma")
    from wardwatch.sigma import check_rules
    expected = Counter(st.reason for st in check_rules([sigma]) if not st.will_run)
    res = CliRunner().invoke(app, ["rules", "check", "--problems", "--lang", "en", str(sigma)],
                             env={"COLUMNS": "80"}, catch_exceptions=False)
    assert res.exit_code == (1 if expected else 0)  # the code README.md documents
    lines = res.output.splitlines()
    heads = {m.group(1): int(m.group(2).replace(",", "")) for line in lines
             if (m := re.fullmatch(r"(\S.*)  \(([\d,]+) rules?\)", line))}
    assert heads == dict(expected)
    listed = [line for line in lines if line.startswith("  ") and line.strip().endswith((".yml", ".yaml", ")"))
              or line.startswith("  ") and ".yml  " in line]
    assert len(listed) == sum(expected.values()), listed[:5]  # only the rules that will not run
    assert len(lines) < 2 * sum(expected.values()) + 50  # not the 24,000 lines of the full table
    bad = sum(expected.values())
    assert lines[-1].endswith(f"; {bad:,} will not.")
    for reason, n in expected.items():
        assert any(line.startswith(reason[:40]) and line.endswith(f" {n:,}") for line in lines), reason


def test_rules_check_of_a_good_rule_exits_0(tmp_path: Path) -> None:
    rule = tmp_path / "r.yml"
    rule.write_text("title: t\nid: 5a3bcb16-1c1e-4c5c-9a63-6e0a6c0c0a01\nlogsource: {product: windows, service: "
                    "security}\ndetection:\n  s: {EventID: 4625}\n  condition: s\nlevel: low\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["rules", "check", "--problems", str(rule)], catch_exceptions=False)
    assert res.exit_code == 0 and "1 件のルールのうち 1 件は実行でき、0 件は実行できません" in res.output


@pytest.mark.parametrize("lang, left", [("ja", "残り"), ("en", "left")])
def test_progress_shows_mb_events_and_time_left(lang: str, left: str) -> None:
    console = Console(record=True, force_terminal=True, width=100)
    progress = ScanProgress(310_000_000, lang, console)
    progress.on_file(InputFile("a.evtx", "", 12_400_000), 12_400_000)
    progress.on_file(InputFile("b.zip!c.evtx", "", 5_000_000), 5_000_000)  # inside a zip: counted with the zip
    progress.on_events(2164)
    console.print(progress.bar.make_tasks_table(progress.bar.tasks))
    text = console.export_text()
    assert "12.4/310.0 MB" in text and "2,164" in text and left in text, text
    assert "12400000" not in text


def test_findings_lines_translate_the_severity_and_show_brackets_as_text() -> None:
    from wardwatch.checks.finding import make, spec_of
    from wardwatch.model import Severity, Text
    console = Console(record=True, width=60)
    spec = spec_of("net-scan", Severity.HIGH, Text("スキャン", "Scan"), Text("", ""))  # no facts: none declared
    f = make(spec, summary=Text("[bold]10.0.0.1[/bold] が 30 台のアドレスに接続しました。うち 1,989 回"
                                                "は失敗", "[bold]10.0.0.1[/bold] touched 30 addresses"))
    Terminal("ja", console).findings([f])
    text = console.export_text()
    assert text.startswith("[高] net-scan — [bold]10.0.0.1[/bold]") or text.startswith("[中] net-scan"), text
    assert "[bold]10.0.0.1[/bold]" in text  # a summary is text, never markup
    assert all(line.startswith(" " * 5) for line in text.splitlines()[1:]), text  # wrapped under the summary


@pytest.mark.parametrize("readme, heading", [("README.md", "## Exit codes of every command"),
                                             ("README.ja.md", "## コマンドごとの終了コード")])
def test_every_command_has_its_exit_codes_in_the_readme(readme: str, heading: str) -> None:
    text = (ROOT / readme).read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    missing = [name for name in commands() if not any(f"`{name}`" in row for row in rows)]
    assert not missing, f"{readme}: add the exit codes of {missing}"


def test_a_summary_that_fails_is_one_error_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Terminal, "incidents", broken)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["demo", "--out", "d"], catch_exceptions=False)
    assert res.exit_code == 1 and "the summary could not be shown (RuntimeError: boom); the results are in d/result" \
        in " ".join(res.output.split())
    assert (tmp_path / "d" / "result" / "findings.json").exists()
