"""Sigma detections: every modifier and condition form, logsource mapping, findings, rule checks and the cache.

Each matching test runs on both engines (Python and SQL), so the two stay the same."""
from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from builders.sigma import SECURITY, T0, event, make_store
from wardwatch.model import Severity
from wardwatch.sigma import check_rules, run_sigma
from wardwatch.store import EventStore

ENGINES = ["python", "sql"]


def rule_text(detection: str, logsource: str = "category: process_creation", level: str = "high",
              rule_id: str = "11111111-1111-1111-1111-111111111111", extra: str = "") -> str:
    """A Sigma rule; `detection` is the detection block's content (its own indentation, no leading spaces)."""
    body = textwrap.indent(textwrap.dedent(detection).strip("\n"), "    ")
    source = f"    {logsource}\n" if logsource else ""
    return (f"title: Test rule\nid: {rule_id}\nstatus: test\nlogsource:\n    product: windows\n{source}"
            f"detection:\n{body}\nlevel: {level}\n{extra}")


def hits(tmp: Path, rule: str, events: list[str], engine: str = "python", **kw: Any) -> set[int]:
    """Record ids the rule matches."""
    rules = tmp / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "rule.yml").write_text(rule, encoding="utf-8")
    store = make_store(tmp, events)
    findings, statuses = run_sigma(store, [rules], "UTC", cache_dir=tmp / "cache", engine=engine, **kw)
    store.con.close()
    assert all(s.will_run for s in statuses), [s.reason for s in statuses]
    return {e.record_id for f in findings for e in f.evidence}


PROC = [
    event(1, 1, {"Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd.exe /c whoami /all",
                 "ParentImage": "C:\\Windows\\explorer.exe", "User": "PC1\\alice", "IntegrityLevel": "High"}),
    event(2, 1, {"Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                 "CommandLine": "powershell -EncodedCommand SQBFAFgA", "ParentImage": "C:\\Windows\\System32\\cmd.exe",
                 "User": "NT AUTHORITY\\SYSTEM"}),
    event(3, 1, {"Image": "C:\\Tools\\a*b?.exe", "CommandLine": "tool.exe --verbose", "ParentImage": "C:\\x.exe"}),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("detection", "expected"), [
    ("selection:\n    Image|endswith: '\\cmd.exe'\ncondition: selection", {1}),
    ("selection:\n    Image|endswith: '\\CMD.EXE'\ncondition: selection", {1}),  # case-insensitive by default
    ("selection:\n    CommandLine|contains: 'WHOAMI'\ncondition: selection", {1}),
    ("selection:\n    CommandLine|startswith: 'powershell '\ncondition: selection", {2}),
    ("selection:\n    Image: 'c:\\windows\\system32\\cmd.exe'\ncondition: selection", {1}),  # whole value
    ("selection:\n    Image: 'cmd.exe'\ncondition: selection", set()),
    ("selection:\n    CommandLine|contains|all: ['cmd', 'whoami', '/all']\ncondition: selection", {1}),
    ("selection:\n    CommandLine|contains|all: ['cmd', 'nothere']\ncondition: selection", set()),
    ("selection:\n    CommandLine|contains: ['nothere', 'verbose']\ncondition: selection", {3}),
    ("selection:\n    Image|contains|cased: 'System32'\ncondition: selection", {1, 2}),
    ("selection:\n    Image|contains|cased: 'system32'\ncondition: selection", set()),
    ("selection:\n    Image: 'C:\\Windows\\\\*\\cmd.exe'\ncondition: selection", {1}),  # \\ then * wildcard
    ("selection:\n    Image: 'C:\\Windows\\*\\cmd.exe'\ncondition: selection", set()),  # \* is a literal *
    ("selection:\n    Image: 'C:\\Windows\\System32\\cm?.exe'\ncondition: selection", {1}),  # ? wildcard
    ("selection:\n    Image|endswith: 'a\\*b\\?.exe'\ncondition: selection", {3}),  # escaped wildcards are literal
    ("selection:\n    Image|endswith: 'a\\*x\\?.exe'\ncondition: selection", set()),
    ("selection:\n    CommandLine|re: 'whoami\\s+/all$'\ncondition: selection", {1}),
    ("selection:\n    CommandLine|re: 'WHOAMI'\ncondition: selection", set()),  # re is case-sensitive
    ("selection:\n    CommandLine|re|i: 'WHOAMI'\ncondition: selection", {1}),
    ("selection:\n    CommandLine|windash|contains: ' -all'\ncondition: selection", {1}),  # matches ' /all'
    ("selection:\n    CommandLine|windash|contains: '-EncodedCommand'\ncondition: selection", {2}),
    ("selection:\n    OriginalFileName|exists: true\ncondition: selection", set()),
    ("selection:\n    IntegrityLevel|exists: true\ncondition: selection", {1}),
    ("selection:\n    IntegrityLevel|exists: false\ncondition: selection", {2, 3}),
    ("selection:\n    IntegrityLevel: null\ncondition: selection", {2, 3}),
    ("selection:\n    Image|fieldref: ParentImage\ncondition: selection", set()),
    ("selection:\n    ParentImage|fieldref|endswith: OriginalFileName\ncondition: selection", set()),
])
def test_modifiers(tmp_path: Path, engine: str, detection: str, expected: set[int]) -> None:
    assert hits(tmp_path, rule_text(detection), PROC, engine) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_fieldref_equal(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 1, {"Image": "C:\\a.exe", "ParentImage": "c:\\A.EXE"}), event(2, 1, {"Image": "C:\\a.exe", "ParentImage": "C:\\b.exe"})]
    assert hits(tmp_path, rule_text("sel:\n    Image|fieldref: ParentImage\ncondition: sel"), evs, engine) == {1}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("mod", "expected"), [("lt", {1}), ("lte", {1, 2}), ("gt", {3}), ("gte", {2, 3})])
