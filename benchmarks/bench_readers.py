"""Benchmark the text readers: wevtutil XML and JSON lines, events/s and peak memory (flat with the input?).

Usage::

    python benchmarks/bench_readers.py [--events 200000] [--out results.json]

Writes, in a temporary folder, a bare `wevtutil qe /f:xml` export and a JSON-lines file of `--events` events
(the demo scenario's events repeated with new record numbers), then reads each one in a fresh subprocess
through `wardwatch.sources.read_sources` (as a scan does, hashing included) and prints one JSON object:
per format, for the whole file and for its first half, the events read, seconds, events/s and the
subprocess's peak RSS (`VmHWM`, MiB). Peak memory about equal for both sizes means the reader streams.
The script runs itself as the reading subprocess (``--child FILE``; internal).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVENTS = 200_000


def _vm_hwm_mib() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def child(path: Path) -> int:
    """Read one file as a scan does; print events, seconds and peak memory as JSON."""
    sys.path.insert(0, str(ROOT / "src"))
    from wardwatch.sources import read_sources

    started = time.perf_counter()
    events = 0
    problems = 0
    for inp, records in read_sources([path]):
        for _ in records:
            events += 1
        problems += len(inp.errors)
    seconds = time.perf_counter() - started
    print(json.dumps({"events": events, "problems": problems, "seconds": round(seconds, 3),
                      "events_per_s": round(events / seconds) if seconds else 0, "peak_rss_mib": _vm_hwm_mib()}))
    return 0


def write_inputs(folder: Path, count: int) -> dict[str, tuple[Path, Path]]:
    """(whole, first half) of an XML export and a JSON-lines file of `count` events each."""
    import orjson

    sys.path.insert(0, str(ROOT / "src"))
    from wardwatch.demo import scenario, to_json, to_xml

    base = [e for events in scenario().values() for e in events]
    out: dict[str, tuple[Path, Path]] = {}
    for fmt in ("xml", "jsonl"):
        paths = []
        for label, n in (("whole", count), ("half", count // 2)):
            path = folder / f"{label}.{fmt}"
            with open(path, "wb") as fh:
                for i in range(n):
                    ev = base[i % len(base)]
                    ev.record_id = i + 1
                    fh.write(to_xml(ev).encode() + b"\r\n" if fmt == "xml" else orjson.dumps(to_json(ev)) + b"\n")
            paths.append(path)
        out[fmt] = (paths[0], paths[1])
    return out


def measure(path: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(path)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(proc.stdout)
    result["bytes"] = path.stat().st_size
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    with tempfile.TemporaryDirectory(prefix="wardwatch-readers-") as tmp:
        inputs = write_inputs(Path(tmp), args.events)
        result = {fmt: {"whole": measure(whole), "half": measure(half)} for fmt, (whole, half) in inputs.items()}
    text = json.dumps({"benchmark": "wardwatch text readers", "events": args.events, **result}, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
