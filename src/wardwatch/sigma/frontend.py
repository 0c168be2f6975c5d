"""Turns a parsed Sigma detection (pySigma's condition tree) into the engine's small JSON AST (see compiler.py)."""
from __future__ import annotations

import json
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

from .compiler import KW, LIST_FIELDS, Unsupported, event_ids, fields_of, needs

_OPS = {CompareOperators.LT: "<", CompareOperators.LTE: "<=", CompareOperators.GT: ">", CompareOperators.GTE: ">=",
        CompareOperators.NEQ: "<>"}
_FLAGS = {SigmaRegularExpressionFlag.IGNORECASE: "i", SigmaRegularExpressionFlag.MULTILINE: "m",
          SigmaRegularExpressionFlag.DOTALL: "s"}
_STAR, _ONE = SpecialChars.WILDCARD_MULTI, SpecialChars.WILDCARD_SINGLE


@dataclass
class Compiled:
    """One detection: its AST (SQL comes from to_sql(ast)) and what it needs from the group table."""

    ast: list[Any]
    sql: str
    fields: dict[str, str] = field(default_factory=dict)
    event_ids: list[int] | None = None
    needs: list[list[list[str]]] = field(default_factory=list)


class _Front:
    def __init__(self, check_regex: Callable[[str], str | None] | None) -> None:
        self.check_regex = check_regex

    def node(self, n: Any) -> list[Any]:
        if n is None:
            return ["false"]
        if isinstance(n, ConditionAND):
            return ["and", [self.node(a) for a in n.args]]
        if isinstance(n, ConditionOR):
            return ["or", [self.node(a) for a in n.args]]
        if isinstance(n, ConditionNOT):
            return ["not", self.node(n.args[0])]
        if isinstance(n, ConditionFieldEqualsValueExpression):
            return self.value(n.field, n.value) if n.field else self.keyword(n.value)
        if isinstance(n, ConditionValueExpression):
            return self.keyword(n.value)
        raise Unsupported(f"unsupported condition element {type(n).__name__}")

    def value(self, name: str, v: Any) -> list[Any]:
        if isinstance(v, SigmaExpansion):
            return ["or", [self.value(name, x) for x in v.values]]
        if isinstance(v, SigmaCIDRExpression):
            return ["or", [self.value(name, SigmaString(p)) for p in v.expand("*")]]
        if isinstance(v, SigmaNull):
            return ["null", name]
        if isinstance(v, SigmaExists):
            return ["exists", name, bool(v.exists)]
        if isinstance(v, SigmaFieldReference):
            if name in LIST_FIELDS or v.field in LIST_FIELDS:
                raise Unsupported("fieldref on unnamed Data values")
            return ["ref", name, v.field, bool(v.starts_with), bool(v.ends_with)]
        if isinstance(v, SigmaString):
            return _string(name, v, isinstance(v, SigmaCasedString))
        if isinstance(v, SigmaBool):
            return ["s", name, "l", "eq", "true" if v.boolean else "false"]
        if isinstance(v, SigmaNumber):
            return ["s", name, "l", "eq", str(v.number)]
        if isinstance(v, SigmaCompareExpression):
            return ["num", name, _OPS[v.op], v.number.number]
        if isinstance(v, SigmaRegularExpression):
            pattern = str(v.regexp)
            flags = "".join(sorted(_FLAGS[f] for f in v.flags))
            if flags:
                pattern = f"(?{flags})" + pattern
            problem = self.check_regex(pattern) if self.check_regex else None
            if problem:
                raise Unsupported(f"regular expression not supported by RE2: {problem}")
            return ["re", name, pattern]
        raise Unsupported(f"unsupported value type {type(v).__name__}")

    def keyword(self, v: Any) -> list[Any]:
        if isinstance(v, SigmaExpansion):
            return ["or", [self.keyword(x) for x in v.values]]
        if isinstance(v, SigmaNumber):
            v = SigmaString(str(v.number))
        if not isinstance(v, SigmaString) or isinstance(v, SigmaCasedString):
            raise Unsupported(f"keyword search with {type(v).__name__}")
        if not v.startswith(_STAR):
            v = _STAR + v
        if not v.endswith(_STAR):
            v = v + _STAR
        # The event is searched as its JSON text: write the literal as JSON writes it (\\ for \, \" for ").
        escaped = SigmaString()
        escaped.s = [json.dumps(p.lower(), ensure_ascii=False)[1:-1] if isinstance(p, str) else p for p in v.s]
        return _string(KW, escaped, False)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _string(name: str, value: SigmaString, cased: bool) -> list[Any]:
    """The fast shapes (equals, prefix, suffix, contains, present) or a LIKE pattern for the rest."""
    parts: list[Any] = []
    for p in value.s:
        if isinstance(p, Placeholder):
            raise Unsupported(f"placeholder %{p.name}% (expand modifier) needs a pipeline")
        if isinstance(p, str):
            p = p if cased else p.lower()
            if parts and isinstance(parts[-1], str):
                parts[-1] += p
                continue
        elif parts and p is _STAR and parts[-1] is _STAR:
            continue
        parts.append(p)
    kind = "r" if cased else "l"
    if not parts:
        return ["s", name, kind, "eq", ""]
    if parts == [_STAR]:
        return ["s", name, kind, "any", ""]
    texts = [p for p in parts if isinstance(p, str)]
    if len(parts) == 1:
        return ["s", name, kind, "eq", parts[0]]
    if len(parts) == 2 and parts[0] is _STAR and texts:
        return ["s", name, kind, "suffix", parts[1]]
    if len(parts) == 2 and parts[1] is _STAR and texts:
        return ["s", name, kind, "prefix", parts[0]]
    if len(parts) == 3 and parts[0] is _STAR and parts[2] is _STAR and texts:
        return ["s", name, kind, "contains", parts[1]]
    pattern = "".join("%" if p is _STAR else "_" if p is _ONE else _like_escape(p) for p in parts)
    return ["s", name, kind, "like", pattern]


def compile_condition(trees: list[Any], check_regex: Callable[[str], str | None] | None = None) -> Compiled:
    """Compile a rule's parsed conditions (several conditions are OR-ed)."""
    front = _Front(check_regex)
    asts = [front.node(t) for t in trees]
    ast = asts[0] if len(asts) == 1 else ["or", asts]
    ids = event_ids(ast)
    return Compiled(ast, "", {k: "".join(sorted(v)) for k, v in sorted(fields_of(ast).items())},
                    sorted(ids) if ids is not None else None, needs(ast))
