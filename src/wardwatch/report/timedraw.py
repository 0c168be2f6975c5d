"""Drawing pieces shared by the timeline pictures (SVG text): severity symbols, packed marks with their tooltips,
the time axis with its breaks, log-coverage bands and legend entries. Every text is escaped here."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from wardwatch.model import Coverage, Finding, Severity
from wardwatch.report.labels import format_time, label, severity_label
from wardwatch.report.markpack import Cluster, extent
from wardwatch.report.textwidth import fit, text_width
from wardwatch.report.timeaxis import TICK_FONT, Axis, ticks
from wardwatch.textfmt import axis_context, rough_duration

COLOURS: dict[Severity, str] = {
    Severity.CRITICAL: "#7f1d1d",
    Severity.HIGH: "#c2410c",
    Severity.MEDIUM: "#d97706",
    Severity.LOW: "#1d4ed8",
    Severity.INFO: "#6b7280",
}
INK, MUTED, GRID, BAND = "#111827", "#4b5563", "#9ca3af", "#64748b"
RADIUS = 7.0  # half the width of a symbol
COUNT_FONT = 10
TOOLTIP_LINES = 12
AXIS_Y = 38  # the axis line; the segment captions above it at 14, the tick labels at 31
BREAK_W = 18


def count_width(n: int) -> float:
    """The room the count after a joined mark takes (its text and the space before it)."""
    return 3 + text_width(f"×{n}", COUNT_FONT, bold=True)


def symbol(sev: Severity, x: float, y: float, fill: str) -> str:
    """A shape per severity so that colour is not the only cue; none reaches past RADIUS from (x, y)."""
    if sev == Severity.CRITICAL:
        return (f'<polygon points="{x:.1f},{y - 7:.1f} {x + 7:.1f},{y:.1f} {x:.1f},{y + 7:.1f} {x - 7:.1f},{y:.1f}" '
                f'fill="{fill}" stroke="#fff"/>')
    if sev == Severity.HIGH:
        return (f'<polygon points="{x:.1f},{y - 7:.1f} {x + 7:.1f},{y + 6:.1f} {x - 7:.1f},{y + 6:.1f}" '
                f'fill="{fill}" stroke="#fff"/>')
    if sev == Severity.MEDIUM:
        return f'<rect x="{x - 5.5:.1f}" y="{y - 5.5:.1f}" width="11" height="11" fill="{fill}" stroke="#fff"/>'
    if sev == Severity.LOW:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="#fff"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#fff" stroke="{fill}" stroke-width="2.5"/>'


def when(f: Finding, tz: str, lang: str) -> str:
    """A finding's time in the report zone: one time, or first – last."""
    first, last = f.first_seen or f.last_seen, f.last_seen or f.first_seen
    if first is None or last is None:
        return label("no_time", lang)
    return format_time(first, tz) + ("" if last == first else " – " + format_time(last, tz))


def tooltip(findings: Sequence[Finding], tz: str, lang: str, head: str = "") -> str:
    """A <title> naming each finding of a mark (severity, title, rule, time); past TOOLTIP_LINES, how many more."""
    lines = [head] if head else []
    latest = datetime.max.replace(tzinfo=UTC)
    for f in sorted(findings, key=lambda f: (-f.severity, f.first_seen or latest))[:TOOLTIP_LINES]:
        lines.append(f"[{severity_label(f.severity, lang)}] {f.title.get(lang)} ({f.rule})\n    {when(f, tz, lang)}")
    if len(findings) > TOOLTIP_LINES:
        lines.append(label("tl_more_findings", lang, n=len(findings) - TOOLTIP_LINES))
    return f"<title>{escape(chr(10).join(lines))}</title>"


