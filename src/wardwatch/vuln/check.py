"""The vuln.* checks: devices against feeds (known-exploited first) and operating systems past end of support."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from .. import useryaml
from ..checks.finding import make
from ..checks.spec import CheckSpec, common_fields
from ..hospital.inventory import Inventory
from ..model import Finding, Severity
from .devices import EDGE, INTERNET, MEDICAL, REMOTE
from .eol import lookup
from .feeds import Advisory
from .match import AFFECTED, UNKNOWN, Device, Match, describe, device_version, match_all

OUTSIDE_ROLES = {"internet", "情報系", "guest"}
REMOTE_PORTS = {3389: "RDP", 445: "SMB", 139: "NetBIOS", 5985: "WinRM", 5986: "WinRM", 22: "SSH", 5900: "VNC"}
EXPOSURE_TEXT = {INTERNET: ("インターネットに面した機器です", "it faces the internet"),
                 EDGE: ("外部との境界にある機器です", "it sits at the network's edge"),
                 REMOTE: ("保守ベンダーのリモート接続に使われる機器です", "the vendor's remote maintenance uses it"),
                 MEDICAL: ("医療機器です", "it is a medical device")}
HIGH_CVSS = {"critical", "high", "緊急", "重要"}


@lru_cache(maxsize=1)
def vuln_specs() -> dict[str, CheckSpec]:
    """Every vuln.* check of checks.yml as a CheckSpec for the one registry."""
    raw = useryaml.load((resources.files("wardwatch.vuln") / "checks.yml").read_text(encoding="utf-8"))
    return {rule: CheckSpec(id=rule, kind="vuln", source=f"vuln/checks.yml {rule}",
                            **common_fields(d, f"vuln/checks.yml {rule}")) for rule, d in raw.items()}


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Values for ja and en: a key ending _ja / _en goes to its language under the plain name."""
    ja = {k: v for k, v in values.items() if not k.endswith(("_ja", "_en"))}
    en = dict(ja)
    for k, v in values.items():
        if k.endswith("_ja"):
            ja[k[:-3]] = v
        elif k.endswith("_en"):
            en[k[:-3]] = v
    return ja, en


def _make(rule: str, host: str, severity: Severity | None, facts: dict[str, Any], values: dict[str, Any]) -> Finding:
    ja, en = _split(values)
    return make(vuln_specs()[rule], host=host, severity=severity, values=ja, values_en=en, facts=facts)


def _exposure(device: Device) -> dict[str, str]:
    ja = "".join(f"{EXPOSURE_TEXT[e][0]}。" for e in device.exposure if e in EXPOSURE_TEXT)
    en = "; ".join(EXPOSURE_TEXT[e][1] for e in device.exposure if e in EXPOSURE_TEXT)
    return {"exposure_ja": ja, "exposure_en": f"This device: {en}." if en else ""}


def vulnerability_findings(devices: list[Device], advisories: list[Advisory]) -> list[Finding]:
    """One finding per device and kind: known-exploited, affected, or check by hand; not-affected says nothing."""
    groups: dict[tuple[str, str], list[Match]] = defaultdict(list)
    for m in match_all(devices, advisories):
        if m.status == AFFECTED:
            groups[(m.device.name, "vuln.known-exploited" if m.exploited else "vuln.affected")].append(m)
        elif m.status == UNKNOWN:
            groups[(m.device.name, "vuln.check-version")].append(m)
    out = []
    for (name, rule), matches in sorted(groups.items()):
        d = matches[0].device
        cves = sorted({c for m in matches for c in (m.cves or [m.vuln_id])})
        exploited = any(m.exploited for m in matches)
        ransomware = any(m.ransomware for m in matches)
        severity: Severity | None
        if rule == "vuln.known-exploited":
            severity = Severity.CRITICAL if ransomware else Severity.HIGH
        elif rule == "vuln.affected":
            severity = Severity.HIGH if any(m.severity.lower() in HIGH_CVSS for m in matches) else None
        else:
            severity = Severity.MEDIUM if exploited else None
        why = matches[0].why_unknown
        values = {
            "device": name, "product": " ".join(x for x in (d.vendor, d.product, d.model) if x) or "-",
            "version": device_version(d) or "-", "cves": cves,
            "fixed_ja": sorted({f for m in matches for f in m.fixed_in}) or ["メーカーの最新版"],
            "fixed_en": sorted({f for m in matches for f in m.fixed_in}) or ["the vendor's latest"],
            "ranges_ja": sorted({r for m in matches for r in m.ranges}) or ["フィードに記載なし"],
            "ranges_en": sorted({r for m in matches for r in m.ranges}) or ["not given by the feed"],
            "source": sorted({s for m in matches for s in m.sources}),
            "ransomware_ja": "（ランサムウェア攻撃での悪用も確認されています）" if ransomware else "",
            "ransomware_en": ", ransomware included" if ransomware else "",
            "exploited_ja": "悪用が確認された脆弱性です。" if exploited else "",
            "exploited_en": "It is known to be exploited. " if exploited else "",
            "why_ja": "台帳にファームウェアのバージョンがないため判断できません" if "inventory" in why
            else "フィードに影響を受けるバージョンの記載がないため判断できません",
            "why_en": "the inventory gives no firmware version" if "inventory" in why
            else "the feed does not say which versions are affected",
            **_exposure(d)}
        facts = {"cves": cves, "matches": [describe(m) for m in matches], "exploited": exploited,
                 "ransomware": ransomware, "exposure": d.exposure}
        out.append(_make(rule, name, severity, facts, values))
    return out


