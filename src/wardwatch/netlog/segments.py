"""Segments from a `cidr,segment` CSV: address → segment, plus the '@vpn-allow' and '@outbound-allow' lists."""
from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
VPN_ALLOW, OUTBOUND_ALLOW = "@vpn-allow", "@outbound-allow"
CLINICAL = re.compile(r"ehr|emr|clinical|medical|pacs|modality|hl7|lab|カルテ|医療|診療|検査|放射線", re.I)
INTERNET = "internet"
LOCAL_NETS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                                                "169.254.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "224.0.0.0/3",
                                                "fc00::/7", "fe80::/10", "::1/128", "ff00::/8", "::/128")]


def is_local(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Private, loopback, link-local, shared or multicast: not 'the internet' (documentation ranges count as public)."""
    return any(ip.version == n.version and ip in n for n in LOCAL_NETS)


class SegmentError(ValueError):
    """A bad line in the segments file (the message names it)."""


@dataclass
class Segments:
    """CIDR → segment names (longest prefix wins) and the two allowlists."""

    nets: list[tuple[Net, str]] = field(default_factory=list)
    vpn_allow: list[Net] = field(default_factory=list)
    outbound_allow: list[Net] = field(default_factory=list)
    allowed_flows: set[tuple[str, str, int]] = field(default_factory=set)  # (from, to, port) the inventory allows
    _cache: dict[str, str | None] = field(default_factory=dict)

    def segment(self, addr: str) -> str | None:
        """The segment of an address; 'internet' for a public address outside every segment; None when unknown."""
        if addr in self._cache:
            return self._cache[addr]
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            self._cache[addr] = None
            return None
        best: tuple[int, str] | None = None
        for net, name in self.nets:
            if ip.version == net.version and ip in net and (best is None or net.prefixlen > best[0]):
                best = (net.prefixlen, name)
        seg = best[1] if best else (None if is_local(ip) else INTERNET)
        self._cache[addr] = seg
        return seg

    def names(self) -> list[str]:
        return sorted({n for _, n in self.nets})

    @staticmethod
    def is_clinical(name: str) -> bool:
        return bool(CLINICAL.search(name))

    @staticmethod
    def _in(addr: str, nets: list[Net]) -> bool:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip.version == n.version and ip in n for n in nets)

    def vpn_allowed(self, addr: str) -> bool:
        return self._in(addr, self.vpn_allow)

    def outbound_allowed(self, addr: str) -> bool:
        return self._in(addr, self.outbound_allow)


def segments_from_inventory(inventory: Any) -> Segments:
    """Segments, remote-access sources and allowed flows from a hospital inventory (wardwatch.hospital)."""
    segs = Segments(nets=[(net, name) for name, nets in inventory.networks.items() for net in nets])
    for path in inventory.section("remote_access"):
        for src in path.get("sources") or []:
            try:
                segs.vpn_allow.append(ipaddress.ip_network(str(src), strict=False))
            except ValueError:
                continue
    for flow in inventory.section("flows"):
        for port in flow.get("ports") or []:
            if str(port).isdigit():
                segs.allowed_flows.add((str(flow["from"]), str(flow["to"]), int(port)))
    return segs


def load_segments(path: Path | None) -> Segments:
    """Read `cidr,segment` lines (header, blank and '#' lines skipped)."""
    segs = Segments()
    if path is None:
        return segs
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.reader(fh), start=1):
            if not row or not row[0].strip() or row[0].strip().startswith("#"):
                continue
            if i == 1 and row[0].strip().lower() == "cidr":
                continue
            if len(row) < 2 or not row[1].strip():
                raise SegmentError(f"{path}:{i}: expected 'cidr,segment'")
            try:
                net = ipaddress.ip_network(row[0].strip(), strict=False)
            except ValueError:
                raise SegmentError(f"{path}:{i}: {row[0].strip()!r} is not an address or CIDR") from None
            name = row[1].strip()
            if name == VPN_ALLOW:
                segs.vpn_allow.append(net)
            elif name == OUTBOUND_ALLOW:
                segs.outbound_allow.append(net)
            else:
                segs.nets.append((net, name))
    return segs
