"""Two complete example inventories: a flat clinic (fails as the seeds warn) and a segmented hospital."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def flat_clinic() -> dict[str, Any]:
    """A flat clinic: one segment for everything, any/any Wi-Fi, open remote access, weak backups."""
    return {
        "version": 1,
        "hospital": {"name": "フラット診療所", "size": "clinic"},
        "segments": [
            {"name": "院内LAN", "cidrs": ["192.168.1.0/24"], "roles": ["AD", "HIS", "医事会計", "backup", "情報系", "internet", "端末"]},
            {"name": "WiFi", "cidrs": ["192.168.50.0/24"], "roles": ["guest"]},
        ],
        "systems": [
            {"name": "電子カルテ", "kind": "電子カルテ", "servers": ["emr"], "vendor": "A社"},
            {"name": "レセコン", "kind": "医事会計", "servers": ["emr"], "vendor": "A社"},
        ],
        "hosts": [
            {"name": "emr", "address": "192.168.1.10", "os": "Windows Server", "version": "2012 R2", "role": "server"},
            {"name": "wp1", "address": "192.168.1.30", "os": "Windows 10", "role": "wordprocessor"},
            {"name": "rt", "address": "192.168.1.1", "os": "RTX", "role": "router"},
        ],
        "flows": [{"from": "WiFi", "to": "院内LAN", "ports": ["any"]}],
        "remote_access": [{"vendor": "A社", "device": "rt", "mode": "always"}],
        "backups": [{"system": "電子カルテ", "method": "db", "media": "nas", "location": "院内LAN", "time": "02:00"}],
        "documents": [{"kind": "診療録", "kept_years": 3}],
    }


def segmented_hospital() -> dict[str, Any]:
    """A segmented hospital: AD, HIS, PACS and backups apart, only needed ports, offline copies, tested restores."""
    seg = lambda n, c, r: {"name": n, "cidrs": [c], "roles": r}
    host = lambda n, a, role="server", **kw: {"name": n, "address": a, "os": "Windows Server", "version": "2022", "role": role, **kw}
    backups = []
    for system in ("電子カルテ", "医事会計", "PACS", "検査"):
        backups.append({"system": system, "method": "db", "media": "disk", "location": "BK", "generations": 14,
                        "last_restore_test": "令和7年10月1日"})
        backups.append({"system": system, "method": "db", "media": "tape", "offline": True, "offsite": True,
                        "generations": 8, "last_restore_test": "2025-10-01"})
    backups.append({"system": "ワープロ端末", "method": "image", "media": "usb", "offline": True, "hosts": ["wp1"],
                    "last_restore_test": "2025-10-01"})
    return {
        "version": 1,
        "hospital": {"name": "分離総合病院", "size": "large"},
        "segments": [seg("AD", "10.250.1.0/24", ["AD"]), seg("HIS", "10.250.2.0/24", ["HIS", "医事会計"]),
                     seg("PACS", "10.250.3.0/24", ["PACS"]), seg("部門", "10.250.4.0/24", ["部門"]),
                     seg("BK", "10.250.9.0/24", ["backup"]), seg("端末", "10.250.10.0/23", ["端末"]),
                     seg("VPN", "10.250.8.0/28", ["VPN", "remote"]), seg("情報系", "172.20.0.0/16", ["情報系", "internet"])],
        "systems": [{"name": "電子カルテ", "kind": "電子カルテ", "servers": ["his1"], "vendor": "B社", "mds_sds": "令和6年5月1日"},
                    {"name": "医事会計", "kind": "医事会計", "servers": ["his2"], "vendor": "B社", "mds_sds": "2024-05-01"},
                    {"name": "PACS", "kind": "PACS", "servers": ["pacs"], "vendor": "C社", "mds_sds": "2024-05-01"},
                    {"name": "検査", "kind": "部門", "servers": ["lab"], "vendor": "D社", "mds_sds": "2024-05-01"}],
        "hosts": [host("dc01", "10.250.1.250"), host("his1", "10.250.2.250"), host("his2", "10.250.2.251"),
                  host("pacs", "10.250.3.250"), host("lab", "10.250.4.250"), host("bk", "10.250.9.250"),
                  host("pc1", "10.250.10.21", "terminal"), host("wp1", "10.250.10.90", "wordprocessor"),
                  host("fw", "10.250.8.1", "firewall", syslog_forward=True),
                  host("l3", "10.250.1.1", "l3switch", syslog_forward=True)],
        "flows": [{"from": "端末", "to": "HIS", "ports": [443], "why": "電子カルテ"},
                  {"from": "端末", "to": "AD", "ports": [88, 389, 464], "why": "ドメイン認証"},
                  {"from": "HIS", "to": "BK", "ports": [10000], "why": "バックアップ"},
                  {"from": "HIS", "to": "部門", "ports": ["2575-2576"], "why": "HL7"},
                  {"from": "VPN", "to": "HIS", "ports": [3389], "why": "保守時のみ"}],
        "remote_access": [{"vendor": "B社", "device": "fw", "sources": ["198.51.100.20/32"], "mode": "on_demand"}],
        "backups": backups,
        "documents": [{"kind": "診療録", "kept_years": 5}, {"kind": "助産録", "kept_years": 5}],
        "people": {"safety_manager": {"name": "副院長", "appointed": "令和5年4月1日"},
                   "contact_chart": {"updated": "令和7年4月1日", "contacts": ["事業者 B社", "厚労省", "警察"]}},
    }


def write(tmp: Path, name: str, data: dict[str, Any]) -> Path:
    """Write an inventory as YAML (Japanese kept readable) and return its path."""
    path = tmp / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path
