"""The value lists rules refer to with '@name': the attack-tool list (detect/tools.yml plus the user's
tools_file) and the suspicious service paths, typed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Tool:
    """An attack or remote-access tool of the tool list: its name, kind, the substrings that betray it (in a
    process name, command line, service, file or product name) and the regular expressions (command lines and
    service paths: the tool's arguments, in any order and with other flags between)."""

    name: str
    category: str
    match: tuple[str, ...]
    regex: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """Whether the text (any case) names this tool."""
        low = text.lower()
        return any(m.lower() in low for m in self.match) or any(re.search(r, text, re.IGNORECASE) for r in self.regex)


@dataclass(frozen=True)
class ValueLists:
    """The value lists rules refer to with '@name' (detect/tools.yml plus the user's tools_file)."""

    tools: tuple[Tool, ...]
    suspicious_service_paths: tuple[str, ...]

    def __contains__(self, name: object) -> bool:
        return name in ("tools", "tool_patterns", "suspicious_service_paths")

    def __getitem__(self, name: str) -> list[str]:
        """The values of '@name': every tool's substrings for 'tools', their regular expressions for
        'tool_patterns', the path patterns otherwise."""
        if name == "tools":
            return [m for t in self.tools for m in t.match]
        if name == "tool_patterns":
            return [r for t in self.tools for r in t.regex]
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
    return ValueLists(tuple(Tool(str(t["name"]), str(t.get("category", "")), tuple(map(str, t.get("match") or [])),
                                 tuple(map(str, t.get("regex") or [])))
                            for t in tools), tuple(map(str, paths)))