def test_numeric_comparisons(tmp_path: Path, engine: str, mod: str, expected: set[int]) -> None:
    evs = [event(i, 3, {"DestinationPort": port}) for i, port in ((1, 80), (2, 443), (3, "8443"))]
    rule = rule_text(f"sel:\n    DestinationPort|{mod}: 443\ncondition: sel", "category: network_connection")
    assert hits(tmp_path, rule, evs, engine) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_cidr_v4_and_v6(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 3, {"DestinationIp": "172.20.1.5"}), event(2, 3, {"DestinationIp": "172.32.0.1"}),
           event(3, 3, {"DestinationIp": "fe80::1"}), event(4, 3, {"DestinationIp": "8.8.8.8"})]
    rule = rule_text("sel:\n    DestinationIp|cidr: ['172.16.0.0/12', 'fe80::/10']\ncondition: sel", "category: network_connection")
    assert hits(tmp_path, rule, evs, engine) == {1, 3}


@pytest.mark.parametrize("engine", ENGINES)
def test_base64_modifiers(tmp_path: Path, engine: str) -> None:
    import base64
    plain = base64.b64encode(b"IEX (New-Object Net.WebClient)").decode()
    offset = base64.b64encode(b"xx" + b"Invoke-Mimikatz yes").decode()
    wide = base64.b64encode("Invoke-Expression".encode("utf-16-le")).decode()
    evs = [event(1, 1, {"CommandLine": f"powershell -e {plain}"}), event(2, 1, {"CommandLine": f"x {offset}"}),
           event(3, 1, {"CommandLine": f"powershell -enc {wide}"}), event(4, 1, {"CommandLine": "nothing"})]
    assert hits(tmp_path, rule_text("sel:\n    CommandLine|base64|contains: 'IEX (New-Object'\ncondition: sel"), evs, engine) == {1}
    assert hits(tmp_path, rule_text("sel:\n    CommandLine|base64offset|contains: 'Invoke-Mimikatz'\ncondition: sel"), evs, engine) == {2}
    assert hits(tmp_path, rule_text("sel:\n    CommandLine|wide|base64offset|contains: 'Invoke-Expression'\ncondition: sel"), evs, engine) == {3}


