"""Held-out check: scan a folder of sample logs nobody on the project wrote (e.g. a public sample collection fetched
into /tmp, never into the project) and print, as JSON, which built-in rules fired on which file, grouped by the
folder the file sits in (ATT&CK technique folders in most collections), plus the files that could not be read.

    python benchmarks/heldout.py /tmp/heldout/files [--depth 3] [--out /tmp/heldout/out]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--depth", type=int, default=3, help="folder levels that name a group (default 3)")
    ap.add_argument("--out", type=Path, default=None, help="scan output folder (default: a temporary one)")
    ap.add_argument("--rules", type=Path, default=None, help="Sigma rules run beside the built-in ones")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="wardwatch-heldout-"))
    extra = ["--rules", str(args.rules), "--min-level", "medium"] if args.rules else []
    done = subprocess.run([sys.executable, "-m", "wardwatch", "scan", str(args.folder), "--out", str(out), *extra],
                          capture_output=True, text=True, check=False)
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    rules: dict[str, set[str]] = defaultdict(set)
    for f in doc["findings"]:
        for e in f["evidence"]:
            rules[e["file"]].add(f["rule"])
    files = sorted(p for p in args.folder.rglob("*") if p.is_file())
    groups: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for p in files:
        rel = p.relative_to(args.folder)
        group = "/".join(rel.parts[:min(args.depth, len(rel.parts) - 1)]) or "."
        groups[group][rel.name] = sorted(rules.get(str(p), set()))
    unreadable = [{"file": i["path"], "problems": [e["message"] for e in i["errors"]]}
                  for i in doc.get("inputs", []) if i.get("errors")]
    print(json.dumps({
        "folder": str(args.folder), "exit_code": done.returncode, "files": len(files),
        "files_with_a_finding": sum(1 for p in files if rules.get(str(p))),
        "findings": len(doc["findings"]), "with_problems": unreadable,
        "groups": {g: {"files": len(v), "with_a_finding": sum(1 for r in v.values() if r), "by_file": v}
                   for g, v in sorted(groups.items())},
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
