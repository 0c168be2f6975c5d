"""Web site tamper check: a keyed baseline of every file's hash, the comparison with it, and content checks typical of
defacement, skimming and web shells (seed 004 ⑤). Only reads the site's files (or a copy or mirror of them)."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import integrity, useryaml
from ..model import Evidence, Finding, Severity, Text

FORMAT = "wardwatch-web-baseline-1"
SCAN_BYTES = 8 << 20  # content checks read at most this much of a file
SCRIPT_TYPES = (".php", ".php5", ".phtml", ".asp", ".aspx", ".ashx", ".jsp", ".jspx", ".cfm", ".js", ".htaccess",
                "web.config", ".cgi", ".pl", ".py")
SNIPPET = 120


class BaselineError(ValueError):
    """A baseline that cannot be used (unreadable, or changed since it was made); the message says which."""


@dataclass
class ContentHit:
    rule: str
    path: str
    line: int
    snippet: str
    host: str = ""


@dataclass
class Comparison:
    """What changed since the baseline, and what the content checks found in the files to look at."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    hits: list[ContentHit] = field(default_factory=list)
    files: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)


@lru_cache(maxsize=1)
def patterns() -> dict[str, dict[str, Any]]:
    raw = useryaml.load((resources.files("wardwatch.web") / "patterns.yml").read_text(encoding="utf-8"))
    out = {}
    for rule, d in raw.items():
        out[rule] = {**d, "_re": re.compile(str(d["pattern"]), re.I)}
    return out


def walk(root: Path) -> dict[str, Path]:
    """Every regular file below root by its relative path with '/' (links are not followed)."""
    out: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_file() and not p.is_symlink():
                out[p.relative_to(root).as_posix()] = p
    return out


def _summary(files: dict[str, dict[str, Any]], hosts: list[str], created: str) -> str:
    return json.dumps({"files": files, "hosts": hosts, "created_at": created}, sort_keys=True, ensure_ascii=False)


def make_baseline(root: Path, key: bytes, own_hosts: list[str], unreadable: list[tuple[str, str]]) -> dict[str, Any]:
    """Hashes of every file, the outside hosts the pages already use, and a keyed checksum over all of it."""
    files: dict[str, dict[str, Any]] = {}
    seen_hosts: set[str] = set()
    for rel, p in walk(root).items():
        try:
            files[rel] = {"sha256": integrity.file_sha256(p), "size": p.stat().st_size}
        except OSError as exc:
            unreadable.append((rel, exc.strerror or str(exc)))
            continue
        seen_hosts |= {h.host for h in scan_content(rel, p) if h.host}
    hosts = sorted({h.lower() for h in own_hosts} | seen_hosts)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return {"format": FORMAT, "root": str(root), "created_at": created, "own_hosts": sorted(h.lower() for h in own_hosts),
            "hosts": hosts, "files": files,
            "checksum": integrity.mac(key, FORMAT, _summary(files, hosts, created))}


def load_baseline(path: Path, key: bytes | None) -> dict[str, Any]:
    """The baseline, refused if it is not one or if its keyed checksum does not match (it was changed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{path}: not a readable baseline ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        raise BaselineError(f"{path}: not a WardWatch web baseline (made by `wardwatch web baseline`)")
    if key is None:
        raise BaselineError(f"{path}: the key that signs it is missing, so a changed baseline could not be detected")
    want = integrity.mac(key, FORMAT, _summary(data["files"], list(data.get("hosts", [])), str(data.get("created_at"))))
    if not integrity.same(want, str(data.get("checksum", ""))):
        raise BaselineError(f"{path}: the baseline was changed after it was made (its keyed checksum does not "
                            "match): it cannot be trusted; make a new one from a known-good copy of the site")
    return data


def compare(root: Path, baseline: dict[str, Any]) -> Comparison:
    """Added, changed and removed files, and content checks on the added and changed ones."""
    now = walk(root)
    old: dict[str, dict[str, Any]] = baseline["files"]
    known = set(baseline.get("hosts", []))
    cmp = Comparison(files=len(now))
    for rel, p in now.items():
        try:
            digest = integrity.file_sha256(p)
        except OSError as exc:
            cmp.unreadable.append((rel, exc.strerror or str(exc)))
            continue
        if rel not in old:
            cmp.added.append(rel)
        elif old[rel].get("sha256") != digest:
            cmp.changed.append(rel)
        else:
            continue
        cmp.hits += [h for h in scan_content(rel, p) if not h.host or h.host not in known]
    cmp.removed = sorted(set(old) - set(now))
    return cmp


def scan_content(rel: str, path: Path) -> list[ContentHit]:
    """The content checks that apply to this file's type; for outside-host checks every host is returned."""
    name = rel.lower()
    checks = [(r, d) for r, d in patterns().items() if any(name.endswith(e) for e in d["files"])]
    if not checks:
        return []
    try:
        with path.open("rb") as fh:
            text = fh.read(SCAN_BYTES).decode("utf-8", "replace")
    except OSError:
        return []
    hits = []
    for rule, d in checks:
        for m in d["_re"].finditer(text):
            host = next((g for g in m.groups() if g), "") if d.get("outside_host") else ""
            host = host.lower().split(":")[0].strip(".")
            if d.get("outside_host") and not host:
                continue
            line = text.count("\n", 0, m.start()) + 1
            hits.append(ContentHit(rule, rel, line, " ".join(m.group(0).split())[:SNIPPET], host))
    return hits


