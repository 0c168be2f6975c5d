"""The management summary from whatever results are given: each layer of the Swiss cheese with the holes found in
the evidence (or 'not checked' when no evidence read covers it), and the three decisions the holes call for."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import useryaml
from ..checks.spec import spec_for
from ..model import Severity
from ..report.messages import has, message

RESULTS = ("scan", "audit", "inventory", "checklist", "vuln")  # the commands whose --out folders are read
MADE_BY = {"scan": "wardwatch scan", "audit": "wardwatch audit bundles / audit passwords",
           "inventory": "wardwatch inventory check", "checklist": "wardwatch checklist fill",
           "vuln": "wardwatch vuln check"}
HOLE = Severity.MEDIUM  # a finding of this severity or worse is a hole; lower ones are remarks, not holes
SHOWN = 3  # decisions on the page


class SummaryError(ValueError):
    """A result folder that cannot be read, with the file and what is wrong."""


@cache
def data() -> dict[str, Any]:
    raw = useryaml.load((resources.files("wardwatch.summary") / "layers.yml").read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


@cache
def _items() -> dict[str, dict[str, Any]]:
    """The checklist's item data by id (its English names: name_en, number_en)."""
    from ..hospital.checklist import load_items
    return {str(it["id"]): it for it in load_items()["items"]}


def layer_of(rule: str) -> str | None:
    """The layer a check's findings are holes in ('none': not a layer); None for a rule the data does not know."""
    if rule.startswith("checklist."):
        item = data()["checklist"].get(rule.removeprefix("checklist."))
        return None if item is None else str(item["layer"])
    layer = data()["checks"].get(rule)
    return None if layer is None else str(layer)


@dataclass
class Hole:
    """One kind of hole in a layer: the check, its words, how many findings, on how many hosts, the worst of them."""

    rule: str
    title: str
    count: int
    severity: Severity
    hosts: set[str] = field(default_factory=set)
    where: list[str] = field(default_factory=list)  # a checklist item's device rows answered いいえ


@dataclass
class Layer:
    id: str
    name: str
    short: str
    status: str  # holes / solid / unchecked
    holes: list[Hole]
    checked_by: list[str]  # the results whose evidence covers this layer
    unanswered: list[str] = field(default_factory=list)  # the layer's checklist items left unanswered (numbers)
    could_check: list[str] = field(default_factory=list)  # results not given that would check it

    @property
    def worst(self) -> Severity:
        return max((h.severity for h in self.holes), default=Severity.INFO)


@dataclass
class Decision:
    """A decision for management: what to do, its rough effort, and the hole that calls for it."""

    id: str
    layer: str  # the full name of the layer whose hole calls for it
    label: str  # what the page puts before it: the layer's short name, or 今すぐ for a decision taken today
    text: str
    effort: str
    because: str
    urgent: bool


@dataclass
class Summary:
    layers: list[Layer]
    decisions: list[Decision]
    given: list[str]  # the results read, in RESULTS order
    dates: dict[str, str]  # result → when it was made (findings.json generated_at)
    unread: dict[str, str]  # result → why it could not be read (one line naming the file)
    verdict: dict[str, Any] | None  # the scan's verdict, when a scan was given
    other: int  # findings of checks no layer knows (Sigma rules, a user's own rules)


def _findings_file(folder: Path) -> Path:
    """A result's findings.json: the folder's own, or the demo's result/ under it; a file is taken as it is."""
    if not folder.is_dir():
        return folder
    for path in (folder / "findings.json", folder / "result" / "findings.json"):
        if path.is_file():
            return path
    return folder / "findings.json"


