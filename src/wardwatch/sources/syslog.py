"""The syslog reader: firewall / router / switch lines into the network-events table, Windows lines into events.

A syslog file (or a collector's stored segment, wardwatch.netlog.store) is read once: each line that carries a
Windows event (Snare MSWinEventLog, NXLog / Winlogbeat JSON; see winsyslog) is yielded as a canonical event for
the event store; every other line becomes a NetEvent (kind 'unknown' when no vendor parser knows it) that goes
to the run's network-events table, where the network rules (wardwatch.netlog.detect) read it."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..model import ReadProblem
from ..netlog.parse import NetEvent, parse_line
from ..netlog.store import is_segment, read_segment
from . import winsyslog
from .base import ReadContext, Source

SEGMENT_FORMAT = "wardwatch-syslog-segment"
RE_SYSLOG_HEAD = re.compile(rb"^(?:<\d{1,3}>|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d |"
                            rb"date=\d{4}-\d\d-\d\d |\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* \S+ )")


def looks_like_syslog(head: bytes) -> bool:
    """True for a stored collector segment or a text file whose first line has a syslog shape."""
    if is_segment(head):
        return True
    first = head.lstrip(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0]
    return bool(RE_SYSLOG_HEAD.match(first))


def syslog_lines(data: bytes, modified: datetime) -> tuple[str, Iterator[tuple[int, datetime, str, str]]]:
    """(format, lines) of a syslog file or stored segment: each (line number, time context, sender, line).

    The time context gives a header without a year its year (the file's modification time, or a segment
    record's receive time); the sender is the collector's peer address for a segment, '' for a plain file."""
    if is_segment(data[:16]):
        return SEGMENT_FORMAT, read_segment(data)
    text = data.decode("utf-8", "replace") if _utf8(data) else data.decode("cp932", "replace")
    return "syslog", ((i, modified, "", line) for i, line in enumerate(text.splitlines(), start=1) if line.strip())


class SyslogReader:
    """Syslog text files and stored collector segments, known by the shape of their first line."""

    name = "syslog"

    def sniff(self, head: bytes) -> bool:
        return looks_like_syslog(head) or b"MSWinEventLog\t" in head.split(b"\n", 1)[0]

    def read(self, source: Source, ctx: ReadContext) -> Iterator[str]:
        """The Windows events among the lines; the network events go to ctx.network once the input is read, and
        the input's count of events holds both kinds (the Windows ones are counted where they are stored)."""
        inp, display = ctx.input, source.display
        modified = source.modified_at()
        if modified.tzinfo is None:  # a zip member's time: the wall clock of the machine that zipped it
            modified = modified.replace(tzinfo=ZoneInfo(ctx.tz)).astimezone(UTC)
        inp.format, lines = syslog_lines(source.read_all(), modified)
        network: list[NetEvent] = []

        def windows_lines() -> Iterator[tuple[int, str]]:
            tz, is_windows = ctx.tz, winsyslog.is_windows
            for i, context, sender, line in lines:
                if is_windows(line):
                    yield i, line
                    continue
                e = parse_line(line, context, tz, device=sender)
                e.file, e.line = display, i
                network.append(e)

        yield from winsyslog.records(windows_lines(), display, ctx.problems)
        inp.events += len(network)
        if ctx.network is not None:
            ctx.network.add(network, display)
        unknown = sum(1 for e in network if not e.vendor)
        if unknown:
            ctx.problems.append(ReadProblem(display, "-", f"{unknown} line(s) not recognised (kept raw, counted)"))


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
