"""Loopback load benchmark of `wardwatch syslog serve`: messages/s stored (TCP, zero loss) and UDP loss at a set rate."""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE = b"<134>Jan  5 11:00:00 rtx PP[01] Rejected at IN(2000) filter: TCP 203.0.113.5:51234 > 192.168.0.10:3389 seq="


def _start(root: Path, *ports: str) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    proc = subprocess.Popen([sys.executable, "-m", "wardwatch.netlog", "serve", "--dir", str(root), "--bind",
                             "127.0.0.1", *ports], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = root / "serve-status.json"
    deadline = time.monotonic() + 15
    while not status.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("server did not start")
        time.sleep(0.05)
    return proc, json.loads(status.read_text())["ports"]


def _stop(proc: subprocess.Popen[bytes], root: Path, limit: float) -> dict[str, int]:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return json.loads((root / "serve-status.json").read_text())


def bench_tcp(count: int, conns: int, limit: float) -> dict[str, object]:
    from wardwatch.netlog.store import verify_dir
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        proc, ports = _start(root, "--tcp", "0")
        per = count // conns
        socks = [socket.create_connection(("127.0.0.1", ports["tcp"])) for _ in range(conns)]
        chunk = 2000
        t0 = time.perf_counter()
        sent = 0
        for base in range(0, per, chunk):
            if time.perf_counter() - t0 > limit:
                break
            for k, s in enumerate(socks):
                s.sendall(b"".join(b"%d %s%d:%d" % (len(LINE) + len(b"%d:%d" % (k, i)), LINE, k, i)
                                   for i in range(base, min(base + chunk, per))))
                sent += min(chunk, per - base)
        for s in socks:
            s.close()
        t_sent = time.perf_counter() - t0
        stats = _stop(proc, root, limit)
        total = time.perf_counter() - t0
        rep = verify_dir(root)
        return {"sent": sent, "stored": stats["stored"], "lost": sent - stats["stored"], "verified_records": rep.records,
                "chain_intact": rep.ok, "send_seconds": round(t_sent, 3), "seconds_to_stored_and_closed": round(total, 3),
                "msgs_per_s": round(stats["stored"] / total), "connections": conns}


def bench_udp(count: int, rate: int, limit: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        proc, ports = _start(root, "--udp", "0")
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        addr = ("127.0.0.1", ports["udp"])
        burst = max(1, rate // 200)
        t0 = time.perf_counter()
        sent = 0
        while sent < count and time.perf_counter() - t0 < limit:
            for i in range(burst):
                u.sendto(LINE + b"%d" % (sent + i), addr)
            sent += burst
            ahead = sent / rate - (time.perf_counter() - t0)
            if ahead > 0:
                time.sleep(ahead)
        t_sent = time.perf_counter() - t0
        time.sleep(0.5)
        stats = _stop(proc, root, limit)
        return {"target_rate": rate, "sent": sent, "achieved_send_rate": round(sent / t_sent), "stored": stats["stored"],
                "lost": sent - stats["stored"], "loss_pct": round(100 * (sent - stats["stored"]) / max(sent, 1), 3),
                "dropped_overload": stats["dropped_overload"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tcp-count", type=int, default=500_000)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--udp-count", type=int, default=250_000)
    ap.add_argument("--udp-rate", type=int, default=50_000)
    ap.add_argument("--limit", type=float, default=60.0, help="seconds at most per phase")
    a = ap.parse_args()
    res = {"tcp": bench_tcp(a.tcp_count, a.connections, a.limit), "udp": bench_udp(a.udp_count, a.udp_rate, a.limit),
           "target_msgs_per_s": 50_000, "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                                  "platform": platform.platform()}}
    res["tcp_target_met"] = res["tcp"]["lost"] == 0 and res["tcp"]["msgs_per_s"] >= 50_000  # type: ignore[operator]
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
