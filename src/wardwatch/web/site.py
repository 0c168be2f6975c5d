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
from ..checks.finding import make
from ..checks.spec import CheckSpec, common_fields
from ..model import FileRef, Finding, Severity

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
def _raw() -> dict[str, dict[str, Any]]:
    return dict(useryaml.load((resources.files("wardwatch.web") / "patterns.yml").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def patterns() -> dict[str, dict[str, Any]]:
    """The content checks (entries with a pattern), compiled."""
    return {rule: {**d, "_re": re.compile(str(d["pattern"]), re.I)} for rule, d in _raw().items() if d.get("pattern")}


@lru_cache(maxsize=1)
def web_specs() -> dict[str, CheckSpec]:
    """Every web.* check as a CheckSpec for the one registry."""
    return {rule: CheckSpec(id=rule, kind="web", source=f"web/patterns.yml {rule}",
                            **common_fields(d, f"web/patterns.yml {rule}")) for rule, d in _raw().items()}


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


def make_baseline(root: Path, key: bytes, own_hosts: list[str], unreadable: list[tuple[str, str]],
                  hits: list[ContentHit] | None = None) -> dict[str, Any]:
    """Hashes of every file, the outside hosts the pages already use, and a keyed checksum over all of it; the
    content checks' hits that name no host (web shells, defacement wording, ...) go to `hits` (one read per file)."""
    files: dict[str, dict[str, Any]] = {}
    seen_hosts: set[str] = set()
    for rel, p in walk(root).items():
        try:
            files[rel] = {"sha256": integrity.file_sha256(p), "size": p.stat().st_size}
        except OSError as exc:
            unreadable.append((rel, exc.strerror or str(exc)))
            continue
        found = scan_content(rel, p)
        seen_hosts |= {h.host for h in found if h.host}
        if hits is not None:
            hits += [h for h in found if not h.host]
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

def _list(items: list[str], lang: str) -> str:
    shown = ("、" if lang == "ja" else ", ").join(items[:10])
    more = len(items) - 10
    return shown + ((f" ほか {more} 件" if lang == "ja" else f" and {more} more") if more > 0 else "")


def findings(cmp: Comparison, site: str) -> list[Finding]:
    """Findings of one comparison: file changes by kind, then each content check with its files and lines."""
    specs = web_specs()
    out = []
    for kind, files in (("added", cmp.added), ("changed", cmp.changed), ("removed", cmp.removed)):
        if not files:
            continue
        scripts = [f for f in files if f.lower().endswith(SCRIPT_TYPES)]
        run = scripts and kind != "removed"
        out.append(make(
            specs[f"web.file-{kind}"], host=site, count=len(files), severity=Severity.HIGH if run else None,
            values={"count": len(files), "files": _list(files, "ja"),
                    "scripts": f"うち {len(scripts)} 個はサーバーで動くスクリプトや設定です。" if run else ""},
            values_en={"files": _list(files, "en"),
                       "scripts": f"{len(scripts)} of them run on the server or configure it." if run else ""},
            evidence=[FileRef(f) for f in files[:20]], evidence_total=len(files),
            facts={"files": files, "scripts": scripts}))
    by_rule: dict[str, list[ContentHit]] = {}
    for h in cmp.hits:
        by_rule.setdefault(h.rule, []).append(h)
    for rule, hits in sorted(by_rule.items()):
        places = [f"{h.path}:{h.line}" for h in hits]
        hosts = sorted({h.host for h in hits if h.host})
        files = sorted({h.path for h in hits})
        out.append(make(
            specs[rule], host=site, count=len(files),
            values={"places": _list(places, "ja"), "outside": f"（外部のホスト: {'、'.join(hosts)}）" if hosts else ""},
            values_en={"places": _list(places, "en"), "outside": f" (outside hosts: {', '.join(hosts)})" if hosts else ""},
            evidence=[FileRef(f) for f in files[:20]], evidence_total=len(files),
            facts={"places": [{"file": h.path, "line": h.line, "snippet": h.snippet, "host": h.host or None}
                              for h in hits[:50]], "hosts": hosts}))
    return out
