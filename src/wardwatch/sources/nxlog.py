"""NXLog `im_msvistalog` events written with `to_json()`: flat keys, the event's data fields at the top level."""
from __future__ import annotations

from typing import Any

from .canonical import evtx_record, int_field, text_field
from .winxml import utc_iso

# NXLog's own fields (im_msvistalog and the core): everything else at the top level is the event's data.
META = {
    "EventTime", "EventReceivedTime", "Hostname", "Keywords", "EventType", "SeverityValue", "Severity", "EventID",
    "SourceName", "ProviderGuid", "Version", "Task", "OpcodeValue", "Opcode", "RecordNumber", "ActivityID",
    "RelatedActivityID", "ProcessID", "ThreadID", "Channel", "Domain", "AccountName", "UserID", "AccountType",
    "Category", "Message", "SourceModuleName", "SourceModuleType", "MessageSourceAddress", "EventData",
    "Qualifiers", "ERRORMSG", "raw_event", "SyslogFacility", "SyslogFacilityValue", "SyslogSeverity",
    "SyslogSeverityValue", "UserData",
}


def looks_like(item: dict[str, Any]) -> bool:
    """NXLog's shape: EventID with SourceName or Channel, and its EventTime or Hostname keys."""
    return "EventID" in item and ("SourceName" in item or "Channel" in item) and \
        ("EventTime" in item or "Hostname" in item or "RecordNumber" in item)


def convert(item: dict[str, Any], assumed_zone: str = "+09:00") -> tuple[str | None, str | None, bool]:
    """(record, why not, whether the time lacked a zone). EventTime without an offset is NXLog's local time:
    it is read in `assumed_zone` (the hospital's, JST by default) and the caller says so once."""
    event_id = int_field(item.get("EventID"))
    if event_id is None:
        return None, "no numeric EventID", False
    raw_time = text_field(item.get("EventTime")) or text_field(item.get("EventReceivedTime"))
    when, zoned = utc_iso(raw_time) if raw_time else (None, False)
    if raw_time and when is not None and not zoned:
        when, _ = utc_iso(raw_time.strip() + assumed_zone)
    if when is None:
        return None, f"unreadable EventTime {str(raw_time)[:40]!r}", False
    data = {k: v for k, v in item.items() if k not in META and not isinstance(v, (dict, list))}
    nested = item.get("EventData")
    if isinstance(nested, dict):  # some NXLog configurations keep the data fields in an object
        data.update(nested)
    provider, channel = text_field(item.get("SourceName")), text_field(item.get("Channel"))
    message = text_field(item.get("Message"))
    if not data and message:  # unnamed data (MsiInstaller, SQL Server ...): NXLog keeps only the message
        data = {"Data": message}
    record = evtx_record(event_id=event_id, provider=provider, channel=channel,
                         computer=text_field(item.get("Hostname")), record_id=item.get("RecordNumber"), when=when,
                         event_data=data, user_data=user_data(provider, channel, event_id, data), message=message)
    return record, None, not zoned


def user_data(provider: str | None, channel: str | None, event_id: int,
              data: dict[str, Any]) -> dict[str, Any] | None:
    """Flat fields of an event that Windows keeps under <UserData> (1102, TerminalServices ...), put back there."""
    from .winjson import event_fields  # here: winjson imports this module

    table = event_fields()
    for source in (provider, channel):
        spec = table.get((source.lower(), event_id)) if source else None
        if spec is not None and spec.userdata:
            return {spec.userdata: data}
    return None
