"""The truth table tests/data/corpus_truth.yml against one scan of ../shared/corpus/evtx (built-in rules and
SigmaHQ's rules/windows): every expectation holds except the listed known gaps, and every listed gap still fails
(so the list stays true). Figures: python benchmarks/corpus_truth.py."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from builders.corpus import CORPUS, SHARED, need

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus_truth as ct  # noqa: E402

RULES = SHARED / "sigma" / "rules" / "windows"


@pytest.fixture(scope="module")
def truth() -> dict:
    return ct.load_truth()


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory):
    need(CORPUS)
    need(RULES)
    result = ct.scan_corpus(CORPUS, RULES, tmp_path_factory.mktemp("corpus-truth") / "out")
    assert not result.problems, result.problems  # a failed rule would read as misses
    raised, claimed = ct.observed(result, CORPUS)
    return ct.corpus_files(CORPUS), raised, claimed


def test_every_corpus_file_is_covered(truth, measured):
    files = measured[0]
    assert len(files) > 250
    uncovered = [f for f in files if ct.entry_for(truth, f) is None]
    assert not uncovered, uncovered


def test_table_is_well_formed(truth):
    from wardwatch.story import PHASES

    keys = {"files", "must", "must_not", "may", "phases", "phases_maybe", "why"}
    for e in truth["entries"]:
        assert set(e) <= keys and e.get("why"), e
        assert set(e.get("phases", [])) | set(e.get("phases_maybe", [])) <= set(PHASES), e
        assert not set(e.get("must", [])) & set(e.get("must_not", [])), e
    for g in truth.get("known_gaps") or []:
        assert g["kind"] in ct.KINDS and g.get("what"), g
        assert ("phase" in g) == g["kind"].endswith("phase"), g


def test_rule_ids_are_shipped(truth):
    from wardwatch.checks.spec import spec_for  # the one registry of shipped checks

    named = {r for e in truth["entries"] for k in ("must", "must_not", "may") for r in e.get(k, [])} - {ct.SIGMA}
    assert all(spec_for(r) for r in named), [r for r in named if not spec_for(r)]


def test_expectations_hold_except_known_gaps(truth, measured):
    files, raised, claimed = measured
    fails, _ = ct.failures(truth, files, raised, claimed)
    listed = ct.listed_gaps(truth)
    unlisted = sorted(fails - listed)
    assert not unlisted, f"{len(unlisted)} expectations fail and are not known gaps: {unlisted[:20]}"


def test_known_gaps_still_fail(truth, measured):
    """A gap that now passes must leave the list (strict): the table then states the improvement."""
    files, raised, claimed = measured
    fails, _ = ct.failures(truth, files, raised, claimed)
    fixed = sorted(ct.listed_gaps(truth) - fails)
    assert not fixed, f"known gaps that pass now; remove them from tests/data/corpus_truth.yml: {fixed}"
