"""Every HTML page WardWatch writes, made from small real inputs, and a headless Chromium (Playwright driving the
system's /usr/bin/chromium, never a downloaded browser) that opens each one and reports what a reader would hit:
script errors, a page or an element wider than the window, text overflowing its table cell, a drawing cut off,
anything loaded from outside."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from builders.bundles import make_bundle
from builders.cli import invoke

# A cell's text may overflow only inside a container made to scroll sideways (a wide table in .table-wrap).
CHECKS_JS = """() => {
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (/(auto|scroll)/.test(s.overflowX) && p.scrollWidth > p.clientWidth) return true; }
    return false; };
  const cells = [...document.querySelectorAll('td, th')].filter(c => c.offsetParent !== null
      && c.scrollWidth > c.clientWidth + 1 && !scrolls(c))
    .map(c => (c.tagName + ': ' + c.innerText).slice(0, 80));
  // A drawing cut off at its right edge: an <svg> drawing beyond what it shows (its viewBox, else its own size).
  const clipped = [...document.querySelectorAll('svg')].filter(g => g.getBoundingClientRect().width > 0 && (() => {
      const box = g.getBBox(), vb = g.viewBox.baseVal;
      const shown = vb && vb.width ? vb.x + vb.width : g.getBoundingClientRect().width;
      return box.x + box.width > shown + 1; })())
    .map(g => 'svg ' + (g.getAttribute('class') || g.getAttribute('aria-label') || ''));
  // An element reaching past the window's right edge, outside any container made to scroll sideways: the page is
  // wider than the window, or the element is cut off (overflow hidden) where a reader cannot see it.
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [...document.body.querySelectorAll('*')].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > window.innerWidth + 1 && !scrolls(el)
        && !(el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 1); })
    .map(el => name(el) + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
  return {page: document.documentElement.scrollWidth, window: window.innerWidth, cells: cells, clipped: clipped,
          wide: wide, height: document.documentElement.scrollHeight};
}"""


def chromium() -> str:
    """The system's Chromium: skipped without it, a failure under CI=true (.ci/setup-debian.sh installs it)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = None if path else "chromium is not installed (.ci/setup-debian.sh installs it)"
    if path:
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[test]')"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing + " — required in CI")
        pytest.skip(missing)
    assert path is not None
    return path


@dataclass
class Seen:
    """What one page did in the browser."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    page_width: int = 0
    window: int = 0
    cells: list[str] = field(default_factory=list)
    clipped: list[str] = field(default_factory=list)
    wide: list[str] = field(default_factory=list)  # elements past the window's right edge (outermost only)
    height: int = 0


class Browser:
    """One headless Chromium for many pages; each page is opened, checked and photographed."""

    def __init__(self, path: str) -> None:
        from playwright.sync_api import sync_playwright
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])

    def open(self, page_file: Path, width: int, shot: Path | None = None, *, printed: bool = False) -> Seen:
        """printed: laid out as on paper (CSS print media), where nothing scrolls: a wide table must fit."""
        seen = Seen()
        page = self._browser.new_page(viewport={"width": width, "height": 900})
        if printed:
            page.emulate_media(media="print")
        page.on("console", lambda m: seen.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(f"script error: {e}"))
        page.on("request", lambda r: seen.outside.append(r.url) if not r.url.startswith(("file:", "data:", "about:"))
                else None)
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        found: dict[str, Any] = page.evaluate(CHECKS_JS)
        seen.page_width, seen.window, seen.cells, seen.height = found["page"], found["window"], found["cells"], \
            found["height"]
        seen.clipped, seen.wide = found["clipped"], found["wide"]
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            # Chromium cannot always grab a very tall page in one piece (on a busy machine it says "Unable to capture
            # screenshot"): the picture is for a person, not a check, so then the page's top 8,000 px will do.
            from playwright.sync_api import Error
            try:
                page.screenshot(path=str(shot), full_page=True)
            except Error:
                page.screenshot(path=str(shot), full_page=True,
                                clip={"x": 0, "y": 0, "width": width, "height": min(seen.height, 8000)})
        page.close()
        return seen

    def text(self, page_file: Path, *, printed: bool = False) -> str:
        """The text a reader sees (innerText: nothing hidden by the page's style), on screen or as printed."""
        page = self._browser.new_page(viewport={"width": 1280, "height": 900})
        if printed:
            page.emulate_media(media="print")
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        shown = str(page.evaluate("document.body.innerText"))
        page.close()
        return shown

    def page_sizes(self, page_file: Path) -> list[tuple[float, float]]:
        """The page as Chromium prints it to PDF (the page's own @page sizes): each sheet's (width, height) in pt."""
        import re
        page = self._browser.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        pdf = page.pdf(prefer_css_page_size=True)
        page.close()
        return [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)]

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