@pytest.mark.parametrize("engine", ENGINES)
def test_regex_flags_m_and_s(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 4104, {"ScriptBlockText": "line one\nInvoke-Thing\nend"}, ("Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell"))]
    ls = "category: ps_script"
    assert hits(tmp_path, rule_text("sel:\n    ScriptBlockText|re: '^Invoke-Thing$'\ncondition: sel", ls), evs, engine) == set()
    assert hits(tmp_path, rule_text("sel:\n    ScriptBlockText|re|m: '^Invoke-Thing$'\ncondition: sel", ls), evs, engine) == {1}
    assert hits(tmp_path, rule_text("sel:\n    ScriptBlockText|re: 'one.Invoke'\ncondition: sel", ls), evs, engine) == set()
    assert hits(tmp_path, rule_text("sel:\n    ScriptBlockText|re|s: 'one.Invoke'\ncondition: sel", ls), evs, engine) == {1}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("condition", "expected"), [
    ("sel_a or sel_b", {1, 2}),
    ("sel_a and sel_b", set()),
    ("sel_a and not filter", {1}),
    ("not sel_a", {2, 3}),
    ("1 of sel_*", {1, 2}),
    ("all of sel_*", set()),
    ("1 of them", {1, 2}),
    ("all of them", set()),
    ("(sel_a or sel_b) and not 1 of filter*", {1}),
    ("sel_b and not (filter or sel_a)", set()),
])
def test_condition_forms(tmp_path: Path, engine: str, condition: str, expected: set[int]) -> None:
    detection = (
        "sel_a:\n    Image|endswith: '\\cmd.exe'\n"
        "sel_b:\n    CommandLine|contains: 'EncodedCommand'\n"
        "filter:\n    ParentImage|endswith: '\\cmd.exe'\n"
        f"condition: {condition}")
    assert hits(tmp_path, rule_text(detection), PROC, engine) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_field_is_no_match_even_under_not(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 1, {"Image": "C:\\a.exe"}), event(2, 1, {"Image": "C:\\a.exe", "Company": "Evil Corp"})]
    rule = rule_text("sel:\n    Image|endswith: '\\a.exe'\nfilter:\n    Company: 'Microsoft Corporation'\n"
                     "condition: sel and not filter")
    assert hits(tmp_path, rule, evs, engine) == {1, 2}
    assert hits(tmp_path, rule_text("sel:\n    Company|contains: 'corp'\ncondition: sel"), evs, engine) == {2}


@pytest.mark.parametrize("engine", ENGINES)
def test_keywords_search_the_whole_event(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 4104, {"ScriptBlockText": "Invoke-Mimikatz -DumpCreds"}, ("Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell")),
           event(2, 7045, {"ImagePath": "C:\\Temp\\mimidrv.sys"}, ("System", "Service Control Manager")),
           event(3, 7045, {"ImagePath": "C:\\good.sys"}, ("System", "Service Control Manager"))]
    rule = rule_text("keywords:\n    - 'dumpcreds'\n    - '\\mimidrv.sys'\ncondition: keywords", "")
    assert hits(tmp_path, rule, evs, engine) == {1, 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_unnamed_data_values(tmp_path: Path, engine: str) -> None:
    mssql = ("Application", "MSSQLSERVER")
    evs = [event(1, 15457, raw_data={"Data": {"#text": ["xp_cmdshell", "0", "1"]}}, channel=mssql),
           event(2, 15457, raw_data={"Data": {"#text": ["other option", "0", "1"]}}, channel=mssql),
           event(3, 15457, raw_data={"Data": "xp_cmdshell"}, channel=mssql)]
    rule = rule_text("sel:\n    Provider_Name: MSSQLSERVER\n    EventID: 15457\n    Data|contains: 'xp_cmdshell'\ncondition: sel",
                     "service: application")
    assert hits(tmp_path, rule, evs, engine) == {1, 3}
    rule = rule_text("sel:\n    Data: '1'\ncondition: sel", "service: application")
    assert hits(tmp_path, rule, evs, engine) == {1, 2}  # any item equal


@pytest.mark.parametrize("engine", ENGINES)
def test_channel_and_provider_are_checked(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 1, {"Image": "C:\\x\\cmd.exe"}),  # Sysmon 1
           event(2, 1, {"Image": "C:\\x\\cmd.exe"}, ("Application", "SomeApp")),  # event 1 of another channel
           event(3, 1, {"Image": "C:\\x\\cmd.exe"}, ("Microsoft-Windows-Sysmon/Operational", "Fake-Provider")),
           event(4, 4688, {"NewProcessName": "C:\\x\\cmd.exe"}, ("Security", "Other-Provider"))]
    assert hits(tmp_path, rule_text("sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel"), evs, engine) == {1}


