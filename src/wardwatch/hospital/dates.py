"""Dates in ISO form or Japanese era form (令和6年4月1日, R6.4.1)."""
from __future__ import annotations

import re
from datetime import date, datetime

ERAS: dict[str, int] = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}
_ERA = re.compile(r"^\s*(令和|平成|昭和|R|H|S)\s*(元|\d{1,2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?\s*$")
_ISO = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def parse_date(value: object) -> date:
    """A date from a YAML value; raises ValueError with a readable message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    m = _ERA.match(text)
    if m:
        year = 1 if m.group(2) == "元" else int(m.group(2))
        return date(ERAS[m.group(1)] + year, int(m.group(3)), int(m.group(4)))
    m = _ISO.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(f"not a date: {value!r} (use 2024-04-01 or 令和6年4月1日)")


def is_date(value: object) -> bool:
    """True when parse_date accepts the value."""
    try:
        parse_date(value)
    except (ValueError, TypeError):
        return False
    return True
