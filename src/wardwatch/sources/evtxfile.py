"""Reads .evtx files with the Rust-backed evtx parser; a damaged file yields what can be read plus a warning."""
from __future__ import annotations

import io
import operator
import re
import struct
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from evtx import PyEvtxParser

from ..model import ReadProblem
from .base import FileReader

EVTX_MAGIC = b"ElfFile\x00"
HEADER_SIZE = 4096
_DATA: Callable[[Any], str] = operator.itemgetter("data")
CHUNK_SIZE = 65536


def read_evtx(path_or_bytes: Path | bytes, name: str, problems: list[ReadProblem]) -> Iterator[str]:
    """Yield each record's JSON text (pyevtx-rs shape); damaged chunks are reported and skipped."""
    target = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    _check_size(path_or_bytes, name, problems)
    try:
        parser = PyEvtxParser(target, skip_errors=True)
    except Exception as exc:  # header unreadable
        problems.append(ReadProblem(name, "file header", f"not a readable .evtx file: {exc}", skipped_file=True))
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = map(_DATA, parser.records_json())
        first = None
        try:
            first = next(texts, None)
            if first is not None:
                yield first
                yield from texts
        except Exception as exc:  # unrecoverable damage: keep what was read
            problems.append(ReadProblem(name, "after the last readable record",
                                        f"evtx file damaged, the rest is not readable: {exc}"))
    seen: set[str] = set()
    for w in caught:
        msg = str(w.message).splitlines()[0][:300]
        if msg not in seen:
            seen.add(msg)
            problems.append(ReadProblem(name, _where(msg), f"damaged evtx record(s) skipped: {msg}"))
    if first is None and not any(p.skipped_file for p in problems):
        problems.append(ReadProblem(name, "-", "evtx file holds no records"))


def _where(message: str) -> str:
    """Pull a position (record number or offset) out of the parser's message, for the user."""
    m = re.search(r"record number (\d+)", message)
    if m:
        return f"record {m.group(1)}"
    m = re.search(r"Offset (0x[0-9a-fA-F]+)", message)
    return f"offset {m.group(1)}" if m else "-"


def _check_size(path_or_bytes: Path | bytes, name: str, problems: list[ReadProblem]) -> None:
    """A truncated file is silent in the parser: compare the header's chunk count with the real size."""
    if isinstance(path_or_bytes, bytes):
        header, size = path_or_bytes[:HEADER_SIZE], len(path_or_bytes)
    else:
        with open(path_or_bytes, "rb") as fh:
            header = fh.read(HEADER_SIZE)
        size = Path(path_or_bytes).stat().st_size
    if len(header) < 44:
        return
    chunks = struct.unpack_from("<H", header, 42)[0]
    expected = HEADER_SIZE + chunks * CHUNK_SIZE
    if size < expected:
        whole = max(0, (size - HEADER_SIZE) // CHUNK_SIZE)
        problems.append(ReadProblem(
            name, f"byte {size}",
            f"evtx file is truncated: {size} bytes, the header announces {chunks} chunks ({expected} bytes); "
            f"records of the {whole} complete chunk(s) were read, the rest is missing"))


def looks_like_evtx(head: bytes) -> bool:
    return head.startswith(EVTX_MAGIC)


EVTX_READER = FileReader("evtx", looks_like_evtx, read_evtx)  # Windows event log files (.evtx), by their magic bytes
