"""Loads detection rules (YAML data) and compiles their selections into DuckDB SQL over the events table."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..checks.spec import CheckSpec, common_fields, register
from ..sql import Params, SqlNameError, sql_name
from ..store import COLUMNS
from .lists import ValueLists

INT_COLUMNS = {"event_id", "record_id", "logon_type"}
MODIFIERS = {"", "contains", "startswith", "endswith", "re", "ne", "empty"}


class RuleError(ValueError):
    """A rule file that cannot be used, with the file and the reason."""


@dataclass
class Rule(CheckSpec):
    """One detection: its spec (texts, phase, tags), which events it selects and how they are correlated.

    params_from names settings this rule shares with another rule ({rule: [key, ...]}): they are passed in with
    the rule's own settings, so that a correlator reads only the parameters handed to it."""

    select: list[dict[str, Any]] = field(default_factory=list)
    filter: list[dict[str, Any]] = field(default_factory=list)
    correlate: dict[str, Any] = field(default_factory=dict)
    select_from: str | None = None
    after: list[str] = field(default_factory=list)
    params_from: dict[str, list[str]] = field(default_factory=dict)

    def label(self, sel: int) -> dict[str, Any]:
        """The selection's own labels (_label, _what, _how, _kind, _severity)."""
        return {k: v for k, v in self.select[sel].items() if k.startswith("_")} if 0 <= sel < len(self.select) else {}

    def settings(self, config: dict[str, Any]) -> dict[str, Any]:
        """This rule's parameters: the keys it shares with other rules (params_from), then its own settings."""
        rules = config.get("rules", {}) or {}
        out: dict[str, Any] = {}
        for other, keys in self.params_from.items():
            theirs = rules.get(other, {}) or {}
            out.update({k: theirs[k] for k in keys if k in theirs})
        out.update(rules.get(self.id, {}) or {})
        return out


def parse_rule(raw: dict[str, Any], where: str) -> Rule:
    """Check one rule's structure and build it; raises RuleError naming the file and field."""
    for key in ("id", "phase", "severity", "correlate"):
        if key not in raw:
            raise RuleError(f"{where}: missing '{key}'")
    if "select" not in raw and "select_from" not in raw:
        raise RuleError(f"{where}: needs 'select' or 'select_from'")
    correlate = dict(raw["correlate"])
    params_from = raw.get("params_from") or {}
    if not isinstance(params_from, dict) or not all(isinstance(v, list) for v in params_from.values()):
        raise RuleError(f"{where}: 'params_from' must map rule ids to lists of setting names")
    correlate_names(correlate, where)
    for i, sel in enumerate(list(raw.get("select") or []) + list(raw.get("filter") or [])):
        _check_labels(sel, f"{where} select/filter[{i}]")
    rule = Rule(
        id=str(raw["id"]), kind=str(correlate.get("type", "")), **common_fields(raw, where, RuleError),
        select=list(raw.get("select") or []), filter=list(raw.get("filter") or []), correlate=correlate,
        select_from=raw.get("select_from"), source=where, after=list(correlate.get("after", [])),
        params_from={str(k): [str(x) for x in v] for k, v in params_from.items()},
    )
    register(rule)
    return rule


def _check_labels(sel: Any, where: str) -> None:
    """A selection is a mapping; its text labels (_what, _how, _label) are a plain word or exactly {ja, en}."""
    if not isinstance(sel, dict):
        raise RuleError(f"{where}: a selection must be a mapping of column: value")
    for key, value in sel.items():
        if key in ("_what", "_how", "_label") and isinstance(value, dict) and set(value) != {"ja", "en"}:
            raise RuleError(f"{where}: '{key}' needs exactly ja and en texts, not {sorted(map(str, value))} "
                            "(quote an English text that holds a comma)")


CORRELATE_NAMES = ("by", "what", "target", "context")  # correlate settings that name columns (spliced into SQL)


def correlate_names(correlate: dict[str, Any], where: str) -> dict[str, list[str]]:
    """The columns a rule's correlate settings name, each checked (RuleError naming the file if one is not a column)."""
    allowed = [*COLUMNS, "file"]
    out = {}
    for key in CORRELATE_NAMES:
        if key in correlate:
            value = correlate[key]
            names = list(value) if isinstance(value, list) else [value]
            out[key] = [rule_name(n, f"{where} correlate.{key}", allowed) for n in names]
    return out


def load_rules(extra_dirs: list[Path] | None = None) -> list[Rule]:
    """The shipped seed rules (plus any extra folders), ordered so that a rule comes after those it needs."""
    rules: dict[str, Rule] = {}
    folder = resources.files("wardwatch.detect") / "rules"
    files = [(f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".yml")]
    for d in extra_dirs or []:
        files += [(str(p), p.read_text(encoding="utf-8")) for p in sorted(Path(d).glob("*.yml"))]
    for name, text in sorted(files):
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RuleError(f"{name}: YAML error: {exc}") from exc
        rule = parse_rule(raw, name)
        rules[rule.id] = rule
    for rule in rules.values():
        if rule.select_from:
            base = rules.get(rule.select_from)
            if base is None:
                raise RuleError(f"{rule.source}: select_from names unknown rule {rule.select_from!r}")
            rule.select, rule.filter = base.select, base.filter
            rule.after = sorted(set(rule.after) | {base.id})
    return _ordered(rules)


