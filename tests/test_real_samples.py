"""Real sample logs from ../shared/corpus/evtx: the DeepBlueCLI cases and every file scanning without a crash."""
from __future__ import annotations

from pathlib import Path

import pytest

from wardwatch.model import Severity

from builders.events import by_rule, scan


def _scan_one(deepblue: Path, name: str, tmp_path: Path):
    return scan([deepblue / name], tmp_path / "out")


def test_smb_password_guessing(deepblue, tmp_path):
    result = _scan_one(deepblue, "smb-password-guessing-security.evtx", tmp_path)
    (bf,) = by_rule(result, "brute-force")
    assert bf.accounts == ["Administrator"] and bf.count == 3560
    assert bf.sources == ["192.168.198.149"] and bf.facts["wrong_password"] == 3558
    assert not by_rule(result, "password-spray")
    assert by_rule(result, "ntlm-no-domain")  # domain "." with NTLM
    (inc,) = result.incidents  # guessing only: no logon succeeded, and the story must not say one did
    assert inc.phases == ["guessing"] and "成功" not in inc.narrative.ja
    assert "followed by a logon" not in inc.narrative.en
    assert by_rule(result, "builtin-admin")[0].phase == "guessing"
    assert all(not i.errors for i in result.inputs)


def test_password_spray(deepblue, tmp_path):
    result = _scan_one(deepblue, "password-spray.evtx", tmp_path)
    (sp,) = by_rule(result, "password-spray")
    assert sp.facts["accounts_count"] == 41 and sp.count == 294
    assert by_rule(result, "log-tampering")  # the 1102 in the same file


def test_new_user(deepblue, tmp_path):
    result = _scan_one(deepblue, "new-user-security.evtx", tmp_path)
    (created,) = by_rule(result, "account-created")
    assert created.accounts == ["IEUser"]
    (grp,) = by_rule(result, "privileged-group-add")
    assert grp.accounts == ["Administrators"] and grp.severity == Severity.HIGH
    assert grp.count == 1  # "Users" and "None" are not privileged groups


def test_eventlog_disabled_and_cleared(deepblue, tmp_path):
    result = _scan_one(deepblue, "disablestop-eventlog.evtx", tmp_path)
    whats = " ".join(f.summary.en for f in by_rule(result, "log-tampering"))
    assert "cleared" in whats and "disabled" in whats


@pytest.mark.parametrize("name", ["metasploit-psexec-native-target-system.evtx",
                                  "metasploit-psexec-powershell-target-system.evtx"])
def test_psexec_service_installs(deepblue, tmp_path, name):
    result = _scan_one(deepblue, name, tmp_path)
    tools = by_rule(result, "attack-tool")
    assert tools and all(f.severity == Severity.HIGH for f in tools)
    assert any("7045" in str(f.facts) or f.facts.get("services") for f in tools)


def test_benign_application_log_is_a_negative_control(deepblue, tmp_path):
    result = _scan_one(deepblue, "many-events-application.evtx", tmp_path)
    assert not by_rule(result, "attack-tool")  # 317 ordinary MsiInstaller installs
    assert not by_rule(result, "brute-force") and not by_rule(result, "chronic-failures")  # 4625s of EventSystem


def test_every_corpus_file_scans(corpus, tmp_path):
    files = sorted(corpus.rglob("*.evtx"))
    assert len(files) > 250
    result = scan([corpus], tmp_path / "out")
    assert len(result.inputs) == len(files)
    assert result.stats["events"] > 10_000
    assert (tmp_path / "out" / "report.html").stat().st_size > 10_000
    unreadable = [i.path for i in result.inputs if any(e.skipped_file for e in i.errors)]
    assert not unreadable


def test_same_input_same_output(deepblue, tmp_path):
    """Rules run side by side on DuckDB's threads: the outputs must not depend on which finished first."""
    from wardwatch.detect.rules import load_rules

    def outputs(name: str) -> tuple[str, str]:
        result = scan([deepblue], tmp_path / name)
        order = [r.id for r in load_rules()]
        ranks = [order.index(f.rule) for f in result.findings]
        assert ranks == sorted(ranks)  # findings come in rule order
        report = (tmp_path / name / "findings.json").read_text(encoding="utf-8")
        report = "\n".join(line for line in report.splitlines() if '"generated_at"' not in line and 'seconds"' not in line)
        return report.replace(str(tmp_path / name), "OUT"), (tmp_path / name / "timeline.csv").read_text(encoding="utf-8")

    first = outputs("a")
    for again in ("b", "c"):
        assert outputs(again) == first
