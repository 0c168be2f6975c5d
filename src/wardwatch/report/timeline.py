"""Timeline exports of the events behind the findings: CSV (Excel, Timesketch) and JSON lines (Timesketch, Elastic)."""
from __future__ import annotations

import csv
from pathlib import Path

import orjson

from ..model import ScanResult, TimelineEvent
from ..textfmt import iso_local

COLUMNS = ["datetime", "timestamp_desc", "message", "host", "channel", "provider", "event_id", "record_id",
           "file", "rule", "timestamp"]


def _row(ev: TimelineEvent, tz: str) -> dict[str, object]:
    return {
        "datetime": iso_local(ev.time, tz), "timestamp_desc": "Event Recorded", "message": ev.message,
        "host": ev.host, "channel": ev.channel, "provider": ev.provider, "event_id": ev.event_id,
        "record_id": ev.record_id, "file": ev.file, "rule": ev.rule,
        "timestamp": int(ev.time.timestamp() * 1_000_000),
    }


def write_timeline(result: ScanResult, csv_path: Path, jsonl_path: Path) -> None:
    """CSV with a BOM (Excel opens Japanese text correctly) and JSON lines, sorted by time."""
    events = sorted(result.timeline, key=lambda e: e.time)
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for ev in events:
            writer.writerow(_row(ev, result.timezone))
    with open(jsonl_path, "wb") as fh:
        for ev in events:
            fh.write(orjson.dumps(_row(ev, result.timezone)) + b"\n")
