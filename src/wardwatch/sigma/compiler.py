"""Compiles a parsed Sigma detection (pySigma condition tree) to one boolean DuckDB SQL expression."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

LIST_FIELDS = {"Data"}  # unnamed <Data> items: a list of values, a value matches when any item does
KEYWORDS = '"_kw"'  # the whole event as lowered text (keyword detections)
_OPS = {CompareOperators.LT: "<", CompareOperators.LTE: "<=", CompareOperators.GT: ">", CompareOperators.GTE: ">=",
        CompareOperators.NEQ: "<>"}
_FLAGS = {SigmaRegularExpressionFlag.IGNORECASE: "i", SigmaRegularExpressionFlag.MULTILINE: "m",
          SigmaRegularExpressionFlag.DOTALL: "s"}


class Unsupported(Exception):
    """A rule uses something this engine cannot evaluate; the message is the reason shown to users."""


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def column(name: str, kind: str) -> str:
    """The group table's column of a field: kind 'l' (lowered text) or 'r' (raw text); case-safe and quoted."""
    tag = hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
    return '"' + f"{name}~{kind}~{tag}".replace('"', '""') + '"'


@dataclass
class Compiled:
    """The SQL of one detection and what it needs from the group table."""

    sql: str
    fields: dict[str, str] = field(default_factory=dict)
    keywords: bool = False
    event_ids: list[int] | None = None


class _Compiler:
    def __init__(self, check_regex: Callable[[str], str | None] | None) -> None:
        self.fields: dict[str, set[str]] = {}
        self.keywords = False
        self.check_regex = check_regex

    def col(self, name: str, kind: str) -> str:
        self.fields.setdefault(name, set()).add(kind)
        return column(name, kind)

    def node(self, n: Any) -> str:
        if n is None:
            return "false"
        if isinstance(n, ConditionAND):
            return "(" + " AND ".join(self.node(a) for a in n.args) + ")"
        if isinstance(n, ConditionOR):
            return "(" + " OR ".join(self.node(a) for a in n.args) + ")"
        if isinstance(n, ConditionNOT):
            # Three-valued logic: a missing field makes a leaf NULL, which must count as "no match" under NOT too.
            return f"(NOT coalesce({self.node(n.args[0])}, false))"
        if isinstance(n, ConditionFieldEqualsValueExpression):
            return self.field_value(n.field, n.value)
        if isinstance(n, ConditionValueExpression):
            return self.keyword(n.value)
        raise Unsupported(f"unsupported condition element {type(n).__name__}")

    # --- field = value -------------------------------------------------------------------------
    def field_value(self, name: str, value: Any) -> str:
        if not name:
            return self.keyword(value)
        if isinstance(value, SigmaExpansion):
            return "(" + " OR ".join(self.field_value(name, v) for v in value.values) + ")"
        if isinstance(value, SigmaCIDRExpression):
            return "(" + " OR ".join(self.field_value(name, SigmaString(p)) for p in value.expand("*")) + ")"
        is_list = name in LIST_FIELDS
        if isinstance(value, SigmaNull):
            return f"({self.col(name, 'r')} IS NULL)"
        if isinstance(value, SigmaExists):
            return f"({self.col(name, 'r')} IS {'NOT ' if value.exists else ''}NULL)"
        if isinstance(value, SigmaFieldReference):
            if is_list or value.field in LIST_FIELDS:
                raise Unsupported("fieldref on unnamed Data values")
            a, b = self.col(name, "l"), self.col(value.field, "l")
            if value.starts_with and value.ends_with:
                return f"contains({a}, {b})"
            if value.starts_with:
                return f"starts_with({a}, {b})"
            if value.ends_with:
                return f"suffix({a}, {b})"
            return f"({a} = {b})"
        pred, kind = self._predicate(value)
        col = self.col(name, kind)
        if is_list:
            return f"list_bool_or(list_transform({col}, lambda x: {pred('x')}))"
        return pred(col)

    def _predicate(self, value: Any) -> tuple[Callable[[str], str], str]:
        """(SQL builder over a text expression, column kind) for one value."""
        if isinstance(value, SigmaCasedString):
            return self._string(value, cased=True), "r"
        if isinstance(value, SigmaString):
            return self._string(value, cased=False), "l"
        if isinstance(value, SigmaBool):
            text = "true" if value.boolean else "false"
            return (lambda c: f"({c} = {lit(text)})"), "l"
        if isinstance(value, SigmaNumber):
            text = str(value.number)
            return (lambda c: f"({c} = {lit(text)})"), "l"
        if isinstance(value, SigmaCompareExpression):
            op, num = _OPS[value.op], value.number.number
            return (lambda c: f"(try_cast({c} AS DOUBLE) {op} {num})"), "r"
        if isinstance(value, SigmaRegularExpression):
            pattern = str(value.regexp)
            flags = "".join(sorted(_FLAGS[f] for f in value.flags))
            if flags:
                pattern = f"(?{flags})" + pattern
            if self.check_regex:
                problem = self.check_regex(pattern)
                if problem:
                    raise Unsupported(f"regular expression not supported by RE2: {problem}")
            return (lambda c: f"regexp_matches({c}, {lit(pattern)})"), "r"
        raise Unsupported(f"unsupported value type {type(value).__name__}")

    def _string(self, value: SigmaString, cased: bool) -> Callable[[str], str]:
        parts: list[Any] = []
        for p in value.s:
            if isinstance(p, Placeholder):
                raise Unsupported(f"placeholder %{p.name}% (expand modifier) needs a pipeline")
            if isinstance(p, str):
                p = p if cased else p.lower()
                if parts and isinstance(parts[-1], str):
                    parts[-1] += p
                    continue
            parts.append(p)
        return _string_sql(parts)

    # --- keywords ----------------------------------------------------------------------------------
    def keyword(self, value: Any) -> str:
        if isinstance(value, SigmaExpansion):
            return "(" + " OR ".join(self.keyword(v) for v in value.values) + ")"
        if isinstance(value, SigmaNumber):
            value = SigmaString(str(value.number))
        if not isinstance(value, SigmaString) or isinstance(value, SigmaCasedString):
            raise Unsupported(f"keyword search with {type(value).__name__}")
        self.keywords = True
        s = value
        if not s.startswith(SpecialChars.WILDCARD_MULTI):
            s = SpecialChars.WILDCARD_MULTI + s
        if not s.endswith(SpecialChars.WILDCARD_MULTI):
            s = s + SpecialChars.WILDCARD_MULTI
        return self._string(s, cased=False)(KEYWORDS)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _string_sql(parts: list[Any]) -> Callable[[str], str]:
    """Fast forms for the common shapes (equals, prefix, suffix, contains), LIKE for the rest."""
    star, one = SpecialChars.WILDCARD_MULTI, SpecialChars.WILDCARD_SINGLE
    while len(parts) > 1 and parts[0] is star and parts[1] is star:
        parts = parts[1:]
    if not parts:
        return lambda c: f"({c} = '')"
    if parts == [star]:
        return lambda c: f"({c} IS NOT NULL)"
    if len(parts) == 1 and isinstance(parts[0], str):
        return lambda c: f"({c} = {lit(parts[0])})"
    if len(parts) == 2 and parts[0] is star and isinstance(parts[1], str):
        return lambda c: f"suffix({c}, {lit(parts[1])})"
    if len(parts) == 2 and parts[1] is star and isinstance(parts[0], str):
        return lambda c: f"starts_with({c}, {lit(parts[0])})"
    if len(parts) == 3 and parts[0] is star and parts[2] is star and isinstance(parts[1], str):
        return lambda c: f"contains({c}, {lit(parts[1])})"
    pattern = "".join("%" if p is star else "_" if p is one else _like_escape(p) for p in parts)
    return lambda c: f"({c} LIKE {lit(pattern)} ESCAPE '\\')"


