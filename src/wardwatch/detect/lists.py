"""The value lists rules refer to with '@name': the attack-tool list (detect/tools.yml plus the user's
tools_file) and the suspicious service paths, typed."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Tool:
    """An attack or remote-access tool of the tool list: its name, kind, and the substrings that betray it."""

    name: str
    category: str
    match: tuple[str, ...]


@dataclass(frozen=True)
class ValueLists:
    """The value lists rules refer to with '@name' (detect/tools.yml plus the user's tools_file)."""

    tools: tuple[Tool, ...]
    suspicious_service_paths: tuple[str, ...]

    def __contains__(self, name: object) -> bool:
        return name in ("tools", "suspicious_service_paths")

    def __getitem__(self, name: str) -> list[str]:
        """The values of '@name': every tool's substrings for 'tools', the path patterns otherwise."""
        if name == "tools":
            return [m for t in self.tools for m in t.match]
        if name == "suspicious_service_paths":
            return list(self.suspicious_service_paths)
        raise KeyError(name)


def load_lists(config: dict[str, Any]) -> ValueLists:
    """The shipped tools file plus the user's additions (config checked it: see config._check_tools)."""
    raw = yaml.safe_load((resources.files("wardwatch.detect") / "tools.yml").read_text(encoding="utf-8"))
    tools, paths = list(raw.get("tools", [])), list(raw.get("suspicious_service_paths", []))
    extra = config.get("tools_file")
    if extra:
        more = yaml.safe_load(Path(extra).read_text(encoding="utf-8")) or {}
        tools += list(more.get("tools", []))
        paths += list(more.get("suspicious_service_paths", []))
    return ValueLists(tuple(Tool(str(t["name"]), str(t.get("category", "")), tuple(map(str, t["match"])))
                            for t in tools), tuple(map(str, paths)))
