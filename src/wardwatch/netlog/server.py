"""The syslog collector: UDP, TCP (octet-counting and newline framing) and TLS into hash-chained segments."""
from __future__ import annotations

import asyncio
import ipaddress
import queue
import signal
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from .store import SegmentWriter, load_key

MAX_FRAME = 64 * 1024
MAX_PENDING = 1_000_000
STATUS_NAME = "serve-status.json"
Batch = tuple[float, str, list[bytes]]  # receive time, sender, messages
DRAIN_S = 3.0
UDP_RCVBUF = 32 << 20


@dataclass
class ServeOptions:
    """What `serve` was asked to do."""

    root: Path
    bind: str = "0.0.0.0"
    udp: int | None = None
    tcp: int | None = None
    tls: int | None = None
    cert: Path | None = None
    key: Path | None = None
    allow: list[str] = field(default_factory=list)
    max_pending: int = MAX_PENDING


class Collector:
    """Receivers on one asyncio loop hand batches to one writer thread; overload drops and counts, never blocks."""

    def __init__(self, opts: ServeOptions) -> None:
        self.opts = opts
        self.nets = [ipaddress.ip_network(a, strict=False) for a in opts.allow]
        self.key = load_key(opts.root, create=True)
        assert self.key is not None
        self.q: queue.Queue[Batch | None] = queue.Queue()
        self.stopping = threading.Event()
        self.pending = 0
        self.lock = threading.Lock()
        self.stats = {"received": 0, "stored": 0, "dropped_not_allowed": 0, "dropped_overload": 0,
                      "frame_errors": 0, "write_errors": 0, "connections": 0}
        self.allowed_cache: dict[str, bool] = {}
        self.ports: dict[str, int] = {}
        self.stop_event: asyncio.Event | None = None
        self.writers: dict[str, SegmentWriter] = {}
        (opts.root / STATUS_NAME).unlink(missing_ok=True)

    # --- admission -------------------------------------------------------
    def allowed(self, addr: str) -> bool:
        ok = self.allowed_cache.get(addr)
        if ok is None:
            if not self.nets:
                ok = True
            else:
                try:
                    ip = ipaddress.ip_address(addr.split("%")[0])
                    if ip.version == 6 and ip.ipv4_mapped:
                        ip = ip.ipv4_mapped
                    ok = any(ip in n for n in self.nets)
                except ValueError:
                    ok = False
            self.allowed_cache[addr] = ok
        return ok

    def submit(self, batch: Batch) -> None:
        n = len(batch[2])
        with self.lock:
            self.stats["received"] += n
            if self.pending + n > self.opts.max_pending:
                self.stats["dropped_overload"] += n
                return
            self.pending += n
        self.q.put(batch)

    # --- writer thread ---------------------------------------------------
    def _writer(self) -> None:
        last_ck = time.monotonic()
        while True:
            try:
                batch = self.q.get(timeout=0.5)
            except queue.Empty:
                batch = (0.0, "", [])
            if batch is None:
                break
            ts, sender, raws = batch
            if raws:
                w = self.writers.get(sender)
                if w is None:
                    w = self.writers[sender] = SegmentWriter(self.opts.root, sender, self.key)  # type: ignore[arg-type]
                try:
                    w.write_many(datetime.fromtimestamp(ts, UTC), raws)
                    self.stats["stored"] += len(raws)
                except OSError:  # disk full or gone: count, keep serving
                    self.stats["write_errors"] += len(raws)
                with self.lock:
                    self.pending -= len(raws)
            now = time.monotonic()
            if now - last_ck >= 1.0 or (not raws and any(w.dirty for w in self.writers.values())):
                for w in self.writers.values():
                    w.checkpoint(sync=True)
                self._write_status("running")
                last_ck = now
        for w in self.writers.values():
            w.close()

    def _write_status(self, state: str) -> None:
        body = {"state": state, "ports": self.ports, **self.stats}
        tmp = self.opts.root / (STATUS_NAME + ".tmp")
        tmp.write_bytes(orjson.dumps(body))
        tmp.replace(self.opts.root / STATUS_NAME)

    # --- receivers -------------------------------------------------------
    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        self.stop_event = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.stop_event.set)
            except (NotImplementedError, RuntimeError):
                pass
        closers: list[Any] = []
        o = self.opts
        udp_thread = None
        if o.udp is not None:
            usock = socket.socket(socket.AF_INET6 if ":" in o.bind else socket.AF_INET, socket.SOCK_DGRAM)
            try:
                usock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RCVBUF)
            except OSError:
                pass
            usock.bind((o.bind, o.udp))
            self.ports["udp"] = usock.getsockname()[1]
            udp_thread = threading.Thread(target=self._udp, args=(usock,), name="netlog-udp", daemon=True)
            udp_thread.start()
        if o.tcp is not None:
            srv = await loop.create_server(lambda: _Stream(self), o.bind, o.tcp, reuse_address=True)
            self.ports["tcp"] = srv.sockets[0].getsockname()[1]
            closers.append(srv)
        if o.tls is not None:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(str(o.cert), str(o.key))
            srv = await loop.create_server(lambda: _Stream(self), o.bind, o.tls, ssl=ctx, reuse_address=True)
            self.ports["tls"] = srv.sockets[0].getsockname()[1]
            closers.append(srv)
        self._write_status("running")
        await self.stop_event.wait()
        for c in closers:
            c.close()
        deadline = time.monotonic() + DRAIN_S  # let connected senders finish what they already sent
        while _Stream.live and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for st in list(_Stream.live):
            st.finish()
        self.stopping.set()
        if udp_thread is not None:
            udp_thread.join()

    def _udp(self, sock: socket.socket) -> None:
        """UDP on its own thread: block for one datagram, then drain what is queued, and hand it over per sender."""
        sock.settimeout(0.2)
        allowed, stats = self.allowed, self.stats
        while True:
            try:
                data, addr = sock.recvfrom(MAX_FRAME)
            except (TimeoutError, BlockingIOError):
                if self.stopping.is_set():
                    break
                continue
            now = time.time()
            got: dict[str, list[bytes]] = {}
            refused = 0
            items = [(data, addr)]
            sock.setblocking(False)
            for _ in range(2047):
                try:
                    items.append(sock.recvfrom(MAX_FRAME))
                except (BlockingIOError, InterruptedError):
                    break
            sock.settimeout(0.2)
            for data, addr in items:
                host = addr[0]
                if allowed(host):
                    data = data.rstrip(b"\r\n\x00")
                    if data:
                        got.setdefault(host, []).append(data)
                else:
                    refused += 1
            if refused:
                with self.lock:
                    stats["dropped_not_allowed"] += refused
            for host, msgs in got.items():
                self.submit((now, host, msgs))
        sock.close()

    def run(self) -> dict[str, int]:
        """Serve until SIGTERM or Ctrl+C, then write everything held and close every segment."""
        writer = threading.Thread(target=self._writer, name="netlog-writer", daemon=True)
        writer.start()
        try:
            asyncio.run(self._main())
        finally:
            self.q.put(None)
            writer.join()
            self._write_status("stopped")
        return self.stats


