"""Caches compiled rules by the SHA-256 of each file's content, so a second run never calls pySigma."""
from __future__ import annotations

import hashlib
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from .types import CompiledRule

ENGINE_VERSION = "1"  # bump when the compiled form or the SQL it holds changes
MAX_ENTRIES = 50_000


def default_cache_dir() -> Path:
    """~/.cache/wardwatch (or $XDG_CACHE_HOME/wardwatch); %LOCALAPPDATA%\\wardwatch on Windows."""
    if os.environ.get("WARDWATCH_CACHE"):
        return Path(os.environ["WARDWATCH_CACHE"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "wardwatch"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wardwatch"


_COMPILER_SOURCES = ("compiler.py", "frontend.py", "loader.py", "logsources.py", "types.py")


def _version_tag() -> str:
    """Engine version, pySigma version and a hash of the compiling code: any change starts a new cache."""
    try:
        sigma = metadata.version("pysigma")
    except metadata.PackageNotFoundError:  # pragma: no cover
        sigma = "?"
    digest = hashlib.sha256()
    for name in _COMPILER_SOURCES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return f"{ENGINE_VERSION}-{sigma}-{digest.hexdigest()[:12]}"


class RuleCache:
    """content hash → compiled rules of that file; one JSON file, written atomically when it changed."""

    def __init__(self, directory: Path | None) -> None:
        self.path = (directory / f"sigma-compiled-{_version_tag()}.json") if directory else None
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.changed = False
        self.hits = 0
        self.misses = 0
        if self.path and self.path.exists():
            try:
                self.entries = orjson.loads(self.path.read_bytes())
            except (OSError, orjson.JSONDecodeError):
                self.entries = {}

    @staticmethod
    def key(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    def get(self, key: str, file: str) -> list[CompiledRule] | None:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        rules = [CompiledRule.from_json(d) for d in found]
        for r in rules:
            r.file = file
        return rules

    def put(self, key: str, rules: list[CompiledRule]) -> None:
        self.entries[key] = [r.to_json() for r in rules]
        self.changed = True

    def save(self) -> None:
        if not (self.path and self.changed):
            return
        if len(self.entries) > MAX_ENTRIES:
            self.entries = dict(list(self.entries.items())[-MAX_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(orjson.dumps(self.entries))
            os.replace(tmp, self.path)
            for old in self.path.parent.glob("sigma-compiled-*.json"):
                if old != self.path:  # made by another version of the engine: never read again
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only home must not stop a scan; the next run compiles again
        self.changed = False
