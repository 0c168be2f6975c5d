"""Evaluates compiled rules in Python on a small group table: Aho-Corasick finds candidate rows, the AST decides."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .compiler import LIST_FIELDS, like_parts
from .types import CompiledRule

try:
    import ahocorasick
except ImportError:  # pragma: no cover - the SQL engine is used instead
    ahocorasick = None

Columns = Mapping[tuple[str, str], Sequence[Any]]  # (field, kind) → value per row (a list for list fields)


def available() -> bool:
    return ahocorasick is not None


def _like_regex(pattern: str) -> re.Pattern[str]:
    parts = like_parts(pattern)
    return re.compile("".join(".*" if p is None else "." if p == "" else re.escape(p) for p in parts), re.DOTALL)


def _number(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


_CMP: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "<>": lambda a, b: a != b}


class _Gen:
    """Python source for one rule: `def match(rows, cols)` returning the matching rows (no closures per node)."""

    def __init__(self, presence: Presence | None = None) -> None:
        self.consts: dict[str, Any] = {"_num": _number, "_CMP": _CMP}
        self.vars: dict[tuple[str, str], str] = {}
        self.presence = presence

    def found(self, name: str, kind: str, texts: list[str]) -> str | None:
        """`(i in K)`: rows holding any of the texts, from the Aho-Corasick pass (exact for `contains`)."""
        if self.presence is None or not all(texts):
            return None
        rows: set[int] = set()
        for t in texts:
            got = self.presence.rows.get((name, kind, t))
            if got is None:
                return None
            rows |= got
        return f"(i in {self.const(rows)})"

    def const(self, value: Any) -> str:
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name

    def var(self, name: str, kind: str) -> str:
        return self.vars.setdefault((name, kind), f"v{len(self.vars)}")

    def text(self, op: str, arg: str, x: str) -> str:
        if op == "eq":
            return f"({x} == {arg!r})"
        if op == "any":
            return f"({x} is not None)"
        if op == "prefix":
            return f"({x} is not None and {x}.startswith({arg!r}))"
        if op == "suffix":
            return f"({x} is not None and {x}.endswith({arg!r}))"
        if op == "contains":
            return f"({x} is not None and {arg!r} in {x})"
        return f"({x} is not None and {self.const(_like_regex(arg))}.fullmatch({x}) is not None)"

    def leaf(self, ast: list[Any]) -> str:
        op, name = ast[0], ast[1]
        if op == "ref":
            a, b = self.var(name, "l"), self.var(ast[2], "l")
            starts, ends = ast[3], ast[4]
            test = (f"{b} in {a}" if starts and ends else f"{a}.startswith({b})" if starts
                    else f"{a}.endswith({b})" if ends else f"{a} == {b}")
            return f"({a} is not None and {b} is not None and {test})"
        is_list = name in LIST_FIELDS
        if op == "null":
            v = self.var(name, "r")
            return f"({v} is None)" if is_list else f"({v} is None or {v} == '')"
        if op == "exists":
            return f"({self.var(name, 'r')} is {'not ' if ast[2] else ''}None)"
        if op == "s":
            if ast[3] == "contains":
                quick = self.found(name, ast[2], [ast[4]])
                if quick:
                    return quick
            v, make = self.var(name, ast[2]), (lambda x: self.text(ast[3], ast[4], x))
        elif op == "re":
            rx = self.const(re.compile(ast[2]))
            v, make = self.var(name, "r"), (lambda x: f"({x} is not None and {rx}.search({x}) is not None)")
        elif op == "num":
            cmp = self.const(_CMP[ast[2]])
            v, make = self.var(name, "r"), (lambda x: f"_numcmp({x}, {cmp}, {float(ast[3])!r})")
            self.consts["_numcmp"] = _numcmp
        else:
            raise ValueError(f"unknown AST node {op}")
        if is_list:
            return f"({v} is not None and any({make('x')} for x in {v}))"
        return make(v)

    def node(self, ast: list[Any]) -> str:
        op = ast[0]
        if op == "false":
            return "False"
        if op == "and":
            return "(" + " and ".join(self.node(a) for a in ast[1]) + ")"
        if op == "not":
            return f"(not {self.node(ast[1])})"
        if op == "or":
            return self.any_of(ast[1])
        return self.leaf(ast)

    def any_of(self, items: list[Any]) -> str:
        """OR; many prefix / suffix / equal / contains values of one field become one tuple, set or regex test."""
        leaves = [x for a in items for x in (a[1] if a[0] == "or" else [a])]
        groups: dict[tuple[str, str, str], list[str]] = {}
        parts: list[str] = []
        for leaf in leaves:
            if leaf[0] == "s" and leaf[3] in ("eq", "prefix", "suffix", "contains") and leaf[1] not in LIST_FIELDS:
                groups.setdefault((leaf[1], leaf[2], leaf[3]), []).append(leaf[4])
            else:
                parts.append(self.node(leaf))
        for (name, kind, op), texts in groups.items():
            quick = self.found(name, kind, texts) if op == "contains" else None
            if quick:
                parts.append(quick)
                continue
            v = self.var(name, kind)
            if len(texts) == 1:
                parts.append(self.text(op, texts[0], v))
            elif op == "eq":
                parts.append(f"({v} in {self.const(frozenset(texts))})")
            elif op in ("prefix", "suffix"):
                method = "startswith" if op == "prefix" else "endswith"
                parts.append(f"({v} is not None and {v}.{method}({tuple(texts)!r}))")
            else:
                parts.append(f"({v} is not None and any(t in {v} for t in {self.const(tuple(dict.fromkeys(texts)))}))")
        return "(" + " or ".join(parts) + ")" if parts else "False"


def _numcmp(v: Any, cmp: Callable[[float, float], bool], bound: float) -> bool:
    n = _number(v)
    return n is not None and cmp(n, bound)


def _contains_literals(ast: list[Any], out: set[tuple[str, str, str]]) -> None:
    op = ast[0]
    if op in ("and", "or"):
        for a in ast[1]:
            _contains_literals(a, out)
    elif op == "not":
        _contains_literals(ast[1], out)
    elif op == "s" and ast[3] == "contains" and ast[4]:
        out.add((ast[1], ast[2], ast[4]))


class Presence:
    """Which rows hold which literals, found for every column in one Aho-Corasick pass over distinct values."""

    def __init__(self, rules: list[CompiledRule], cols: Columns) -> None:
        wanted: set[tuple[str, str, str]] = {(f, k, t) for r in rules for clause in r.needs for f, k, t in clause}
        for r in rules:
            _contains_literals(r.ast, wanted)
        self.rows: dict[tuple[str, str, str], set[int]] = {atom: set() for atom in wanted}
        by_column: dict[tuple[str, str], list[str]] = {}
        for f, k, text in wanted:
            by_column.setdefault((f, k), []).append(text)
        rows = len(next(iter(cols.values()))) if cols else 0
        for (f, k), words in by_column.items():
            values = cols.get((f, k))
            if values is not None:
                self._scan(f, k, words, values)
            else:  # a column this group does not extract: assume the literal may be anywhere
                for w in words:
                    self.rows[(f, k, w)] = set(range(rows))

    def _scan(self, f: str, k: str, words: list[str], values: Sequence[Any]) -> None:
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        targets = [self.rows[(f, k, w)] for w in words]
        for n, word in enumerate(words):
            automaton.add_word(word, n)
        automaton.make_automaton()
        is_list = f in LIST_FIELDS
        seen: dict[str, set[int]] = {}
        for i, v in enumerate(values):
            if not v:
                continue
            for item in (v if is_list else (v,)):
                if not item:
                    continue
                ids = seen.get(item)
                if ids is None:
                    ids = seen[item] = {n for _, n in automaton.iter(item)}
                for n in ids:
                    targets[n].add(i)

    def candidates(self, rule: CompiledRule) -> set[int] | None:
        """Rows where every clause of the rule's `needs` has a literal present (None: all rows)."""
        if not rule.needs:
            return None
        rows_ok: set[int] | None = None
        for clause in rule.needs:
            union: set[int] = set()
            for f, k, text in clause:
                union |= self.rows[(f, k, text)]
            rows_ok = union if rows_ok is None else rows_ok & union
            if not rows_ok:
                return set()
        return rows_ok or set()


