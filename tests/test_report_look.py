"""One look for every HTML page: each renders in ja and en from the one base template, with its labels in the page's
language, severities translated and worst first, one self-contained file with a print style, and training
references shown as documents with their lessons."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from builders.bundles import make_bundle
from builders.inventories import segmented_hospital, write
from wardwatch.cli import app
from wardwatch.model import Severity
from wardwatch.report.messages import CATALOG, has, message
from wardwatch.report.seeds import cited, seed_refs

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
SRC = Path(__file__).resolve().parents[1] / "src" / "wardwatch"
# Short names every language writes the same way (a hash, a protocol, a product, a number or a dash).
SAME_IN_EVERY_LANGUAGE = re.compile(r"^(?:SHA-256|GPO|OS|RDP|PACS|#|—|[\d.,\s()/+-]+)$")


def _run(*args: str) -> None:
    res = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code in (0, 1), res.output  # 1: findings were found


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    """Every HTML page WardWatch writes, in ja and en: {(page, lang): html}."""
    work = tmp_path_factory.mktemp("look")
    bundles = work / "bundles"
    bundles.mkdir()
    make_bundle(bundles, "EHR-DB01")
    make_bundle(bundles, "PACS-SV01", hardened=True, lang="en", ps="7")
    inv = write(work, "inventory.yml", segmented_hospital())
    site = work / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><h1>外来</h1></body></html>\n", encoding="utf-8")
    _run("web", "baseline", str(site), "--out", str(work / "base.json"))
    (site / "index.html").write_text("<html><body><h1>Hacked by x</h1></body></html>\n", encoding="utf-8")
    hashes = work / "hashes.txt"
    nt = "8846f7eaee8fb117ad06bdd830b7586c"  # the same password twice
    hashes.write_text(f"EHR-DB01\\Administrator:500:aad3b435b51404eeaad3b435b51404ee:{nt}:::\n"
                      f"EHR-DB01\\nurse1:1001:aad3b435b51404eeaad3b435b51404ee:{nt}:::\n", encoding="utf-8")
    out: dict[tuple[str, str], str] = {}
    for lang in ("ja", "en"):
        o = work / lang
        _run("demo", "--out", str(o / "demo"), "--lang", lang)
        _run("audit", "bundles", str(bundles), "--out", str(o / "audit"), "--lang", lang)
        audit = str(o / "audit" / "findings.json")
        _run("inventory", "check", str(inv), "--out", str(o / "inventory"), "--audit", audit, "--lang", lang)
        _run("checklist", "fill", "--inventory", str(inv), "--audit", audit, "--out", str(o / "checklist"),
             "--lang", lang)
        _run("web", "check", str(site), "--baseline", str(work / "base.json"), "--out", str(o / "web"), "--lang", lang)
        _run("vuln", "check", "--inventory", str(inv), "--out", str(o / "vuln"), "--lang", lang)
        _run("audit", "passwords", str(hashes), "--out", str(o / "passwords"), "--lang", lang)
        _run("fix", "plan", audit, "--bundles", str(bundles), "--out", str(o / "fix"), "--lang", lang)
        _run("procure", audit, "--out", str(o / "procure"), "--lang", lang)
        case = o / "case"
        _run("incident", "start", str(case), "--from-scan", str(o / "demo" / "result" / "findings.json"),
             "--by", "山田", "--title", "電子カルテ停止", "--lang", lang)
        _run("incident", "report", str(case), "--lang", lang)
        files = {"scan": o / "demo" / "result" / "report.html", "audit": o / "audit" / "report.html",
                 "inventory": o / "inventory" / "inventory.html", "checklist": o / "checklist" / "checklist.html",
                 "web": o / "web" / "web.html", "vuln": o / "vuln" / "vuln.html",
                 "passwords": o / "passwords" / "report.html", "fix": o / "fix" / "plan.html",
                 "procure": o / "procure" / "procurement.html", "incident": case / "report" / "incident.html"}
        for name, path in files.items():
            out[(name, lang)] = path.read_text(encoding="utf-8")
    return out


class _Labels(HTMLParser):
    """The texts of a page's labels: table headers, menu items, badges, folded-list summaries, header names."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.labels: list[str] = []
        self.badges: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        label = tag in ("th", "summary", "dt") or "badge" in cls.split() or (tag == "a" and self._in("nav"))
        if label:
            self.text = ""
        self.stack.append((tag, label))

    def _in(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, label = self.stack.pop()
            if label and self.text.strip():
                self.labels.append(" ".join(self.text.split()))
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        self.text += data


def _labels(html: str) -> list[str]:
    parser = _Labels()
    parser.feed(html)
    return parser.labels


PAGES = ("scan", "audit", "inventory", "checklist", "web", "vuln", "passwords", "fix", "procure", "incident")


@pytest.mark.parametrize("page", PAGES)
def test_one_frame_and_one_style_sheet(pages: dict[tuple[str, str], str], page: str) -> None:
    for lang in ("ja", "en"):
        html = pages[(page, lang)]
        assert html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in html
        assert '<header class="top">' in html and '<p class="product">WardWatch</p>' in html
        assert message("page.language_name", lang) in html  # the header names the page's language
        assert html.count("<style>") == 1 and "@media print" in html and "@page { size: A4" in html
        assert "thead { display: table-header-group; }" in html and "break-before: page" in html
        assert "td.id, td.nowrap { white-space: nowrap; }" in html and "word-break: keep-all" in html  # 2-①, イベント数
        assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
        assert "@import" not in html and "url(" not in html and "<link" not in html and "<script src" not in html


@pytest.mark.parametrize("page", PAGES)
def test_labels_in_the_page_language(pages: dict[tuple[str, str], str], page: str) -> None:
    ja = [t for t in _labels(pages[(page, "ja")]) if not SAME_IN_EVERY_LANGUAGE.match(t)]
    english = [t for t in ja if not JAPANESE.search(t)]
    hosts = {"EHR-DB01", "PACS-SV01", "RECEPT-PC3", "KYUSHOKU-SV", "BACKUP-SV01", "WardWatch"}
    assert not [t for t in english if t not in hosts], english
    quoted = re.compile(r"[（(][^）)]*[）)]")  # an official Japanese name quoted in brackets
    en = [t for t in _labels(pages[(page, "en")]) if JAPANESE.search(quoted.sub("", t))]
    assert not [t for t in en if not t.startswith(("医療機関における",))], en  # the official form's own title


@pytest.mark.parametrize("page", ("scan", "audit", "inventory", "web", "passwords"))
def test_severities_translated_and_worst_first(pages: dict[tuple[str, str], str], page: str) -> None:
    names = {s.label for s in Severity}
    ja_badges = re.findall(r'<span class="badge (\w+)">([^<]*)</span>', pages[(page, "ja")])
    assert ja_badges and not [t for cls, t in ja_badges if cls in names and t in names]  # 高, never "high"
    for cls, text in ja_badges:
        if cls in names:
            assert text == message(f"severity.{cls}", "ja")
    if page in ("inventory", "web", "passwords"):  # the table of findings: worst first
        table = pages[(page, "en")].split('<table class="findings">')[1].split("</table>")[0]
        ranks = [int(Severity.parse(c)) for c in re.findall(r'<span class="badge (\w+)">', table)]
        assert ranks == sorted(ranks, reverse=True)


def test_scan_report_is_short(pages: dict[tuple[str, str], str]) -> None:
    html = pages[("scan", "ja")]
    title = message("report.nav_coverage", "ja")
    # the log-coverage findings are rows of one table, never a card each
    assert "ログが記録している期間 —" not in html and title in html
    table = html.split('<table class="coverage">')[1].split("</table>")[0]
    assert table.count("<tr") >= 10 and table.count('id="f-') >= 10
    # findings grouped by incident first, long lists folded
    assert html.index('id="findings-incident-1"') < html.index("インシデントに含まれない検知")
    assert '<details class="more"><summary>残り' in html
    nav = html.split('<nav class="toc"')[1].split("</nav>")[0]
    assert nav.count("<li>") >= 6 and "</a></li>" in nav  # menu items, each its own


def test_checklist_marks_unanswered_and_counts(pages: dict[tuple[str, str], str]) -> None:
    html = pages[("checklist", "ja")]
    rows = re.findall(r'<tr class="(pass|fail|neutral|open|conflict)">', html)
    unanswered = rows.count("open")
    assert unanswered and html.count('<span class="badge open">未回答</span>') == unanswered + 1  # + the count
    assert f'<span class="badge open">未回答</span> {unanswered}</li>' in html
    assert '<td class="id">2-①</td>' in html and "people.safety_manager" not in html.replace('title="people.', "")
    numbers = re.findall(r'<td class="id">([^<]+)</td>', html)
    sections = [n.split("-")[0] for n in numbers]
    assert sections == sorted(sections, key=lambda s: int(s) if s.isdigit() else 9)  # the form's order
    assert "自動判定（要確認）" in html and "Unanswered" in pages[("checklist", "en")]


def test_training_references_are_documents_with_lessons(pages: dict[tuple[str, str], str]) -> None:
    refs = seed_refs("002 ログの監視と保護（4625 / 4624）; チェックリスト 2-(6)", "ja")
    assert [(r.label, r.topic) for r in refs] == [("研修資料 002", "ログの監視と保護（4625 / 4624）"),
                                                   ("厚労省チェックリスト", "2-(6)")]
    qa = seed_refs("000 Q&A 16", "ja")[0]
    assert qa.label == "研修 Q&A 000 問16" and "20桁" in qa.lessons[0] and "第2回" in qa.title
    assert seed_refs("000 Q&A 16", "en")[0].label == "Training Q&A 000 Q16"
    assert seed_refs("OGMC 2022 調査報告書", "ja")[0].label == "OGMC 2022 調査報告書"  # unknown: as written
    assert cited(["002 RDP; 000 Q&A 25", "004 ⑤"], "ja")[0][0] == "研修 Q&A 000"
    html = pages[("scan", "ja")]
    assert "研修資料 002" in html and 'class="lesson"' in html and "参考事例" not in html
    assert "8846f7ea" not in pages[("passwords", "ja")] and "nurse1" in pages[("passwords", "ja")]
    assert "このページが引用した研修資料" in html


def _shipped_seeds() -> list[str]:
    seeds: list[str] = []
    for path in SRC.rglob("*.yml"):
        for m in re.finditer(r"^\s*seed:\s*(.+)$", path.read_text(encoding="utf-8"), re.M):
            value = yaml.safe_load(m.group(1))
            if isinstance(value, str):
                seeds.append(value)
    return seeds


def test_every_lesson_named_by_a_shipped_check_is_in_the_catalog() -> None:
    seeds = _shipped_seeds()
    assert len(seeds) > 50
    missing = {k for s in seeds for r in seed_refs(s, "ja") for k in r.keys if not has(k)}
    assert not missing


def test_catalog_has_both_languages_and_english_pages_read_english() -> None:
    for key, (ja, en) in CATALOG.items():
        assert ja.strip() and en.strip(), key
    for key, (ja, en) in CATALOG.items():
        if key.startswith(("page.", "seed.", "inventory.", "checklist.", "report.")) and \
                not key.startswith(("checklist.device.", "report.missing_log")):
            assert not JAPANESE.search(en), key
            assert JAPANESE.search(ja) or SAME_IN_EVERY_LANGUAGE.match(ja) or key.endswith("from_to"), key
