"""Shared test fixtures: the ../shared corpus (skipped when absent, failing under CI=true); facts checked strictly.

Builders and helpers live in tests/builders/; test modules import them from there, not from here."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from builders.corpus import CORPUS, DEEPBLUE, need

# A fact a check does not declare (or of another type) fails the test that made it, here and in the commands the
# tests run as child processes (checks/factspec.py); a user's run only logs it.
os.environ["WARDWATCH_STRICT_FACTS"] = "1"


@pytest.fixture
def deepblue() -> Path:
    return need(DEEPBLUE)


@pytest.fixture
def corpus() -> Path:
    return need(CORPUS)
