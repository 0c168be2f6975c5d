"""run_sigma / check_rules: load (cached) rules, match them on the store, correlate, and report Findings."""
from __future__ import annotations

import atexit
import contextlib
import gc
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..model import Finding
from ..sql import sql_literal
from ..store import EventStore
from . import pyeval
from .cache import RuleCache, default_cache_dir
from .compiler import KW, column
from .correlate import Event, bursts, field_for
from .findings import Matches, correlation_finding, detection_finding
from .loader import load_rules
from .match import (
    build_groups,
    candidate_filter,
    evaluate_sql,
    load_part,
    materialize,
    survey,
)
from .pyextract import BASE as BASE_COLUMNS
from .pyextract import PartRows
from .types import LEVELS, CompiledRule, RuleStatus


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic GC passes meanwhile: the engine makes many small lists and dicts that live to its end.

    At the end, what exists is frozen (moved where collections never look): otherwise the first collections
    after re-enabling would walk every object made meanwhile (about 75 ms for SigmaHQ's rules). Objects are
    still freed as usual when unreferenced; cyclic garbage waits for the exit, where everything is unfrozen
    so that the last collection can free it (extension modules check for leaks then)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


atexit.register(gc.unfreeze)  # see _no_gc; harmless when nothing was frozen


def load_sigma_rules(paths: list[Path], cache_dir: Path | None = None) -> list[CompiledRule]:
    """Every rule under the paths, compiled (or taken from the cache) and with correlation references checked.

    A scan calls this in a thread while it reads the events, then hands the rules to run_sigma."""
    with _no_gc():
        rules = load_rules(paths, RuleCache(cache_dir if cache_dir is not None else default_cache_dir()))
    _resolve(rules)
    return rules


def _resolve(rules: list[CompiledRule]) -> None:
    """Check each correlation's references: every referenced rule must exist and run."""
    by_ref: dict[str, CompiledRule] = {}
    for r in rules:
        if r.kind in ("detection", "correlation"):
            by_ref.setdefault(r.id, r)
            if r.name:
                by_ref.setdefault(r.name, r)
    for r in rules:
        if r.kind != "correlation" or not r.will_run:
            continue
        for ref in r.correlation["rules"]:
            target = by_ref.get(ref)
            if target is None:
                r.will_run, r.reason = False, f"referenced rule {ref} not found"
            elif target.kind != "detection":
                r.will_run, r.reason = False, f"referenced rule {ref} is a correlation (chained correlations are not supported)"
            elif not target.will_run:
                r.will_run, r.reason = False, f"referenced rule {ref} cannot run: {target.reason}"
            if not r.will_run:
                break


def start_loading(paths: list[Path], cache_dir: Path | None = None) -> Future[list[CompiledRule]]:
    """load_sigma_rules in a thread: a scan starts it when its reader is done and its writer still busy."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wardwatch-sigma-load")
    future = pool.submit(load_sigma_rules, [Path(p) for p in paths], cache_dir)
    pool.shutdown(wait=False)  # the thread ends with its one task
    return future


def check_rules(paths: list[Path], cache_dir: Path | None = None) -> list[RuleStatus]:
    """Per rule (and per file that gave no rule): will it run, and why not."""
    return [r.status() for r in load_sigma_rules([Path(p) for p in paths], cache_dir)]


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else 0


PY_MAX_ROWS = 20_000  # groups up to this many events (per part) are evaluated in Python, larger ones in SQL


PART_ROWS = 50_000  # events read at once: small store parts are taken together, memory stays flat


def _parts(store: Any) -> list[str]:
    """The store's Parquet parts in groups of up to PART_ROWS events (one group at a time), or its events view."""
    groups: list[list[str]] = []
    rows = PART_ROWS
    for path, n in getattr(store, "parts", []):
        if rows + n > PART_ROWS:
            groups.append([])
            rows = 0
        groups[-1].append(str(path))
        rows += n
    return [f"read_parquet([{', '.join(sql_literal(f) for f in g)}])" for g in groups] or ["events"]


def run_sigma(store: EventStore, rule_paths: list[Path], tz: str, min_level: str | None = None,
              evidence_limit: int = 1000, cache_dir: Path | None = None,
              engine: str = "auto", rules: list[CompiledRule] | None = None) -> tuple[list[Finding], list[RuleStatus]]:
    """Run Sigma rules (files or folders) over the store's events; one finding per (rule, host) or per burst.

    engine: "auto" (Python for small group tables, SQL for large ones), "sql" or "python" (tests compare them).
    rules: the rules of rule_paths already loaded by load_sigma_rules (else they are loaded here).
    """
    if min_level is not None and min_level not in LEVELS:
        raise ValueError(f"min_level must be one of {', '.join(LEVELS)}")
    with _no_gc(), _quick_switches():
        if rules is None:
            rules = load_sigma_rules([Path(p) for p in rule_paths], cache_dir)
        return _run(store, rules, tz, min_level, evidence_limit, engine)


@contextlib.contextmanager
def _quick_switches() -> Iterator[None]:
    """A shorter GIL switch interval meanwhile: the SQL groups' thread needs the GIL briefly between its
    queries, and with the default 5 ms it waits that long each time for the Python groups to let go."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, 0.001))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _run(store: EventStore, rules: list[CompiledRule], tz: str, min_level: str | None, evidence_limit: int,
         engine: str) -> tuple[list[Finding], list[RuleStatus]]:
    statuses = [r.status() for r in rules]
    floor = _rank(min_level) if min_level else 0
    index: dict[str, int] = {}
    for i, r in enumerate(rules):
        if r.kind in ("detection", "correlation"):
            index.setdefault(r.id, i)
            if r.name:
                index.setdefault(r.name, i)
    correlations = [i for i, r in enumerate(rules) if r.kind == "correlation" and r.will_run and _rank(r.level) >= floor]
    extra: dict[int, list[str]] = {}
    suppressed: set[int] = set()
    generated: set[int] = set()
    for c in correlations:
        spec = rules[c].correlation
        for ref in spec["rules"]:
            i = index[ref]
            names = [field_for(spec, g, ref) for g in spec["group_by"]]
            if spec.get("field"):
                names.append(field_for(spec, spec["field"], ref))
            extra.setdefault(i, []).extend(n for n in names if n not in extra.get(i, []))
            (generated if spec["generate"] else suppressed).add(i)
    emit = {i for i, r in enumerate(rules) if r.kind == "detection" and r.will_run and _rank(r.level) >= floor}
    emit -= suppressed - generated
    groups = build_groups(rules, extra, emit | set(extra))
    matches = Matches(evidence_limit)
    events: dict[int, list[Event]] = {}
    if groups:
        con, sql_con = store.con.cursor(), store.con.cursor()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wardwatch-sigma-sql")
        try:
            where = candidate_filter(groups)
            prepared: dict[str, str] = {}  # SQL evaluation queries, parsed once for all parts
            for part in _parts(store):
                if load_part(con, part, where):
                    hits: list[tuple[Any, ...]] = []  # this part's matches, summed up before the next part
                    _run_part(con, sql_con, pool, groups, rules, extra, emit, engine, hits, events, prepared)
                    matches.add(hits)
            con.execute("DROP TABLE IF EXISTS sigma_ev")
        finally:
            pool.shutdown()
            sql_con.close()
            con.close()
    findings = [detection_finding(rules[r], row, tz) for r, row in matches.rows()]
    for c in correlations:
        findings.extend(_correlate(rules[c], events, index, tz, evidence_limit))
    findings.sort(key=lambda f: (-int(f.severity), f.first_seen is None, f.first_seen, f.rule, f.host or ""))
    return findings, statuses


def _python_ok(group: Any, rows: int, engine: str) -> bool:
    if KW in group.fields or not pyeval.available():  # whole-event keyword search: one RE2 pass in SQL
        return False
    return engine == "python" or (engine == "auto" and rows <= PY_MAX_ROWS)


def _run_part(con: Any, sql_con: Any, pool: ThreadPoolExecutor, groups: list[Any], rules: list[CompiledRule],
              extra: dict[int, list[str]], emit: set[int], engine: str, hits: list[tuple[Any, ...]],
              events: dict[int, list[Event]], prepared: dict[str, str]) -> None:
    """Evaluate every group on the loaded part: small ones in Python, the others in SQL.

    The SQL groups run in a thread with a cursor of their own while Python evaluates the others (DuckDB
    releases the GIL while it works); their hits are added when both are done."""
    counts = survey(con, groups)
    live = [n for n, c in enumerate(counts) if any(k for k, _ in c)]
    python = [n for n in live if _python_ok(groups[n], sum(k for k, _ in counts[n]), engine)]
    in_sql = [n for n in live if n not in python]
    sql_hits: list[tuple[Any, ...]] = []
    sql_events: dict[int, list[Event]] = {}
    job = pool.submit(_sql_groups, sql_con, [(n, groups[n], counts[n]) for n in in_sql], rules, extra, emit,
                      sql_hits, sql_events, prepared) if in_sql else None
    try:
        if python:
            where = candidate_filter([groups[n] for n in python])
            part = PartRows(con.execute(f"SELECT {', '.join(BASE_COLUMNS)} FROM sigma_ev WHERE {where}").fetchall())
            for n in python:
                _python_group(part, groups[n], rules, extra, emit, hits, events)
    finally:
        if job is not None:
            job.result()
    hits.extend(sql_hits)
    for r, evs in sql_events.items():
        events.setdefault(r, []).extend(evs)


def _sql_groups(con: Any, todo: list[tuple[int, Any, list[tuple[int, int]]]], rules: list[CompiledRule],
                extra: dict[int, list[str]], emit: set[int], hits: list[tuple[Any, ...]], events: dict[int, list[Event]],
                prepared: dict[str, str]) -> None:
    """Each (number, group, counts): its group table, every rule of it in SQL, the matched rows collected."""
    for n, group, counts in todo:
        table = f"sigma_g{n}"
        if materialize(con, table, group, counts):
            matched = evaluate_sql(con, table, group, rules, prepared)
            if matched:
                _collect(con, table, matched, rules, extra, emit, hits, events)
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _rows_needing(rules: list[CompiledRule], eids: list[int | None], always: set[str]) -> dict[str, list[int]]:
    """field → rows that can need it: a field read only by rules limited to some event ids is read on those rows."""
    allowed: dict[str, set[int] | None] = {}
    for r in rules:
        for f in r.fields:
            if f in always or r.event_ids is None or allowed.get(f, set()) is None:
                allowed[f] = None
            else:
                allowed.setdefault(f, set()).update(r.event_ids)  # type: ignore[union-attr]
    by_eid: dict[int | None, list[int]] = {}
    for j, e in enumerate(eids):
        by_eid.setdefault(e, []).append(j)
    memo: dict[frozenset[int], list[int]] = {}
    out = {}
    for f, ids in allowed.items():
        if ids is not None:
            key = frozenset(ids)
            if key not in memo:
                memo[key] = sorted(j for e in key for j in by_eid.get(e, ()))
            out[f] = memo[key]
    return out


def _python_group(part: PartRows, group: Any, rules: list[CompiledRule], extra: dict[int, list[str]],
                  emit: set[int], hits: list[tuple[Any, ...]], events: dict[int, list[Event]]) -> None:
    picked = part.select(group.key, group.event_ids)
    if not picked:
        return
    eids = [part.rows[i][6] for i, _ in picked]
    subset = [rules[i] for i in group.rules]
    cols = part.columns(picked, group.fields, _rows_needing(subset, eids, {f for i in group.rules for f in extra.get(i, [])}))
    for r, matched in zip(group.rules, pyeval.evaluate(subset, cols, len(picked), eids), strict=False):
        for j in matched:
            row = part.rows[picked[j][0]]
            if r in emit:
                hits.append((r,) + tuple(row[:6]))
            if r in extra and row[2] is not None:
                events.setdefault(r, []).append(Event(row[2], rules[r].id, row[3], row[0], row[1],
                                                      {f: cols[(f, "r")][j] for f in extra[r]}, row[4], row[5]))


def _collect(con: Any, table: str, matched: dict[int, list[int]], rules: list[CompiledRule],
             extra: dict[int, list[str]], emit: set[int], hits: list[tuple[Any, ...]], events: dict[int, list[Event]]) -> None:
    """Fetch what findings need of the matched rows (and the fields correlations group by)."""
    import pyarrow as pa  # only when SQL matched something

    pairs = [(r, rid) for r, rids in matched.items() for rid in rids]
    names = sorted({f for r in matched for f in extra.get(r, [])})
    cols = "".join(f", g.{column(f, 'r')}" for f in names)
    con.register("sigma_hits", pa.table({"r": [p[0] for p in pairs], "rid": [p[1] for p in pairs]}))
    rows = con.execute(f"SELECT h.r, g.file, g.record_id, g.ts, g.host, g.target_user, g.src_ip{cols} "
                       f"FROM sigma_hits h JOIN {table} g ON g.rid = h.rid").fetchall()
    con.unregister("sigma_hits")
    for row in rows:
        r = row[0]
        if r in emit:
            hits.append(row[:7])
        if r in extra and row[3] is not None:
            values = dict(zip(names, row[7:], strict=False))
            events.setdefault(r, []).append(Event(row[3], rules[r].id, row[4], row[1], row[2],
                                                  {f: values[f] for f in extra[r]}, row[5], row[6]))


def _correlate(rule: CompiledRule, events: dict[int, list[Event]], index: dict[str, int], tz: str,
               limit: int) -> list[Finding]:
    spec = rule.correlation
    evs: list[Event] = []
    for ref in dict.fromkeys(spec["rules"]):
        for e in events.get(index[ref], []):
            evs.append(Event(e.ts, ref, e.host, e.file, e.record_id, e.values, e.account, e.source))
    return [correlation_finding(rule, b, tz, limit) for b in bursts(evs, spec)]
