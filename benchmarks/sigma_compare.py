"""Compare WardWatch's Sigma hits with Zircolite's (../shared/oracle/zircolite-A.json), rule by rule.

Usage::

    python benchmarks/sigma_compare.py [--shared ../shared] [--details] [--out compare.json]

Runs every rule of ``shared/sigma/rules/windows`` over ``shared/corpus/evtx`` and compares, per Sigma rule
id, the (file relative to the corpus root, EventRecordID) pairs with the peer's. Prints one JSON object:
``agreed`` / ``ours_only`` / ``peer_only`` hit counts, the same per reason category, and (with
``--details``) the per-rule differences. Reason categories (why a difference is the peer's or ours):

* ``peer_sql_error``: the peer's SQLite query failed because a referenced field never occurs in the corpus
  (a missing field zeroes the whole rule there; in Sigma a missing field is just "no match").
* ``peer_no_data_field``: the rule reads unnamed ``<Data>`` values, which the peer cannot read.
* ``peer_keyword_rule``: the peer could not convert keyword (full-text) rules.
* ``peer_json_boolean``: the event holds a JSON boolean (``"Initiated": true``) in a field the rule
  compares with 'true'/'false'; the peer stores it as 1/0 and never matches.
* ``peer_empty_string``: the rule compares a field with '' (empty); the peer stores empty values as NULL.
* ``4688_mapping``: Security 4688 mapped onto ``process_creation`` (the peer's pipelines do not).
* ``peer_wrong_channel``: the peer matched an event of another channel / provider / event id than the
  rule's logsource (its rule had no channel condition).
* ``unexplained``: none of the above (a bug on one side: look at it).
Exit status 2 with an ``"error"`` key when ../shared is missing.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wardwatch.scan import ingest
from wardwatch.sigma import run_sigma
from wardwatch.sigma.compiler import to_sql
from wardwatch.sigma.logsources import sources
from wardwatch.sigma import load_sigma_rules
from wardwatch.store import EventStore


def _ours(shared: Path, tmp: Path) -> tuple[dict[str, set[tuple[str, int]]], dict[tuple[str, int], tuple], Any]:
    corpus = shared / "corpus" / "evtx"
    store = EventStore(tmp / "store")
    ingest([corpus], store)
    findings, _ = run_sigma(store, [shared / "sigma" / "rules" / "windows"], "UTC", evidence_limit=10**9,
                            cache_dir=tmp / "cache")
    hits: dict[str, set[tuple[str, int]]] = {}
    for f in findings:
        for e in f.evidence:
            hits.setdefault(f.rule, set()).add((Path(e.file).relative_to(corpus).as_posix(), int(e.record_id or 0)))
    events = {}
    for file, rid, channel, provider, eid in store.query("SELECT file, record_id, channel, provider, event_id FROM events"):
        events[(Path(file).relative_to(corpus).as_posix(), rid)] = (channel, provider, eid)
    booleans: dict[tuple[str, int], list[str]] = {}
    for file, rid, keys in store.query("""
            SELECT file, record_id, list_filter(json_keys(ed), lambda k: json_type(ed, '$."' || k || '"') = 'BOOLEAN')
            FROM (SELECT file, record_id, json_extract(data, '$.Event.EventData') AS ed FROM events
                  WHERE json_type(data, '$.Event.EventData') = 'OBJECT')"""):
        if keys:
            booleans[(Path(file).relative_to(corpus).as_posix(), rid)] = keys
    return hits, (events, booleans), store


def _reason(rule: str, side: str, key: tuple[str, int], peer: dict[str, Any], events: dict, logsource: dict[str, str],
            booleans: dict[tuple[str, int], list[str]], fields: dict[str, list[str]], empty_eq: dict[str, bool]) -> str:
    channel, provider, eid = events.get(key, ("?", "?", None))
    if side == "ours":
        if rule in peer.get("sql_error_rules", {}):
            return "peer_sql_error"
        if rule in peer.get("data_field_rules", []):
            return "peer_no_data_field"
        if rule in peer.get("conversion_failed", {}):
            return "peer_keyword_rule"
        if channel == "Security" and eid == 4688:
            return "4688_mapping"
        if set(booleans.get(key, ())) & set(fields.get(rule, ())):
            return "peer_json_boolean"
        if empty_eq.get(rule):
            return "peer_empty_string"
        return "unexplained"
    key_ls = logsource.get(rule)
    if key_ls:
        ok = any((s.channel is None or s.channel == channel) and (not s.event_ids or eid in s.event_ids)
                 and (not s.provider or s.provider == provider) for s in sources(key_ls))
        if not ok:
            return "peer_wrong_channel"
    return "unexplained"


def _audit_4688(shared: Path, ours: dict[str, set[tuple[str, int]]], events: dict) -> dict[str, Any]:
    """Our Security 4688 process_creation hits against the peer's windows-audit run (used for 4688 only)."""
    path = shared / "oracle" / "zircolite-A-winaudit.json"
    if not path.exists():
        return {"error": "no zircolite-A-winaudit.json"}
    audit = json.loads(path.read_text(encoding="utf-8"))

    def is_4688(key: tuple[str, int]) -> bool:
        channel, _, eid = events.get(key, ("", "", None))
        return channel == "Security" and eid == 4688

    theirs = {rule: {(f, int(r)) for f, r in m["hits"] if is_4688((f, int(r)))} for rule, m in audit["matches"].items()}
    mine = {rule: {k for k in keys if is_4688(k)} for rule, keys in ours.items()}
    agreed = ours_only = peer_only = 0
    differing = []
    for rule in sorted(set(theirs) | set(mine)):
        a, b = mine.get(rule, set()), theirs.get(rule, set())
        agreed += len(a & b)
        ours_only += len(a - b)
        peer_only += len(b - a)
        if a != b:
            differing.append({"rule": rule, "ours_only": len(a - b), "peer_only": len(b - a)})
    return {"agreed": agreed, "ours_only": ours_only, "peer_only": peer_only, "differences": differing}


