"""Append-only syslog segment files: hash-chained records, an HMAC checkpoint per segment, and verification."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from .. import integrity

MAGIC = b"wardwatch-netlog-1"
KEY_NAME = ".hmac-key"
MAX_SEGMENT_BYTES = 64 << 20


def load_key(root: Path, create: bool = False) -> bytes | None:
    """The collector's HMAC key (DIR/.hmac-key, mode 0600), made on first use when create is set."""
    return integrity.load_key(root / KEY_NAME, create)


def record_hash(prev: str, n: int, t: str, s: str, m: str) -> str:
    """SHA-256 over the previous hash and the record's fields (the chain link)."""
    return integrity.chain(prev, n, t, s, m)


def checkpoint_mac(key: bytes, name: str, count: int, last: str, closed: bool) -> str:
    """HMAC-SHA256 over a segment's name, record count, last hash and closed flag."""
    return integrity.mac(key, name, count, last, int(closed))


def encode_message(raw: bytes) -> str:
    """The stored text of a message: UTF-8 as is, anything else as 'b64:' + base64 (nothing is lost)."""
    try:
        text = raw.decode("utf-8")
        if not text.startswith("b64:"):
            return text
    except UnicodeDecodeError:
        pass
    return "b64:" + base64.b64encode(raw).decode()


