"""Account names shown once: ADMINISTRATOR / Administrator / administrator are one account in one spelling (the
system's own, from its successful logons), with its SID's RID where the events give a single SID."""
from __future__ import annotations

from pathlib import Path

from builders.events import scan

from wardwatch.demo import write_scenario
from wardwatch.detect.names import AccountNames


def test_one_spelling_and_sid() -> None:
    names = AccountNames.from_rows([("ADMINISTRATOR", "S-1-0-0", 1989, 0),
                                    ("Administrator", "S-1-5-21-1-2-3-500", 4, 4),
                                    ("administrator", None, 3, 0),
                                    ("nurse01", "S-1-5-21-1-2-3-1105", 1, 1), ("nurse01", "S-1-5-21-9-9-9-1105", 1, 1),
                                    ("-", None, 5, 0)])
    assert names.distinct(["ADMINISTRATOR", "administrator", "Administrator", "nurse01"]) == \
        ["Administrator", "nurse01"]
    assert names.shown("ADMINISTRATOR", "ja") == "Administrator（SID …-500）"
    assert names.shown("administrator", "en") == "Administrator (SID …-500)"
    assert names.shown("nurse01", "ja") == "nurse01"  # two accounts of that name on two machines: no single SID
    assert names.shown("10.0.0.5", "ja") == "10.0.0.5" and not names.known("10.0.0.5") and not names.known("-")


def test_demo_story_names_the_administrator_once(tmp_path: Path) -> None:
    write_scenario(tmp_path / "logs")
    result = scan([tmp_path / "logs"], tmp_path / "out")
    texts = " ".join(f.summary.get(lang) for f in result.findings for lang in ("ja", "en"))
    texts += " ".join(i.narrative.get(lang) for i in result.incidents for lang in ("ja", "en"))
    assert "ADMINISTRATOR" not in texts and "administrator" not in texts.replace("Administrator", "")
    assert "Administrator（SID …-500）" in texts and "Administrator (SID …-500)" in texts
    # the findings' own account lists (the RDP table, findings.json, exports) carry the same one spelling
    listed = {a for f in result.findings for a in f.accounts if a.lower() == "administrator"}
    assert listed == {"Administrator"}
