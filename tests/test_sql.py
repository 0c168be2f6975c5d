"""SQL built safely: the one quoting helper, checked names, bound values; rule values with quotes match as text."""
from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import orjson
import pytest
import yaml
from builders.events import scan
from builders.sigma import sigma_rule

from wardwatch.config import load_config
from wardwatch.demo import Ev, to_json, write_scenario
from wardwatch.detect.engine import run_rules
from wardwatch.detect.rules import RuleError, compile_rule, load_rules, parse_rule
from wardwatch.sigma import run_sigma
from wardwatch.sql import Params, SqlNameError, bound, quote_name, sql_literal, sql_name
from wardwatch.store import COLUMNS, EventStore

DROP = "x'; DROP TABLE events; --"
NASTY = ["it's", DROP, "''", "back\\slash \\'", '"double"', "日本語の'引用'", "$v0", "%_[]", "a\x00b", "\x00", ""]
T0 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


# --- the helpers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", NASTY)
def test_sql_literal_reads_back_as_the_same_text(text):
    assert duckdb.connect().execute(f"SELECT {sql_literal(text)}").fetchone() == (text,)


def test_sql_literal_doubles_quotes_and_writes_nul_as_chr():
    assert sql_literal("it's") == "'it''s'"
    assert sql_literal(5) == "'5'"
    assert sql_literal("a\x00b") == "('a' || chr(0) || 'b')"


@pytest.mark.parametrize("name", ["Threat Name", 'say "hi"', "ProcessId", "a.b", "x~r~123abc", "日本"])
def test_quote_name_keeps_the_name(name):
    cur = duckdb.connect().execute(f"SELECT 1 AS {quote_name(name)}")
    assert cur.description[0][0] == name


def test_quote_name_refuses_nul():
    with pytest.raises(ValueError, match="NUL"):
        quote_name("a\x00b")


def test_sql_name_accepts_plain_names_only():
    assert sql_name("host") == "host" and sql_name("_x1") == "_x1"
    for bad in ["host; DROP TABLE events", "1x", "", "a b", "ホスト", "host--", "x)", None, 3, ["host"]]:
        with pytest.raises(SqlNameError, match="is not a plain name"):
            sql_name(bad)
    assert sql_name("host", COLUMNS) == "host"
    with pytest.raises(SqlNameError, match="unknown field 'nosuch' \\(known: ts, host"):
        sql_name("nosuch", COLUMNS)


def test_params_hand_out_names_and_bound_picks_the_used_ones():
    p = Params("v")
    assert [p.add("a"), p.add(DROP)] == ["$v0", "$v1"]
    assert dict(p) == {"v0": "a", "v1": DROP}
    sql = "SELECT $v1 AS x, $v1 AS y, '$.Event' AS z"
    assert bound(sql, {**p, "unused": 1}) == {"v1": DROP}
    assert duckdb.connect().execute(sql, bound(sql, p)).fetchone() == (DROP, DROP, "$.Event")
    with pytest.raises(SqlNameError):
        Params("v; DROP")


# --- rule files --------------------------------------------------------------------------------------------

def _process(rid: int, command: str, minutes: int = 0) -> str:
    ev = Ev("Microsoft-Windows-Security-Auditing", "Security", "PC1", 4688, T0 + timedelta(minutes=minutes),
            {"NewProcessName": "C:\\Windows\\System32\\cmd.exe", "CommandLine": command, "SubjectUserName": "alice"},
            record_id=rid)
    return orjson.dumps(to_json(ev)).decode()


COMMANDS = {1: f"cmd /c echo {DROP}", 2: "cmd /c echo harmless", 3: "cmd /c echo it's", 4: "cmd /c echo x"}


def _store(tmp: Path) -> EventStore:
    store = EventStore(tmp / "store")
    store.add([_process(rid, cmd, rid) for rid, cmd in COMMANDS.items()], "logs/test.jsonl")
    store.close()
    return store


def _rule_yaml(select: str, correlate: str = "type: group\n  by: [host]") -> str:
    return textwrap.dedent("""\
        id: quoted-values
        phase: tools
        severity: high
        seed: test
        title: {ja: テスト, en: test}
        summary: {ja: テスト, en: test}
        advice: {ja: テスト, en: test}
        select:
          - event_id: 4688
        """) + textwrap.indent(select, "    ") + "\ncorrelate:\n  " + correlate + "\n"


