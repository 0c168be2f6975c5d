"""The one Jinja environment: every HTML page (scan report, audit, inventory, checklist) is rendered here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"

ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)


def render_page(template: str, **context: Any) -> str:
    """One page from report/templates/<template>, autoescaped; a name the context lacks is an error."""
    return ENV.get_template(template).render(**context)
