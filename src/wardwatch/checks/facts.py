"""Facts every check shares, read from data once: the ports to watch between segments (seed 002)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def _ports_file() -> dict[str, Any]:
    return dict(yaml.safe_load((resources.files("wardwatch.checks") / "ports.yml").read_text("utf-8")))


def port_rows() -> list[dict[str, Any]]:
    """Every watched port with its service name and category, as in ports.yml."""
    return [dict(p) for p in _ports_file()["ports"]]


@lru_cache(maxsize=1)
def _watched() -> tuple[tuple[int, str], ...]:
    return tuple((int(p["port"]), str(p["name"])) for p in _ports_file()["ports"])


def watched_ports() -> dict[int, str]:
    """Port → service name of the ports the seed says to watch (and block) between segments."""
    return dict(_watched())