@pytest.mark.parametrize("engine", ENGINES)
def test_security_4688_is_process_creation(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 4688, {"NewProcessName": "C:\\Windows\\System32\\cmd.exe", "ParentProcessName": "C:\\w\\winword.exe",
                           "CommandLine": "cmd /c calc", "SubjectUserSid": "S-1-5-21-1", "SubjectUserName": "bob",
                           "SubjectDomainName": "CORP", "TargetUserName": "-", "MandatoryLabel": "S-1-16-12288"}, SECURITY),
           event(2, 4688, {"NewProcessName": "C:\\Windows\\System32\\cmd.exe", "SubjectUserSid": "S-1-5-18",
                           "SubjectUserName": "PC1$", "SubjectDomainName": "CORP", "TargetUserName": "-"}, SECURITY),
           event(3, 4689, {"ProcessName": "C:\\Windows\\System32\\cmd.exe"}, SECURITY)]
    assert hits(tmp_path, rule_text("sel:\n    Image|endswith: '\\cmd.exe'\n    ParentImage|endswith: '\\winword.exe'\n"
                                    "condition: sel"), evs, engine) == {1}
    assert hits(tmp_path, rule_text("sel:\n    User|contains: ['AUTHORI', 'AUTORI']\ncondition: sel"), evs, engine) == {2}
    assert hits(tmp_path, rule_text("sel:\n    User: 'CORP\\bob'\n    IntegrityLevel: High\ncondition: sel"), evs, engine) == {1}


@pytest.mark.parametrize("engine", ENGINES)
def test_defender_spaced_names_and_user_data(tmp_path: Path, engine: str) -> None:
    defender = ("Microsoft-Windows-Windows Defender/Operational", "Microsoft-Windows-Windows Defender")
    evs = [event(1, 1116, {"Threat Name": "HackTool:Win32/Mimikatz", "Process Name": "C:\\x.exe"}, defender),
           event(2, 104, None, ("System", "Microsoft-Windows-Eventlog"),
                 user_data={"LogFileCleared": {"SubjectUserName": "eve", "Channel": "System"}})]
    assert hits(tmp_path, rule_text("sel:\n    ThreatName|contains: 'Mimikatz'\ncondition: sel", "service: windefend"),
                evs, engine) == {1}
    assert hits(tmp_path, rule_text("sel:\n    EventID: 104\n    SubjectUserName: eve\ncondition: sel", "service: system"),
                evs, engine) == {2}


def test_findings_grouped_per_rule_and_host(tmp_path: Path) -> None:
    evs = [event(i, 1, {"Image": "C:\\x\\cmd.exe", "User": "CORP\\alice"}, host=h, seconds=i * 10)
           for i, h in ((1, "PC1"), (2, "PC1"), (3, "PC1"), (4, "PC2"))]
    rules = tmp_path / "r"
    rules.mkdir()
    (rules / "a.yml").write_text(rule_text("sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel", level="critical",
                                           extra="falsepositives:\n    - Admin scripts\ntitle_ja: テスト規則\n"), encoding="utf-8")
    store = make_store(tmp_path, evs)
    findings, _ = run_sigma(store, [rules], "Asia/Tokyo", cache_dir=tmp_path / "c", evidence_limit=2)
    assert [(f.host, f.count, f.evidence_total, len(f.evidence)) for f in findings] == [("PC1", 3, 3, 2), ("PC2", 1, 1, 1)]
    f = findings[0]
    assert f.rule == "11111111-1111-1111-1111-111111111111" and f.severity is Severity.CRITICAL and f.phase == "sigma"
    assert f.first_seen == T0 + timedelta(seconds=10) and f.last_seen == T0 + timedelta(seconds=30)
    assert f.first_seen.tzinfo is not None and f.seed == ""
    assert [e.record_id for e in f.evidence] == [1, 2] and f.evidence[0].file == "logs/test.evtx"
    assert f.title.en == "Test rule" and f.title.ja == "テスト規則"
    assert f.accounts == ["alice"]
    assert "Admin scripts" in f.advice.en and "3" in f.summary.en


