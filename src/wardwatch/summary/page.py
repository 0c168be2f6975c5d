"""summary.html: the one printable page for management — the Swiss-cheese picture (inline SVG), each layer's holes in
plain words, what the hospital risks, the three decisions to take now — and summary.json."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..model import Severity
from ..report.labels import format_time, severity_label
from ..report.messages import message, messages
from ..report.render import render_page
from ..report.style import SEVERITY_COLOUR, severity_badge
from .build import Layer, Summary, as_json

_HOLE_R = {Severity.CRITICAL: 13, Severity.HIGH: 11, Severity.MEDIUM: 8}
_SLICE = {"holes": "#f6c445", "solid": "#f6c445", "unchecked": "#e5e7eb"}


def cheese_svg(layers: list[Layer], lang: str) -> str:
    """The layers as slices left to right, each hole a circle (larger when worse); an unchecked layer grey, dashed
    and marked '?', never drawn as solid. The attack comes in from the left."""
    t = messages(lang, "summary")
    w, top, bottom, step, x0 = 860, 34, 206, 104, 92
    parts = [f'<svg class="cheese" viewBox="0 0 {w} 250" role="img" aria-label="{escape(t["picture"])}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(t["picture"])}</title>',
             f'<line x1="8" y1="120" x2="{w - 40}" y2="120" stroke="#b91c1c" stroke-width="3" stroke-dasharray="8 6"/>',
             f'<polygon points="{w - 40},112 {w - 24},120 {w - 40},128" fill="#b91c1c"/>',
             f'<text x="8" y="108" class="lbl" fill="#b91c1c">{escape(t["attack"])}</text>',
             f'<text x="{w - 8}" y="150" class="lbl" text-anchor="end" fill="#b91c1c">{escape(t["harm"])}</text>']
    for i, layer in enumerate(layers):
        x = x0 + i * step
        dash = ' stroke-dasharray="5 4"' if layer.status == "unchecked" else ""
        tip = f"{i + 1}. {layer.name}: " + message(f"summary.status.{layer.status}", lang, n=len(layer.holes))
        parts.append(f'<g><title>{escape(tip)}</title><polygon points="{x},{top + 12} {x + 62},{top} {x + 62},{bottom} '
                     f'{x},{bottom + 12}" fill="{_SLICE[layer.status]}" stroke="#92400e"{dash} stroke-width="1.5"/>')
        if layer.status == "unchecked":
            parts.append(f'<text x="{x + 31}" y="128" text-anchor="middle" class="q">?</text>')
        for j, hole in enumerate(layer.holes[:5]):
            cy = 58 + j * 32
            r = _HOLE_R.get(hole.severity, 7)
            colour = SEVERITY_COLOUR[hole.severity][0]
            parts.append(f'<circle cx="{x + 31}" cy="{cy}" r="{r}" fill="#fff" stroke="{colour}" stroke-width="3">'
                         f'<title>{escape(hole.title)}（{hole.count}）</title></circle>')
        parts.append(f'<text x="{x + 31}" y="{bottom + 34}" text-anchor="middle" class="num">{i + 1}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _layer_rows(s: Summary, lang: str) -> list[dict[str, Any]]:
    rows = []
    for i, layer in enumerate(s.layers, start=1):
        holes = [{"title": h.title, "count": h.count, "hosts": len(h.hosts), "sev": severity_badge(h.severity, lang)}
                 for h in layer.holes[:3]]
        rows.append({"n": i, "name": layer.name, "status": layer.status,
                     "status_text": message(f"summary.status.{layer.status}", lang, n=len(layer.holes)),
                     "badge": severity_badge(layer.worst, lang) if layer.holes else None,
                     "holes": holes, "more": max(0, len(layer.holes) - 3)})
    return rows


def _verdict(s: Summary, lang: str) -> dict[str, Any]:
    bad = [x for x in s.layers if x.holes]
    unchecked = [x for x in s.layers if x.status == "unchecked"]
    worst = max((x.worst for x in bad), default=Severity.INFO)
    cls = worst.label if bad else "open" if unchecked else "clear"
    text = message("summary.verdict", lang, bad=len(bad), total=len(s.layers), unchecked=len(unchecked))
    caveats = [message("summary.scan_verdict", lang, text=str(s.verdict.get("label") or ""))] \
        if s.verdict and s.verdict.get("label") else []
    if unchecked:
        caveats.append(message("summary.unchecked_note", lang, names="、".join(x.name for x in unchecked)
                               if lang != "en" else ", ".join(x.name for x in unchecked)))
    label = severity_label(worst, lang) if bad else message(f"summary.verdict_label.{cls}", lang)
    return {"cls": cls, "label": label, "text": text, "caveats": caveats}


def write_summary(s: Summary, out: Path, facility: str, lang: str, tz: str) -> None:
    """summary.html (one A4 page) and summary.json into out."""
    t = messages(lang, "summary")
    html = render_page("summary.html.j2", title=t["title"], lang=lang, L=t, subject=facility,
                       subject_label=message("page.facility", lang), generated=format_time(datetime.now(UTC), tz),
                       facts=[(t["given"], "、".join(t[f"given.{k}"] for k in s.given) if lang != "en"
                               else ", ".join(t[f"given.{k}"] for k in s.given))],
                       verdict=_verdict(s, lang), svg=Markup(cheese_svg(s.layers, lang)), layers=_layer_rows(s, lang),
                       decisions=s.decisions, seeds=["001", "002", "000"])
    (out / "summary.html").write_text(html, encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(as_json(s), ensure_ascii=False, indent=1), encoding="utf-8")