def matcher(ast: list[Any], cols: Columns, presence: Presence | None = None) -> Callable[[Iterable[int]], list[int]]:
    """rows → the rows where the rule holds, with the SQL's meaning (a missing value never matches)."""
    gen = _Gen(presence)
    expr = gen.node(ast)
    loads = "".join(f"        {v} = C{n}[i]\n" for n, v in enumerate(gen.vars.values()))
    src = f"def match(rows):\n    out = []\n    for i in rows:\n{loads}        if {expr}:\n            out.append(i)\n    return out\n"
    scope: dict[str, Any] = dict(gen.consts)
    for n, key in enumerate(gen.vars):
        scope[f"C{n}"] = cols[key]
    exec(compile(src, "<sigma rule>", "exec"), scope)  # noqa: S102 - source generated from the rule's AST
    return scope["match"]  # type: ignore[no-any-return]


def evaluate(rules: list[CompiledRule], cols: Columns, rows: int,
             eids: Sequence[int | None] | None = None) -> list[list[int]]:
    """Per rule, the matching row indexes (sorted); eids (event id per row) narrow rules bound to event ids."""
    presence = Presence(rules, cols)
    by_eid: dict[int | None, list[int]] = {}
    for j, e in enumerate(eids or ()):
        by_eid.setdefault(e, []).append(j)
    out: list[list[int]] = []
    for rule in rules:
        cand = presence.candidates(rule)
        if eids is not None and rule.event_ids is not None:
            allowed = {j for e in rule.event_ids for j in by_eid.get(e, ())}
            cand = allowed if cand is None else cand & allowed
        if cand is not None and not cand:
            out.append([])
            continue
        out.append(matcher(rule.ast, cols, presence)(sorted(cand) if cand is not None else range(rows)))
    return out
