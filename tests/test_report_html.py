"""Tests for the offline HTML report and its timeline SVG, on an OGMC-like scan result."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

from wardwatch.model import (Coverage, Evidence, Finding, Incident, InputFile, ReadProblem, ScanResult, Severity,
                             Text)
from wardwatch.report.html import render_html, write_html
from wardwatch.report.labels import format_time
from wardwatch.report.svg import timeline_svg

JST = timezone(timedelta(hours=9))
EVIL = "<script>alert('x')</script>"


def jst(h: int, m: int, s: int, day: int = 31) -> datetime:
    """A JST wall-clock time on 2022-10-31, returned as UTC like the engine gives it."""
    return datetime(2022, 10, day, h, m, s, tzinfo=JST).astimezone(timezone.utc)


def finding(rule: str, sev: Severity, host: str | None, first: datetime | None, last: datetime | None,
            count: int, title: str, **kw: object) -> Finding:
    return Finding(rule=rule, severity=sev, host=host, first_seen=first, last_seen=last, count=count,
                   title=Text(title, title + " (en)"), summary=Text(f"{title} の説明", f"About {title}"),
                   advice=Text("確認してください", "Please check"), **kw)  # type: ignore[arg-type]


def sample_result(lang: str = "ja") -> ScanResult:
    evidence = [Evidence("C:/logs/KYUSHOKU-SV/Security.evtx", 100000 + i) for i in range(60)]
    brute = finding("brute-force", Severity.HIGH, "KYUSHOKU-SV", jst(4, 7, 12), jst(9, 31, 20), 1989,
                    "パスワードの総当たり", accounts=["Administrator"], sources=["203.0.113.45"],
                    evidence=evidence, evidence_total=1989, seed="OGMC 2022 調査報告書", phase="credential-access",
                    facts={"failures": 1989, "rate_per_min": 6.14, "logon_type": 10})
    breach = finding("breach-after-guessing", Severity.CRITICAL, "KYUSHOKU-SV", jst(4, 7, 14), jst(4, 7, 14), 1,
                     "推測の後にログオン成功", accounts=["Administrator"], sources=["203.0.113.45"],
                     evidence=[Evidence("C:/logs/KYUSHOKU-SV/Security.evtx", 100061)], evidence_total=1,
                     phase="initial-access")
    tool = finding("attack-tool", Severity.HIGH, "KYUSHOKU-SV", jst(4, 18, 5), jst(4, 18, 5), 1,
                   "攻撃ツール Advanced IP Scanner のインストール", accounts=[EVIL], phase="discovery",
                   facts={"tool": "Advanced IP Scanner", "path": EVIL})
    rdp_in = [
        finding("rdp-logon", Severity.INFO, "KYUSHOKU-SV", jst(4, 7, 14), jst(4, 31, 0), 3, "RDP ログオン",
                accounts=["Administrator"], sources=["203.0.113.45"]),
        finding("rdp-logon", Severity.MEDIUM, "DENKARU-SV", jst(5, 10, 2), jst(5, 12, 40), 2, "RDP ログオン",
                accounts=["Administrator"], sources=["10.0.0.5"]),
    ]
    rdp_out = finding("rdp-outbound", Severity.MEDIUM, "KYUSHOKU-SV", jst(5, 9, 58), jst(5, 9, 58), 1,
                      "サーバーから他のコンピューターへの RDP", accounts=["Administrator"],
                      facts={"destinations": ["10.0.0.7"]}, phase="lateral-movement")
    untimed = finding("audit-policy", Severity.LOW, "SOGO-PC", None, None, 1, "監査設定の不足")
    findings = [brute, breach, tool, *rdp_in, rdp_out, untimed]
    incident = Incident(
        id="INC-1", severity=Severity.CRITICAL, hosts=["KYUSHOKU-SV", "DENKARU-SV"],
        first_seen=jst(4, 7, 12), last_seen=jst(9, 31, 20),
        phases=["credential-access", "initial-access", "discovery", "lateral-movement"],
        narrative=Text("外部から Administrator のパスワードが推測され、侵入されました。",
                       "The Administrator password was guessed from outside and the attacker got in."),
        actions=Text("1. サーバーをネットワークから外す\n2. Administrator のパスワードを変える",
                     "1. Disconnect the server\n2. Change the Administrator password"),
        findings=[breach, brute, tool, rdp_out],
    )
    coverage = [
        Coverage("KYUSHOKU-SV", "Security", jst(0, 0, 0, 29), jst(12, 0, 0), 52000, 2.5, 1.5),
        Coverage("KYUSHOKU-SV", "System", jst(0, 0, 0, 1), jst(12, 0, 0), 9000, 30.5, 40.0),
    ]
    inputs = [
        InputFile("C:/logs/KYUSHOKU-SV/Security.evtx", "a" * 64, 20 * 1024 * 1024, 52000, "evtx"),
        InputFile("C:/logs/KYUSHOKU-SV/broken.evtx", "b" * 64, 4096, 0, "evtx",
                  errors=[ReadProblem("C:/logs/KYUSHOKU-SV/broken.evtx", "header", "壊れたヘッダー", True)]),
    ]
    return ScanResult(generated_at=datetime(2022, 11, 1, 1, 0, 0, tzinfo=timezone.utc), timezone="Asia/Tokyo",
                      lang=lang, inputs=inputs, findings=findings, incidents=[incident], coverage=coverage,
                      timeline=[], stats={"events": 61000, "hosts": 3, "seconds": 4.2})


def test_no_external_resources() -> None:
    html = render_html(sample_result())
    assert not re.search(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", html, re.I)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html
    assert html.count("<script") == 1  # only our own inline filter script


def test_escaping() -> None:
    html = render_html(sample_result())
    assert EVIL not in html
    assert "&lt;script&gt;" in html


def test_japanese_by_default_and_english() -> None:
    ja = render_html(sample_result())
    assert '<html lang="ja">' in ja
    for heading in ("インシデント", "今すぐやること", "攻撃のタイムライン", "検知の一覧", "ログの期間", "読み込んだファイル"):
        assert heading in ja
    assert "重大" in ja and "<li>サーバーをネットワークから外す</li>" in ja
    en = render_html(sample_result("en"))
    assert '<html lang="en">' in en
    for heading in ("Incidents", "Do this now", "Attack timeline", "All findings", "Log coverage", "Files read"):
        assert heading in en
    assert "今すぐやること" not in en and "critical" in en


def test_times_in_report_zone() -> None:
    html = render_html(sample_result())
    for t in ("2022-10-31 04:07:12 JST", "2022-10-31 09:31:20 JST", "2022-10-31 04:07:14 JST",
              "2022-10-31 04:18:05 JST", "2022-11-01 10:00:00 JST"):
        assert t in html
    assert "Asia/Tokyo" in html
    assert "19:07:12" not in html  # never the raw UTC clock
    assert re.search(r" (\+04:00|\+04|GST)$", format_time(jst(4, 7, 14), "Asia/Dubai"))


def test_timeline_svg_lanes_and_tooltips() -> None:
    html = render_html(sample_result())
    svg = html[html.index("<svg"): html.index("</svg>") + 6]
    root = ET.fromstring(svg)  # well-formed, everything escaped
    lanes = [g for g in root.iter("g") if g.get("class") == "lane"]
    assert sorted(g.get("data-host") or "" for g in lanes) == ["DENKARU-SV", "KYUSHOKU-SV", "SOGO-PC"]
    titles = [t.text or "" for t in root.iter("title")]
    assert any("breach-after-guessing" in t and "推測の後にログオン成功" in t for t in titles)
    assert "時刻不明" in svg  # the untimed finding has its own column
    assert "04:10" in svg or "04:00" in svg or "05:00" in svg  # tick labels in JST


def test_svg_spans_minutes_and_years() -> None:
    short = [finding("x", Severity.HIGH, "A", jst(4, 7, 12), jst(4, 9, 0), 1, "t")]
    svg = timeline_svg(short, "Asia/Tokyo", "ja")
    assert ET.fromstring(svg) is not None and "04:08" in svg
    long = [finding("x", Severity.LOW, "A", datetime(2019, 1, 5, tzinfo=timezone.utc),
                    datetime(2023, 6, 1, tzinfo=timezone.utc), 1, "t"),
            finding("y", Severity.INFO, "B", datetime(2021, 3, 1, tzinfo=timezone.utc), None, 1, "u")]
    svg = timeline_svg(long, "Asia/Tokyo", "en")
    assert ET.fromstring(svg) is not None
    assert ">2020<" in svg and ">2022<" in svg
    empty = timeline_svg([], "Asia/Tokyo", "en")
    assert ET.fromstring(empty) is not None and "No findings" in empty


def test_evidence_truncated() -> None:
    html = render_html(sample_result())
    assert "… ほか 1,939 件" in html
    part = html[html.index('id="findings"'): html.index('id="rdp"')]
    assert part.count("C:/logs/KYUSHOKU-SV/Security.evtx</td>") == 51  # 50 brute-force rows + 1 breach row
    assert "100049<" in part and "100050<" not in part
    assert "… and 1,939 more" in render_html(sample_result("en"))


def test_verdict_and_flags() -> None:
    html = render_html(sample_result())
    assert "侵入された可能性が高い攻撃が見つかりました" in html
    assert "短すぎます" in html and "読めませんでした（スキップ）" in html and "壊れたヘッダー" in html
    assert "1,989" in html
    clean = sample_result()
    clean.findings, clean.incidents = [], []
    assert "攻撃の兆候は見つかりませんでした" in render_html(clean)
    en = sample_result("en")
    en.findings = [f for f in en.findings if f.severity <= Severity.LOW]
    en.incidents = []
    assert "No sign of an attack in what was read" in render_html(en)


def test_rdp_tables() -> None:
    html = render_html(sample_result())
    rdp = html[html.index('id="rdp"'): html.index('id="coverage"')]
    assert "DENKARU-SV" in rdp and "10.0.0.5" in rdp and "203.0.113.45" in rdp
    assert "10.0.0.7" in rdp  # outbound destination from facts


def test_write_html(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    write_html(sample_result(), out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "入力ファイルは読み取っただけ" in text


def test_incident_story_is_a_list_with_its_times_set_apart() -> None:
    result = sample_result()
    result.incidents[0].narrative = Text(
        "2022-10-31 04:07:12 JST から 09:31:20 JST にかけて、KYUSHOKU-SV で「パスワード推測 → ログオン（侵入）」が起きました。\n"
        "・2022-10-31 04:07:12 JST KYUSHOKU-SV で Administrator へのログオン失敗が 1,989 回続きました。\n"
        "・2022-10-31 04:07:14 JST KYUSHOKU-SV で Administrator のログオンが成功しました。\n"
        "・時刻の記録がない検知が 1 件あります。\n"
        "パスワード推測の後にログオンが成功しており、攻撃者がすでに中に入っている可能性が高いです。",
        "From 04:07:12 to 09:31:20 on KYUSHOKU-SV: guessing → entry.")
    html = render_html(result)
    story = re.search(r'<ul class="story">(.*?)</ul>', html, re.S)
    assert story is not None
    items = re.findall(r"<li>(.*?)</li>", story.group(1), re.S)
    assert len(items) == 3 and "起きました" not in story.group(1)  # the lead sentence stays a paragraph
    assert items[0].startswith('<span class="when">2022-10-31 04:07:12 JST</span> KYUSHOKU-SV で')
    assert items[2] == "時刻の記録がない検知が 1 件あります。" and "・" not in story.group(1)
    # the closing line is the story's conclusion, not one of its events: a paragraph after the list
    after = html[story.end():]
    assert "攻撃者がすでに中に入っている" in after.split("</p>", 1)[0] and "攻撃者がすでに" not in story.group(1)