def mark(c: Cluster[Finding], y: float, colour: Callable[[Cluster[Finding]], str], tz: str, lang: str,
         cls: str = "") -> str:
    """One packed mark: the worst severity's symbol at c.a, a bar on to c.b, and ×n when it joins n findings."""
    worst = max(f.severity for f in c.members)
    fill = colour(c)
    out = [f'<g class="mark sev-{worst.label}{" " + cls if cls else ""}" data-n="{len(c.members)}">',
           tooltip(c.members, tz, lang)]
    if c.b - c.a > RADIUS:
        out.append(f'<rect x="{c.a:.1f}" y="{y - 4:.1f}" width="{c.b - c.a:.1f}" height="8" rx="3" fill="{fill}" '
                   f'fill-opacity="0.6"/>')
    out.append(symbol(worst, c.a, y, fill))
    if len(c.members) > 1:
        right = extent(c, RADIUS, count_width)[1]
        out.append(f'<text x="{right - count_width(len(c.members)) + 3:.1f}" y="{y + 3.5:.1f}" '
                   f'font-size="{COUNT_FONT}" font-weight="bold" fill="{INK}">×{len(c.members)}</text>')
    out.append("</g>")
    return "".join(out)


def axis_header(axis: Axis, zone: ZoneInfo, lang: str, top: float, bottom: float) -> tuple[list[str], list[str]]:
    """Grid lines (drawn under the rows' marks) and the header: per segment its caption (the date or year its ticks
    leave out), tick labels and axis line; between segments a break, white through every row, with its span."""
    grid: list[str] = []
    head: list[str] = []
    for seg in axis.segments:
        unit, marks = ticks(seg, zone, lang)
        local_a, local_b = seg.start.astimezone(zone), seg.end.astimezone(zone)
        room = seg.x1 - seg.x0 + BREAK_W - 6
        caption = axis_context(local_a, local_b, unit, lang)
        if text_width(caption, TICK_FONT) > room:
            caption = axis_context(local_a, local_b, unit, lang, short=True)
        whole = f"{format_time(seg.start, str(zone), False)} – {format_time(seg.end, str(zone), False)}"
        head.append(f'<g class="segment" data-start="{seg.start.astimezone(UTC).isoformat()}" '
                    f'data-end="{seg.end.astimezone(UTC).isoformat()}"><title>{escape(whole)}</title>'
                    f'<line x1="{seg.x0:.1f}" y1="{AXIS_Y}" x2="{seg.x1:.1f}" y2="{AXIS_Y}" stroke="{MUTED}"/>')
        if caption and text_width(caption, TICK_FONT) <= room:
            head.append(f'<text x="{(seg.x0 + seg.x1) / 2:.1f}" y="14" font-size="{TICK_FONT}" text-anchor="middle" '
                        f'fill="{MUTED}">{escape(caption)}</text>')
        for xt, xl, text in marks:
            head.append(f'<line x1="{xt:.1f}" y1="{AXIS_Y - 3}" x2="{xt:.1f}" y2="{AXIS_Y + 2}" stroke="{MUTED}"/>'
                        f'<text x="{xl:.1f}" y="31" font-size="{TICK_FONT}" text-anchor="middle" fill="{INK}">'
                        f'{escape(text)}</text>')
            grid.append(f'<line x1="{xt:.1f}" y1="{top}" x2="{xt:.1f}" y2="{bottom}" stroke="{GRID}" '
                        f'stroke-dasharray="2,3" stroke-width="0.8"/>')
        head.append("</g>")
    for left, right in axis.breaks():
        a, b = left.x1, right.x0
        tip = label("tl_break", lang, span=rough_duration((right.start - left.end).total_seconds(), lang),
                    first=format_time(left.end, str(zone), False), last=format_time(right.start, str(zone), False))
        mid = (a + b) / 2
        grid.append(f'<g class="break"><title>{escape(tip)}</title>'
                    f'<rect x="{a + 2:.1f}" y="{AXIS_Y - 8}" width="{b - a - 4:.1f}" '
                    f'height="{bottom - AXIS_Y + 8:.1f}" fill="#fff"/>'
                    f'<path d="M{mid - 6:.1f},{AXIS_Y + 6} l5,-12 M{mid + 1:.1f},{AXIS_Y + 6} l5,-12" stroke="{MUTED}" '
                    f'stroke-width="1.5" fill="none"/>'
                    f'<line x1="{mid:.1f}" y1="{AXIS_Y + 8}" x2="{mid:.1f}" y2="{bottom}" stroke="{GRID}" '
                    f'stroke-dasharray="1,4"/></g>')
    return grid, head


