"""`wardwatch isac`: ingest many hospitals' logs into one partitioned dataset, scan it with the same rules on DuckDB
or Apache Spark, and share the indicators (STIX 2.1, CSV) with the members."""
from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from ..cliopts import Config, Lang, Tz
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, output, print_findings, settings
from ..model import ReadProblem
from ..sources import discover

isac_app = typer.Typer(add_completion=False, no_args_is_help=True,
                       help="医療ISAC: 多数の病院のログを同じルールで調べる / Many hospitals' logs, the same rules.")

ENGINES = ("duckdb", "spark")
Engine = typer.Option("duckdb", "--engine", help="duckdb (one machine) or spark")
Master = typer.Option(None, "--master", help="Spark master URL (default local[*])")
Cores = typer.Option(None, "--cores", min=1, help="Spark local cores (local[N]) when no --master is given")


def _engine(name: str, master: str | None, cores: int | None) -> Any:
    if name not in ENGINES:
        fail(f"--engine must be duckdb or spark, not {name!r}")
    from .engines import make_engine
    try:
        return make_engine(name, master, cores)
    except ImportError:
        fail("the spark engine needs the isac extra: pip install 'wardwatch[isac]' (and Java 17 or newer)")
    except Exception as exc:  # Java missing, a master that cannot be reached: one line, no traceback
        first = (str(exc).strip().splitlines() or [""])[0]
        fail(f"Spark could not start ({type(exc).__name__}: {first})")


@isac_app.command("ingest")
def ingest(
    sources: list[Path] = typer.Argument(..., help="One hospital's event logs, syslog, folders or .zip"),
    hospital: str = typer.Option(..., "--hospital", help="The hospital's name in the dataset (letters, digits, . _ -)"),
    out: Path = typer.Option(..., "--out", help="The dataset folder (created, or added to)"),
    engine: str = Engine, master: str | None = Master, cores: int | None = Cores,
    tz: Tz = None, config: Config = None,
) -> None:
    """病院のログをデータセットへ取り込む / Add one hospital's logs to the partitioned dataset."""
    from ..integrity import file_sha256
    from .dataset import DatasetError, already_read, check_hospital
    from .hospitals import tasks_of
    try:
        check_hospital(hospital)
    except DatasetError as exc:
        fail(f"--hospital: {exc}")
    _, tz_, _ = settings(config, tz, None)
    problems: list[ReadProblem] = []
    files = list(discover(sources, problems))
    for p in problems:
        typer.echo(f"{p.file}: {p.message}", err=True)
    output(out).mkdir(parents=True, exist_ok=True)
    seen = already_read(out, hospital)
    todo: list[Path] = []
    for f in files:
        if file_sha256(f) in seen:
            typer.echo(f"{f}: already in the dataset for {hospital} (same SHA-256); not read again", err=True)
        else:
            todo.append(f)
    tasks = tasks_of(hospital, todo)
    eng = _engine(engine, master, cores)
    started = time.perf_counter()
    try:
        eng.ingest(out, tasks, tz_)
    finally:
        eng.close()
    from .dataset import read_manifest
    inputs = read_manifest(out, hospital).get("inputs", [])
    read = {i["path"]: i for i in inputs}
    events = sum(int(read[str(p)]["events"]) for p in todo if str(p) in read)
    bad = [e for p in todo if str(p) in read for e in read[str(p)].get("errors", [])]
    for e in bad[:20]:
        typer.echo(f"{e['file']} ({e['where']}): {e['message']}", err=True)
    typer.echo(f"{hospital}: {len(todo)} input(s), {events:,} events into {out} "
               f"({engine}, {time.perf_counter() - started:.1f} s)")
    raise typer.Exit(EXIT_SKIPPED if problems or any(e.get("skipped_file") for e in bad) else EXIT_OK)


