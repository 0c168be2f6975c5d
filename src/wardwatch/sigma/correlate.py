"""Sigma v2 correlations over matched events: true sliding windows, one burst per group and attack."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Event:
    """One event matched by a rule a correlation refers to."""

    ts: datetime
    rule: str  # the reference (id or name) as the correlation wrote it
    host: str
    file: str
    record_id: int | None
    values: dict[str, Any] = field(default_factory=dict)  # field → value (group-by and condition fields)
    account: str | None = None
    source: str | None = None


@dataclass
class Burst:
    """Events of one group that satisfied the correlation, merged over overlapping windows."""

    group: tuple[Any, ...]
    events: list[Event]


_CMP: dict[str, Callable[[float, float], bool]] = {
    "gte": lambda a, b: a >= b, "gt": lambda a, b: a > b, "lte": lambda a, b: a <= b,
    "lt": lambda a, b: a < b, "eq": lambda a, b: a == b, "neq": lambda a, b: a != b,
}


def field_for(spec: dict[str, Any], name: str, rule: str) -> str:
    """The event field behind a group-by name or alias for one referenced rule."""
    alias = spec.get("aliases", {}).get(name)
    return alias.get(rule, name) if alias else name


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class _Window:
    """The running state of the window events[i..j]: what each correlation type measures."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.kind = spec["type"]
        self.field = spec.get("field")
        self.spec = spec
        self.values: Counter[Any] = Counter()
        self.rules: Counter[str] = Counter()
        self.n = 0
        self.total = 0.0

    def value(self, e: Event) -> Any:
        return e.values.get(field_for(self.spec, self.field, e.rule)) if self.field else None

    def add(self, e: Event, sign: int) -> None:
        self.n += sign
        self.rules[e.rule] += sign
        if self.field:
            v = self.value(e)
            if v is not None:
                self.values[v] += sign
                if self.values[v] == 0:
                    del self.values[v]
                num = _number(v)
                if num is not None:
                    self.total += sign * num
        if self.rules[e.rule] == 0:
            del self.rules[e.rule]

    def metric(self) -> float:
        if self.kind == "value_count":
            return float(len(self.values))
        if self.kind == "value_sum":
            return self.total
        if self.kind == "value_avg":
            return self.total / self.n if self.n else 0.0
        return float(self.n)


def _ordered(events: list[Event], i: int, j: int, order: list[str]) -> bool:
    """Do the rules appear in this order within events[i..j], starting with events[i]?"""
    if events[i].rule != order[0]:
        return False
    want = 1
    for e in events[i + 1:j + 1]:
        if want == len(order):
            break
        if e.rule == order[want]:
            want += 1
    return want == len(order)


def windows(events: list[Event], spec: dict[str, Any]) -> list[tuple[int, int]]:
    """Qualifying windows [i, j] of time-sorted events: each starts at an event and spans at most `timespan`."""
    span = spec["timespan"]
    kind = spec["type"]
    cmp = _CMP[spec.get("op", "gte")]
    count = spec.get("count", 1)
    refs = list(dict.fromkeys(spec["rules"]))
    state = _Window(spec)
    out: list[tuple[int, int]] = []
    j = -1
    for i, first in enumerate(events):
        while j + 1 < len(events) and (events[j + 1].ts - first.ts).total_seconds() <= span:
            j += 1
            state.add(events[j], 1)
        if kind == "temporal":
            ok = len(state.rules) == len(refs)
        elif kind == "temporal_ordered":
            ok = _ordered(events, i, j, refs)
        else:
            ok = cmp(state.metric(), count)
        if ok:
            out.append((i, j))
        state.add(first, -1)
    return out


def bursts(events: list[Event], spec: dict[str, Any]) -> list[Burst]:
    """Group events by the group-by fields, find qualifying windows, merge overlapping ones into bursts."""
    groups: dict[tuple[Any, ...], list[Event]] = {}
    names = spec.get("group_by", [])
    for e in events:
        key = tuple(e.values.get(field_for(spec, g, e.rule)) for g in names)
        groups.setdefault(key, []).append(e)
    out: list[Burst] = []
    for key, evs in groups.items():
        evs.sort(key=lambda e: (e.ts, e.file, e.record_id or 0))
        merged: list[list[int]] = []
        for i, j in windows(evs, spec):
            if merged and i <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], j)
            else:
                merged.append([i, j])
        out.extend(Burst(key, evs[i:j + 1]) for i, j in merged)
    out.sort(key=lambda b: (b.events[0].ts, b.group.__repr__()))
    return out