def decode_message(m: str) -> str:
    """The message as text for parsing (non-UTF-8 bytes tried as Shift_JIS, then replaced)."""
    if not m.startswith("b64:"):
        return m
    raw = base64.b64decode(m[4:])
    for enc in ("cp932", "utf-8"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def sender_dir(sender: str) -> str:
    return sender.replace(":", "_")


class SegmentWriter:
    """Writes one sender's records into per-day segments, rotating by day and size, chaining across segments."""

    def __init__(self, root: Path, sender: str, key: bytes, max_bytes: int = MAX_SEGMENT_BYTES) -> None:
        self.root, self.sender, self.key, self.max_bytes = root, sender, key, max_bytes
        self.dir = root / sender_dir(sender)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.fh: Any = None
        self.path: Path | None = None
        self.day = ""
        self.count = 0
        self.size = 0
        self.last = ""
        self.dirty = False
        self.prev_link = _last_hash_on_disk(self.dir)

    def _open(self, day: str) -> None:
        self.close()
        k = len(list(self.dir.glob(f"{day}-*.log")))
        path = self.dir / f"{day}-{k:04d}.log"
        while path.exists():
            k += 1
            path = self.dir / f"{day}-{k:04d}.log"
        genesis = hashlib.sha256(MAGIC + f"\x1f{self.sender}\x1f{path.name}\x1f{self.prev_link}".encode()).hexdigest()
        header = orjson.dumps({"hdr": 1, "sender": self.sender, "segment": path.name, "prev": self.prev_link,
                               "h": genesis}) + b"\n"
        # the segment appears with its whole header or not at all: a kill between creating the file and writing the
        # header would leave a headerless segment that verify rightly calls broken. Written, then renamed: a killed
        # process loses nothing the kernel already holds; syncing to the disk stays checkpoint()'s (sync=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(header)
        os.replace(tmp, path)
        self.fh = open(path, "ab")
        self.path, self.day, self.count, self.size, self.last = path, day, 0, len(header), genesis
        self.dirty = True
        self.checkpoint()

    def write(self, t: datetime, raw: bytes) -> None:
        self.write_many(t, [raw])

    def write_many(self, t: datetime, raws: list[bytes]) -> None:
        """Append records received at the same time (one chain step each)."""
        day = t.strftime("%Y-%m-%d")
        ts = t.isoformat(timespec="microseconds")
        sender, dumps, sha = self.sender, orjson.dumps, hashlib.sha256
        tail = f"\x1f{ts}\x1f{sender}\x1f"
        for raw in raws:
            if self.fh is None or day != self.day or self.size >= self.max_bytes:
                self._open(day)
            m = encode_message(raw)
            n = self.count + 1
            h = sha(f"{self.last}\x1f{n}{tail}{m}".encode("utf-8", "surrogatepass")).hexdigest()
            line = dumps({"n": n, "t": ts, "s": sender, "m": m, "h": h}) + b"\n"
            self.fh.write(line)
            self.count, self.last, self.size = n, h, self.size + len(line)
        self.dirty = True

    def checkpoint(self, closed: bool = False, sync: bool = False) -> None:
        """Flush, then rewrite the segment's keyed checkpoint atomically."""
        if self.fh is None or self.path is None or not (self.dirty or closed):
            return
        self.fh.flush()
        if sync:
            os.fsync(self.fh.fileno())
        name = self.path.name
        body = orjson.dumps({"segment": name, "count": self.count, "last": self.last, "closed": closed,
                             "mac": checkpoint_mac(self.key, name, self.count, self.last, closed)})
        tmp = self.path.with_suffix(".ckpt.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, self.path.with_suffix(".ckpt"))
        self.dirty = False

    def close(self) -> None:
        if self.fh is not None:
            self.checkpoint(closed=True, sync=True)
            self.fh.close()
            self.prev_link = self.last
            self.fh = None


def _last_hash_on_disk(d: Path) -> str:
    """The last complete record's hash in a sender's newest segment ('' when none): the link for a restart."""
    segs = sorted(d.glob("*.log"))
    if not segs:
        return ""
    last = ""
    for line in segs[-1].read_bytes().split(b"\n")[:-1]:
        try:
            last = orjson.loads(line)["h"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            continue
    return last


@dataclass
class Problem:
    """One verification result: the file, the record (number or line) and what is wrong."""

    file: str
    where: str
    message: str
    fatal: bool = True


@dataclass
class VerifyReport:
    """What verify found over a whole collector folder."""

    segments: int = 0
    records: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.fatal for p in self.problems)


def verify_dir(root: Path) -> VerifyReport:
    """Check every segment's chain, its checkpoint's HMAC and count, and the links between a sender's segments."""
    rep = VerifyReport()
    key = load_key(root)
    if key is None:
        rep.problems.append(Problem(str(root), "-", f"no key file {KEY_NAME}: checkpoints cannot be checked"))
    for sdir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        prev_last: str | None = None
        for seg in sorted(sdir.glob("*.log")):
            rep.segments += 1
            first_prev, last = _verify_segment(seg, key, rep)
            if prev_last is None and first_prev:
                rep.problems.append(Problem(str(seg), "header", "follows a segment that is no longer here "
                                            "(an earlier segment of this sender was removed)"))
            elif prev_last is not None and first_prev is not None and first_prev != prev_last:
                rep.problems.append(Problem(str(seg), "header", "does not follow the previous segment of this "
                                            "sender (a segment was removed or replaced)"))
            prev_last = last
        for ck in sdir.glob("*.ckpt"):
            if not ck.with_suffix(".log").exists():
                rep.problems.append(Problem(str(ck.with_suffix(".log")), "-", "segment file removed (checkpoint left)"))
    return rep


def _verify_segment(seg: Path, key: bytes | None, rep: VerifyReport) -> tuple[str | None, str]:
    name = str(seg)
    data = seg.read_bytes()
    lines = data.split(b"\n")
    tail = lines.pop()
    if tail:
        rep.problems.append(Problem(name, f"line {len(lines) + 1}", "last record incomplete (a crash while "
                                    "writing): dropped", fatal=False))
    if not lines:
        rep.problems.append(Problem(name, "line 1", "no header"))
        return None, ""
    try:
        hdr = orjson.loads(lines[0])
        prev_link, last = str(hdr["prev"]), str(hdr["h"])
        sender = str(hdr["sender"])
        genesis = hashlib.sha256(MAGIC + f"\x1f{sender}\x1f{seg.name}\x1f{prev_link}".encode()).hexdigest()
        if hdr.get("segment") != seg.name or genesis != last:
            raise ValueError("header does not match")
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        rep.problems.append(Problem(name, "line 1", "header changed or missing"))
        return None, ""
    count = 0
    broken = False
    for i, line in enumerate(lines[1:], start=2):
        try:
            rec = orjson.loads(line)
            n, t, s, m, h = int(rec["n"]), str(rec["t"]), str(rec["s"]), str(rec["m"]), str(rec["h"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            rep.problems.append(Problem(name, f"line {i}", "not a record (changed or inserted)"))
            broken = True
            break
        if n != count + 1:
            what = "record(s) missing before it (deleted)" if n > count + 1 else "unexpected number (inserted or reordered)"
            rep.problems.append(Problem(name, f"record {n} (line {i})", f"expected record {count + 1}: {what}"))
            broken = True
            break
        if record_hash(last, n, t, s, m) != h:
            rep.problems.append(Problem(name, f"record {n} (line {i})", "hash does not match (record changed, or a "
                                        "record before it was changed, inserted or removed)"))
            broken = True
            break
        count, last = n, h
    rep.records += count
    if broken:
        return prev_link, last
    _check_checkpoint(seg, key, count, last, rep)
    return prev_link, last


def _check_checkpoint(seg: Path, key: bytes | None, count: int, last: str, rep: VerifyReport) -> None:
    name, ck = str(seg), seg.with_suffix(".ckpt")
    if not ck.exists():
        rep.problems.append(Problem(name, "checkpoint", "checkpoint file missing"))
        return
    try:
        c = orjson.loads(ck.read_bytes())
        ccount, clast, closed, mac = int(c["count"]), str(c["last"]), bool(c["closed"]), str(c["mac"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        rep.problems.append(Problem(name, "checkpoint", "checkpoint unreadable"))
        return
    if key is not None and not hmac.compare_digest(mac, checkpoint_mac(key, seg.name, ccount, clast, closed)):
        rep.problems.append(Problem(name, "checkpoint", "checkpoint's HMAC does not match (checkpoint forged or changed)"))
        return
    if ccount > count:
        rep.problems.append(Problem(name, f"record {count + 1}", f"records {count + 1}..{ccount} removed from the end"))
    elif ccount == count and clast != last:
        rep.problems.append(Problem(name, f"record {count}", "last hash differs from the checkpoint (segment rewritten)"))
    elif ccount < count:
        if closed:
            rep.problems.append(Problem(name, f"record {ccount + 1}", "records added after the segment was closed"))
        else:
            rep.problems.append(Problem(name, f"record {ccount + 1}", f"{count - ccount} record(s) after the last "
                                        "checkpoint (written just before a crash; chained but not keyed)", fatal=False))


def read_segment(segment: Path | bytes) -> Iterator[tuple[int, datetime, str, str]]:
    """(line number, receive time, sender, message text) for every complete record of a stored segment (a file, or
    its bytes: a segment inside a zip)."""
    with (io.BytesIO(segment) if isinstance(segment, bytes) else open(segment, "rb")) as fh:
        for i, line in enumerate(fh, start=1):
            if not line.endswith(b"\n") or i == 1:
                continue
            try:
                rec = orjson.loads(line)
                t = datetime.fromisoformat(rec["t"])
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
            if t.tzinfo is None:
                t = t.replace(tzinfo=UTC)
            yield i, t, str(rec["s"]), decode_message(str(rec["m"]))


def is_segment(head: bytes) -> bool:
    return head.startswith(b'{"hdr":1')
