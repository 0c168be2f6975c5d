"""wardwatch summary: every shipped check sits in a layer (or says it is none), holes only from the evidence given,
unchecked layers never drawn as solid, three decisions from the worst holes, one A4 page in a real browser."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builders.cli import invoke, one_line
from wardwatch.checks.spec import shipped as spec_shipped
from wardwatch.hospital.checklist import load_items
from wardwatch.model import Severity
from wardwatch.summary.build import data, layer_of, read_results, summarise


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    done = invoke(["demo", "--out", str(out)])
    assert done.exit_code == 0, done.output
    return out / "result"


def test_every_shipped_check_and_checklist_item_has_a_layer() -> None:
    layers = {d["id"] for d in data()["layers"]} | {"none"}
    shipped = spec_shipped()  # the shipped checks, not the rules other tests loaded into the registry
    missing = [s.id for s in shipped if layer_of(s.id) is None]
    assert not missing, f"map these checks in summary/layers.yml (a layer or none): {missing}"
    assert {layer_of(s.id) for s in shipped} <= layers
    items = [str(it.get("r7_id") or it["id"]) for it in load_items()["items"]] + \
        [str(it["id"]) for it in load_items()["items"]]
    assert not [i for i in items if layer_of(f"checklist.{i}") is None]
    assert set(data()["decisions"]) == layers - {"none"}


def test_holes_only_from_what_was_given(demo: Path) -> None:
    s = summarise(read_results({"scan": demo}), "ja")
    by = {x.id: x for x in s.layers}
    assert by["people"].status == "unchecked" and not by["people"].holes  # nothing a scan can tell
    assert by["auth"].status == "holes" and "brute-force" in {h.rule for h in by["auth"].holes}
    assert by["backup"].status == "holes" and "shadow-copy-delete" in {h.rule for h in by["backup"].holes}
    assert all(h.severity >= Severity.MEDIUM for x in s.layers for h in x.holes)  # low findings are no holes
    assert len(s.decisions) == 3 and {d["layer"] for d in s.decisions} <= {x.name for x in s.layers if x.holes}
    worst = max(x.worst for x in s.layers)
    assert any(x.name == s.decisions[0]["layer"] and x.worst == worst for x in s.layers)


def test_command_pages_and_mistakes(tmp_path: Path, demo: Path) -> None:
    for lang, needle in (("ja", "今決めること"), ("en", "Three decisions")):
        done = invoke(["summary", "--scan", str(demo), "--out", str(tmp_path / lang), "--lang", lang])
        assert done.exit_code == 0, done.output
        html = (tmp_path / lang / "summary.html").read_text(encoding="utf-8")
        assert needle in html and "<svg" in html and not re.search(r"""(?:src|href)=["']https?:""", html)
        assert html.count("<circle") == sum(min(5, len(x["holes"])) for x in json.loads(
            (tmp_path / lang / "summary.json").read_text(encoding="utf-8"))["layers"])
    assert invoke(["summary", "--out", str(tmp_path / "x")]).exit_code == 2
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "findings.json").write_text("{not json", encoding="utf-8")
    done = invoke(["summary", "--audit", str(tmp_path / "bad"), "--out", str(tmp_path / "y")])
    assert done.exit_code == 2 and "findings.json" in one_line(done.output)


def test_one_a4_page_in_chromium(tmp_path: Path, demo: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed (.ci/setup-debian.sh installs it) — required in CI")
        pytest.skip("chromium is not installed")
    for lang in ("ja", "en"):
        out = tmp_path / lang
        done = invoke(["summary", "--scan", str(demo), "--audit", str(demo), "--out", str(out), "--lang", lang])
        assert done.exit_code == 0, done.output
        pdf = tmp_path / f"{lang}.pdf"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", (out / "summary.html").as_uri()], capture_output=True, timeout=120)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
        assert pages == 1, f"{lang}: {pages} pages"
