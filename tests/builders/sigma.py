"""Events as the evtx reader gives them (pyevtx-rs JSON), a store holding them, and Sigma rule texts, for Sigma
tests."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml

from wardwatch.store import EventStore

SYSMON = ("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon")
SECURITY = ("Security", "Microsoft-Windows-Security-Auditing")
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def event(rid: int, eid: int, data: dict[str, Any] | None = None, channel: tuple[str, str] = SYSMON,
          host: str = "PC1", seconds: float = 0, user_data: dict | None = None, raw_data: Any = None) -> str:
    """One event as the evtx reader gives it (pyevtx-rs JSON)."""
    ts = (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    system = {"Provider": {"#attributes": {"Name": channel[1]}}, "EventID": eid, "EventRecordID": rid,
              "TimeCreated": {"#attributes": {"SystemTime": ts}}, "Channel": channel[0], "Computer": host}
    ev: dict[str, Any] = {"System": system}
    if raw_data is not None:
        ev["EventData"] = raw_data
    elif data is not None:
        ev["EventData"] = data
    if user_data is not None:
        ev["UserData"] = user_data
    return orjson.dumps({"Event": ev}).decode()


def make_store(tmp: Path, events: list[str], file: str = "logs/test.evtx") -> EventStore:
    store = EventStore(tmp / "store")
    store.add(events, file)
    store.close()
    return store


def sigma_rule(title: str, rule_id: str, selection: dict[str, Any], level: str = "low", name: str | None = None,
               service: str = "security") -> str:
    """A Sigma detection rule on a Windows log as YAML text: one selection, `condition: selection`."""
    rule = {"title": title, "id": rule_id, **({"name": name} if name else {}), "status": "test",
            "logsource": {"product": "windows", "service": service},
            "detection": {"selection": selection, "condition": "selection"}, "level": level}
    return yaml.safe_dump(rule, sort_keys=False, allow_unicode=True)
