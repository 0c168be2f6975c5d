"""Timeline picture: one lane per host, findings as markers or bars on a zoned time axis (inline SVG)."""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from wardwatch.model import Finding, Severity
from wardwatch.report.labels import format_time, label, severity_label, zone_name

COLOURS: dict[Severity, str] = {
    Severity.CRITICAL: "#7f1d1d",
    Severity.HIGH: "#c2410c",
    Severity.MEDIUM: "#d97706",
    Severity.LOW: "#1d4ed8",
    Severity.INFO: "#6b7280",
}

WIDTH = 1000
LABEL_W = 170
NOTIME_W = 70
RIGHT_PAD = 16
TOP = 46
ROW_H = 18
LANE_PAD = 8
AXIS_H = 40
LEGEND_H = 30
MAX_ROWS = 6

# Tick steps in seconds, then in months.
_SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                 21600, 43200, 86400, 172800, 345600, 604800, 1209600]
_MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60, 120]
_TARGET_TICKS = 7


def _x(t: datetime, start: datetime, span: float, x0: float, x1: float) -> float:
    return x0 + (x1 - x0) * (t - start).total_seconds() / span


def _ticks(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[list[datetime], str]:
    """Tick times between start and end, aligned to the local clock, and their strftime format."""
    span = (end - start).total_seconds()
    for step in _SECOND_STEPS:
        if span / step <= _TARGET_TICKS:
            offset = start.astimezone(zone).utcoffset() or timedelta(0)
            epoch = start.timestamp() + offset.total_seconds()
            first = math.ceil(epoch / step) * step - offset.total_seconds()
            ticks: list[datetime] = []
            stamp = first
            while stamp <= end.timestamp():
                ticks.append(datetime.fromtimestamp(stamp, UTC))
                stamp += step
            same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
            if step < 60:
                fmt = "%H:%M:%S" if same_day else "%m-%d %H:%M:%S"
            elif step < 86400:
                fmt = "%H:%M" if same_day else "%m-%d %H:%M"
            else:
                fmt = "%Y-%m-%d"
            return ticks, fmt
    local_start = start.astimezone(zone)
    months = span / (30.44 * 86400)
    step_m = next((m for m in _MONTH_STEPS if months / m <= _TARGET_TICKS), _MONTH_STEPS[-1])
    while months / step_m > _TARGET_TICKS:
        step_m *= 2
    index = local_start.year * 12 + local_start.month  # next month boundary after start
    index += (-index) % step_m
    month_ticks: list[datetime] = []
    while True:
        year, month0 = divmod(index, 12)
        t = datetime(year, month0 + 1, 1, tzinfo=zone)
        if t > end:
            break
        if t >= start:
            month_ticks.append(t.astimezone(UTC))
        index += step_m
    return month_ticks, "%Y" if step_m >= 12 else "%Y-%m"


def _marker(sev: Severity, x: float, y: float) -> str:
    """A shape per severity so that colour is not the only cue."""
    c = COLOURS[sev]
    if sev == Severity.CRITICAL:
        return (f'<polygon points="{x:.1f},{y - 7:.1f} {x + 7:.1f},{y:.1f} {x:.1f},{y + 7:.1f} {x - 7:.1f},{y:.1f}" '
                f'fill="{c}" stroke="#fff"/>')
    if sev == Severity.HIGH:
        return (f'<polygon points="{x:.1f},{y - 7:.1f} {x + 7:.1f},{y + 6:.1f} {x - 7:.1f},{y + 6:.1f}" '
                f'fill="{c}" stroke="#fff"/>')
    if sev == Severity.MEDIUM:
        return f'<rect x="{x - 5.5:.1f}" y="{y - 5.5:.1f}" width="11" height="11" fill="{c}" stroke="#fff"/>'
    if sev == Severity.LOW:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{c}" stroke="#fff"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#fff" stroke="{c}" stroke-width="2.5"/>'


def _tooltip(f: Finding, tz: str, lang: str) -> str:
    when = format_time(f.first_seen or f.last_seen, tz) if (f.first_seen or f.last_seen) else label("no_time", lang)
    if f.first_seen and f.last_seen and f.last_seen != f.first_seen:
        when += " – " + format_time(f.last_seen, tz)
    text = f"[{severity_label(f.severity, lang)}] {f.rule}: {f.title.get(lang)}\n{when}"
    return f"<title>{escape(text)}</title>"


def _host(f: Finding, lang: str) -> str:
    return f.host or label("unknown_host", lang)


def _short(text: str, n: int = 22) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _lanes(findings: list[Finding], lang: str) -> list[tuple[str, list[Finding]]]:
    """Hosts in order of their first finding; hosts with only untimed findings last."""
    by_host: dict[str, list[Finding]] = {}
    for f in findings:
        by_host.setdefault(_host(f, lang), []).append(f)
    far = datetime.max.replace(tzinfo=UTC)

    def first(item: tuple[str, list[Finding]]) -> tuple[datetime, str]:
        times = [f.first_seen for f in item[1] if f.first_seen]
        return (min(times) if times else far, item[0])

    return sorted(by_host.items(), key=first)


def _pack(items: list[tuple[float, float, Finding]]) -> list[tuple[int, float, float, Finding]]:
    """Greedy rows so that marks in one lane do not cover each other."""
    ends: list[float] = []
    placed = []
    for x0, x1, f in sorted(items, key=lambda i: (i[0], -i[2].severity)):
        row = next((r for r, e in enumerate(ends) if e + 4 < x0), None)
        if row is None:
            if len(ends) < MAX_ROWS:
                ends.append(x1)
                row = len(ends) - 1
            else:
                row = min(range(len(ends)), key=lambda r: ends[r])
        ends[row] = max(ends[row], x1)
        placed.append((row, x0, x1, f))
    return placed


def _range(findings: Iterable[Finding]) -> tuple[datetime, datetime] | None:
    times = [t for f in findings for t in (f.first_seen, f.last_seen) if t is not None]
    if not times:
        return None
    start, end = min(times), max(times)
    span = (end - start).total_seconds()
    pad = timedelta(seconds=max(span * 0.03, 30)) if span else timedelta(minutes=5)
    return start - pad, end + pad


def timeline_svg(findings: list[Finding], tz: str, lang: str) -> str:
    """The attack timeline as an inline SVG string; every text in it is escaped."""
    zone = ZoneInfo(tz)
    lanes = _lanes(findings, lang)
    bounds = _range(findings)
    has_untimed = any(f.first_seen is None and f.last_seen is None for f in findings)
    x0 = LABEL_W + 10
    x1 = WIDTH - RIGHT_PAD - (NOTIME_W if has_untimed else 0)
    parts: list[str] = []
    y = TOP
    lane_parts: list[str] = []
    for i, (host, items) in enumerate(lanes):
        timed: list[tuple[float, float, Finding]] = []
        untimed: list[Finding] = []
        for f in items:
            a, b = f.first_seen or f.last_seen, f.last_seen or f.first_seen
            if a is None or b is None or bounds is None:
                untimed.append(f)
                continue
            span = (bounds[1] - bounds[0]).total_seconds()
            xa, xb = _x(a, bounds[0], span, x0, x1), _x(b, bounds[0], span, x0, x1)
            timed.append((xa - 7, max(xb, xa) + 7, f))
        placed = _pack(timed)
        rows = max([r for r, *_ in placed] + [len(untimed) - 1, 0]) + 1
        h = rows * ROW_H + 2 * LANE_PAD
        fill = "#f3f4f6" if i % 2 == 0 else "#ffffff"
        g = [f'<g class="lane" data-host="{escape(host)}">',
             f'<rect x="0" y="{y}" width="{WIDTH}" height="{h}" fill="{fill}"/>',
             f'<text x="8" y="{y + LANE_PAD + ROW_H * 0.7:.1f}" font-size="13" font-weight="bold" fill="#111">'
             f'<title>{escape(host)}</title>{escape(_short(host))}</text>']
        for row, xa, xb, f in placed:
            cy = y + LANE_PAD + row * ROW_H + ROW_H / 2
            sev = f.severity
            mark = [f'<g class="mark sev-{sev.label}">', _tooltip(f, tz, lang)]
            if xb - xa > 18:  # a bar from first to last seen
                mark.append(f'<rect x="{xa + 7:.1f}" y="{cy - 4:.1f}" width="{xb - xa - 14:.1f}" height="8" rx="3" '
                            f'fill="{COLOURS[sev]}" fill-opacity="0.75"/>')
            mark.append(_marker(sev, xa + 7, cy))
            mark.append("</g>")
            g.append("".join(mark))
        for row, f in enumerate(untimed):
            cy = y + LANE_PAD + row * ROW_H + ROW_H / 2
            g.append(f'<g class="mark untimed sev-{f.severity.label}">{_tooltip(f, tz, lang)}'
                     f'{_marker(f.severity, x1 + NOTIME_W / 2, cy)}</g>')
        g.append("</g>")
        lane_parts.append("".join(g))
        y += h
    lanes_bottom = y
    # Axis: grid lines and tick labels in the report zone.
    axis: list[str] = []
    if bounds is not None:
        span = (bounds[1] - bounds[0]).total_seconds()
        ticks, fmt = _ticks(bounds[0], bounds[1], zone)
        for t in ticks:
            xt = _x(t, bounds[0], span, x0, x1)
            axis.append(f'<line x1="{xt:.1f}" y1="{TOP}" x2="{xt:.1f}" y2="{lanes_bottom + 5}" stroke="#9ca3af" '
                        f'stroke-dasharray="2,3"/>')
            text = t.astimezone(zone).strftime(fmt)
            half = 3.4 * len(text)
            anchor, xl = "middle", xt
            if xt + half > WIDTH - 2:
                anchor, xl = "end", WIDTH - 2
            elif xt - half < LABEL_W:
                anchor, xl = "start", max(xt - 4, float(LABEL_W))
            axis.append(f'<text x="{xl:.1f}" y="{lanes_bottom + 19}" font-size="11" text-anchor="{anchor}" '
                        f'fill="#111">{escape(text)}</text>')
        zname = zone_name(bounds[0].astimezone(zone))
        secs = span < 3600
        caption = f"{format_time(bounds[0], tz, secs)} – {format_time(bounds[1], tz, secs)}  ({zname}, {tz})"
        axis.append(f'<text x="{x0}" y="{lanes_bottom + 35}" font-size="11" fill="#374151">{escape(caption)}</text>')
    if has_untimed:
        axis.append(f'<line x1="{x1 + 2}" y1="{TOP - 6}" x2="{x1 + 2}" y2="{lanes_bottom}" stroke="#6b7280"/>')
        axis.append(f'<text x="{x1 + NOTIME_W / 2:.1f}" y="{TOP - 10}" font-size="11" text-anchor="middle" '
                    f'fill="#374151">{escape(label("no_time", lang))}</text>')
    # Legend: shape, colour and word for each severity.
    legend = []
    lx = 8.0
    ly = lanes_bottom + AXIS_H + 14
    for sev in sorted(Severity, reverse=True):
        legend.append(_marker(sev, lx + 7, ly))
        word = severity_label(sev, lang)
        legend.append(f'<text x="{lx + 18:.1f}" y="{ly + 4:.1f}" font-size="12" fill="#111">{escape(word)}</text>')
        lx += 30 + 9 * len(word) + (8 if lang != "en" else 0)
    height = lanes_bottom + AXIS_H + LEGEND_H
    title = label("timeline", lang)
    if not lanes:
        height = TOP + 40
        axis = [f'<text x="8" y="{TOP + 10}" font-size="13" fill="#374151">{escape(label("no_findings", lang))}</text>']
        legend = []
    parts.append(f'<svg class="timeline" role="img" '
                 f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
                 f'font-family="sans-serif" aria-label="{escape(title)}">')
    parts.append(f"<title>{escape(title)}</title>")
    parts.append(f'<text x="8" y="22" font-size="12" fill="#374151">{escape(label("hosts", lang))}</text>')
    parts.extend(lane_parts)
    parts.extend(axis)
    parts.extend(legend)
    parts.append("</svg>")
    return "\n".join(parts)


def matrix_svg(matrix: dict[str, dict[str, int]], segments: list[str], caption: str) -> str:
    """A segment × segment picture of the traffic seen: one square per (from, to), darker for more connections."""
    names = list(dict.fromkeys(list(segments) + [t for row in matrix.values() for t in row] + list(matrix)))
    if not names:
        return ""
    cell, left, top = 34, 120, 110
    peak = max((n for row in matrix.values() for n in row.values()), default=0) or 1
    size_w, size_h = left + cell * len(names) + 60, top + cell * len(names) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size_w}" height="{size_h}" '
             f'viewBox="0 0 {size_w} {size_h}" font-family="sans-serif" font-size="12">'
             f'<title>{escape(caption)}</title>']
    for j, name in enumerate(names):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x}" y="{top - 8}" transform="rotate(-45 {x} {top - 8})">{escape(name)}</text>')
    for i, src in enumerate(names):
        y = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4}" text-anchor="end">{escape(src)}</text>')
        for j, dst in enumerate(names):
            n = matrix.get(src, {}).get(dst, 0)
            shade = 0.08 + 0.92 * (n / peak) ** 0.5 if n else 0
            fill = f"rgba(185,28,28,{shade:.2f})" if n else "#f1f5f9"
            parts.append(f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                         f'<title>{escape(src)} → {escape(dst)}: {n}</title></rect>')
            if n:
                parts.append(f'<text x="{left + j * cell + cell / 2 - 1}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                             f'fill="{"#fff" if shade > 0.5 else "#111"}">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)
