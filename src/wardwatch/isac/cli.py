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
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, output, settings
from ..model import ReadProblem
from ..report.progress import TaskProgress
from ..report.terminal import Terminal
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
    segments: Path | None = typer.Option(None, "--segments", exists=True, dir_okay=False,
                                         help="CSV cidr,segment of this hospital, for its firewall/router syslog"),
    tz: Tz = None, lang: Lang = None, config: Config = None,
) -> None:
    """病院のログをデータセットへ取り込む / Add one hospital's logs to the partitioned dataset."""
    from ..integrity import file_sha256
    from .dataset import MANIFESTS, DatasetError, already_read, check_hospital, read_manifest, save_segments
    from .hospitals import tasks_of
    try:
        check_hospital(hospital)
    except DatasetError as exc:
        fail(f"--hospital: {exc}")
    _, tz_, lang_ = settings(config, tz, lang)
    term = Terminal(lang_)
    if segments is not None:
        from ..netlog.cli import checked_segments
        checked_segments(segments)  # a mistake in it ends the command before any work
    problems: list[ReadProblem] = []
    files = list(discover(sources, problems))
    for p in problems:
        term.line(f"{p.file}: {p.message}", err=True)
    output(out).mkdir(parents=True, exist_ok=True)
    if segments is not None:
        save_segments(out, hospital, segments)
    seen = already_read(out, hospital)
    todo: list[Path] = []
    for f in files:
        if file_sha256(f) in seen:
            term.line(term.t("isac.already", file=f, hospital=hospital), err=True)
        else:
            todo.append(f)
    if engine == "spark":  # Spark's tasks may run on other machines: paths every worker can follow
        todo, out = [p.resolve() for p in todo], out.resolve()
    tasks = tasks_of(hospital, todo)
    eng = _engine(engine, master, cores)
    started = time.perf_counter()
    try:
        with TaskProgress(term.t("isac.ingesting"), lang_) as bar:
            eng.ingest(out, tasks, tz_, bar.on_done)
    finally:
        eng.close()
    read = {i["path"]: i for i in read_manifest(out, hospital).get("inputs", [])}
    mine = [i for path, i in read.items() if path.split("!", 1)[0] in {str(p) for p in todo}]  # zip members too
    bad = [e for i in mine for e in i.get("errors", [])]
    for e in bad[:20]:
        term.line(f"{e['file']} ({e['where']}): {e['message']}", err=True)
    events = sum(int(i["events"]) for i in mine)
    term.say(term.t("isac.ingested", hospital=hospital, inputs=len(todo), events=f"{events:,}", out=out, engine=engine,
                    seconds=f"{time.perf_counter() - started:.1f}"))
    if problems or bad:
        term.line(term.t("isac.not_whole", hospital=hospital, manifest=out / MANIFESTS / f"{hospital}.json"), err=True)
    raise typer.Exit(EXIT_SKIPPED if problems or bad else EXIT_OK)


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
    from ..cli import LEVELS
    from ..report.jsonout import finding_dict
    from ..verdict import TITLE
    from .cross import cross_findings
    from .dataset import hospitals as dataset_hospitals
    from .hospitals import Settings
    if min_level is not None and min_level not in LEVELS:
        fail(f"--min-level must be one of {', '.join(LEVELS)}, not {min_level!r}")
    cfg, tz_, lang_ = settings(config, tz, lang)
    term = Terminal(lang_)
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
        with TaskProgress(term.t("isac.scanning"), lang_) as bar:
            outcomes = eng.scan(dataset, out, chosen, Settings(cfg, tz_, lang_, list(rules) if rules else None,
                                                               min_level), bar.on_done)
        times["scan_seconds"] = round(time.perf_counter() - started, 2)
        rows = [r for o in outcomes for r in o.indicators]
        started = time.perf_counter()
        shared = cross_findings(eng.cross(rows), tz_)
        times["cross_seconds"] = round(time.perf_counter() - started, 2)
    finally:
        eng.close()
    combined = {"engine": engine, "hospitals": [{"hospital": o.hospital, "findings": o.findings, "worst": o.worst,
                                                 "verdict": o.verdict, "exit_code": o.exit,
                                                 "result": f"{o.hospital}/findings.json"} for o in outcomes],
                "cross_findings": [finding_dict(f, tz_, lang_) for f in shared], **times}
    (out / "isac-findings.json").write_text(json.dumps(combined, ensure_ascii=False, indent=1, default=str),
                                            encoding="utf-8")
    (out / "indicators.json").write_text(json.dumps(rows, ensure_ascii=False, default=_iso), encoding="utf-8")
    for o in outcomes:
        worst = term.t(f"severity.{o.worst}") if o.worst != "-" else term.t("isac.none")
        verdict = TITLE[o.verdict].get(lang_) if o.verdict in TITLE else o.verdict
        term.say(term.t("isac.hospital", hospital=o.hospital, findings=o.findings, worst=worst, verdict=verdict))
        if o.exit:
            result = out / o.hospital / "findings.json"
            term.line(term.t("isac.hospital_incomplete", hospital=o.hospital, result=result), err=True)
    term.findings(shared, show_host=False)
    term.say(term.t("isac.scanned", hospitals=len(chosen), shared=len(shared), path=out / "isac-findings.json"))
    raise typer.Exit(EXIT_SKIPPED if any(o.exit for o in outcomes) else EXIT_OK)


@isac_app.command("share")
def share(
    result: Path = typer.Argument(..., exists=True, file_okay=False, help="The --out folder of `isac scan`"),
    out: Path = typer.Option(..., "--out", help="Folder for indicators.stix.json and indicators.csv"),
    tlp: str = typer.Option("amber", "--tlp", help="TLP marking: clear, green, amber, amber+strict, red"),
    producer: str = typer.Option("Medical ISAC (WardWatch)", "--producer", help="Who shares (the STIX identity)"),
    lang: Lang = None,
) -> None:
    """会員へ共有する指標を STIX 2.1 と CSV で書く / Write the indicators to share as STIX 2.1 and CSV."""
    from .share import TLP, collect, stix_bundle, write_csv
    _, _, lang_ = settings(None, None, lang)
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
    term = Terminal(lang_)
    term.say(term.t("isac.shared", n=len(shared), tlp=tlp.upper(), stix=out / "indicators.stix.json",
                    csv=out / "indicators.csv"))
    raise typer.Exit(EXIT_OK)


def _iso(t: Any) -> str:
    return t.isoformat() if hasattr(t, "isoformat") else str(t)
