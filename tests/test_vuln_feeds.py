"""Vulnerability feeds (CISA KEV, MyJVN VULDEF, JVNRSS, the user's CSV), version ranges, matching and end of support."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from wardwatch.model import ReadProblem
from wardwatch.vuln.eol import lookup
from wardwatch.vuln.feeds import FeedError, read_feed
from wardwatch.vuln.match import AFFECTED, NOT_AFFECTED, UNKNOWN, Device, cpe_parts, match_all
from wardwatch.vuln.version import key, parse_ranges

KEV = {
    "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.12.01",
    "dateReleased": "2026-12-01T15:00:00.000Z", "count": 3,
    "vulnerabilities": [
        {"cveID": "CVE-2022-42475", "vendorProject": "Fortinet", "product": "FortiOS",
         "vulnerabilityName": "Fortinet FortiOS Heap-Based Buffer Overflow Vulnerability", "dateAdded": "2022-12-13",
         "shortDescription": "FortiOS SSL-VPN contains a heap-based buffer overflow.",
         "requiredAction": "Apply updates per vendor instructions.", "dueDate": "2023-01-03",
         "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": ["CWE-787"]},
        {"cveID": "CVE-2023-27997", "vendorProject": "Fortinet", "product": "FortiOS and FortiProxy SSL-VPN",
         "vulnerabilityName": "Fortinet FortiOS and FortiProxy SSL-VPN Heap-Based Buffer Overflow Vulnerability",
         "dateAdded": "2023-06-13", "shortDescription": "…", "requiredAction": "Apply updates.",
         "dueDate": "2023-07-04", "knownRansomwareCampaignUse": "Unknown", "notes": ""},
        {"cveID": "CVE-2019-11510", "vendorProject": "Ivanti", "product": "Pulse Connect Secure",
         "vulnerabilityName": "Ivanti Pulse Connect Secure Arbitrary File Read", "dateAdded": "2021-11-03",
         "shortDescription": "…", "requiredAction": "Apply updates.", "dueDate": "2022-04-15",
         "knownRansomwareCampaignUse": "Known", "notes": ""},
    ],
}

VULDEF = """<?xml version="1.0" encoding="UTF-8" ?>
<VULDEF-Document version="3.2" xmlns="http://jvn.jp/vuldef/" xmlns:vuldef="http://jvn.jp/vuldef/"
 xml:lang="ja">
<Vulinfo>
  <VulinfoID>JVNDB-2022-003152</VulinfoID>
  <VulinfoData>
    <Title>Fortinet FortiOS におけるヒープベースのバッファオーバーフローの脆弱性</Title>
    <Affected>
      <AffectedItem>
        <Name>フォーティネット</Name>
        <ProductName>FortiOS</ProductName>
        <Cpe version="2.2">cpe:/o:fortinet:fortios</Cpe>
        <VersionNumber>7.2.0 から 7.2.2</VersionNumber>
        <VersionNumber>7.0.0 から 7.0.8</VersionNumber>
        <VersionNumber>6.4.10 およびそれ以前</VersionNumber>
      </AffectedItem>
    </Affected>
    <Impact><Cvss version="3.0"><Severity type="Base">Critical</Severity><Base>9.8</Base></Cvss></Impact>
    <Related>
      <RelatedItem type="advisory"><Name>Common Vulnerabilities and Exposures (CVE)</Name>
        <VulinfoID>CVE-2022-42475</VulinfoID><URL>https://www.cve.org/</URL></RelatedItem>
    </Related>
  </VulinfoData>
</Vulinfo>
<Vulinfo>
  <VulinfoID>JVNDB-2023-000001</VulinfoID>
  <VulinfoData><Title>no product</Title></VulinfoData>