def _matched(tmp: Path, select: str) -> set[int]:
    rule = parse_rule(yaml.safe_load(_rule_yaml(select)), "evil.yml")
    store = _store(tmp)
    try:
        findings = run_rules(store, load_config(), "UTC", {}, rules=[rule])
        assert store.query("SELECT count(*) FROM events") == [(len(COMMANDS),)]  # nothing was dropped
    finally:
        store.con.close()
    return {e.record_id for f in findings for e in f.evidence}


@pytest.mark.parametrize(("select", "want"), [
    ("command_line|contains: 'x''; DROP TABLE events; --'", {1}),  # YAML's own quoting of a quote
    ("command_line|contains: \"x'; DROP\"", {1}),
    ("command_line|endswith: \"'; DROP TABLE events; --\"", {1}),
    ("command_line|startswith: \"cmd /c echo it's\"", {3}),
    ("command_line: \"CMD /C ECHO IT'S\"", {3}),  # equality, case-insensitive
    ("command_line|contains: [\"it's\", \"'; drop\", \"harm'less\"]", {1, 3}),  # three values: one bound RE2 pattern
    ("command_line|ne: [\"cmd /c echo it's\", \"cmd /c echo harmless\"]", {1, 4}),
    ("command_line|re: \"echo (it's|x';)\"", {1, 3}),
])
def test_rule_values_with_quotes_are_matched_literally(tmp_path, select, want):
    assert _matched(tmp_path, select) == want


def test_rule_values_are_bound_not_spliced():
    rule = parse_rule(yaml.safe_load(_rule_yaml(f"command_line|contains: \"{DROP}\"")), "evil.yml")
    cond, case, params = compile_rule(rule, {})
    assert DROP.lower() not in cond + case and "DROP" not in cond + case
    assert DROP.lower() in params.values() and 4688 in params.values()


def test_a_field_that_is_not_a_name_is_refused_naming_the_rule_file(tmp_path):
    rule = parse_rule(yaml.safe_load(_rule_yaml("\"command_line) OR (true\": x")), "evil.yml")
    with pytest.raises(RuleError, match=r"evil\.yml select\[0\]: field 'command_line\) OR \(true' is not a plain name"):
        compile_rule(rule, {})
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "evil.yml").write_text(_rule_yaml("command_line: x", "type: group\n  by: [\"host; DROP TABLE events\"]"),
                                     encoding="utf-8")
    with pytest.raises(RuleError, match=r"evil\.yml correlate\.by: field 'host; DROP TABLE events' is not a plain name"):
        load_rules([folder])
    (folder / "evil.yml").write_text(_rule_yaml("command_line: x", "type: group\n  target: nosuch"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"evil\.yml correlate\.target: unknown field 'nosuch'"):
        load_rules([folder])


def test_a_number_field_with_text_is_refused_naming_the_rule_file():
    rule = parse_rule(yaml.safe_load(_rule_yaml("logon_type: \"3 OR 1=1\"")), "evil.yml")
    with pytest.raises(RuleError, match=r"evil\.yml select\[0\]: 'logon_type' needs whole numbers"):
        compile_rule(rule, {})


# --- Sigma: compiled SQL keeps literals, written by the one helper ----------------------------------------

SIGMA_RULE = sigma_rule("Quoted value", "22222222-2222-2222-2222-222222222222",
                        {"EventID": 4688, "CommandLine|contains": DROP}, level="high")


@pytest.mark.parametrize("engine", ["python", "sql"])
def test_sigma_values_with_quotes_are_matched_literally(tmp_path, engine):
    rules = tmp_path / "sigma"
    rules.mkdir()
    (rules / "rule.yml").write_text(SIGMA_RULE, encoding="utf-8")
    store = _store(tmp_path)
    try:
        findings, statuses = run_sigma(store, [rules], "UTC", cache_dir=tmp_path / "cache", engine=engine)
        assert store.query("SELECT count(*) FROM events") == [(len(COMMANDS),)]
    finally:
        store.con.close()
    assert all(s.will_run for s in statuses), [s.reason for s in statuses]
    assert {e.record_id for f in findings for e in f.evidence} == {1}


# --- paths the user chose ---------------------------------------------------------------------------------

def test_an_output_folder_with_quotes_and_glob_characters_is_taken_as_it_is(tmp_path):
    write_scenario(tmp_path / "logs")
    plain = scan([tmp_path / "logs"], tmp_path / "out")
    odd = scan([tmp_path / "logs"], tmp_path / "case [1] o'brien*?")
    assert plain.findings and [(f.rule, f.host, f.count) for f in odd.findings] == \
        [(f.rule, f.host, f.count) for f in plain.findings]
