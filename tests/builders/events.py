"""Windows events written as JSON lines, scans of them, and findings by rule."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from wardwatch.config import load_config
from wardwatch.demo import Ev, to_json
from wardwatch.model import Finding, ScanResult
from wardwatch.scan import run_scan


def write_jsonl(path: Path, events: list[Ev]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    for n, ev in enumerate(events, start=1):
        ev.record_id = ev.record_id or n
    path.write_bytes(b"".join(orjson.dumps(to_json(e)) + b"\n" for e in events))
    return path


def scan(paths: list[Path], out: Path, config: dict[str, Any] | None = None, tz: str = "Asia/Tokyo",
         lang: str = "ja") -> ScanResult:
    return run_scan(paths, out, config or load_config(), tz, lang)


def by_rule(result: ScanResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]
