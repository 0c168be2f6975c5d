"""The `wardwatch audit` and `wardwatch collect` commands: outputs like scan's, exit codes 0/1/2, no tracebacks."""
from __future__ import annotations

import json
from pathlib import Path

from builders.cli import invoke
from builders.bundles import make_bundle


def test_audit_writes_json_like_scan_and_html(tmp_path: Path) -> None:
    for host in ("BAD-PC", "PC-02", "PC-03"):
        make_bundle(tmp_path / "in", host, lang="ja", encoding="utf-16")
    make_bundle(tmp_path / "in", "GOOD-SV", hardened=True, lang="en", encoding="utf-8", ps="7", as_zip=True)
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("BAD-PC\nPC-02\nPC-03\nGOOD-SV rdp\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["audit", str(tmp_path / "in"), "--out", str(out), "--hosts", str(hosts), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "BAD-PC" in result.output and "GOOD-SV" in result.output and "Traceback" not in result.output
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert {"version", "generated_at", "timezone", "inputs", "findings", "incidents", "stats", "audit"} <= set(data)
    f = next(f for f in data["findings"] if f["rule"] == "audit.account-lockout")
    assert f["host"] == "BAD-PC" and f["severity"] == "high" and f["first_seen"].endswith("+09:00")
    assert {"rule", "severity", "host", "first_seen", "last_seen", "count", "accounts", "sources", "title", "summary",
            "advice", "evidence", "evidence_total", "phase", "seed", "facts"} <= set(f)
    assert f["title"] == "Account lockout is weak or missing" and f["evidence"][0]["record_id"] is None
    scores = {h["host"]: h["score"] for h in data["audit"]["hosts"]}
    assert scores == {"BAD-PC": 0, "GOOD-SV": 100, "PC-02": 0, "PC-03": 0}
    lockout = next(c for c in data["audit"]["checks"] if c["rule"] == "audit.account-lockout")
    assert lockout["results"] == {"BAD-PC": "fail", "GOOD-SV": "pass", "PC-02": "fail", "PC-03": "fail"}
    shared = [f for f in data["findings"] if f["rule"] == "audit.shared-local-admin"]
    assert sorted(a for f in shared for a in f["accounts"]) == ["Administrator", "vendor"]
    assert {"rule": "audit.rdp-everywhere", "host": None, "status": "fail"} in data["audit"]["fleet"]
    assert all(i["sha256"] for i in data["inputs"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Checks × hosts" in html and "audit.account-lockout" in html and "audit.shared-local-admin" in html and ">100<" in html.replace(" ", "")
    assert "<script src" not in html and "<link" not in html and "http://" not in html and "https://" not in html


def test_exit_codes(tmp_path: Path) -> None:
    make_bundle(tmp_path / "partial", "PC9", drop=("secedit",), state="running")
    assert invoke(["audit", str(tmp_path / "partial"), "--out", str(tmp_path / "o1")]).exit_code == 1
    (tmp_path / "empty").mkdir()
    res = invoke(["audit", str(tmp_path / "empty"), "--out", str(tmp_path / "o2")])
    assert res.exit_code == 2 and "no collector bundle" in res.output and "Traceback" not in res.output
    assert invoke(["audit", str(tmp_path / "partial"), "--lang", "fr"]).exit_code == 2
    bad = tmp_path / "bad.yml"
    bad.write_text("audit:\n  checks:\n    not-a-check: {x: 1}\n", encoding="utf-8")
    res = invoke(["audit", str(tmp_path / "partial"), "--config", str(bad), "--out", str(tmp_path / "o3")])
    assert res.exit_code == 2 and "not-a-check" in res.output
    assert invoke(["audit", str(tmp_path / "missing-folder")]).exit_code == 2
    assert invoke(["audit"]).exit_code == 2
    assert invoke(["audit", "passwords", "--out", str(tmp_path / "o4")]).exit_code == 2


def test_collect_writes_the_script(tmp_path: Path) -> None:
    res = invoke(["collect", "--script", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    script = tmp_path / "wardwatch-collect.ps1"
    data = script.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert "-ExecutionPolicy Bypass -File" in res.output
    assert invoke(["collect"]).exit_code == 0
    listing = invoke(["audit", "checks", "--lang", "en"])
    assert listing.exit_code == 0 and "audit.account-lockout" in listing.output


def test_bundles_with_event_logs_give_one_combined_report(tmp_path: Path) -> None:
    from wardwatch.demo import write_scenario

    write_scenario(tmp_path / "logs")
    make_bundle(tmp_path / "bundles", "KYUSHOKU-SV")
    out = tmp_path / "out"
    result = invoke(["audit", str(tmp_path / "bundles"), str(tmp_path / "logs"), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    rules = {f["rule"] for f in data["findings"]}
    assert "brute-force" in rules and "audit.account-lockout" in rules
    assert data["incidents"] and all(0 <= i < len(data["findings"]) for inc in data["incidents"] for i in inc["findings"])
    assert (out / "scan" / "report.html").exists() and "scan/report.html" in (out / "report.html").read_text(encoding="utf-8")
    assert invoke(["audit", str(tmp_path / "logs"), "--out", str(tmp_path / "o2")]).exit_code == 2  # logs alone: use scan


def test_a_check_shows_one_severity_everywhere(tmp_path: Path) -> None:
    """An evaluator may name a worse (no logon auditing at all) or milder case than its check's own severity: the
    check × host table, its card and findings.json's `audit` table all show the severity of its findings."""
    import re
    for host in ("PC1", "EHR-SV01"):
        make_bundle(tmp_path / "in", host)
    out = tmp_path / "out"
    assert invoke(["audit", str(tmp_path / "in"), "--out", str(out)]).exit_code == 0
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    order = ["info", "low", "medium", "high", "critical"]
    worst: dict[str, str] = {}
    for f in data["findings"]:
        worst[f["rule"]] = max(worst.get(f["rule"], "info"), f["severity"], key=order.index)
    table = {c["rule"]: c["severity"] for c in data["audit"]["checks"]}
    assert {r: table[r] for r in worst if r in table} == {r: s for r, s in worst.items() if r in table}
    html = (out / "report.html").read_text(encoding="utf-8")
    matrix = dict((rule, sev) for sev, rule in
                  re.findall(r'<td class="sev"><span class="badge (\w+)">[^<]*</span></td>\s*<td class="title" '
                             r'title="([^"]+)"', html))
    cards = dict((rule, sev) for sev, rule in
                 re.findall(r'<article class="card (\w+)" id="check-\d+">.*?<dd class="mono">([^<]+)</dd>', html, re.S))
    assert cards and set(cards) <= set(worst)
    shown = {r: s for r, s in cards.items() if r in matrix}
    assert len(shown) >= 5 and shown == {r: matrix[r] for r in shown} == {r: worst[r] for r in shown}
