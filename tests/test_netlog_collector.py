"""Collector tests: real UDP, TCP and TLS to 127.0.0.1, then verify; tampering; kill -9 while writing."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from wardwatch.netlog.cli import syslog_app
from wardwatch.netlog.store import verify_dir

LINE = b"<134>Jan  5 11:00:00 rtx PP[01] Rejected at IN(2000) filter: TCP 203.0.113.5:51234 > 192.168.0.10:3389"


class Server:
    """A `serve` subprocess on ephemeral loopback ports; always stopped by the fixture."""

    def __init__(self, root: Path, *extra: str) -> None:
        self.root = root
        (root / "serve-status.json").unlink(missing_ok=True)
        self.proc = subprocess.Popen([sys.executable, "-m", "wardwatch.netlog", "serve", "--dir", str(root),
                                      "--bind", "127.0.0.1", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        status = root / "serve-status.json"
        while not status.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(self.proc.communicate()[1].decode())
            time.sleep(0.05)
        self.ports: dict[str, int] = orjson.loads(status.read_bytes())["ports"]

    def stop(self, sig: int = signal.SIGTERM) -> dict[str, int]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return orjson.loads((self.root / "serve-status.json").read_bytes())


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    made: list[Server] = []
    yield made
    for s in made:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def start(servers: list[Server], root: Path, *extra: str) -> Server:
    s = Server(root, *extra)
    servers.append(s)
    return s


def settle(s: Server, at_least: int, counter: str = "stored", timeout: float = 30) -> None:
    """Wait until the server has counted what was sent (it rewrites its status file at least every second),
    instead of a fixed pause that a busy machine may outlast."""
    deadline = time.monotonic() + timeout
    status = s.root / "serve-status.json"
    while time.monotonic() < deadline and orjson.loads(status.read_bytes()).get(counter, 0) < at_least:
        time.sleep(0.05)


def stored_messages(root: Path) -> list[str]:
    out = []
    for seg in sorted(root.rglob("*.log")):
        for line in seg.read_bytes().splitlines()[1:]:
            out.append(orjson.loads(line)["m"])
    return out


def verify_cli(root: Path) -> tuple[int, str]:
    r = CliRunner().invoke(syslog_app, ["verify", str(root)])
    return r.exit_code, r.output


def test_udp_and_tcp_framings_stored_and_verified(tmp_path: Path, servers: list[Server]) -> None:
    root = tmp_path / "logs"
    s = start(servers, root, "--udp", "0", "--tcp", "0", "--allow", "127.0.0.0/8")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(50):
        u.sendto(LINE + b" u%d" % i, ("127.0.0.1", s.ports["udp"]))
        time.sleep(0.001)
    u.close()
    with socket.create_connection(("127.0.0.1", s.ports["tcp"])) as t:
        frames = b""
        for i in range(100):
            m = LINE + b" oc%d" % i
            frames += b"%d %s" % (len(m), m)
        t.sendall(frames[:37])  # a frame split across reads
        time.sleep(0.05)
        t.sendall(frames[37:])
    with socket.create_connection(("127.0.0.1", s.ports["tcp"])) as t:
        t.sendall(b"".join(LINE + b" nl%d\r\n" % i for i in range(100)) + b"last without newline")
    settle(s, 240)
    st = s.stop()
    assert s.proc.returncode == 0
    msgs = stored_messages(root)
    assert sum(m.endswith(tuple(f" oc{i}" for i in range(100))) for m in msgs) == 100
    assert sum(" nl" in m for m in msgs) == 100 and "last without newline" in msgs
    assert sum(" u" in m for m in msgs) == st["stored"] - 201 and st["stored"] >= 240  # UDP on loopback: near all
    assert st["received"] == st["stored"] and st["dropped_overload"] == 0
    code, out = verify_cli(root)
    assert code == 0, out
    assert "intact" in out


def test_allowlist_drops_and_counts(tmp_path: Path, servers: list[Server]) -> None:
    root = tmp_path / "logs"
    s = start(servers, root, "--udp", "0", "--tcp", "0", "--allow", "10.0.0.0/8")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(5):
        u.sendto(LINE, ("127.0.0.1", s.ports["udp"]))
    u.close()
    with socket.create_connection(("127.0.0.1", s.ports["tcp"])) as t:
        try:
            t.sendall(LINE + b"\n")
        except OSError:
            pass
    settle(s, 5, "dropped_not_allowed")
    st = s.stop()
    assert st["stored"] == 0 and st["dropped_not_allowed"] >= 5
    assert stored_messages(root) == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_tls(tmp_path: Path, servers: list[Server]) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    root = tmp_path / "logs"
    s = start(servers, root, "--tls", "0", "--cert", str(cert), "--key", str(key))
    ctx = ssl.create_default_context(cafile=str(cert))
    ctx.check_hostname = False
    with socket.create_connection(("127.0.0.1", s.ports["tls"])) as raw, ctx.wrap_socket(raw) as t:
        for i in range(20):
            m = LINE + b" tls%d" % i
            t.sendall(b"%d %s" % (len(m), m))
    settle(s, 20)
    s.stop()
    assert len(stored_messages(root)) == 20
    assert verify_cli(root)[0] == 0


def _filled(tmp_path: Path, servers: list[Server], n: int = 30) -> Path:
    root = tmp_path / "logs"
    s = start(servers, root, "--tcp", "0")
    with socket.create_connection(("127.0.0.1", s.ports["tcp"])) as t:
        t.sendall(b"".join(LINE + b" r%d\n" % i for i in range(n)))
    settle(s, n)
    s.stop()
    assert verify_dir(root).ok
    return root


def _segment(root: Path) -> Path:
    return next(root.rglob("*.log"))


def test_tamper_edit(tmp_path: Path, servers: list[Server]) -> None:
    root = _filled(tmp_path, servers)
    seg = _segment(root)
    seg.write_bytes(seg.read_bytes().replace(b"192.168.0.10:3389 r7\\n".replace(b"\\n", b""), b"192.168.0.11:3389 r7"))
    code, out = verify_cli(root)
    assert code == 1 and seg.name in out and "record 8" in out


def test_tamper_delete(tmp_path: Path, servers: list[Server]) -> None:
    root = _filled(tmp_path, servers)
    seg = _segment(root)
    lines = seg.read_bytes().splitlines(keepends=True)
    del lines[5]  # header is line 1, so this is record 5
    seg.write_bytes(b"".join(lines))
    code, out = verify_cli(root)
    assert code == 1 and seg.name in out and "record 6" in out and "deleted" in out


def test_tamper_delete_tail(tmp_path: Path, servers: list[Server]) -> None:
    root = _filled(tmp_path, servers)
    seg = _segment(root)
    lines = seg.read_bytes().splitlines(keepends=True)
    seg.write_bytes(b"".join(lines[:-3]))
    code, out = verify_cli(root)
    assert code == 1 and "records 28..30 removed" in out


def test_tamper_insert(tmp_path: Path, servers: list[Server]) -> None:
    root = _filled(tmp_path, servers)
    seg = _segment(root)
    lines = seg.read_bytes().splitlines(keepends=True)
    forged = orjson.loads(lines[10])
    forged["m"] = "forged"
    lines.insert(11, orjson.dumps(forged) + b"\n")
    seg.write_bytes(b"".join(lines))
    code, out = verify_cli(root)
    assert code == 1 and seg.name in out and "line 12" in out


def test_tamper_forged_checkpoint_and_removed_segment(tmp_path: Path, servers: list[Server]) -> None:
    root = _filled(tmp_path, servers)
    seg = _segment(root)
    ck = seg.with_suffix(".ckpt")
    c = orjson.loads(ck.read_bytes())
    c["count"] = 29
    ck.write_bytes(orjson.dumps(c))
    code, out = verify_cli(root)
    assert code == 1 and "HMAC" in out
    seg.unlink()
    code, out = verify_cli(root)
    assert code == 1 and "removed" in out


def test_restart_links_segments(tmp_path: Path, servers: list[Server]) -> None:
    root = _filled(tmp_path, servers, n=5)
    s = start(servers, root, "--tcp", "0")
    with socket.create_connection(("127.0.0.1", s.ports["tcp"])) as t:
        t.sendall(LINE + b" second run\n")
    settle(s, 1)
    s.stop()
    segs = sorted(root.rglob("*.log"))
    assert len(segs) == 2 and verify_dir(root).ok
    segs[0].unlink()
    segs[0].with_suffix(".ckpt").unlink()
    rep = verify_dir(root)
    assert not rep.ok and any("removed" in p.message for p in rep.problems)


def test_kill_9_while_writing(tmp_path: Path, servers: list[Server]) -> None:
    root = tmp_path / "logs"
    s = start(servers, root, "--tcp", "0")
    sent = 0
    with socket.create_connection(("127.0.0.1", s.ports["tcp"])) as t:
        t.settimeout(5)
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            t.sendall(b"".join(LINE + b" k%d\n" % (sent + i) for i in range(500)))
            sent += 500
        os.kill(s.proc.pid, signal.SIGKILL)
        s.proc.wait()
    rep = verify_dir(root)
    assert rep.ok, [p.message for p in rep.problems]
    assert 0 < rep.records <= sent
    code, out = verify_cli(root)
    assert code == 0
    # what was stored is a prefix of what was sent, in order
    msgs = stored_messages(root)
    assert all(m.endswith(f" k{i}") for i, m in enumerate(msgs[:1000]))