def _run(args: list[str]) -> None:
    done = invoke(args)
    assert done.exit_code in (0, 1), (args, done.output)


def write_pages(base: Path, lang: str) -> dict[str, Path]:
    """Every kind of page WardWatch writes, in one language, from small real inputs (the demo's logs, a collector
    bundle, the hospital template, a web site and its baseline, an incident case): name → the .html file."""
    from wardwatch import integrity
    from wardwatch.incident.case import Case, contact_list
    from wardwatch.web.site import make_baseline
    inp, out = base / "inputs", base / lang
    inp.mkdir(parents=True, exist_ok=True)
    hospital = inp / "hospital.yml"
    hospital.write_text((resources.files("wardwatch.hospital") / "templates" / "hospital.yml").read_text("utf-8"),
                        encoding="utf-8")
    hashes = inp / "hashes.txt"
    hashes.write_text("alice:1001:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::\n"
                      "bob:1002:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::\n", "utf-8")
    if not (inp / "bundles").exists():
        make_bundle(inp / "bundles", "PC1")
        make_bundle(inp / "bundles", "EHR-SV01")
    site = inp / "site"
    site.mkdir(exist_ok=True)
    baseline = inp / "baseline.json"
    if not baseline.exists():  # made once, then the site is tampered with: both languages' pages show findings
        (site / "index.html").write_text("<p>ok</p>", encoding="utf-8")
        key = integrity.load_key(inp / "baseline.json.key", create=True)
        assert key is not None
        baseline.write_text(json.dumps(make_baseline(site, key, [], [])), encoding="utf-8")
        (site / "index.html").write_text('<p>ok</p><script src="http://203.0.113.9/x.js"></script>', encoding="utf-8")
    case = inp / f"case-{lang}"
    if not case.exists():
        Case.create(case, "test", "tester", "Asia/Tokyo", contact_list(None))
    lg = ["--lang", lang]
    _run(["demo", "--out", str(out / "demo"), *lg])
    _run(["audit", "bundles", str(inp / "bundles"), "--out", str(out / "audit"), *lg])
    _run(["audit", "passwords", str(hashes), "--out", str(out / "passwords"), *lg])
    _run(["inventory", "check", str(hospital), "--out", str(out / "inventory"), *lg])
    _run(["checklist", "fill", "--inventory", str(hospital), "--out", str(out / "checklist"), *lg])
    # a feed in the user's CSV form: the template's FortiGate (firmware 7.4.4) is below the fixed version, so the
    # vulnerability page shows a finding with its table, not only the empty state
    feed = inp / "feed.csv"
    feed.write_text("vendor,product,fixed_in,cve,title\nFortinet,FortiGate,7.4.5,CVE-2024-55591,"
                    "FortiOS の認証回避の脆弱性 (Authentication bypass in FortiOS)\n", encoding="utf-8")
    _run(["vuln", "check", "--inventory", str(hospital), "--feed", str(feed), "--out", str(out / "vuln"), *lg])
    _run(["web", "check", str(site), "--baseline", str(baseline), "--out", str(out / "web"), *lg])
    _run(["fix", "plan", str(out / "audit" / "findings.json"), "--out", str(out / "fix"), *lg])
    _run(["procure", "--all", "--out", str(out / "procure"), *lg])
    _run(["incident", "report", str(case), "--out", str(out / "incident"), *lg])
    _run(["summary", "--scan", str(out / "demo" / "result"), "--audit", str(out / "audit"), "--inventory",
          str(out / "inventory"), "--checklist", str(out / "checklist"), "--out", str(out / "summary"), *lg])
    pages = {}
    for html in sorted(out.rglob("*.html")):
        pages[str(html.relative_to(out)).replace(os.sep, "/")] = html
    return pages