def support_findings(devices: list[Device], inv: Inventory | None, today: date, eol_file: str | None = None
                     ) -> list[Finding]:
    """Hosts whose OS is past its end of support (or whose end depends on an edition the inventory does not give)."""
    out = []
    seen: set[str] = set()
    for d in devices:
        if not d.os or d.name.lower() in seen:
            continue
        seen.add(d.name.lower())
        life = lookup(d.os, "", eol_file)
        if life is None:
            continue
        ended = life.ended(today)
        if ended is None:
            out.append(_make("vuln.support-unknown", d.name, None,
                             {"os": d.os, "earliest": life.end.isoformat(),
                              "latest": life.latest_end.isoformat() if life.latest_end else None},
                             {"device": d.name, "os": d.os, "earliest": life.end.isoformat(),
                              "latest": life.latest_end.isoformat() if life.latest_end else "-"}))
            continue
        if not ended:
            continue
        reach = _reach(d, inv)
        worse = bool(reach["from_other_segments"] or reach["internet"] or d.exposure and d.exposure != [MEDICAL]
                     or (MEDICAL in d.exposure and not reach["kept_apart"]))
        flows_ja, flows_en = _reach_text(reach)
        # the edition unknown but every one it may be has ended: say the latest of their end dates (ended by then)
        system = life.name if life.sure else d.os
        end = (life.end if life.sure or life.latest_end is None else life.latest_end).isoformat()
        out.append(_make("vuln.end-of-support", d.name, Severity.HIGH if worse else None,
                         {"system": system, "end": end, "table_as_of": life.as_of,
                          "exposure": d.exposure, **reach},
                         {"device": d.name, "system": system, "end": end,
                          "flows_ja": flows_ja, "flows_en": flows_en, **_exposure(d)}))
    return out


def _ports(value: Any) -> set[int]:
    out: set[int] = set()
    for p in value if isinstance(value, list) else [value]:
        text = str(p)
        if "-" in text:
            lo, _, hi = text.partition("-")
            if lo.strip().isdigit() and hi.strip().isdigit():
                out |= {q for q in REMOTE_PORTS if int(lo) <= q <= int(hi)}
        elif text.strip().isdigit():
            out.add(int(text))
    return out


def _reach(d: Device, inv: Inventory | None) -> dict[str, Any]:
    """How the host can be reached according to the inventory's flows and segments."""
    reach: dict[str, Any] = {"segment": d.segment or None, "from_other_segments": [], "internet": False,
                             "kept_apart": None}
    if inv is None or not d.segment:
        return reach
    roles = set(inv.roles(d.segment))
    outside = {s["name"] for s in inv.segments() if OUTSIDE_ROLES & set(s.get("roles") or [])}
    for f in inv.section("flows"):
        src, dst = str(f.get("from")), str(f.get("to"))
        if dst in (d.segment, "any") and src != d.segment:
            names = sorted({REMOTE_PORTS[p] for p in _ports(f.get("ports")) if p in REMOTE_PORTS})
            if names:
                reach["from_other_segments"].append(f"{src} → {d.segment}: {', '.join(names)}")
        if src in (d.segment, "any") and (dst in outside or dst == "any"):
            reach["internet"] = True
    if roles & OUTSIDE_ROLES:
        reach["internet"] = True
    others = {str(h.get("role")) for h in inv.section("hosts") if inv.host_segment(h) == d.segment}
    reach["kept_apart"] = others <= {"medical"} if MEDICAL in d.exposure else None
    return reach


def _reach_text(reach: dict[str, Any]) -> tuple[str, str]:
    ja, en = [], []
    if reach["from_other_segments"]:
        ja.append(f"台帳では他のセグメントから接続できます（{'、'.join(reach['from_other_segments'])}）。")
        en.append(f"The inventory lets other segments reach it ({'; '.join(reach['from_other_segments'])}).")
    if reach["internet"]:
        ja.append("台帳ではインターネットに出られるセグメントにあります。")
        en.append("The inventory lets its segment reach the internet.")
    if reach["kept_apart"] is False:
        ja.append("医療機器以外の機器と同じセグメントにあります。")
        en.append("It shares its segment with devices other than medical ones.")
    return "".join(ja), " ".join(en)
