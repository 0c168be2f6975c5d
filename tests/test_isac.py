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

from wardwatch.config import load_config
from wardwatch.demo import write_scenario
from wardwatch.isac.cross import cross_findings
from wardwatch.isac.dataset import hospitals, read_manifest
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


def _run(engine: Engine, dataset: Path, out: Path, sources: dict[str, list[Path]]) -> list[Any]:
    """Ingest each hospital's inputs and scan them all on one engine; the cross-hospital findings."""
    for hospital, paths in sources.items():
        engine.ingest(dataset, tasks_of(hospital, paths), TZ)
    outcomes = engine.scan(dataset, out, hospitals(dataset), Settings(load_config(), TZ, "ja"))
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
                                                               engine_name: str, request: pytest.FixtureRequest) -> None:
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
    for args, needle in ((["isac", "ingest", str(tmp_path / "logs"), "--hospital", "a/b", "--out", str(tmp_path / "d")],
                          "--hospital"),
                         (["isac", "scan", str(tmp_path / "logs"), "--out", str(tmp_path / "o")], "no hospital"),
                         (["isac", "scan", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--engine", "x"],
                          "no hospital"),
                         (["isac", "share", str(tmp_path / "logs"), "--out", str(tmp_path / "s")], "indicators.json")):
        done = invoke(args)
        assert done.exit_code == 2 and needle in one_line(done.output), (args, done.output)
