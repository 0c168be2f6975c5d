"""The detection AST (see frontend.py): DuckDB SQL from it, and the facts the engines need (fields, event ids, literals)."""
from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from ..sql import quote_name, sql_literal

# AST nodes (JSON lists, cached with the rule):
#   ["and", [n...]]  ["or", [n...]]  ["not", n]  ["false"]
#   ["s", field, kind, op, arg]   string test on the lowered ('l') or raw ('r') value; op: eq prefix suffix contains
#                                  like (arg: a LIKE pattern, escape '\') any (value present)
#   ["re", field, pattern]  ["num", field, op, number]  ["null", field]  ["exists", field, bool]
#   ["ref", field, other, starts_with, ends_with]
# Field "_kw" is the whole event as lowered JSON text (keyword detections); fields in LIST_FIELDS hold lists.
LIST_FIELDS = {"Data"}  # unnamed <Data> items: a value matches when any item does
KW = "_kw"
FOLD_MIN = 3  # from this many string values of one field in an OR, SQL uses one RE2 alternation


class Unsupported(Exception):
    """A rule uses something this engine cannot evaluate; the message is the reason shown to users."""


def column(name: str, kind: str) -> str:
    """The group table's column of a field: kind 'l' (lowered text) or 'r' (raw text); case-safe and quoted."""
    tag = hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
    return quote_name(f"{name}~{kind}~{tag}")


def like_parts(pattern: str) -> list[str | None]:
    """A LIKE pattern as literal pieces, None for '%' and '' for '_'."""
    out: list[str | None] = []
    buf: list[str] = []
    it = iter(pattern)
    for ch in it:
        if ch == "\\":
            buf.append(next(it, "\\"))
        elif ch in "%_":
            if buf:
                out.append("".join(buf))
                buf = []
            out.append(None if ch == "%" else "")
        else:
            buf.append(ch)
    if buf:
        out.append("".join(buf))
    return out