def read_one(kind: str, folder: Path) -> dict[str, Any]:
    """One result's findings.json, or a SummaryError naming the file and what is wrong."""
    path = _findings_file(folder)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SummaryError(f"{path}: not found (give the --out folder of `{MADE_BY[kind]}`)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SummaryError(f"{path}: not readable as findings.json ({type(exc).__name__}: {exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list) \
            or not all(isinstance(f, dict) for f in doc["findings"]):
        raise SummaryError(f"{path}: not a WardWatch findings.json (no list of findings)")
    return doc


def read_results(folders: dict[str, Path]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Each given result's findings.json, and one line for each that cannot be read (the rest are still used)."""
    out, unread = {}, {}
    for kind, folder in folders.items():
        try:
            out[kind] = read_one(kind, folder)
        except SummaryError as exc:
            unread[kind] = str(exc)
    return out, unread


def _at(doc: Any, path: str) -> Any:
    for part in path.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def _checklist_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    rows = _at(doc, "stats.rows")
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _unanswered(results: dict[str, dict[str, Any]], lang: str) -> dict[str, list[str]]:
    """Layer → the numbers of its checklist items with a row left unanswered, in the form's order (an item the form
    names by a word, 規程類, by its English name under en)."""
    out: dict[str, list[str]] = {}
    for r in _checklist_rows(results.get("checklist", {})):
        layer = layer_of(f"checklist.{r.get('item')}")
        number = str(r.get("number") or r.get("item"))
        if lang == "en":
            number = str(_items().get(str(r.get("item")), {}).get("number_en") or number)
        if not r.get("answer") and layer and layer != "none" and number not in out.setdefault(layer, []):
            out[layer].append(number)
    return out


def _covers(rule: dict[str, Any], layer: str, results: dict[str, dict[str, Any]]) -> bool:
    """Whether one checked_by entry holds: its result was read, and read what the layer needs."""
    doc = results.get(str(rule["result"]))
    if doc is None:
        return False
    if "has" in rule:
        found = _at(doc, str(rule["has"]))
        if not found or isinstance(found, bool):
            return False
    if "logs" in rule:
        read = _at(doc, "verdict.read.logs")
        if not isinstance(read, list) or not set(map(str, read)) & set(map(str, rule["logs"])):
            return False
    if rule.get("answered"):
        return any(r.get("answer") and layer_of(f"checklist.{r.get('item')}") == layer for r in _checklist_rows(doc))
    return True


def _title(f: dict[str, Any], lang: str) -> str:
    spec = spec_for(str(f.get("rule", "")))
    return spec.title.get(lang) if spec is not None and spec.title.get(lang) else str(f.get("title") or f.get("rule"))


def _checklist_title(f: dict[str, Any], rows: dict[str, dict[str, Any]], lang: str) -> tuple[str, str | None]:
    """A checklist hole in the page's words: 「いいえ」 or a conflict, the item's number and name; and its device."""
    row = rows.get(str((f.get("facts") or {}).get("row", "")))
    if row is None:  # a findings.json without its rows: the finding's own title
        return str(f.get("title") or f.get("rule")), None
    item = _items().get(str(row.get("item")), {})
    name, number = str(row.get("name")), str(row.get("number", ""))
    if lang == "en":
        name, number = str(item.get("name_en") or name), str(item.get("number_en") or number)
    kind = "conflict" if row.get("conflict") else "no"
    device = str(row.get("device") or "") or None
    if device:
        device = message(f"checklist.device.{device}", lang) if has(f"checklist.device.{device}") else device
    return message(f"summary.checklist.{kind}", lang, number=number, name=name), device


def _holes(results: dict[str, dict[str, Any]], lang: str) -> tuple[dict[str, dict[str, Hole]], int]:
    holes: dict[str, dict[str, Hole]] = {}
    other = 0
    for doc in results.values():
        rows = {str(r.get("row")): r for r in _checklist_rows(doc)}
        for f in doc["findings"]:
            rule = str(f.get("rule", ""))
            layer = layer_of(rule)
            if layer is None:
                other += 1
                continue
            sev = Severity.parse(str(f.get("severity", "info")))
            if layer == "none" or sev < HOLE:
                continue
            title, device = _checklist_title(f, rows, lang) if rule.startswith("checklist.") else \
                (_title(f, lang), None)
            key = f"{rule} {title}"  # a checklist item answered いいえ and one in conflict are two holes
            hole = holes.setdefault(layer, {}).setdefault(key, Hole(rule, title, 0, sev))
            hole.count += 1
            hole.severity = max(hole.severity, sev)
            if f.get("host"):
                hole.hosts.add(str(f["host"]))
            if device and device not in hole.where:
                hole.where.append(device)
    return holes, other


def _decision_for(rule: str, layer: str) -> str:
    """The decision a hole calls for: the first whose `for` names its check (or family), else its layer's."""
    for key, d in data()["decisions"].items():
        if any(rule == p or (str(p).endswith(".") and rule.startswith(str(p))) for p in d.get("for", [])):
            return str(key)
    return next(str(k) for k, d in data()["decisions"].items() if d.get("layer") == layer)


def effort_text(effort: dict[str, Any], lang: str) -> str:
    """'担当者 2〜5人日・費用 小〜中（今ある機器の設定変更）' from the data's structured effort."""
    lo, hi = effort["days"]
    return message("summary.effort_text", lang, by=message(f"summary.by.{effort['by']}", lang), lo=lo, hi=hi,
                   cost=message(f"summary.cost.{effort['cost']}", lang), note=effort["note"][lang])


def decide(layers: list[Layer], lang: str) -> list[Decision]:
    """The decisions the holes call for: one whose signs a hole shows first (the attack may be inside now), then
    those of the worst holes, one layer each while other layers have holes (the cheese is mended in several layers)."""
    found = [(h, x) for x in layers for h in x.holes]
    chosen: dict[str, tuple[Hole, Layer, bool]] = {}
    for key, d in data()["decisions"].items():
        signs = [(h, x) for h, x in found if h.rule in d.get("signs", [])]
        if signs:
            chosen[str(key)] = (*max(signs, key=lambda hx: (hx[0].severity, hx[0].count)), True)
    worst_first = sorted(found, key=lambda hx: (-hx[0].severity, -hx[0].count, layers.index(hx[1])))
    for distinct in (True, False):
        for h, x in worst_first:
            key = _decision_for(h.rule, x.id)
            if distinct and any(not urgent and lx.id == x.id for _, lx, urgent in chosen.values()):
                continue
            chosen.setdefault(key, (h, x, False))
    used: set[str] = set()
    out = []
    for key, (h, x, urgent) in list(chosen.items())[:SHOWN]:
        d = data()["decisions"][key]
        because = h if h.title not in used else next((o for o in x.holes if o.title not in used), h)
        used.add(because.title)
        out.append(Decision(key, x.name, message("summary.urgent", lang) if urgent else x.short, str(d[lang]),
                            effort_text(d["effort"], lang), because.title, urgent))
    return out


def summarise(results: dict[str, dict[str, Any]], lang: str, unread: dict[str, str] | None = None) -> Summary:
    lang = "en" if lang == "en" else "ja"
    holes, other = _holes(results, lang)
    unanswered = _unanswered(results, lang)
    layers = []
    for d in data()["layers"]:
        found = sorted(holes.get(d["id"], {}).values(), key=lambda h: (-h.severity, -h.count, h.rule))
        by = list(dict.fromkeys(str(r["result"]) for r in d["checked_by"] if _covers(r, d["id"], results)))
        status = "holes" if found else "solid" if by else "unchecked"
        could = [k for k in RESULTS if k in {str(r["result"]) for r in d["checked_by"]} and k not in results]
        layers.append(Layer(d["id"], str(d["name"][lang]), str(d["short"][lang]), status, found, by,
                            unanswered.get(d["id"], []), could))
    verdict = results.get("scan", {}).get("verdict")
    return Summary(layers, decide(layers, lang), [k for k in RESULTS if k in results],
                   {k: str(results[k].get("generated_at") or "") for k in RESULTS if k in results}, dict(unread or {}),
                   verdict if isinstance(verdict, dict) else None, other)


def as_json(s: Summary) -> dict[str, Any]:
    return {"given": s.given, "dates": s.dates, "unread": s.unread, "other_findings": s.other,
            "decisions": [asdict(d) for d in s.decisions],
            "layers": [{"id": x.id, "name": x.name, "status": x.status, "checked_by": x.checked_by,
                        "unanswered": x.unanswered,
                        "worst": x.worst.label if x.holes else None,
                        "holes": [{"rule": h.rule, "title": h.title, "count": h.count, "severity": h.severity.label,
                                   "hosts": len(h.hosts), "where": h.where} for h in x.holes]} for x in s.layers]}
