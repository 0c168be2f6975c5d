"""Recall and precision of WardWatch on ../shared/corpus/evtx against the truth table tests/data/corpus_truth.yml.

    python benchmarks/corpus_truth.py [--corpus ../shared/corpus/evtx] [--rules ../shared/sigma/rules/windows]

Scans the corpus once (the built-in rules and SigmaHQ's rules/windows side by side), then prints one JSON object:
recall and precision of findings (overall and per rule), of phase claims (incidents' phases against what each
file's events prove), the number of known gaps, and every miss and false claim. Exit status 2 with an "error" key
when the corpus or the rules are missing. tests/test_corpus_truth.py uses the same functions."""
from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "evtx"
RULES = SHARED / "sigma" / "rules" / "windows"
TRUTH = ROOT / "tests" / "data" / "corpus_truth.yml"
SIGMA = "sigma:*"  # the family: a Sigma finding of level medium or above
SIGMA_LEVELS = {"medium", "high", "critical"}
NOT_MEASURED = {"log-coverage"}  # host-level health findings without evidence events
KINDS = ("missed", "false-positive", "missed-phase", "over-claimed-phase")


def load_truth(path: Path = TRUTH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def corpus_files(corpus: Path) -> list[str]:
    return sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.evtx"))


def entry_for(truth: dict[str, Any], rel: str) -> dict[str, Any] | None:
    """The entry naming the file exactly, else the first glob entry that matches it."""
    entries = truth["entries"]
    for e in entries:
        if e["files"] == rel:
            return e
    for e in entries:
        if any(c in e["files"] for c in "*?[") and fnmatch.fnmatchcase(rel, e["files"]):
            return e
    return None


def scan_corpus(corpus: Path = CORPUS, rules: Path | None = RULES, out: Path | None = None):
    """One scan of the whole corpus with every evidence event kept (no per-finding limit)."""
    from wardwatch.config import load_config
    from wardwatch.scan import run_scan

    config = load_config()
    config["evidence_limit"] = 100_000  # every evidence event (DuckDB arg_min caps n below 1,000,000)
    out = out or Path(tempfile.mkdtemp(prefix="corpus-truth-"))
    return run_scan([corpus], out, config, "Asia/Tokyo", "en", rule_paths=[rules] if rules else None)


def _rel(file: str, corpus: Path) -> str | None:
    try:
        return Path(file).resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return None


def observed(result, corpus: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per corpus file: the rule ids raised with evidence in it (Sigma findings of level medium+ as `sigma:*`,
    lower Sigma levels ignored), and the phases an incident claims from findings with evidence in it."""
    from wardwatch.story import phase_of

    def key(f) -> str | None:
        if "sigma_level" in f.facts:
            return SIGMA if str(f.facts.get("sigma_level", "")).lower() in SIGMA_LEVELS else None
        return None if f.rule in NOT_MEASURED else f.rule

    raised: dict[str, set[str]] = defaultdict(set)
    for f in result.findings:
        k = key(f)
        if k:
            for e in f.evidence:
                rel = _rel(e.file, corpus)
                if rel:
                    raised[rel].add(k)
    claimed: dict[str, set[str]] = defaultdict(set)
    for inc in result.incidents:
        for f in inc.findings:
            p = phase_of(f)
            if p is None or p.value not in inc.phases:
                continue
            for e in f.evidence:
                rel = _rel(e.file, corpus)
                if rel:
                    claimed[rel].add(p.value)
    return raised, claimed


def failures(truth: dict[str, Any], files: list[str], raised: dict[str, set[str]],
             claimed: dict[str, set[str]]) -> tuple[set[tuple[str, str, str]], dict[str, Any]]:
    """Every failing expectation as (file, kind, rule or phase), and the counts behind the figures."""
    fails: set[tuple[str, str, str]] = set()
    per_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"must": 0, "found": 0, "raised": 0, "true": 0})
    phase = {"must": 0, "claimed_must": 0, "claims": 0, "true_claims": 0}
    for rel in files:
        e = entry_for(truth, rel) or {}
        must, may = set(e.get("must", [])), set(e.get("may", []))
        must_not = set(e.get("must_not", []))
        rules = _Tally(lambda r: per_rule[r], ("must", "found", "raised", "true"), ("missed", "false-positive"))
        rules.add(fails, rel, must, (must | may) - must_not, raised.get(rel, set()))
        need = set(e.get("phases", []))
        phases = _Tally(lambda _: phase, ("must", "claimed_must", "claims", "true_claims"),
                        ("missed-phase", "over-claimed-phase"))
        phases.add(fails, rel, need, need | set(e.get("phases_maybe", [])), claimed.get(rel, set()))
    return fails, {"per_rule": per_rule, "phase": phase}


@dataclass
class _Tally:
    """Counts for one kind of expectation (rules raised, phases claimed): `counters(x)` holds x's counts, named
    (needed, needed and got, got, got and allowed); a miss or a wrong one is a failure of kind `fail_kinds`."""

    counters: Callable[[str], dict[str, int]]
    names: tuple[str, str, str, str]
    fail_kinds: tuple[str, str]

    def add(self, fails: set[tuple[str, str, str]], rel: str, need: set[str], allowed: set[str], got: set[str]) -> None:
        needed, found, raised, right = self.names
        checks = [(x, x in got, needed, found, self.fail_kinds[0]) for x in need]  # each needed one: got?
        checks += [(x, x in allowed, raised, right, self.fail_kinds[1]) for x in got]  # each one got: allowed?
        for x, ok, counted, passed, fail_kind in checks:
            counts = self.counters(x)
            counts[counted] += 1
            if ok:
                counts[passed] += 1
            else:
                fails.add((rel, fail_kind, x))


def listed_gaps(truth: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(g["file"], g["kind"], g.get("rule") or g.get("phase")) for g in truth.get("known_gaps") or []}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def figures(truth: dict[str, Any], files: list[str], raised, claimed) -> dict[str, Any]:
    fails, counts = failures(truth, files, raised, claimed)
    per_rule, phase = counts["per_rule"], counts["phase"]
    must = sum(v["must"] for v in per_rule.values())
    found = sum(v["found"] for v in per_rule.values())
    got = sum(v["raised"] for v in per_rule.values())
    true = sum(v["true"] for v in per_rule.values())
    listed = listed_gaps(truth)

    def rows(kind: str) -> list[dict[str, str]]:
        return [{"file": f, "what": w} for f, k, w in sorted(fails) if k == kind]

    return {
        "corpus_files": len(files),
        "entries": len(truth["entries"]),
        "findings": {
            "recall": _ratio(found, must), "precision": _ratio(true, got),
            "must": must, "found": found, "raised": got, "true": true,
            "per_rule": {r: {**v, "recall": _ratio(v["found"], v["must"]), "precision": _ratio(v["true"], v["raised"])}
                         for r, v in sorted(per_rule.items())},
            "seed_rules_only": _seed_only(per_rule),
        },
        "phases": {
            "recall": _ratio(phase["claimed_must"], phase["must"]),
            "precision": _ratio(phase["true_claims"], phase["claims"]), **phase,
        },
        "known_gaps": len(listed),
        "gaps_by_kind": {k: sum(1 for g in listed if g[1] == k) for k in KINDS},
        "unlisted_failures": [list(g) for g in sorted(fails - listed)],
        "listed_but_passing": [list(g) for g in sorted(listed - fails)],
        "misses": rows("missed"),
        "false_findings": rows("false-positive"),
        "missed_phases": rows("missed-phase"),
        "over_claimed_phases": rows("over-claimed-phase"),
    }


def _seed_only(per_rule: dict[str, dict[str, int]]) -> dict[str, Any]:
    seed = {r: v for r, v in per_rule.items() if r != SIGMA}
    must = sum(v["must"] for v in seed.values())
    got = sum(v["raised"] for v in seed.values())
    return {"recall": _ratio(sum(v["found"] for v in seed.values()), must),
            "precision": _ratio(sum(v["true"] for v in seed.values()), got), "must": must, "raised": got}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--rules", type=Path, default=RULES)
    ap.add_argument("--truth", type=Path, default=TRUTH)
    args = ap.parse_args()
    for p in (args.corpus, args.rules):
        if not p.exists():
            print(json.dumps({"error": f"not found: {p}"}))
            return 2
    truth = load_truth(args.truth)
    with tempfile.TemporaryDirectory() as tmp:
        result = scan_corpus(args.corpus, args.rules, Path(tmp) / "out")
    raised, claimed = observed(result, args.corpus)
    print(json.dumps(figures(truth, corpus_files(args.corpus), raised, claimed), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
