"""The scan report's timeline pictures: an overview row per computer on an axis the detections choose (long quiet
gaps cut out), a zoom per incident whose marks never cover each other, log coverage drawn apart, ticks in the run's
zone. Geometry is read back from the SVG coordinates."""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from builders.corpus import CORPUS, need
from builders.events import scan, write_jsonl
from builders.findings import coverage, finding, incident, jst, result
from wardwatch.demo import JST, _logon_fail, _logon_ok, write_scenario
from wardwatch.model import Finding, ScanResult, Severity
from wardwatch.report.html import render_html
from wardwatch.report.timechart import overview_svg, zoom_svg

USER_SID = "S-1-5-21-1-2-3-1104"  # not the built-in Administrator: a plain user's logons raise nothing
Box = tuple[float, float, float, float]


# --- reading the pictures back -------------------------------------------------------------------------------------

def _nums(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _box(el: ET.Element) -> Box | None:
    """The box one drawn element takes (text: its length in digits-wide characters)."""
    tag, a = el.tag, el.attrib
    if tag == "rect":
        x, y, w, h = (float(a[k]) for k in ("x", "y", "width", "height"))
        return x, y, x + w, y + h
    if tag == "circle":
        cx, cy, r = float(a["cx"]), float(a["cy"]), float(a["r"]) + float(a.get("stroke-width", 1)) / 2
        return cx - r, cy - r, cx + r, cy + r
    if tag == "polygon":
        pts = _nums(a["points"])
        xs, ys = pts[0::2], pts[1::2]
        return min(xs), min(ys), max(xs), max(ys)
    if tag == "text":
        size = float(a["font-size"])
        x, y = float(a["x"]), float(a["y"])
        return x, y - size * 0.8, x + len("".join(el.itertext())) * 0.6 * size, y + size * 0.2
    return None


def mark_boxes(svg: ET.Element) -> list[Box]:
    """Each mark's box: everything drawn in its group joined."""
    out = []
    for g in svg.iter("g"):
        if "mark" not in (g.get("class") or "").split():
            continue
        boxes = [b for el in g if (b := _box(el))]
        assert boxes, "a mark draws something"
        out.append((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                    max(b[3] for b in boxes)))
    return out


def overlaps(boxes: list[Box]) -> list[tuple[Box, Box]]:
    return [(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:]
            if p[0] < q[2] - 0.01 and q[0] < p[2] - 0.01 and p[1] < q[3] - 0.01 and q[1] < p[3] - 0.01]


def svgs(html: str, cls: str) -> list[ET.Element]:
    """Every picture of a class in a report (each parsed: well formed, everything escaped)."""
    found = re.findall(r'<svg class="timeline ' + cls + r'".*?</svg>', html, re.S)
    return [ET.fromstring(s) for s in found]


def segments(svg: ET.Element) -> list[tuple[datetime, datetime, float, float]]:
    """The axis segments: their UTC times and x range (from the axis line)."""
    out = []
    for g in svg.iter("g"):
        if g.get("class") == "segment":
            line = g.find("line")
            assert line is not None
            out.append((datetime.fromisoformat(g.attrib["data-start"]), datetime.fromisoformat(g.attrib["data-end"]),
                        float(line.attrib["x1"]), float(line.attrib["x2"])))
    return out


def texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter("text")]


def row_labels(svg: ET.Element) -> dict[str, tuple[str, str]]:
    """host (data-host of its row) -> (label shown, label's tooltip)."""
    out = {}
    for g in svg.iter("g"):
        if g.get("class") == "lane":
            t = next(t for t in g.iter("text") if t.get("class") == "row-label")
            title = t.find("title")
            assert title is not None
            out[g.attrib["data-host"]] = ((title.tail or "").strip(), title.text or "")
    return out


# --- the overview ---------------------------------------------------------------------------------------------------

