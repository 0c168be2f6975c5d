"""Where the shared sample logs are (../shared), and need(): skip when absent, fail under CI=true."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"
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
