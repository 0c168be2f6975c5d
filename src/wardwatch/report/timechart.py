"""The scan report's timeline pictures (inline SVG): an overview with one row per computer on an axis chosen from
the detections (long quiet gaps cut out), a zoom per incident with rows by computer and attack stage, and each
computer's log coverage as a thin band apart from the detections."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from wardwatch.checks.phase import CHAIN
from wardwatch.checks.spec import has_tag
from wardwatch.model import Coverage, Finding, Incident, ScanResult, Severity, finding_hosts
from wardwatch.report.labels import format_duration, format_time, label, phase_label, severity_label, zone_name
from wardwatch.report.markpack import Cluster, pack
from wardwatch.report.textwidth import fit, text_width
from wardwatch.report.timeaxis import Axis, build_axis
from wardwatch.report.timedraw import (
    AXIS_Y,
    BREAK_W,
    COLOURS,
    INK,
    MUTED,
    RADIUS,
    axis_header,
    band_legend,
    break_legend,
    count_width,
    coverage_band,
    host_label,
    legend_items,
    mark,
    severity_legend,
)
from wardwatch.story import phase_of

WIDTH = 1000
LANE_H = 18
LANES = 3
TOP = AXIS_Y + 6
NOTIME_W = 74
COUNT_ROOM = 30  # right of the axis: room for the count of a mark at its very end
ZOOMS_OPEN = 3  # incidents zoomed in shown open; the others folded
WEIGHT = {Severity.CRITICAL: 8.0, Severity.HIGH: 4.0, Severity.MEDIUM: 2.0, Severity.LOW: 1.0, Severity.INFO: 0.5}
# The attack stages' colours in the zooms (the severities keep theirs in the overview); off-chain stages are grey.
PHASE_COLOURS = {"guessing": "#e69f00", "access": "#d55e00", "tools": "#cc79a7", "defense-evasion": "#7b3294",
                 "persistence": "#0072b2", "lateral": "#009e73", "exfiltration": "#56b4e9", "impact": "#1f2937",
                 "cleanup": "#8c6d1f"}
OFF_CHAIN = "#6b7280"
SHADE = "#fde68a"  # an incident's time in the overview
EARLY = datetime.min.replace(tzinfo=UTC)


def is_detection(f: Finding) -> bool:
    """A finding the timeline places: not a log-coverage measure (those are drawn as bands)."""
    return not has_tag(f.rule, "coverage")


def _span(f: Finding) -> tuple[datetime, datetime] | None:
    a, b = f.first_seen or f.last_seen, f.last_seen or f.first_seen
    return (a, max(a, b)) if a is not None and b is not None else None


def _row_of(f: Finding, lang: str) -> tuple[str, str, str]:
    """The row a finding sits in: its key, the label shown and the label whole (a finding on several computers
    has a row of its own: 'A ほか3台')."""
    hosts = finding_hosts(f)
    if not hosts:
        unknown = label("unknown_host", lang)
        return unknown, unknown, unknown
    if len(hosts) == 1:
        return hosts[0], hosts[0], hosts[0]
    return ", ".join(hosts), label("tl_more_hosts", lang, host=hosts[0], n=len(hosts) - 1), ", ".join(hosts)


def _intervals(findings: Sequence[Finding]) -> list[tuple[datetime, datetime, float]]:
    return [(s[0], s[1], WEIGHT[f.severity]) for f in findings if (s := _span(f))]


def _items(axis: Axis, findings: Sequence[Finding]) -> list[tuple[float, float, Finding]]:
    out = []
    for f in findings:
        span = _span(f)
        if span is not None:
            out.append((axis.x(span[0]), max(axis.x(span[1]), axis.x(span[0])), f))
    return out


def _worst(c: Cluster[Finding]) -> str:
    return COLOURS[max(f.severity for f in c.members)]


def _row_marks(axis: Axis | None, findings: Sequence[Finding], y: float, colour: Callable[[Cluster[Finding]], str],
               untimed_x: float, tz: str, lang: str) -> tuple[list[str], int]:
    """A row's marks, packed so that none covers another (lanes LANE_H apart from y), the findings without a
    time joined in their column at untimed_x; and how many lanes they take."""
    timed = [f for f in findings if _span(f)]
    packed = pack(_items(axis, timed), RADIUS, count_width, lanes=LANES) if axis else []
    out = [mark(c, y + c.lane * LANE_H + LANE_H / 2, colour, tz, lang) for c in packed]
    late = [f for f in findings if not _span(f)]
    if late:
        out.append(mark(Cluster(untimed_x, untimed_x, late), y + LANE_H / 2, colour, tz, lang, "untimed"))
    return out, max([c.lane + 1 for c in packed] + [1])


def _untimed_head(x: float, bottom: float, lang: str) -> str:
    """The column of findings without a time: a line and its heading."""
    return (f'<line x1="{x}" y1="{TOP - 14}" x2="{x}" y2="{bottom}" stroke="{MUTED}"/>'
            f'<text x="{x + NOTIME_W / 2:.1f}" y="31" font-size="11" text-anchor="middle" fill="{INK}">'
            f'{escape(label("no_time", lang))}</text>')


def _caption(y: float, text: str) -> str:
    return f'<text x="8" y="{y:.1f}" font-size="11" fill="{MUTED}">{escape(text)}</text>'


def _label_room(texts: Sequence[str], size: float, least: float, most: float) -> float:
    return min(max([text_width(t, size, bold=True) for t in texts] + [least]), most)


def _svg(height: float, title: str, body: list[str], cls: str) -> str:
    return (f'<svg class="timeline {cls}" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height:.0f}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="sans-serif">'
            f'<title>{escape(title)}</title>' + "".join(body) + "</svg>")


def _zone_caption(axis: Axis | None, tz: str, lang: str) -> str:
    when = axis.segments[0].start if axis else datetime.now().astimezone()
    return label("tl_times_in", lang, zone=zone_name(when.astimezone(ZoneInfo(tz))), tz=tz)


def overview_svg(findings: Sequence[Finding], incidents: Sequence[Incident], coverage: Sequence[Coverage], tz: str,
                 lang: str) -> str:
    """All computers, one labelled row each (those with findings first, in order of their first one), on an axis
    chosen from the detections alone; incidents shaded (a link to their zoom), coverage as bands under the rows."""
    shown = [f for f in findings if is_detection(f)]
    rows: dict[str, tuple[str, str, list[Finding]]] = {}
    for f in sorted(shown, key=lambda f: (_span(f) is None, _span(f) or (EARLY, EARLY))):
        key, text, whole = _row_of(f, lang)
        rows.setdefault(key, (text, whole, []))[2].append(f)
    logs = _logs(coverage)
    for host in sorted(set(logs) - set(rows)):
        rows[host] = (host, host, [])
    if not rows:
        return _svg(TOP + 40, label("timeline", lang), [_caption(24, label("no_findings", lang))], "overview")
    untimed = any(_span(f) is None for f in shown)
    room = _label_room([r[0] for r in rows.values()], 12, 90, 280)
    x0, x1 = 8 + room + 12, WIDTH - 10 - COUNT_ROOM - (NOTIME_W if untimed else 0)
    settings: dict[str, Any] = {"min_gap": timedelta(hours=2), "gap_share": 0.1, "max_segments": 8,
                                "least_width": 64, "break_width": BREAK_W}
    axis = build_axis(_intervals(shown), x0, x1, **settings)
    only_logs = axis is None
    if axis is None:  # no detection has a time: the logs' own span, so that the bands still show
        axis = build_axis([(c.first, c.last or c.first, 1.0) for c in coverage if c.first], x0, x1, **settings)
    back: list[str] = []
    fore: list[str] = []
    y = float(TOP)
    for n, (key, (text, whole, items)) in enumerate(rows.items()):
        marks, lanes = _row_marks(axis, items, y + 6, _worst, x1 + COUNT_ROOM + NOTIME_W / 2, tz, lang)
        band = axis is not None and bool(logs.get(key))
        height = 6 + lanes * LANE_H + (8 if band else 0) + 2
        back.append(_stripe(y, height, n))
        tip = "\n".join([whole] + [f"{c.channel}: {format_time(c.first, tz, False)} – {format_time(c.last, tz, False)}"
                                   for c in sorted(logs.get(key, []), key=lambda c: c.channel)])
        row = [f'<g class="lane" data-host="{escape(key)}">',
               host_label(8, y + 6 + LANE_H * 0.7, text, room, tip, muted=not items), *marks]
        if not items:
            row.append(f'<text x="{x0 + 4:.1f}" y="{y + 6 + LANE_H * 0.7:.1f}" font-size="11" fill="{MUTED}">'
                       f'{escape(label("tl_no_detection", lang))}</text>')
        if band and axis is not None:
            row.append(coverage_band(axis, logs[key], y + height - 8, tz, lang))
        fore.append("".join(row) + "</g>")
        y += height
    grid, head = axis_header(axis, ZoneInfo(tz), lang, TOP, y) if axis else ([], [])
    shade = _incident_shades(axis, incidents, y, tz, lang) if axis else []
    if untimed:
        head.append(_untimed_head(x1 + COUNT_ROOM, y, lang))
    keys = severity_legend(lang) + ([band_legend(lang)] if logs else [])
    if axis is not None and len(axis.segments) > 1:
        keys.append(break_legend(lang))
    if shade:
        keys.append((f'<rect x="-7" y="-6" width="14" height="12" fill="{SHADE}" fill-opacity="0.4"/>',
                     label("tl_incident_shade", lang)))
    legend, after = legend_items(keys, 8.0, y + (34 if shade else 18), WIDTH - 8)
    notes = [_zone_caption(axis, tz, lang)] + ([label("tl_only_coverage", lang)] if only_logs and axis else [])
    title = label("tl_overview_aria", lang, hosts=sum(1 for r in rows.values() if r[2]), findings=len(shown))
    return _svg(after + 12, title, back + grid + shade + fore + head + legend + [_caption(after + 2, "  ".join(notes))],
                "overview")


def _logs(coverage: Sequence[Coverage]) -> dict[str, list[Coverage]]:
    out: dict[str, list[Coverage]] = {}
    for c in coverage:
        out.setdefault(c.host, []).append(c)
    return out


def _stripe(y: float, height: float, n: int) -> str:
    fill = "#f3f4f6" if n % 2 == 0 else "#fff"
    return f'<rect x="0" y="{y:.1f}" width="{WIDTH}" height="{height:.1f}" fill="{fill}"/>'


def _incident_shades(axis: Axis, incidents: Sequence[Incident], bottom: float, tz: str, lang: str) -> list[str]:
    """Each incident's time as a light shade behind the rows, a link to its zoom; its id under the rows where it
    fits."""
    out: list[str] = []
    right = float("-inf")
    for inc in sorted((i for i in incidents if i.first_seen), key=lambda i: i.first_seen or datetime.min):
        assert inc.first_seen is not None
        last = inc.last_seen or inc.first_seen
        tip = label("tl_incident_tip", lang, id=inc.id, sev=severity_label(inc.severity, lang),
                    first=format_time(inc.first_seen, tz, False), last=format_time(last, tz, False))
        parts = []
        for xa, xb in axis.pieces(inc.first_seen, last):
            if xb - xa < 4:
                xa, xb = (xa + xb) / 2 - 2, (xa + xb) / 2 + 2
            parts.append(f'<rect x="{xa:.1f}" y="{TOP}" width="{xb - xa:.1f}" height="{bottom - TOP:.1f}" '
                         f'fill="{SHADE}" fill-opacity="0.25"/>')
        if not parts:
            continue
        xa = axis.x(inc.first_seen)
        name = f'<text x="{xa:.1f}" y="{bottom + 14:.1f}" font-size="11" fill="{INK}">{escape(inc.id)}</text>'
        width = text_width(inc.id, 11)
        shown = xa >= right + 6
        right = xa + width if shown else right
        out.append(f'<a href="#zoom-{escape(inc.id.lower())}" class="incident-shade"><title>{escape(tip)}</title>'
                   + "".join(parts) + (name if shown else "") + "</a>")
    return out


def _phase(f: Finding) -> str:
    p = phase_of(f)
    return str(p.value) if p is not None else f.phase


def _constant(colour: str) -> Callable[[Cluster[Finding]], str]:
    return lambda _c: colour


def _phase_colour(phase: str) -> str:
    return PHASE_COLOURS.get(phase, OFF_CHAIN)


def zoom_svg(inc: Incident, coverage: Sequence[Coverage], tz: str, lang: str) -> str:
    """One incident on its own time window: a row per computer and attack stage (stage colours), marks joined or
    stacked so that none covers another, each computer's log coverage as a band under its rows."""
    order = [p.value for p in CHAIN]

    def stage_key(p: str) -> tuple[int, str]:
        return (order.index(p) if p in order else len(order), p)

    groups: dict[str, tuple[str, str, dict[str, list[Finding]]]] = {}
    for f in sorted(inc.findings, key=lambda f: (_span(f) is None, _span(f) or (EARLY, EARLY))):
        key, text, whole = _row_of(f, lang)
        groups.setdefault(key, (text, whole, {}))[2].setdefault(_phase(f), []).append(f)
    phases = sorted({p for g in groups.values() for p in g[2]}, key=stage_key)
    host_room = _label_room([g[0] for g in groups.values()], 12, 70, 240)
    phase_room = _label_room([phase_label(p, lang) for p in phases], 11, 50, 170) + 16
    untimed = any(_span(f) is None for f in inc.findings)
    px = 8 + host_room + 10
    x0, x1 = px + phase_room + 10, WIDTH - 10 - COUNT_ROOM - (NOTIME_W if untimed else 0)
    axis = build_axis(_intervals(inc.findings), x0, x1, min_gap=timedelta(hours=2), gap_share=0.25, max_segments=4,
                      least_width=90, break_width=BREAK_W)
    logs = _logs(coverage)
    back: list[str] = []
    fore: list[str] = []
    y = float(TOP)
    for n, (key, (text, whole, by_phase)) in enumerate(groups.items()):
        top = y
        rows = []
        for phase in sorted(by_phase, key=stage_key):
            colour = _phase_colour(phase)
            marks, lanes = _row_marks(axis, by_phase[phase], y + 6, _constant(colour), x1 + COUNT_ROOM + NOTIME_W / 2,
                                      tz, lang)
            name = fit(phase_label(phase, lang), 11, phase_room - 16)
            rows.append(f'<g class="zoom-row" data-host="{escape(key)}" data-phase="{escape(phase)}">'
                        f'<rect x="{px:.1f}" y="{y + 6 + LANE_H / 2 - 5:.1f}" width="10" height="10" rx="2" '
                        f'fill="{colour}"/><text class="phase-label" x="{px + 14:.1f}" y="{y + 6 + LANE_H * 0.7:.1f}" '
                        f'font-size="11" fill="{INK}">{escape(name)}</text>' + "".join(marks) + "</g>")
            y += 4 + lanes * LANE_H
        if axis is not None and logs.get(key):
            rows.append(coverage_band(axis, logs[key], y + 2, tz, lang))
            y += 10
        y += 6
        back.append(_stripe(top, y - top, n))
        fore.append(f'<g class="lane" data-host="{escape(key)}">'
                    + host_label(8, top + 6 + LANE_H * 0.7, text, host_room, whole) + "".join(rows) + "</g>")
    grid, head = axis_header(axis, ZoneInfo(tz), lang, TOP, y) if axis else ([], [])
    if untimed:
        head.append(_untimed_head(x1 + COUNT_ROOM, y, lang))
    stages = [(f'<rect x="-6" y="-6" width="12" height="12" rx="2" fill="{_phase_colour(p)}"/>', phase_label(p, lang))
              for p in phases]
    legend, after = legend_items(stages, 8.0, y + 18, WIDTH - 8)
    shapes = severity_legend(lang, MUTED) + [band_legend(lang)]
    if axis is not None and len(axis.segments) > 1:
        shapes.append(break_legend(lang))
    more, after = legend_items(shapes, 8.0, after, WIDTH - 8)
    title = label("tl_zoom_aria", lang, id=inc.id, hosts=len(inc.hosts), findings=len(inc.findings))
    return _svg(after + 12, title, back + grid + fore + head + legend + more
                + [_caption(after + 2, _zone_caption(axis, tz, lang))], "zoom")


