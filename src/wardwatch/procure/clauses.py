"""Procurement clauses (調達仕様書の記載例) as data: loading and checking clauses.yml, and choosing the clauses that
answer the gaps in WardWatch findings (scan, audit, inventory check, checklist fill)."""
from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .. import useryaml
from ..checks.factspec import fact

SHIPPED = "clauses.yml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ClauseError(ValueError):
    """A clauses file that cannot be used: the file and the reason."""


class FindingsError(ValueError):
    """A findings.json that cannot be read: the file and the reason."""


@dataclass
class Clause:
    id: str
    title: dict[str, str]
    text: dict[str, str]
    answers: list[str]
    seeds: list[dict[str, str]]
    checklist: list[str]
    always: bool = False

    def body(self, lang: str, params: dict[str, Any]) -> str:
        return fill_params(self.text[lang], params, self.id)


@dataclass
class Catalog:
    """The whole clauses file: title, parameters, seed sources, clauses, English names of checklist items."""

    path: str
    meta: dict[str, Any]
    params: dict[str, Any]
    sources: dict[str, dict[str, str]]
    clauses: list[Clause]
    annex_items: dict[str, dict[str, str]] = field(default_factory=dict)  # item id → ja, en (name_en: the item data)

    def title(self, lang: str) -> str:
        t = self.meta.get("title") or {}
        return str(t.get(lang) or t.get("ja") or "調達仕様書 セキュリティ要件")


def fill_params(text: str, params: dict[str, Any], where: str) -> str:
    """The text with its {name} placeholders filled from params; an unknown name is a ClauseError."""
    try:
        return text.format_map(params)
    except (KeyError, IndexError) as exc:
        raise ClauseError(f"clause {where}: placeholder {exc} has no value under params") from None
    except ValueError as exc:
        raise ClauseError(f"clause {where}: a placeholder does not fit its value under params ({exc})") from None


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def _text(raw: dict[str, Any], key: str, where: str) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value.get(k) for k in ("ja", "en")):
        raise ClauseError(f"{where}: '{key}' needs ja and en text")
    return {"ja": value["ja"], "en": value["en"]}


def _strings(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ClauseError(f"{where}: '{key}' must be a list of texts")
    return list(value)


def parse_catalog(data: Any, path: str) -> Catalog:
    """Check the clauses data and build the catalog; every problem names the file and the clause."""
    if not isinstance(data, dict) or not isinstance(data.get("clauses"), list):
        raise ClauseError(f"{path}: a clauses file is a mapping with a 'clauses:' list")
    params = data.get("params") or {}
    sources = data.get("sources") or {}
    annex_items = data.get("annex_items") or {}
    meta = data.get("meta") or {}
    for key, value in (("params", params), ("sources", sources), ("annex_items", annex_items), ("meta", meta)):
        if not isinstance(value, dict):
            raise ClauseError(f"{path}: '{key}' must be a mapping")
    for key, value in [*sources.items(), *annex_items.items()]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ClauseError(f"{path}: {key!r} must be a mapping of texts (ja, en)")
    clauses: list[Clause] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["clauses"], 1):
        where = f"{path}: clause {n}"
        if not isinstance(raw, dict):
            raise ClauseError(f"{where}: expected a mapping (id, title, text, answers, seeds, checklist)")
        cid = str(raw.get("id", ""))
        if not _ID.match(cid):
            raise ClauseError(f"{where}: id {cid!r} must be lower-case letters, digits and hyphens")
        if cid in seen:
            raise ClauseError(f"{where}: id {cid!r} is used twice")
        seen.add(cid)
        where = f"{path}: clause {cid}"
        text = _text(raw, "text", where)
        for lang in ("ja", "en"):
            for name in _placeholders(text[lang]):
                if name not in params:
                    raise ClauseError(f"{where}: text.{lang} uses {{{name}}}, which is not under params")
        seeds = raw.get("seeds") or []
        if not isinstance(seeds, list) or not all(isinstance(s, dict) and s.get("file") and s.get("place")
                                                  for s in seeds):
            raise ClauseError(f"{where}: 'seeds' must be a list of {{file, place}}")
        for s in seeds:
            if str(s["file"]) not in sources:
                raise ClauseError(f"{where}: seed file {s['file']!r} is not listed under sources")
        always = raw.get("always", False)
        if not isinstance(always, bool):
            raise ClauseError(f"{where}: 'always' must be true or false")
        clauses.append(Clause(cid, _text(raw, "title", where), text, _strings(raw, "answers", where),
                              [{"file": str(s["file"]), "place": str(s["place"]),
                                "place_en": str(s.get("place_en") or s["place"])} for s in seeds],
                              _strings(raw, "checklist", where), always))
    if not clauses:
        raise ClauseError(f"{path}: no clauses")
    return Catalog(path, dict(meta), dict(params), {str(k): dict(v) for k, v in sources.items()}, clauses,
                   {str(k): dict(v) for k, v in annex_items.items()})


