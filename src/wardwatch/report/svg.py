"""Inline SVG pictures of the scan report: the timeline (drawn by timechart) and the segment × segment matrix."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from wardwatch.model import Coverage, Finding, Incident
from wardwatch.report.timechart import overview_svg


def timeline_svg(findings: list[Finding], tz: str, lang: str, incidents: Sequence[Incident] = (),
                 coverage: Sequence[Coverage] = ()) -> str:
    """The attack timeline's overview as an inline SVG string (one row per computer; see timechart)."""
    return overview_svg(findings, incidents, coverage, tz, lang)


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
