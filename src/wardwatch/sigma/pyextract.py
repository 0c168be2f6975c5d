"""Reads rule fields from events in Python (the same values match.py's SQL extracts), for the Python engine."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from .compiler import KW, LIST_FIELDS
from .logsources import SYSMON, Source, sources

_SPACED = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NO_SPACES = {SYSMON, "Security", None}
_SYSTEM_KEYS = {"Computer", "Level", "Task", "Opcode", "Keywords", "Version", "ProcessID", "ThreadID"}
_WELL_KNOWN = {"S-1-5-18": "NT AUTHORITY\\SYSTEM", "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
               "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE"}
_LEVELS = {"S-1-16-0": "Untrusted", "S-1-16-4096": "Low", "S-1-16-8192": "Medium", "S-1-16-8448": "MediumPlus",
           "S-1-16-12288": "High", "S-1-16-16384": "System", "S-1-16-20480": "Protected"}
BASE = ("file", "record_id", "ts", "host", "target_user", "src_ip", "event_id", "channel", "provider", "data")


def text(v: Any) -> str | None:
    """A JSON value as DuckDB's from_json(..., 'VARCHAR') gives it."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return orjson.dumps(v).decode()


def _blank(v: Any) -> Any:
    return None if v in (None, "-", "") else v


def _account(ed: dict[str, Any], who: str) -> str | None:
    sid = text(ed.get(f"{who}UserSid"))
    if sid in _WELL_KNOWN:
        return _WELL_KNOWN[sid]
    parts = [p for p in (_blank(text(ed.get(f"{who}DomainName"))), _blank(text(ed.get(f"{who}UserName")))) if p]
    return "\\".join(parts) or None


def _user_4688(ed: dict[str, Any]) -> str | None:
    return _account(ed, "Target" if _blank(text(ed.get("TargetUserName"))) else "Subject")


def _logon_4688(ed: dict[str, Any]) -> str | None:
    target = text(ed.get("TargetLogonId"))
    if _blank(text(ed.get("TargetUserName"))) and target not in ("0x0", "-"):
        return target
    return text(ed.get("SubjectLogonId"))


def _level_4688(ed: dict[str, Any]) -> str | None:
    label = text(ed.get("MandatoryLabel"))
    return _LEVELS.get(label, label) if label is not None else None


# Python twins of logsources.SECURITY_4688_RENAMES (tests compare both engines).
RENAMES_4688: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "Image": lambda ed: text(ed.get("NewProcessName")), "ParentImage": lambda ed: text(ed.get("ParentProcessName")),
    "ProcessId": lambda ed: text(ed.get("NewProcessId")), "ParentProcessId": lambda ed: text(ed.get("ProcessId")),
    "LogonId": _logon_4688, "User": _user_4688, "IntegrityLevel": _level_4688,
}


def _data_list(d: Any) -> list[str | None] | None:
    if isinstance(d, dict) and "#text" in d:
        d = d["#text"]
    if d is None:
        return None
    if isinstance(d, list):
        return [text(x) for x in d]
    return [text(d)]


_ROW_FIELDS = {"EventID": 6, "Channel": 7, "Provider_Name": 8, "EventRecordID": 1}


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _lower(v: Any, is_list: bool) -> Any:
    if v is None:
        return None
    if is_list:
        return [x.lower() if x is not None else None for x in v]
    return v.lower()


def source_matches(source: Source, eid: int | None, channel: str | None, provider: str | None,
                   event_ids: set[int] | None) -> bool:
    """Whether events of this (event id, channel, provider) belong to the source (and to the rules' event ids)."""
    if source.channel is not None and channel != source.channel:
        return False
    if source.provider and provider != source.provider:
        return False
    if source.event_ids and eid not in source.event_ids:
        return False
    return event_ids is None or eid in event_ids