def test_overview_axis_ignores_coverage(tmp_path: Path) -> None:
    """30 days of ordinary logons (a long log-coverage bar) and an attack of a few minutes: the overview spans the
    attack, its marks across the axis; the 30 days are a band under the row, not the axis."""
    start = datetime(2024, 3, 1, 10, 0, tzinfo=JST)
    events = [_logon_ok("SV1", start + timedelta(days=d), "nurse01", 2, "127.0.0.1", f"0x{d:x}", sid=USER_SID)
              for d in range(30)]
    attack = datetime(2024, 3, 31, 3, 0, tzinfo=JST)
    events += [_logon_fail("SV1", attack + timedelta(seconds=2 * i), "admin", 3, "203.0.113.5", "SV1")
               for i in range(40)]
    events.append(_logon_ok("SV1", attack + timedelta(minutes=25), "admin", 10, "203.0.113.5", "0xabc"))
    write_jsonl(tmp_path / "logs" / "Security.jsonl", events)
    res = scan([tmp_path / "logs"], tmp_path / "out")
    cover = [f for f in res.findings if f.rule == "log-coverage"]
    assert cover and (cover[0].last_seen - cover[0].first_seen) > timedelta(days=29)  # type: ignore[operator]
    (svg,) = svgs(render_html(res), "overview")
    (seg,) = segments(svg)
    assert seg[1] - seg[0] < timedelta(hours=1)  # the attack's half hour, padded; not 30 days
    xs = [b[0] for b in mark_boxes(svg)]
    assert max(xs) - min(xs) > 0.6 * (seg[3] - seg[2])
    bands = [r for r in svg.iter("rect") if r.get("class") == "coverage"]
    assert bands and all(seg[2] - 0.1 <= float(r.attrib["x"]) and float(r.attrib["x"]) + float(r.attrib["width"])
                         <= seg[3] + 0.1 for r in bands)  # the 30 days clipped to the axis
    assert any("Security" in (t.text or "") for r in bands for t in r.iter("title"))
    ticks = [t for t in texts(svg) if re.fullmatch(r"\d\d:\d\d", t)]
    assert "03:00" in ticks or "03:10" in ticks  # minutes of the attack in JST, not days


def test_decade_gets_axis_break(tmp_path: Path) -> None:
    """Attacks nine years apart: two segments with a break between, each labelled with its own year."""
    events = []
    for host, when in (("OLD-PC", datetime(2013, 5, 7, 2, 0, tzinfo=JST)),
                       ("NEW-SV", datetime(2022, 10, 31, 4, 0, tzinfo=JST))):
        events += [_logon_fail(host, when + timedelta(seconds=2 * i), "admin", 3, "203.0.113.5", host)
                   for i in range(30)]
    write_jsonl(tmp_path / "logs" / "Security.jsonl", events)
    res = scan([tmp_path / "logs"], tmp_path / "out")
    (svg,) = svgs(render_html(res), "overview")
    segs = segments(svg)
    assert len(segs) == 2
    assert segs[0][1] < datetime(2014, 1, 1, tzinfo=UTC) and segs[1][0] > datetime(2022, 1, 1, tzinfo=UTC)
    breaks = [g for g in svg.iter("g") if g.get("class") == "break"]
    assert len(breaks) == 1 and "9" in "".join(breaks[0].itertext())  # its tooltip says how long (約9年)
    words = " ".join(texts(svg))
    assert "2013年" in words and "2022年" in words
    boxes = mark_boxes(svg)
    assert any(b[0] < segs[0][3] for b in boxes) and any(b[0] > segs[1][2] for b in boxes)


def test_every_host_has_a_label() -> None:
    """Each computer its own row and label: a long name cut with '…' and whole in its tooltip, a name with markup
    escaped, a computer with logs but no finding listed too."""
    long = "VERY-LONG-HOSTNAME-OF-THE-RADIOLOGY-DEPARTMENT.SERVERS.EXAMPLE-HOSPITAL.LOCAL"
    evil = "<b>PC&1</b>"
    t = jst(2022, 10, 31, 4)
    found = [finding("brute-force", Severity.HIGH, "KYUSHOKU-SV", t, t + timedelta(hours=5), phase="guessing"),
             finding("attack-tool", Severity.HIGH, long, t + timedelta(minutes=9), phase="tools"),
             finding("log-tampering", Severity.HIGH, evil, t + timedelta(hours=2), phase="cleanup")]
    logs = [coverage("QUIET-PC", "Security", t - timedelta(days=3), t + timedelta(days=1))]
    svg = ET.fromstring(overview_svg(found, [], logs, "Asia/Tokyo", "ja"))
    labels = row_labels(svg)
    assert set(labels) == {"KYUSHOKU-SV", long, evil, "QUIET-PC"}
    for host, (shown, tip) in labels.items():
        assert tip.startswith(host)
        assert shown == host or (shown.endswith("…") and host.startswith(shown[:-1]) and len(shown) > 10)
    assert labels[long][0] != long
    x0 = min(s[2] for s in segments(svg))
    for host, (shown, _) in labels.items():
        assert 8 + len(shown) * 0.6 * 12 * 1.06 < x0 or host == long  # a whole name never reaches the axis
    quiet = next(g for g in svg.iter("g") if g.get("data-host") == "QUIET-PC")
    assert "検知なし" in "".join(quiet.itertext())


