"""Parser tests: lines in each vendor's shape (tests/data/netlog_lines.yml; no public hospital dataset exists), malformed
ones too."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from wardwatch.netlog.parse import parse_header, parse_line

CTX = datetime(2024, 1, 5, 3, 0, tzinfo=timezone.utc)  # 2024-01-05 12:00 in Tokyo


def test_rfc3164_year_from_context_and_previous_year() -> None:
    ts, host, msg = parse_header("<134>Jan  5 11:59:00 rtx1210 hello", CTX, "Asia/Tokyo")
    assert ts == datetime(2024, 1, 5, 2, 59, tzinfo=timezone.utc) and host == "rtx1210" and msg == "hello"
    ts, _, _ = parse_header("<134>Dec 31 23:00:00 rtx1210 hello", CTX, "Asia/Tokyo")
    assert ts is not None and ts.year == 2023  # December seen in January is last year's


def test_rfc3164_without_host_keeps_tag() -> None:
    _, host, msg = parse_header("Jan  5 11:00:00 sshd[42]: Accepted password for a from 10.0.0.1 port 1 ssh2",
                                CTX, "Asia/Tokyo")
    assert host == "" and msg.startswith("sshd[42]:")


def test_rfc5424() -> None:
    line = '<165>1 2024-01-05T10:00:00.123+09:00 fw01 sshd 99 ID47 [x@1 a="b"] Failed password for root from 10.1.1.1 port 5 ssh2'
    e = parse_line(line, CTX)
    assert e.time == datetime(2024, 1, 5, 1, 0, 0, 123000, tzinfo=timezone.utc)
    assert (e.device, e.vendor, e.kind, e.src, e.user, e.dport) == ("fw01", "sshd", "login-failure", "10.1.1.1", "root", 22)


LINES = yaml.safe_load((Path(__file__).parent / "data" / "netlog_lines.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("line,want", [(c["line"], tuple(c["want"])) for c in LINES["traffic"]])
def test_traffic_lines(line: str, want: tuple[object, ...]) -> None:
    e = parse_line(line, CTX)
    assert (e.vendor, e.kind, e.action, e.proto, e.src, e.sport, e.dst, e.dport) == want


@pytest.mark.parametrize("line,vendor,kind,src,user", [
    (c["line"], c["want"]["vendor"], c["want"]["kind"], c["want"]["src"], c["want"]["user"]) for c in LINES["logins"]])
def test_login_and_vpn_lines(line: str, vendor: str, kind: str, src: str, user: str) -> None:
    e = parse_line(line, CTX)
    assert (e.vendor, e.kind, e.src) == (vendor, kind, src)
    if user:
        assert e.user == user


@pytest.mark.parametrize("line", [
    "", "garbage", "<999", "<134>Foo 99 99:99:99 x y", "%ASA-4-106023: Deny tcp src", "filterlog[1]: 1,2,3",
    "<4>Jan  5 11:00:00 gw kernel: SRC=bad DST=", "1,2,3,TRAFFIC,short", 'type="traffic" devid= srcip',
    "<134>Jan  5 11:00:00 rtx PP[01] Rejected at IN(2000) filter: TCP",
])
def test_malformed_lines_never_raise_and_keep_raw(line: str) -> None:
    e = parse_line(line, CTX)
    assert e.raw == line.rstrip("\r\n")
    assert e.kind in ("unknown", "other", "traffic")
