"""YAML a person wrote (settings, inventory, answers, tool lists): plain data or one YamlProblem with its line.

PyYAML raises more than YAMLError on odd text: ValueError for dates such as 2024-02-30, RecursionError for deep
nesting or an alias inside itself, and aliases can expand without bound ("billion laughs"). All become YamlProblem."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

MAX_VALUES = 1_000_000  # values in a file once aliases are expanded (YAML's "billion laughs" stops here)


class YamlProblem(ValueError):
    """Why the text is not usable YAML, with the 1-based line where PyYAML knows it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class _TooLarge(Exception):
    pass


def load(text: str) -> Any:
    """Parse YAML text into plain JSON-like data (string keys, dates as YYYY-MM-DD text)."""
    try:
        return _plain(yaml.safe_load(text), [MAX_VALUES])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlProblem(f"YAML syntax: {' '.join(str(exc).split())}", mark.line + 1 if mark else None) from None
    except ValueError as exc:  # PyYAML builds dates itself: 2024-02-30 raises "day is out of range for month"
        raise YamlProblem(f"not a valid YAML value ({exc}); quote it if it is text") from None
    except RecursionError:
        raise YamlProblem("nested too deeply, or an alias that contains itself") from None
    except _TooLarge:
        raise YamlProblem(f"more than {MAX_VALUES:,} values once aliases (*name) are expanded: "
                          "not a hand-written file") from None


def _plain(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge()
    if isinstance(value, dict):
        return {str(k): _plain(v, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, budget) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return value
