"""Evaluates compiled rules in Python on a small group table: Aho-Corasick finds candidate rows, the AST decides.

Each rule becomes one generated function (`program`, made when the rule is compiled and cached with it as a code
object): it reads the group table's columns and the rows holding its `contains` literals as arguments, so the
same code serves every run.
"""
from __future__ import annotations

import builtins
import functools
import itertools
import re
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .compiler import LIST_FIELDS, TEXT_TESTS, like_parts, regex_literal, text_test
from .types import CompiledRule

try:
    import ahocorasick
except ImportError:  # pragma: no cover - the SQL engine is used instead
    ahocorasick = None

NAIVE_CHARS = 4000  # distinct values this long in all (plus 50 per value) are searched word by word, no automaton
Columns = Mapping[tuple[str, str], Sequence[Any]]  # (field, kind) → value per row (a list for list fields)
Atom = tuple[str, str, str]  # (field, kind, literal)
# (code of `match(rows, *columns, *row_sets)`, the (field, kind) of each column, the literals of each row set,
#  the rule's `needs` as tuples)
Program = tuple[types.CodeType, tuple[tuple[str, str], ...], tuple[tuple[Atom, ...], ...], tuple[tuple[Atom, ...], ...]]


def available() -> bool:
    return ahocorasick is not None


def _like_regex(pattern: str) -> str:
    parts = like_parts(pattern)
    return "".join(".*" if p is None else "." if p == "" else re.escape(p) for p in parts)


def _number(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


_CMP: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "<>": lambda a, b: a != b}


def _regex_precheck(pattern: str, x: str) -> str:
    """` and 'lit' in x`: a literal the regex cannot match without (a quick test before Python's re), or ''."""
    got = regex_literal(pattern)
    if got is None or not got[0].isascii() or (got[1] and any(ch.isalpha() for ch in got[0])):
        return ""  # none, or letters under IGNORECASE (case folding is the regex's business)
    return f" and {got[0]!r} in {x}"


class _Gen:
    """Python source for one rule: `def match(rows, C0.., S0..)` returning the matching rows (no closures per node).

    Constants are literals in the source (sets and tuples compile to constants), so the code object can be cached."""

    def __init__(self) -> None:
        self.vars: dict[tuple[str, str], str] = {}
        self.sets: dict[tuple[Atom, ...], str] = {}

    def found(self, name: str, kind: str, texts: list[str]) -> str | None:
        """`(i in S)`: rows holding any of the texts, from the Aho-Corasick pass (exact for `contains`)."""
        if not all(texts):
            return None
        atoms = tuple(dict.fromkeys((name, kind, t) for t in texts))
        return f"(i in {self.sets.setdefault(atoms, f'S{len(self.sets)}')})"

    def var(self, name: str, kind: str) -> str:
        return self.vars.setdefault((name, kind), f"v{len(self.vars)}")

    @staticmethod
    def text(op: str, arg: str, x: str) -> str:
        """A text test as Python (compiler.TEXT_TESTS: the same tests as the SQL)."""
        test = text_test(op)
        rx = {"rx": repr(_like_regex(arg)), "flags": int(re.DOTALL)} if test == "like" else {}
        return TEXT_TESTS[test].py.format(c=x, py=repr(arg), **rx)

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
        make: Callable[[str], str]
        if op == "s":
            if ast[3] == "contains":
                quick = self.found(name, ast[2], [ast[4]])
                if quick:
                    return quick
            v, make = self.var(name, ast[2]), (lambda x: self.text(ast[3], ast[4], x))
        elif op == "re":
            v, make = self.var(name, "r"), (lambda x: f"({x} is not None{_regex_precheck(ast[2], x)} and "
                                                      f"_rx({ast[2]!r}, 0).search({x}) is not None)")
        elif op == "num":
            v, make = self.var(name, "r"), (lambda x: f"_numcmp({x}, {ast[2]!r}, {float(ast[3])!r})")
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
        """OR; many prefix / suffix / equal / contains values of one field become one tuple, set or row-set test."""
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
                parts.append(f"({v} in {{{', '.join(map(repr, dict.fromkeys(texts)))}}})")  # a frozenset constant
            elif op in ("prefix", "suffix"):
                method = "startswith" if op == "prefix" else "endswith"
                parts.append(f"({v} is not None and {v}.{method}({tuple(texts)!r}))")
            else:
                parts.append(f"({v} is not None and any(t in {v} for t in {tuple(dict.fromkeys(texts))!r}))")
        return "(" + " or ".join(parts) + ")" if parts else "False"


