"""Benchmark `wardwatch isac` (issue 17): N generated hospitals ingested and scanned on DuckDB and on Spark.

Usage::

    python benchmarks/isac_bench.py [--hospitals 6] [--noise 20000] [--days 3] \\
        [--configs duckdb,spark:1,spark:2] [--out results.json]

It writes the logs of N hospitals (wardwatch.isac.synth: the OGMC replay at every other supplier group, staff
logons as noise with the hospital's own names, PCs and times, every 3 hospitals sharing one supplier), then runs
each configuration in a subprocess of its own: ingest every hospital's files into a fresh dataset (all hospitals'
tasks in one engine call), scan every hospital (the whole pipeline, one task each), then the cross-hospital SQL.
`spark:N` is Spark with `local[N]`. While a configuration runs, the parent polls /proc every 0.1 s and sums the
resident memory of the subprocess and all its descendants (the JVM and Spark's Python workers included).

Printed as one JSON object (and written to --out):

* ``input``: hospitals, events written, their bytes (JSON lines), and the generation's seconds.
* ``runs[config]``: ``seconds`` per phase (``start``: Spark's session; ``ingest``; ``scan``; ``cross``; ``total``),
  ``events_per_s`` per phase, ``phase_cpu_seconds`` and ``events_per_cpu_s`` (CPU of the process and its live
  descendants per phase: Spark's JVM works beside its Python workers, so local[1] busies more than one core),
  ``cpu_seconds`` of the whole process tree, ``peak_rss_mib`` (the sum over the tree
  at its highest) and ``peak_processes``; the dataset's Parquet bytes and ``parquet_bytes_per_event``; findings per
  hospital and the cross-hospital findings, ``same_as_first`` comparing them with the first configuration's.
* ``corpus``: the sample corpus (../shared/corpus/evtx) ingested by the DuckDB engine: input and Parquet bytes per
  event of real logs (``--no-corpus`` leaves it out).
* ``machine``: cores, load average before and after every run (the machine may be shared), versions.

The generated logs and datasets are in a temporary folder, deleted at the end (kept with --keep DIR).
The script runs itself as the child: ``isac_bench.py --child CONFIG LOGS WORK RESULT_JSON`` (internal).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

TZ = "Asia/Tokyo"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> dict[int, float]:
    """The process and all its descendants now (from /proc/<pid>/stat's parent ids), each with its CPU seconds."""
    parents: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # from the state on: ppid is 1, utime 11, stime 12
        pid = int(entry.name)
        parents.setdefault(int(fields[1]), []).append(pid)
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    out: dict[int, float] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        out[pid] = cpu.get(pid, 0.0)
        todo += parents.get(pid, [])
    return out


def _cpu_now() -> float:
    """CPU seconds so far of this process and its live descendants (Spark's JVM and Python workers)."""
    return sum(_tree(os.getpid()).values())


def _rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            continue
    return total


_reaped = [0.0]  # CPU seconds of the children reaped so far (getrusage counts them all together)


def run_config(config: str, logs: Path, work: Path) -> dict[str, Any]:
    """One configuration in a subprocess, its process tree's memory polled; the child's figures with the peak."""
    result = work / f"{config.replace(':', '-')}.json"
    load_before = os.getloadavg()
    proc = subprocess.Popen([sys.executable, __file__, "--child", config, str(logs), str(work), str(result)])
    peak, peak_procs = 0, 0
    cpu: dict[int, float] = {}  # CPU seconds of every process of the tree, as last seen
    while proc.poll() is None:
        tree = _tree(proc.pid)
        cpu.update(tree)
        rss = _rss(list(tree))
        if rss > peak:
            peak, peak_procs = rss, len(tree)
        time.sleep(0.1)
    own = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child's own to its end (the tree's last 0.1 s aside)
    cpu[proc.pid] = max(cpu.get(proc.pid, 0.0), own.ru_utime + own.ru_stime - _reaped[0])
    _reaped[0] = own.ru_utime + own.ru_stime
    if proc.returncode != 0 or not result.is_file():
        return {"error": f"the {config} run failed (exit {proc.returncode})"}
    out: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    out.update(cpu_seconds=round(sum(cpu.values()), 1), peak_rss_mib=round(peak / 2**20), peak_processes=peak_procs,
               load_average_before=[round(x, 2) for x in load_before],
               load_average_after=[round(x, 2) for x in os.getloadavg()])
    return out


