"""Code quality gates: ruff and mypy (settings in pyproject.toml) pass on src/, and say why when they do not."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m module args` from the project root, so that pyproject.toml's settings apply."""
    if not shutil.which(module) and subprocess.run([sys.executable, "-c", f"import {module}"],
                                                    capture_output=True).returncode != 0:
        pytest.fail(f"{module} is not installed: install the test extra (pip install -e '.[test]')")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff_finds_nothing_in_src() -> None:
    done = _run("ruff", "check", "--no-cache", "--output-format", "concise", "src")
    assert done.returncode == 0, f"ruff check src:\n{done.stdout}{done.stderr}"


def test_mypy_finds_nothing_in_src() -> None:
    done = _run("mypy", "--no-incremental")  # the files and strictness are in pyproject.toml ([tool.mypy])
    assert done.returncode == 0, f"mypy:\n{done.stdout}{done.stderr}"
