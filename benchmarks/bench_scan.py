"""Benchmark WardWatch scan throughput and peak memory against the bare evtx parser (issue #2).

Usage::

    python benchmarks/bench_scan.py [--events N] [--corpus PATH] [--top K] [--out results.json]

What it measures, printed as one JSON object on stdout (and written to ``--out`` when given):

* ``dense``: a temporary folder of *copies* of the K densest ``.evtx`` files of the corpus (most
  records per file), repeated until it holds at least N events (default 1,000,000).
  - ``parser``: the bare ``evtx.PyEvtxParser(...).records_json()`` loop, touching each record's
    JSON string (``len(r["data"])``), no decoding: the upper bound any scan can reach.
  - ``scan``: ``wardwatch.scan.run_scan`` over the folder, in a separate subprocess so that its peak
    memory (``ru_maxrss`` and ``VmHWM``) is its own; wall time, events/s, ``read_seconds``, peak RSS
    MiB and findings by rule.
  - ``ratio``: scan events/s ÷ bare parser events/s. Target: ``>= 0.5``.
  Parser and scan run ``--repeats`` times (default 3), alternating so that each pair shares the
  machine's state; ``parser`` and ``scan`` are the median runs, ``ratio`` is theirs, and ``runs``
  lists every pair's throughputs and own ratio (a shared machine varies by 10% and more).
  The copies repeat the same hosts, accounts and timestamps, so the rules see a few very large,
  duplicated campaigns: a worst case for the correlation queries, not a typical log.
* ``dense_half``: the same scan over the first half of the dense folder, so a reader can see whether
  peak memory grows with the input (it should stay about flat: the store streams in batches).
* ``corpus``: the parser and the scan over the corpus as it is (~300 small files; per-file overhead
  shows here).
* ``machine``: CPU count, Python, package versions, date, load average, and a hash of the
  wardwatch sources (``source_changed_during_run`` is true when a scan ran other code).

Scan fields: ``seconds`` is the wall time of ``run_scan`` (``events_per_s`` = events / seconds);
``read_seconds`` is the pipeline's own reading phase (inputs → Parquet store), ``after_read_seconds``
the rest (rules, incidents, reports); ``cpu_seconds`` / ``cores_busy`` show how parallel it ran;
``peak_rss_mib`` is the child's ``ru_maxrss`` and ``peak_vmhwm_mib`` its own address space's peak
(``ru_maxrss`` can start at the parent's peak, inherited through fork/exec: see
``rss_at_start_mib``); ``peak_rss_after_read_mib`` is the peak when the reading phase ended.
Run it on an otherwise idle machine.

The originals are only read; the temporary folder (copies and scan outputs) is deleted at the end.
If the corpus is missing, the JSON holds an ``"error"`` key and the exit status is 2.

The script runs itself as the scan subprocess: ``bench_scan.py --child-scan OUT_JSON SCAN_OUT_DIR INPUT...``
(internal; not meant to be called by hand).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypedDict, cast

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "evtx"
DEFAULT_EVENTS = 1_000_000
DEFAULT_TOP = 5
RATIO_TARGET = 0.5
CORPUS_PARSER_REPEATS = 3  # the as-is corpus parses in well under a second: best of a few runs
PACKAGES = ("wardwatch", "evtx", "duckdb", "pyarrow", "orjson")


class ParserResult(TypedDict):
    """Bare parser throughput over a set of files."""

    files: int
    events: int
    bytes: int
    seconds: float
    events_per_s: float
    cpu_seconds: float
    errors: list[str]


def _mib(kib: int) -> float:
    return round(kib / 1024, 1)


def _vm_hwm_kib() -> int | None:
    """Peak RSS of this process's own address space (VmHWM, KiB), from /proc; None where absent."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _maxrss_kib() -> int:
    """ru_maxrss of this process (KiB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def evtx_files(root: Path) -> list[Path]:
    """Every .evtx file under root, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".evtx")


def count_records(path: Path) -> int:
    """Number of records the parser yields for one file (0 when it cannot be opened)."""
    from evtx import PyEvtxParser

    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for _ in PyEvtxParser(str(path)).records_json():
                n += 1
        except Exception:  # damaged file: keep what was read
            pass
    return n


