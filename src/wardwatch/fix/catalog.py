"""The change catalog (changes.yml): which settings make which audit check pass, with bilingual texts."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..model import Text

KINDS = ("inf", "auditpol", "reg", "eventlog", "feature", "firewall")


@dataclass(frozen=True)
class RegValue:
    """One registry value a change sets (or deletes); secret values are never read back nor saved."""

    key: str  # HKEY_LOCAL_MACHINE\...
    name: str
    type: str = "dword"  # dword | sz
    value: Any = None
    delete: bool = False
    secret: bool = False


@dataclass(frozen=True)
class ChangeSpec:
    """One entry of changes.yml."""

    id: str
    fixes: tuple[str, ...]
    kind: str
    seed: str
    title: Text
    lesson: Text
    risk: Text
    undo: Text
    gpo: Text
    coordinate: str = ""
    section: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # inf
    subcategories: tuple[dict[str, Any], ...] = ()  # auditpol
    inf_registry: dict[str, str] = field(default_factory=dict)  # auditpol: [Registry Values] lines for secpol.inf
    setting: str = ""  # eventlog: max_size | retention
    file: str = ""  # reg
    reg: tuple[RegValue, ...] = ()
    firewall: bool = False
    feature: str = ""
    group: str = ""  # firewall: the rule group whose remote addresses are limited
    keep_better: dict[str, str] = field(default_factory=dict)  # inf: value -> lower | higher (a stricter one is kept)


class CatalogError(ValueError):
    """changes.yml is not as documented at its top."""


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict) or not value.get("ja") or not value.get("en"):
        raise CatalogError(f"changes.yml: {where}: needs ja and en texts")
    return Text(str(value["ja"]), str(value["en"]))


def parse_catalog(raw: dict[str, Any]) -> tuple[dict[str, ChangeSpec], dict[str, Text]]:
    changes: dict[str, ChangeSpec] = {}
    for cid, spec in (raw.get("changes") or {}).items():
        kind = spec.get("kind")
        if kind not in KINDS:
            raise CatalogError(f"changes.yml: {cid}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        reg = tuple(RegValue(str(v["key"]), str(v["name"]), str(v.get("type", "dword")), v.get("value"),
                             bool(v.get("delete", False)), bool(v.get("secret", False))) for v in spec.get("values") or []
                    ) if kind == "reg" else ()
        if kind == "reg" and not spec.get("file", "").endswith(".reg"):
            raise CatalogError(f"changes.yml: {cid}: a reg change needs file: NAME.reg")
        changes[cid] = ChangeSpec(
            id=cid, fixes=tuple(spec.get("fixes") or ()), kind=kind, seed=str(spec.get("seed", "")),
            title=_text(spec.get("title"), f"{cid}.title"), lesson=_text(spec.get("lesson"), f"{cid}.lesson"),
            risk=_text(spec.get("risk"), f"{cid}.risk"), undo=_text(spec.get("undo"), f"{cid}.undo"),
            gpo=_text(spec.get("gpo"), f"{cid}.gpo"), coordinate=str(spec.get("coordinate", "")),
            section=str(spec.get("section", "")), values=dict(spec.get("values") or {}) if kind == "inf" else {},
            subcategories=tuple(spec.get("subcategories") or ()), inf_registry=dict(spec.get("inf_registry") or {}),
            setting=str(spec.get("setting", "")), file=str(spec.get("file", "")), reg=reg,
            firewall=bool(spec.get("firewall", False)), feature=str(spec.get("feature", "")),
            group=str(spec.get("group", "")), keep_better=dict(spec.get("keep_better") or {}))
    notes = {k: _text(v, f"notes.{k}") for k, v in (raw.get("notes") or {}).items()}
    for c in changes.values():
        if c.coordinate and c.coordinate not in notes:
            raise CatalogError(f"changes.yml: {c.id}: coordinate {c.coordinate!r} is not under notes")
    return changes, notes


@lru_cache(maxsize=1)
def load_catalog() -> tuple[dict[str, ChangeSpec], dict[str, Text]]:
    text = (resources.files("wardwatch.fix") / "changes.yml").read_text(encoding="utf-8")
    return parse_catalog(yaml.safe_load(text))


def by_check() -> dict[str, list[ChangeSpec]]:
    """audit check name -> the changes that fix it."""
    out: dict[str, list[ChangeSpec]] = {}
    for c in load_catalog()[0].values():
        for check in c.fixes:
            out.setdefault(check, []).append(c)
    return out