def event_ids(n: Any) -> set[int] | None:
    """The event ids a condition can match at most (None: any); used to read fewer events."""
    if isinstance(n, ConditionFieldEqualsValueExpression):
        if n.field != "EventID":
            return None
        v = n.value
        if isinstance(v, SigmaNumber) and isinstance(v.number, int):
            return {v.number}
        if isinstance(v, SigmaString) and not v.contains_special() and v.to_plain().strip().isdigit():
            return {int(v.to_plain())}
        return None
    if isinstance(n, ConditionAND):
        sets = [s for s in (event_ids(a) for a in n.args) if s is not None]
        return set.intersection(*sets) if sets else None
    if isinstance(n, ConditionOR):
        sets = [event_ids(a) for a in n.args]
        if any(s is None for s in sets):
            return None
        return set().union(*sets)  # type: ignore[arg-type]
    return None


def compile_condition(trees: list[Any], check_regex: Callable[[str], str | None] | None = None) -> Compiled:
    """Compile a rule's parsed conditions (several conditions are OR-ed) to SQL."""
    c = _Compiler(check_regex)
    sqls = [c.node(t) for t in trees]
    sql = sqls[0] if len(sqls) == 1 else "(" + " OR ".join(sqls) + ")"
    ids: set[int] | None = set()
    for t in trees:
        got = event_ids(t)
        ids = None if got is None or ids is None else ids | got
    return Compiled(sql, {k: "".join(sorted(v)) for k, v in sorted(c.fields.items())}, c.keywords,
                    sorted(ids) if ids is not None else None)
