"""wardwatch isac: the partitioned dataset, the same findings on DuckDB and Spark as a plain scan, the
cross-hospital checks (three hospitals, two sharing a supplier), and the STIX/CSV sharing without personal data."""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builders.cli import invoke, one_line
from builders.syslog import SEGMENTS, syslog_lines
from wardwatch.config import load_config
from wardwatch.demo import write_scenario
from wardwatch.isac.cross import cross_findings
from wardwatch.isac.dataset import hospitals, read_manifest, save_segments
from wardwatch.isac.engines import DuckDBEngine, Engine
from wardwatch.isac.hospitals import Settings, tasks_of
from wardwatch.isac.synth import Plan, Supplier, write_hospital
from wardwatch.scan import run_scan

TZ = "Asia/Tokyo"


def _key(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((f["rule"], f["host"], f["count"], f["first_seen"], f["last_seen"]) for f in findings)


def _findings(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["findings"])


def _spark_or_skip() -> Engine:
    missing = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "pyspark is not installed (pip install -e '.[test]')"
    if missing is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing = "java is not installed (.ci/setup-debian.sh installs openjdk-17-jre-headless)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing + " — required in CI")
        pytest.skip(missing)
    from wardwatch.isac.engines import SparkEngine
    return SparkEngine(cores=2)


@pytest.fixture(scope="module")
def spark() -> Iterator[Engine]:
    engine = _spark_or_skip()  # one Spark session for the module: starting one takes seconds
    yield engine
    engine.close()


def _run(engine: Engine, dataset: Path, out: Path, sources: dict[str, list[Path]],
         segments: Path | None = None) -> list[Any]:
    """Ingest each hospital's inputs and scan them all on one engine; the cross-hospital findings. Progress is
    told as tasks finish, ending with every task done."""
    told: list[tuple[int, int]] = []
    for hospital, paths in sources.items():
        if segments is not None:
            save_segments(dataset, hospital, segments)
        tasks = tasks_of(hospital, paths)
        engine.ingest(dataset, tasks, TZ, lambda done, total: told.append((done, total)))
        assert told[-1] == (len(tasks), len(tasks)), told
    names = hospitals(dataset)
    outcomes = engine.scan(dataset, out, names, Settings(load_config(), TZ, "ja"),
                           lambda done, total: told.append((done, total)))
    assert told[-1] == (len(names), len(names)) and all(0 <= d <= t for d, t in told), told
    return cross_findings(engine.cross([r for o in outcomes for r in o.indicators]), TZ)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[Any, ...]]]:
    """The OGMC replay's logs and the findings of a plain `wardwatch scan` of them."""
    base = tmp_path_factory.mktemp("replay")
    write_scenario(base / "logs")
    run_scan([base / "logs"], base / "scan", load_config(), TZ, "ja")
    return base / "logs", _key(_findings(base / "scan" / "findings.json"))


@pytest.fixture(scope="module")
def corpus_scan(tmp_path_factory: pytest.TempPathFactory, corpus_module: Path) -> list[tuple[Any, ...]]:
    out = tmp_path_factory.mktemp("corpus-scan")
    run_scan([corpus_module], out, load_config(), TZ, "ja")
    return _key(_findings(out / "findings.json"))


@pytest.fixture(scope="module")
def corpus_module() -> Path:
    from builders.corpus import CORPUS, need
    return need(CORPUS)


