"""Runs compiled detections: per logsource, one temp table of candidate events with one column per field, then SQL."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb

from .compiler import LIST_FIELDS, column, lit
from .logsources import Source, sources
from .types import CompiledRule

BATCH = 150  # rules per evaluation query
BASE = "file, record_id, ts, host, target_user, src_ip"
_SYSTEM_SQL = {"EventID": "CAST(event_id AS VARCHAR)", "Channel": "channel", "Provider_Name": "provider",
               "EventRecordID": "CAST(record_id AS VARCHAR)"}
_SYSTEM_KEYS = {"Computer", "Level", "Task", "Opcode", "Keywords", "Version", "ProcessID", "ThreadID"}
_ED = "s.Event.EventData"
_KW_SQL = "lower(regexp_replace(data, '\\\\([\"\\\\/])', '\\1', 'g'))"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Group:
    """The rules of one logsource and what they need from its events."""

    key: str
    rules: list[int] = field(default_factory=list)
    fields: dict[str, set[str]] = field(default_factory=dict)
    event_ids: set[int] | None = field(default_factory=set)


class _Extract:
    """Builds the per-source SELECT: a from_json() structure and one expression per (field, kind)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.ed_keys: dict[str, tuple[str, str]] = {}  # lowered name → (name as written, JSON type)
        self.sys_keys: set[str] = set()
        self.user_data = False

    def _ed(self, key: str, typ: str = "VARCHAR") -> str:
        got = self.ed_keys.setdefault(key.lower(), (key, typ))
        if got != (key, typ):  # same name in another case (DuckDB struct keys ignore case): read it on its own
            return f"json_extract_string(data, {lit('$.Event.EventData.' + json.dumps(key))})"
        return f"{_ED}.{_ident(key)}"

    def raw(self, name: str) -> str:
        if name in _SYSTEM_SQL:
            return _SYSTEM_SQL[name]
        if name in _SYSTEM_KEYS:
            self.sys_keys.add(name)
            return f"s.Event.System.{_ident(name)}"
        if name in self.source.renames:
            template = self.source.renames[name]
            for key in re.findall(r'\{ed\}\."([^"]+)"', template):
                self._ed(key)
            return "(" + template.replace("{ed}", _ED) + ")"
        if name in LIST_FIELDS:
            d = self._ed(name, "JSON")
            t = f"coalesce(json_extract({d}, '$.\"#text\"'), {d})"
            return (f"(CASE json_type({t}) WHEN 'ARRAY' THEN from_json({t}, '[\"VARCHAR\"]') WHEN 'NULL' THEN NULL "
                    f"ELSE [json_extract_string({t}, '$')] END)")
        self.user_data = True
        ud = "s.Event.UserData"
        path = lit("$.*." + json.dumps(name))
        return f"coalesce({self._ed(name)}, CASE WHEN {ud} IS NOT NULL THEN json_extract_string({ud}, {path})[1] END)"

    def column(self, name: str, kind: str) -> str:
        if name == "_kw":
            return f"{_KW_SQL} AS {column(name, kind)}"
        raw = self.raw(name)
        if kind == "l":
            raw = f"list_transform({raw}, lambda x: lower(x))" if name in LIST_FIELDS else f"lower({raw})"
        return f"{raw} AS {column(name, kind)}"

    def structure(self) -> str:
        ed = dict(self.ed_keys.values())
        event: dict[str, Any] = {}
        if ed:
            event["EventData"] = ed
        if self.sys_keys:
            event["System"] = {k: "VARCHAR" for k in sorted(self.sys_keys)}
        if self.user_data:
            event["UserData"] = "JSON"
        return json.dumps({"Event": event})

    def select(self, fields: dict[str, set[str]], event_ids: set[int] | None) -> str:
        cols = [self.column(name, kind) for name, kinds in sorted(fields.items()) for kind in sorted(kinds)]
        where = self.source.where(lit)
        if event_ids is not None:
            ids = sorted(event_ids & set(self.source.event_ids)) if self.source.event_ids else sorted(event_ids)
            where += f" AND event_id IN ({', '.join(map(str, ids))})" if ids else " AND false"
        struct = self.structure()
        inner = f"SELECT {BASE}, event_id, channel, provider, data"
        if struct != '{"Event": {}}':
            inner += f", from_json(data, {lit(struct)}) AS s"
        return f"SELECT {', '.join([BASE] + cols)} FROM ({inner} FROM events WHERE {where})"


def build_groups(rules: list[CompiledRule], extra: dict[int, list[str]]) -> list[Group]:
    """Rules grouped by logsource with the union of their fields and event ids (extra: raw fields per rule)."""
    groups: dict[str, Group] = {}
    for i, r in enumerate(rules):
        if r.kind != "detection" or not r.will_run:
            continue
        g = groups.setdefault(r.logsource, Group(r.logsource))
        g.rules.append(i)
        for name, kinds in r.fields.items():
            g.fields.setdefault(name, set()).update(kinds)
        for name in extra.get(i, []):
            g.fields.setdefault(name, set()).add("r")
        if g.event_ids is not None:
            g.event_ids = None if r.event_ids is None else g.event_ids | set(r.event_ids)
    return list(groups.values())


@dataclass
class GroupResult:
    """The candidate table of one group and the (rule, rid) pairs that matched."""

    table: str
    hits: dict[int, list[int]]


def run_group(con: duckdb.DuckDBPyConnection, n: int, group: Group, rules: list[CompiledRule]) -> GroupResult:
    """Materialize the group's candidate events once, then evaluate its rules in batches."""
    table = f"sigma_g{n}"
    selects = [_Extract(src).select(group.fields, group.event_ids) for src in sources(group.key)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT row_number() OVER () AS rid, * FROM ("
                + " UNION ALL ".join(selects) + ")")
    hits: dict[int, list[int]] = defaultdict(list)
    if not con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:  # type: ignore[index]
        return GroupResult(table, hits)
    for start in range(0, len(group.rules), BATCH):
        batch = group.rules[start:start + BATCH]
        cases = ", ".join(f"CASE WHEN {rules[i].sql} THEN {i} END" for i in batch)
        sql = (f"SELECT r, rid FROM (SELECT rid, unnest(list_filter([{cases}], lambda x: x IS NOT NULL)) AS r "
               f"FROM {table}) ORDER BY r, rid")
        for r, rid in con.execute(sql).fetchall():
            hits[r].append(rid)
    return GroupResult(table, hits)