def _ordered(rules: dict[str, Rule]) -> list[Rule]:
    done: list[Rule] = []
    seen: set[str] = set()

    def visit(rule: Rule, stack: tuple[str, ...]) -> None:
        if rule.id in seen:
            return
        if rule.id in stack:
            raise RuleError(f"{rule.source}: rules depend on each other in a circle: {' → '.join(stack)}")
        for dep in rule.after:
            if dep in rules:
                visit(rules[dep], stack + (rule.id,))
        seen.add(rule.id)
        done.append(rule)

    for rule in rules.values():
        visit(rule, ())
    return done


def compile_item(key: str, value: Any, lists: ValueLists, where: str, params: Params | None = None) -> str:
    """One 'column|modifier: value(s)' condition as SQL (strings compare case-insensitively).

    The column is checked against the events table's columns; every value is bound (a `$name` of `params`)."""
    col, _, mod = key.partition("|")
    col = rule_name(col, where)
    if mod not in MODIFIERS:
        raise RuleError(f"{where}: unknown modifier '{mod}' in '{key}'")
    bind = (params if params is not None else Params()).add
    values = value if isinstance(value, list) else [value]
    expanded: list[Any] = []
    for v in values:
        if isinstance(v, str) and v.startswith("@"):
            if v[1:] not in lists:
                raise RuleError(f"{where}: unknown list '{v}'")
            expanded.extend(lists[v[1:]])
        else:
            expanded.append(v)
    if mod == "empty":
        test = f"({col} IS NULL OR {col} = '')"
        return test if value else f"NOT {test}"
    if col in INT_COLUMNS and mod in ("", "ne"):
        ints = ", ".join(bind(_int(v, key, where)) for v in expanded)
        return f"{col} IN ({ints})" if mod == "" else f"({col} IS NULL OR {col} NOT IN ({ints}))"
    low = f"lower({col})"
    lows = [str(v).lower() for v in expanded]
    if mod == "":
        return f"{low} IN ({', '.join(map(bind, lows))})"
    if mod == "ne":
        return f"coalesce({low}, '') NOT IN ({', '.join(map(bind, lows))})"
    if mod == "re":
        if not expanded:  # an empty list ('@tool_patterns' of a list without regular expressions) matches nothing
            return "false"
        return "(" + " OR ".join(f"regexp_matches({col}, {bind(str(v))}, 'i')" for v in expanded) + ")"
    if len(lows) > 2:  # one case-insensitive regular expression instead of many lower()/contains() calls
        alts = "|".join(_re_escape(v) for v in lows)
        pattern = {"contains": f"({alts})", "startswith": f"^({alts})", "endswith": f"({alts})$"}[mod]
        return f"regexp_matches({col}, {bind(pattern)}, 'i')"
    func = {"contains": "contains", "startswith": "starts_with", "endswith": "suffix"}[mod]
    return "(" + " OR ".join(f"{func}({low}, {bind(v)})" for v in lows) + ")"


def rule_name(name: object, where: str, allowed: Collection[str] = COLUMNS) -> str:
    """A column a rule file names, checked before it is spliced into SQL (RuleError naming the file if not)."""
    try:
        return sql_name(name, allowed)
    except SqlNameError as exc:
        raise RuleError(f"{where}: {exc}") from None


def _int(value: Any, key: str, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RuleError(f"{where}: '{key}' needs whole numbers, not {value!r}") from None


def _re_escape(text: str) -> str:
    """Escape the characters RE2 treats as special (and nothing else, so Japanese text stays as it is)."""
    return "".join("\\" + ch if ch in "\\.^$|?*+()[]{}" else ch for ch in text)


def compile_selection(sel: dict[str, Any], lists: ValueLists, where: str, params: Params | None = None) -> str:
    parts = [compile_item(k, v, lists, where, params) for k, v in sel.items() if not k.startswith("_")]
    return "(" + (" AND ".join(parts) or "true") + ")"


def compile_rule(rule: Rule, lists: ValueLists) -> tuple[str, str, Params]:
    """(WHERE condition, CASE expression naming the first selection that matched, the values both bind)."""
    params = Params("v")
    sels = [compile_selection(s, lists, f"{rule.source} select[{i}]", params) for i, s in enumerate(rule.select)]
    cond = "(" + " OR ".join(sels) + ")"
    if rule.filter:
        filters = [compile_selection(s, lists, f"{rule.source} filter[{i}]", params) for i, s in enumerate(rule.filter)]
        cond += " AND NOT coalesce(" + " OR ".join(filters) + ", false)"
    case = "CASE " + " ".join(f"WHEN {s} THEN {i}" for i, s in enumerate(sels)) + " END"
    return cond, case, params
