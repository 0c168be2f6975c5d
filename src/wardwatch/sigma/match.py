"""Runs compiled detections: per logsource, one temp table of candidate events with one column per field, then SQL."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..sql import quote_name, sql_literal
from . import pyextract
from .compiler import KW, LIST_FIELDS, column, to_sql
from .logsources import SYSMON, Source, sources
from .types import CompiledRule

BATCH = 150  # rules per evaluation query
BASE = "file, record_id, ts, host, target_user, src_ip"
_SYSTEM_SQL = {"EventID": "CAST(event_id AS VARCHAR)", "Channel": "channel", "Provider_Name": "provider",
               "EventRecordID": "CAST(record_id AS VARCHAR)"}
_SYSTEM_KEYS = {"Computer", "Level", "Task", "Opcode", "Keywords", "Version", "ProcessID", "ThreadID"}
_ED = "s.Event.EventData"
_SPACED = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NO_SPACES = {SYSMON, "Security", None}  # channels whose data names never hold spaces
_KW_SQL = "data"  # keyword literals are compiled JSON-escaped; lowered with the other "l" columns


@dataclass
class Group:
    """The rules of one logsource and what they need from its events."""

    key: str
    rules: list[int] = field(default_factory=list)
    fields: dict[str, set[str]] = field(default_factory=dict)
    event_ids: set[int] | None = field(default_factory=set)


class _Extract:
    """Builds the per-source SELECT: a from_json() structure and one expression per (field, kind)."""

    def __init__(self, source: Source, user_data: bool = True) -> None:
        self.source = source
        self.has_user_data = user_data  # some candidate event of this source has <UserData>
        self.ed_keys: dict[str, tuple[str, str]] = {}  # lowered name → (name as written, JSON type)
        self.sys_keys: set[str] = set()
        self.user_data = False

    def _ed(self, key: str, typ: str = "VARCHAR") -> str:
        got = self.ed_keys.setdefault(key.lower(), (key, typ))
        if got != (key, typ):  # same name in another case (DuckDB struct keys ignore case): read it on its own
            return f"json_extract_string(data, {sql_literal('$.Event.EventData.' + json.dumps(key))})"
        return f"{_ED}.{quote_name(key)}"

    def raw(self, name: str) -> str:
        if name in _SYSTEM_SQL:
            return _SYSTEM_SQL[name]
        if name in _SYSTEM_KEYS:
            self.sys_keys.add(name)
            return f"s.Event.System.{quote_name(name)}"
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
        named = [self._ed(name)]
        spaced = _SPACED.sub(" ", name)
        if spaced != name and " " not in name and self.source.channel not in _NO_SPACES:
            named.append(self._ed(spaced))  # Defender writes "Threat Name"; Sigma rules say ThreatName
        if self.has_user_data:
            self.user_data = True
            ud = "s.Event.UserData"
            named.append(f"CASE WHEN {ud} IS NOT NULL THEN json_extract_string({ud}, {sql_literal('$.*.' + json.dumps(name))})[1] END")
        return named[0] if len(named) == 1 else f"coalesce({', '.join(named)})"

    def raw_column(self, name: str) -> str:
        expr = _KW_SQL if name == "_kw" else self.raw(name)
        return f"{expr} AS {column(name, 'r')}"

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

    def where(self, event_ids: set[int] | None) -> str:
        where = self.source.where(sql_literal)
        if event_ids is not None:
            ids = sorted(event_ids & set(self.source.event_ids)) if self.source.event_ids else sorted(event_ids)
            where += f" AND event_id IN ({', '.join(map(str, ids))})" if ids else " AND false"
        return where

    def select(self, fields: dict[str, set[str]], event_ids: set[int] | None, table: str) -> str:
        raws = [self.raw_column(name) for name in sorted(fields)]  # each value extracted once ...
        outs = []
        for name, kinds in sorted(fields.items()):  # ... then lowered where rules compare case-insensitively
            r = column(name, "r")
            if "l" in kinds:
                low = f"list_transform({r}, lambda x: lower(x))" if name in LIST_FIELDS else f"lower({r})"
                outs.append(f"{low} AS {column(name, 'l')}")
            if "r" in kinds:
                outs.append(r)
        struct = self.structure()
        inner = f"SELECT {BASE}, event_id, channel, provider, data"
        if struct != '{"Event": {}}':
            inner += f", from_json(data, {sql_literal(struct)}) AS s"
        mid = f"SELECT {', '.join([BASE] + raws)} FROM ({inner} FROM {table} WHERE {self.where(event_ids)})"
        return f"SELECT {', '.join([BASE] + outs)} FROM ({mid})"


def build_groups(rules: list[CompiledRule], extra: dict[int, list[str]], wanted: set[int]) -> list[Group]:
    """The wanted rules grouped by logsource with the union of their fields and event ids (extra: raw fields per rule)."""
    groups: dict[str, Group] = {}
    for i, r in enumerate(rules):
        if i not in wanted or r.kind != "detection" or not r.will_run:
            continue
        key = r.logsource + ("#keywords" if KW in r.fields else "")  # whole-event searches run apart (in SQL)
        g = groups.setdefault(key, Group(key))
        g.rules.append(i)
        for name, kinds in r.fields.items():
            g.fields.setdefault(name, set()).update(kinds)
        for name in extra.get(i, []):
            g.fields.setdefault(name, set()).add("r")
        if g.event_ids is not None:
            g.event_ids = None if r.event_ids is None else g.event_ids | set(r.event_ids)
    return list(groups.values())


def candidate_filter(groups: list[Group]) -> str:
    """One WHERE over the events view that keeps every event some group may read."""
    wheres = [_Extract(src).where(g.event_ids) for g in groups for src in sources(g.key)]
    return " OR ".join(dict.fromkeys(wheres)) or "false"


def load_part(con: duckdb.DuckDBPyConnection, part: str, where: str) -> int:
    """Copy the candidate events of one part of the store into memory once (every group reads from there).

    A table of the store's database, not a TEMP one: the SQL groups read it from a cursor of their own."""
    con.execute(f"CREATE OR REPLACE TABLE sigma_ev AS SELECT {BASE}, event_id, channel, provider, data "
                f"FROM {part} WHERE {where}")
    return int(con.execute("SELECT count(*) FROM sigma_ev").fetchone()[0])  # type: ignore[index]