</Vulinfo>
</VULDEF-Document>"""

JVNRSS = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:sec="http://jvn.jp/rss/mod_sec/3.0/">
 <item rdf:about="https://jvndb.jvn.jp/ja/contents/2023/JVNDB-2023-001234.html">
  <title>ヤマハ製ルーターにおける脆弱性</title>
  <link>https://jvndb.jvn.jp/ja/contents/2023/JVNDB-2023-001234.html</link>
  <sec:identifier>JVNDB-2023-001234</sec:identifier>
  <sec:references source="NVD" id="CVE-2023-99999">https://nvd.nist.gov/</sec:references>
  <sec:cpe version="2.2" vendor="ヤマハ" product="RTX1210">cpe:/h:yamaha:rtx1210</sec:cpe>
  <sec:cvss score="7.5" severity="High" version="3.0"/>
 </item>
</rdf:RDF>"""

CSV = "vendor,product,fixed_in,cve,title\nYamaha,RTX1210,14.01.42,CVE-2023-99999,RTX の脆弱性\nx,,1.0,,\n"


def _write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def _all(tmp: Path) -> tuple[list, list[ReadProblem]]:
    problems: list[ReadProblem] = []
    advs = []
    for name, text in (("kev.json", json.dumps(KEV)), ("jvn.xml", VULDEF), ("rss.rdf", JVNRSS), ("mine.csv", CSV)):
        advs += read_feed(_write(tmp, name, text), problems)
    return advs, problems


def test_each_feed_is_read_by_content_and_bad_entries_are_named(tmp_path: Path) -> None:
    advs, problems = _all(tmp_path)
    kinds = {(a.source, a.id) for a in advs}
    assert ("kev", "CVE-2022-42475") in kinds and ("jvn", "JVNDB-2022-003152") in kinds
    assert ("jvn", "JVNDB-2023-001234") in kinds and ("csv", "CVE-2023-99999") in kinds
    kev = next(a for a in advs if a.id == "CVE-2022-42475" and a.source == "kev")
    assert kev.exploited and kev.ransomware and kev.due_date == "2023-01-03"
    jvn = next(a for a in advs if a.id == "JVNDB-2022-003152")
    assert jvn.cves == ["CVE-2022-42475"] and jvn.severity == "Critical"
    assert [r.text for r in jvn.affected[0].ranges or []] == ["7.2.0 から 7.2.2", "7.0.0 から 7.0.8",
                                                               "6.4.10 およびそれ以前"]
    wheres = {(Path(p.file).name, p.where) for p in problems}
    assert ("jvn.xml", "Vulinfo JVNDB-2023-000001") in wheres and ("mine.csv", "line 3") in wheres


@pytest.mark.parametrize("text", ["", "{\"a\": 1}", "<html><body/></html>", "a,b\n1,2\n", "\x00\x01garbage",
                                  "<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"])
def test_unusable_feed_is_one_clear_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(FeedError) as err:
        read_feed(_write(tmp_path, "feed.dat", text), [])
    assert "feed.dat" in str(err.value)


@pytest.mark.parametrize(("text", "inside", "outside"), [
    ("FortiOS 7.2.0 から 7.2.4 まで", ["7.2.0", "7.2.4", "7.2.3"], ["7.2.5", "7.0.12"]),
    ("FortiOS version 7.0.0 through 7.0.11", ["7.0.11", "7.0.9"], ["7.0.12", "7.2.0"]),
    ("9.1R11.4 およびそれ以前", ["9.1R11.3", "9.1R9", "8.3R7"], ["9.1R12", "9.1R11.5"]),
    ("Rev.14.01.41 より前", ["14.01.40", "14.01.9"], ["14.01.41", "15.02.1"]),
    ("prior to 7.2.5", ["7.2.4"], ["7.2.5"]),
    ("FortiProxy 1.2 all versions", ["1.2", "1.2.13"], ["1.20", "1.3.0"]),
    ("7.2.5 以降", ["7.2.5", "7.4.0"], ["7.2.4"]),
])
def test_ranges_from_feed_text(text: str, inside: list[str], outside: list[str]) -> None:
    ranges = parse_ranges(text)
    assert ranges
    for v in inside:
        assert any(r.contains(v) for r in ranges), (text, v)
    for v in outside:
        assert not any(r.contains(v) for r in ranges), (text, v)


