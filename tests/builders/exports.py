"""The demo scenario's events and the same events as NXLog and Winlogbeat JSON documents."""
from __future__ import annotations

from datetime import timezone
from typing import Any

from wardwatch.demo import Ev, scenario


def scenario_events() -> list[Ev]:
    events = [ev for evs in scenario().values() for ev in evs]
    for n, ev in enumerate(events, 1):
        ev.record_id = n
    return events


def data_fields(ev: Ev) -> dict[str, Any]:
    """The event's own data fields (EventData, or UserData's inner element)."""
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
        item.update(data_fields(ev))
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
