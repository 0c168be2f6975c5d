"""What a Sigma finding's own events show beyond its rule's ATT&CK tags, as facts the story weighs (story.phase_of).

A tag says what the rule's author thought the technique is; the events say what happened. Two facts:
- `failures_only`: every matched event records a failed attempt (a result is written and it is not success, the
  store's `status`): a logon that failed reached nothing, so it proves no entry and no lateral movement.
- `also_found_by`: WardWatch's own rules whose findings hold some of the same events: a phase whose proof lies in
  what the command did (backup destruction) is claimed only when WardWatch's rule for that phase read it so.
"""
from __future__ import annotations

from typing import Any

from ..model import EventRef, Finding


def _refs(f: Finding) -> set[tuple[str, int]]:
    return {(e.file, int(e.record_id)) for e in f.evidence if isinstance(e, EventRef) and e.record_id is not None}


def add_proof(store: Any, sigma_findings: list[Finding], others: list[Finding]) -> None:
    """Write `failures_only` and `also_found_by` into each Sigma finding's facts (findings without event evidence
    get neither)."""
    refs = {i: _refs(f) for i, f in enumerate(sigma_findings)}
    refs = {i: r for i, r in refs.items() if r}
    if not refs:
        return
    by_event: dict[tuple[str, int], set[str]] = {}
    for g in others:
        for ref in _refs(g):
            by_event.setdefault(ref, set()).add(str(g.rule))
    failed = _failures_only(store, refs)
    for i, r in refs.items():
        f = sigma_findings[i]
        f.facts["failures_only"] = failed.get(i, False)
        also = sorted({rule for ref in r for rule in by_event.get(ref, ())})
        if also:
            f.facts["also_found_by"] = also


def _failures_only(store: Any, refs: dict[int, set[tuple[str, int]]]) -> dict[int, bool]:
    """Per finding: whether every one of its events in the store records a failure (status written, not 0x0)."""
    import pyarrow as pa

    rows = [(i, file, rid) for i, r in refs.items() for file, rid in r]
    table = pa.table({"n": [r[0] for r in rows], "file": [r[1] for r in rows], "record_id": [r[2] for r in rows]})
    con = store.con.cursor()
    try:
        con.register("sigma_proof_refs", table)
        got = con.execute("SELECT r.n, bool_and(coalesce(e.status, '0x0') <> '0x0') FROM sigma_proof_refs r "
                          "JOIN events e ON e.file = r.file AND e.record_id = r.record_id GROUP BY r.n").fetchall()
        con.unregister("sigma_proof_refs")
    finally:
        con.close()
    return {int(n): bool(v) for n, v in got}
