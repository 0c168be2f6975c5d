"""The devices to check: the inventory's internet-facing, edge, remote-maintenance and medical devices (and any host
whose vendor, product or CPE the inventory gives), and the hosts of audit bundles for their operating system."""
from __future__ import annotations

from typing import Any

from ..hospital.inventory import Inventory
from .match import Device

EDGE_ROLES = {"vpn", "firewall", "router"}
INTERNET, EDGE, REMOTE, MEDICAL = "internet-facing", "edge device", "remote maintenance", "medical device"


def inventory_devices(inv: Inventory) -> list[Device]:
    """Every inventory host, with why it matters (its exposure); product and version fall back to os / version."""
    remote = {str(r.get("device", "")).lower(): str(r.get("vendor", "")) for r in inv.section("remote_access")}
    out = []
    for h in inv.section("hosts"):
        role = str(h.get("role", ""))
        exposure = []
        if h.get("internet_facing") or (role in EDGE_ROLES and h.get("internet_facing") is not False):
            exposure.append(INTERNET if h.get("internet_facing") else EDGE)
        if str(h["name"]).lower() in remote:
            exposure.append(REMOTE)
        if role == "medical":
            exposure.append(MEDICAL)
        out.append(Device(
            name=str(h["name"]), vendor=_s(h.get("vendor")), product=_s(h.get("product")) or _s(h.get("os")),
            model=_s(h.get("model")), version=_s(h.get("firmware")) or _s(h.get("version")), cpe=_s(h.get("cpe")),
            role=role, segment=inv.host_segment(h) or "", os=" ".join(x for x in (_s(h.get("os")), _s(h.get("version")))
                                                                  if x),
            exposure=exposure))
    return out


def to_check(devices: list[Device]) -> list[Device]:
    """The devices matched against the feeds: exposed ones, and any the user described by vendor, product or CPE."""
    return [d for d in devices if d.exposure and d.role != "medical" or d.cpe or d.vendor]


def bundle_devices(hosts: list[dict[str, Any]]) -> list[Device]:
    """Hosts of an audit's findings.json (audit.hosts: {'host', 'os'}), for end of support only."""
    return [Device(name=str(h["host"]), os=_s(h.get("os")), role="host") for h in hosts if h.get("host")]


def _s(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())
