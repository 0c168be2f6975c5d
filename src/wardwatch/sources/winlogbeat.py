"""Winlogbeat / Elastic Agent events (ECS JSON): `winlog.*` nested or as dotted keys, `@timestamp` in UTC."""
from __future__ import annotations

from typing import Any

from .canonical import evtx_record, int_field, text_field
from .winxml import utc_iso


def unwrap(item: dict[str, Any]) -> dict[str, Any]:
    """An Elasticsearch hit ({"_source": ...}) gives its document; dotted keys ("winlog.event_id") are nested."""
    source = item.get("_source")
    if isinstance(source, dict):
        item = source
    if not any("." in k for k in item):
        return item
    out: dict[str, Any] = {}
    for key, value in item.items():
        node = out
        parts = key.split(".") if key != "@timestamp" else [key]
        for part in parts[:-1]:
            child = node.get(part)
            node = node.setdefault(part, {}) if not isinstance(child, dict) else child
            if not isinstance(node, dict):
                break
        else:
            last = parts[-1]
            if isinstance(node.get(last), dict) and isinstance(value, dict):
                node[last].update(value)
            else:
                node[last] = value
    return out


def looks_like(item: dict[str, Any]) -> bool:
    doc = unwrap(item)
    winlog = doc.get("winlog")
    return isinstance(winlog, dict) and ("event_id" in winlog or "channel" in winlog)


def convert(item: dict[str, Any]) -> tuple[str | None, str | None]:
    """(record, why not) for one Winlogbeat document."""
    doc = unwrap(item)
    winlog: dict[str, Any] = doc.get("winlog") or {}
    event_raw, host_raw = doc.get("event"), doc.get("host")
    event: dict[str, Any] = event_raw if isinstance(event_raw, dict) else {}
    host: dict[str, Any] = host_raw if isinstance(host_raw, dict) else {}
    event_id = int_field(winlog.get("event_id")) or int_field(event.get("code"))
    if event_id is None:
        return None, "no numeric winlog.event_id"
    raw_time = text_field(doc.get("@timestamp")) or text_field(event.get("created"))
    when, _ = utc_iso(raw_time) if raw_time else (None, False)
    if when is None:
        return None, f"unreadable @timestamp {str(raw_time)[:40]!r}"
    user_data = winlog.get("user_data")
    wrapped: dict[str, Any] | None = None
    if isinstance(user_data, dict) and user_data:
        fields = {k: v for k, v in user_data.items() if k != "xml_name"}
        wrapped = {str(user_data.get("xml_name") or "EventXML"): fields}
    data_raw = winlog.get("event_data")
    event_data = dict(data_raw) if isinstance(data_raw, dict) else {}
    unnamed = [f"param{n}" for n in range(1, len(event_data) + 1)]
    if event_data and list(event_data) == unnamed:  # Winlogbeat names unnamed <Data> items param1, param2 ...
        event_data["Data"] = {"#text": [event_data[k] for k in unnamed]}
    if not wrapped and event_data:
        from .nxlog import user_data as flat_user_data  # flat fields of a UserData event (some Winlogbeat versions)
        wrapped = flat_user_data(text_field(winlog.get("provider_name")), text_field(winlog.get("channel")),
                            event_id, event_data)
    computer = (text_field(winlog.get("computer_name")) or text_field(host.get("hostname"))
                or text_field(host.get("name")))
    provider = text_field(winlog.get("provider_name")) or text_field(event.get("provider"))
    record = evtx_record(event_id=event_id, provider=provider, channel=text_field(winlog.get("channel")),
                         computer=computer, record_id=winlog.get("record_id"), when=when,
                         event_data=event_data, user_data=wrapped, message=text_field(doc.get("message")))
    return record, None
