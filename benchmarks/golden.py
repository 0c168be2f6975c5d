"""Golden outputs of every command family (demo, corpus scan, audit, inventory, checklist, syslog scan), normalised.

    python benchmarks/golden.py write DIR     # run every case, keep its outputs under DIR/<case>/
    python benchmarks/golden.py compare A B   # print JSON: the files that differ between two such folders

Used to show that a refactoring keeps every output the same. Normalised: the temporary folder's path, the time of
the run, durations and the tool version; nothing else."""
from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "tests"))

VOLATILE_KEYS = {"generated_at", "seconds", "read_seconds", "tool", "elapsed", "events_per_second"}
KEEP = ("findings.json", "timeline.csv", "terminal.txt", "checklist.json")


def _run(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "PYTHONIOENCODING": "utf-8"}
    res = subprocess.run([sys.executable, "-m", "wardwatch", *args], cwd=cwd, env=env, capture_output=True,
                         text=True, encoding="utf-8", timeout=900)
    return f"exit {res.returncode}\n{res.stdout}{res.stderr}"


def _norm_json(value: Any) -> Any:
    if isinstance(value, dict):
        if str(value.get("path", "")).endswith((".zip", "findings.json")):  # hold their own write time
            value = {k: v for k, v in value.items() if k != "sha256"}
        return {k: _norm_json(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_norm_json(v) for v in value]
    return value


def _cases(work: Path) -> dict[str, list[list[str]]]:
    from builders.bundles import make_bundle
    from builders.inventories import segmented_hospital, write
    from builders.syslog import SEGMENTS, syslog_lines

    bundles = work / "bundles"
    bundles.mkdir()
    make_bundle(bundles, "EHR-DB01")
    make_bundle(bundles, "PACS-SV01", hardened=True, lang="en", ps="7")
    make_bundle(bundles, "RECEPT-PC3", drop=("services",), as_zip=True)
    inv = write(work, "inventory.yml", segmented_hospital())
    (work / "fw.log").write_text("\n".join(syslog_lines()) + "\n", encoding="utf-8")
    (work / "segments.csv").write_text(SEGMENTS, encoding="utf-8")
    cases = {
        "demo": [["demo", "--out", "demo"]],
        "audit": [["audit", "bundles", "--out", "audit"]],
        "inventory": [["inventory", "check", str(inv), "--out", "inventory", "--audit", "audit/findings.json"]],
        "checklist": [["checklist", "fill", "--inventory", str(inv), "--audit", "audit/findings.json",
                       "--out", "checklist"]],
        "syslog": [["syslog", "scan", "fw.log", "--segments", "segments.csv", "--out", "syslog", "--lang", "en"]],
        "scan-syslog": [["scan", "fw.log", "--segments", "segments.csv", "--out", "scan-syslog"]],
    }
    if (SHARED / "corpus" / "evtx").is_dir():
        cases["corpus"] = [["scan", str(SHARED / "corpus" / "evtx"), "--out", "corpus", "--lang", "en"]]
    return cases


def write(dest: Path) -> dict[str, Any]:
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for case, commands in _cases(work).items():
            texts = [_run(args, work) for args in commands]
            out = dest / case
            out.mkdir(exist_ok=True)
            (out / "terminal.txt").write_text(_paths("\n".join(texts), work), encoding="utf-8")
            produced = work / ("demo/result" if case == "demo" else case)
            for name in KEEP:
                src = produced / name
                if not src.is_file() or name == "terminal.txt":
                    continue
                text = src.read_text(encoding="utf-8")
                if name.endswith(".json"):
                    text = json.dumps(_norm_json(json.loads(text)), ensure_ascii=False, indent=1, sort_keys=True)
                text = _paths(text, work)
                (out / name).write_text(text, encoding="utf-8")
    return {"written": str(dest), "cases": sorted(p.name for p in dest.iterdir())}


def _paths(text: str, work: Path) -> str:
    text = text.replace(str(work), "<WORK>").replace(str(SHARED), "<SHARED>")
    text = re.sub(r"\(\d+\.\d+ s\)", "(<seconds>)", text)
    today = datetime.now(UTC)
    for day in {today, today.astimezone(timezone(timedelta(hours=9)))}:  # a line without a date is read as now
        text = re.sub(day.strftime("%Y-%m-%d") + r"[T ]\d\d:\d\d:\d\d(\.\d+)?", "<NOW>", text)
    return re.sub(r"wardwatch \d+\.\d+\.\d+\S*", "wardwatch <version>", text)


def compare(a: Path, b: Path) -> dict[str, Any]:
    names = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()} |
                   {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
    differ: dict[str, list[str]] = {}
    for name in names:
        x, y = a / name, b / name
        xs = x.read_text(encoding="utf-8").splitlines() if x.exists() else ["<absent>"]
        ys = y.read_text(encoding="utf-8").splitlines() if y.exists() else ["<absent>"]
        if xs != ys:
            differ[str(name)] = list(difflib.unified_diff(xs, ys, lineterm="", n=1))[:40]
    return {"files": len(names), "differ": len(differ), "diffs": differ}


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # the test bundles' SIDs use hash(): the same every run
        os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], {**os.environ, "PYTHONHASHSEED": "0"})
    if len(sys.argv) >= 3 and sys.argv[1] == "write":
        print(json.dumps(write(Path(sys.argv[2]))))
    elif len(sys.argv) >= 4 and sys.argv[1] == "compare":
        print(json.dumps(compare(Path(sys.argv[2]), Path(sys.argv[3])), ensure_ascii=False, indent=1))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
