"""The two engines of `wardwatch isac`: DuckDB on one machine, Apache Spark over many. Both hand out the same tasks
(hospitals.ingest_one per input, hospitals.scan_one per hospital) and run the same cross-hospital SQL."""
from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from ..sql import sql_literal
from .cross import duckdb_query, indicator_schema, query, spark_query
from .dataset import EVENTS, gather_manifests
from .hospitals import Settings, ingest_one, scan_one, task_tag
from .indicators import INDICATOR_COLUMNS

Progress = Callable[[int, int], None]  # told (tasks done, tasks) as the tasks of an ingest or a scan finish

# The events' columns in the dataset (the store's, plus hospital and day), as Arrow and as Spark DDL.
_SPARK_TYPES = {"ts": "timestamp_ntz", "event_id": "int", "record_id": "bigint", "logon_type": "int"}


def event_schema() -> pa.Schema:
    from ..store import COLUMNS
    arrow = {"ts": pa.timestamp("us"), "event_id": pa.int32(), "record_id": pa.int64(), "logon_type": pa.int32()}
    return pa.schema([(c, arrow.get(c, pa.string())) for c in [*COLUMNS, "file", "hospital", "day"]])


def _spark_ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{f.name}` {_SPARK_TYPES.get(f.name, 'string')}" for f in schema)


@dataclass
class Outcome:
    """What a scan gives back to the driver for one hospital: its summary line, its exit code as `wardwatch scan`
    gives it (1: an input not wholly read, a part of the scan failed, or nothing could be judged) and its
    indicator rows."""

    hospital: str
    findings: int
    worst: str
    verdict: str
    exit: int
    indicators: list[dict[str, Any]] = field(default_factory=list)


class Engine(Protocol):
    name: str

    def ingest(self, dataset: Path, tasks: list[tuple[str, list[str]]], tz: str,
               on_done: Progress | None = None) -> None: ...

    def scan(self, dataset: Path, out: Path, hospitals: list[str], settings: Settings,
             on_done: Progress | None = None) -> list[Outcome]: ...

    def cross(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([batch.column(f.name).cast(f.type) for f in schema], schema=schema)


def _scan_outcome(dataset: Path, hospital: str, out: Path, settings: Settings) -> Outcome:
    from ..cli import exit_code
    result, rows = scan_one(dataset, hospital, out / hospital, settings)
    worst = max((f.severity for f in result.findings), default=None)
    level = result.verdict.level if result.verdict is not None else ""
    return Outcome(hospital, len(result.findings), worst.label if worst is not None else "-", str(level),
                   exit_code(result), rows)


def _tell(on_done: Progress | None, done: int, total: int) -> None:
    if on_done is not None:
        on_done(done, total)


class DuckDBEngine:
    """One machine: inputs read one after another, each written by DuckDB into the partitioned dataset."""

    name = "duckdb"

    def ingest(self, dataset: Path, tasks: list[tuple[str, list[str]]], tz: str,
               on_done: Progress | None = None) -> None:
        import duckdb
        schema = event_schema()
        con = duckdb.connect()
        (dataset / EVENTS).mkdir(parents=True, exist_ok=True)
        target = sql_literal(str(dataset / EVENTS))
        for n, (hospital, paths) in enumerate(tasks, start=1):
            batches = (_conform(b, schema) for b in ingest_one(dataset, hospital, paths, tz))
            reader = pa.RecordBatchReader.from_batches(schema, batches)
            con.register("batch", reader)
            pattern = sql_literal(task_tag(hospital, paths) + "_{i}")
            con.execute(f"COPY (SELECT * FROM batch) TO {target} (FORMAT parquet, COMPRESSION zstd, "
                        f"PARTITION_BY (hospital, host, day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN {pattern})")
            con.unregister("batch")
            for _ in batches:  # an input with no events: its network events and manifest entry are still written
                pass
            _tell(on_done, n, len(tasks))
        con.close()
        gather_manifests(dataset, self.name)

    def scan(self, dataset: Path, out: Path, hospitals: list[str], settings: Settings,
             on_done: Progress | None = None) -> list[Outcome]:
        outcomes = []
        for h in hospitals:
            outcomes.append(_scan_outcome(dataset, h, out, settings))
            _tell(on_done, len(outcomes), len(hospitals))
        return outcomes

    def cross(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return duckdb_query(query(), rows)

    def close(self) -> None:
        pass


class SparkEngine:
    """Apache Spark (`local[*]` unless a master URL is given): one task per input file to ingest, one task per
    hospital to scan (each runs the project's own readers and rules, with DuckDB inside the task), and the
    cross-hospital SQL on Spark itself. Paths must be on storage every worker sees."""

    name = "spark"

    def __init__(self, master: str | None = None, cores: int | None = None) -> None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this Python, with WardWatch
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        from pyspark.sql import SparkSession
        master = master or (f"local[{cores}]" if cores else "local[*]")
        self.spark = (SparkSession.builder.master(master).appName("wardwatch-isac")
                      .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                      .config("spark.sql.session.timeZone", "UTC")
                      .config("spark.sql.shuffle.partitions", str(max(2, (cores or os.cpu_count() or 2) * 2)))
                      .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                      .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_log_config()}")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")

    def _tasks(self, rows: list[Any], ddl: str) -> Any:
        """A DataFrame of one row per task, one partition each (no shuffle: each row is one Spark task)."""
        return self.spark.createDataFrame(self.spark.sparkContext.parallelize(rows, len(rows)), ddl)

    @contextmanager
    def _watched(self, total: int, on_done: Progress | None) -> Iterator[None]:
        """Tell on_done how many tasks of the jobs run inside have finished (Spark's status tracker, polled twice a
        second; told only when the number changes, so a terminal is never flooded)."""
        if on_done is None:
            yield
            return
        sc = self.spark.sparkContext
        group = f"wardwatch-{uuid.uuid4().hex[:12]}"
        sc.setJobGroup(group, "wardwatch isac")
        stop = threading.Event()

        def poll() -> None:
            tracker, told = sc.statusTracker(), 0
            while not stop.wait(0.5):
                try:
                    done = 0
                    for job in tracker.getJobIdsForGroup(group):
                        info = tracker.getJobInfo(job)
                        stages = [tracker.getStageInfo(s) for s in (info.stageIds if info else [])]
                        done += sum(s.numCompletedTasks for s in stages if s is not None)
                except Exception:  # a session stopping under it (a failed job): the job's own error is what counts
                    return
                if min(done, total) != told:
                    told = min(done, total)
                    on_done(told, total)

        watcher = threading.Thread(target=poll, name="wardwatch-progress", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()
            sc.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]  # clears the group
        on_done(total, total)

    def ingest(self, dataset: Path, tasks: list[tuple[str, list[str]]], tz: str,
               on_done: Progress | None = None) -> None:
        if not tasks:
            return
        schema = event_schema()
        ds = str(dataset)

        def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for b in batches:
                tasks = zip(b.column("hospital").to_pylist(), b.column("paths").to_pylist(), strict=True)
                for hospital, paths in tasks:
                    for events in ingest_one(Path(ds), hospital, paths, tz):
                        yield _conform(events, schema)

        frame = self._tasks(tasks, "hospital string, paths array<string>")
        with self._watched(len(tasks), on_done):
            (frame.mapInArrow(read, _spark_ddl(schema)).write.mode("append")
             .partitionBy("hospital", "host", "day").option("compression", "zstd").parquet(str(dataset / EVENTS)))
        gather_manifests(dataset, self.name)

    def scan(self, dataset: Path, out: Path, hospitals: list[str], settings: Settings,
             on_done: Progress | None = None) -> list[Outcome]:
        if not hospitals:
            return []
        import json
        ds, dest = str(dataset), str(out)

        def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for b in batches:
                for hospital in b.column("hospital").to_pylist():
                    o = _scan_outcome(Path(ds), hospital, Path(dest), settings)
                    rows = [{**r, "first_seen": _iso(r["first_seen"]), "last_seen": _iso(r["last_seen"])}
                            for r in o.indicators]
                    yield pa.RecordBatch.from_pylist([{"hospital": o.hospital, "findings": o.findings, "worst": o.worst,
                                                       "verdict": o.verdict, "exit": o.exit,
                                                       "indicators": json.dumps(rows)}])

        frame = self._tasks([(h,) for h in hospitals], "hospital string")
        with self._watched(len(hospitals), on_done):
            done = frame.mapInArrow(run, "hospital string, findings bigint, worst string, verdict string, exit bigint, "
                                         "indicators string").collect()
        outcomes = {r["hospital"]: Outcome(r["hospital"], r["findings"], r["worst"], r["verdict"], int(r["exit"]),
                                           [_from_iso(x) for x in json.loads(r["indicators"])]) for r in done}
        return [outcomes[h] for h in hospitals]

    def cross(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        table = pa.Table.from_pylist([{c: r[c] for c in INDICATOR_COLUMNS} for r in rows], schema=indicator_schema())
        self.spark.createDataFrame(table.to_pandas(), _indicator_ddl()).createOrReplaceTempView("indicators")
        return [_utc(r.asDict()) for r in self.spark.sql(spark_query()).collect()]

    def close(self) -> None:
        self.spark.stop()


def _log_config() -> str:
    """Spark's own log4j2 settings (errors only, on stderr): its start-up banner and warnings stay off the terminal."""
    return Path(str(resources.files("wardwatch.isac") / "log4j2.properties")).resolve().as_uri()


def _indicator_ddl() -> str:
    return ("hospital string, kind string, value string, rule string, first_seen timestamp, last_seen timestamp, "
            "n bigint")


def _iso(t: Any) -> str | None:
    return t.isoformat() if t is not None else None


def _from_iso(r: dict[str, Any]) -> dict[str, Any]:
    from datetime import datetime
    return {**r, **{k: datetime.fromisoformat(r[k]) if r[k] else None for k in ("first_seen", "last_seen")}}


def _utc(r: dict[str, Any]) -> dict[str, Any]:
    """Spark gives timestamps back as naive local (session UTC) times: make them UTC-aware like DuckDB's."""
    from datetime import UTC
    return {k: v.replace(tzinfo=UTC) if hasattr(v, "tzinfo") and v is not None and v.tzinfo is None else v
            for k, v in r.items()}


def make_engine(name: str, master: str | None = None, cores: int | None = None) -> Engine:
    if name == "spark":
        return SparkEngine(master, cores)
    return DuckDBEngine()
