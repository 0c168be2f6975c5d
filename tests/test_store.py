"""The normalized store: event id shapes, odd dates, unnamed data, and Get-WinEvent JSON through a whole scan."""
from __future__ import annotations

import json

import duckdb

from builders.events import by_rule, scan


def _canonical(eid: object, time: str = "2022-10-30T19:07:12.000000Z", data: dict | None = None, rid: int = 1) -> str:
    return json.dumps({"Event": {"System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}},
                                            "EventID": eid, "TimeCreated": {"#attributes": {"SystemTime": time}},
                                            "EventRecordID": rid, "Channel": "Security", "Computer": "host-a"},
                                 "EventData": data or {"TargetUserName": "HOSP\\nurse01", "IpAddress": "::ffff:10.0.0.9"}}})


def test_event_id_shapes_dates_and_fields(tmp_path):
    lines = [_canonical(4625, rid=1), _canonical("4625", rid=2), _canonical({"#attributes": {"Qualifiers": 0}, "#text": 4625}, rid=3),
             _canonical(4625, time="1601-01-01T00:00:00.000000Z", rid=4)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = scan([tmp_path / "in.jsonl"], tmp_path / "out")
    assert result.inputs[0].events == 4 and not result.inputs[0].errors
    rows = duckdb.sql(f"SELECT event_id, record_id, ts, host, target_user, target_domain, src_ip, data "
                      f"FROM read_parquet('{tmp_path / 'out' / 'store' / '*.parquet'}') ORDER BY record_id").fetchall()
    assert [r[0] for r in rows] == [4625] * 4
    assert rows[3][2].year == 1601
    assert rows[0][3] == "HOST-A" and rows[0][4] == "nurse01" and rows[0][5] == "HOSP" and rows[0][6] == "10.0.0.9"
    assert json.loads(rows[0][7])["Event"]["System"]["EventRecordID"] == 1  # the whole event is kept


def test_get_winevent_json_is_scanned_like_evtx(tmp_path):
    """Windows PowerShell 5.1: `Get-WinEvent -LogName Security | ConvertTo-Json -Depth 4 | Out-File` (UTF-16 LE)."""
    events = []
    for i in range(40):
        props = ["S-1-0-0", "-", "-", "0", "S-1-0-0", "Administrator", "-", 3221225581, "%%2313", 3221225578, 3,
                 "NtLmSsp ", "NTLM", "-", "-", "-", 0, 0, "-", "203.0.113.50", "51000"]
        events.append({"Id": 4625, "ProviderName": "Microsoft-Windows-Security-Auditing", "LogName": "Security",
                       "MachineName": "EHR-DB01", "RecordId": 5000 + i,
                       "TimeCreated": f"/Date({1667156832000 + i * 1000})/",
                       "Properties": [{"Value": v} for v in props]})
    (tmp_path / "sec.json").write_bytes(b"\xff\xfe" + json.dumps(events, indent=2).encode("utf-16-le"))
    result = scan([tmp_path / "sec.json"], tmp_path / "out")
    assert result.inputs[0].format == "json" and result.inputs[0].events == 40
    (bf,) = by_rule(result, "brute-force")
    assert bf.host == "EHR-DB01" and bf.accounts == ["Administrator"] and bf.sources == ["203.0.113.50"]
    assert bf.facts["wrong_password"] == 40  # SubStatus 3221225578 = 0xc000006a
    assert {e.record_id for e in bf.evidence} == set(range(5000, 5040))