def test_untimed_findings_have_their_column() -> None:
    t = jst(2022, 10, 31, 4)
    found = [finding("brute-force", Severity.HIGH, "A", t, t + timedelta(minutes=30)),
             finding("audit-policy", Severity.LOW, "B", None), finding("audit-policy", Severity.LOW, "B", None)]
    svg = ET.fromstring(overview_svg(found, [], [], "Asia/Tokyo", "en"))
    assert "No time" in texts(svg)
    late = [g for g in svg.iter("g") if "untimed" in (g.get("class") or "")]
    assert len(late) == 1 and late[0].get("data-n") == "2"


def test_no_timed_finding_still_shows_the_logs() -> None:
    """Findings without a time only: the bands run on the logs' own span, and the picture says so."""
    logs = [coverage("SV1", "Security", jst(2022, 10, 1), jst(2022, 10, 31))]
    svg = ET.fromstring(overview_svg([finding("audit-policy", Severity.LOW, "SV1", None)], [], logs, "Asia/Tokyo",
                                     "en"))
    assert [r for r in svg.iter("rect") if r.get("class") == "coverage"]
    assert any("No finding has a time" in t for t in texts(svg))


def test_ticks_in_the_runs_zone() -> None:
    t = jst(2022, 10, 31, 4, 7)
    found = [finding("brute-force", Severity.HIGH, "A", t, t + timedelta(hours=5))]
    tokyo = texts(ET.fromstring(overview_svg(found, [], [], "Asia/Tokyo", "ja")))
    utc = texts(ET.fromstring(overview_svg(found, [], [], "UTC", "en")))
    assert "05:00" in tokyo and "09:00" in tokyo and "時刻は JST（Asia/Tokyo）で表示" in tokyo
    assert "20:00" in utc and "31 Oct" in utc and "Times in UTC (UTC)" in utc  # 04:07 JST is 19:07 UTC on 30 Oct
    assert "2022年10月31日" in tokyo  # the day the hour ticks leave out


# --- the zooms ------------------------------------------------------------------------------------------------------

RULES = [("brute-force", "guessing"), ("breach-after-guessing", "access"), ("attack-tool", "tools"),
         ("defender-disabled", "defense-evasion"), ("lateral-movement", "lateral"), ("shadow-copy-delete", "impact"),
         ("log-tampering", "cleanup")]


