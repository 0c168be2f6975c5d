"""The ISAC dataset: many hospitals' normalized events in one Parquet dataset (Hive-style hospital=/host=/day=),
with a manifest of inputs and hashes per hospital. One input is read by the project's own readers and store."""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pds

from ..guard import Guard
from ..model import InputFile, ReadProblem
from ..store import COLUMNS, NETWORK_SCHEMA, EventStore, NetworkTable

EVENTS = "events"      # hospital=<name>/host=<HOST>/day=<YYYY-MM-DD>/*.parquet: the store's columns
NETWORK = "network"    # hospital=<name>/day=<YYYY-MM-DD>/*.parquet: the store's network columns
MANIFESTS = "manifest"  # <hospital>.json: what was read for it (path, SHA-256, events, problems)
PARTS = "_parts"       # manifest entries written by ingest tasks, gathered into <hospital>.json afterwards
SEGMENTS = "segments"  # <hospital>.csv: the hospital's `cidr,segment` CSV for its network logs (given at ingest)

# A hospital's name is a folder name in the dataset and a word in findings: letters (any script), digits, '.', '_',
# '-'; no '/', '=' or spaces, which Hive-style paths would have to escape.
_NAME = re.compile(r"^[\w][\w.-]{0,63}$")
BATCH_ROWS = 50_000


class DatasetError(ValueError):
    """A dataset or hospital name that cannot be used, with what is wrong."""


def check_hospital(name: str) -> str:
    if not _NAME.match(name):
        raise DatasetError(f"hospital name {name!r}: use 1–64 letters, digits, '.', '_' or '-' (no spaces or '/')")
    return name


@dataclass
class Ingested:
    """One input of one hospital as read: the manifest entry (InputFile as JSON) and where its events went."""

    hospital: str
    input: dict[str, Any]
    events: int = 0
    network: int | None = None  # the network events of a syslog input; None for any other input
    problems: list[str] = field(default_factory=list)


def input_dict(inp: InputFile) -> dict[str, Any]:
    d = asdict(inp)
    d["errors"] = [asdict(e) for e in inp.errors]
    return d


def input_from(d: dict[str, Any]) -> InputFile:
    return InputFile(d["path"], d["sha256"], int(d["size"]), int(d.get("events", 0)), str(d.get("format", "")),
                     [ReadProblem(**e) for e in d.get("errors", [])])


EVENT_SQL = ("SELECT " + ", ".join([*COLUMNS, "file"]) + ", CAST($hospital AS VARCHAR) AS hospital, "
             "coalesce(strftime(CAST(ts AS DATE), '%Y-%m-%d'), 'unknown') AS day FROM events")


def read_input(paths: list[str], hospital: str, tz: str, work: Path) -> tuple[list[InputFile], EventStore]:
    """Inputs (files, zips or folders) read into a store of their own under work: the readers, hashes and
    problems exactly as `wardwatch scan` has them. The caller takes the events (`EVENT_SQL`) and closes it."""
    store = EventStore(work / "store", threads=1)
    guard = Guard()
    from ..scan import ingest
    inputs = ingest([Path(p) for p in paths], store, guard=guard, tz=tz)
    for prob in guard.problems:  # the store itself failed: the inputs are named with what went wrong
        for inp in inputs or [InputFile(p, "", 0) for p in paths]:
            inp.errors.append(ReadProblem(inp.path, "-", f"{prob.stage}: {prob.message}"))
    return inputs, store


def event_batches(store: EventStore, hospital: str) -> Iterator[pa.RecordBatch]:
    """The store's events with the hospital and day columns, a batch at a time (memory stays flat)."""
    reader = store.con.sql(EVENT_SQL, params={"hospital": hospital}).to_arrow_reader(BATCH_ROWS)
    yield from reader


def network_table(network: NetworkTable, hospital: str) -> pa.Table:
    table = network.arrow()
    days = pa.array([t.strftime("%Y-%m-%d") if t else "unknown" for t in (e.time for e in network.events)], pa.string())
    return (table.append_column("hospital", pa.array([hospital] * table.num_rows, pa.string()))
            .append_column("day", days))