def child(config: str, logs: Path, work: Path, result: Path) -> None:
    """Ingest, scan and look across hospitals on one engine, timing each phase."""
    from wardwatch.config import load_config
    from wardwatch.isac.cross import cross_findings
    from wardwatch.isac.dataset import EVENTS, NETWORK, hospitals, read_manifest
    from wardwatch.isac.engines import make_engine
    from wardwatch.isac.hospitals import Settings, tasks_of

    name, _, cores = config.partition(":")
    ds, out = work / f"ds-{config.replace(':', '-')}", work / f"out-{config.replace(':', '-')}"
    names = sorted(p.name for p in logs.iterdir() if p.is_dir())
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    marks = [(time.perf_counter(), _cpu_now())]

    def mark(phase: str) -> None:  # wall and CPU seconds (this process and its JVM and workers) since the last
        marks.append((time.perf_counter(), _cpu_now()))
        seconds[phase], cpu[phase] = marks[-1][0] - marks[-2][0], marks[-1][1] - marks[-2][1]

    engine = make_engine(name, cores=int(cores) if cores else None)
    mark("start")
    try:
        tasks = [task for h in names for task in tasks_of(h, sorted(f for f in (logs / h).rglob("*") if f.is_file()))]
        engine.ingest(ds, tasks, TZ)
        mark("ingest")
        outcomes = engine.scan(ds, out, hospitals(ds), Settings(load_config(), TZ, "en"))
        mark("scan")
        shared = cross_findings(engine.cross([r for o in outcomes for r in o.indicators]), TZ)
        mark("cross")
    finally:
        engine.close()
    seconds["total"] = time.perf_counter() - marks[0][0]
    events = sum(int(i["events"]) for h in names for i in read_manifest(ds, h)["inputs"])
    parquet = sum(f.stat().st_size for kind in (EVENTS, NETWORK) for f in (ds / kind).rglob("*.parquet"))
    result.write_text(json.dumps({
        "engine": name, "cores": int(cores) if cores else None, "tasks": len(tasks), "events": events,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "events_per_s": {k: round(events / seconds[k]) for k in ("ingest", "scan", "total") if seconds[k]},
        "phase_cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "events_per_cpu_s": {k: round(events / cpu[k]) for k in ("ingest", "scan") if cpu[k]},
        "parquet_bytes": parquet, "parquet_bytes_per_event": round(parquet / max(events, 1), 1),
        "findings": {o.hospital: o.findings for o in outcomes},
        "cross_findings": sorted(f"{f.rule} {f.facts['value']}: {' '.join(f.facts['hospitals'])}" for f in shared),
    }), encoding="utf-8")


def generate(logs: Path, count: int, noise: int, days: float) -> dict[str, Any]:
    from wardwatch.isac.synth import plans, write_hospital
    started = time.perf_counter()
    events = sum(write_hospital(logs / p.hospital, p, noise_events=noise, days=days) for p in plans(count))
    size = sum(f.stat().st_size for f in logs.rglob("*") if f.is_file())
    return {"hospitals": count, "noise_per_hospital": noise, "days": days, "events": events, "bytes": size,
            "bytes_per_event": round(size / max(events, 1), 1), "seconds": round(time.perf_counter() - started, 2)}


def corpus(path: Path, work: Path) -> dict[str, Any]:
    """Parquet bytes per event of real logs (the sample corpus, ingested by the DuckDB engine as one hospital): the
    generated noise repeats itself and compresses better than real events do."""
    if not path.is_dir():
        return {"error": f"{path} is missing"}
    from wardwatch.isac.dataset import EVENTS, read_manifest
    from wardwatch.isac.engines import DuckDBEngine
    from wardwatch.isac.hospitals import tasks_of
    files = sorted(f for f in path.rglob("*") if f.is_file())
    started, cpu = time.perf_counter(), time.process_time()
    DuckDBEngine().ingest(work / "corpus-ds", tasks_of("corpus", files), TZ)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    events = sum(int(i["events"]) for i in read_manifest(work / "corpus-ds", "corpus")["inputs"])
    parquet = sum(f.stat().st_size for f in (work / "corpus-ds" / EVENTS).rglob("*.parquet"))
    size = sum(f.stat().st_size for f in files)
    return {"files": len(files), "bytes": size, "events": events, "ingest_seconds": round(seconds, 2),
            "ingest_cpu_seconds": round(cpu, 2), "input_bytes_per_event": round(size / max(events, 1), 1),
            "parquet_bytes": parquet, "parquet_bytes_per_event": round(parquet / max(events, 1), 1)}


def machine() -> dict[str, Any]:
    versions = {}
    for pkg in ("wardwatch", "duckdb", "pyarrow", "pyspark", "sqlglot"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr.splitlines()
    return {"cpus": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "java": java[0] if java else None, "packages": versions,
            "date": datetime.now(UTC).isoformat(timespec="seconds"), "load_average": list(os.getloadavg())}


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--hospitals", type=int, default=6)
    ap.add_argument("--noise", type=int, default=20_000, help="staff logon events per hospital")
    ap.add_argument("--days", type=float, default=3, help="days the noise is spread over")
    ap.add_argument("--configs", default="duckdb,spark:1,spark:2")
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus" / "evtx",
                    help="real logs whose Parquet bytes per event are measured too")
    ap.add_argument("--no-corpus", dest="corpus", action="store_const", const=None)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--keep", type=Path, help="keep the logs, datasets and results in this folder")
    ap.add_argument("--child", nargs=4, metavar=("CONFIG", "LOGS", "WORK", "RESULT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]), Path(args.child[3]))
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="isac-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        facts = machine()
        report: dict[str, Any] = {"input": generate(work / "logs", args.hospitals, args.noise, args.days), "runs": {}}
        for config in args.configs.split(","):
            report["runs"][config] = run_config(config, work / "logs", work)
        if args.corpus is not None:
            report["corpus"] = corpus(args.corpus, work)
        runs = [r for r in report["runs"].values() if "error" not in r]
        for r in runs:
            r["same_as_first"] = [r["findings"], r["cross_findings"]] == [runs[0]["findings"],
                                                                          runs[0]["cross_findings"]]
        report["machine"] = facts
        text = json.dumps(report, indent=1, ensure_ascii=False)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        print(text)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
