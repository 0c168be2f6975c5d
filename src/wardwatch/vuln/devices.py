"""The devices to check: the inventory's internet-facing, edge, remote-maintenance and medical devices (and any host
whose vendor, product or CPE the inventory gives), and the hosts of audit bundles for their operating system."""
from __future__ import annotations

from typing import Any

from ..hospital.inventory import Inventory
from .feeds import one_line
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
        v = {k: one_line(h.get(k)) for k in ("vendor", "product", "model", "firmware", "version", "cpe", "os")}
        out.append(Device(
            name=str(h["name"]), vendor=v["vendor"], product=v["product"] or v["os"], model=v["model"],
            version=v["firmware"] or v["version"], cpe=v["cpe"], role=role, segment=inv.host_segment(h) or "",
            os=" ".join(x for x in (v["os"], v["version"]) if x), exposure=exposure))
    return out


def to_check(devices: list[Device]) -> list[Device]:
    """The devices matched against the feeds: exposed ones, and any the user described by vendor, product or CPE."""
    return [d for d in devices if d.exposure and d.role != "medical" or d.cpe or d.vendor]


def bundle_devices(hosts: list[dict[str, Any]]) -> list[Device]:
    """Hosts of an audit's findings.json (audit.hosts: {'host', 'os'}), for end of support only."""
    return [Device(name=str(h["host"]), os=one_line(h.get("os")), role="host") for h in hosts if h.get("host")]
