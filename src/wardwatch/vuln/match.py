"""Matching a hospital's devices against advisories: by CPE where both have one, else by vendor and product names,
with version ranges where the feed gives them; a match the versions cannot settle is 'check by hand'."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from .. import useryaml
from .feeds import Advisory, Affected
from .version import Range, valid

AFFECTED, NOT_AFFECTED, UNKNOWN = "affected", "not_affected", "version_unknown"
_SUFFIXES = re.compile(r"(株式会社|有限会社|\(株\)|（株）|incorporated|inc\.?|corporation|corp\.?|co\.?,?\s*ltd\.?|ltd\.?|"
                       r"limited|gmbh|llc|systems?|networks?|technologies|japan|ジャパン)", re.I)


@dataclass
class Device:
    """A device or host of the hospital, as far as the inventory (or a bundle) describes it."""

    name: str
    vendor: str = ""
    product: str = ""
    model: str = ""
    version: str = ""  # firmware or software version
    cpe: str = ""
    role: str = ""
    segment: str = ""
    os: str = ""
    exposure: list[str] = field(default_factory=list)  # why it matters: internet-facing, remote maintenance, ...


@dataclass
class Match:
    """One device against one vulnerability (advisories of several feeds on the same CVE merged)."""

    device: Device
    vuln_id: str
    cves: list[str]
    status: str  # affected / not_affected / version_unknown
    title: str
    exploited: bool
    ransomware: bool
    sources: list[str]
    ranges: list[str]  # the feeds' own words on the affected versions
    fixed_in: list[str]
    due_date: str = ""
    severity: str = ""
    why_unknown: str = ""
    by: str = ""  # cpe or name


def norm(text: str) -> str:
    """Lowercase, full-width folded, corporate suffixes and everything but letters and digits dropped."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = _SUFFIXES.sub(" ", text)
    return re.sub(r"[^0-9a-z\u3040-\u30ff\u4e00-\u9fff]+", "", text)


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, str], dict[str, set[str]]]:
    data = useryaml.load((resources.files("wardwatch.vuln") / "data" / "products.yml").read_text(encoding="utf-8"))
    vendors: dict[str, str] = {}
    for name, others in (data.get("vendors") or {}).items():
        vendors[norm(name)] = norm(name)
        for o in others or []:
            vendors[norm(o)] = norm(name)
    products: dict[str, set[str]] = defaultdict(set)
    for name, others in (data.get("products") or {}).items():
        products[norm(name)] |= {norm(o) for o in others or []}
    return vendors, dict(products)


def vendor_key(name: str) -> str:
    n = norm(name)
    return _aliases()[0].get(n, n)


def _product_names(device: Device) -> set[str]:
    """Every name the device's product goes by: as written, with and without the model, and its aliases."""
    names = {norm(x) for x in (device.product, f"{device.product}{device.model}", device.model) if norm(x)}
    for n in list(names):
        for base, others in _aliases()[1].items():
            if n == base or (n.startswith(base) and len(base) >= 3):
                names |= others | {base}
    return names


def _product_matches(device: Device, aff: Affected) -> bool:
    if aff.vendor and device.vendor and vendor_key(aff.vendor) != vendor_key(device.vendor):
        return False
    feed = norm(aff.product)
    if not feed:
        return False
    for name in _product_names(device):
        if name == feed or (len(feed) >= 4 and name.startswith(feed)) or (len(name) >= 4 and feed.startswith(name)):
            return True
    return False


def cpe_parts(cpe: str) -> tuple[str, str, str, str] | None:
    """(part, vendor, product, version) of a CPE 2.2 URI (cpe:/o:fortinet:fortios:7.2.4) or 2.3 string."""
    text = cpe.strip().lower()
    if text.startswith("cpe:2.3:"):
        f = re.split(r"(?<!\\):", text)[2:]
    elif text.startswith("cpe:/"):
        f = text[5:].split(":")
    else:
        return None
    f += [""] * (4 - len(f))
    version = "" if f[3] in ("*", "-", "") else f[3].replace("\\", "")
    return f[0], f[1].replace("\\", ""), f[2].replace("\\", ""), version


def _cpe_matches(device: Device, aff: Affected) -> bool | None:
    """True/False when both sides have a CPE; None when one has none."""
    a, b = cpe_parts(device.cpe) if device.cpe else None, cpe_parts(aff.cpe) if aff.cpe else None
    if not a or not b:
        return None
    return (a[0] == b[0] or "*" in (a[0], b[0])) and a[1] == b[1] and a[2] == b[2]


def device_version(device: Device) -> str:
    if valid(device.version):
        return device.version
    cpe = cpe_parts(device.cpe) if device.cpe else None
    return cpe[3] if cpe and valid(cpe[3]) else ""


def match_all(devices: list[Device], advisories: list[Advisory]) -> list[Match]:
    """Every device against every vulnerability it may have; not_affected results are kept (they say why not)."""
    by_vuln: dict[str, list[Advisory]] = defaultdict(list)
    for adv in advisories:
        by_vuln[adv.cves[0] if adv.cves else adv.id].append(adv)
    out: list[Match] = []
    for vuln_id, advs in sorted(by_vuln.items()):
        for device in devices:
            m = _match(device, vuln_id, advs)
            if m is not None:
                out.append(m)
    return out


def _match(device: Device, vuln_id: str, advs: list[Advisory]) -> Match | None:
    hits: list[tuple[Advisory, Affected, str]] = []
    for adv in advs:
        for aff in adv.affected:
            by_cpe = _cpe_matches(device, aff)
            if by_cpe or (by_cpe is None and _product_matches(device, aff)):
                hits.append((adv, aff, "cpe" if by_cpe else "name"))
    if not hits:
        return None
    version = device_version(device)
    ranges: list[Range] = [r for _, aff, _ in hits if aff.ranges for r in aff.ranges]
    if not version:
        status, why = UNKNOWN, "the inventory gives no firmware or software version for this device"
    elif not ranges:
        status, why = UNKNOWN, "the feed names the product but not the affected versions"
    else:
        status = AFFECTED if any(r.contains(version) for r in ranges) else NOT_AFFECTED
        why = ""
    advs_hit = [a for a, _, _ in hits]
    return Match(
        device=device, vuln_id=vuln_id, cves=sorted({c for a in advs for c in a.cves}), status=status,
        title=next((a.title for a in advs if a.title), vuln_id),
        exploited=any(a.exploited for a in advs), ransomware=any(a.ransomware for a in advs),
        sources=sorted({f"{a.source}:{a.id}" for a in advs_hit} | {f"{a.source}:{a.id}" for a in advs if a.exploited}),
        ranges=sorted({r.text for r in ranges if r.text}), fixed_in=sorted({aff.fixed_in for _, aff, _ in hits
                                                                             if aff.fixed_in}),
        due_date=next((a.due_date for a in advs if a.due_date), ""), severity=next((a.severity for a in advs
                                                                                   if a.severity), ""),
        why_unknown=why, by="cpe" if any(b == "cpe" for _, _, b in hits) else "name")


def describe(match: Match) -> dict[str, Any]:
    """The facts of a match, for findings and reports."""
    d = match.device
    return {"device": d.name, "vendor": d.vendor, "product": " ".join(x for x in (d.product, d.model) if x),
            "version": device_version(d) or None, "cves": match.cves, "status": match.status,
            "exploited": match.exploited, "ransomware": match.ransomware, "sources": match.sources,
            "affected_versions": match.ranges, "fixed_in": match.fixed_in, "due_date": match.due_date or None,
            "matched_by": match.by, "exposure": d.exposure}