def test_unreadable_range_text_means_check_by_hand() -> None:
    assert parse_ranges("Ivanti Connect Secure 22.x") is None and parse_ranges("") is None
    assert key("7.2") == key("7.2.0") and key("7.0.12") > key("7.0.9") and key("6.0.0b1") < key("6.0.0")


def test_cpe_both_forms() -> None:
    assert cpe_parts("cpe:/o:fortinet:fortios:7.2.4") == ("o", "fortinet", "fortios", "7.2.4")
    assert cpe_parts("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*") == ("o", "fortinet", "fortios", "7.2.4")
    assert cpe_parts("cpe:2.3:h:yamaha:rtx1210:-:*:*:*:*:*:*:*") == ("h", "yamaha", "rtx1210", "")
    assert cpe_parts("fortios") is None


def test_matching_merges_feeds_on_one_cve(tmp_path: Path) -> None:
    advs, _ = _all(tmp_path)
    devices = [
        Device("fw", vendor="フォーティネット株式会社", product="FortiGate", model="60F", version="7.0.7"),  # affected
        Device("fw2", vendor="Fortinet", product="FortiGate 100F", version="7.2.3"),  # JVN range ends at 7.2.2
        Device("fw3", vendor="Fortinet", product="FortiGate"),  # no version: check by hand
        Device("rt", vendor="ヤマハ", product="RTX1210", version="Rev.14.01.38"),
        Device("rt2", vendor="YAMAHA", product="RTX1210", cpe="cpe:/h:yamaha:rtx1210:14.01.42"),
        Device("vpn", vendor="Pulse Secure", product="Pulse Connect Secure", version="9.1R11.4"),
        Device("nas", vendor="Buffalo", product="TeraStation", version="1.0"),
    ]
    got = {(m.device.name, m.vuln_id): m for m in match_all(devices, advs)}
    fw = got[("fw", "CVE-2022-42475")]
    assert fw.status == AFFECTED and fw.exploited and fw.ransomware and "jvn:JVNDB-2022-003152" in fw.sources
    assert got[("fw2", "CVE-2022-42475")].status == NOT_AFFECTED
    assert got[("fw3", "CVE-2022-42475")].status == UNKNOWN and "version" in got[("fw3", "CVE-2022-42475")].why_unknown
    # KEV names FortiOS only, with no versions: a version alone cannot settle it
    assert got[("fw", "CVE-2023-27997")].status == UNKNOWN
    assert got[("rt", "CVE-2023-99999")].status == AFFECTED and got[("rt2", "CVE-2023-99999")].status == NOT_AFFECTED
    assert got[("vpn", "CVE-2019-11510")].status == UNKNOWN and got[("vpn", "CVE-2019-11510")].ransomware
    assert not any(k[0] == "nas" for k in got)


@pytest.mark.parametrize(("os_text", "version", "ended"), [
    ("Windows 7", "", True), ("Microsoft Windows Server 2012 R2 Standard", "6.3.9600", True),
    ("Microsoft Windows 11 Pro", "10.0.22631", True), ("Microsoft Windows 11 Enterprise", "10.0.26100", False),
    ("Windows 11", "", None), ("Windows Server", "2022", False), ("Windows 10 Enterprise LTSC", "10.0.17763", False),
    ("Microsoft Windows 10 Pro", "10.0.19045", True),
    ("Windows 11 23H2", "", True), ("Windows 11 24H2", "", None), ("Windows 11 Pro 24H2", "", True),
])
def test_end_of_support(os_text: str, version: str, ended: bool | None) -> None:
    life = lookup(os_text, version)
    assert life is not None
    assert life.ended(date(2026, 12, 5)) is ended
    assert lookup("Debian GNU/Linux", "12") is None


