"""Fuzz suite (fixed seed, over 1,000 generated cases a run) over every input WardWatch reads.

Reader level (cheap, most cases): damaged evtx (corpus files mutated in memory), XML, JSON, zips and syslog lines
through the readers and the event store; collector bundles, inventories, checklist answer files and settings files
through their own loaders. Property: no exception escapes but the module's documented error type carrying a
message, and every problem names its file and place.

Command level (fewer, each over a folder of many damaged files): exit code 0 or 1 (2 only for a usage error such
as an unusable settings file), no traceback, findings.json valid against the JSON Schema the package ships,
every input byte-for-byte unchanged. The generators are in fuzzgen.py."""
from __future__ import annotations

import json
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import fuzzgen as fz
import jsonschema
import pytest
import yaml
from builders.corpus import CORPUS, need
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from wardwatch.cli import app
from wardwatch.config import ConfigError, load_config

SCHEMA = json.loads((resources.files("wardwatch.report") / "findings.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Cases a run, by input kind (asserted below: together at least 1,000).
READER_BATCHES, READER_FILES = 8, 40  # evtx / XML / JSON / zip files through read_sources and the event store
SYSLOG_LINES = 600
SYSLOG_FILES = 20
BUNDLES = 120
INVENTORIES = 160
ANSWER_FILES = 160
CONFIG_FILES = 160
CONFIG_VALUES = 150  # hypothesis: settings files from generated mappings
SCANS, FILES_PER_SCAN = 12, 50  # whole `wardwatch scan` runs, each over a folder of damaged files
AUDITS, BUNDLES_PER_AUDIT = 5, 8
INVENTORY_RUNS = CHECKLIST_RUNS = CONFIG_RUNS = 4
CASES = {
    "reader files": READER_BATCHES * READER_FILES, "syslog lines": SYSLOG_LINES, "syslog files": SYSLOG_FILES,
    "bundles": BUNDLES, "inventories": INVENTORIES, "answer files": ANSWER_FILES, "settings files": CONFIG_FILES,
    "settings values": CONFIG_VALUES, "scan files": SCANS * FILES_PER_SCAN, "audit bundles": AUDITS * BUNDLES_PER_AUDIT,
    "inventory runs": INVENTORY_RUNS, "checklist runs": CHECKLIST_RUNS, "config runs": CONFIG_RUNS,
}


def test_case_count_is_over_a_thousand() -> None:
    assert sum(CASES.values()) >= 1000, CASES


# ---------- shared ----------

@pytest.fixture(scope="module")
def evtx_seeds() -> list[bytes]:
    """Small real evtx files from the corpus (read, never written), as mutation seeds."""
    files = sorted(p for p in need(CORPUS).rglob("*.evtx") if p.stat().st_size < 1_200_000)
    rng = random.Random(fz.SEED)
    return [p.read_bytes() for p in rng.sample(files, min(24, len(files)))]


def _problem_is_named(where: str, message: str) -> None:
    assert where and message and message.strip(), (where, message)


def _reader_file(rng: random.Random, n: int, evtx: list[bytes]) -> tuple[str, bytes]:
    pick = rng.random()
    if pick < 0.4:
        return f"{n}.evtx", fz.mutate_evtx(rng.choice(evtx), rng.choice(evtx), rng)
    if pick < 0.6:
        return f"{n}.xml", fz.xml_case(rng)
    if pick < 0.85:
        kind, data = fz.json_case(rng)
        return f"{n}.{kind}", data
    if pick < 0.93:
        return f"{n}.zip", fz.zip_case(rng, evtx)
    # syslog (network lines into the network table, Windows lines into the events), on its own or in a zip
    lines = ["<134>Jan  5 10:00:00 rtx start"] + [fz.syslog_line(rng) for _ in range(rng.randint(1, 40))]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    data = fz.mutate(data, rng) if rng.random() < 0.3 else data
    return (f"{n}.zip", fz.zip_of([("fw.log", data)])) if rng.random() < 0.5 else (f"{n}.log", data)


# ---------- reader level: evtx, XML, JSON, syslog, zips into the event store ----------

@pytest.mark.parametrize("batch", range(READER_BATCHES))
def test_readers_and_store_take_any_damaged_file(tmp_path: Path, batch: int, evtx_seeds: list[bytes]) -> None:
    from wardwatch.scan import ingest
    from wardwatch.store import EventStore, damaged_records

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(READER_FILES):
        name, data = _reader_file(random.Random(fz.SEED * 31 + batch * 1000 + n), n, evtx_seeds)
        (folder / name).write_bytes(data)
    before = fz.tree_hashes(folder)
    store = EventStore(tmp_path / "store", batch_size=5_000)
    inputs = ingest(sorted(folder.iterdir()), store)  # no guard: any failure of a reader or the store escapes here
    assert len({i.path for i in inputs if "!" not in i.path}) == READER_FILES
    for inp in inputs:
        for e in inp.errors:
            _problem_is_named(e.where, e.message)
            assert e.file, e
    total, _timed = store.query("SELECT count(*), count(ts) FROM events")[0]
    network = store.query("SELECT count(*) FROM network_events")[0][0]
    assert total + network == sum(i.events for i in inputs)
    damaged_records(store)
    store.query("SELECT host, channel, event_id, count(*) FROM events GROUP BY ALL")
    assert fz.tree_hashes(folder) == before


def test_zip_bomb_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    """300 MB of spaces in a 300 KB zip: streamed and refused with a message; peak Python memory stays small."""
    from wardwatch.sources import read_sources

    bomb = tmp_path / "logs.zip"
    fz.write_zip_bomb(bomb, 300 << 20)
    tracemalloc.start()
    try:
        inputs = []
        for inp, records in read_sources([bomb]):
            for _ in records:
                pass
            inputs.append(inp)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    problems = [e for i in inputs for e in i.errors]
    assert any("zip bomb" in p.message and "spaces.xml" in p.file for p in problems), problems
    assert peak < 100 << 20, f"peak {peak:,} bytes"


# ---------- syslog ----------

def test_any_syslog_line_parses_quickly() -> None:
    from wardwatch.netlog.parse import parse_line

    context = datetime(2024, 3, 1, tzinfo=UTC)
    slow = []
    for n, line in enumerate(fz.cases(SYSLOG_LINES, fz.SEED + 7, fz.syslog_line)):
        t0 = time.perf_counter()
        ev = parse_line(line, context, "Asia/Tokyo", device="fw")
        took = time.perf_counter() - t0
        if took > 0.5:
            slow.append((n, len(line), round(took, 2)))
        assert ev.kind and (ev.time is None or ev.time.tzinfo is not None)
        assert ev.sport is None or isinstance(ev.sport, int)
    assert not slow, slow


def test_any_syslog_file_is_read_line_by_line(tmp_path: Path) -> None:
    from wardwatch.netlog.read import read_file

    for n in range(SYSLOG_FILES):
        rng = random.Random(fz.SEED * 7 + n)
        lines = [fz.syslog_line(rng) for _ in range(rng.randint(1, 60))]
        data = "\n".join(lines).encode("utf-8", "surrogatepass")
        data = fz.mutate(data, rng) if rng.random() < 0.5 else data
        if rng.random() < 0.2:
            data = data.decode("utf-8", "replace").encode("cp932", "replace")
        path = tmp_path / f"{n}.log"
        path.write_bytes(data)
        inp, events, kinds = read_file(path, "Asia/Tokyo")
        assert inp.events == len(events) == sum(kinds.values())
        for e in inp.errors:
            _problem_is_named(e.where, e.message)


# ---------- collector bundles ----------

def test_any_damaged_bundle_is_read_and_checked(tmp_path: Path) -> None:
    from wardwatch.audit.bundle import discover, load_bundle
    from wardwatch.audit.checkdefs import load_checks
    from wardwatch.audit.engine import run_audit
    from wardwatch.audit.outcome import FAIL, NOT_APPLICABLE, NOT_COLLECTED, PASS
    from wardwatch.audit.settings import make_context

    checks, ctx = load_checks(), make_context(load_config(), None)
    for n in range(BUNDLES):
        rng = random.Random(fz.SEED * 11 + n)
        root = tmp_path / str(n)
        path = fz.write_bundle(root, fz.bundle_files(rng), rng, f"PC-{n}")
        before = fz.tree_hashes(path)
        problems: list[Any] = []
        try:
            bundles = [load_bundle(s) for s in discover([root], problems)]
            hosts, _, _fleet = run_audit(bundles, checks, ctx, "ja")
        except Exception as exc:
            raise AssertionError(f"bundle case {n} ({path}): {type(exc).__name__}: {exc}") from exc
        for b in bundles:
            assert {p.status for p in b.parts.values()} <= {"ok", "missing", "error", "unreadable"}
            for inp in b.inputs:
                for e in inp.errors:
                    _problem_is_named(e.where, e.message)
        for h in hosts:
            assert {o.status for o in h.outcomes.values()} <= {PASS, FAIL, NOT_COLLECTED, NOT_APPLICABLE}
        for p in problems:
            _problem_is_named(p.where, p.message)
        assert fz.tree_hashes(path) == before


def test_bundle_zip_bomb_part_is_refused(tmp_path: Path) -> None:
    from wardwatch.audit.bundle import discover, load_bundle

    path = tmp_path / "wardwatch-BOMB-20240603-103000.zip"
    fz.write_zip_bomb(path, 300 << 20, "system.json")
    tracemalloc.start()
    try:
        bundles = [load_bundle(s) for s in discover([path], [])]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert bundles and bundles[0].parts["system"].status == "unreadable"
    assert "system.json" in bundles[0].parts["system"].file and bundles[0].parts["system"].message
    assert peak < 100 << 20, f"peak {peak:,} bytes"


# ---------- inventories, checklist answers, settings files ----------

def _used_or_refused_with_lines(load: Callable[[Path], Any], path: Path, what: str, n: int) -> Any:
    """What load made of the file; None when it refused it with the file's name and a line for each problem
    (any other exception fails the test)."""
    from wardwatch.hospital.inventory import InventoryError

    try:
        return load(path)
    except InventoryError as exc:
        assert exc.path == str(path) and exc.problems, n
        for p in exc.problems:
            assert p.message and str(p), (n, p)
        return None
    except Exception as exc:
        raise AssertionError(f"{what} case {n}: {type(exc).__name__}: {exc}") from exc


def test_any_inventory_is_used_or_refused_with_lines(tmp_path: Path) -> None:
    from wardwatch.hospital.backupcheck import run_backup
    from wardwatch.hospital.inventory import load_inventory
    from wardwatch.hospital.netcheck import run_network

    for n, data in enumerate(fz.cases(INVENTORIES, fz.SEED + 13, fz.inventory_case)):
        path = tmp_path / f"{n}.yml"
        path.write_bytes(data)
        inv = _used_or_refused_with_lines(load_inventory, path, "inventory", n)
        if inv is not None:
            run_network(inv, [])
            run_backup(inv)


def test_any_answers_file_is_used_or_refused_with_lines(tmp_path: Path) -> None:
    from wardwatch.hospital.checklist import Evidence, fill, findings, load_answers, load_items, rows

    rowlist = rows(load_items(), "R6", "医療機関")
    for n, data in enumerate(fz.cases(ANSWER_FILES, fz.SEED + 17, fz.answers_case)):
        path = tmp_path / f"{n}.yml"
        path.write_bytes(data)
        human = _used_or_refused_with_lines(lambda p: load_answers(p, "R6", "医療機関"), path, "answers", n)
        if human is not None:
            findings(fill(rowlist, Evidence(None, []), human, date(2025, 4, 1)))


def test_any_settings_file_text_is_used_or_refused_with_its_name(tmp_path: Path) -> None:
    for n, data in enumerate(fz.cases(CONFIG_FILES, fz.SEED + 19, fz.config_case)):
        path = tmp_path / f"{n}.yml"
        path.write_bytes(data)
        try:
            load_config(path)
        except ConfigError as exc:
            assert str(path) in str(exc), (n, str(exc))
        except Exception as exc:
            raise AssertionError(f"settings case {n}: {type(exc).__name__}: {exc}") from exc


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.lists(st.integers(), max_size=3))
KEYS = st.sampled_from(["timezone", "lang", "evidence_limit", "rules", "brute-force", "burst_count", "night_start",
                        "incident_gap_hours", "recommended_kb", "Security", "audit", "checks", "tools_file", "x"])
CONFIGS = st.recursive(SCALARS, lambda inner: st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)
_CONFIG_VALUES_RUN: list[int] = []


@settings(max_examples=CONFIG_VALUES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(CONFIGS)
def test_any_settings_mapping_is_used_or_refused_with_its_name(tmp_path_factory: Any, doc: Any) -> None:
    path = tmp_path_factory.mktemp("cfg") / "settings.yml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc)
    else:
        assert isinstance(cfg["rules"]["brute-force"]["burst_count"], int)


# ---------- whole commands ----------

def _run(args: list[str], usage_ok: bool = False) -> Result:
    res = CliRunner().invoke(app, args)
    allowed = (0, 1, 2) if usage_ok else (0, 1)
    assert res.exit_code in allowed, (args, res.exit_code, res.output[-3000:], repr(res.exception))
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output, res.output[-3000:]
    return res


def _valid_findings(out: Path) -> dict[str, Any]:
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return dict(data)


@pytest.mark.parametrize("round_", range(SCANS))
def test_scan_of_damaged_inputs_never_loses_the_scan(tmp_path: Path, round_: int, evtx_seeds: list[bytes]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(FILES_PER_SCAN):
        rng = random.Random(fz.SEED * 3 + round_ * 1000 + n)
        if rng.random() < 0.15:
            name, data = f"{n}.log", "\n".join(fz.syslog_line(rng) for _ in range(rng.randint(1, 40))).encode(
                "utf-8", "surrogatepass")
        else:
            name, data = _reader_file(rng, n, evtx_seeds)
        (folder / name).write_bytes(data)
    if round_ == 0:
        fz.write_zip_bomb(folder / "bomb.zip", 200 << 20)
    before = fz.tree_hashes(folder)
    args = ["scan", str(folder), "--out", str(tmp_path / "out")]
    if round_ % 4 == 3:
        args += ["--lang", "en", "--tz", "UTC+9"]
    _run(args)
    data = _valid_findings(tmp_path / "out")
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "timeline.csv").exists()
    assert fz.tree_hashes(folder) == before
    assert len(data["inputs"]) >= FILES_PER_SCAN
    assert data["verdict"]["level"] in ("breach", "attention", "clear", "cannot_judge")  # scan always judges
    for inp in data["inputs"]:
        for e in inp["errors"]:
            _problem_is_named(e["where"], e["message"])


@pytest.mark.parametrize("round_", range(AUDITS))
def test_audit_of_damaged_bundles_never_crashes(tmp_path: Path, round_: int) -> None:
    folder = tmp_path / "in"
    for n in range(BUNDLES_PER_AUDIT):
        rng = random.Random(fz.SEED * 5 + round_ * 100 + n)
        fz.write_bundle(folder, fz.bundle_files(rng), rng, f"PC-{round_}-{n}")
    before = fz.tree_hashes(folder)
    res = _run(["audit", str(folder), "--out", str(tmp_path / "out")], usage_ok=True)
    if res.exit_code == 2:
        assert "no collector bundle found" in res.output, res.output[-2000:]
    else:
        _valid_findings(tmp_path / "out")
    assert fz.tree_hashes(folder) == before


@pytest.mark.parametrize("round_", range(INVENTORY_RUNS))
def test_inventory_check_of_damaged_inventory(tmp_path: Path, round_: int) -> None:
    inv = tmp_path / "inv.yml"
    rng = random.Random(fz.SEED * 13 + round_)
    seed = fz.inventory_seeds()[round_ % len(fz.inventory_seeds())]  # even rounds: a usable file, so reports are written
    inv.write_bytes(fz.inventory_case(rng) if round_ % 2 else yaml.safe_dump(seed, allow_unicode=True).encode())
    before = fz.tree_hashes(inv)
    res = _run(["inventory", "check", str(inv), "--out", str(tmp_path / "out")], usage_ok=True)
    if res.exit_code == 2:
        assert str(inv) in res.output, res.output[-2000:]
    else:
        _valid_findings(tmp_path / "out")
    assert fz.tree_hashes(inv) == before


@pytest.mark.parametrize("round_", range(CHECKLIST_RUNS))
def test_checklist_fill_with_damaged_answers(tmp_path: Path, round_: int) -> None:
    rng = random.Random(fz.SEED * 17 + round_)
    ans, inv = tmp_path / "answers.yml", tmp_path / "inv.yml"
    if round_ % 2:
        ans.write_bytes(fz.answers_case(rng))
        inv.write_bytes(fz.inventory_case(rng))
    else:  # usable files, so that the reports are written and checked
        ans.write_bytes(yaml.safe_dump(fz.ANSWERS_SEED, allow_unicode=True).encode())
        inv.write_bytes(yaml.safe_dump(fz.inventory_seeds()[round_ // 2], allow_unicode=True).encode())
    before = fz.tree_hashes(ans, inv)
    res = _run(["checklist", "fill", "--answers", str(ans), "--inventory", str(inv), "--version", "R6",
                "--out", str(tmp_path / "out")], usage_ok=True)
    if res.exit_code == 2:
        assert str(ans) in res.output or str(inv) in res.output, res.output[-2000:]
    else:
        _valid_findings(tmp_path / "out")
    assert fz.tree_hashes(ans, inv) == before


@pytest.mark.parametrize("round_", range(CONFIG_RUNS))
def test_scan_with_damaged_settings_file(tmp_path: Path, round_: int) -> None:
    from builders.events import write_jsonl

    from wardwatch.demo import scenario

    logs = write_jsonl(tmp_path / "in" / "a.jsonl", [e for evs in scenario().values() for e in evs][:200])
    cfg = tmp_path / "settings.yml"
    cfg.write_bytes(fz.config_case(random.Random(fz.SEED * 19 + round_)))
    before = fz.tree_hashes(logs, cfg)
    res = _run(["scan", str(logs), "--config", str(cfg), "--out", str(tmp_path / "out")], usage_ok=True)
    if res.exit_code == 2:
        assert str(cfg) in res.output, res.output[-2000:]
    else:
        _valid_findings(tmp_path / "out")
    assert fz.tree_hashes(logs, cfg) == before


def test_demo_findings_match_the_shipped_schema(tmp_path: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    _run(["demo", "--out", str(tmp_path / "demo")])
    data = _valid_findings(tmp_path / "demo" / "result")
    assert data["verdict"]["level"] in ("breach", "attention", "clear", "cannot_judge")


# ---------- regressions: cases the fuzzing found, fixed in the loaders ----------

def test_bundle_part_parsers_refuse_odd_text_with_parse_error() -> None:
    from wardwatch.audit.parsers import (
        ParseError,
        as_datetime,
        as_int,
        parse_auditpol,
        parse_wevtutil,
    )

    for bad in ('<!DOCTYPE c [<!ENTITY a "x">]><channel name="&a;"/>',  # defusedxml's EntitiesForbidden
                '<!DOCTYPE c [<!ENTITY a SYSTEM "file:///etc/passwd">]><channel name="&a;"/>'):
        with pytest.raises(ParseError):
            parse_wevtutil(bad)
    with pytest.raises(ParseError):
        parse_auditpol('Subcategory\n"' + "a" * 200_000 + '"')  # csv.Error: field larger than field limit
    assert parse_wevtutil("<channel name='x'><logging><maxSize>²</maxSize></logging></channel>")["max_size"] is None
    for value in (1e20, float("nan"), 10**30, "/Date(99999999999999999999)/", {"value": 1e300}):
        assert as_datetime(value) is None
    assert as_int("1e400") is None and as_int(float("inf")) is None


def test_bundle_with_parts_of_any_shape_is_checked_not_crashed(tmp_path: Path) -> None:
    """rdp.json null, laps.json a list, dates out of range: the checks that trip over them are 'not collected'
    (never a pass), the others still run."""
    from wardwatch.audit.bundle import discover, load_bundle
    from wardwatch.audit.checkdefs import load_checks
    from wardwatch.audit.engine import run_audit
    from wardwatch.audit.outcome import NOT_COLLECTED, PASS
    from wardwatch.audit.settings import make_context

    files = dict(fz.bundle_seeds()[1])  # hardened: every check passes as collected
    files["users.json"] = b'["Administrator", 5, null]'
    files["rdp.json"], files["laps.json"] = b"null", b'[1, "x"]'
    files["manifest.json"] = b'{"host": "ODD", "collected_at": 1e20, "parts": [1], "state": ["x"]}'
    files["defender.json"] = b'{"RealTimeProtectionEnabled": {"a": [1e400]}, "AntivirusSignatureLastUpdated": 1e300}'
    folder = tmp_path / "wardwatch-ODD-20240603-103000"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    bundles = [load_bundle(s) for s in discover([folder], [])]
    hosts, findings, _ = run_audit(bundles, load_checks(), make_context(load_config(), None), "en")
    outcomes = hosts[0].outcomes
    assert any(o.status == NOT_COLLECTED and "unexpected content" in str(o.facts.get("reason")) for o in outcomes.values())
    assert any(o.status == PASS for o in outcomes.values())
    assert outcomes["rdp-enabled"].status == outcomes["laps"].status == NOT_COLLECTED
    assert "rdp" in outcomes["rdp-enabled"].missing[0] and "laps" in outcomes["laps"].missing[0]
    assert any(f.rule == "audit.not-collected" for f in findings)


def test_bundle_zip_with_a_bad_member_names_it(tmp_path: Path) -> None:
    """A member whose CRC does not match: that part is unreadable and named, the rest of the bundle is read."""
    from wardwatch.audit.bundle import discover, load_bundle

    files = dict(fz.bundle_seeds()[1])
    data = bytearray(fz.zip_of(list(files.items()), method=0))  # stored: the bytes are in the file as they are
    at = bytes(data).index(files["smb.json"][:40])
    data[at + 5] ^= 0xFF
    path = tmp_path / "wardwatch-CRC-20240603-103000.zip"
    path.write_bytes(bytes(data))
    bundle = load_bundle(discover([path], [])[0])
    assert bundle.parts["smb"].status == "unreadable" and "smb.json" in bundle.parts["smb"].file
    assert bundle.parts["system"].status == "ok"
    assert any(e.file.endswith("!smb.json") and "CRC" in e.message for i in bundle.inputs for e in i.errors)


@pytest.mark.parametrize("text", ["a: 2024-02-30\n", "[" * 3000, "a: &x [*x]\n", fz.YAML_NASTIES[3], "- 1\n"])
def test_inventory_and_answers_files_refuse_odd_yaml_with_inventory_error(tmp_path: Path, text: str) -> None:
    from wardwatch.hospital.checklist import load_answers
    from wardwatch.hospital.inventory import InventoryError, load_inventory

    path = tmp_path / "x.yml"
    path.write_text(text, encoding="utf-8")
    for load in (lambda: load_inventory(path), lambda: load_answers(path, "R6", "医療機関")):
        with pytest.raises(InventoryError) as exc:
            load()
        assert exc.value.path == str(path) and exc.value.problems[0].message


def test_answers_file_of_wrong_shape_or_encoding_is_refused(tmp_path: Path) -> None:
    from wardwatch.hospital.checklist import load_answers
    from wardwatch.hospital.inventory import InventoryError

    path = tmp_path / "answers.yml"
    for data in (b"checklist_version: R6\nanswers: [1, 2]\n", b"\xff\xfe\x00junk", "- はい\n".encode()):
        path.write_bytes(data)
        with pytest.raises(InventoryError) as exc:
            load_answers(path, "R6", "医療機関")
        assert exc.value.problems and exc.value.problems[0].message


def test_rtx_vpn_line_of_many_words_parses_in_linear_time() -> None:
    from wardwatch.netlog.parse import parse_line

    line = "<134>Jan  5 10:00:00 rtx " + "[L2TP] connected " * 3000
    t0 = time.perf_counter()
    assert parse_line(line, datetime(2024, 3, 1, tzinfo=UTC)).kind == "unknown"
    assert time.perf_counter() - t0 < 0.5
    ok = parse_line("<134>Jan  5 10:00:00 rtx [L2TP] connected from 192.0.2.10", datetime(2024, 3, 1, tzinfo=UTC))
    assert (ok.kind, ok.src) == ("vpn-success", "192.0.2.10")
