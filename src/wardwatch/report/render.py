"""The one Jinja environment: every HTML page (scan report, audit, inventory, checklist) is rendered here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from wardwatch import __version__
from wardwatch.report.messages import messages
from wardwatch.report.seeds import cited, seed_refs
from wardwatch.report.style import css_colours, severity_badge

TEMPLATES = Path(__file__).parent / "templates"

ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)


def when(text: str) -> Markup:
    """A time as a table shows it: it may wrap between the date and the clock, never inside either."""
    day, sep, clock = str(text).partition(" ")
    if not sep:
        return Markup('<span class="nw">{}</span>').format(text)
    return Markup('<span class="nw">{}</span> <span class="nw">{}</span>').format(day, clock)


def breakable(text: str) -> Markup:
    """A long name (host, log channel, path) that may wrap after its dots, slashes and hyphens, never inside a part."""
    out = str(Markup.escape(text))
    for ch in "./-\\":
        out = out.replace(ch, ch + "<wbr>")
    return Markup(out)


def page_title(title: str) -> str:
    """A page's heading without the product's name, which the header shows above it."""
    for head in ("WardWatch: ", "WardWatch：", "WardWatch "):
        if title.startswith(head) and len(title) > len(head):
            rest = title[len(head):]
            return rest[0].upper() + rest[1:] if rest[0].isascii() else rest
    return title


ENV.filters.update(when=when, page_title=page_title, breakable=breakable)
# What every template may use (page.html.j2, macros.html.j2): the frame's labels, severities, training references.
ENV.globals.update(
    version=__version__,
    page_labels=lambda lang: messages(lang, "page"),
    severity_colours=css_colours(),
    severity=severity_badge,
    seed_refs=seed_refs,
    cited_documents=cited,
)


def render_page(template: str, **context: Any) -> str:
    """One page from report/templates/<template>, autoescaped; a name the context lacks is an error."""
    return ENV.get_template(template).render(**context)