def bare_parse(files: list[Path]) -> ParserResult:
    """Iterate every record of every file with the bare parser, touching each JSON string."""
    from evtx import PyEvtxParser

    events = 0
    chars = 0
    errors: list[str] = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:
            try:
                records = cast(Iterator[dict[str, Any]], PyEvtxParser(str(f)).records_json())
                for r in records:
                    chars += len(r["data"])
                    events += 1
            except Exception as exc:  # damaged file: keep what was read, note it
                errors.append(f"{f.name}: {str(exc).splitlines()[0][:200]}")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "files": len(files),
        "events": events,
        "bytes": sum(f.stat().st_size for f in files),
        "seconds": round(seconds, 3),
        "events_per_s": round(events / seconds, 1) if seconds > 0 else 0.0,
        "cpu_seconds": round(cpu, 3),
        "errors": sorted(set(errors)),
    }


def best_parse(files: list[Path], repeats: int) -> ParserResult:
    """The fastest of several bare-parser runs (for inputs too small to time once)."""
    runs = [bare_parse(files) for _ in range(max(1, repeats))]
    return min(runs, key=lambda r: r["seconds"])


def build_dense(sources: list[tuple[Path, int]], target: int, dest: Path) -> dict[str, Any]:
    """Copy the sources round-robin into dest/part-a and dest/part-b until >= target events.

    part-a holds the first half of the events (by cumulative count), part-b the rest, so that
    scanning ``dest`` is the whole dense corpus and scanning ``dest/part-a`` is about half of it.
    Files are copied byte for byte (never linked); the originals are only read.
    """
    per_round = sum(n for _, n in sources)
    if per_round == 0:
        raise ValueError("the densest files hold no records")
    plan: list[tuple[Path, int]] = []
    total = 0
    i = 0
    while total < target:
        src, n = sources[i % len(sources)]
        plan.append((src, n))
        total += n
        i += 1
    half_a = dest / "part-a"
    half_b = dest / "part-b"
    half_a.mkdir(parents=True)
    half_b.mkdir(parents=True)
    cumulative = 0
    events_a = 0
    files_a = 0
    for k, (src, n) in enumerate(plan):
        in_a = cumulative < total / 2
        folder = half_a if in_a else half_b
        shutil.copyfile(src, folder / f"{k:05d}-{src.name}")
        cumulative += n
        if in_a:
            events_a += n
            files_a += 1
    return {
        "files": len(plan),
        "events": total,
        "bytes": sum(src.stat().st_size for src, _ in plan),
        "half_files": files_a,
        "half_events": events_a,
        "sources": [{"file": str(src), "events": n, "bytes": src.stat().st_size} for src, n in sources],
    }


