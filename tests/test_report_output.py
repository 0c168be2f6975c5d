"""The output layer: the message catalog and its one rule for a missing key, the one formatter, the run envelope."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wardwatch.model import Coverage, Run, ScanResult, Severity
from wardwatch.report import render
from wardwatch.report.html import render_html, short_days
from wardwatch.report.labels import fact_label, label, phase_label, severity_label
from wardwatch.report.messages import CATALOG, message, messages
from wardwatch.report.style import SEVERITY_STYLE, css_class
from wardwatch.textfmt import (
    MISSING,
    duration,
    fill,
    format_duration,
    format_hours,
    format_number,
    format_size,
    format_time,
    local_time,
)
from wardwatch.textfmt import (
    render as render_text,
)

# --- the catalog -----------------------------------------------------------------------------------------------

def test_every_message_has_both_languages_and_a_namespace() -> None:
    for key, (ja, en) in CATALOG.items():
        assert "." in key, key
        assert ja.strip() and en.strip(), key


def test_both_languages_name_the_same_fields() -> None:
    fields = re.compile(r"\{(\w+)\}")
    for key, (ja, en) in CATALOG.items():
        assert set(fields.findall(ja)) == set(fields.findall(en)), key


def test_message_picks_the_language_and_fills_fields() -> None:
    assert message("report.more", "en", n="3") == "… and 3 more"
    assert message("report.more", "ja", n="3") == "… ほか 3 件"
    assert message("report.more", "fr", n="3") == "… ほか 3 件"  # anything not English is Japanese


def test_missing_key_shows_its_last_part() -> None:
    assert message("phase.recon", "ja") == "recon"
    assert message("nowhere.at.all", "en") == "all"
    assert message("no-namespace", "en") == "no-namespace"


def test_missing_field_shows_a_dash_never_an_error() -> None:
    assert message("report.missing_log", "en", log="Security") == f"No Security log ({MISSING}): {MISSING}."
    assert message("report.seconds", "ja") == "{n} 秒"  # no values: the text as written


def test_fields_of_a_missing_key_are_filled_too() -> None:
    assert message("x.{n} left", "en", n=2) == "2 left"


def test_namespace_view_drops_the_prefix() -> None:
    audit = messages("en", "audit")
    assert audit["title"] == "WardWatch configuration audit"
    assert not any("." in k for k in audit)
    assert messages("en", "no-such-namespace") == {}


def test_label_helpers_use_the_catalog() -> None:
    assert label("title", "en") == "WardWatch log investigation report"
    assert label("not-a-label", "ja") == "not-a-label"
    assert severity_label(Severity.CRITICAL, "ja") == "重大"
    assert severity_label("high", "en") == "high"
    assert phase_label("other", "en") == "Other"
    assert phase_label("Made.Up", "en") == "Made.Up"  # unknown phases as given, dots and case kept
    assert fact_label("failures", "ja") == "失敗回数"
    assert fact_label("odd.key", "en") == "odd.key"


# --- the formatter ---------------------------------------------------------------------------------------------

T = datetime(2022, 10, 30, 19, 7, 14, tzinfo=UTC)  # 04:07:14 JST on 31 October


def test_times_always_carry_the_zone() -> None:
    assert local_time(T, "Asia/Tokyo") == "2022-10-31 04:07:14 JST"
    assert format_time(T, "Asia/Tokyo") == "2022-10-31 04:07:14 JST"
    assert format_time(T, "Asia/Tokyo", seconds=False) == "2022-10-31 04:07 JST"
    assert format_time(T, "Etc/GMT-5") == "2022-10-31 00:07:14 +05:00"  # no abbreviation: the offset
    assert local_time(T.replace(tzinfo=None), "UTC") == "2022-10-30 19:07:14 UTC"  # naive is UTC


def test_missing_times() -> None:
    assert local_time(None, "Asia/Tokyo") == "-"
    assert format_time(None, "Asia/Tokyo") == "—"


@pytest.mark.parametrize(("seconds", "ja", "en"), [
    (0, "0秒", "0 s"), (-5, "0秒", "0 s"), (59.6, "1分", "1 min"),
    (3600, "1時間", "1 h"), (19440, "5時間24分", "5 h 24 min"), (90061, "1日1時間1分", "1 d 1 h 1 min"),
])
def test_duration_in_text(seconds: float, ja: str, en: str) -> None:
    assert duration(seconds, "ja") == ja
    assert duration(seconds, "en") == en


@pytest.mark.parametrize(("seconds", "ja", "en"), [
    (0, "0秒", "0 s"), (75, "1分15秒", "1 min 15 s"), (3600, "1時間0分", "1 h 0 min"),
    (19440, "5時間24分", "5 h 24 min"), (86400 * 1200 + 7200, "1,200日2時間", "1,200 d 2 h"),
])
def test_duration_in_tables(seconds: float, ja: str, en: str) -> None:
    assert format_duration(seconds, "ja") == ja
    assert format_duration(seconds, "en") == en


def test_counts_and_sizes() -> None:
    assert format_number(1989) == "1,989"
    assert format_number(2.0) == "2"
    assert format_number(1234.567) == "1,234.57"
    assert format_hours(1.5, "en") == "1 h 30 min"
    assert format_size(512) == "512 B"
    assert format_size(40_000 * 1024) == "39.1 MB"
    assert format_size(5 * 1024**4) == "5,120.0 GB"


def test_template_fill_rule_is_the_catalogs() -> None:
    assert fill("{host}: {n}", {"host": "EHR"}) == f"EHR: {MISSING}"
    assert render_text("  {a} ", {}) == MISSING


# --- the envelope and the one environment ------------------------------------------------------------------------

def test_scan_result_is_the_run_envelope() -> None:
    assert ScanResult is Run
    run = Run(datetime.now(UTC), "Asia/Tokyo", "ja")
    assert run.findings == [] and run.sections == {}
    assert run.section("coverage") == []
    run.sections["checklist"] = {"rows": 3}
    assert run.section("checklist") == {"rows": 3}
    assert run.section("audit", "none") == "none"
    positional = ScanResult(datetime.now(UTC), "UTC", "en", [], [], [], [], [], {"netlog": {"segments": []}})
    assert positional.section("network") == {"segments": []}


def test_one_environment_serves_every_page() -> None:
    names = set(render.ENV.list_templates())
    assert {"report.html.j2", "audit.html.j2", "inventory.html.j2", "checklist.html.j2"} <= names
    assert not list(Path(render.__file__).parents[1].glob("*/templates/*.j2")) or all(
        p.parent == render.TEMPLATES for p in Path(render.__file__).parents[1].glob("*/templates/*.j2"))


def test_one_severity_style_table() -> None:
    assert set(SEVERITY_STYLE) == set(Severity)
    assert css_class(Severity.HIGH) == "high"


def test_short_log_threshold_is_the_rules_parameter(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    cov = Coverage("PC1", "Security", now, now, 10, 12.0, 0.0)
    run = Run(now, "Asia/Tokyo", "en", coverage=[cov])
    assert short_days(run) == 30  # defaults.yml rules.log-coverage.min_days
    page = render_html(run)
    assert "less than 30 days" in page and 'class="short"' in page
