"""Time axes of the timeline pictures: time cut at long quiet gaps into segments (a visible break between them),
each segment linear and as wide as what happens in it; x positions, and ticks in the report's zone."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from wardwatch.report.textwidth import text_width
from wardwatch.textfmt import axis_tick

TICK_FONT = 11
TICK_SPACE = 14  # px between two tick labels at the least
EDGE = 4  # how far a tick label may reach past its segment (into the break)

# Tick steps: (unit, how many), finest first; the nominal seconds of one step choose among them.
_STEPS: list[tuple[str, int]] = [
    ("second", 1), ("second", 2), ("second", 5), ("second", 10), ("second", 15), ("second", 30),
    ("minute", 1), ("minute", 2), ("minute", 5), ("minute", 10), ("minute", 15), ("minute", 30),
    ("hour", 1), ("hour", 2), ("hour", 3), ("hour", 6), ("hour", 12),
    ("day", 1), ("day", 2), ("day", 5), ("day", 10),
    ("month", 1), ("month", 2), ("month", 3), ("month", 6),
    ("year", 1), ("year", 2), ("year", 5), ("year", 10), ("year", 20), ("year", 50), ("year", 100),
]
_UNIT_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "month": 30.44 * 86400,
                 "year": 365.25 * 86400}
_SAMPLE = datetime(2000, 12, 28, 23, 59, 59)  # a wide label of each unit


@dataclass(frozen=True)
class Segment:
    """One linear stretch of the axis: UTC times start..end drawn from x0 to x1; weight is what happens in it."""

    start: datetime
    end: datetime
    x0: float
    x1: float
    weight: float = 1.0

    def x(self, t: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        return self.x0 + (self.x1 - self.x0) * (t - self.start).total_seconds() / span

    def holds(self, t: datetime) -> bool:
        return self.start <= t <= self.end


@dataclass(frozen=True)
class Axis:
    """Segments left to right, a break between each two."""

    segments: list[Segment]

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    def segment(self, t: datetime) -> Segment:
        """The segment that holds t, else the one before it (the first for a time before them all)."""
        before = self.segments[0]
        for seg in self.segments:
            if seg.holds(t):
                return seg
            if seg.end < t:
                before = seg
        return before

    def x(self, t: datetime) -> float:
        """The x of t, clamped into the segment that holds it (or the nearest)."""
        seg = self.segment(t)
        return min(max(seg.x(t), seg.x0), seg.x1)

    def pieces(self, a: datetime, b: datetime) -> list[tuple[float, float]]:
        """The x ranges where the time a..b is drawn: one per segment it crosses (nothing in the breaks)."""
        out = []
        for seg in self.segments:
            lo, hi = max(a, seg.start), min(b, seg.end)
            if lo <= hi:
                out.append((seg.x(lo), seg.x(hi)))
        return out

    def breaks(self) -> Iterator[tuple[Segment, Segment]]:
        """Each two neighbouring segments (a break lies between them)."""
        return zip(self.segments, self.segments[1:], strict=False)


def _runs(intervals: Iterable[tuple[datetime, datetime, float]]) -> list[tuple[datetime, datetime, float]]:
    """Overlapping intervals joined: (start, end, weight) in time order."""
    runs: list[tuple[datetime, datetime, float]] = []
    for a, b, w in sorted(intervals, key=lambda i: (i[0], i[1])):
        if runs and a <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], b), runs[-1][2] + w)
        else:
            runs.append((a, b, w))
    return runs


def _widths(weights: list[float], room: float, least: float) -> list[float]:
    """Room shared by weight (weights > 0), no share under `least` (equal shares when even that does not fit)."""
    n = len(weights)
    if n * least >= room:
        return [room / n] * n
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(n) if i not in fixed]
        left, total = room - sum(fixed.values()), sum(weights[i] for i in free)
        share = {i: left * weights[i] / total for i in free}
        small = [i for i in free if share[i] < least]
        if not small:
            return [fixed.get(i, share.get(i, 0.0)) for i in range(n)]
        fixed.update((i, least) for i in small)


def build_axis(intervals: list[tuple[datetime, datetime, float]], x0: float, x1: float, *, min_gap: timedelta,
               gap_share: float, max_segments: int, least_width: float, break_width: float) -> Axis | None:
    """An axis for the intervals (start, end, weight): a quiet gap longer than `min_gap` and than `gap_share` of
    the whole span becomes a break (the longest ones, at most max_segments - 1); each segment is padded a little
    and gets a width by its weight, never under least_width. None when there is nothing to place."""
    runs = _runs(intervals)
    if not runs:
        return None
    total = (max(r[1] for r in runs) - runs[0][0]).total_seconds()
    threshold = max(min_gap.total_seconds(), total * gap_share)
    gaps = [((runs[i + 1][0] - runs[i][1]).total_seconds(), i) for i in range(len(runs) - 1)]
    cuts = sorted(i for g, i in sorted(gaps, reverse=True)[: max_segments - 1] if g > threshold)
    groups: list[tuple[datetime, datetime, float]] = []
    begin = 0
    for cut in [*cuts, len(runs) - 1]:
        part = runs[begin: cut + 1]
        groups.append((part[0][0], max(r[1] for r in part), sum(r[2] for r in part)))
        begin = cut + 1
    widths = _widths([g[2] for g in groups], (x1 - x0) - break_width * (len(groups) - 1), least_width)
    segments = []
    x = x0
    for (a, b, w), width in zip(groups, widths, strict=True):
        dur = (b - a).total_seconds()
        pad = timedelta(seconds=min(max(dur * 0.04, threshold / 60), threshold / 3))
        segments.append(Segment(a - pad, b + pad, x, x + width, w))
        x += width + break_width
    return Axis(segments)


def _aligned(t: datetime, unit: str, n: int, zone: ZoneInfo) -> Iterator[datetime]:
    """Local wall-clock times from t on (t UTC), every n units, aligned on the calendar: whole hours from
    midnight, days 1, 6, 11 … of the month, months from January, years divisible by n. Yields UTC times."""
    local = t.astimezone(zone).replace(tzinfo=None)
    if unit in ("second", "minute", "hour"):
        step = int(_UNIT_SECONDS[unit]) * n
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        secs = (local - midnight).total_seconds()
        cur = midnight + timedelta(seconds=-(-secs // step) * step)
        while True:
            yield cur.replace(tzinfo=zone).astimezone(UTC)
            nxt = cur + timedelta(seconds=step)
            if nxt.date() != cur.date():  # start again from each midnight: 00:00 is always a tick
                nxt = datetime.combine(nxt.date(), datetime.min.time())
            cur = nxt
    elif unit == "day":
        days = [1] if n == 1 else [d for d in range(1, 29) if (d - 1) % n == 0]
        cur = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if cur < local:
            cur += timedelta(days=1)
        while True:
            if n == 1 or cur.day in days:
                yield cur.replace(tzinfo=zone).astimezone(UTC)
            cur += timedelta(days=1)
    elif unit == "month":
        index = local.year * 12 + local.month - 1
        if local > datetime(local.year, local.month, 1):
            index += 1
        index += (-index) % n
        while True:
            yield datetime(index // 12, index % 12 + 1, 1, tzinfo=zone).astimezone(UTC)
            index += n
    else:
        year = local.year + (1 if local > datetime(local.year, 1, 1) else 0)
        year += (-year) % n
        while year <= 9999:
            yield datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
            year += n


def ticks(seg: Segment, zone: ZoneInfo, lang: str) -> tuple[str, list[tuple[float, float, str]]]:
    """The unit of the segment's ticks and its ticks (x of the tick, x of its label's middle, label in local time):
    as many as fit without touching, a label near an edge of the segment moved inside it."""
    span = (seg.end - seg.start).total_seconds() or 1.0
    width = max(seg.x1 - seg.x0, 1.0)
    unit, n = _STEPS[-1]
    for unit, n in _STEPS:
        sample = text_width(axis_tick(_SAMPLE, unit, lang), TICK_FONT)
        if width * _UNIT_SECONDS[unit] * n / span >= sample + TICK_SPACE:
            break
    out: list[tuple[float, float, str]] = []
    right = float("-inf")
    for t in _aligned(seg.start, unit, n, zone):
        if t > seg.end:
            break
        text = axis_tick(t.astimezone(zone), unit, lang)
        half = text_width(text, TICK_FONT) / 2
        x = min(max(seg.x(t), seg.x0 + half - EDGE), seg.x1 - half + EDGE)  # a label near an edge moves inside
        if x - half < right + TICK_SPACE / 2 or abs(x - seg.x(t)) > half:
            continue
        out.append((seg.x(t), x, text))
        right = x + half
    return unit, out
