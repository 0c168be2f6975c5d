"""Input discovery: walks folders and zips, hashes every input once, picks a reader by content, streams records.

The readers themselves are in `registry` (one module per format behind the `base.Reader` protocol)."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import InputFile, ReadProblem
from .base import HASH_CHUNK_BYTES, ReadContext, Reader, Source, sha256_of
from .registry import READERS

if TYPE_CHECKING:
    from ..store import NetworkTable

__all__ = ["HASH_CHUNK_BYTES", "READERS", "ReadContext", "Reader", "Source", "discover", "read_sources", "sha256_of",
           "sniff"]

MAX_ZIP_DEPTH = 3
THREADED_HASH_BYTES = 1 << 20  # smaller files are hashed at once: a thread hand-off costs more
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
IGNORED_NAMES = {"desktop.ini", "thumbs.db", ".ds_store", "serve-status.json"}  # the last: the syslog server's
IGNORED_SUFFIXES = (".ckpt", ".ckpt.tmp")  # a syslog store's checkpoints (wardwatch.netlog.store), not inputs


def sniff(head: bytes) -> str | None:
    """Name the format of a file from its first bytes: zip, or the name of the first reader that knows it, or None."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    reader = READERS.sniff(head)
    return reader.name if reader else None


def discover(paths: list[Path], problems: list[ReadProblem], skip: tuple[str, ...] = ()) -> Iterator[Path]:
    """Every file under the given paths (folders recursively), in a stable order; in folders, names ending in
    one of `skip` are passed over too."""
    ignored = IGNORED_SUFFIXES + skip
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.name.lower() not in IGNORED_NAMES and not f.name.startswith(".") \
                        and not f.name.lower().endswith(ignored):
                    yield f
        elif p.is_file():
            yield p
        else:
            problems.append(ReadProblem(str(p), "-", "no such file or folder", skipped_file=True))


