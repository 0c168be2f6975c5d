"""`wardwatch syslog serve|verify|scan` as the Typer app `syslog_app` (cli.py adds it with add_typer)."""
from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from pathlib import Path

import typer

from ..cliopts import Settings, with_settings
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, output
from ..guard import Guard
from ..report.terminal import Terminal
from .segments import Segments

syslog_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         help="ネットワーク機器の syslog を受信・保全・分析する / Collect, protect and analyse the "
                              "syslog of firewalls, routers and switches.")


@syslog_app.command("serve")
def serve(
    dir: Path = typer.Option(..., "--dir", help="Folder for the stored segments"),
    udp: int | None = typer.Option(None, "--udp", min=0, max=65535,
                                   help="UDP port (e.g. 5514; 514 needs root or CAP_NET_BIND_SERVICE)"),
    tcp: int | None = typer.Option(None, "--tcp", min=0, max=65535, help="TCP port (octet-counting or newline framing)"),
    tls: int | None = typer.Option(None, "--tls", min=0, max=65535, help="TLS port (e.g. 6514), with --cert and --key"),
    cert: Path | None = typer.Option(None, "--cert", exists=True, dir_okay=False, help="TLS certificate (PEM)"),
    key: Path | None = typer.Option(None, "--key", exists=True, dir_okay=False, help="TLS private key (PEM)"),
    allow: list[str] | None = typer.Option(None, "--allow", help="Sender address or CIDR allowed (repeat); "
                                           "default: every sender"),
    bind: str = typer.Option("0.0.0.0", "--bind", help="Address to listen on"),
) -> None:
    """syslog を受信して改ざん検知できる形で保存する / Receive syslog and store it tamper-evidently.

    With no port given, listens on UDP and TCP 5514. Port 514 needs privileges: run as root, or give Python
    the capability (`sudo setcap cap_net_bind_service=+ep $(readlink -f .venv/bin/python)`), or redirect
    514 to 5514 with the firewall (`iptables -t nat -A PREROUTING -p udp --dport 514 -j REDIRECT --to-ports 5514`).
    Stops cleanly on SIGTERM or Ctrl+C."""
    from .server import Collector, ServeOptions

    if tls is not None and (cert is None or key is None):
        fail("--tls needs --cert and --key")
    if udp is None and tcp is None and tls is None:
        udp = tcp = 5514
    for a in allow or []:
        try:
            ipaddress.ip_network(a, strict=False)
        except ValueError:
            fail(f"--allow {a!r} is not an address or CIDR")
    output(dir).mkdir(parents=True, exist_ok=True)  # an OSError is the one-line error of cliutil.run_app
    term = Terminal()
    if not allow:
        term.line("warning: no --allow given: every sender is accepted", err=True)
    opts = ServeOptions(root=dir, bind=bind, udp=udp, tcp=tcp, tls=tls, cert=cert, key=key, allow=list(allow or []))
    try:
        col = Collector(opts)
        term.line(f"wardwatch syslog: storing in {dir} (udp={udp} tcp={tcp} tls={tls}); Ctrl+C to stop", err=True)
        stats = col.run()
    except PermissionError as exc:
        fail(f"cannot listen: {exc} (ports below 1024 need privileges; see --help)")
    except OSError as exc:
        fail(f"cannot listen: {exc.strerror or exc}")
    term.line("stopped: " + ", ".join(f"{k}={v}" for k, v in stats.items()), err=True)
    if stats["dropped_overload"]:
        term.say(f"{stats['dropped_overload']} message(s) dropped under overload", style="bold red", err=True)


@syslog_app.command("verify")
def verify(dir: Path = typer.Argument(..., exists=True, file_okay=False, help="Collector folder")) -> None:
    """保存した syslog の改ざんを検査する / Check every stored segment's hash chain and checkpoint.

    Exit 0 when every chain is intact, 1 otherwise (each problem names the file and the record)."""
    from .store import verify_dir

    rep = verify_dir(dir)
    term = Terminal()
    for p in rep.problems:
        term.line(f"{'BROKEN' if p.fatal else 'note'} {p.file}: {p.where}: {p.message}")
    state = "intact" if rep.ok else "NOT intact"
    term.line(f"{rep.segments} segment(s), {rep.records} record(s): {state}")
    raise typer.Exit(EXIT_OK if rep.ok else EXIT_SKIPPED)


def _when(value: str | None, tz: str) -> datetime | None:
    from zoneinfo import ZoneInfo
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{value!r} is not a date and time (use 2024-05-01T09:00)")
    return (t if t.tzinfo else t.replace(tzinfo=ZoneInfo(tz))).astimezone(UTC)


@syslog_app.command("scan")
@with_settings
def scan(
    files: list[Path] = typer.Argument(..., exists=True, help="Syslog files, stored segments or folders"),
    segments: Path | None = typer.Option(None, "--segments", exists=True, dir_okay=False,
                                         help="CSV 'cidr,segment' (rows '@vpn-allow' / '@outbound-allow' are allowlists)"),
    out: Path | None = typer.Option(None, "--out", help="Folder for findings.json"),
    since: str | None = typer.Option(None, "--since", help="Start of the 'what did not happen' window"),
    until: str | None = typer.Option(None, "--until", help="End of that window"),
    *, s: Settings,
) -> None:
    """syslog を分析して findings.json を書く / Analyse syslog into findings.json."""
    from ..model import Run
    from ..report.jsonout import write_json
    from .api import analyse

    tz_, lang_ = s.tz, s.lang  # --tz is also the devices' time zone
    segs = checked_segments(segments)
    out_dir = out or Path(f"wardwatch-syslog-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    output(out_dir).mkdir(parents=True, exist_ok=True)  # an OSError here or below: one line (cliutil.run_app)
    guard = Guard()
    inputs, findings, stats = analyse(files, segs, tz_, _when(since, tz_), _when(until, tz_), guard)
    result = Run(generated_at=datetime.now(UTC), timezone=tz_, lang=lang_, inputs=inputs, findings=findings,
                 stats=stats, sections={"network": stats["netlog"]}, problems=guard.problems)
    write_json(result, out_dir / "findings.json")
    if guard.details:
        (out_dir / "errors.log").write_text("\n".join(guard.details), encoding="utf-8")
    Terminal(lang_).syslog(result, out_dir)
    if guard.problems:
        raise typer.Exit(EXIT_SKIPPED)  # a network rule failed: its findings are missing


def checked_segments(path: Path | None) -> Segments:
    """The `cidr,segment` CSV read before any work starts; a mistake in it ends the command in one line."""
    from .segments import SegmentError, load_segments

    try:
        return load_segments(path)
    except SegmentError as exc:
        fail(str(exc))
    except UnicodeDecodeError:
        fail(f"{path}: not a segments CSV (not UTF-8 text)")
