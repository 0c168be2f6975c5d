"""The network analysis both `wardwatch scan` and `wardwatch syslog scan` run: the network rules over the
events the syslog reader put into a NetworkTable, with the counts, the segment matrix and 'what did not happen'."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..guard import Guard
from ..model import Finding, InputFile
from ..sources.syslog import looks_like_syslog
from ..store import NetworkTable
from .detect import detect, not_seen, pair_matrix
from .read import read_network
from .segments import Segments, load_segments

__all__ = ["analyse", "analyse_events", "looks_like_syslog"]


def analyse(paths: list[Path], segments: Path | Segments | None, tz: str, since: datetime | None = None,
            until: datetime | None = None, problems: Guard | None = None
            ) -> tuple[list[InputFile], list[Finding], dict[str, Any]]:
    """Read syslog files and segments (`wardwatch syslog scan`), run the network rules; see analyse_events."""
    segs = segments if isinstance(segments, Segments) else load_segments(segments)
    t0 = time.monotonic()
    inputs, network = read_network(paths, tz)
    findings, stats = analyse_events(network, segs, since, until, problems, tz)
    stats["seconds"] = round(time.monotonic() - t0, 3)
    return inputs, findings, stats


def analyse_events(network: NetworkTable, segments: Path | Segments | None, since: datetime | None = None,
                   until: datetime | None = None, problems: Guard | None = None,
                   tz: str = "Asia/Tokyo") -> tuple[list[Finding], dict[str, Any]]:
    """The network rules over the events read; stats hold counts, the matrix and 'not seen'."""
    segs = segments if isinstance(segments, Segments) else load_segments(segments)
    t0 = time.monotonic()
    events, kinds = network.events, network.kinds
    findings = detect(events, segs, problems, tz)
    times = [e.time for e in events if e.time]
    lo = since or (min(times) if times else None)
    hi = until or (max(times) if times else None)
    stats: dict[str, Any] = {
        "events": len(events), "seconds": round(time.monotonic() - t0, 3), "by_vendor": dict(kinds),
        "unknown_lines": kinds.get("unknown", 0),
        "netlog": {"window": [lo.isoformat() if lo else None, hi.isoformat() if hi else None],
                   "segments": segs.names(), "segment_matrix": pair_matrix(events, segs),
                   "not_seen": not_seen(events, segs, lo, hi)},
    }
    return findings, stats
