"""Marks that never cover each other: marks closer than their width joined into one with a count, the rest
stacked in lanes (a few at most; past them, a mark joins the one it would cover)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Cluster(Generic[T]):
    """One drawn mark: a symbol at x = a, a bar on to b when b is further, the count after it when more than one."""

    a: float
    b: float
    members: list[T] = field(default_factory=list)
    lane: int = 0


def extent(c: Cluster[T], radius: float, count_width: Callable[[int], float]) -> tuple[float, float]:
    """The x range a cluster's drawing takes: symbol, bar and count."""
    right = max(c.a + radius, c.b)
    return c.a - radius, right + (count_width(len(c.members)) if len(c.members) > 1 else 0.0)


def pack(items: list[tuple[float, float, T]], radius: float, count_width: Callable[[int], float], *,
         lanes: int, gap: float = 3.0) -> list[Cluster[T]]:
    """Items (a, b, what) with a <= b in x: those that start and end within a symbol's width of the first of a
    cluster join it; clusters go to the first lane where they touch nothing, at most `lanes`; one that finds no
    lane joins the last cluster of the lane that frees first."""
    clusters: list[Cluster[T]] = []
    for a, b, what in sorted(items, key=lambda i: (i[0], i[1])):
        near = None
        for c in reversed(clusters):  # started in order: only the last few can be near
            if a - c.a > 2 * radius:
                break
            if abs(b - c.b) <= 2 * radius:
                near = c
                break
        if near is None:
            clusters.append(Cluster(a, b, [what]))
        else:
            near.members.append(what)
            near.b = max(near.b, b)
    ends: list[float] = []
    last: list[Cluster[T]] = []
    placed: list[Cluster[T]] = []
    for c in sorted(clusters, key=lambda c: (c.a, c.b)):
        left, right = extent(c, radius, count_width)
        lane = next((i for i, end in enumerate(ends) if end + gap <= left), None)
        if lane is None and len(ends) < lanes:
            ends.append(right)
            last.append(c)
            lane = len(ends) - 1
        elif lane is None:
            lane = min(range(len(ends)), key=lambda i: ends[i])
            host = last[lane]
            host.members.extend(c.members)
            host.b = max(host.b, c.b)
            ends[lane] = extent(host, radius, count_width)[1]
            continue
        c.lane = lane
        ends[lane] = right
        last[lane] = c
        placed.append(c)
    return placed
