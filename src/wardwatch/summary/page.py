"""summary.html: the one printable page for management — the Swiss-cheese picture (inline SVG), each layer's holes in
plain words, what the hospital risks, the three decisions to take now — and summary.json."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from ..model import Severity
from ..report.labels import format_time, severity_label
from ..report.messages import message, messages
from ..report.render import render_page
from ..report.seeds import seed_refs
from ..report.style import SEVERITY_COLOUR, severity_badge
from ..textfmt import english_plurals
from .build import Hole, Layer, Summary, as_json

_HOLE_R = {Severity.CRITICAL: 10, Severity.HIGH: 8.5, Severity.MEDIUM: 6.5}
_SLICE = {"holes": "#f6c445", "solid": "#f6c445", "unchecked": "#e5e7eb"}
DRAWN = 5  # holes drawn in one slice
NAMED = 2  # holes named in the table's row (the worst first), the rest counted
RISK_SEEDS = "000 Q&A 15, 20"  # the training's answers on backups encrypted at Handa and Osaka, two months to recover
LEAD_SEED = "001 経営者と技術者のギャップ"  # "security needs the executive's understanding and resolve"


def _t(key: str, lang: str, **values: Any) -> str:
    """A catalog message with its English plurals made right ('1 hosts' → '1 host')."""
    text = message(key, lang, **values)
    return english_plurals(text) if lang == "en" else text


def _join(items: list[str], lang: str) -> str:
    return (", " if lang == "en" else "、").join(items)


def cheese_svg(layers: list[Layer], lang: str) -> str:
    """The layers as slices left to right, each with its number and short name, each hole a circle (larger when
    worse); an unchecked layer grey, dashed and marked '?', never drawn as solid. The attack comes in from the left."""
    t = messages(lang, "summary")
    w, h, top, bottom, step, x0, mid = 860, 200, 20, 140, 100, 80, 86
    parts = [f'<svg class="cheese" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(t["picture"])}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(t["picture"])}</title>',
             f'<line x1="8" y1="{mid}" x2="{w - 40}" y2="{mid}" stroke="#b91c1c" stroke-width="3" '
             f'stroke-dasharray="8 6"/>',
             f'<polygon points="{w - 40},{mid - 8} {w - 24},{mid} {w - 40},{mid + 8}" fill="#b91c1c"/>',
             f'<text x="8" y="{mid - 12}" class="lbl" fill="#b91c1c">{escape(t["attack"])}</text>',
             f'<text x="{w - 8}" y="{mid + 30}" class="lbl" text-anchor="end" fill="#b91c1c">'
             f'{escape(t["harm"])}</text>']
    for i, layer in enumerate(layers):
        x = x0 + i * step
        dash = ' stroke-dasharray="5 4"' if layer.status == "unchecked" else ""
        tip = f"{i + 1}. {layer.name}: " + message(f"summary.status.{layer.status}", lang, n=len(layer.holes))
        parts.append(f'<g><title>{escape(tip)}</title><polygon points="{x},{top + 10} {x + 62},{top} {x + 62},{bottom} '
                     f'{x},{bottom + 10}" fill="{_SLICE[layer.status]}" stroke="#92400e"{dash} stroke-width="1.5"/>')
        if layer.status == "unchecked":
            parts.append(f'<text x="{x + 31}" y="{mid + 12}" text-anchor="middle" class="q">?</text>')
        for j, hole in enumerate(layer.holes[:DRAWN]):
            r = _HOLE_R.get(hole.severity, 6)
            parts.append(f'<circle cx="{x + 31}" cy="{top + 20 + j * 23}" r="{r}" fill="#fff" '
                         f'stroke="{SEVERITY_COLOUR[hole.severity][0]}" stroke-width="3">'
                         f'<title>{escape(hole.title)}</title></circle>')
        parts.append(f'<text x="{x + 31}" y="{bottom + 32}" text-anchor="middle" class="num">{i + 1}</text>'
                     f'<text x="{x + 31}" y="{bottom + 52}" text-anchor="middle" class="short">'
                     f'{escape(layer.short)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def amount(h: Hole, lang: str) -> str:
    """How much of a hole: on how many hosts, in which checklist rows, or how many findings ('' for one)."""
    if h.where:
        return _t("summary.amount.rows", lang, rows=_join(h.where, lang))
    if h.hosts:
        return _t("summary.amount.hosts", lang, n=len(h.hosts))
    return _t("summary.amount.count", lang, n=h.count) if h.count > 1 else ""


def _layer_rows(s: Summary, lang: str) -> list[dict[str, Any]]:
    rows = []
    for i, layer in enumerate(s.layers, start=1):
        holes = [{"title": h.title, "amount": amount(h, lang)} for h in layer.holes[:NAMED]]
        by = _join([message(f"summary.given.{k}", lang) for k in layer.checked_by], lang)
        could = _join([message(f"summary.given.{k}", lang) for k in layer.could_check], lang)
        rows.append({"n": i, "name": layer.name, "status": layer.status,
                     "status_text": message(f"summary.status.{layer.status}", lang, n=len(layer.holes)),
                     "by": message("summary.checked_by", lang, by=by) if by and not layer.holes else "",
                     "unanswered": message("summary.unanswered", lang, items=_join(layer.unanswered, lang))
                     if layer.unanswered and not layer.holes else "",
                     "how": message("summary.how_to_check", lang, by=could) if layer.status == "unchecked" else "",
                     "badge": severity_badge(layer.worst, lang) if layer.holes else None,
                     "holes": holes, "more": max(0, len(layer.holes) - NAMED)})
    return rows


def _verdict(s: Summary, lang: str) -> dict[str, Any]:
    bad = [x for x in s.layers if x.holes]
    unchecked = [x for x in s.layers if x.status == "unchecked"]
    worst = max((x.worst for x in bad), default=Severity.INFO)
    cls = worst.label if bad else "open" if unchecked else "clear"
    text = _t("summary.verdict" if unchecked else "summary.verdict_all", lang, bad=len(bad), total=len(s.layers),
              unchecked=len(unchecked))
    caveats = [message("summary.scan_verdict", lang, text=str(s.verdict.get("label") or ""))] \
        if s.verdict and s.verdict.get("label") else []
    if unchecked:
        caveats.append(message("summary.unchecked_note", lang, names=_join([x.name for x in unchecked], lang)))
    if s.unread:
        caveats.append(message("summary.unread", lang, kinds=_join([message(f"summary.given.{k}", lang)
                                                                     for k in s.unread], lang)))
    if s.other:
        caveats.append(_t("summary.other", lang, n=s.other))
    label = severity_label(worst, lang) if bad else message(f"summary.verdict_label.{cls}", lang)
    return {"cls": cls, "label": label, "text": text, "caveats": caveats}


def _day(stamp: str, tz: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        return ""


def _given(s: Summary, lang: str, tz: str) -> str:
    """The results read, each with the day it was made (once after them all when it is one day)."""
    t = messages(lang, "summary")
    days = {k: _day(s.dates.get(k, ""), tz) for k in s.given}
    if not s.given:
        return t["given.none"]
    if len(set(days.values())) == 1:
        day = next(iter(days.values()))
        return _join([t[f"given.{k}"] for k in s.given], lang) + (message("summary.made", lang, day=day) if day else "")
    return _join([t[f"given.{k}"] + (message("summary.made", lang, day=days[k]) if days[k] else "") for k in s.given],
                 lang)


def write_summary(s: Summary, out: Path, facility: str, lang: str, tz: str) -> None:
    """summary.html (one A4 page) and summary.json into out."""
    t = messages(lang, "summary")
    lead = seed_refs(LEAD_SEED, lang)[0]
    html = render_page("summary.html.j2", title=t["title"], lang=lang, L=t, subject=facility,
                       subject_label=message("page.facility", lang), generated=format_time(datetime.now(UTC), tz),
                       facts=[(t["given"], _given(s, lang, tz))], verdict=_verdict(s, lang),
                       svg=Markup(cheese_svg(s.layers, lang)), layers=_layer_rows(s, lang), decisions=s.decisions,
                       nothing=all(x.status == "unchecked" for x in s.layers),
                       risk_seeds=RISK_SEEDS, lead=lead.label,
                       seeds=["000 Q&A 15, 20", "001", "002"])
    (out / "summary.html").write_text(html, encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(as_json(s), ensure_ascii=False, indent=1), encoding="utf-8")