def test_duckdb_dataset_is_partitioned_and_finds_what_a_scan_finds(tmp_path: Path, replay: Any) -> None:
    logs, expected = replay
    ds = tmp_path / "ds"
    _run(DuckDBEngine(), ds, tmp_path / "out", {"ogmc": _files(logs)})
    parts = {p.relative_to(ds / "events").parts[:3] for p in (ds / "events").rglob("*.parquet")}
    assert ("hospital=ogmc", "host=KYUSHOKU-SV", "day=2022-10-30") in parts  # Hive-style hospital/host/day
    manifest = read_manifest(ds, "ogmc")
    assert {Path(i["path"]).name for i in manifest["inputs"]} >= {"Security.xml", "BACKUP-SV01.zip"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert _key(_findings(tmp_path / "out" / "ogmc" / "findings.json")) == expected


def test_spark_finds_what_a_scan_finds_on_the_replay(tmp_path: Path, replay: Any, spark: Engine) -> None:
    logs, expected = replay
    _run(spark, tmp_path / "ds", tmp_path / "out", {"ogmc": _files(logs)})
    assert _key(_findings(tmp_path / "out" / "ogmc" / "findings.json")) == expected


def test_both_engines_find_what_a_scan_finds_on_the_corpus(tmp_path: Path, corpus_module: Path,
                                                           corpus_scan: list[Any], spark: Engine) -> None:
    files = _files(corpus_module)
    for name, engine in (("duckdb", DuckDBEngine()), ("spark", spark)):
        _run(engine, tmp_path / name / "ds", tmp_path / name / "out", {"corpus": files})
        assert _key(_findings(tmp_path / name / "out" / "corpus" / "findings.json")) == corpus_scan, name


def _three(base: Path) -> dict[str, list[Path]]:
    """A and B share the catering supplier and are attacked one after the other; C shares nothing."""
    shared = Supplier("kyushoku", "198.51.100.7", "kyushoku-maint")
    own = Supplier("other", "198.51.100.99", "other-maint")
    plans = [Plan("A", shared, True, "203.0.113.66", 0), Plan("B", shared, True, "203.0.113.66", 26),
             Plan("C", own, False)]
    for p in plans:
        write_hospital(base / p.hospital, p, noise_events=300)
    return {p.hospital: _files(base / p.hospital) for p in plans}


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    return _three(tmp_path_factory.mktemp("three"))


@pytest.mark.parametrize("engine_name", ["duckdb", "spark"])
def test_cross_hospital_findings_name_the_hospitals_that_share(tmp_path: Path, three: dict[str, list[Path]],
                                                               engine_name: str,
                                                               request: pytest.FixtureRequest) -> None:
    engine = DuckDBEngine() if engine_name == "duckdb" else request.getfixturevalue("spark")
    found = _run(engine, tmp_path / "ds", tmp_path / "out", three)
    by = {(f.rule, f.facts["value"]): f.facts["hospitals"] for f in found}
    assert by[("isac.shared-attacker-source", "203.0.113.66")] == ["A", "B"]  # in time order
    assert by[("isac.shared-supplier-source", "198.51.100.7")] == ["A", "B"]
    assert by[("isac.shared-supplier-account", "kyushoku-maint")] == ["A", "B"]
    assert by[("isac.shared-tool", "Mimikatz")] == ["A", "B"]
    assert all("C" not in names for names in by.values())  # C shares nothing: named nowhere
    assert not any("198.51.100.99" in key or "other-maint" in key for key in by)
    text = next(f for f in found if f.rule == "isac.shared-attacker-source").summary.get("ja")
    assert "A (" in text and text.index("A (") < text.index("B (")


def test_cli_ingest_scan_share_without_personal_data(tmp_path: Path, three: dict[str, list[Path]]) -> None:
    import stix2
    ds, out, share = tmp_path / "ds", tmp_path / "out", tmp_path / "share"
    for hospital, paths in three.items():
        done = invoke(["isac", "ingest", str(paths[0].parents[1]), "--hospital", hospital, "--out", str(ds)])
        assert done.exit_code == 0, done.output
    again = invoke(["isac", "ingest", str(three["A"][0].parents[1]), "--hospital", "A", "--out", str(ds)])
    assert "すでに取り込まれています" in one_line(again.output) and again.exit_code == 0
    again = invoke(["isac", "ingest", str(three["A"][0].parents[1]), "--hospital", "A", "--out", str(ds),
                    "--lang", "en"])
    assert "already in the dataset" in one_line(again.output) and again.exit_code == 0
    assert sum(int(i["events"]) for i in read_manifest(ds, "A")["inputs"]) == \
        sum(len(p.read_text(encoding="utf-8").splitlines()) for p in three["A"])  # read once, not twice
    done = invoke(["isac", "scan", str(ds), "--out", str(out)])
    assert done.exit_code == 0, done.output
    combined = json.loads((out / "isac-findings.json").read_text(encoding="utf-8"))
    assert [h["hospital"] for h in combined["hospitals"]] == ["A", "B", "C"]
    assert {f["rule"] for f in combined["cross_findings"]} >= {"isac.shared-attacker-source", "isac.shared-tool"}
    assert all((out / h / "findings.json").is_file() for h in "ABC")
    done = invoke(["isac", "share", str(out), "--out", str(share), "--tlp", "green"])
    assert done.exit_code == 0, done.output
    raw = (share / "indicators.stix.json").read_text(encoding="utf-8")
    bundle = stix2.parse(raw, allow_custom=False)  # validates against STIX 2.1
    values = {getattr(o, "name", "") for o in bundle.objects}
    assert any("203.0.113.66" in v for v in values) and "Mimikatz" in values
    assert all(o.object_marking_refs == [stix2.TLP_GREEN.id] for o in bundle.objects)
    csv_text = (share / "indicators.csv").read_text(encoding="utf-8-sig")
    staff = {str(json.loads(line)["Event"].get("EventData", {}).get("TargetUserName", ""))
             for p in three["C"] + three["A"] for line in p.read_text(encoding="utf-8").splitlines()}
    personal = {s for s in staff if "." in s} | {"kyushoku-maint", "other-maint", "PC-A-001", "EHR-AP01"}
    for text in (raw, csv_text):
        assert not [p for p in personal if p.lower() in text.lower()]  # no staff, supplier account or host names
        assert '"A"' not in text and "hospital=" not in text  # nor the hospitals


def test_cli_mistakes_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "segments.csv").write_text("cidr,segment\nnot-an-address,AD\n", encoding="utf-8")
    done = invoke(["isac", "ingest", str(tmp_path / "logs"), "--hospital", "h", "--out", str(tmp_path / "d"),
                   "--segments", str(tmp_path / "segments.csv")])
    assert done.exit_code == 2 and "segments.csv:2" in one_line(done.output) and not (tmp_path / "d").exists()
    for args, needle in ((["isac", "ingest", str(tmp_path / "logs"), "--hospital", "a/b", "--out", str(tmp_path / "d")],
                          "--hospital"),
                         (["isac", "scan", str(tmp_path / "logs"), "--out", str(tmp_path / "o")], "no hospital"),
                         (["isac", "scan", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--engine", "x"],
                          "no hospital"),
                         (["isac", "share", str(tmp_path / "logs"), "--out", str(tmp_path / "s")], "indicators.json")):
        done = invoke(args)
        assert done.exit_code == 2 and needle in one_line(done.output), (args, done.output)


def test_syslog_gives_the_same_network_findings_through_the_dataset(tmp_path: Path, spark: Engine) -> None:
    """Network lines go into the dataset (network/hospital=/day=) with the hospital's segments, and come back as the
    same network findings as a plain scan of the same syslog with the same segments."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "fw.log").write_text("\n".join(syslog_lines()) + "\n", encoding="utf-8")
    (tmp_path / "segments.csv").write_text(SEGMENTS, encoding="utf-8")
    run_scan([tmp_path / "logs"], tmp_path / "scan", load_config(), TZ, "ja", segments=str(tmp_path / "segments.csv"))
    expected = _key(_findings(tmp_path / "scan" / "findings.json"))
    assert {"net-scan", "vpn-brute-force", "admin-login-failure"} <= {k[0] for k in expected}
    done = invoke(["isac", "ingest", str(tmp_path / "logs"), "--hospital", "net", "--out", str(tmp_path / "cli"),
                   "--segments", str(tmp_path / "segments.csv")])  # exit 1: one line no parser knows (kept, named)
    assert done.exit_code == 1 and (tmp_path / "cli" / "segments" / "net.csv").read_text(encoding="utf-8") == SEGMENTS
    done = invoke(["isac", "scan", str(tmp_path / "cli"), "--out", str(tmp_path / "cli-out")])
    assert _key(_findings(tmp_path / "cli-out" / "net" / "findings.json")) == expected, done.output
    for name, engine in (("duckdb", DuckDBEngine()), ("spark", spark)):
        ds = tmp_path / name / "ds"
        _run(engine, ds, tmp_path / name / "out", {"net": [tmp_path / "logs" / "fw.log"]}, tmp_path / "segments.csv")
        assert list((ds / "network" / "hospital=net").rglob("*.parquet")), name
        assert read_manifest(ds, "net")["inputs"][0]["network"] == len(syslog_lines()), name
        assert _key(_findings(tmp_path / name / "out" / "net" / "findings.json")) == expected, name


GOOD = ('{"Event":{"System":{"EventID":4625,"EventRecordID":7,"Computer":"PC1","Channel":"Security",'
        '"TimeCreated":{"#attributes":{"SystemTime":"2022-10-31T04:07:12Z"}}},"EventData":{"TargetUserName":"x"}}}')


def _damaged(folder: Path, replay_logs: Path) -> list[Path]:
    """The replay's KYUSHOKU-SV logs, a JSON-lines log with one damaged record between two good ones, and a file that
    looks like an .evtx but cannot be read."""
    shutil.copytree(replay_logs / "KYUSHOKU-SV", folder / "KYUSHOKU-SV")
    (folder / "pc1.jsonl").write_text("\n".join([GOOD, '{"Event": {"System": {broken',
                                                 GOOD.replace('"EventRecordID":7', '"EventRecordID":8')]) + "\n",
                                      encoding="utf-8")
    (folder / "Security.evtx").write_bytes(b"ElfFile\x00" + bytes(range(256)) * 20)
    return _files(folder)


def _check_damage_named(ds: Path, hospital: str) -> None:
    inputs = {Path(i["path"]).name: i for i in read_manifest(ds, hospital)["inputs"]}
    assert inputs["pc1.jsonl"]["events"] == 2 and [e["where"] for e in inputs["pc1.jsonl"]["errors"]] == ["line 2"]
    assert any(e["skipped_file"] for e in inputs["Security.evtx"]["errors"]) and inputs["Security.evtx"]["events"] == 0
    assert inputs["Security.xml"]["events"] == 1993 and not inputs["Security.xml"]["errors"]  # the rest read whole


def test_damaged_and_unreadable_inputs_are_named_and_the_rest_is_read(tmp_path: Path, replay: Any,
                                                                      spark: Engine) -> None:
    files = _damaged(tmp_path / "logs", replay[0])
    ds, out = tmp_path / "ds", tmp_path / "out"
    done = invoke(["isac", "ingest", str(tmp_path / "logs"), "--hospital", "h", "--out", str(ds), "--lang", "en"])
    assert done.exit_code == 1 and "Traceback" not in done.output, done.output  # 1: an input not read whole
    assert "pc1.jsonl (line 2)" in done.output and "Security.evtx (file header)" in done.output
    _check_damage_named(ds, "h")
    done = invoke(["isac", "scan", str(ds), "--out", str(out), "--lang", "en"])
    assert done.exit_code == 1 and "out/h/findings.json" in done.output.replace(str(tmp_path) + "/", ""), done.output
    assert json.loads((out / "isac-findings.json").read_text(encoding="utf-8"))["hospitals"][0]["exit_code"] == 1
    assert {"brute-force", "breach-after-guessing"} <= {f["rule"] for f in _findings(out / "h" / "findings.json")}
    _run(spark, tmp_path / "spark", tmp_path / "spark-out", {"h": files})  # the same on Spark
    _check_damage_named(tmp_path / "spark", "h")


def test_task_progress_counts_tasks_on_a_terminal() -> None:
    import io

    from rich.console import Console

    from wardwatch.report.progress import TaskProgress
    screen = io.StringIO()
    with TaskProgress("取り込み中", "ja", console=Console(file=screen, force_terminal=True, width=80)) as bar:
        bar.on_done(1, 4)
        bar.bar.refresh()
        bar.on_done(4, 4)
    assert "取り込み中" in screen.getvalue() and "1/4" in screen.getvalue() and "4/4" in screen.getvalue()
