"""One ingest task (one input of one hospital) and one scan task (one hospital): the work both engines hand out."""
from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..guard import Guard
from ..model import ScanResult
from .dataset import (
    Ingested,
    event_batches,
    hospital_segments,
    hospital_store,
    input_dict,
    input_from,
    network_table,
    read_input,
    read_manifest,
    work_dir,
    write_network,
    write_part,
)
from .indicators import indicator_rows


@dataclass
class Settings:
    """What every scan task needs, the same on every engine (it travels to Spark's workers as it is)."""

    config: dict[str, Any]
    tz: str
    lang: str
    rule_paths: list[Path] | None = None
    min_level: str | None = None


TASK_BYTES = 64 << 20  # inputs read by one task: up to this size together (small logs share a task, as Spark
TASK_FILES = 64        # splits its own files), so that a folder of hundreds of small logs is not hundreds of tasks


def task_tag(hospital: str, paths: list[str]) -> str:
    """A stable name for one task's files in the dataset (the same inputs read again overwrite, never double)."""
    return hashlib.sha256("\0".join([hospital, *paths]).encode()).hexdigest()[:16]


def tasks_of(hospital: str, files: list[Path]) -> list[tuple[str, list[str]]]:
    """The files of one hospital grouped into ingest tasks of about TASK_BYTES (a larger file is a task alone)."""
    out: list[tuple[str, list[str]]] = []
    size = 0
    for f in files:
        n = f.stat().st_size if f.is_file() else 0
        if not out or size + n > TASK_BYTES or len(out[-1][1]) >= TASK_FILES:
            out.append((hospital, []))
            size = 0
        out[-1][1].append(str(f))
        size += n
    return out


def ingest_one(dataset: Path, hospital: str, paths: list[str], tz: str) -> Iterator[pa.RecordBatch]:
    """Read one task's inputs with the project's readers and store; yield their events (with hospital and day) a
    batch at a time; their network events and manifest entries are written into the dataset by this task."""
    work = work_dir()
    tag = task_tag(hospital, paths)
    try:
        inputs, store = read_input(paths, hospital, tz, work)
        try:
            events = 0
            for batch in event_batches(store, hospital):
                events += batch.num_rows
                yield batch
            net = network_table(store.network, hospital)
            write_network(dataset, net, tag)
        finally:
            store.con.close()
        syslog = dict(store.network.runs)  # the syslog inputs, with their network events (a zip's members too)
        for inp in inputs:
            item = Ingested(hospital, input_dict(inp), inp.events, syslog.get(inp.path))
            write_part(dataset, item, task_tag(hospital, [inp.path]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scan_one(dataset: Path, hospital: str, out_dir: Path,
             settings: Settings) -> tuple[ScanResult, list[dict[str, Any]]]:
    """The whole scan pipeline (rules, Sigma, network rules, story, every report) over one hospital's part of the
    dataset, written into out_dir; returns the result and its indicator rows for the cross-hospital checks."""
    from ..scan import analyse
    started = time.perf_counter()
    manifest = read_manifest(dataset, hospital).get("inputs", [])
    store = hospital_store(dataset, hospital, {i["path"] for i in manifest if i.get("network") is not None})
    segments = hospital_segments(dataset, hospital)
    result = analyse(store, [input_from(i) for i in manifest], out_dir, settings.config, settings.tz, settings.lang,
                     Guard(), started, rule_paths=settings.rule_paths, min_level=settings.min_level,
                     segments=str(segments) if segments else None)
    return result, indicator_rows(hospital, result.findings)