class _Stream(asyncio.Protocol):
    """One TCP or TLS connection: RFC 6587 octet-counting when a frame starts with a digit, else newline framing."""

    live: set[_Stream] = set()

    def __init__(self, c: Collector) -> None:
        self.c = c
        self.buf = b""
        self.host = ""
        self.transport: Any = None
        self.ok = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.host = transport.get_extra_info("peername")[0]
        if not self.c.allowed(self.host):
            with self.c.lock:
                self.c.stats["dropped_not_allowed"] += 1
            transport.close()
            return
        self.ok = True
        self.c.stats["connections"] += 1
        _Stream.live.add(self)

    def data_received(self, data: bytes) -> None:
        if not self.ok:
            return
        buf = self.buf + data if self.buf else data
        out: list[bytes] = []
        pos, end = 0, len(buf)
        while pos < end:
            if 48 <= buf[pos] <= 57:  # octet-counting: "LEN SP MSG"
                sp = buf.find(b" ", pos, pos + 8)
                if sp < 0:
                    if end - pos >= 8:
                        self._frame_error()
                        return
                    break
                try:
                    n = int(buf[pos:sp])
                except ValueError:
                    self._frame_error()
                    return
                if n > MAX_FRAME:
                    self._frame_error()
                    return
                if sp + 1 + n > end:
                    break
                msg = buf[sp + 1:sp + 1 + n].rstrip(b"\r\n")
                pos = sp + 1 + n
            else:
                nl = buf.find(b"\n", pos)
                if nl < 0:
                    if end - pos > MAX_FRAME:
                        self._frame_error()
                        return
                    break
                msg = buf[pos:nl].rstrip(b"\r\x00")
                pos = nl + 1
            if msg:
                out.append(msg)
        self.buf = buf[pos:]
        if out:
            self.c.submit((time.time(), self.host, out))

    def _frame_error(self) -> None:
        self.c.stats["frame_errors"] += 1
        self.buf = b""
        self.transport.close()

    def finish(self) -> None:
        """At stop: keep a last newline-less line, then close."""
        if self.ok and self.buf and not (48 <= self.buf[0] <= 57):
            self.c.submit((time.time(), self.host, [self.buf.rstrip(b"\r\n")]))
        self.buf = b""
        if self.transport is not None:
            self.transport.close()

    def eof_received(self) -> bool | None:
        self.finish()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        _Stream.live.discard(self)
