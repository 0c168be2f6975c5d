"""The reader protocol: a Source to read, the context a reader writes into, and what every reader provides."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..model import InputFile, ReadProblem

if TYPE_CHECKING:
    from ..store import NetworkTable

HASH_CHUNK_BYTES = 16 << 20


@dataclass
class Source:
    """One readable thing: a file on disk or a member of a zip (held in memory)."""

    display: str
    path: Path | None = None
    data: bytes | None = None
    temporary: bool = False  # path is a zip member's temporary copy, removed once read
    modified: datetime | None = None  # a zip member's time (wall clock, no zone); a file's is its mtime (`modified_at`)

    def head(self, n: int = 64) -> bytes:
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        with open(self.path, "rb") as fh:
            return fh.read(n)

    def read_all(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    def target(self) -> Path | bytes:
        """The path when there is one (readers stream it), else the bytes."""
        return self.path if self.path is not None else self.read_all()

    def modified_at(self) -> datetime:
        """When the input was last written (UTC; a zip member's time has no zone): a syslog time without a year
        takes its year from here."""
        if self.modified is not None:
            return self.modified
        if self.path is not None:
            return datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        return datetime.now(UTC)


def sha256_of(source: Source) -> tuple[str, int]:
    """SHA-256 and size of a source (the input is only opened for reading).

    Read in one piece up to HASH_CHUNK_BYTES, in chunks of that size beyond: few large reads matter, since
    hashing runs beside the parser and every chunk costs one wait for the GIL."""
    if source.data is not None:
        return hashlib.sha256(source.data).hexdigest(), len(source.data)
    assert source.path is not None
    digest = hashlib.sha256()
    size = 0
    with open(source.path, "rb", buffering=0) as fh:
        while chunk := fh.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass
class ReadContext:
    """What a reader writes besides its records: the input's entry (problems, format, counts) and the run's
    network-events table (syslog lines that are not Windows events go there, not into the event store)."""

    input: InputFile
    tz: str = "Asia/Tokyo"  # the zone of device times that carry none (syslog)
    network: NetworkTable | None = None

    @property
    def problems(self) -> list[ReadProblem]:
        return self.input.errors


@runtime_checkable
class Reader(Protocol):
    """One input format. `name` is the format written into the input's entry; `sniff` looks at the first 64 bytes
    only; `read` yields canonical event JSON strings (the shape every rule reads), reports bad records in
    `ctx.problems` and never raises for one bad record. A reader of network logs adds to `ctx.network` instead."""

    name: str

    def sniff(self, head: bytes) -> bool: ...

    def read(self, source: Source, ctx: ReadContext) -> Iterator[str]: ...


@dataclass
class FileReader:
    """A Reader made of its format's two functions: the sniff test of the first bytes, and the parser of one file
    (its path, or its bytes when it came from a zip) into records, with the name shown and the problems list."""

    name: str
    looks: Callable[[bytes], bool]
    parse: Callable[[Path | bytes, str, list[ReadProblem]], Iterator[str]]

    def sniff(self, head: bytes) -> bool:
        return self.looks(head)

    def read(self, source: Source, ctx: ReadContext) -> Iterator[str]:
        return self.parse(source.target(), source.display, ctx.problems)  # the parser's own iterator


@dataclass
class Registry:
    """The readers, in the order their sniff is tried (a more specific format before a looser one)."""

    readers: list[Reader] = field(default_factory=list)

    def register(self, reader: Reader, *, before: str | None = None) -> Reader:
        """Add a reader (replacing one of the same name); `before` names the reader it must be tried ahead of."""
        self.readers = [r for r in self.readers if r.name != reader.name]
        at = next((i for i, r in enumerate(self.readers) if r.name == before), len(self.readers))
        self.readers.insert(at, reader)
        return reader

    def unregister(self, name: str) -> None:
        self.readers = [r for r in self.readers if r.name != name]

    def get(self, name: str) -> Reader:
        for r in self.readers:
            if r.name == name:
                return r
        raise KeyError(f"no reader named {name!r} (known: {', '.join(self.names())})")

    def names(self) -> list[str]:
        return [r.name for r in self.readers]

    def sniff(self, head: bytes) -> Reader | None:
        """The first reader that recognises these first bytes, or None."""
        for r in self.readers:
            if r.sniff(head):
                return r
        return None