@isac_app.command("scan")
def scan(
    dataset: Path = typer.Argument(..., exists=True, file_okay=False, help="A dataset made by `isac ingest`"),
    out: Path = typer.Option(..., "--out", help="Folder for each hospital's results and the combined result"),
    engine: str = Engine, master: str | None = Master, cores: int | None = Cores,
    rules: list[Path] | None = typer.Option(None, "--rules", exists=True,
                                            help="Sigma rule file or folder (repeatable)"),
    min_level: str | None = typer.Option(None, "--min-level", help="Only Sigma findings of this level or above"),
    hospital: list[str] = typer.Option([], "--hospital", help="Only these hospitals (repeatable)"),
    lang: Lang = None, tz: Tz = None, config: Config = None,
) -> None:
    """全病院を同じルールで調べ、病院をまたぐ手がかりを探す / Scan every hospital, then look across them."""
    from ..report.jsonout import finding_dict
    from .cross import cross_findings
    from .dataset import hospitals as dataset_hospitals
    from .hospitals import Settings
    cfg, tz_, lang_ = settings(config, tz, lang)
    names = dataset_hospitals(dataset)
    if not names:
        fail(f"{dataset}: no hospital in this dataset (make it with `wardwatch isac ingest`)")
    unknown = sorted(set(hospital) - set(names))
    if unknown:
        fail(f"--hospital: not in the dataset: {', '.join(unknown)} (it has: {', '.join(names)})")
    chosen = [h for h in names if not hospital or h in hospital]
    output(out).mkdir(parents=True, exist_ok=True)
    eng = _engine(engine, master, cores)
    times: dict[str, float] = {}
    try:
        started = time.perf_counter()
        outcomes = eng.scan(dataset, out, chosen, Settings(cfg, tz_, lang_, list(rules) if rules else None, min_level))
        times["scan_seconds"] = round(time.perf_counter() - started, 2)
        rows = [r for o in outcomes for r in o.indicators]
        started = time.perf_counter()
        shared = cross_findings(eng.cross(rows), tz_)
        times["cross_seconds"] = round(time.perf_counter() - started, 2)
    finally:
        eng.close()
    combined = {"engine": engine, "hospitals": [{"hospital": o.hospital, "findings": o.findings, "worst": o.worst,
                                                 "verdict": o.verdict, "result": f"{o.hospital}/findings.json"}
                                                for o in outcomes],
                "cross_findings": [finding_dict(f, tz_, lang_) for f in shared], **times}
    (out / "isac-findings.json").write_text(json.dumps(combined, ensure_ascii=False, indent=1, default=str),
                                            encoding="utf-8")
    (out / "indicators.json").write_text(json.dumps(rows, ensure_ascii=False, default=_iso), encoding="utf-8")
    for o in outcomes:
        typer.echo(f"{o.hospital}: {o.findings} finding(s), worst {o.worst}, verdict {o.verdict}")
    print_findings(shared, lang_, show_host=False)
    typer.echo(f"{len(chosen)} hospital(s), {len(shared)} cross-hospital finding(s) → {out / 'isac-findings.json'}")
    raise typer.Exit(EXIT_OK)


@isac_app.command("share")
def share(
    result: Path = typer.Argument(..., exists=True, file_okay=False, help="The --out folder of `isac scan`"),
    out: Path = typer.Option(..., "--out", help="Folder for indicators.stix.json and indicators.csv"),
    tlp: str = typer.Option("amber", "--tlp", help="TLP marking: clear, green, amber, amber+strict, red"),
    producer: str = typer.Option("Medical ISAC (WardWatch)", "--producer", help="Who shares (the STIX identity)"),
) -> None:
    """会員へ共有する指標を STIX 2.1 と CSV で書く / Write the indicators to share as STIX 2.1 and CSV."""
    from .share import TLP, collect, stix_bundle, write_csv
    if tlp not in TLP:
        fail(f"--tlp must be one of {', '.join(TLP)}, not {tlp!r}")
    path = result / "indicators.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        rows = [{**r, **{k: datetime.fromisoformat(r[k]) if r.get(k) else None for k in ("first_seen", "last_seen")}}
                for r in rows]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        fail(f"{path}: not the indicators of `wardwatch isac scan` ({type(exc).__name__})")
    shared = collect(rows)
    output(out).mkdir(parents=True, exist_ok=True)
    bundle = stix_bundle(shared, tlp, producer)
    (out / "indicators.stix.json").write_text(bundle.serialize(pretty=True), encoding="utf-8")
    write_csv(shared, tlp, out / "indicators.csv")
    typer.echo(f"{len(shared)} indicator(s), TLP:{tlp.upper()} → {out / 'indicators.stix.json'}, "
               f"{out / 'indicators.csv'}")
    raise typer.Exit(EXIT_OK)


def _iso(t: Any) -> str:
    return t.isoformat() if hasattr(t, "isoformat") else str(t)
