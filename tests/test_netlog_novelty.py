"""net-cross-segment ranks by what is new: a flow that first appears after a day of logs without it is new (high);
flows there from the start are habitual (medium, to check against the inventory); with less than a day of logs
before it, nothing is claimed new. Members talking to the directory stay low."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wardwatch.cli import app

SEGMENTS = "cidr,segment\n10.1.0.0/16,AD\n10.2.0.0/16,EHR\n10.3.0.0/16,office\n"


def line(day: int, hour: int, minute: int, src: str, dst: str, port: int) -> str:
    return (f"<134>Nov {day:2d} {hour:02d}:{minute:02d}:00 rtx PP[01] Passed at IN(2000) filter: "
            f"TCP {src}:50000 > {dst}:{port}")


def _scan(tmp: Path, lines: list[str]) -> dict[tuple[str, int], dict]:
    (tmp / "fw.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "seg.csv").write_text(SEGMENTS, encoding="utf-8")
    res = CliRunner().invoke(app, ["syslog", "scan", str(tmp / "fw.log"), "--segments", str(tmp / "seg.csv"),
                                   "--out", str(tmp / "o")])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads((tmp / "o" / "findings.json").read_text(encoding="utf-8"))
    return {(f["facts"]["dst_segment"], f["facts"]["port"]): f for f in doc["findings"]
            if f["rule"] == "net-cross-segment"}


def test_new_habitual_and_expected(tmp_path: Path) -> None:
    lines = []
    for day, hour in [(d, h) for d in (4, 5) for h in range(24)]:
        lines.append(line(day, hour, 0, "10.3.0.5", "10.1.0.5", 445))   # members to AD every hour: expected
        lines.append(line(day, hour, 1, "10.3.0.7", "10.2.0.9", 445))   # a PC to the EHR share every hour: habitual
    lines.append(line(5, 3, 10, "10.3.0.9", "10.2.0.9", 3389))          # RDP to EHR at 03:10 on day 2: new
    lines.sort(key=lambda s: s[5:15])
    found = _scan(tmp_path, lines)
    rdp, share, ad = found[("EHR", 3389)], found[("EHR", 445)], found[("AD", 445)]
    assert rdp["severity"] == "high" and rdp["facts"]["novelty"] == "new"
    assert rdp["facts"]["new_flows"] == ["10.3.0.9 → 10.2.0.9"] and "初めて現れました" in rdp["summary"]
    assert share["severity"] == "medium" and share["facts"]["novelty"] == "habitual" and "以前から" in share["summary"]
    assert ad["severity"] == "low"


def test_no_claim_without_the_hours_before(tmp_path: Path) -> None:
    lines = [line(5, 3, m, "10.3.0.9", "10.2.0.9", 3389) for m in range(5)]  # the logs start with the attack
    rdp = _scan(tmp_path, lines)[("EHR", 3389)]
    assert rdp["severity"] == "high" and rdp["facts"]["novelty"] == "unknown" and "判断できません" in rdp["summary"]
