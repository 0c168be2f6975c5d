"""Every page WardWatch writes, opened in headless Chromium in Japanese and English, at a desk screen's width and at
an A4 page's: no script error, nothing loaded from outside, no page wider than the window, no text overflowing its
table cell, no drawing cut off. Screenshots go to benchmarks/screens/ for a person to look at."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from builders.browser import Browser, chromium, write_pages

SCREENS = Path(__file__).resolve().parents[1] / "benchmarks" / "screens"
# desk: a 1280 px screen; a4: printed (CSS print media) on A4, 210 mm less page.css's 12 mm margins at 96 dpi
WIDTHS = {"desk": 1280, "a4": round((210 - 2 * 12) / 25.4 * 96)}
KINDS = ["audit/report.html", "checklist/checklist.html", "demo/result/report.html", "fix/plan.html",
         "incident/incident.html", "inventory/inventory.html", "passwords/report.html", "procure/procurement.html",
         "summary/summary.html", "vuln/vuln.html", "web/web.html"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    b = Browser(chromium())
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    chromium()
    base = tmp_path_factory.mktemp("pages")
    return {lang: write_pages(base, lang) for lang in ("ja", "en")}


def test_every_kind_of_page_is_written(pages: dict[str, dict[str, Path]]) -> None:
    for lang in ("ja", "en"):
        assert sorted(pages[lang]) == sorted(KINDS), lang  # a new page kind: add it to KINDS (and to write_pages)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("kind", KINDS)
def test_page_reads_in_a_browser(pages: dict[str, dict[str, Path]], browser: Browser, kind: str, lang: str,
                                 width: str) -> None:
    name = kind.replace("/", "_").removesuffix(".html")
    seen = browser.open(pages[lang][kind], WIDTHS[width], SCREENS / f"{lang}-{width}-{name}.png",
                        printed=width == "a4")
    assert not seen.errors, seen.errors
    assert not seen.outside, f"loads from outside: {seen.outside}"
    assert seen.page_width <= seen.window, \
        f"page {seen.page_width} px wide in a {seen.window} px window: {seen.wide[:5]}"
    assert not seen.wide, f"past the window's right edge ({seen.window} px): {seen.wide[:5]}"
    assert not seen.cells, f"text overflows its cell: {seen.cells[:5]}"
    assert not seen.clipped, f"drawing cut off at its right edge: {seen.clipped}"


def test_the_checks_see_what_they_look_for(tmp_path: Path, browser: Browser) -> None:
    """A page with each fault: the browser reports each (the checks above can fail)."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html><body><div style='width:2000px'>wide</div>"
                   "<div style='overflow:hidden;width:100px'><p style='width:1500px'>cut off</p></div>"
                   "<table style='table-layout:fixed;width:100px'><tr><td style='width:50px;overflow:hidden;"
                   "white-space:nowrap'>a cell far too narrow for its long text</td></tr></table>"
                   "<svg width='100' height='20' style='max-width:50px'><rect x='0' y='0' width='90' height='9'/></svg>"
                   "<img src='http://203.0.113.7/pixel.png'><script>undefinedFunction()</script></body></html>",
                   encoding="utf-8")
    seen = browser.open(bad, 800)
    assert seen.page_width > seen.window and seen.cells and seen.clipped and seen.outside and seen.errors
    assert {w.split()[0] for w in seen.wide} == {"div", "p"}  # the wide block and the one cut off in its box


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_paper_is_not_told_to_hover(pages: dict[str, dict[str, Path]], browser: Browser, lang: str) -> None:
    """On screen the timeline's marks explain themselves under the mouse; on paper the reader is sent to the tables."""
    report = pages[lang]["demo/result/report.html"]
    hover, paper = ("マウスを重ねると", "「このインシデントの検知」の表") if lang == "ja" else ("Hover over a mark",
                                                                                "table of findings under each")
    screen, printed = browser.text(report), browser.text(report, printed=True)
    assert hover in screen and paper not in screen
    assert paper in printed and hover not in printed


def test_timeline_prints_on_a_landscape_page(pages: dict[str, dict[str, Path]], browser: Browser) -> None:
    """The 1,000-unit-wide timeline prints on its own landscape A4 sheets (its type at about the body's size); the
    rest of the report stays portrait."""
    sizes = browser.page_sizes(pages["ja"]["demo/result/report.html"])
    wide = [i for i, (w, h) in enumerate(sizes) if w > h]
    assert sizes[0][0] < sizes[0][1] and wide, sizes  # the report starts portrait, and has landscape sheets
    assert wide == list(range(wide[0], wide[-1] + 1))  # one run of landscape sheets: the timeline section
    assert all(abs(max(w, h) - 841.9) < 2 and abs(min(w, h) - 595) < 2 for w, h in sizes)  # every sheet is A4

