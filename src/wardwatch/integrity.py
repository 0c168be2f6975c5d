"""Tamper evidence shared by every store that must prove it was not changed: a secret key file, a hash chain over
records, and a keyed checksum (HMAC-SHA256) over a summary; used by the syslog store, incident journals, web baselines."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SEP = "\x1f"


def load_key(path: Path, create: bool = False) -> bytes | None:
    """The HMAC key in a file (hex, mode 0600), made on first use when create is set; None when absent."""
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex() + "\n")
    return key


def chain(prev: str, *fields: object) -> str:
    """SHA-256 over the previous link and a record's fields: changing, removing or inserting a record breaks it."""
    return hashlib.sha256(SEP.join([prev, *map(str, fields)]).encode("utf-8", "surrogatepass")).hexdigest()


def mac(key: bytes, *fields: object) -> str:
    """HMAC-SHA256 over fields: only the key's holder can make it, so a rewritten summary is detected."""
    return hmac.new(key, SEP.join(map(str, fields)).encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two checksums."""
    return hmac.compare_digest(a.encode(), b.encode())


def file_sha256(path: Path, block: int = 1 << 20) -> str:
    """SHA-256 of a file, read in blocks (large evidence files never in memory at once)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()