def _zip_members(source: Source, inp: InputFile) -> Iterator[Source]:
    """Each member of a zip, streamed out with limits: small ones in memory, large ones through a temporary
    file (removed once read); a member that expands far beyond its compressed size (a zip bomb) is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(source.read_all()) if source.data is not None else source.path) as zf:  # type: ignore[arg-type]
            for info in zf.infolist():
                if info.is_dir():
                    continue
                where = f"{source.display}!{info.filename}"
                try:
                    member = _extract(zf, info, where)
                    member.modified = _member_time(info, source)
                except _Refused as exc:
                    inp.errors.append(ReadProblem(where, "zip member", str(exc), skipped_file=True))
                    continue
                except Exception as exc:  # encrypted, bad CRC, unsupported compression, truncated
                    inp.errors.append(ReadProblem(where, "zip member", f"cannot extract: {exc}", skipped_file=True))
                    continue
                try:
                    yield member
                finally:
                    if member.path is not None:
                        member.path.unlink(missing_ok=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        inp.errors.append(ReadProblem(source.display, "zip", f"broken zip file: {exc}", skipped_file=True))


def _member_time(info: zipfile.ZipInfo, zipped: Source) -> datetime:
    """A member's modification time as the zip keeps it (a wall-clock time, no zone: the reader reads it in the
    run's zone); the zip's own time where the member's is the format's 1980 floor (unknown) or invalid."""
    if info.date_time[0] > 1980:
        try:
            return datetime(*info.date_time)
        except ValueError:
            pass
    return zipped.modified_at()


MEMBER_IN_MEMORY = 64 << 20  # larger members go through a temporary file
MAX_RATIO = 200  # evtx and text logs compress 5-50 times; hundreds of MB of one byte compress about 1,000 times
RATIO_FLOOR = 16 << 20  # the ratio is judged only past this many bytes (small files compress well too)
COPY_CHUNK = 1 << 20


class _Refused(Exception):
    """A zip member not extracted on purpose; the message says why."""


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Source:
    """Stream one member out, counting the real bytes (a header can lie) against the ratio limit."""
    import tempfile

    limit = max(RATIO_FLOOR, MAX_RATIO * max(info.compress_size, 1))
    buffer = io.BytesIO()
    tmp = None
    written = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(COPY_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise _Refused(f"not extracted: it expands to more than {limit:,} bytes from {info.compress_size:,} "
                                   f"(over {MAX_RATIO} times; a zip bomb?); extract it yourself if it is a real log")
                if tmp is None and written > MEMBER_IN_MEMORY:
                    tmp = tempfile.NamedTemporaryFile(prefix="wardwatch-zip-", delete=False)
                    tmp.write(buffer.getbuffer())
                    buffer = io.BytesIO()
                (tmp or buffer).write(chunk)
    except BaseException:
        if tmp is not None:
            tmp.close()
            Path(tmp.name).unlink(missing_ok=True)
        raise
    if tmp is None:
        return Source(where, data=buffer.getvalue())
    tmp.close()
    return Source(where, path=Path(tmp.name), temporary=True)


def read_sources(paths: list[Path], *, tz: str = "Asia/Tokyo", network: NetworkTable | None = None,
                 reader: str | None = None, skip: tuple[str, ...] = ()) -> Iterator[tuple[InputFile, Iterator[str]]]:
    """Yield (input record, iterator of canonical JSON event strings) for every readable input.

    The InputFile's problems are filled in as its iterator is consumed; the caller adds the number of records
    it took to `events` once it has taken them (a reader adds what it does not yield, such as syslog's network
    lines, which go to `network`). Files that are not event logs appear with a 'skipped' problem and an empty
    iterator. `reader` names the reader for every file (zips are still opened): `wardwatch syslog scan` reads
    whatever it is given as syslog. `tz` is the zone of device times that carry none. `skip`: name endings
    passed over in folders (besides the usual desktop.ini, dot files and a syslog store's checkpoints)."""
    from ..store import NetworkTable

    walk = _Walk(tz, network if network is not None else NetworkTable(), READERS.get(reader) if reader else None)
    top_problems: list[ReadProblem] = []
    files = list(discover(paths, top_problems, skip))
    hashes: dict[Path, Future[tuple[str, int]]] = {}  # large files' hashes, started one file ahead
    for i, path in enumerate(files):
        if i + 1 < len(files):
            _hash_ahead(files[i + 1], hashes)
        try:
            yield from walk.read_one(Source(str(path), path=path), 0, hashes)
        except Exception as exc:  # a reader's own failure: named, and the next input is still read
            yield InputFile(str(path), "", 0, errors=[ReadProblem(
                str(path), "-", f"could not be read ({type(exc).__name__}: {exc})", skipped_file=True)]), iter(())
    for prob in top_problems:
        inp = InputFile(prob.file, "", 0, errors=[prob])
        yield inp, iter(())


def _hash_ahead(path: Path, hashes: dict[Path, Future[tuple[str, int]]]) -> None:
    """Start hashing the next file while this one is parsed: the hashing thread then has a whole file's time
    to get its turns at the GIL, and the reader does not wait for it."""
    try:
        if path.stat().st_size >= THREADED_HASH_BYTES:
            hashes[path] = _hasher().submit(sha256_of, Source(str(path), path=path))
    except OSError:
        pass  # reported when the file itself is read


def _hasher() -> ThreadPoolExecutor:
    global _HASHER
    if _HASHER is None:
        _HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wardwatch-sha256")
    return _HASHER


_HASHER: ThreadPoolExecutor | None = None


class _Walk:
    """One pass over the inputs: each file or zip member hashed once and handed to its reader."""

    def __init__(self, tz: str, network: NetworkTable, forced: Reader | None) -> None:
        self.tz, self.network, self.forced = tz, network, forced

    def read_one(self, source: Source, depth: int, hashes: dict[Path, Future[tuple[str, int]]] | None = None
                 ) -> Iterator[tuple[InputFile, Iterator[str]]]:
        try:
            size = len(source.data) if source.data is not None else source.path.stat().st_size  # type: ignore[union-attr]
            head = source.head()
        except OSError as exc:
            inp = InputFile(source.display, "", 0, errors=[ReadProblem(source.display, "-",
                                                                       f"cannot open: {exc.strerror or exc}", True)])
            yield inp, iter(())
            return
        # Large files are hashed beside the parsing (hashlib releases the GIL); small ones at once, since
        # handing them to a thread costs more than hashing them.
        inp = InputFile(source.display, "", size)
        if size < THREADED_HASH_BYTES:
            inp.sha256 = sha256_of(source)[0]
            yield from self._dispatch(source, inp, head, depth)
            return
        digest = (hashes or {}).pop(source.path, None) or _hasher().submit(sha256_of, source)  # type: ignore[arg-type]
        try:
            yield from self._dispatch(source, inp, head, depth)
        finally:
            inp.sha256 = digest.result()[0]

    def _dispatch(self, source: Source, inp: InputFile, head: bytes, depth: int
                  ) -> Iterator[tuple[InputFile, Iterator[str]]]:
        if inp.size == 0:
            inp.errors.append(ReadProblem(source.display, "-", "empty file", skipped_file=True))
            yield inp, iter(())
            return
        if head.startswith(ZIP_MAGIC):
            inp.format = "zip"
            yield inp, iter(())
            if depth >= MAX_ZIP_DEPTH:
                inp.errors.append(ReadProblem(source.display, "zip", "zip nested too deeply; not opened", True))
                return
            for member in _zip_members(source, inp):
                yield from self.read_one(member, depth + 1)
            return
        reader = self.forced or READERS.sniff(head)
        if reader is None:
            inp.format = "unknown"
            inp.errors.append(ReadProblem(source.display, "byte 0",
                                          "not an event log (expected .evtx, wevtutil XML, Get-WinEvent JSON, JSON lines or zip)",
                                          skipped_file=True))
            yield inp, iter(())
            return
        inp.format = reader.name
        records = reader.read(source, ReadContext(inp, self.tz, self.network))
        yield inp, records
        for _ in records:  # if the caller did not read them all, finish here (problems are complete then)
            pass
