"""Reads Sigma YAML files one by one with pySigma and compiles each rule; a bad file or rule never stops the others."""
from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from .compiler import Unsupported
from .logsources import logsource_key
from .pyeval import program
from .types import LEVELS, CompiledRule

SUFFIXES = (".yml", ".yaml")
CORRELATION_TYPES = {"event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg"}
_JA_TITLE_KEYS = ("title_ja", "title-ja", "ja_title", "title.ja")


def discover(paths: Iterable[Path]) -> list[Path]:
    """The rule files under the given files and folders (recursively), in a stable order, each once."""
    return [Path(f) for f in _discover(paths)]


def _discover(paths: Iterable[Path]) -> list[str]:
    """discover() as path strings (no Path object per file on the warm path)."""
    out: dict[str, None] = {}
    for given in paths:
        p = str(Path(given))  # normalized as Path writes it
        if os.path.isdir(p):
            found: list[str] = []
            for folder, dirs, files in os.walk(p):
                dirs.sort()
                found.extend(os.path.join(folder, f) for f in files if f.lower().endswith(SUFFIXES))
            out.update(dict.fromkeys(sorted(found)))
        else:
            out[p] = None
    return list(out)


@functools.lru_cache(maxsize=1)
def _yaml() -> tuple[Any, Any]:
    """PyYAML and its fastest safe loader, imported when a file must be compiled (never on a warm run)."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # SafeLoader: PyYAML without libyaml


@functools.lru_cache(maxsize=1)
def _regex_connection() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def check_regex(pattern: str) -> str | None:
    """None when DuckDB (RE2) accepts the pattern, else the error."""
    try:
        _regex_connection().execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
    except duckdb.Error as exc:  # RE2 rejects lookarounds, backreferences, ...
        return str(exc).splitlines()[0][:200]
    return None


def compile_text(text: str, file: str) -> list[CompiledRule]:
    """Every rule of one file's text, compiled or marked as not runnable with the reason."""
    yaml, loader = _yaml()
    try:
        docs = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    except yaml.YAMLError as exc:
        return [_file_problem(file, f"YAML error: {str(exc).splitlines()[0]}")]
    if not docs:
        return [_file_problem(file, "no rule in file")]
    if not all(isinstance(d, dict) for d in docs):
        return [_file_problem(file, "not a Sigma rule (YAML is not a mapping)")]
    if all(_is_test_manifest(d) for d in docs):
        return []  # SigmaHQ's regression-test manifest (info.yml beside a sample): data about a rule, not a rule
    from sigma.collection import SigmaCollection

    try:
        collection = SigmaCollection.from_dicts(docs, collect_errors=True, resolve_references=False)
    except Exception as exc:  # noqa: BLE001 - pySigma raises many kinds on malformed input; one file must not stop others
        return [_file_problem(file, f"Sigma error: {exc}")]
    out = [compile_rule(rule, file) for rule in collection.rules]
    out.extend(_file_problem(file, f"Sigma error: {e}") for e in collection.errors if not out)
    return out or [_file_problem(file, "no rule in file")]


def _is_test_manifest(doc: dict[str, Any]) -> bool:
    """SigmaHQ's regression_data/**/info.yml: the rules a sample tests (rule_metadata), how (regression_tests_info)."""
    about_rules = "regression_tests_info" in doc or "rule_metadata" in doc
    return about_rules and "detection" not in doc and "correlation" not in doc


def _file_problem(file: str, reason: str) -> CompiledRule:
    return CompiledRule(id="", title=Path(file).name, file=file, level="", kind="file", will_run=False, reason=reason)


def _meta(rule: Any, file: str) -> CompiledRule:
    level = rule.level.name.lower() if rule.level is not None else "medium"
    custom = rule.custom_attributes or {}
    title_ja = next((str(custom[k]) for k in _JA_TITLE_KEYS if custom.get(k)), "")
    return CompiledRule(
        id=str(rule.id) if rule.id else (rule.name or Path(file).stem), title=rule.title or "", file=file,
        level=level if level in LEVELS else "medium", name=rule.name or "", title_ja=title_ja,
        description=(rule.description or "").strip(), falsepositives=[str(f) for f in rule.falsepositives or []],
        tags=[str(t) for t in rule.tags or []])


