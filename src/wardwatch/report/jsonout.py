"""findings.json: the machine-readable findings and incidents (the documented output contract)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from .. import __version__
from ..model import Evidence, Finding, Incident, ScanResult
from ..textfmt import iso_local
from ..verdict import verdict_dict

FORMAT_VERSION = "1.0"


def finding_dict(f: Finding, tz: str, lang: str) -> dict[str, Any]:
    return {
        "rule": f.rule, "severity": f.severity.label, "host": f.host,
        "first_seen": iso_local(f.first_seen, tz), "last_seen": iso_local(f.last_seen, tz),
        "count": f.count, "accounts": f.accounts, "sources": f.sources,
        "title": f.title.get(lang), "summary": f.summary.get(lang), "advice": f.advice.get(lang),
        "evidence": [evidence_dict(e) for e in f.evidence],
        "evidence_total": f.evidence_total, "phase": f.phase, "seed": f.seed,
        "facts": _plain(f.facts, tz),
    }


def evidence_dict(e: Evidence) -> dict[str, Any]:
    """An event's file and record id; a syslog line's file and line (record_id null); a whole file's name."""
    out: dict[str, Any] = {"file": e.file, "record_id": e.record_id}
    if e.line is not None:
        out["line"] = e.line
    return out


def incident_dict(inc: Incident, index: dict[int, int], tz: str, lang: str) -> dict[str, Any]:
    return {
        "id": inc.id, "severity": inc.severity.label, "hosts": inc.hosts,
        "first_seen": iso_local(inc.first_seen, tz), "last_seen": iso_local(inc.last_seen, tz),
        "phases": inc.phases, "narrative": inc.narrative.get(lang), "actions": inc.actions.get(lang).splitlines(),
        "findings": [index[id(f)] for f in inc.findings if id(f) in index],
    }


def _plain(value: Any, tz: str) -> Any:
    from datetime import datetime
    if isinstance(value, dict):
        return {str(k): _plain(v, tz) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v, tz) for v in value]
    if isinstance(value, datetime):
        return iso_local(value, tz)
    return value


JSON_SECTIONS = ("audit",)  # named sections of a run that findings.json carries as top-level tables


def result_dict(result: ScanResult) -> dict[str, Any]:
    """findings.json of any run: the envelope's fields, then its JSON sections (audit's check × host table)."""
    tz, lang = result.timezone, result.lang
    index = {id(f): i for i, f in enumerate(result.findings)}
    return {
        "version": FORMAT_VERSION, "tool": f"wardwatch {__version__}",
        "generated_at": iso_local(result.generated_at, tz), "timezone": tz,
        "inputs": [{"path": i.path, "sha256": i.sha256, "size": i.size, "format": i.format, "events": i.events,
                    "errors": [{"where": e.where, "message": e.message, "skipped": e.skipped_file} for e in i.errors]}
                   for i in result.inputs],
        **({"verdict": verdict_dict(result.verdict, lang, problem_count(result))} if result.verdict else {}),
        "problems": [{"stage": p.stage, "message": p.message} for p in result.problems],
        "findings": [finding_dict(f, tz, lang) for f in result.findings],
        "incidents": [incident_dict(inc, index, tz, lang) for inc in result.incidents],
        "stats": result.stats,
        **{name: result.sections[name] for name in JSON_SECTIONS if name in result.sections},
    }


def problem_count(result: ScanResult) -> int:
    """Every read problem of every input plus every part of the scan that failed."""
    return sum(len(i.errors) for i in result.inputs) + len(result.problems)


def write_json(result: ScanResult, path: Path) -> None:
    """Written to a temporary name and renamed: a findings.json is whole or absent (the scan's 'done' mark)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(orjson.dumps(result_dict(result), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    os.replace(tmp, path)