def _card_order(incidents: Sequence[Incident]) -> list[Incident]:
    """Incidents in the order the report's incident cards take (worst first, then earliest)."""
    return sorted(incidents, key=lambda i: (-i.severity, i.first_seen.timestamp() if i.first_seen else float("inf")))


def timeline_context(result: ScanResult, tz: str, lang: str) -> dict[str, Any]:
    """What the report's timeline section shows: `svg` (the overview) and `zooms` (one per incident with a time,
    the first ZOOMS_OPEN open, the others under `zooms_more`)."""
    coverage = list(result.section("coverage") or [])
    zooms = []
    for n, inc in enumerate(_card_order(result.incidents), start=1):
        if inc.first_seen is None:
            continue
        last = inc.last_seen or inc.first_seen
        span = (last - inc.first_seen).total_seconds()
        zooms.append({"id": inc.id, "anchor": f"zoom-{inc.id.lower()}", "card": f"incident-{n}",
                      "sev": {"cls": inc.severity.label, "label": severity_label(inc.severity, lang)},
                      "title": label("tl_zoom_title", lang, id=inc.id),
                      "period": f"{format_time(inc.first_seen, tz, False)} – {format_time(last, tz, False)}"
                                + (f" ({format_duration(span, lang)})" if span >= 1 else ""),
                      "svg": Markup(zoom_svg(inc, coverage, tz, lang))})
    return {"svg": Markup(overview_svg(result.findings, result.incidents, coverage, tz, lang)),
            "zooms": zooms, "zooms_open": ZOOMS_OPEN,
            "zooms_more": label("tl_zoom_more", lang, n=max(len(zooms) - ZOOMS_OPEN, 0))}