def compile_rule(rule: Any, file: str) -> CompiledRule:
    """One pySigma rule (detection or correlation) → CompiledRule."""
    from sigma.correlations import SigmaCorrelationRule
    from sigma.filters import SigmaFilter

    if isinstance(rule, SigmaFilter):
        return CompiledRule(id=str(rule.id or ""), title=rule.title, file=file, level="", kind="filter",
                            will_run=False, reason="Sigma filter rules are not supported")
    out = _meta(rule, file)
    if rule.errors:
        out.will_run, out.reason = False, f"Sigma error: {rule.errors[0]}"
        return out
    if isinstance(rule, SigmaCorrelationRule):
        out.kind = "correlation"
        try:
            out.correlation = _correlation(rule)
        except Unsupported as exc:
            out.will_run, out.reason = False, str(exc)
        return out
    ls = rule.logsource
    key, why = logsource_key(ls.product, ls.category, ls.service)
    if key is None:
        out.will_run, out.reason = False, why
        return out
    out.logsource = key
    from .frontend import compile_condition

    try:
        trees = [c.parsed for c in rule.detection.parsed_condition]
        compiled = compile_condition(trees, check_regex)
    except Unsupported as exc:
        out.will_run, out.reason = False, str(exc)
        return out
    except Exception as exc:  # noqa: BLE001 - condition errors surface here (unknown identifier, bad syntax)
        out.will_run, out.reason = False, f"Sigma error: {exc}"
        return out
    out.ast, out.fields = compiled.ast, compiled.fields  # SQL is made from the AST when a group runs in SQL
    out.event_ids, out.needs = compiled.event_ids, compiled.needs
    out.program = program(compiled.ast, compiled.needs)  # the Python engine's code, cached with the rule
    return out


def _correlation(rule: Any) -> dict[str, Any]:
    """The window spec of a correlation rule: type, referenced rules, group-by, timespan, condition, aliases."""
    from sigma.correlations import SigmaCorrelationCondition

    kind = rule.type.name.lower()
    if kind not in CORRELATION_TYPES:
        raise Unsupported(f"correlation type {kind} is not supported")
    cond = rule.condition
    if not isinstance(cond, SigmaCorrelationCondition):
        raise Unsupported("extended correlation conditions are not supported")
    fieldref = cond.fieldref
    if isinstance(fieldref, list):
        if len(fieldref) != 1:
            raise Unsupported("correlation condition on several fields is not supported")
        fieldref = fieldref[0]
    aliases = {alias: {ref.reference: fld for ref, fld in a.mapping.items()}
               for alias, a in (rule.aliases.aliases or {}).items()}
    return {
        "type": kind,
        "rules": [r.reference for r in rule.rules or []],
        "group_by": list(rule.group_by or []),
        "timespan": int(rule.timespan.seconds),
        "op": cond.op.name.lower(),
        "count": int(cond.count),
        "field": fieldref,
        "aliases": aliases,
        "generate": bool(rule.generate),
    }


def load_rules(paths: Iterable[Path], cache: Any = None) -> list[CompiledRule]:
    """Compile every rule under paths, reusing a RuleCache's entries for files whose content is unchanged."""
    out: list[CompiledRule] = []
    for name in _discover(paths):
        try:
            with open(name, "rb") as fh:
                content = fh.read()
        except OSError as exc:
            out.append(_file_problem(name, f"cannot read: {exc.strerror or exc}"))
            continue
        key = cache.key(content) if cache is not None else ""
        got = cache.get(key, name) if cache is not None else None
        if got is None:
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                got = [_file_problem(name, f"not UTF-8 text: {exc}")]
            else:
                got = compile_text(text, name)
            if cache is not None:
                cache.put(key, got)
        out.extend(got)
    if cache is not None:
        cache.save()
    return out