@st.composite
def crowded(draw: st.DrawFn) -> list[Finding]:
    """Up to 40 findings on up to three computers within a few minutes or a few days: marks that would collide."""
    base = jst(2022, 10, 31, 4)
    scale = draw(st.sampled_from([60, 3600, 86400 * 3]))
    out = []
    for _ in range(draw(st.integers(1, 40))):
        rule, phase = draw(st.sampled_from(RULES))
        start = base + timedelta(seconds=draw(st.integers(0, scale)))
        length = timedelta(seconds=draw(st.sampled_from([0, 0, 1, scale // 50, scale // 3])))
        sev = draw(st.sampled_from([Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]))
        out.append(finding(rule, sev, draw(st.sampled_from(["KYUSHOKU-SV", "EHR-DB01", "PACS-SV01"])), start,
                           start + length, phase=phase))
    return out


@settings(max_examples=60, deadline=None)
@given(crowded(), st.sampled_from(["ja", "en"]))
def test_marks_never_overlap(found: list[Finding], lang: str) -> None:
    inc = incident("INC-001", found)
    logs = [coverage("KYUSHOKU-SV", "Security", jst(2022, 10, 30), jst(2022, 11, 5))]
    for svg in (zoom_svg(inc, logs, "Asia/Tokyo", lang), overview_svg(found, [inc], logs, "Asia/Tokyo", lang)):
        root = ET.fromstring(svg)
        boxes = mark_boxes(root)
        assert not overlaps(boxes)
        shown = sum(int(g.get("data-n", "0")) for g in root.iter("g") if "mark" in (g.get("class") or "").split())
        assert shown == len(found)  # every finding in exactly one mark (joined ones counted)
        assert all(g.find("title") is not None for g in root.iter("g") if "mark" in (g.get("class") or "").split())


def test_zoom_rows_are_host_and_stage() -> None:
    t = jst(2022, 10, 31, 4, 7)
    found = [finding("brute-force", Severity.HIGH, "KYUSHOKU-SV", t, t + timedelta(hours=5), phase="guessing"),
             finding("breach-after-guessing", Severity.CRITICAL, "KYUSHOKU-SV", t + timedelta(seconds=2),
                     phase="access"),
             finding("defender-disabled", Severity.HIGH, "EHR-DB01", t + timedelta(minutes=51),
                     phase="defense-evasion", sources=["192.168.10.5"])]
    for lang, words in (("ja", ["パスワード推測", "ログオン（侵入）", "防御の無効化"]),
                        ("en", ["password guessing", "logon (entry)", "defences switched off"])):
        svg = ET.fromstring(zoom_svg(incident("INC-007", found), [], "Asia/Tokyo", lang))
        assert svg.get("role") == "img" and "INC-007" in (svg.get("aria-label") or "")
        rows = [(g.get("data-host"), g.get("data-phase")) for g in svg.iter("g") if g.get("class") == "zoom-row"]
        assert rows == [("KYUSHOKU-SV", "guessing"), ("KYUSHOKU-SV", "access"), ("EHR-DB01", "defense-evasion")]
        labels = [t.text for t in svg.iter("text") if t.get("class") == "phase-label"]
        assert labels == words
        assert set(row_labels(svg)) == {"KYUSHOKU-SV", "EHR-DB01"}
        (seg,) = segments(svg)
        assert seg[0] <= t and seg[1] >= t + timedelta(hours=5) and seg[1] - seg[0] < timedelta(hours=6)
        assert all(w in texts(svg) for w in words)  # the legend names the stages too


def test_report_zooms_each_incident_and_folds_the_rest() -> None:
    found, incs = [], []
    for n in range(5):
        t = jst(2022, 10, 1 + n * 3, 4)
        fs = [finding("brute-force", Severity.HIGH, f"SV{n}", t, t + timedelta(minutes=40), phase="guessing")]
        found += fs
        incs.append(incident(f"INC-{n + 1:03d}", fs))
    html = render_html(result(found, incs))
    zooms = svgs(html, "zoom")
    assert len(zooms) == 5
    folded = html[html.index('<details class="more-zooms">'):]
    assert folded.count('<svg class="timeline zoom"') == 2 and "ほかのインシデント（2 件）の拡大図" in folded
    for n in range(1, 6):
        assert f'id="zoom-inc-{n:03d}"' in html and f'href="#zoom-inc-{n:03d}"' in html  # overview shade links
        assert f'href="#incident-{n}"' in html
    (overview,) = svgs(html, "overview")
    assert len(segments(overview)) == 5  # five attacks days apart: breaks between


# --- the demo and the shared corpus ---------------------------------------------------------------------------------

def _check_report(res: ScanResult) -> None:
    html = render_html(res)
    (overview,) = svgs(html, "overview")
    hosts = {h for f in res.findings if f.host for h in [f.host]} | {c.host for c in res.coverage}
    assert hosts <= set(row_labels(overview))
    assert not overlaps(mark_boxes(overview))
    zooms = svgs(html, "zoom")
    assert len(zooms) == sum(1 for i in res.incidents if i.first_seen)
    for z in zooms:
        assert not overlaps(mark_boxes(z))
    detections = [f for f in res.findings if f.rule != "log-coverage" and f.first_seen]
    segs = segments(overview)
    first = min(f.first_seen for f in detections if f.first_seen)
    assert segs[0][0] <= first and first - segs[0][0] < timedelta(days=60)


def test_demo(tmp_path: Path) -> None:
    paths = write_scenario(tmp_path / "logs")
    res = scan(paths, tmp_path / "out")
    _check_report(res)
    (overview,) = svgs(render_html(res), "overview")
    segs = segments(overview)
    attack = [s for s in segs if s[0] <= jst(2022, 10, 31, 4, 7, 12) <= s[1]]
    assert attack and attack[0][3] - attack[0][2] > 0.7 * (segs[-1][3] - segs[0][2])  # the attack gets the room


def test_corpus(tmp_path: Path) -> None:
    need(CORPUS)
    res = scan([CORPUS], tmp_path / "out")
    _check_report(res)
    (overview,) = svgs(render_html(res), "overview")
    assert [g for g in overview.iter("g") if g.get("class") == "break"]
    segs = segments(overview)
    assert segs[0][0].astimezone(ZoneInfo("Asia/Tokyo")).year <= 2013 and segs[-1][1].year >= 2022
    for host, (shown, _) in row_labels(overview).items():
        assert shown == host  # the corpus's names (up to 31 characters) are never cut
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
