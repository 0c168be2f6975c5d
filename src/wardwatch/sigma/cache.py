"""Caches compiled rules by the SHA-256 of each file's content, so a second run never calls pySigma."""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
from importlib import metadata
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

from .types import CompiledRule

ENGINE_VERSION = "2"  # bump when the compiled form or the SQL it holds changes
MAX_ENTRIES = 50_000
_DIGEST = hashlib.sha256().digest_size  # the file starts with the SHA-256 of the marshal data that follows


def default_cache_dir() -> Path:
    """~/.cache/wardwatch (or $XDG_CACHE_HOME/wardwatch); %LOCALAPPDATA%\\wardwatch on Windows."""
    if os.environ.get("WARDWATCH_CACHE"):
        return Path(os.environ["WARDWATCH_CACHE"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "wardwatch"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wardwatch"


_COMPILER_SOURCES = ("compiler.py", "frontend.py", "loader.py", "logsources.py", "pyeval.py", "types.py")


def _version_tag() -> str:
    """Engine, pySigma and Python (bytecode) versions and a hash of the compiling code.

    Any change of them starts a new cache."""
    try:
        sigma = metadata.version("pysigma")
    except metadata.PackageNotFoundError:  # pragma: no cover
        sigma = "?"
    digest = hashlib.sha256(MAGIC_NUMBER)
    for name in _COMPILER_SOURCES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return f"{ENGINE_VERSION}-{sigma}-{digest.hexdigest()[:12]}"


def _read(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The entries of a cache file; empty when it is missing, truncated, corrupt or not ours."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    body = data[_DIGEST:]
    if data[:_DIGEST] != hashlib.sha256(body).digest():
        return {}
    try:
        entries = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


class RuleCache:
    """content hash → compiled rules of that file; one marshal file (rules hold code objects), written atomically."""

    def __init__(self, directory: Path | None) -> None:
        self.path = (directory / f"sigma-compiled-{_version_tag()}.bin") if directory else None
        self.entries: dict[str, list[dict[str, Any]]] = _read(self.path) if self.path else {}
        self.changed = False
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    def get(self, key: str, file: str) -> list[CompiledRule] | None:
        found = self.entries.get(key)
        try:
            rules = [CompiledRule.from_dict(d) for d in found] if isinstance(found, list) else None
        except TypeError:  # an entry of another shape: compile again
            rules = None
        if rules is None:
            self.misses += 1
            return None
        self.hits += 1
        for r in rules:
            r.file = file
        return rules

    def put(self, key: str, rules: list[CompiledRule]) -> None:
        self.entries[key] = [r.to_dict() for r in rules]
        self.changed = True

    def save(self) -> None:
        if not (self.path and self.changed):
            return
        if len(self.entries) > MAX_ENTRIES:
            self.entries = dict(list(self.entries.items())[-MAX_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            body = marshal.dumps(_shared_programs(self.entries))
            tmp.write_bytes(hashlib.sha256(body).digest() + body)
            os.replace(tmp, self.path)
            for old in self.path.parent.glob("sigma-compiled-*"):
                if old != self.path and old.suffix in (".json", ".bin"):  # another engine version's: never read again
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only home must not stop a scan; the next run compiles again
        self.changed = False


def _shared_programs(entries: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The rules' programs with equal tuples made one object: marshal then writes each once and a reference
    for the rest, so loading makes about half as many objects (rules share most of their literals)."""
    pool: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def share(value: Any) -> Any:
        if type(value) is tuple:
            value = tuple(share(v) for v in value)
            return pool.setdefault(value, value)
        return value

    for rules in entries.values():
        for rule in rules:
            program = rule.get("program")
            if isinstance(program, tuple) and program:
                rule["program"] = (program[0],) + tuple(share(part) for part in program[1:])
    return entries
