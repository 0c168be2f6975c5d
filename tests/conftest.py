"""Shared test fixtures: the ../shared corpus (skipped when absent, failing under CI=true) and scan helpers."""
from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from wardwatch.config import load_config
from wardwatch.demo import Ev, to_json
from wardwatch.scan import run_scan

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "evtx"
DEEPBLUE = CORPUS / "DeepBlueCLI"


def need(path: Path) -> Path:
    """Skip with a reason when shared test data is absent (a user's clone); fail under CI=true."""
    if not path.exists():
        msg = f"shared test data not found at {path} (clone the project with ../shared beside it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " — required in CI")
        pytest.skip(msg)
    return path


@pytest.fixture
def deepblue() -> Path:
    return need(DEEPBLUE)


@pytest.fixture
def corpus() -> Path:
    return need(CORPUS)


def write_jsonl(path: Path, events: list[Ev]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    for n, ev in enumerate(events, start=1):
        ev.record_id = ev.record_id or n
    path.write_bytes(b"".join(orjson.dumps(to_json(e)) + b"\n" for e in events))
    return path


def scan(paths: list[Path], out: Path, config: dict | None = None, tz: str = "Asia/Tokyo", lang: str = "ja"):
    return run_scan(paths, out, config or load_config(), tz, lang)


def by_rule(result, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]
