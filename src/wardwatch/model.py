"""Shared data types: severities, the one Finding type, incidents, input records and read problems."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """How urgent a finding is; ordered so that max() gives the worst."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        if isinstance(value, int):
            return cls(value)
        return cls[str(value).strip().upper()]


@dataclass(frozen=True)
class Evidence:
    """What a finding rests on: a file, and where in it: an event's own System/EventRecordID (EventRef), a line of a
    syslog file (LineRef), or the whole file (FileRef: a bundle part, a web page, a hash list)."""

    file: str
    record_id: int | None = None
    line: int | None = None

    @property
    def kind(self) -> str:
        return "event" if self.record_id is not None else "line" if self.line is not None else "file"


class EventRef(Evidence):
    """An event: its input file and EventRecordID."""

    def __init__(self, file: str, record_id: int | None) -> None:
        super().__init__(file, record_id, None)


class LineRef(Evidence):
    """A line of a text log (syslog), 1-based."""

    def __init__(self, file: str, line: int | None) -> None:
        super().__init__(file, None, line)


class FileRef(Evidence):
    """A whole file."""

    def __init__(self, file: str) -> None:
        super().__init__(file, None, None)


@dataclass
class Text:
    """A piece of user-facing text in Japanese and English."""

    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ja


@dataclass
class Finding:
    """One detection, audit result or checklist gap; every part of WardWatch reports these."""

    rule: str
    severity: Severity
    host: str | None
    first_seen: datetime | None  # UTC, timezone-aware
    last_seen: datetime | None
    count: int
    title: Text
    summary: Text
    advice: Text
    accounts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int = 0
    seed: str = ""
    phase: str = "other"  # where it sits in the attack chain (see story.PHASES)
    facts: dict[str, Any] = field(default_factory=dict)  # figures and names, as its check declares them (factspec)


def finding_hosts(f: Finding) -> list[str]:
    """The hosts a finding names: its own, or the list in its facts (a network finding keeps a count there)."""
    from .checks.factspec import fact  # the checks package is built on this module
    if f.host:
        return [f.host]
    listed = fact(f, "hosts")
    return [str(h) for h in listed] if isinstance(listed, (list, tuple)) else []


@dataclass
class Incident:
    """Findings joined into one story: a host or a group of hosts, in time order."""

    id: str
    severity: Severity
    hosts: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    phases: list[str]
    narrative: Text
    actions: Text
    findings: list[Finding]


@dataclass
class ReadProblem:
    """A bad file or bad record: which file, where in it, and what is wrong."""

    file: str
    where: str
    message: str
    skipped_file: bool = False  # True when nothing of the file could be read


@dataclass
class InputFile:
    """One input as read: its path, SHA-256, how many events it gave and what went wrong."""

    path: str
    sha256: str
    size: int
    events: int = 0
    format: str = ""
    errors: list[ReadProblem] = field(default_factory=list)


@dataclass
class Coverage:
    """How much time one host's channel really covers in the logs given."""

    host: str
    channel: str
    first: datetime | None
    last: datetime | None
    events: int
    days: float
    largest_gap_hours: float
    files: list[str] = field(default_factory=list)


@dataclass
class TimelineEvent:
    """An event behind a finding, for the timeline exports (CSV / JSON lines)."""

    time: datetime  # UTC
    host: str
    channel: str
    provider: str
    event_id: int
    record_id: int | None
    file: str
    rule: str
    message: str


SECTIONS = ("coverage", "rdp", "audit", "network", "checklist")  # the named sections a run may carry


@dataclass
class Run:
    """One run of any command (scan, audit, inventory, checklist, syslog): the envelope every output renders.

    It holds the inputs, the verdict, the findings and incidents, and named sections (`SECTIONS`: coverage,
    RDP table, audit matrix, network matrix, checklist) for the parts of a report only some commands have.
    Fields keep the order of the former `ScanResult` so that positional construction still works.
    """

    generated_at: datetime
    timezone: str
    lang: str
    inputs: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # events, seconds, hosts, ...
    verdict: Any = None  # wardwatch.verdict.Verdict: the one verdict every output shows
    problems: list[Any] = field(default_factory=list)  # wardwatch.guard.StageProblem: parts that failed
    sections: dict[str, Any] = field(default_factory=dict)  # name (see SECTIONS) -> what that section shows

    def section(self, name: str, default: Any = None) -> Any:
        """A named section's content; `coverage` falls back to the coverage list, `network` to stats['netlog']."""
        if name in self.sections:
            return self.sections[name]
        if name == "coverage":
            return self.coverage
        if name == "network":
            return self.stats.get("netlog") or default
        return default


ScanResult = Run  # the former name: everything one scan produced; reports read this and nothing else
