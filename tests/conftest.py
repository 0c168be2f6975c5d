"""Shared test fixtures: the ../shared corpus (skipped when absent, failing under CI=true).

Builders and helpers live in tests/builders/; test modules import them from there, not from here."""
from __future__ import annotations

from pathlib import Path

import pytest

from builders.corpus import CORPUS, DEEPBLUE, need


@pytest.fixture
def deepblue() -> Path:
    return need(DEEPBLUE)


@pytest.fixture
def corpus() -> Path:
    return need(CORPUS)
