"""An incident case from start to report: steps, evidence with its chain of custody, tamper detection, drafts."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wardwatch.cli import app


def _run(*args: str, input_: str | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args), input=input_)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def demo_findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    code, text = _run("demo", "--out", str(out))
    assert code == 0, text
    return out / "result" / "findings.json"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _case(tmp: Path, demo_findings: Path) -> Path:
    case = tmp / "case"
    code, out = _run("incident", "start", str(case), "--from-scan", str(demo_findings), "--by", "情報課 山田",
                     "--title", "電子カルテ停止")
    assert code == 0, out
    assert "[detect]" in out  # the first step is asked at once
    assert "☎ 医療情報システム安全管理責任者" in out  # with whom to call (contacts.yml)
    return case


def test_whole_case_from_scan_to_report(tmp_path: Path, demo_findings: Path) -> None:
    before = _sha(demo_findings)
    case = _case(tmp_path, demo_findings)
    photo = tmp_path / "screen.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"ransom note" * 100)
    photo_sha = _sha(photo)
    for step, answer in (("detect", "朝 8 時、電子カルテが開けず画面に脅迫文"), ("isolate", "はい"), ("power", "yes"),
                         ("personal-data", "不明"), ("mhlw", "はい")):
        code, out = _run("incident", "answer", str(case), step, answer, "--by", "山田", "--note", "対応メモ")
        assert code == 0, out
    code, out = _run("incident", "evidence", "add", str(case), str(photo), "--by", "山田", "--note", "画面の写真")
    assert code == 0 and photo_sha in out
    code, out = _run("incident", "status", str(case))
    assert any(line.startswith("ppc ") and "未回答" in line for line in out.splitlines()), out  # personal data
    # 'unknown' opens the PPC step
    code, out = _run("incident", "verify", str(case))
    assert code == 0 and "OK" in out
    code, out = _run("incident", "report", str(case))
    assert code == 0, out
    report = case / "report"
    data = json.loads((report / "incident.json").read_text(encoding="utf-8"))
    assert data["verified"] and [s["answer"] for s in data["steps"] if s["id"] == "isolate"] == ["はい"]
    assert {e["sha256"] for e in data["evidence"]} == {before, photo_sha}
    assert data["scans"][0]["incidents"] and "KYUSHOKU-SV" in data["scans"][0]["hosts"]
    mhlw = (report / "draft-mhlw.txt").read_text(encoding="utf-8")
    assert "朝 8 時、電子カルテが開けず画面に脅迫文" in mhlw and "KYUSHOKU-SV" in mhlw and "（記入してください）" in mhlw
    ppc = (report / "draft-ppc.txt").read_text(encoding="utf-8")
    assert "本人の数" in ppc and "不正アクセス" in ppc
    html = (report / "incident.html").read_text(encoding="utf-8")
    assert "電子カルテ停止" in html and photo_sha in html and "http://" not in html and "https://" not in html
    assert _sha(demo_findings) == before and _sha(photo) == photo_sha  # originals never change
    copy = case / data["evidence"][1]["file"]
    assert not copy.stat().st_mode & 0o222  # kept read-only


@pytest.mark.parametrize("tamper", ["change", "remove", "insert", "truncate", "rewrite", "evidence"])
def test_verify_names_every_kind_of_tampering(tmp_path: Path, demo_findings: Path, tamper: str) -> None:
    case = _case(tmp_path, demo_findings)
    for step in ("isolate", "power", "backups"):
        _run("incident", "answer", str(case), step, "はい", "--by", "山田")
    journal = case / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    if tamper == "change":
        lines[4] = lines[4].replace("はい", "いいえ")
    elif tamper == "remove":
        del lines[3]
    elif tamper == "insert":
        lines.insert(2, lines[2])
    elif tamper == "truncate":
        lines = lines[:-1]
    elif tamper == "rewrite":  # a forger who recomputes the whole chain but has no key
        from wardwatch.incident.case import Entry
        prev = "0" * 64
        out = []
        for line in lines:
            raw = json.loads(line)
            raw["by"] = "someone else"
            e = Entry(**raw)
            e.prev = prev
            e.hash = e.link()
            prev = e.hash
            out.append(json.dumps(e.__dict__, ensure_ascii=False))
        lines = out
    if tamper == "evidence":
        copy = next((case / "evidence").iterdir())
        copy.chmod(0o644)
        copy.write_bytes(copy.read_bytes() + b" ")
    else:
        journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _run("incident", "verify", str(case))
    assert code == 1, out
    expected = {"change": "entry 5", "remove": "entry 4", "insert": "entry 4", "truncate": "journal.ckpt",
                "rewrite": "rewritten", "evidence": "differs from the hash"}[tamper]
    assert expected in out, out


def test_walk_asks_open_steps_and_skips_blank(tmp_path: Path, demo_findings: Path) -> None:
    case = _case(tmp_path, demo_findings)
    code, out = _run("incident", "walk", str(case), "--by", "山田", input_="脅迫文が出た\n\nはい\nmaybe\n" + "\n" * 30)
    assert code == 0, out
    data = json.loads((case / "journal.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert data["step"] == "power" and data["data"]["answer"] == "はい"  # isolate skipped, power answered
    assert "はい / いいえ / 不明" in out  # 'maybe' refused with the choices


def test_mistakes_are_one_line(tmp_path: Path, demo_findings: Path) -> None:
    case = _case(tmp_path, demo_findings)
    for args, says in ((["answer", str(case), "nosuch", "はい"], "no step"),
                       (["answer", str(case), "isolate", "maybe"], "はい / いいえ / 不明"),
                       (["start", str(case)], "already open"),
                       (["status", str(tmp_path)], "not an incident case")):
        code, out = _run("incident", *args, "--by", "山田") if args[0] in ("answer", "start") else \
            _run("incident", *args)
        assert code == 2 and says in out and "Traceback" not in out, out
