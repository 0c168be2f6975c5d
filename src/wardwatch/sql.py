"""SQL text built safely: values bound as parameters, names checked before they are spliced, one literal quoter.

Three kinds of thing end up in a query, and each has one way in:

* **values** (rule YAML values, settings, user input, event values) are bound: `Params.add(value)` gives a
  `$name` to write in the SQL and the value travels beside it (`con.execute(sql, params)`);
* **names** that must be spliced (a column a rule file names) are checked by `sql_name` against a strict
  pattern and, where one is known, the allowed names;
* **literals** that truly cannot be bound (statements DuckDB cannot prepare: `CREATE VIEW`, `COPY`; Parquet
  paths in `read_parquet`; Sigma rules compiled once to SQL text and cached) are written by `sql_literal`,
  and names that must keep their spelling (Sigma field names, JSON keys with spaces) by `quote_name`.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class SqlNameError(ValueError):
    """A name that may not be spliced into SQL (not a plain identifier, or not one of the allowed names)."""


def sql_name(name: object, allowed: Collection[str] | None = None, what: str = "field") -> str:
    """`name` itself, once it is a plain SQL identifier (ASCII letters, digits, '_'; not starting with a digit)
    and, when `allowed` is given, one of those names. Raises SqlNameError saying which and why."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise SqlNameError(f"{what} {name!r} is not a plain name (letters, digits and '_', not starting with a digit)")
    if allowed is not None and name not in allowed:
        raise SqlNameError(f"unknown {what} '{name}' (known: {', '.join(allowed)})")
    return name


def sql_literal(value: object) -> str:
    """A SQL string literal of `value`'s text, for the places a value cannot be bound (see the module text).

    Quotes are doubled, which is DuckDB's (and standard SQL's) only escape in a '...' string. A NUL character,
    which would end the statement's text early, is written as chr(0) in a parenthesized concatenation."""
    text = str(value)
    if "\x00" not in text:
        return "'" + text.replace("'", "''") + "'"
    return "(" + " || chr(0) || ".join("'" + part.replace("'", "''") + "'" for part in text.split("\x00")) + ")"


def quote_name(name: str) -> str:
    """A double-quoted SQL identifier that keeps `name` as it is written (spaces, case; quotes doubled).

    For names that must keep their spelling (Sigma field names, JSON keys); a name that chooses one of our own
    columns is checked with sql_name instead. A NUL character cannot be part of a name: ValueError."""
    if "\x00" in name:
        raise ValueError(f"a NUL character cannot be part of a SQL name: {name[:60]!r}")
    return '"' + name.replace('"', '""') + '"'


class Params(dict[str, Any]):
    """Values bound to a statement by name: `add` keeps a value and gives the `$name` to write in its place."""

    def __init__(self, prefix: str = "p", values: Mapping[str, Any] | None = None) -> None:
        super().__init__(values or {})
        self.prefix = sql_name(prefix, what="parameter prefix")

    def add(self, value: Any) -> str:
        name = f"{self.prefix}{len(self)}"
        self[name] = value
        return "$" + name


def bound(sql: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the `$name` parameters `sql` uses (DuckDB refuses values a statement does not name).

    A name the statement uses but `values` lacks is left for DuckDB to report."""
    return {name: values[name] for name in dict.fromkeys(_PARAM.findall(sql)) if name in values}
