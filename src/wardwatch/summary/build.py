"""The management summary from whatever results are given: each layer of the Swiss cheese with the holes found in
the evidence (or 'not checked'), and the three decisions the worst holes call for."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import useryaml
from ..checks.spec import spec_for
from ..model import Severity

RESULTS = ("scan", "audit", "inventory", "checklist", "vuln")  # the commands whose --out folders are read
HOLE = Severity.MEDIUM  # a finding of this severity or worse is a hole; lower ones are remarks, not holes


class SummaryError(ValueError):
    """A result folder that cannot be read, with the file and what is wrong."""


@cache
def data() -> dict[str, Any]:
    raw = useryaml.load((resources.files("wardwatch.summary") / "layers.yml").read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


def layer_of(rule: str) -> str | None:
    """The layer a check's findings are holes in ('none': not a layer); None for a rule the data does not know."""
    table = data()["checklist"] if rule.startswith("checklist.") else data()["checks"]
    layer = table.get(rule.removeprefix("checklist."))
    return None if layer is None else str(layer)


@dataclass
class Hole:
    """One kind of hole in a layer: the check, its words, how many findings and the worst of them."""

    rule: str
    title: str
    count: int
    severity: Severity
    hosts: set[str] = field(default_factory=set)


@dataclass
class Layer:
    id: str
    name: str
    status: str  # holes / solid / unchecked
    holes: list[Hole]

    @property
    def worst(self) -> Severity:
        return max((h.severity for h in self.holes), default=Severity.INFO)


@dataclass
class Summary:
    layers: list[Layer]
    decisions: list[dict[str, str]]
    given: list[str]
    verdict: dict[str, Any] | None  # the scan's verdict, when a scan was given
    other: int  # findings of checks no layer knows (Sigma rules, a user's own rules)


def read_results(folders: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Each given result folder's findings.json (a missing or broken one is a SummaryError naming it)."""
    out = {}
    for kind, folder in folders.items():
        path = folder / "findings.json" if folder.is_dir() else folder
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SummaryError(f"{path}: not found (give the --out folder of `wardwatch {kind}`)") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise SummaryError(f"{path}: not readable as findings.json ({type(exc).__name__})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
            raise SummaryError(f"{path}: not a WardWatch findings.json (no findings list)")
        out[kind] = doc
    return out


def _title(f: dict[str, Any], lang: str) -> str:
    spec = spec_for(str(f.get("rule", "")))
    return spec.title.get(lang) if spec is not None and spec.title.get(lang) else str(f.get("title") or f.get("rule"))


def summarise(results: dict[str, dict[str, Any]], lang: str) -> Summary:
    holes: dict[str, dict[str, Hole]] = {}
    other = 0
    for doc in results.values():
        for f in doc["findings"]:
            rule = str(f.get("rule", ""))
            layer = layer_of(rule)
            if layer is None:
                other += 1
                continue
            sev = Severity.parse(str(f.get("severity", "info")))
            if layer == "none" or sev < HOLE:
                continue
            hole = holes.setdefault(layer, {}).setdefault(rule, Hole(rule, _title(f, lang), 0, sev))
            hole.count += 1
            hole.severity = max(hole.severity, sev)
            if f.get("host"):
                hole.hosts.add(str(f["host"]))
    layers = []
    for d in data()["layers"]:
        found = sorted(holes.get(d["id"], {}).values(), key=lambda h: (-h.severity, -h.count, h.rule))
        checked = any(kind in results for kind in d["covered_by"])
        status = "holes" if found else "solid" if checked else "unchecked"
        layers.append(Layer(d["id"], str(d["name"][lang if lang == "en" else "ja"]), status, found))
    worst = sorted((x for x in layers if x.holes), key=lambda x: (-x.worst, -sum(h.count for h in x.holes)))
    pick = "en" if lang == "en" else "ja"
    decisions = [{"layer": x.name, "text": str(data()["decisions"][x.id][pick]),
                  "effort": str(data()["decisions"][x.id]["effort"][pick])} for x in worst[:3]]
    verdict = results.get("scan", {}).get("verdict")
    return Summary(layers, decisions, [k for k in RESULTS if k in results],
                   verdict if isinstance(verdict, dict) else None, other)


def as_json(s: Summary) -> dict[str, Any]:
    return {"given": s.given, "other_findings": s.other, "decisions": s.decisions,
            "layers": [{"id": x.id, "name": x.name, "status": x.status, "worst": x.worst.label if x.holes else None,
                        "holes": [{"rule": h.rule, "title": h.title, "count": h.count, "severity": h.severity.label,
                                   "hosts": len(h.hosts)} for h in x.holes]} for x in s.layers]}
