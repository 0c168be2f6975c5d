"""The seed rules written as Sigma rules run in the Sigma engine and find the same attacks."""
from __future__ import annotations

from pathlib import Path

from wardwatch.config import load_config
from wardwatch.demo import write_scenario
from wardwatch.detect.sigma_export import export
from wardwatch.scan import ingest
from wardwatch.sigma import check_rules, run_sigma
from wardwatch.store import EventStore

from builders.corpus import DEEPBLUE, need


def _tagged(findings, seed_rule: str) -> list:
    return [f for f in findings if f"wardwatch.{seed_rule}" in (f.facts.get("tags") or [])]


def _run(tmp_path: Path, logs: list[Path]):
    rules, skipped = export(tmp_path / "sigma", load_config())
    assert set(skipped) == {"chronic-failures", "log-coverage", "off-hours-logon", "breach-after-guessing"}
    assert all(s.will_run for s in check_rules([tmp_path / "sigma"], cache_dir=tmp_path / "cache"))
    store = EventStore(tmp_path / "store")
    ingest(logs, store)
    findings, _ = run_sigma(store, [tmp_path / "sigma"], "Asia/Tokyo", cache_dir=tmp_path / "cache")
    return findings


def test_exported_rules_find_the_ogmc_story(tmp_path):
    write_scenario(tmp_path / "logs")
    findings = _run(tmp_path, [tmp_path / "logs"])
    per_account = [f for f in _tagged(findings, "brute-force") if f.title.en.endswith("per TargetUserName")]
    assert [(f.host, f.accounts) for f in per_account] == [("KYUSHOKU-SV", ["ADMINISTRATOR"])]  # no typo, no trickle
    assert per_account[0].count >= 27
    assert _tagged(findings, "attack-tool") and _tagged(findings, "shadow-copy-delete")
    assert _tagged(findings, "log-tampering") and _tagged(findings, "defender-disabled")
    assert any(f.count >= 3 for f in _tagged(findings, "lateral-movement"))


def test_exported_rules_on_real_samples(tmp_path):
    folder = need(DEEPBLUE)
    findings = _run(tmp_path, [folder / "new-user-security.evtx", folder / "metasploit-psexec-native-target-system.evtx"])
    assert _tagged(findings, "account-created") and _tagged(findings, "privileged-group-add")
    assert _tagged(findings, "attack-tool")
