"""Backup checks on the inventory: coverage, 3-2-1, offline copies, placement, images, restore tests, retention."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..model import Finding
from .dates import parse_date
from .inventory import Inventory
from .rules import load_yaml, make

CORE_KINDS = ("電子カルテ", "医事会計", "オーダリング", "看護支援")


def _safe(b: dict[str, Any]) -> bool:
    return bool(b.get("offline") or b.get("immutable") or b.get("write_once"))


def _by_system(inv: Inventory) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for b in inv.section("backups"):
        out.setdefault(str(b["system"]), []).append(b)
    return out


def check_missing(inv: Inventory, today: date) -> list[Finding]:
    have = _by_system(inv)
    return [make("backup.missing", system=s["name"], kind=s["kind"]) for s in inv.section("systems")
            if s["name"] not in have and s["kind"] != "ワープロ"]


def check_321(inv: Inventory, today: date) -> list[Finding]:
    out, listed = [], {s["name"] for s in inv.section("systems")}
    for system, copies in _by_system(inv).items():
        if system not in listed:
            continue  # e.g. word-processor images: checked by wordprocessor-image
        media = {b["media"] for b in copies}
        safe = sum(1 for b in copies if _safe(b) or b.get("offsite"))
        if len(copies) + 1 < 3 or len(media) < 2 or safe < 1:
            out.append(make("backup.3-2-1", system=system, copies=len(copies) + 1, media_count=len(media), safe=safe))
    return out


def check_offline(inv: Inventory, today: date) -> list[Finding]:
    have = _by_system(inv)
    return [make("backup.not-offline", system=s["name"], kind=s["kind"]) for s in inv.section("systems")
            if s["kind"] in CORE_KINDS and s["name"] in have and not any(_safe(b) for b in have[s["name"]])]


def check_segment(inv: Inventory, today: date) -> list[Finding]:
    out = []
    systems = {s["name"]: s for s in inv.section("systems")}
    for b in inv.section("backups"):
        seg = b.get("location")
        if not seg or seg not in inv.networks or _safe(b) or b.get("offsite"):
            continue
        servers = systems.get(b["system"], {}).get("servers") or []
        segs = {inv.host_segment(h) for name in servers if (h := inv.host(name))}
        if seg in segs or "HIS" in inv.roles(seg):
            out.append(make("backup.same-segment", system=b["system"], media=b["media"], segment=seg))
    return out


def check_images(inv: Inventory, today: date) -> list[Finding]:
    covered = {h for b in inv.section("backups") if b.get("method") == "image" for h in (b.get("hosts") or [])}
    return [make("backup.wordprocessor-image", host=h["name"])
            for h in inv.section("hosts") if h.get("role") == "wordprocessor" and h["name"] not in covered]


def check_restore(inv: Inventory, today: date) -> list[Finding]:
    out = []
    for system, copies in _by_system(inv).items():
        tests = [parse_date(b["last_restore_test"]) for b in copies if b.get("last_restore_test")]
        last = max(tests) if tests else None
        if last is None or (today - last).days > 365:
            out.append(make("backup.restore-test", system=system, last=last.isoformat()) if last else
                       make("backup.restore-test", system=system, case="never"))
    return out


def check_clinic_nas(inv: Inventory, today: date) -> list[Finding]:
    if inv.size != "clinic":
        return []
    for b in inv.section("backups"):
        hour = int(str(b.get("time", "0:00")).split(":")[0])
        if b["media"] == "nas" and b.get("power_off_after") and 8 <= hour < 18:
            return []
    return [make("backup.clinic-nas")]


def retention_table() -> dict[str, dict[str, Any]]:
    """Legal retention periods (seed 002) by document kind."""
    return {str(d["kind"]): d for d in load_yaml("retention.yml")["documents"]}


def check_retention(inv: Inventory, today: date) -> list[Finding]:
    table, out = retention_table(), []
    for d in inv.section("documents"):
        law = table.get(str(d["kind"]))
        if law and float(d["kept_years"]) < float(law["years"]):
            out.append(make("backup.retention", kind=d["kind"], kept=d["kept_years"], years=law["years"],
                            start=law["start"], law=law["law"],
                            en={"start": law.get("start_en") or law["start"], "law": law.get("law_en") or law["law"]}))
    return out


CHECKS: dict[str, Callable[[Inventory, date], list[Finding]]] = {
    "missing": check_missing, "3-2-1": check_321, "not-offline": check_offline, "same-segment": check_segment,
    "wordprocessor-image": check_images, "restore-test": check_restore, "clinic-nas": check_clinic_nas,
    "retention": check_retention,
}


def run_backup(inv: Inventory, today: date | None = None) -> list[Finding]:
    """Every backup check on the inventory."""
    day = today or date.today()
    return [f for fn in CHECKS.values() for f in fn(inv, day)]
