"""The same events as evtx JSON lines, wevtutil XML, NXLog JSON and Winlogbeat JSON give the same findings."""
from __future__ import annotations

import json
from datetime import timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from conftest import scan, write_jsonl
from wardwatch.demo import Ev, scenario, to_xml


def _events() -> list[Ev]:
    events = [ev for evs in scenario().values() for ev in evs]
    for n, ev in enumerate(events, 1):
        ev.record_id = n
    return events


def _fields(ev: Ev) -> dict[str, Any]:
    if ev.userdata:
        return dict(ev.userdata[1])
    return dict(ev.data or {})


def nxlog(ev: Ev) -> dict[str, Any]:
    """im_msvistalog + to_json(): NXLog's own keys, the event's data fields flat beside them; local time, no zone."""
    local = ev.time.astimezone(timezone.utc).astimezone(ev.time.tzinfo)
    item: dict[str, Any] = {
        "EventTime": local.strftime("%Y-%m-%d %H:%M:%S"), "Hostname": ev.computer, "Keywords": -9214364837600034816,
        "EventType": "AUDIT_FAILURE" if ev.event_id == 4625 else "INFO", "SeverityValue": 2, "Severity": "INFO",
        "EventID": ev.event_id, "SourceName": ev.provider, "Task": 12544, "RecordNumber": ev.record_id,
        "ProcessID": 4, "ThreadID": 100, "Channel": ev.channel, "Category": "Logon", "Opcode": "Info",
        "EventReceivedTime": local.strftime("%Y-%m-%d %H:%M:%S"), "SourceModuleName": "eventlog",
        "SourceModuleType": "im_msvistalog",
    }
    if ev.items is not None:
        item["Message"] = ev.items[0]  # NXLog keeps unnamed data only in the rendered message
    else:
        item["Message"] = f"event {ev.event_id}"
        item.update(_fields(ev))
    return item


def winlogbeat(ev: Ev, dotted: bool = False) -> dict[str, Any]:
    """Winlogbeat 8 (ECS): winlog.* with event_data / user_data, @timestamp in UTC, event.code as text."""
    winlog: dict[str, Any] = {"channel": ev.channel, "provider_name": ev.provider, "computer_name": ev.computer,
                              "record_id": ev.record_id, "event_id": str(ev.event_id), "api": "wineventlog"}
    if ev.userdata:
        winlog["user_data"] = {"xml_name": ev.userdata[0], **{k: str(v) for k, v in ev.userdata[1].items()}}
    elif ev.items is not None:
        winlog["event_data"] = {f"param{n}": v for n, v in enumerate(ev.items, 1)}
    else:
        winlog["event_data"] = {k: str(v) for k, v in (ev.data or {}).items()}
    stamp = ev.time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    doc = {"@timestamp": stamp, "event": {"code": str(ev.event_id), "kind": "event", "provider": ev.provider},
           "host": {"name": ev.computer.lower()}, "winlog": winlog, "message": f"event {ev.event_id}",
           "agent": {"type": "winlogbeat", "version": "8.15.0"}, "ecs": {"version": "8.0.0"}}
    if dotted:  # as some pipelines and CSV-to-JSON exports flatten it
        flat = {f"winlog.{k}": v for k, v in winlog.items() if k not in ("event_data", "user_data")}
        for part in ("event_data", "user_data"):
            for k, v in (winlog.get(part) or {}).items():
                flat[f"winlog.{part}.{k}"] = v
        return {"@timestamp": stamp, "event.code": doc["event"]["code"], **flat}
    return doc


def _summary(result) -> list[tuple]:
    return sorted((f.rule, f.host or "", f.count, tuple(f.accounts), tuple(f.sources)) for f in result.findings
                  if f.rule != "log-coverage")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[tuple]:
    tmp = tmp_path_factory.mktemp("ref")
    result = scan([write_jsonl(tmp / "events.jsonl", _events())], tmp / "out")
    assert {"brute-force", "breach-after-guessing", "attack-tool", "rdp-logon"} <= {f.rule for f in result.findings}
    return _summary(result)


@pytest.mark.parametrize("kind", ["xml", "nxlog", "winlogbeat", "winlogbeat-dotted", "elastic-hits"])
def test_every_export_gives_the_same_findings(tmp_path: Path, reference: list[tuple], kind: str) -> None:
    events = _events()
    path = tmp_path / "export.log"
    if kind == "xml":
        path.write_text("\n".join(to_xml(ev) for ev in events), encoding="utf-8")
    elif kind == "nxlog":
        path.write_bytes(b"".join(orjson.dumps(nxlog(ev)) + b"\n" for ev in events))
    elif kind == "elastic-hits":
        path.write_text(json.dumps([{"_index": "winlogbeat-8", "_id": str(n), "_source": winlogbeat(ev)}
                                    for n, ev in enumerate(events)]), encoding="utf-8")
    else:
        path.write_bytes(b"".join(orjson.dumps(winlogbeat(ev, kind.endswith("dotted"))) + b"\n" for ev in events))
    result = scan([path], tmp_path / "out")
    assert result.inputs[0].events == len(events), result.inputs[0].errors
    assert _summary(result) == reference
    if kind == "nxlog":  # the missing zone is said once, not per event
        assert [e.where for e in result.inputs[0].errors] == ["line 1"]


def test_broken_nxlog_line_is_named_and_the_rest_is_read(tmp_path: Path) -> None:
    events = _events()[:50]
    lines = [orjson.dumps(nxlog(ev)) for ev in events]
    lines[10] = lines[10][:40]
    bad = nxlog(events[20])
    bad["EventID"] = "four"
    lines[20] = orjson.dumps(bad)
    path = tmp_path / "nxlog.json"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = scan([path], tmp_path / "out")
    assert result.inputs[0].events == 48
    wheres = {e.where: e.message for e in result.inputs[0].errors}
    assert "line 11" in wheres and "line 21" in wheres and "EventID" in wheres["line 21"]


def test_forwarded_events_keep_their_own_computer(tmp_path: Path) -> None:
    """A Windows Event Forwarding collector's ForwardedEvents log: each event keeps its own Computer and
    Channel and carries <RenderingInfo> (the collector's rendered text); the scan sees the original hosts."""
    events = [ev for ev in _events() if ev.channel == "Security"][:60]
    xml = [to_xml(ev).replace("</Event>", "<RenderingInfo Culture='ja-JP'><Message>ログオンに失敗しました。"
                                          "</Message><Level>情報</Level></RenderingInfo></Event>") for ev in events]
    path = tmp_path / "ForwardedEvents.xml"
    path.write_text("<Events>" + "".join(xml) + "</Events>", encoding="utf-8")
    result = scan([path], tmp_path / "out")
    assert result.inputs[0].events == len(events), result.inputs[0].errors
    assert set(result.stats["hosts"]) == {ev.computer.upper() for ev in events}