def program(ast: list[Any], needs: list[list[list[str]]]) -> Program:
    """The rule as Python: rows → the rows where it holds, with the SQL's meaning (a missing value never matches)."""
    gen = _Gen()
    expr = gen.node(ast)
    args = ", ".join(["rows", *(f"C{n}" for n in range(len(gen.vars))), *gen.sets.values()])
    loads = "".join(f"        {v} = C{n}[i]\n" for n, v in enumerate(gen.vars.values()))
    src = (f"def match({args}):\n    out = []\n    for i in rows:\n{loads}"
           f"        if {expr}:\n            out.append(i)\n    return out\n")
    module = compile(src, "<sigma rule>", "exec")
    code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    return code, tuple(gen.vars), tuple(gen.sets), tuple(tuple((f, k, t) for f, k, t in clause) for clause in needs)


_rx = functools.lru_cache(maxsize=None)(re.compile)  # patterns compiled on first use, once per process


def _numcmp(v: Any, op: str, bound: float) -> bool:
    n = _number(v)
    return n is not None and _CMP[op](n, bound)


class Presence:
    """Which rows hold which literals, found for every column in one Aho-Corasick pass over distinct values."""

    def __init__(self, rules: list[CompiledRule], cols: Columns) -> None:
        wanted: dict[Atom, None] = {}
        for r in rules:
            _, _, sets, needs = rule_program(r)
            for atoms in needs + sets:
                wanted.update(dict.fromkeys(atoms))
        self.rows: dict[Atom, set[int]] = {atom: set() for atom in wanted}
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
        """Each distinct value searched once; its rows added to the rows of every literal found in it."""
        rows_of: dict[str, list[int]] = {}
        present = itertools.compress(range(len(values)), values)  # skips missing and empty values in C
        if f in LIST_FIELDS:
            for i in present:
                for item in values[i]:
                    if item:
                        rows_of.setdefault(item, []).append(i)
        else:
            for i in present:
                rows_of.setdefault(values[i], []).append(i)
        if not rows_of:
            return
        targets = [self.rows[(f, k, w)] for w in words]
        if sum(map(len, rows_of)) + 50 * len(rows_of) <= NAIVE_CHARS:  # a few short values: `in` beats building
            for n, word in enumerate(words):
                for item, rows in rows_of.items():
                    if word in item:
                        targets[n].update(rows)
            return
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for n, word in enumerate(words):
            automaton.add_word(word, n)
        automaton.make_automaton()
        for item, rows in rows_of.items():
            for n in {n for _, n in automaton.iter(item)}:
                targets[n].update(rows)

    def union(self, atoms: tuple[Atom, ...]) -> set[int]:
        """Rows holding any of the literals."""
        if len(atoms) == 1:
            return self.rows[atoms[0]]
        return set().union(*(self.rows[a] for a in atoms))

    def candidates(self, needs: tuple[tuple[Atom, ...], ...]) -> set[int] | None:
        """Rows where every clause of a rule's `needs` has a literal present (None: all rows)."""
        if not needs:
            return None
        rows_ok: set[int] | None = None
        for clause in needs:
            union = self.union(clause)
            rows_ok = union if rows_ok is None else rows_ok & union
            if not rows_ok:
                return set()
        return rows_ok or set()


def rule_program(rule: CompiledRule) -> Program:
    """The rule's generated Python (cached with the rule; made here for rules compiled elsewhere)."""
    if rule.program is None:
        rule.program = program(rule.ast, rule.needs)
    made: Program = rule.program
    return made


_GLOBALS: dict[str, Any] = {"__builtins__": builtins, "_rx": _rx, "_numcmp": _numcmp}


def evaluate(rules: list[CompiledRule], cols: Columns, rows: int,
             eids: Sequence[int | None] | None = None) -> list[list[int]]:
    """Per rule, the matching row indexes (sorted); eids (event id per row) narrow rules bound to event ids."""
    by_eid: dict[int | None, list[int]] = {}
    for j, e in enumerate(eids or ()):
        by_eid.setdefault(e, []).append(j)
    allowed: list[set[int] | None] = [  # rows of the rule's event ids (None: any row)
        {j for e in rule.event_ids for j in by_eid.get(e, ())} if eids is not None and rule.event_ids is not None
        else None for rule in rules]
    presence = Presence([r for r, a in zip(rules, allowed, strict=False) if a is None or a], cols)
    out: list[list[int]] = []
    for rule, ok in zip(rules, allowed, strict=False):
        if ok is not None and not ok:
            out.append([])
            continue
        code, columns, sets, needs = rule_program(rule)
        cand = presence.candidates(needs)
        if ok is not None:
            cand = ok if cand is None else cand & ok
        if cand is not None and not cand:
            out.append([])
            continue
        match: Callable[..., list[int]] = types.FunctionType(code, _GLOBALS)
        out.append(match(sorted(cand) if cand is not None else range(rows),
                         *(cols[c] for c in columns), *(presence.union(s) for s in sets)))
    return out
