"""Data types of the Sigma engine: a rule's load status and its compiled, cacheable form."""
from __future__ import annotations

import marshal
from dataclasses import dataclass, field, fields
from typing import Any

LEVELS = ("informational", "low", "medium", "high", "critical")


@dataclass
class RuleStatus:
    """Whether one rule (or one bad file) will run, and why not."""

    id: str
    title: str
    file: str
    will_run: bool
    reason: str = ""
    level: str = ""
    kind: str = "detection"  # detection | correlation | file (a file that gave no rule)


@dataclass
class CompiledRule:
    """One Sigma rule compiled to an AST (detection) or to a window spec (correlation).

    Plain data, so that marshal can cache it."""

    id: str
    title: str
    file: str
    level: str
    kind: str = "detection"
    name: str = ""  # the rule's `name:` (correlations may refer to it)
    title_ja: str = ""
    description: str = ""
    falsepositives: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    will_run: bool = True
    reason: str = ""
    # detection rules
    logsource: str = ""  # key of logsources.sources()
    ast: list[Any] = field(default_factory=list)  # the detection as a small JSON tree (compiler.py)
    sql: str = ""  # boolean SQL over the group table's columns (empty: compiler.to_sql(ast) when needed)
    fields: dict[str, str] = field(default_factory=dict)  # field → column kinds used ('l' lowered, 'r' raw)
    event_ids: list[int] | None = None  # the rule can only match these event ids (None: any)
    needs: list[list[list[str]]] = field(default_factory=list)  # CNF of (field, kind, literal) a match needs
    program: Any = None  # the detection as Python (pyeval.Program: a code object and what it reads), or None
    # correlation rules
    correlation: dict[str, Any] = field(default_factory=dict)
    # `ast` and `needs` as marshal bytes (how the cache holds them): a cached rule's detection is a few dozen
    # lists the Python engine never reads (its program has all it needs), so they are unpacked on first use only
    packed: bytes = field(default=b"", compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}  # values are plain data already
        if not data["packed"] and (self.ast or self.needs):
            data["packed"] = marshal.dumps((self.ast, self.needs))
        data["ast"], data["needs"] = [], []
        return data

    def __getattr__(self, name: str) -> Any:
        """`ast` and `needs` of a rule from the cache, unpacked when first read (see from_dict)."""
        packed = self.__dict__.get("packed")
        if name in ("ast", "needs") and packed:
            self.ast, self.needs = marshal.loads(packed)
            return self.__dict__[name]
        raise AttributeError(name)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompiledRule:
        rule = cls(**data)
        if rule.packed:
            del rule.ast, rule.needs  # read through __getattr__, which unpacks them
        return rule

    def status(self) -> RuleStatus:
        return RuleStatus(self.id, self.title, self.file, self.will_run, self.reason, self.level, self.kind)