class PartRows:
    """The loaded part's candidate events, parsed once, read by every Python-evaluated group."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows
        self._parsed: dict[int, dict[str, Any]] = {}
        self._by_kind: dict[tuple[Any, Any, Any], list[int]] = {}  # (event id, channel, provider) → rows
        for i, row in enumerate(rows):
            self._by_kind.setdefault((row[6], row[7], row[8]), []).append(i)

    def event(self, i: int) -> dict[str, Any]:
        ev = self._parsed.get(i)
        if ev is None:
            try:
                ev = orjson.loads(self.rows[i][9])
            except orjson.JSONDecodeError:
                ev = {}
            self._parsed[i] = ev if isinstance(ev, dict) else {}
            ev = self._parsed[i]
        return ev

    def select(self, key: str, event_ids: set[int] | None) -> list[tuple[int, Source]]:
        """(row, source) of each event the group reads, in row order (sources tried once per kind of event)."""
        srcs = sources(key)
        out: list[tuple[int, Source]] = []
        for kind, rows in self._by_kind.items():
            src = next((s for s in srcs if source_matches(s, *kind, event_ids)), None)
            if src is not None:
                out.extend((i, src) for i in rows)
        out.sort(key=lambda pair: pair[0])
        return out

    def columns(self, picked: list[tuple[int, Source]], fields: dict[str, set[str]],
                only: dict[str, list[int]] | None = None) -> dict[tuple[str, str], list[Any]]:
        """(field, kind) → value per picked row, lowered ('l') and raw ('r') like the SQL group table.

        only: field → the picked positions that can need it (rules with event ids); other rows stay None."""
        rows = [self.rows[i] for i, _ in picked]
        events = [_obj(self.event(i).get("Event")) for i, _ in picked]
        eds = [_obj(ev.get("EventData")) for ev in events]
        renamed = [j for j, (_, src) in enumerate(picked) if src.renames]
        spaced_ok = [j for j, (_, src) in enumerate(picked) if src.channel not in _NO_SPACES]
        uds = [ev.get("UserData") for ev in events]
        any_ud = [j for j, u in enumerate(uds) if isinstance(u, dict)]
        cols: dict[tuple[str, str], list[Any]] = {}
        for name, kinds in sorted(fields.items()):
            if name == KW:
                raise ValueError("keyword detections are evaluated in SQL")
            js = (only or {}).get(name)
            if js is None or len(js) == len(rows):
                raw = self._raw(name, rows, events, eds, renamed, spaced_ok, uds, any_ud)
            else:
                pos = {j: k for k, j in enumerate(js)}
                sub = self._raw(name, [rows[j] for j in js], [events[j] for j in js], [eds[j] for j in js],
                                [pos[j] for j in renamed if j in pos], [pos[j] for j in spaced_ok if j in pos],
                                [uds[j] for j in js], [pos[j] for j in any_ud if j in pos])
                raw = [None] * len(rows)
                for j, v in zip(js, sub, strict=False):
                    raw[j] = v
            is_list = name in LIST_FIELDS
            if "r" in kinds:
                cols[(name, "r")] = raw
            if "l" in kinds:
                cols[(name, "l")] = ([_lower(v, True) for v in raw] if is_list
                                     else [v.lower() if v is not None else None for v in raw])
        return cols

    @staticmethod
    def _raw(name: str, rows: list[tuple[Any, ...]], events: list[dict[str, Any]], eds: list[dict[str, Any]],
             renamed: list[int], spaced_ok: list[int], uds: list[Any], any_ud: list[int]) -> list[Any]:
        """One field's raw values; renamed / spaced / UserData lookups only on the rows they concern."""
        if name in _ROW_FIELDS:
            k = _ROW_FIELDS[name]
            return [None if r[k] is None else str(r[k]) for r in rows]
        if name in _SYSTEM_KEYS:
            return [text(_obj(ev.get("System")).get(name)) for ev in events]
        if name in LIST_FIELDS:
            return [_data_list(ed.get(name)) for ed in eds]
        vals = [ed.get(name) for ed in eds]
        fn = RENAMES_4688.get(name)
        if fn is not None:
            for j in renamed:
                vals[j] = fn(eds[j])
        spaced = _SPACED.sub(" ", name)
        if spaced != name and " " not in name:
            for j in spaced_ok:
                if vals[j] is None:
                    vals[j] = eds[j].get(spaced)
        skip = set(renamed) if fn is not None else ()
        for j in any_ud:
            if vals[j] is None and j not in skip:
                for child in uds[j].values():
                    vals[j] = child.get(name) if isinstance(child, dict) else None
                    break
        vals = [v if v is None or v.__class__ is str else text(v) for v in vals]
        return vals