def compare(shared: Path, details: bool) -> dict[str, Any]:
    peer = json.loads((shared / "oracle" / "zircolite-A.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="wardwatch-sigma-compare-") as tmp:
        started = time.perf_counter()
        ours, (events, booleans), store = _ours(shared, Path(tmp))
        seconds = time.perf_counter() - started
        rules = load_sigma_rules([shared / "sigma" / "rules" / "windows"], Path(tmp) / "cache")
        store.con.close()
    logsource = {r.id: r.logsource for r in rules if r.logsource}
    fields = {r.id: list(r.fields) for r in rules}
    empty_eq = {r.id: " = '')" in to_sql(r.ast) for r in rules if r.ast}
    titles = {r.id: r.title for r in rules}
    theirs = {rule: {(f, int(rid)) for f, rid in m["hits"]} for rule, m in peer["matches"].items()}
    totals: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    per_rule = []
    for rule in sorted(set(ours) | set(theirs)):
        a, b = ours.get(rule, set()), theirs.get(rule, set())
        totals["agreed"] += len(a & b)
        totals["ours_only"] += len(a - b)
        totals["peer_only"] += len(b - a)
        if a == b:
            continue
        diff: dict[str, Any] = {"rule": rule, "title": titles.get(rule, peer["matches"].get(rule, {}).get("title", "")),
                                "agreed": len(a & b), "ours_only": {}, "peer_only": {}}
        for side, keys in (("ours", a - b), ("peer", b - a)):
            why = Counter(_reason(rule, side, k, peer, events, logsource, booleans, fields, empty_eq) for k in keys)
            for r, n in why.items():
                reasons[f"{side}_only:{r}"] += n
            diff[f"{side}_only" if side == "peer" else "ours_only"] = dict(why)
            if details:
                diff[f"{side}_examples"] = sorted(keys)[:3]
        per_rule.append(diff)
    audit = _audit_4688(shared, ours, events)
    return {"agreed": totals["agreed"], "ours_only": totals["ours_only"], "peer_only": totals["peer_only"],
            "rules_matched": {"ours": len(ours), "peer": len(theirs),
                              "both": len(set(ours) & set(theirs))},
            "by_reason": dict(sorted(reasons.items())), "security_4688_vs_peer_windows_audit": audit,
            "seconds": round(seconds, 2),
            "rules_differing": len(per_rule), "differences": per_rule}


def main() -> int:
    from benchcli import emit, lacks, parser  # beside this script

    ap = parser(__doc__)
    ap.add_argument("--details", action="store_true", help="add example (file, record id) pairs per difference")
    args = ap.parse_args()
    if lacks(args.shared, "oracle/zircolite-A.json"):
        return 2
    return emit(compare(args.shared, args.details), args.out)


if __name__ == "__main__":
    sys.exit(main())
