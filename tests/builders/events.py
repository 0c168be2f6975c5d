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


def assert_sample_4625(system: dict[str, Any], data: dict[str, Any]) -> None:
    """What the JSON and the XML reader both give, in the same form, of the reader tests' sample 4625 (EMR-SV01,
    record 184467, a failed NTLM logon of ADMINISTRATOR): the fields each export writes alike."""
    assert system["EventID"] == 4625
    assert system["Channel"] == "Security"
    assert system["Computer"] == "EMR-SV01"
    assert system["EventRecordID"] == 184467
    assert system["Keywords"] == "0x8010000000000000"
    assert system["Execution"] == {"#attributes": {"ProcessID": 612, "ThreadID": 4140}}
    assert system["Security"] is None
    assert data["TargetUserName"] == "ADMINISTRATOR"
    assert data["TargetDomainName"] == "-"
    assert data["IpAddress"] == "-"
    assert data["AuthenticationPackageName"] == "NTLM"
    assert len(data) == 21