def test_min_level_filters(tmp_path: Path) -> None:
    evs = [event(1, 1, {"Image": "C:\\x\\cmd.exe"})]
    rule = rule_text("sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel", level="medium")
    assert hits(tmp_path, rule, evs, min_level="medium") == {1}
    assert hits(tmp_path, rule, evs, min_level="high") == set()
    with pytest.raises(ValueError):
        hits(tmp_path, rule, evs, min_level="severe")


def test_check_rules_reports_why_a_rule_will_not_run(tmp_path: Path) -> None:
    (tmp_path / "ok.yml").write_text(rule_text("sel:\n    Image: x\ncondition: sel"), encoding="utf-8")
    (tmp_path / "bad_yaml.yml").write_text("title: [unclosed\n", encoding="utf-8")
    (tmp_path / "linux.yml").write_text(rule_text("sel:\n    a: b\ncondition: sel", rule_id="22222222-2222-2222-2222-222222222222")
                                        .replace("product: windows", "product: linux"), encoding="utf-8")
    (tmp_path / "unknown.yml").write_text(rule_text("sel:\n    a: b\ncondition: sel", "category: file_access",
                                                    rule_id="33333333-3333-3333-3333-333333333333"), encoding="utf-8")
    (tmp_path / "expand.yml").write_text(rule_text("sel:\n    Image|expand: '%dir%\\x.exe'\ncondition: sel",
                                                   rule_id="44444444-4444-4444-4444-444444444444"), encoding="utf-8")
    (tmp_path / "lookahead.yml").write_text(rule_text("sel:\n    Image|re: 'a(?=b)'\ncondition: sel",
                                                      rule_id="55555555-5555-5555-5555-555555555555"), encoding="utf-8")
    (tmp_path / "badcond.yml").write_text(rule_text("sel:\n    Image: x\ncondition: sel and nothere",
                                                    rule_id="66666666-6666-6666-6666-666666666666"), encoding="utf-8")
    # SigmaHQ's regression-test manifests (regression_data/**/info.yml) are data about rules, not rules: not listed
    (tmp_path / "info.yml").write_text("id: 77777777-7777-7777-7777-777777777777\nrule_metadata:\n  - id: x\n"
                                       "regression_tests_info:\n  - name: Positive\n    type: evtx\n", encoding="utf-8")
    got = {Path(s.file).name: s for s in check_rules([tmp_path], cache_dir=tmp_path / "cache")}
    assert "info.yml" not in got
    assert got["ok.yml"].will_run and got["ok.yml"].id == "11111111-1111-1111-1111-111111111111"
    assert not got["bad_yaml.yml"].will_run and "YAML error" in got["bad_yaml.yml"].reason
    assert "not a Windows rule" in got["linux.yml"].reason
    assert "unknown logsource" in got["unknown.yml"].reason
    assert "placeholder" in got["expand.yml"].reason
    assert "RE2" in got["lookahead.yml"].reason
    assert not got["badcond.yml"].will_run and got["badcond.yml"].reason.startswith("Sigma error")
    # one bad rule never stops the others
    store = make_store(tmp_path, [event(1, 1, {"Image": "x"})])
    findings, statuses = run_sigma(store, [tmp_path], "UTC", cache_dir=tmp_path / "cache")
    assert [f.rule for f in findings] == ["11111111-1111-1111-1111-111111111111"] and len(statuses) == 7


