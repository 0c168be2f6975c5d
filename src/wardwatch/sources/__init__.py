"""Input discovery: walks folders and zips, hashes every input, picks a reader by content, streams records."""
from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..model import InputFile, ReadProblem
from .evtxfile import EVTX_MAGIC, read_evtx

MAX_ZIP_DEPTH = 3
THREADED_HASH_BYTES = 1 << 20  # smaller files are hashed at once: a thread hand-off costs more
HASH_CHUNK_BYTES = 16 << 20
IGNORED_NAMES = {"desktop.ini", "thumbs.db", ".ds_store", "serve-status.json"}  # the last: the syslog server's
IGNORED_SUFFIXES = (".ckpt", ".ckpt.tmp")  # a syslog store's checkpoints (wardwatch.netlog.store), not inputs


@dataclass
class Source:
    """One readable thing: a file on disk or a member of a zip (held in memory)."""

    display: str
    path: Path | None = None
    data: bytes | None = None
    temporary: bool = False  # path is a zip member's temporary copy, removed once read

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


def sniff(head: bytes) -> str | None:
    """Name the format of a file from its first bytes: evtx, zip, xml, json, syslog, or None."""
    if head.startswith(EVTX_MAGIC):
        return "evtx"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    from ..netlog.api import looks_like_syslog  # imported only when needed: most inputs are .evtx
    from .winjson import looks_like_json
    from .winxml import looks_like_xml

    if looks_like_syslog(head) or b"MSWinEventLog\t" in head.split(b"\n", 1)[0]:  # before XML: "<PRI>" opens syslog
        return "syslog"  # network device logs for wardwatch.netlog; Windows events in them go to the event store
    if looks_like_xml(head):
        return "xml"
    if looks_like_json(head):
        return "json"
    return None


def discover(paths: list[Path], problems: list[ReadProblem]) -> Iterator[Path]:
    """Every file under the given paths (folders recursively), in a stable order."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.name.lower() not in IGNORED_NAMES and not f.name.startswith(".") \
                        and not f.name.lower().endswith(IGNORED_SUFFIXES):
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


def read_sources(paths: list[Path]) -> Iterator[tuple[InputFile, Iterator[str]]]:
    """Yield (input record, iterator of canonical JSON event strings) for every readable input.

    The InputFile's problems are filled in as its iterator is consumed; the caller counts the events. Files that are not
    event logs appear with a 'skipped' problem and an empty iterator.
    """
    top_problems: list[ReadProblem] = []
    files = list(discover(paths, top_problems))
    hashes: dict[Path, Future[tuple[str, int]]] = {}  # large files' hashes, started one file ahead
    for i, path in enumerate(files):
        if i + 1 < len(files):
            _hash_ahead(files[i + 1], hashes)
        try:
            yield from _read_one(Source(str(path), path=path), 0, hashes)
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


def _read_one(source: Source, depth: int,
              hashes: dict[Path, Future[tuple[str, int]]] | None = None) -> Iterator[tuple[InputFile, Iterator[str]]]:
    try:
        size = len(source.data) if source.data is not None else source.path.stat().st_size  # type: ignore[union-attr]
        head = source.head()
    except OSError as exc:
        inp = InputFile(source.display, "", 0, errors=[ReadProblem(source.display, "-", f"cannot open: {exc.strerror or exc}", True)])
        yield inp, iter(())
        return
    # Large files are hashed beside the parsing (hashlib releases the GIL); small ones at once, since
    # handing them to a thread costs more than hashing them.
    inp = InputFile(source.display, "", size)
    if size < THREADED_HASH_BYTES:
        inp.sha256 = sha256_of(source)[0]
        yield from _dispatch(source, inp, head, depth)
        return
    digest = (hashes or {}).pop(source.path, None) or _hasher().submit(sha256_of, source)  # type: ignore[arg-type]
    try:
        yield from _dispatch(source, inp, head, depth)
    finally:
        inp.sha256 = digest.result()[0]


def _hasher() -> ThreadPoolExecutor:
    global _HASHER
    if _HASHER is None:
        _HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wardwatch-sha256")
    return _HASHER


_HASHER: ThreadPoolExecutor | None = None


def _dispatch(source: Source, inp: InputFile, head: bytes, depth: int) -> Iterator[tuple[InputFile, Iterator[str]]]:
    size = inp.size
    if size == 0:
        inp.errors.append(ReadProblem(source.display, "-", "empty file", skipped_file=True))
        yield inp, iter(())
        return
    kind = sniff(head)
    inp.format = kind or "unknown"
    if kind is None:
        inp.errors.append(ReadProblem(source.display, "byte 0",
                                      "not an event log (expected .evtx, wevtutil XML, Get-WinEvent JSON, JSON lines or zip)",
                                      skipped_file=True))
        yield inp, iter(())
        return
    if kind == "syslog":
        if source.path is None or source.temporary:
            inp.errors.append(ReadProblem(source.display, "zip member", "syslog inside a zip is not read; extract it first",
                                          skipped_file=True))
            yield inp, iter(())
            return
        records = _syslog_windows_events(source.path, source.display)
        yield inp, records
        for _ in records:
            pass
        return
    if kind == "zip":
        yield inp, iter(())
        if depth >= MAX_ZIP_DEPTH:
            inp.errors.append(ReadProblem(source.display, "zip", "zip nested too deeply; not opened", True))
            return
        for member in _zip_members(source, inp):
            yield from _read_one(member, depth + 1)
        return
    records = _records(kind, source, inp.errors)
    yield inp, records
    for _ in records:  # if the caller did not read them all, finish here (problems are complete then)
        pass


def _records(kind: str, source: Source, problems: list[ReadProblem]) -> Iterator[str]:
    """The reader's own iterator (no generator in between: every level costs per record)."""
    if kind == "evtx":
        return read_evtx(source.path if source.path is not None else source.data, source.display, problems)  # type: ignore[arg-type]
    if kind == "xml":
        from .winxml import read_xml
        return read_xml(source.path if source.path is not None else source.read_all(), source.display, problems)
    from .winjson import read_json
    return read_json(source.path if source.path is not None else source.read_all(), source.display, problems)


def _syslog_windows_events(path: Path, display: str) -> Iterator[str]:
    """The Windows events among a syslog file's lines (Snare MSWinEventLog, NXLog / Winlogbeat JSON), read with
    netlog's own line reader (so stored segments work too). The file stays a syslog input: wardwatch.netlog reads
    it again for its network lines and reports the Windows lines that cannot be converted, since the scan keeps
    netlog's account of a syslog file; problems found here are therefore not kept."""
    from ..netlog.read import syslog_lines
    from .winsyslog import is_windows, records

    data = path.read_bytes()
    if b"MSWinEventLog" not in data and b'{"' not in data and b'{ "' not in data:
        return  # no Windows events: nothing to convert
    _, lines = syslog_lines(path, data)
    yield from records(((i, line) for i, _, _, line in lines if is_windows(line)), display, [])
