"""The facts a check writes into its findings (Finding.facts, findings.json "facts"): what each name means (once, in
facts.yml), each check's declaration of the names it writes with their types, the check `finding.make` runs on
them, and the one way readers take a fact (`fact`), by a declared name.

A check declares its facts in its own file under `facts:`, a mapping of name to type; `name?` marks a fact its
findings do not always carry, and `{type: ..., ja: ..., en: ...}` gives a name a narrower meaning for that check
(every name is in facts.yml).
Facts that every check of a family writes (audit, network, Sigma, checklist) are declared once in facts.yml under
`families:`. Types: str, int, number (int or float), bool, time (a UTC datetime; ISO text in findings.json), map,
list, list[str], list[int], list[map]; `T | null` when the value may be null.

A fact a check does not declare, or of another type, is a programming error: `make` raises FactError when
WARDWATCH_STRICT_FACTS is set (the tests set it) and otherwise keeps the finding as it is and logs the problem at
debug level, so that a user never meets it as a crash."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from ..model import Finding, Text

STRICT_ENV = "WARDWATCH_STRICT_FACTS"
_LOG = logging.getLogger(__name__)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _list_of(item: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, (list, tuple)) and all(item(x) for x in v)


_SCALARS: dict[str, Callable[[Any], bool]] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _number,
    "bool": lambda v: isinstance(v, bool),
    "time": lambda v: isinstance(v, datetime),
    "map": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, (list, tuple)),
}
TYPES: dict[str, Callable[[Any], bool]] = {
    **_SCALARS, **{f"list[{t}]": _list_of(_SCALARS[t]) for t in ("str", "int", "map")}}


class FactError(TypeError):
    """A fact its check does not declare, a declared fact missing, or a value of another type (a programming
    error: the check's code and its declaration disagree)."""


@dataclass(frozen=True)
class Fact:
    """One declared fact: its name, type (see TYPES; `| null` allows None), meaning, whether it may be absent, and
    the family that declares it for all its checks ("" when the check itself does)."""

    name: str
    type: str
    meaning: Text
    optional: bool = False
    family: str = ""

    def accepts(self, value: Any) -> bool:
        base, _, null = self.type.partition(" | ")
        return (value is None and null == "null") or TYPES[base](value)


FactDecl = dict[str, Fact]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return dict(yaml.safe_load((resources.files("wardwatch.checks") / "facts.yml").read_text("utf-8")))


@lru_cache(maxsize=1)
def meanings() -> Mapping[str, Text]:
    """Every fact name a check may write, with its meaning (ja, en)."""
    return {str(k): Text(str(v["ja"]), str(v["en"])) for k, v in _data()["facts"].items()}


def _type(value: Any, where: str) -> str:
    base, _, null = str(value).partition(" | ")
    if base not in TYPES or null not in ("", "null"):
        raise ValueError(f"{where}: unknown fact type {value!r} (known: {', '.join(TYPES)}, each may add ' | null')")
    return str(value)


def declare(raw: Any, where: str, error: type[ValueError] = ValueError) -> FactDecl | None:
    """A `facts:` declaration ({name: type}, `name?` optional, or {name: {type, ja, en}}) checked and resolved
    against the meanings in facts.yml; None when there is none (a check that says nothing of its facts)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise error(f"{where}: 'facts' must be a mapping of fact name to type")
    known = meanings()
    out: FactDecl = {}
    for key, value in raw.items():
        name, optional = str(key).removesuffix("?"), str(key).endswith("?")
        own = value if isinstance(value, dict) else {"type": value}
        if name not in known:
            raise error(f"{where}: fact {name!r} is not in checks/facts.yml (every fact name has its meaning there)")
        try:
            kind = _type(own.get("type"), f"{where} fact {name!r}")
        except ValueError as exc:
            raise error(str(exc)) from None
        meaning = Text(str(own["ja"]), str(own["en"])) if "ja" in own and "en" in own else known[name]
        out[name] = Fact(name, kind, meaning, optional)
    return out


def families() -> list[str]:
    """The names of the families declared in facts.yml."""
    return [str(k) for k in _data()["families"]]


@cache
def family(name: str) -> FactDecl:
    """The facts every check of a family writes (facts.yml `families:`), or a check made in code declares there."""
    decl = declare(_data()["families"][name], f"checks/facts.yml families.{name}") or {}
    return {k: replace(f, family=name) for k, f in decl.items()}


def with_family(name: str, own: FactDecl | None) -> FactDecl | None:
    """A check's own declaration with its family's facts added (None stays None: the check declares nothing)."""
    return None if own is None else {**family(name), **own}


def problems(declared: FactDecl | None, facts: Mapping[str, Any]) -> list[str]:
    """What is wrong with facts against a declaration: undeclared names, values of another type, required facts
    missing. Nothing for a check that declares nothing."""
    if declared is None:
        return []
    out = [f"undeclared fact {k!r}" for k in facts if k not in declared]
    out += [f"fact {k!r} is {type(v).__name__}, declared {declared[k].type}" for k, v in facts.items()
            if k in declared and not declared[k].accepts(v)]
    out += [f"fact {k!r} missing" for k, d in declared.items() if not d.optional and k not in facts]
    return out


def check(rule: str, declared: FactDecl | None, facts: Mapping[str, Any]) -> None:
    """Raise FactError (strict: the tests) or log (a user's run) when facts disagree with their declaration."""
    wrong = problems(declared, facts)
    if not wrong:
        return
    text = f"{rule}: {'; '.join(wrong)}"
    if os.environ.get(STRICT_ENV):
        raise FactError(text)
    _LOG.debug("facts not as declared: %s", text)


def fact(finding: Finding | Mapping[str, Any], name: str, default: Any = None) -> Any:
    """A finding's fact by its declared name (a Finding, or one read back from findings.json); default when the
    finding does not carry it. A name no check can write is a programming error (KeyError)."""
    if name not in meanings():
        raise KeyError(f"{name!r} is not a fact any check declares (checks/facts.yml)")
    facts = finding.facts if isinstance(finding, Finding) else finding.get("facts")
    return facts.get(name, default) if isinstance(facts, Mapping) else default