def coverage_band(axis: Axis, logs: Sequence[Coverage], y: float, tz: str, lang: str) -> str:
    """A host's log coverage as one thin band under its row: the time its logs cover joined, each piece naming
    the logs in it (what lies outside the axis is not drawn)."""
    spans = sorted((c.first, c.last or c.first, c) for c in logs if c.first is not None)
    pieces: list[tuple[datetime, datetime, list[Coverage]]] = []
    for a, b, c in spans:
        if pieces and a <= pieces[-1][1]:
            pieces[-1] = (pieces[-1][0], max(pieces[-1][1], b), [*pieces[-1][2], c])
        else:
            pieces.append((a, b, [c]))
    out = []
    for a, b, logs_in in pieces:
        tip = "\n".join([label("tl_coverage", lang)] + [
            label("tl_coverage_tip", lang, channel=c.channel, first=format_time(c.first, tz, False),
                  last=format_time(c.last, tz, False), events=f"{c.events:,}") for c in logs_in])
        for xa, xb in axis.pieces(a, b):
            if xb - xa < 4:  # a log of one moment: a short dash, not a speck
                xa, xb = (xa + xb) / 2 - 2, (xa + xb) / 2 + 2
            out.append(f'<rect class="coverage" x="{xa:.1f}" y="{y:.1f}" width="{xb - xa:.1f}" height="4" '
                       f'fill="{BAND}" fill-opacity="0.55"><title>{escape(tip)}</title></rect>')
    return "".join(out)


def host_label(x: float, y: float, text: str, room: float, tip: str, *, muted: bool = False) -> str:
    """A row's computer name: whole when it fits, else cut with '…'; its <title> always holds it whole."""
    shown = fit(text, 12, room, bold=True)
    colour = MUTED if muted else INK
    return (f'<text class="row-label" x="{x:.1f}" y="{y:.1f}" font-size="12" font-weight="bold" fill="{colour}">'
            f'<title>{escape(tip)}</title>{escape(shown)}</text>')


def legend_items(items: list[tuple[str, str]], x: float, y: float, right: float) -> tuple[list[str], float]:
    """Legend entries (symbol SVG drawn around (0, 0), words) left to right, wrapping at `right`; the y after."""
    out = []
    for sym, words in items:
        width = 22 + text_width(words, 12) + 14
        if x + width > right and x > 20:
            x, y = 8.0, y + 20
        out.append(f'<g transform="translate({x + 7:.1f},{y:.1f})">{sym}</g>'
                   f'<text x="{x + 18:.1f}" y="{y + 4:.1f}" font-size="12" fill="{INK}">{escape(words)}</text>')
        x += width
    return out, y + 20


def severity_legend(lang: str, colour: str | None = None) -> list[tuple[str, str]]:
    """One legend entry per severity: its symbol (in its colour, or all in one) and its word."""
    return [(symbol(s, 0, 0, colour or COLOURS[s]), severity_label(s, lang)) for s in sorted(Severity, reverse=True)]


def band_legend(lang: str) -> tuple[str, str]:
    return (f'<rect x="-7" y="-2" width="14" height="4" fill="{BAND}" fill-opacity="0.55"/>',
            label("tl_coverage", lang))


def break_legend(lang: str) -> tuple[str, str]:
    return (f'<path d="M-6,6 l5,-12 M1,6 l5,-12" stroke="{MUTED}" stroke-width="1.5" fill="none"/>',
            label("tl_break_legend", lang))
