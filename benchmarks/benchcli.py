"""The command line the ../shared benchmarks share: --shared and --out, a check that ../shared holds what the script
reads (exit 2 with an "error" key otherwise), and the result printed as JSON (and written with --out)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser described by the script's first doc line, with --shared and --out."""
    ap = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path)
    return ap


def lacks(shared: Path, *parts: str) -> bool:
    """Print the error JSON and say True when ../shared lacks any of these paths."""
    missing = [p for p in parts if not (shared / p).exists()]
    if missing:
        print(json.dumps({"error": f"{shared} lacks {' or '.join(missing)}"}))
    return bool(missing)


def emit(result: dict[str, Any], out: Path | None) -> int:
    """Print the result as JSON and write it to out when given; exit status 0."""
    text = json.dumps(result, indent=1, ensure_ascii=False)
    if out:
        out.write_text(text, encoding="utf-8")
    print(text)
    return 0