def load_catalog(path: Path | None = None) -> Catalog:
    """The shipped clauses, or a hospital's own copy (errors name the file, never a traceback)."""
    if path is None:
        text = resources.files("wardwatch.procure").joinpath(SHIPPED).read_text("utf-8")
        name = "wardwatch/procure/clauses.yml"
    else:
        name = str(path)
        try:
            text = path.read_text("utf-8-sig")
        except OSError as exc:
            raise ClauseError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise ClauseError(f"{path}: not UTF-8 text") from None
    try:
        data = useryaml.load(text)
    except useryaml.YamlProblem as exc:
        raise ClauseError(f"{name}:{exc.line or '-'}: not usable YAML ({exc})") from None
    return parse_catalog(data, name)


# --- checklist items ---------------------------------------------------------------------------------------------

def find_item(items: list[dict[str, Any]], number: str) -> dict[str, Any] | None:
    """The checklist item with this number: its id (2-(7)) or its R7 number (2-⑥), exactly as written."""
    for it in items:
        if number in (str(it.get("id")), str(it.get("r7_id") or "")):
            return it
    return None


def item_number(item: dict[str, Any], version: str) -> str:
    return str(item.get("r7_id") or item["id"]) if version == "R7" else str(item["id"])


# --- findings -----------------------------------------------------------------------------------------------------

def read_findings(path: Path) -> list[dict[str, Any]]:
    """The findings of one findings.json (scan, audit, inventory check, checklist fill)."""
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except OSError as exc:
        raise FindingsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise FindingsError(f"{path}: not a WardWatch findings.json (not UTF-8 text)") from None
    except ValueError as exc:
        raise FindingsError(f"{path}: not a WardWatch findings.json (not JSON: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise FindingsError(f"{path}: not a WardWatch findings.json (no 'findings' list)")
    return [f for f in data["findings"] if isinstance(f, dict) and isinstance(f.get("rule"), str)]


def is_gap(finding: dict[str, Any]) -> bool:
    """A finding that shows something missing: not informational; for the checklist, an answer いいえ or a
    conflict (an unanswered item, severity low, is not a gap found)."""
    sev = str(finding.get("severity", "")).lower()
    if sev in ("info", "informational"):
        return False
    return not (finding["rule"].startswith("checklist.") and sev == "low")


def _checklist_item_of(finding: dict[str, Any]) -> str | None:
    row = fact(finding, "row")
    return str(row).split(" ", 1)[0] if row else None


def checklist_rule(item_id: str) -> str:
    """The rule id `checklist fill` gives an item (hospital.checklist.rule_id)."""
    from ..hospital.checklist import rule_id
    return rule_id(item_id)


def matches(entry: str, finding: dict[str, Any], items: list[dict[str, Any]]) -> bool:
    """True when a clause's answers entry names the finding's rule: the id, a prefix ending in .*, or
    checklist.<item> (the item found by its id or R7 number; the finding's row says which item it is)."""
    rule = str(finding["rule"])
    if entry.startswith("checklist."):
        if not rule.startswith("checklist."):
            return False
        item = find_item(items, entry.removeprefix("checklist."))
        if item is None:
            return False
        row_item = _checklist_item_of(finding)
        return row_item == str(item["id"]) if row_item else rule == checklist_rule(str(item["id"]))
    if entry.endswith(".*"):
        return rule.startswith(entry[:-1])
    return rule == entry


@dataclass
class Gap:
    """The findings of one rule that a clause answers, and where they were found."""

    rule: str
    title: str
    where: list[str] = field(default_factory=list)
    count: int = 0


@dataclass
class Selected:
    clause: Clause
    gaps: list[Gap]


def _title(f: dict[str, Any], lang: str) -> str:
    """The check's own title in the document's language where the project knows the rule, else the finding's."""
    from ..checks.spec import spec_for
    spec = spec_for(str(f["rule"]))
    if spec is not None and spec.title.get(lang):
        return spec.title.get(lang)
    t = f.get("title")
    if isinstance(t, dict):
        return str(t.get(lang) or t.get("ja") or "")
    return str(t or "")


def where_of(f: dict[str, Any]) -> str:
    """Where a finding was seen: the host, else the system, device or segments its facts name."""
    if f.get("host"):
        return str(f["host"])
    for key in ("system", "device", "vendor"):
        if fact(f, key):
            return str(fact(f, key))
    devices = fact(f, "devices")
    if isinstance(devices, list) and devices:
        return ", ".join(map(str, devices))
    src, dst = fact(f, "src") or fact(f, "src_segment"), fact(f, "dst") or fact(f, "dst_segment")
    if src or dst:
        return f"{src or ''} → {dst or ''}".strip()
    if fact(f, "row"):
        return str(fact(f, "row"))
    return ""


def select(catalog: Catalog, findings: list[dict[str, Any]], items: list[dict[str, Any]],
           everything: bool = False, lang: str = "ja") -> list[Selected]:
    """The clauses that answer a gap in the findings (with the gaps), in the file's order; every clause with
    everything; clauses marked always are always there."""
    gaps = [f for f in findings if is_gap(f)]
    out = []
    for clause in catalog.clauses:
        by_rule: dict[str, Gap] = {}
        for f in gaps:
            if any(matches(e, f, items) for e in clause.answers):
                g = by_rule.setdefault(f["rule"], Gap(f["rule"], _title(f, lang)))
                g.count += 1
                w = where_of(f)
                if w and w not in g.where:
                    g.where.append(w)
        if by_rule or everything or clause.always:
            out.append(Selected(clause, sorted(by_rule.values(), key=lambda g: g.rule)))
    return out
