"""Collector bundles built in code (real formats, ja/en, three encodings) and tests of the part parsers."""
from __future__ import annotations

import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from builders.bundles import (
    COLLECTED, CRED, EN, JA, LOGON, auditpol_csv, encode, make_bundle, ps_dates, ps_json, secedit_inf, wevtutil_xml,
)
from wardwatch.audit.bundle import discover, load_bundle
from wardwatch.audit.encoding import DecodeError, decode
from wardwatch.audit.parsers import (
    ParseError,
    as_datetime,
    as_list,
    parse_auditpol,
    parse_inf,
    parse_json,
    parse_wevtutil,
)

# ---------- parser tests ----------

@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-8", "cp932"])
def test_decode_detects_encodings(encoding: str) -> None:
    text = "[System Access]\nNewAdministratorName = \"管理者\"\n"
    decoded, name = decode(encode(text, encoding))
    assert decoded.replace("\r\n", "\n") == text
    assert name == {"utf-16": "utf-16-le"}.get(encoding, encoding)


def test_decode_utf16_without_bom_and_rejects_binary() -> None:
    assert decode("Machine Name,Policy Target".encode("utf-16-le"))[1] == "utf-16-le"
    with pytest.raises(DecodeError):
        decode(bytes([0x81, 0xFF, 0xFE, 0x80, 0x00, 0xFF]) * 5)


def test_secedit_inf_sections_and_quotes() -> None:
    inf = parse_inf(secedit_inf(0, None, 0, True, "Administrator"))
    access = inf["system access"]
    assert access["lockoutbadcount"] == "0" and "lockoutduration" not in access
    assert access["newadministratorname"] == "Administrator"
    assert inf["privilege rights"]["seremoteinteractivelogonright"] == "*S-1-5-32-544,*S-1-5-32-555"
    with pytest.raises(ParseError):
        parse_inf("just some text\nwithout sections\n")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_auditpol_backup_by_guid_in_both_languages(lang: str) -> None:
    rows = parse_auditpol(auditpol_csv("PC1", 1, 3, JA if lang == "ja" else EN))
    assert rows[LOGON]["value"] == 1 and rows[CRED]["value"] == 3
    assert all(k.startswith("{") for k in rows)  # the option row has no GUID and is skipped
    with pytest.raises(ParseError):
        parse_auditpol("ログオン,成功\n")


def test_wevtutil_xml_and_text_forms() -> None:
    info = parse_wevtutil(wevtutil_xml("Security", 20971520, True))
    assert info == {"name": "Security", "enabled": True, "max_size": 20971520, "retention": True, "auto_backup": False,
                    "log_file": r"%SystemRoot%\System32\Winevt\Logs\Security.evtx"}
    text = ("name: Application\nenabled: true\ntype: Admin\nowningPublisher:\nisolation: Application\n"
            "logging:\n  logFileName: %SystemRoot%\\System32\\Winevt\\Logs\\Application.evtx\n  retention: false\n"
            "  autoBackup: false\n  maxSize: 33554432\npublishing:\n  fileMax: 1\n")
    assert parse_wevtutil(text)["max_size"] == 33554432
    with pytest.raises(ParseError):
        parse_wevtutil("<channel name='x'><logging>")


@pytest.mark.parametrize("ps", ["5.1", "7"])
def test_powershell_json_shapes(ps: str) -> None:
    when = datetime(2022, 10, 31, 4, 7, 12, tzinfo=timezone.utc)
    text = ps_json(ps_dates([{"name": "O'Brien & <x>", "last_logon": when, "enabled": True}], ps), ps)
    data = parse_json(text)
    assert data[0]["name"] == "O'Brien & <x>"
    assert as_datetime(data[0]["last_logon"]) == when
    assert parse_json('{"value": [1, 2], "Count": 2}') == [1, 2]
    assert as_list({"a": 1}) == [{"a": 1}] and as_list(None) == []
    assert as_datetime("2022-10-31T13:07:12.1234567+09:00") == when.replace(microsecond=123456)
    assert as_datetime({"value": "/Date(1667189232000)/", "DisplayHint": 2}) == when


def test_bundle_folder_and_zip_are_found_and_read(tmp_path: Path) -> None:
    make_bundle(tmp_path / "in", "KYUSHOKU-SV", lang="ja", encoding="utf-16")
    make_bundle(tmp_path / "in", "DENKARU-SV", lang="en", encoding="utf-8", ps="7", as_zip=True)
    make_bundle(tmp_path / "in" / "sub", "PACS-SV", lang="ja", encoding="utf-8-sig", ps="5.1", as_zip=True)
    with zipfile.ZipFile(next((tmp_path / "in" / "sub").glob("*.zip"))) as zf:
        assert "eventlogs\\Security.xml" in zf.namelist()  # as Compress-Archive of PowerShell 5.1 writes it
    problems: list = []
    sources = discover([tmp_path / "in"], problems)
    bundles = sorted((load_bundle(s) for s in sources), key=lambda b: b.host)
    assert [b.host for b in bundles] == ["DENKARU-SV", "KYUSHOKU-SV", "PACS-SV"] and not problems
    for b in bundles:
        assert not b.not_collected, [(p.name, p.status, p.message) for p in b.not_collected]
        assert b.collected_at == COLLECTED
        assert b.eventlogs["Security"].status == "ok" and b.eventlogs["Microsoft-Windows-Sysmon/Operational"].status == "absent"
        assert all(i.sha256 and not i.errors for i in b.inputs)
    assert bundles[0].inputs[0].path.endswith(".zip!manifest.json")
    assert bundles[1].parts["secedit"].encoding == "utf-16-le" and len(bundles[2].eventlogs) == 8


def test_partial_and_broken_bundle_parts_are_not_collected(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path, "PC9", drop=("secedit", "users"), state="running")
    (folder / "rdp.json").write_bytes(b"\x81\xff\xfe\x80" * 10)  # wrong encoding / garbage
    (folder / "auditpol.csv").write_text("this is not auditpol output", encoding="utf-8")
    b = load_bundle(discover([folder], [])[0])
    status = {p.name: p.status for p in b.not_collected}
    assert status == {"secedit": "error", "users": "error", "rdp": "unreadable", "auditpol": "unreadable"}
    messages = [e.message for i in b.inputs for e in i.errors]
    assert any("did not finish" in m for m in messages)
    assert any("Access is denied" in m for m in messages)
    assert any("not UTF-8, UTF-16 or CP932" in m for m in messages)