# ---------- the vuln.* checks over an inventory ----------

def _inventory(tmp: Path, **fw: object):
    from builders.inventories import segmented_hospital, write

    from wardwatch.hospital.inventory import load_inventory
    inv = segmented_hospital()
    inv["hosts"][8].update(fw)  # fw: firewall, named by the vendor's remote access
    inv["hosts"].append({"name": "ct01", "address": "10.250.3.20", "os": "Windows 7", "role": "medical"})
    inv["hosts"].append({"name": "us01", "address": "10.250.12.5", "os": "Windows 7", "role": "medical"})
    inv["segments"].append({"name": "検査機器", "cidrs": ["10.250.12.0/24"], "roles": ["医療機器"]})
    inv["hosts"].append({"name": "pc9", "address": "10.250.10.30", "os": "Windows 11", "role": "terminal"})
    return load_inventory(write(tmp, "inv.yml", inv))


def test_checks_rank_known_exploited_first_and_say_why(tmp_path: Path) -> None:
    from wardwatch.vuln.check import support_findings, vulnerability_findings
    from wardwatch.vuln.devices import inventory_devices, to_check
    advs, _ = _all(tmp_path)
    inv = _inventory(tmp_path, vendor="Fortinet", product="FortiGate", model="60F", firmware="7.0.7")
    devices = inventory_devices(inv)
    got = {(f.rule, f.host): f for f in vulnerability_findings(to_check(devices), advs)}
    kev = got[("vuln.known-exploited", "fw")]
    assert kev.severity.label == "critical" and "CVE-2022-42475" in kev.summary.ja and "ランサムウェア" in kev.summary.ja
    assert "remote maintenance" in kev.summary.en  # the vendor's remote access goes through fw
    unsure = got[("vuln.check-version", "fw")]  # KEV names FortiOS SSL-VPN without versions
    assert unsure.severity.label == "medium" and "CVE-2023-27997" in unsure.facts["cves"]
    eol = {f.host: f for f in support_findings(devices, inv, date(2026, 12, 5))}
    assert eol["ct01"].rule == "vuln.end-of-support" and eol["ct01"].severity.label == "high"  # shares a segment
    assert eol["us01"].severity.label == "medium" and eol["us01"].facts["kept_apart"] is True
    assert eol["pc9"].rule == "vuln.support-unknown"
    assert "fw" not in eol and "dc01" not in eol  # FortiOS and Server 2022 are not past their end


def test_without_firmware_every_product_match_is_check_by_hand(tmp_path: Path) -> None:
    from wardwatch.vuln.check import vulnerability_findings
    from wardwatch.vuln.devices import inventory_devices, to_check
    advs, _ = _all(tmp_path)
    inv = _inventory(tmp_path, vendor="Fortinet", product="FortiGate")
    devices = [d for d in to_check(inventory_devices(inv)) if d.name == "fw"]
    devices[0].version = ""
    rules = {f.rule for f in vulnerability_findings(devices, advs)}
    assert rules == {"vuln.check-version"}


# ---------- the command ----------

def _cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from wardwatch.cli import app
    res = CliRunner().invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res.exit_code, res.output