# --- AST → facts ------------------------------------------------------------------------------------------
def fields_of(ast: list[Any], out: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """field → column kinds the AST reads."""
    out = {} if out is None else out
    op = ast[0]
    if op in ("and", "or"):
        for a in ast[1]:
            fields_of(a, out)
    elif op == "not":
        fields_of(ast[1], out)
    elif op == "s":
        out.setdefault(ast[1], set()).add(ast[2])
    elif op in ("re", "num", "null", "exists"):
        out.setdefault(ast[1], set()).add("r")
    elif op == "ref":
        out.setdefault(ast[1], set()).add("l")
        out.setdefault(ast[2], set()).add("l")
    return out


def event_ids(ast: list[Any]) -> set[int] | None:
    """The event ids a condition can match at most (None: any); used to read fewer events."""
    op = ast[0]
    if op == "s":
        if ast[1] == "EventID" and ast[3] == "eq" and ast[4].isdigit():
            return {int(ast[4])}
        return None
    if op == "and":
        sets = [s for s in (event_ids(a) for a in ast[1]) if s is not None]
        return set.intersection(*sets) if sets else None
    if op == "or":
        got = [event_ids(a) for a in ast[1]]
        if any(s is None for s in got):
            return None
        return set().union(*got)  # type: ignore[arg-type]
    if op == "false":
        return set()
    return None


def regex_literal(pattern: str) -> tuple[str, bool] | None:
    """The longest literal a regular expression needs at its top level, and whether it ignores case."""
    import re
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except (re.error, AttributeError, RecursionError):
        return None
    best, run = "", []
    for op, arg in list(parsed) + [(None, None)]:
        if op is re._constants.LITERAL:  # type: ignore[attr-defined]
            run.append(chr(arg))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    if not best:
        return None
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    return (best.lower() if ignore_case else best), ignore_case


def _atom(ast: list[Any]) -> list[str] | None:
    """(field, kind, literal): a literal that must occur in the field's value for this leaf to hold."""
    if ast[0] == "re":
        got = regex_literal(ast[2])
        return [ast[1], "l" if got[1] else "r", got[0]] if got else None
    if ast[0] != "s" or ast[3] == "any":
        return None
    text = ast[4]
    if ast[3] == "like":
        pieces = [p for p in like_parts(text) if p]
        text = max(pieces, key=len) if pieces else ""
    return [ast[1], ast[2], text] if text else None


MIN_ATOM = 3  # shorter literals occur nearly everywhere: a clause holding one is left out (always true)


def needs(ast: list[Any]) -> list[list[list[str]]]:
    """A necessary condition in CNF: the rule can only match a row if each clause has a literal in it."""
    op = ast[0]
    if op == "and":
        return [c for a in ast[1] for c in needs(a)]
    if op == "or":
        union: list[list[str]] = []
        for a in ast[1]:
            clauses: list[list[list[str]]] = needs(a)
            if not clauses:
                return []
            best = clauses[0]
            for c in clauses[1:]:
                if len(c) < len(best):  # the clause with fewest literals is the tightest
                    best = c
            union.extend(best)
        return [[list(t) for t in dict.fromkeys(tuple(x) for x in union)]]
    if op in ("s", "re"):
        atom = _atom(ast)
        return [[atom]] if atom and len(atom[2]) >= MIN_ATOM else []
    if op == "false":
        return [[]]
    return []


# --- AST → SQL ----------------------------------------------------------------------------------------------
_RE2_SPECIAL = set("\\.+*?()|[]{}^$")


def _re2_escape(text: str) -> str:
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def _fragment(ast: list[Any]) -> str | None:
    """An RE2 alternative equivalent to a string leaf (None for leaves that stay on their own)."""
    op, text = ast[3], ast[4]
    if op == "eq":
        return "^" + _re2_escape(text) + "$"
    if op == "prefix":
        return "^" + _re2_escape(text)
    if op == "suffix":
        return _re2_escape(text) + "$"
    if op == "contains":
        return _re2_escape(text)
    if op == "like":
        parts = like_parts(text)
        out = "".join(".*" if p is None else "." if p == "" else _re2_escape(p) for p in parts)
        out = ("" if parts[0] is None else "^") + out + ("" if parts[-1] is None else "$")
        while out.startswith(".*"):
            out = out[2:]
        while out.endswith(".*"):  # literal '.' and '*' are escaped, so a trailing '.*' is a wildcard
            out = out[:-2]
        return out
    return None


class TextTest(NamedTuple):
    """One text test of the AST in both back ends, side by side because they must agree: DuckDB SQL here, the
    Python of pyeval.py. {c}: the column (variable); {sql} / {py}: the text as a literal of that language."""

    sql: str
    py: str


# Any other op is a LIKE pattern ("like"; in Python its regular expression {rx}, compiled with {flags}).
TEXT_TESTS: dict[str, TextTest] = {
    "eq": TextTest("({c} = {sql})", "({c} == {py})"),
    "prefix": TextTest("starts_with({c}, {sql})", "({c} is not None and {c}.startswith({py}))"),
    "suffix": TextTest("suffix({c}, {sql})", "({c} is not None and {c}.endswith({py}))"),
    "contains": TextTest("contains({c}, {sql})", "({c} is not None and {py} in {c})"),
    "any": TextTest("({c} IS NOT NULL)", "({c} is not None)"),
    "like": TextTest("({c} LIKE {sql} ESCAPE '\\')",
                     "({c} is not None and _rx({rx}, {flags}).fullmatch({c}) is not None)"),
}


def text_test(op: str) -> str:
    """The TEXT_TESTS key of an AST text op ('like' for a pattern)."""
    return op if op in TEXT_TESTS else "like"


def _text_sql(op: str, text: str, c: str) -> str:
    return TEXT_TESTS[text_test(op)].sql.format(c=c, sql=sql_literal(text))


def _leaf_sql(ast: list[Any]) -> str:
    op, name = ast[0], ast[1]
    if op == "ref":
        a, b = column(name, "l"), column(ast[2], "l")
        starts, ends = ast[3], ast[4]
        if starts and ends:
            return f"contains({a}, {b})"
        if starts:
            return f"starts_with({a}, {b})"
        if ends:
            return f"suffix({a}, {b})"
        return f"({a} = {b})"
    is_list = name in LIST_FIELDS
    if op == "null":
        c = column(name, "r")
        return f"({c} IS NULL)" if is_list else f"({c} IS NULL OR {c} = '')"
    if op == "exists":
        return f"({column(name, 'r')} IS {'NOT ' if ast[2] else ''}NULL)"
    if op == "s":
        pred: Callable[[str], str] = partial(_text_sql, ast[3], ast[4])
        c = column(name, ast[2])
    elif op == "re":
        pred, c = (lambda x: f"regexp_matches({x}, {sql_literal(ast[2])})"), column(name, "r")
    elif op == "num":
        cmp, number = _number_test(ast[2], ast[3])
        pred, c = (lambda x: f"(try_cast({x} AS DOUBLE) {cmp} {number})"), column(name, "r")
    else:
        raise Unsupported(f"unknown AST node {op}")
    if is_list:
        return f"list_bool_or(list_transform({c}, lambda x: {pred('x')}))"
    return pred(c)


_COMPARE = {"<", "<=", ">", ">=", "<>"}


def _number_test(cmp: Any, number: Any) -> tuple[str, str]:
    """A numeric comparison's operator and number, checked before they are written into SQL (the AST is cached)."""
    if cmp not in _COMPARE or isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        raise Unsupported(f"unusable number comparison {cmp!r} {number!r}")
    return cmp, repr(number)


def to_sql(ast: list[Any]) -> str:
    """Boolean SQL over the group table. NOT coalesces: a missing field (NULL) is "no match" there too."""
    op = ast[0]
    if op == "false":
        return "false"
    if op == "and":
        return "(" + " AND ".join(to_sql(a) for a in ast[1]) + ")"
    if op == "not":
        return f"(NOT coalesce({to_sql(ast[1])}, false))"
    if op == "or":
        return _or_sql(ast[1])
    return _leaf_sql(ast)


def _flat_or(items: list[Any]) -> list[Any]:
    return [leaf for a in items for leaf in (_flat_or(a[1]) if a[0] == "or" else [a])]


def _or_sql(items: list[Any]) -> str:
    """OR; many string values of one field become one RE2 alternation (one pass instead of hundreds of calls)."""
    folds: dict[tuple[str, str], list[tuple[list[Any], str]]] = {}
    sqls: list[str] = []
    for leaf in _flat_or(items):
        frag = _fragment(leaf) if leaf[0] == "s" and leaf[1] not in LIST_FIELDS else None
        if frag is None:
            sqls.append(to_sql(leaf))
        else:
            folds.setdefault((leaf[1], leaf[2]), []).append((leaf, frag))
    for (name, kind), got in folds.items():
        if len(got) < FOLD_MIN:
            sqls.extend(to_sql(leaf) for leaf, _ in got)
            continue
        pattern = "(?s)" + "|".join(dict.fromkeys(f"(?:{f})" for _, f in got))
        sqls.append(f"regexp_matches({column(name, kind)}, {sql_literal(pattern)})")
    if not sqls:
        return "false"
    return sqls[0] if len(sqls) == 1 else "(" + " OR ".join(sqls) + ")"
