"""Parser tests: lines in each vendor's shape (written here; no public hospital dataset exists), malformed ones too."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

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


@pytest.mark.parametrize("line,want", [
    ("<134>Jan  5 11:00:00 rtx PP[01] Rejected at IN(2000) filter: TCP 203.0.113.5:51234 > 192.168.0.10:3389",
     ("yamaha", "traffic", "deny", "tcp", "203.0.113.5", 51234, "192.168.0.10", 3389)),
    ("<134>Jan  5 11:00:00 LAN1 Passed at OUT(100) filter: UDP 192.168.1.2:5000 > 192.168.2.3:161",
     ("yamaha", "traffic", "allow", "udp", "192.168.1.2", 5000, "192.168.2.3", 161)),
    ("<134>Jan  5 11:00:00 rtx [INSPECT] PP[01][out][101] TCP 192.168.0.5:50000 > 198.51.100.9:443 (2024/01/05 11:00:00)",
     ("yamaha", "traffic", "allow", "tcp", "192.168.0.5", 50000, "198.51.100.9", 443)),
    ('date=2024-01-05 time=11:00:00 devname="FG60F" devid="FGT60F" logid="0000000013" type="traffic" subtype="forward" '
     'srcip=10.10.1.5 srcport=50123 dstip=10.20.1.7 dstport=445 proto=6 action="deny" policyid=3',
     ("fortigate", "traffic", "deny", "tcp", "10.10.1.5", 50123, "10.20.1.7", 445)),
    ("<166>Jan  5 11:00:00 asa %ASA-4-106023: Deny tcp src inside:10.1.1.5/2143 dst outside:10.2.2.2/445 by access-group \"in\" [0x0, 0x0]",
     ("cisco-asa", "traffic", "deny", "tcp", "10.1.1.5", 2143, "10.2.2.2", 445)),
    ("<166>Jan  5 11:00:00 asa %ASA-6-302013: Built outbound TCP connection 123 for outside:198.51.100.1/443 (198.51.100.1/443) to inside:10.1.1.5/50000 (10.1.1.5/50000)",
     ("cisco-asa", "traffic", "allow", "tcp", "10.1.1.5", 50000, "198.51.100.1", 443)),
    ("<190>Jan  5 11:00:00 sw1 %SEC-6-IPACCESSLOG: list 101 denied tcp 10.3.0.4(1025) -> 10.4.0.2(23), 1 packet",
     ("cisco-ios", "traffic", "deny", "tcp", "10.3.0.4", 1025, "10.4.0.2", 23)),
    ("<14>Jan  5 11:00:00 pa 1,2024/01/05 11:00:00,012801000000,TRAFFIC,end,2049,2024/01/05 11:00:00,10.1.1.1,10.2.2.2,"
     "0.0.0.0,0.0.0.0,rule1,user1,,ms-rdp,vsys1,trust,untrust,ethernet1/1,ethernet1/2,fwd,2024/01/05 11:00:00,1,1,"
     "51000,3389,0,0,0x0,tcp,allow,100,50,50,1",
     ("paloalto", "traffic", "allow", "tcp", "10.1.1.1", 51000, "10.2.2.2", 3389)),
    ("<134>Jan  5 11:00:00 pfsense filterlog[123]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,"
     "192.168.1.9,192.168.2.20,53000,445,0,S,1,,64240,,mss",
     ("pfsense", "traffic", "deny", "tcp", "192.168.1.9", 53000, "192.168.2.20", 445)),
    ("<4>Jan  5 11:00:00 gw kernel: [1.2] DROP IN=eth0 OUT= MAC=aa SRC=172.16.0.3 DST=172.16.1.4 LEN=60 TOS=0x00 "
     "PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=1 RES=0x00 SYN URGP=0",
     ("iptables", "traffic", "deny", "tcp", "172.16.0.3", 40000, "172.16.1.4", 22)),
])
def test_traffic_lines(line: str, want: tuple[object, ...]) -> None:
    e = parse_line(line, CTX)
    assert (e.vendor, e.kind, e.action, e.proto, e.src, e.sport, e.dst, e.dport) == want


@pytest.mark.parametrize("line,vendor,kind,src,user", [
    ("<134>Jan  5 11:00:00 rtx Login failed for SSH: 192.168.20.2 admin", "yamaha", "login-failure", "192.168.20.2", "admin"),
    ("<134>Jan  5 11:00:00 rtx Login succeeded for SSH: 192.168.20.2 admin", "yamaha", "login-success", "192.168.20.2", "admin"),
    ("<134>Jan  5 11:00:00 rtx [L2TP] TUNNEL[1] connected from 198.51.100.7", "yamaha", "vpn-success", "198.51.100.7", ""),
    ('date=2024-01-05 time=11:00:00 devid="FGT" logid="0101039426" type="event" subtype="vpn" logdesc="SSL VPN login fail" '
     'action="ssl-login-fail" remip=203.0.113.50 user="nurse1"', "fortigate", "vpn-failure", "203.0.113.50", "nurse1"),
    ('date=2024-01-05 time=11:00:00 devid="FGT" logid="0100032002" type="event" subtype="system" logdesc="Admin login failed" '
     'srcip=10.9.9.9 user="admin" action="login" status="failed"', "fortigate", "login-failure", "10.9.9.9", "admin"),
    ("<166>Jan  5 11:00:00 asa %ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.0.0.2 : "
     "user = bob : user IP = 203.0.113.9", "cisco-asa", "vpn-failure", "203.0.113.9", "bob"),
    ("<166>Jan  5 11:00:00 asa %ASA-6-605004: Login denied from 10.5.5.5/5000 to inside:10.0.0.1/ssh for user \"admin\"",
     "cisco-asa", "login-failure", "10.5.5.5", ""),
    ("<38>Jan  5 11:00:00 host sshd[1]: Failed password for invalid user oracle from 192.0.2.4 port 4444 ssh2",
     "sshd", "login-failure", "192.0.2.4", "oracle"),
])
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