# ---------- findings ----------

def _finding(rule: str, severity: Severity, title: Text, summary: Text, advice: Text, files: list[str],
             facts: dict[str, Any], site: str) -> Finding:
    return Finding(rule=rule, severity=severity, host=site, first_seen=None, last_seen=None, count=len(files),
                   title=title, summary=summary, advice=advice, evidence=[Evidence(f, None) for f in files[:20]],
                   evidence_total=len(files), seed="004 ⑤", phase="other", facts=facts)


ADVICE = Text("公開サーバーの管理者（または Web 制作会社）に連絡し、変更した覚えがあるか確認してください。覚えがなければ、"
              "サイトを一時的に公開停止し、改ざんされていないバックアップから戻し、管理画面と FTP のパスワードを変更してください。",
              "Ask the site's administrator (or the web company) whether they made the change. If nobody did, take the "
              "site offline, restore it from a clean backup, and change the admin and FTP passwords.")


def findings(cmp: Comparison, site: str) -> list[Finding]:
    """Findings of one comparison: file changes by kind, then each content check with its files and lines."""
    out = []
    for kind, files, ja, en in (("added", cmp.added, "追加", "added"), ("changed", cmp.changed, "変更", "changed"),
                                ("removed", cmp.removed, "削除", "removed")):
        if not files:
            continue
        scripts = [f for f in files if f.lower().endswith(SCRIPT_TYPES)]
        severity = Severity.LOW if kind == "removed" else (Severity.HIGH if scripts else Severity.MEDIUM)
        shown = "、".join(files[:10]) + (f" ほか {len(files) - 10} 件" if len(files) > 10 else "")
        shown_en = ", ".join(files[:10]) + (f" and {len(files) - 10} more" if len(files) > 10 else "")
        out.append(_finding(
            f"web.file-{kind}", severity, Text(f"基準から{ja}されたファイル", f"Files {en} since the baseline"),
            Text(f"基準を作った後に {len(files)} 個のファイルが{ja}されています: {shown}。"
                 + (f"うち {len(scripts)} 個はサーバーで動くスクリプトや設定です。" if scripts and kind != "removed" else ""),
                 f"{len(files)} file{'s' if len(files) != 1 else ''} {en} since the baseline: {shown_en}."
                 + (f" {len(scripts)} of them run on the server or configure it." if scripts and kind != "removed" else "")),
            ADVICE, files, {"files": files, "scripts": scripts}, site))
    by_rule: dict[str, list[ContentHit]] = {}
    for h in cmp.hits:
        by_rule.setdefault(h.rule, []).append(h)
    for rule, hits in sorted(by_rule.items()):
        d = patterns()[rule]
        where = [f"{h.path}:{h.line}" for h in hits]
        hosts = sorted({h.host for h in hits if h.host})
        out.append(_finding(
            rule, Severity.parse(d["severity"]), Text(d["title"]["ja"], d["title"]["en"]),
            Text(f"{d['why']['ja']} 見つかった場所: {'、'.join(where[:10])}"
                 + (f"（外部のホスト: {'、'.join(hosts)}）" if hosts else ""),
                 f"{d['why']['en']} Found at: {', '.join(where[:10])}" + (f" (outside hosts: {', '.join(hosts)})" if hosts
                                                                           else "")),
            ADVICE, sorted({h.path for h in hits}),
            {"places": [{"file": h.path, "line": h.line, "snippet": h.snippet, "host": h.host or None} for h in hits[:50]],
             "hosts": hosts}, site))
    return out
