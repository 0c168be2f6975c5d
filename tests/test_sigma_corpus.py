"""All of SigmaHQ's rules/windows on ../shared/corpus/evtx: both engines agree, and every difference from the
peer (Zircolite, ../shared/oracle/zircolite-A.json) has a known reason (benchmarks/sigma_compare.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from builders.corpus import CORPUS, SHARED, need

from wardwatch.scan import ingest
from wardwatch.sigma import run_sigma
from wardwatch.store import EventStore

RULES = SHARED / "sigma" / "rules" / "windows"
ORACLE = SHARED / "oracle" / "zircolite-A.json"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    need(CORPUS)
    need(RULES)
    tmp = tmp_path_factory.mktemp("sigma-corpus")
    store = EventStore(tmp / "store")
    ingest([CORPUS], store)
    out = {}
    for engine in ("python", "sql"):
        findings, statuses = run_sigma(store, [RULES], "UTC", evidence_limit=10**9, cache_dir=tmp / "cache", engine=engine)
        out[engine] = {(f.rule, e.file, e.record_id) for f in findings for e in f.evidence}
        out["statuses"] = statuses
    store.con.close()
    return out


def test_engines_agree_on_the_corpus(corpus_run: dict) -> None:
    python, sql = corpus_run["python"], corpus_run["sql"]
    assert len(python) > 4000
    assert python == sql, (sorted(python - sql)[:5], sorted(sql - python)[:5])


def test_rules_load(corpus_run: dict) -> None:
    statuses = corpus_run["statuses"]
    assert len(statuses) >= 2400
    skipped = [s for s in statuses if not s.will_run]
    assert all("unknown logsource" in s.reason for s in skipped), [(s.file, s.reason) for s in skipped]
    assert len(skipped) <= 10


def test_every_difference_from_the_peer_is_explained(tmp_path: Path) -> None:
    need(ORACLE)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from sigma_compare import compare

    result = compare(SHARED, details=False)
    assert result["agreed"] >= 4800
    assert result["peer_only"] == 0, result["differences"]
    unexplained = {k: v for k, v in result["by_reason"].items() if k.endswith("unexplained")}
    assert not unexplained, [d for d in result["differences"] if "unexplained" in str(d)]
    assert result["security_4688_vs_peer_windows_audit"]["peer_only"] == 0