def test_second_run_uses_the_cache_not_pysigma(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wardwatch.sigma import loader
    rules = tmp_path / "r"
    rules.mkdir()
    path = rules / "a.yml"
    path.write_text(rule_text("sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel"), encoding="utf-8")
    first = check_rules([rules], cache_dir=tmp_path / "cache")
    calls: list[str] = []
    real = loader.compile_text
    monkeypatch.setattr(loader, "compile_text", lambda text, file: calls.append(file) or real(text, file))
    assert check_rules([rules], cache_dir=tmp_path / "cache") == first and calls == []
    path.write_text(path.read_text(encoding="utf-8").replace("cmd.exe", "pwsh.exe"), encoding="utf-8")
    check_rules([rules], cache_dir=tmp_path / "cache")
    assert calls == [str(path)]  # changed content: compiled again


def test_a_cached_rule_unpacks_its_detection_when_read(tmp_path: Path) -> None:
    from wardwatch.sigma import load_sigma_rules
    rules = tmp_path / "r"
    rules.mkdir()
    (rules / "a.yml").write_text(rule_text("sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel"), encoding="utf-8")
    (fresh,) = load_sigma_rules([rules], tmp_path / "cache")
    (cached,) = load_sigma_rules([rules], tmp_path / "cache")
    assert cached.packed and "ast" not in vars(cached)  # not unpacked while nobody reads it
    assert cached.ast == fresh.ast and cached.needs == fresh.needs and cached.ast
    assert cached == fresh


@pytest.mark.parametrize("damage", [b"", b"not a cache", b"\x00" * 40, "truncate", "flip"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(tmp_path: Path, damage: bytes | str) -> None:
    from wardwatch.sigma.cache import RuleCache

    rules = tmp_path / "r"
    rules.mkdir()
    (rules / "a.yml").write_text(rule_text("sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel"), encoding="utf-8")
    first = check_rules([rules], cache_dir=tmp_path / "cache")
    (cache_file,) = (tmp_path / "cache").glob("sigma-compiled-*")
    good = cache_file.read_bytes()
    if damage == "truncate":
        cache_file.write_bytes(good[: len(good) // 2])
    elif damage == "flip":
        cache_file.write_bytes(good[:-10] + bytes([good[-10] ^ 0xFF]) + good[-9:])
    else:
        cache_file.write_bytes(damage)  # type: ignore[arg-type]
    assert check_rules([rules], cache_dir=tmp_path / "cache") == first
    assert len(RuleCache(tmp_path / "cache").entries) == 1  # compiled again and written back whole
    store = make_store(tmp_path, PROC)
    assert [f.rule for f in run_sigma(store, [rules], "UTC", cache_dir=tmp_path / "cache")[0]] == [first[0].id]


@pytest.mark.parametrize("engine", ENGINES)
def test_regex_with_a_required_literal(tmp_path: Path, engine: str) -> None:
    evs = [event(1, 1, {"CommandLine": "a`b`c x"}), event(2, 1, {"CommandLine": "abc x"}),
           event(3, 1, {"CommandLine": "run && SET x"}), event(4, 1, {"CommandLine": "run & set x"})]
    assert hits(tmp_path, rule_text("sel:\n    CommandLine|re: '\\w+`\\w`'\ncondition: sel"), evs, engine) == {1}
    assert hits(tmp_path, rule_text("sel:\n    CommandLine|re: '(?i)run && set'\ncondition: sel"), evs, engine) == {3}


def test_regex_precheck_only_uses_literals_case_folding_cannot_change() -> None:
    from wardwatch.sigma.pyeval import _regex_precheck

    assert _regex_precheck(r"\w+`(?:\w+|-|.)`", "v") == " and '`' in v"
    assert _regex_precheck(r"(?i)run&&x", "v") == ""  # letters under IGNORECASE
    assert _regex_precheck(r"(?i)a.*&&\s", "v") == " and '&&' in v"
    assert _regex_precheck(r"a|b", "v") == ""  # no literal every match holds


def test_presence_word_by_word_and_by_automaton_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from wardwatch.sigma import pyeval
    from wardwatch.sigma.compiler import needs
    from wardwatch.sigma.types import CompiledRule

    ast = ["or", [["s", "CommandLine", "l", "contains", "who"], ["s", "CommandLine", "l", "contains", "ami /"],
                  ["s", "Data", "r", "contains", "xp_"]]]
    rule = CompiledRule(id="r", title="", file="", level="high", ast=ast, needs=needs(ast))
    cols = {("CommandLine", "l"): ["whoami /all", None, "", "echo who", "whoami /all"],
            ("Data", "r"): [None, ["xp_cmdshell", None], [], ["a", "b"], None]}
    found = []
    for limit in (0, 10**6):
        monkeypatch.setattr(pyeval, "NAIVE_CHARS", limit)
        found.append(pyeval.Presence([rule], cols).rows)
    assert found[0] == found[1] == {("CommandLine", "l", "who"): {0, 3, 4}, ("CommandLine", "l", "ami /"): {0, 4},
                                    ("Data", "r", "xp_"): {1}}
    assert pyeval.evaluate([rule], cols, 5) == [[0, 1, 3, 4]]


def test_logsources_follow_the_pysigma_windows_pipelines() -> None:
    from sigma.pipelines.common import windows_logsource_mapping
    from sigma.pipelines.windows.windows import windows_generic_category_channel_mapping

    from wardwatch.sigma.logsources import (
        POWERSHELL_CATEGORIES,
        SERVICE_CHANNELS,
        SYSMON_CATEGORIES,
        sources,
    )

    for service, channels in windows_logsource_mapping.items():
        assert SERVICE_CHANNELS[service] == (tuple(channels) if isinstance(channels, list) else (channels,)), service
    for category, info in windows_generic_category_channel_mapping.items():
        assert POWERSHELL_CATEGORIES[category] == (info["service"], info["EventID"])
    assert SYSMON_CATEGORIES["process_creation"] == (1,) and SYSMON_CATEGORIES["registry_event"] == (12, 13, 14)
    pc = sources("category:process_creation")
    assert [(s.channel, s.event_ids, s.provider) for s in pc] == [
        ("Microsoft-Windows-Sysmon/Operational", (1,), "Microsoft-Windows-Sysmon"),
        ("Security", (4688,), "Microsoft-Windows-Security-Auditing")]


@pytest.mark.parametrize("engine", ENGINES)
def test_store_parts_are_read_one_by_one_with_the_same_result(tmp_path: Path, engine: str) -> None:
    evs = [event(i, 1, {"Image": f"C:\\x\\{'cmd' if i % 2 else 'other'}.exe"}, seconds=i) for i in range(1, 12)]
    rules = tmp_path / "r"
    rules.mkdir()
    (rules / "a.yml").write_text(rule_text("sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel"), encoding="utf-8")
    store = EventStore(tmp_path / "store", batch_size=3)
    store.add(evs, "logs/a.evtx")
    store.close()
    assert len(list((tmp_path / "store").glob("events-*.parquet"))) == 4
    (finding,) = run_sigma(store, [rules], "UTC", cache_dir=tmp_path / "c", engine=engine)[0]
    assert finding.count == 6 and [e.record_id for e in finding.evidence] == [1, 3, 5, 7, 9, 11]


def test_matches_keep_what_findings_show_without_every_event() -> None:
    from datetime import datetime, timedelta

    from wardwatch.sigma.findings import Matches
    t0 = datetime(2024, 1, 1)
    hits = [(7, f"f{i % 3}", 1000 - i, t0 + timedelta(seconds=1000 - i), "H", f"u{i % 5}", None) for i in range(500)]
    hits += [(7, "f0", 1, None, "H", "late", "10.0.0.1"), (8, "f0", 2, t0, "", None, None)]
    m = Matches(limit=4)
    m.add(hits[:250])
    m.add(hits[250:])  # two parts
    (r1, row1), (r2, row2) = m.rows()
    assert (r1, r2) == (7, 8)  # rule and host order
    assert row1["n"] == 501 and row1["first"] == t0 + timedelta(seconds=501) and row1["last"] == t0 + timedelta(seconds=1000)
    assert [e["record_id"] for e in row1["evidence"]] == [501, 502, 503, 504]  # the earliest, though they came last
    assert row1["accounts"] == ["u4", "u3", "u2", "u1", "u0", "late"]  # by first time; no time sorts last
    assert row1["sources"] == ["10.0.0.1"] and row2["host"] == "" and row2["n"] == 1
