"""Builds the one record shape every reader yields (evtx-style JSON) from plain values of a foreign export."""
from __future__ import annotations

from typing import Any

import orjson

from .winxml import as_int

EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"


def evtx_record(*, event_id: int, provider: str | None, channel: str | None, computer: str | None,
                record_id: Any, when: str, event_data: dict[str, Any] | None = None,
                user_data: dict[str, Any] | None = None, message: str | None = None) -> str:
    """The canonical JSON text of one event; `when` is evtx's UTC text (format_utc / utc_iso)."""
    system: dict[str, Any] = {
        "Provider": {"#attributes": {"Name": provider} if provider else {}},
        "EventID": event_id,
        "TimeCreated": {"#attributes": {"SystemTime": when}},
        "EventRecordID": as_int(record_id) if record_id not in (None, "") else None,
        "Channel": channel,
        "Computer": computer,
    }
    event: dict[str, Any] = {"#attributes": {"xmlns": EVENT_NS}, "System": system}
    if user_data:
        event["UserData"] = user_data
    else:
        event["EventData"] = {k: v if k == "Data" else _plain(v) for k, v in (event_data or {}).items()} or None
    if message:
        event["RenderingInfo"] = {"Message": message}
    return orjson.dumps({"Event": event}).decode()


def _plain(value: Any) -> Any:
    """Numbers stay numbers, lists and objects become JSON text: the store reads every field as text."""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value


def text_field(value: Any) -> str | None:
    """A non-empty string, or a number as text; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) and value else None


def int_field(value: Any) -> int | None:
    """An int from an int or a digit string (exports write EventID both ways)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
