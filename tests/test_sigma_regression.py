"""SigmaHQ regression cases (../shared/sigma/regression_data): each named rule must match its own .evtx."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from builders.corpus import SHARED, need

from wardwatch.scan import ingest
from wardwatch.sigma import run_sigma
from wardwatch.store import EventStore

SIGMA = SHARED / "sigma"
REGRESSION = SIGMA / "regression_data"
# Cases that cannot pass, with the reason (kept empty unless a case is impossible for this engine).
NOT_APPLICABLE_TYPES = {"raw"}  # non-evtx cases (a Cisco CLI log): not Windows event logs


def _cases() -> list[dict]:
    cases = []
    for info in sorted(REGRESSION.rglob("info.yml")):
        data = yaml.safe_load(info.read_text(encoding="utf-8"))
        for meta in data.get("rule_metadata", []):
            for test in data.get("regression_tests_info") or []:
                cases.append({"info": str(info.relative_to(REGRESSION)), "rule": str(meta["id"]),
                              "title": meta.get("title", ""), "type": test.get("type"),
                              "evtx": SIGMA / test["path"] if test.get("path") else None,
                              "match_count": test.get("match_count")})
            if not data.get("regression_tests_info"):
                cases.append({"info": str(info.relative_to(REGRESSION)), "rule": str(meta["id"]),
                              "title": meta.get("title", ""), "type": None, "evtx": None, "match_count": None})
    return cases


def _rule_files(ids: set[str]) -> dict[str, Path]:
    """Rule id → file, by reading the `id:` line of every rule under ../shared/sigma/rules*."""
    found: dict[str, Path] = {}
    pattern = re.compile(r"^id:\s*['\"]?([0-9a-fA-F-]{36})", re.MULTILINE)
    for folder in sorted(SIGMA.glob("rules*")):
        for f in folder.rglob("*.yml"):
            m = pattern.search(f.read_text(encoding="utf-8", errors="replace"))
            if m and m.group(1) in ids:
                found.setdefault(m.group(1), f)
    return found


@pytest.fixture(scope="module")
def regression(tmp_path_factory: pytest.TempPathFactory) -> dict:
    need(REGRESSION)
    cases = _cases()
    evtx_cases = [c for c in cases if c["type"] == "evtx"]
    files = _rule_files({c["rule"] for c in evtx_cases})
    tmp = tmp_path_factory.mktemp("sigma-regression")
    store = EventStore(tmp / "store")
    ingest(sorted({c["evtx"] for c in evtx_cases}), store)
    findings, statuses = run_sigma(store, sorted(set(files.values())), "UTC", evidence_limit=100_000,
                                   cache_dir=tmp / "cache")
    hits: dict[str, Counter] = {}
    for f in findings:
        for e in f.evidence:
            hits.setdefault(f.rule, Counter())[e.file] += 1
    store.con.close()
    return {"cases": cases, "files": files, "hits": hits, "statuses": {s.id: s for s in statuses}}


def _verdict(case: dict, reg: dict) -> str:
    """'' when the case passes, else why not."""
    if case["type"] in NOT_APPLICABLE_TYPES or case["type"] is None:
        return "n/a"
    rule = case["rule"]
    if rule not in reg["files"]:
        return "rule file not found"
    status = reg["statuses"].get(rule)
    if status is not None and not status.will_run:
        return f"rule does not run: {status.reason}"
    got = reg["hits"].get(rule, Counter()).get(str(case["evtx"]), 0)
    return "" if got else "no match"


def _count_note(case: dict, reg: dict) -> str:
    """info.yml's match_count is stale for a few cases (the rule changed since); shown, not asserted."""
    got = reg["hits"].get(case["rule"], Counter()).get(str(case["evtx"]), 0)
    if got and case["match_count"] is not None and got != int(case["match_count"]):
        return f"{case['rule']} {case['title']}: {got} matching events, info.yml says {case['match_count']}"
    return ""


def test_regression_cases_all_match(regression: dict, capsys: pytest.CaptureFixture[str]) -> None:
    verdicts = [(c, _verdict(c, regression)) for c in regression["cases"]]
    applicable = [(c, v) for c, v in verdicts if v != "n/a"]
    passed = sum(1 for _, v in applicable if not v)
    failed = [f"{c['rule']} {c['title']}: {v}" for c, v in applicable if v]
    skipped = [f"{c['rule']} {c['title']} ({c['info']}): not an evtx case" for c, v in verdicts if v == "n/a"]
    with capsys.disabled():
        print(f"\nSigma regression: {passed}/{len(applicable)} evtx cases match "
              f"({len(regression['cases'])} cases in all; not applicable: {len(skipped)})")
        for line in skipped + failed:
            print("  " + line)
        for note in filter(None, (_count_note(c, regression) for c, v in applicable if not v)):
            print("  note: " + note)
    assert len(regression["cases"]) >= 137
    assert not failed, "\n".join(failed)
