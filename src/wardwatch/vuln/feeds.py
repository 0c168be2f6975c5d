"""Vulnerability feeds the user drops in, read offline: CISA KEV JSON, MyJVN / JVN iPedia XML, and a simple CSV.

Each becomes Advisory records: which CVE, which vendor and product (and CPE), which versions are affected where
the feed says so (None: the feed does not say, so a match must be checked by hand), exploited / ransomware flags."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from ..model import ReadProblem
from .version import Range, parse_ranges, valid

MAX_FEED_BYTES = 512 << 20


class FeedError(ValueError):
    """A feed file that cannot be used at all; the message names the file and why."""


@dataclass
class Affected:
    """One product a feed names: vendor and product as the feed spells them, CPE if any, the affected versions."""

    vendor: str
    product: str
    cpe: str = ""
    ranges: list[Range] | None = None  # None: the feed gives no versions
    fixed_in: str = ""


@dataclass
class Advisory:
    """One vulnerability as one feed describes it."""

    source: str  # kev, jvn, csv
    id: str  # CVE-… or JVNDB-…
    cves: list[str]
    title: str
    affected: list[Affected]
    file: str
    where: str
    exploited: bool = False  # listed in a known-exploited catalog
    ransomware: bool = False  # the catalog marks known ransomware use
    date_added: str = ""
    due_date: str = ""
    severity: str = ""  # the feed's own CVSS severity word, if any
    url: str = ""
    notes: list[str] = field(default_factory=list)


def read_feed(path: Path, problems: list[ReadProblem]) -> list[Advisory]:
    """Every advisory of one feed file, chosen by content; bad entries are named in problems and skipped."""
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise FeedError(f"{path}: larger than {MAX_FEED_BYTES >> 20} MB: not a feed export")
        data = path.read_bytes()
    except OSError as exc:
        raise FeedError(f"{path}: cannot read: {exc.strerror or exc}") from None
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith(("{", "[")):
        return list(_kev(path, text, problems))
    if text.startswith("<"):
        return list(_xml(path, data, problems))
    return list(_csv(path, text, problems))


# ---------- CISA KEV ----------

def _kev(path: Path, text: str, problems: list[ReadProblem]) -> Iterator[Advisory]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise FeedError(f"{path}: not valid JSON ({exc})") from None
    items = doc.get("vulnerabilities") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise FeedError(f"{path}: JSON without a 'vulnerabilities' list: not the CISA KEV catalog")
    for i, item in enumerate(items):
        where = f"vulnerabilities[{i}]"
        if not isinstance(item, dict) or not one_line(item.get("cveID")) or not one_line(item.get("product")):
            problems.append(ReadProblem(str(path), where, "entry without cveID or product: skipped"))
            continue
        cve = one_line(item.get("cveID"))
        yield Advisory(
            source="kev", id=cve, cves=[cve], title=one_line(item.get("vulnerabilityName")),
            affected=[Affected(one_line(item.get("vendorProject")), one_line(item.get("product")))],
            file=str(path), where=where, exploited=True,
            ransomware=one_line(item.get("knownRansomwareCampaignUse")).lower() == "known",
            date_added=one_line(item.get("dateAdded")), due_date=one_line(item.get("dueDate")),
            notes=[n for n in (one_line(item.get("requiredAction")), one_line(item.get("notes"))) if n])


# ---------- MyJVN / JVN iPedia ----------

def _local(el: Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _children(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c) == name]


def _child_text(el: Element, name: str) -> str:
    for c in el:
        if _local(c) == name:
            return _text(c)
    return ""


def _xml(path: Path, data: bytes, problems: list[ReadProblem]) -> Iterator[Advisory]:
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises ParseError and its own EntitiesForbidden / DTDForbidden
        raise FeedError(f"{path}: not readable XML ({type(exc).__name__}: {exc})") from None
    kind = _local(root)
    if kind == "VULDEF-Document" or any(_local(e) == "Vulinfo" for e in root.iter()):
        yield from _vuldef(path, root, problems)
    elif kind in ("RDF", "rss") or any(_local(e) == "item" for e in root):
        yield from _jvnrss(path, root, problems)
    else:
        raise FeedError(f"{path}: XML whose root is {kind!r}: not a MyJVN / JVN iPedia export (VULDEF or JVNRSS)")


def _vuldef(path: Path, root: Element, problems: list[ReadProblem]) -> Iterator[Advisory]:
    """getVulnDetailInfo (VULDEF): Vulinfo / VulinfoData / Affected / AffectedItem with Cpe and VersionNumber."""
    for n, info in enumerate(e for e in root.iter() if _local(e) == "Vulinfo"):
        vid = _child_text(info, "VulinfoID")
        body = next(iter(_children(info, "VulinfoData")), None)
        where = f"Vulinfo {vid or n + 1}"
        if body is None or not vid:
            problems.append(ReadProblem(str(path), where, "Vulinfo without VulinfoID or VulinfoData: skipped"))
            continue
        affected = []
        for item in (e for e in body.iter() if _local(e) == "AffectedItem"):
            versions = [_text(v) for v in item if _local(v) == "VersionNumber"]
            found: list[Range] = []
            readable = True
            for text in versions:
                parsed = parse_ranges(text)
                if parsed is None:  # one unreadable version text: the whole item is "check by hand"
                    readable = False
                    break
                found += parsed
            affected.append(Affected(_child_text(item, "Name"), _child_text(item, "ProductName"),
                                     _child_text(item, "Cpe"), found if readable and found else None))
        cves = sorted({_child_text(r, "VulinfoID") for r in body.iter() if _local(r) == "RelatedItem"
                       and _child_text(r, "VulinfoID").upper().startswith("CVE-")})
        severity = next((_text(s) for s in body.iter() if _local(s) == "Severity"), "")
        if not affected:
            problems.append(ReadProblem(str(path), where, "no AffectedItem (no product named): skipped"))
            continue
        yield Advisory(source="jvn", id=vid, cves=cves, title=_child_text(body, "Title"), affected=affected,
                       file=str(path), where=where, severity=severity,
                       url=f"https://jvndb.jvn.jp/ja/contents/{vid[6:10]}/{vid}.html" if vid.startswith("JVNDB-") else "")


def _jvnrss(path: Path, root: Element, problems: list[ReadProblem]) -> Iterator[Advisory]:
    """getVulnOverviewList / JVN iPedia feeds (JVNRSS): item with sec:identifier, sec:cpe and sec:references."""
    for n, item in enumerate(e for e in root.iter() if _local(e) == "item"):
        vid = _child_text(item, "identifier") or _child_text(item, "title")
        where = f"item {vid or n + 1}"
        affected = [Affected(c.get("vendor", ""), c.get("product", ""), _text(c))
                    for c in item if _local(c) == "cpe"]
        if not affected:
            problems.append(ReadProblem(str(path), where, "item without sec:cpe (no product named): skipped"))
            continue
        cves = sorted({r.get("id", "") for r in item if _local(r) == "references"
                       and r.get("id", "").upper().startswith("CVE-")})
        severity = next((c.get("severity", "") for c in item if _local(c) == "cvss"), "")
        yield Advisory(source="jvn", id=vid, cves=cves, title=_child_text(item, "title"), affected=affected,
                       file=str(path), where=where, severity=severity, url=_child_text(item, "link"))


# ---------- the user's own CSV ----------

CSV_COLUMNS = {  # the column a header names (English or Japanese)
    "vendor": "vendor", "ベンダー": "vendor", "ベンダ": "vendor", "メーカー": "vendor",
    "product": "product", "製品": "product", "製品名": "product",
    "fixed_in": "fixed_in", "fixed": "fixed_in", "修正版": "fixed_in", "修正バージョン": "fixed_in",
    "affected": "affected", "影響を受けるバージョン": "affected", "対象バージョン": "affected",
    "cve": "cve", "cpe": "cpe", "title": "title", "名称": "title", "exploited": "exploited",
    "ransomware": "ransomware",
}


def _csv(path: Path, text: str, problems: list[ReadProblem]) -> Iterator[Advisory]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise FeedError(f"{path}: empty file")
    header = [CSV_COLUMNS.get(h.strip().lower(), CSV_COLUMNS.get(h.strip(), "")) for h in rows[0]]
    if "product" not in header or not ({"fixed_in", "affected", "cve"} & set(header)):
        raise FeedError(f"{path}: a vulnerability CSV needs a header with product and at least one of fixed_in, "
                        "affected or cve (for example: vendor,product,fixed_in,cve)")
    for line, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        rec = {k: v.strip() for k, v in zip(header, row, strict=False) if k}
        where = f"line {line}"
        if not rec.get("product"):
            problems.append(ReadProblem(str(path), where, "row without a product: skipped"))
            continue
        fixed = rec.get("fixed_in", "")
        if fixed and not valid(fixed):
            problems.append(ReadProblem(str(path), where, f"fixed_in {fixed!r} is not a version: skipped"))
            continue
        ranges: list[Range] | None = None
        if rec.get("affected"):
            ranges = parse_ranges(rec["affected"])
        elif fixed:
            ranges = [Range(None, fixed, end_excl=True, text=f"< {fixed}")]
        cves = [c.strip().upper() for c in rec.get("cve", "").replace(";", " ").split() if c.strip()]
        yes = ("1", "true", "yes", "y", "known", "はい", "あり")
        yield Advisory(source="csv", id=cves[0] if cves else f"{path.name}:{line}", cves=cves,
                       title=rec.get("title", ""), affected=[Affected(rec.get("vendor", ""), rec["product"],
                                                                      rec.get("cpe", ""), ranges, fixed)],
                       file=str(path), where=where, exploited=rec.get("exploited", "").lower() in yes,
                       ransomware=rec.get("ransomware", "").lower() in yes)


def one_line(value: Any) -> str:
    """A value as text on one line (runs of white space made one space); '' for None."""
    return " ".join(str(value).split()) if value is not None else ""


def _text(el: Element) -> str:
    return one_line("".join(el.itertext()))