def run_scan_subprocess(inputs: list[Path], scan_out: Path, result_json: Path) -> dict[str, Any]:
    """Run the whole scan in a fresh interpreter (this script in --child-scan mode); its JSON report."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-scan", str(result_json), str(scan_out)]
    cmd += [str(p) for p in inputs]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0 or not result_json.exists():
        return {"error": f"scan subprocess exited {proc.returncode}", "stderr_tail": proc.stderr[-4000:]}
    report: dict[str, Any] = json.loads(result_json.read_text(encoding="utf-8"))
    report["process_wall_seconds"] = round(wall, 3)
    return report


def child_scan(result_json: Path, scan_out: Path, inputs: list[Path]) -> int:
    """The scan subprocess: run_scan over the inputs, then write timings, peak memory and findings."""
    rss_start = _maxrss_kib()
    import wardwatch.scan as scan_module
    from wardwatch.config import load_config

    config = load_config()
    tz = str(config.get("timezone", "Asia/Tokyo"))
    lang = str(config.get("lang", "ja"))
    rss_imported = _maxrss_kib()
    fingerprint = source_fingerprint()
    after_read: dict[str, int] = {}
    ingest = getattr(scan_module, "ingest", None)
    if callable(ingest):  # note the peak at the end of the reading phase, where the pipeline has one
        def ingest_noting_peak(*args: Any, **kwargs: Any) -> Any:
            out = ingest(*args, **kwargs)
            after_read["kib"] = _maxrss_kib()
            return out
        scan_module.ingest = ingest_noting_peak
    cpu_before = os.times()
    started = time.perf_counter()
    result = scan_module.run_scan(inputs, scan_out, config, tz, lang)
    seconds = time.perf_counter() - started
    cpu_after = os.times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    events = int(result.stats["events"])
    by_rule = Counter(f.rule for f in result.findings)
    problems = sum(len(i.errors) for i in result.inputs)
    maxrss = _maxrss_kib()
    hwm = _vm_hwm_kib()
    report = {
        "files": len(result.inputs),
        "events": events,
        "seconds": round(seconds, 3),
        "events_per_s": round(events / seconds, 1) if seconds > 0 else 0.0,
        "stats_seconds": result.stats.get("seconds"),
        "read_seconds": result.stats.get("read_seconds"),
        "after_read_seconds": round(seconds - float(result.stats.get("read_seconds") or 0), 3),
        "read_events_per_s": round(events / result.stats["read_seconds"], 1) if result.stats.get("read_seconds") else None,
        "cpu_seconds": round(cpu, 2),
        "cores_busy": round(cpu / seconds, 2) if seconds > 0 else None,
        "peak_rss_mib": _mib(maxrss),
        "peak_rss_after_read_mib": _mib(after_read["kib"]) if "kib" in after_read else None,
        "peak_vmhwm_mib": _mib(hwm) if hwm is not None else None,
        "rss_at_start_mib": _mib(rss_start),
        "rss_after_imports_mib": _mib(rss_imported),
        "findings": len(result.findings),
        "findings_by_rule": dict(sorted(by_rule.items())),
        "incidents": len(result.incidents),
        "input_problems": problems,
        "store_bytes": sum(p.stat().st_size for p in Path(result.stats["store"]).glob("*.parquet")),
        "wardwatch_source_sha256": fingerprint,
    }
    result_json.write_text(json.dumps(report), encoding="utf-8")
    return 0


def _load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every timing."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def source_fingerprint() -> str | None:
    """SHA-256 over the wardwatch package's .py/.yml files, to tell which code was measured."""
    try:
        import wardwatch
    except ImportError:
        return None
    root = Path(wardwatch.__file__).resolve().parent
    digest = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yml") and p.is_file()):
        digest.update(str(f.relative_to(root)).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def machine_facts() -> dict[str, Any]:
    """What the numbers were measured on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    mem_kib: int | None = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_kib = int(line.split()[1])
                    break
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "memory_mib": _mib(mem_kib) if mem_kib else None,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "versions": versions,
        "wardwatch_source_sha256": source_fingerprint(),
        "load_average_at_start": _load_average(),
    }


def _ratio(scan: dict[str, Any], parser: ParserResult) -> float | None:
    if "events_per_s" not in scan or not parser["events_per_s"]:
        return None
    return round(float(scan["events_per_s"]) / parser["events_per_s"], 3)


def _median_pair(pairs: list[tuple[ParserResult, dict[str, Any]]]
                 ) -> tuple[ParserResult, dict[str, Any], list[float | None]]:
    """The median parser run, the median scan run (by throughput) and every pair's own ratio."""
    ratios = [_ratio(sc, p) for p, sc in pairs]
    parsers = sorted((p for p, _ in pairs), key=lambda p: p["events_per_s"])
    scans = sorted((sc for _, sc in pairs), key=lambda sc: float(sc.get("events_per_s") or 0))
    return parsers[len(parsers) // 2], scans[len(scans) // 2], ratios


def benchmark(corpus: Path, events: int, top: int, repeats: int = 3) -> dict[str, Any]:
    """Every measurement of the module docstring, as one JSON-ready dict."""
    files = evtx_files(corpus)
    if not files:
        return {"error": f"no .evtx files under {corpus}"}
    counts = sorted(((f, count_records(f)) for f in files), key=lambda fc: (-fc[1], str(fc[0])))
    densest = [(f, n) for f, n in counts[:top] if n > 0]
    out: dict[str, Any] = {"benchmark": "wardwatch scan throughput (issue #2)", "machine": machine_facts(),
                           "settings": {"corpus": str(corpus), "target_events": events, "top_files": top,
                                        "ratio_target": RATIO_TARGET, "repeats": repeats}}

    with tempfile.TemporaryDirectory(prefix="wardwatch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        dense_dir = tmp / "dense"
        copy_started = time.perf_counter()
        layout = build_dense(densest, events, dense_dir)
        layout["copy_seconds"] = round(time.perf_counter() - copy_started, 3)
        dense_files = evtx_files(dense_dir)

        pairs: list[tuple[ParserResult, dict[str, Any]]] = []
        for _ in range(max(1, repeats)):  # parser and scan alternate: each pair shares the machine's state
            parsed = bare_parse(dense_files)
            pairs.append((parsed, run_scan_subprocess([dense_dir], tmp / "out-dense", tmp / "dense.json")))
            shutil.rmtree(tmp / "out-dense", ignore_errors=True)
        dense_parser, dense_scan, pair_ratios = _median_pair(pairs)
        half_scan = run_scan_subprocess([dense_dir / "part-a"], tmp / "out-half", tmp / "half.json")
        shutil.rmtree(tmp / "out-half", ignore_errors=True)

        corpus_parser = best_parse(files, CORPUS_PARSER_REPEATS)
        corpus_scan = run_scan_subprocess([corpus], tmp / "out-corpus", tmp / "corpus.json")

    dense_ratio = _ratio(dense_scan, dense_parser)
    out["dense"] = {"layout": layout, "parser": dense_parser, "scan": dense_scan, "ratio": dense_ratio,
                    "meets_target": dense_ratio is not None and dense_ratio >= RATIO_TARGET,
                    "runs": {"pair_ratios": pair_ratios,
                             "parser_events_per_s": [p["events_per_s"] for p, _ in pairs],
                             "scan_events_per_s": [sc.get("events_per_s") for _, sc in pairs]}}
    out["dense_half"] = {"scan": half_scan}
    if "peak_rss_mib" in dense_scan and "peak_rss_mib" in half_scan:
        out["memory_growth"] = {
            "half_events": half_scan.get("events"), "full_events": dense_scan.get("events"),
            "half_peak_rss_mib": half_scan["peak_rss_mib"], "full_peak_rss_mib": dense_scan["peak_rss_mib"],
            "full_over_half": round(dense_scan["peak_rss_mib"] / half_scan["peak_rss_mib"], 3)
            if half_scan["peak_rss_mib"] else None,
        }
    corpus_ratio = _ratio(corpus_scan, corpus_parser)
    out["corpus"] = {"parser": corpus_parser, "scan": corpus_scan, "ratio": corpus_ratio,
                     "meets_target": corpus_ratio is not None and corpus_ratio >= RATIO_TARGET}
    out["parent_peak_rss_mib"] = _mib(_maxrss_kib())
    out["load_average_at_end"] = _load_average()
    seen = {s.get("wardwatch_source_sha256") for s in (dense_scan, half_scan, corpus_scan)}
    seen.add(out["machine"]["wardwatch_source_sha256"])
    out["source_changed_during_run"] = len(seen) > 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the benchmark, print (and optionally save) the JSON."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["--child-scan"]:
        if len(args_list) < 4:
            print("usage: bench_scan.py --child-scan OUT_JSON SCAN_OUT_DIR INPUT...", file=sys.stderr)
            return 2
        return child_scan(Path(args_list[1]), Path(args_list[2]), [Path(p) for p in args_list[3:]])

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                        help=f"events in the dense corpus (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of .evtx files (default: shared/corpus/evtx beside the repository)")
    parser.add_argument("--top", type=int, default=DEFAULT_TOP,
                        help=f"how many of the densest files to repeat (default {DEFAULT_TOP})")
    parser.add_argument("--repeats", type=int, default=3,
                        help="parser and dense-scan runs, alternated; the medians are reported (default 3)")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(args_list)

    if not args.corpus.is_dir():
        result: dict[str, Any] = {"error": f"corpus folder not found: {args.corpus}"}
        status = 2
    elif args.events < 1 or args.top < 1:
        result = {"error": "--events and --top must be at least 1"}
        status = 2
    else:
        result = benchmark(args.corpus.resolve(), args.events, args.top, args.repeats)
        status = 2 if "error" in result else 0
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