def survey(con: duckdb.DuckDBPyConnection, groups: list[Group]) -> list[list[tuple[int, int]]]:
    """Per group and source: (candidate events, of which with <UserData>) in the loaded part."""
    combos = con.execute("SELECT channel, provider, event_id, contains(data, '\"UserData\":'), count(*) "
                         "FROM sigma_ev GROUP BY ALL").fetchall()
    out = []
    for g in groups:
        counts = []
        for src in sources(g.key):
            n = ud = 0
            for channel, provider, eid, has_ud, k in combos:
                if pyextract.source_matches(src, eid, channel, provider, g.event_ids):
                    n += k
                    ud += k if has_ud else 0
            counts.append((n, ud))
        out.append(counts)
    return out


def materialize(con: duckdb.DuckDBPyConnection, table: str, group: Group, counts: list[tuple[int, int]]) -> int:
    """The group's candidate events with one column per (field, kind); returns the row count."""
    selects = [_Extract(src, bool(ud)).select(group.fields, group.event_ids, "sigma_ev")
               for src, (n, ud) in zip(sources(group.key), counts, strict=False) if n]
    if not selects:
        return 0
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT row_number() OVER () - 1 AS rid, * FROM ("
                + " UNION ALL ".join(selects) + ")")
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


def evaluate_sql(con: duckdb.DuckDBPyConnection, table: str, group: Group, rules: list[CompiledRule],
                 prepared: dict[str, str] | None = None) -> dict[int, list[int]]:
    """Every rule of the group as SQL over the group table, BATCH rules per query.

    prepared: statement name per query text, kept across the store's parts so each query is parsed once."""
    hits: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(group.rules), BATCH):
        batch = group.rules[start:start + BATCH]
        cases = ", ".join(f"CASE WHEN {rules[i].sql or to_sql(rules[i].ast)} THEN {i} END" for i in batch)
        sql = (f"SELECT r, rid FROM (SELECT rid, unnest(list_filter([{cases}], lambda x: x IS NOT NULL)) AS r "
               f"FROM {table}) ORDER BY r, rid")
        if prepared is None:
            rows = con.execute(sql).fetchall()
        else:
            name = prepared.get(sql)
            if name is None:
                name = prepared[sql] = f"sigma_q{len(prepared)}"
                con.execute(f"PREPARE {name} AS {sql}")
            try:
                rows = con.execute(f"EXECUTE {name}").fetchall()
            except duckdb.Error:  # the table changed shape since it was prepared: prepare again
                con.execute(f"PREPARE {name} AS {sql}")
                rows = con.execute(f"EXECUTE {name}").fetchall()
        for r, rid in rows:
            hits[r].append(rid)
    return hits