def test_vuln_check_command_writes_findings(tmp_path: Path) -> None:
    from builders.inventories import segmented_hospital, write
    inv = segmented_hospital()
    inv["hosts"].append({"name": "vpn01", "address": "10.250.8.2", "role": "vpn", "vendor": "Pulse Secure",
                         "product": "Pulse Connect Secure", "firmware": "9.1R11.3"})
    path = write(tmp_path, "inv.yml", inv)
    feed = _write(tmp_path, "kev.json", json.dumps(KEV))
    mine = _write(tmp_path, "mine.csv", "vendor,product,affected,cve\nIvanti,Pulse Connect Secure,"
                                        "9.1R11.4 およびそれ以前,CVE-2019-11510\n")
    before = {p.name: p.read_bytes() for p in (path, feed, mine)}
    code, out = _cli("vuln", "check", "--inventory", str(path), "--feed", str(feed), "--feed", str(mine),
                     "--out", str(tmp_path / "out"), "--today", "2026-12-05", "--lang", "en")
    assert code == 1, out
    doc = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    kev = [f for f in doc["findings"] if f["rule"] == "vuln.known-exploited"]
    assert [f["host"] for f in kev] == ["vpn01"] and kev[0]["severity"] == "critical"
    assert kev[0]["facts"]["matches"][0]["affected_versions"] == ["9.1R11.4 およびそれ以前"]
    assert {p.name: p.read_bytes() for p in (path, feed, mine)} == before


@pytest.mark.parametrize(("args", "says"), [
    (["--feed", "FEED"], "--inventory"),
    (["--inventory", "INV", "--feed", "BAD"], "bad.json"),
    (["--inventory", "INV", "--today", "tomorrow"], "--today"),
])
def test_vuln_check_mistakes_are_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    from builders.inventories import segmented_hospital, write
    inv = write(tmp_path, "inv.yml", segmented_hospital())
    feed = _write(tmp_path, "kev.json", json.dumps(KEV))
    bad = _write(tmp_path, "bad.json", "{\"vulnerabilities\": 3}")
    names = {"INV": str(inv), "FEED": str(feed), "BAD": str(bad)}
    code, out = _cli("vuln", "check", *[names.get(a, a) for a in args])
    assert code == 2 and says in out and "Traceback" not in out, out


def test_vuln_findings_answer_the_checklist(tmp_path: Path) -> None:
    """A known-exploited firmware on the vendor's remote-maintenance device: 2-⑥ (patches) and 2-② say いいえ."""
    from builders.inventories import segmented_hospital, write
    inv = segmented_hospital()
    inv["hosts"][8].update(vendor="Fortinet", product="FortiGate", firmware="7.0.7")  # fw: the vendor's way in
    path = write(tmp_path, "inv.yml", inv)
    feed = _write(tmp_path, "kev.json", json.dumps(KEV))
    jvn = _write(tmp_path, "jvn.xml", VULDEF)
    code, out = _cli("vuln", "check", "--inventory", str(path), "--feed", str(feed), "--feed", str(jvn),
                     "--out", str(tmp_path / "vuln"), "--today", "2026-12-05")
    assert code == 1, out
    code, out = _cli("checklist", "fill", "--inventory", str(path), "--vuln", str(tmp_path / "vuln" / "findings.json"),
                     "--out", str(tmp_path / "cl"))
    assert code == 0, out
    lines = [line for line in out.splitlines() if line.startswith(("2-②", "2-⑥"))]
    assert lines and all("いいえ (auto)" in line for line in lines), lines
    code, out = _cli("checklist", "fill", "--inventory", str(path), "--out", str(tmp_path / "cl2"))
    assert any(line.startswith("2-②") and "はい (auto)" in line for line in out.splitlines()), out


def test_a_release_name_settles_the_end_and_the_date_said_holds_for_every_edition(tmp_path: Path) -> None:
    from builders.inventories import segmented_hospital, write

    from wardwatch.hospital.inventory import load_inventory
    from wardwatch.vuln.check import support_findings
    from wardwatch.vuln.devices import inventory_devices
    inv = segmented_hospital()
    inv["hosts"].append({"name": "pc23", "address": "10.250.10.31", "os": "Windows 11", "version": "23H2",
                         "role": "terminal"})
    loaded = load_inventory(write(tmp_path, "inv.yml", inv))
    (f,) = [f for f in support_findings(inventory_devices(loaded), loaded, date(2026, 12, 5)) if f.host == "pc23"]
    assert f.rule == "vuln.end-of-support" and f.facts["end"] == "2026-11-10"  # Enterprise's end: every edition over