def write_network(dataset: Path, table: pa.Table, tag: str) -> None:
    """A hospital's network events of one input, appended to the dataset (Hive-style hospital=/day=)."""
    if table.num_rows:
        table = table.set_column(table.schema.get_field_index("file"), "file", table["file"].cast(pa.string()))
        pds.write_dataset(table, dataset / NETWORK, format="parquet", partitioning=["hospital", "day"],
                          partitioning_flavor="hive", basename_template=f"{tag}-{{i}}.parquet",
                          existing_data_behavior="overwrite_or_ignore")


def write_part(dataset: Path, item: Ingested, tag: str) -> None:
    """The manifest entry of one input (written by the task that read it; gathered by `gather_manifests`)."""
    folder = dataset / MANIFESTS / PARTS / item.hospital
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{tag}.json").write_text(json.dumps(asdict(item), ensure_ascii=False), encoding="utf-8")


def gather_manifests(dataset: Path, engine: str) -> dict[str, dict[str, Any]]:
    """The ingest tasks' entries merged into one manifest per hospital (an input read again replaces its entry)."""
    out: dict[str, dict[str, Any]] = {}
    parts = dataset / MANIFESTS / PARTS
    for folder in sorted(parts.glob("*")) if parts.is_dir() else []:
        manifest = read_manifest(dataset, folder.name)
        entries = {(i["path"], i["sha256"]): i for i in manifest.get("inputs", [])}
        for part in sorted(folder.glob("*.json")):
            item = json.loads(part.read_text(encoding="utf-8"))
            entries[(item["input"]["path"], item["input"]["sha256"])] = {**item["input"], "network": item["network"]}
        manifest.update({"hospital": folder.name, "engine": engine,
                         "inputs": sorted(entries.values(), key=lambda i: i["path"]),
                         "updated": datetime.now(UTC).isoformat(timespec="seconds")})
        (dataset / MANIFESTS / f"{folder.name}.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        out[folder.name] = manifest
    shutil.rmtree(parts, ignore_errors=True)
    return out


def read_manifest(dataset: Path, hospital: str) -> dict[str, Any]:
    path = dataset / MANIFESTS / f"{hospital}.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: not a readable manifest ({exc})") from None
    return data if isinstance(data, dict) else {}


def hospitals(dataset: Path) -> list[str]:
    """The hospitals of a dataset: those with a manifest (an ingest that read nothing still has one)."""
    return sorted(p.stem for p in (dataset / MANIFESTS).glob("*.json"))


def already_read(dataset: Path, hospital: str) -> set[str]:
    """The SHA-256 of every input already in the dataset for this hospital (read again, it would count twice)."""
    return {i["sha256"] for i in read_manifest(dataset, hospital).get("inputs", []) if i.get("sha256")}


def hospital_files(dataset: Path, hospital: str, kind: str = EVENTS) -> list[str]:
    folder = dataset / kind / f"hospital={hospital}"
    return sorted(str(p) for p in folder.rglob("*.parquet")) if folder.is_dir() else []


def hospital_store(dataset: Path, hospital: str, syslog_inputs: set[str] | None = None) -> EventStore:
    """An EventStore over one hospital's events and network events: the scan's rules run on it unchanged.
    syslog_inputs: the syslog inputs of its manifest (one without a network line still makes the network rules
    run, as in a scan)."""
    from ..netlog.parse import NetEvent
    network = NetworkTable()
    by_file: dict[str, list[NetEvent]] = {p: [] for p in sorted(syslog_inputs or ())}
    net_files = hospital_files(dataset, hospital, NETWORK)
    if net_files:
        table = pds.dataset(net_files, format="parquet").to_table(columns=[f.name for f in NETWORK_SCHEMA])
        for row in table.to_pylist():
            row["time"] = row.pop("ts")
            by_file.setdefault(row["file"], []).append(NetEvent(**row))
    for file, evs in by_file.items():
        network.add(sorted(evs, key=lambda e: e.line), file)
    return EventStore.over(hospital_files(dataset, hospital), network)


def save_segments(dataset: Path, hospital: str, path: Path) -> None:
    """Keep the hospital's segments CSV with its data (checked by the caller): its scan judges flows by it."""
    folder = dataset / SEGMENTS
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / f"{hospital}.csv")


def hospital_segments(dataset: Path, hospital: str) -> Path | None:
    path = dataset / SEGMENTS / f"{hospital}.csv"
    return path if path.is_file() else None


def work_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="wardwatch-isac-"))
