"""Finding.facts are a contract described by each check's spec: every check declares its facts, every finding of the
demo, the corpus scan and a syslog scan carries only declared facts of the declared types, readers use declared
names, and docs/facts.md is generated from the declarations."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import wardwatch.checks.finding as finding_module
from wardwatch.checks import factdoc
from wardwatch.checks.factspec import STRICT_ENV, FactError, declare, fact, families, family, meanings, problems
from wardwatch.checks.finding import make, spec_of
from wardwatch.checks.spec import shipped, spec_for
from wardwatch.demo import write_scenario
from wardwatch.model import Severity, Text
from wardwatch.report.labels import fact_label

from builders.corpus import CORPUS, SHARED, need
from builders.syslog import SEGMENTS, syslog_lines

DOC = Path(__file__).resolve().parents[1] / "docs" / "facts.md"


def test_every_registered_check_declares_its_facts():
    specs = shipped()  # the shipped checks, not rules other tests loaded into the registry
    assert len(specs) > 80
    undeclared = [s.id for s in specs if s.facts is None]
    assert not undeclared, undeclared
    for s in specs:
        for name, f in (s.facts or {}).items():
            assert name in meanings() and f.name == name and f.meaning.ja and f.meaning.en, (s.id, name)
    for name in families():
        assert family(name), name


def _made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, dict[str, Any]]]:
    """Record the facts of every finding made from now on, with the declaration they were checked against."""
    seen: list[tuple[str, Any, dict[str, Any]]] = []
    real = finding_module.check

    def record(rule: str, declared: Any, facts: Any) -> None:
        seen.append((rule, declared, dict(facts)))
        real(rule, declared, facts)

    monkeypatch.setattr(finding_module, "check", record)
    return seen


def _assert_declared(made: list[tuple[str, Any, dict[str, Any]]]) -> None:
    assert made
    assert not [rule for rule, declared, _ in made if declared is None]
    wrong = {rule: problems(declared, facts) for rule, declared, facts in made if problems(declared, facts)}
    assert not wrong, wrong


def test_demo_and_syslog_findings_carry_only_declared_facts(tmp_path, monkeypatch):
    from wardwatch.config import load_config
    from wardwatch.scan import run_scan

    made = _made(monkeypatch)
    write_scenario(tmp_path / "logs")
    (tmp_path / "logs" / "fw.log").write_text("\n".join(syslog_lines()) + "\n", encoding="utf-8")
    (tmp_path / "segments.csv").write_text(SEGMENTS, encoding="utf-8")
    result = run_scan([tmp_path / "logs"], tmp_path / "out", load_config(), "Asia/Tokyo", "ja",
                      segments=str(tmp_path / "segments.csv"))
    _assert_declared(made)
    rules = {rule for rule, _, _ in made}
    assert {"brute-force", "breach-after-guessing", "lateral-movement", "log-coverage", "net-scan"} <= rules
    assert len(made) == len(result.findings)


def test_corpus_findings_carry_only_declared_facts(tmp_path, monkeypatch):
    from wardwatch.config import load_config
    from wardwatch.scan import run_scan

    need(CORPUS)
    sigma = need(SHARED / "sigma" / "rules" / "windows")
    made = _made(monkeypatch)
    result = run_scan([CORPUS], tmp_path / "out", load_config(), "Asia/Tokyo", "en", rule_paths=[sigma])
    _assert_declared(made)
    assert any("sigma_file" in facts for _, _, facts in made)  # the Sigma family is among them
    assert len(result.findings) > 50


def test_make_refuses_an_undeclared_or_mistyped_fact_in_tests():
    spec = spec_for("off-hours-logon")
    assert spec is not None
    with pytest.raises(FactError, match="undeclared fact 'nights'"):
        make(spec, facts={"night": "1:00–5:00", "nights": 2})
    with pytest.raises(FactError, match="declared str"):
        make(spec, facts={"night": 1})
    with pytest.raises(FactError, match="'night' missing"):
        make(spec, facts={})
    assert make(spec, facts={"night": "1:00–5:00"}).facts == {"night": "1:00–5:00"}


def test_a_users_run_keeps_the_finding_and_never_crashes(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)
    spec = spec_for("off-hours-logon")
    assert spec is not None
    assert make(spec, facts={"nights": 2}).facts == {"nights": 2}


def test_a_check_without_a_declaration_is_not_checked():
    spec = spec_of("user-rule", Severity.LOW, Text("t", "t"), Text("a", "a"))
    assert make(spec, facts={"anything": object}).facts["anything"] is object


def test_declarations_are_checked_when_loaded():
    assert declare({"hosts?": "list[str]", "port": "int | null"}, "x")["hosts"].optional
    with pytest.raises(ValueError, match="not in checks/facts.yml"):
        declare({"no_such_fact": "int"}, "x.yml")
    with pytest.raises(ValueError, match="unknown fact type"):
        declare({"hosts": "list[host]"}, "x.yml")
    with pytest.raises(ValueError, match="must be a mapping"):
        declare(["hosts"], "x.yml")


def test_readers_take_facts_by_declared_names():
    spec = spec_for("lateral-movement")
    f = make(spec, facts={"hosts": ["A", "B"], "hosts_count": 2, "who": "x"})
    assert fact(f, "hosts") == ["A", "B"]
    assert fact({"facts": {"hosts": ["A"]}}, "hosts") == ["A"]  # a finding read back from findings.json
    assert fact({"facts": None}, "hosts", []) == []
    with pytest.raises(KeyError, match="not a fact any check declares"):
        fact(f, "hostz")


def test_fact_labels_come_from_the_declared_meanings():
    assert fact_label("failures", "ja") == "失敗回数"
    assert fact_label("rate_per_minute", "en") == meanings()["rate_per_minute"].en


def test_facts_page_is_generated_from_the_declarations():
    assert DOC.read_text(encoding="utf-8") == factdoc.page(), "run: python -m wardwatch.checks.factdoc docs/facts.md"
