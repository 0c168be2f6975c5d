"""The one call `wardwatch scan` needs: sniff syslog inputs, and analyse them into inputs, findings and stats."""
from __future__ import annotations

import re
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from ..model import Finding, InputFile
from .detect import detect, not_seen, pair_matrix
from .parse import NetEvent
from .read import expand, read_file
from .segments import Segments, load_segments
from .store import is_segment

RE_SYSLOG_HEAD = re.compile(rb"^(?:<\d{1,3}>|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d |"
                            rb"date=\d{4}-\d\d-\d\d |\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* \S+ )")


def looks_like_syslog(head: bytes) -> bool:
    """True for a stored collector segment or a text file whose first line has a syslog shape."""
    if is_segment(head):
        return True
    first = head.lstrip(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0]
    return bool(RE_SYSLOG_HEAD.match(first))


def analyse(paths: list[Path], segments: Path | Segments | None, tz: str, since: datetime | None = None,
            until: datetime | None = None) -> tuple[list[InputFile], list[Finding], dict[str, Any]]:
    """Read syslog files and segments, run the network rules; stats hold counts, the matrix and 'not seen'."""
    segs = segments if isinstance(segments, Segments) else load_segments(segments)
    t0 = time.monotonic()
    inputs: list[InputFile] = []
    events: list[NetEvent] = []
    kinds: Counter[str] = Counter()
    for path in expand(paths):
        inp, evs, k = read_file(path, tz)
        inputs.append(inp)
        events += evs
        kinds.update(k)
    findings = detect(events, segs)
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
    return inputs, findings, stats
