"""Read `Get-WinEvent | ConvertTo-Json` exports and event JSON lines into evtx-style JSON."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import yaml

from wardwatch.model import ReadProblem
from wardwatch.sources import nxlog, winlogbeat
from wardwatch.sources.base import FileReader
from wardwatch.sources.canonical import int_field as _number
from wardwatch.sources.winxml import ProblemLog, as_int, decode_text, format_utc, utc_iso

FIELDS_FILE = Path(__file__).with_name("eventfields.yml")
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
_MS_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")
_TYPE_NAME = re.compile(r"System(?:\.[A-Za-z_][\w`]*)+(?:\[\])?")
_POSITION = re.compile(r":?\s*line \d+ column \d+ \(char \d+\)$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MASK64 = (1 << 64) - 1
_PLURALS = {"line": "broken lines", "event": "unreadable events"}


@dataclass(frozen=True)
class EventFields:
    """How to name one event's positional values (one entry of eventfields.yml)."""

    variants: tuple[tuple[str, ...], ...]
    hex: frozenset[str] = frozenset()
    userdata: str | None = None
    xmlns: str | None = None

    def names(self, count: int) -> tuple[str, ...]:
        """Names for `count` values: the variant of that length; with one variant, as many as fit
        (older versions are prefixes, newer extras stay unnamed); else none (all unnamed)."""
        for variant in self.variants:
            if len(variant) == count:
                return variant
        return self.variants[0][:count] if len(self.variants) == 1 else ()


@cache
def event_fields() -> dict[tuple[str, int], EventFields]:
    """eventfields.yml as {(provider or channel, lowercased; event id): EventFields}."""
    table: dict[tuple[str, int], EventFields] = {}
    raw = yaml.safe_load(FIELDS_FILE.read_text(encoding="utf-8")) or {}
    for source, events in raw.items():
        for event_id, spec in events.items():
            fields = spec["fields"]
            variants = tuple(tuple(v) for v in fields) if isinstance(fields[0], list) else (tuple(fields),)
            table[(str(source).lower(), int(event_id))] = EventFields(
                variants, frozenset(spec.get("hex", ())), spec.get("userdata"), spec.get("xmlns")
            )
    return table


def looks_like_json(head: bytes) -> bool:
    """True when the first bytes, after a BOM and whitespace, open a JSON object or array."""
    text, _ = decode_text(head)
    return text.lstrip()[:1] in ("{", "[")


def read_json(data: bytes | Path, name: str, problems: list[ReadProblem]) -> Iterator[str]:
    """Yield each event of a JSON array / object / JSON-lines file as evtx-style JSON; report bad parts.

    UTF-8 JSON lines on disk are streamed line by line; a JSON document (Get-WinEvent's array) is read whole."""
    state = _State(ProblemLog(name, problems))
    if isinstance(data, Path):
        lines = _utf8_json_lines(data)
        if lines is not None:
            yield from _read_lines(lines, state)
            state.finish()
            return
        data = data.read_bytes()
    text, complaint = decode_text(data)
    if complaint:
        state.log.add("encoding", *complaint)
    start = len(text) - len(text.lstrip())
    if start == len(text):
        state.log.add("empty", "file", "the file is empty", skipped_file=True)
        return
    if text[start] == "{" and _first_line_is_object(text, start):
        yield from _read_lines(_lines(text), state)
    else:
        yield from _read_document(text, start, state)
    state.finish()


@dataclass
class _State:
    """What one file's reading has seen so far."""

    log: ProblemLog
    events: int = 0
    others: int = 0
    first_other: str = ""
    notes: set[str] = field(default_factory=set)

    def take(self, item: Any, where: str) -> str | None:
        """Convert one parsed item; count it as not-an-event when it is none."""
        if isinstance(item, dict):
            inner = item.get("Event")
            if isinstance(inner, dict) and isinstance(inner.get("System"), dict):
                self.events += 1
                _fix_numbers(inner["System"])
                return orjson.dumps(item).decode()
            if "Id" in item and ("ProviderName" in item or "LogName" in item):
                out = _from_winevent(item, where, self)
                self.events += 1 if out is not None else 0
                return out
            if nxlog.looks_like(item):
                out, why, unzoned = nxlog.convert(item)
                if unzoned and "nxlog-zone" not in self.notes:
                    self.notes.add("nxlog-zone")
                    self.log.add("zone", where, "NXLog EventTime has no time zone; it was read as Japan time "
                                 "(+09:00). Add the zone in NXLog (EventTime with an offset) to be sure.")
                return self._converted(out, why, where)
            if winlogbeat.looks_like(item):
                return self._converted(*winlogbeat.convert(item), where)
        self.others += 1
        self.first_other = self.first_other or where
        return None

    def _converted(self, out: str | None, why: str | None, where: str) -> str | None:
        if out is None:
            self.log.add("event", where, f"{why}; the event was skipped")
        else:
            self.events += 1
        return out

    def finish(self) -> None:
        if self.events == 0 and self.others:
            self.log.add("empty", "file", "not Windows events: the JSON holds neither Get-WinEvent objects, "
                         "{\"Event\": ...} records, NXLog nor Winlogbeat events", skipped_file=True)
        elif self.others:
            self.log.add("other", self.first_other, f"{self.others} item(s) that are not Windows events were "
                         f"skipped (the first is here)")
        elif self.events == 0 and "empty" not in self.log.counts:
            self.log.add("empty", "file", "no events could be read from this file", skipped_file=True)
        self.log.finish(_PLURALS)


def _first_line_is_object(text: str, start: int) -> bool:
    end = text.find("\n", start)
    try:
        return isinstance(orjson.loads(text[start:end if end >= 0 else len(text)]), dict)
    except orjson.JSONDecodeError:
        return False


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) split on \\n only: JSON strings may hold U+2028 and friends."""
    pos, number = 0, 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        number += 1
        yield number, text[pos:end]
        pos = end + 1


def _reason(exc: json.JSONDecodeError) -> str:
    return _POSITION.sub("", exc.msg)


HEAD_BYTES = 1 << 16


def _utf8_json_lines(path: Path) -> Iterator[tuple[int, bytes]] | None:
    """(line number, line) of a UTF-8 JSON-lines file, read as it goes; None for anything else."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    first = body.lstrip()
    end = first.find(b"\n")
    if not first.startswith(b"{") or end < 0 or b"\x00" in body[:4]:
        return None
    try:
        if not isinstance(orjson.loads(first[:end].decode("utf-8", errors="replace")), dict):
            return None
    except orjson.JSONDecodeError:
        return None
    return _file_lines(path, len(head) - len(body))


def _file_lines(path: Path, skip: int) -> Iterator[tuple[int, bytes]]:
    with open(path, "rb") as fh:
        fh.seek(skip)
        yield from enumerate(fh, 1)


def _read_lines(lines: Iterator[tuple[int, str | bytes]], state: _State) -> Iterator[str]:
    for number, line in lines:
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            item = _replacing_bad_bytes(line, where, state)
            if item is None:
                state.log.add("line", where, f"not valid JSON ({_reason(exc)}); the line was skipped")
                continue
        out = state.take(item, where)
        if out is not None:
            yield out


def _replacing_bad_bytes(line: str | bytes, where: str, state: _State) -> Any:
    """A line of bytes that are not all UTF-8: read with the bad bytes replaced (and say so once), else None."""
    if isinstance(line, str):
        return None
    text = line.decode("utf-8", errors="replace")
    if "\ufffd" not in text:
        return None
    try:
        item = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    state.log.once("encoding", where, "the file is not valid UTF-8 text here; unreadable bytes were replaced")
    return item


def _read_document(text: str, start: int, state: _State) -> Iterator[str]:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if text[start] == "[":
            yield from _salvage_array(text, start, state)
        elif next(_parsable_lines(text), None) is not None:
            yield from _read_lines(_lines(text), state)
        else:
            state.log.add("empty", f"line {exc.lineno}", f"not valid JSON ({_reason(exc)}); nothing could be "
                          "read", skipped_file=True)
        return
    items = doc if isinstance(doc, list) else [doc]
    for number, item in enumerate(items, 1):
        out = state.take(item, f"event {number}")
        if out is not None:
            yield out


def _parsable_lines(text: str) -> Iterator[int]:
    """Numbers of the lines that hold a whole JSON object (to tell broken JSON lines from broken JSON)."""
    for number, line in _lines(text):
        if line.lstrip().startswith("{"):
            try:
                if isinstance(orjson.loads(line), dict):
                    yield number
            except orjson.JSONDecodeError:
                pass


def _salvage_array(text: str, start: int, state: _State) -> Iterator[str]:
    """Read a broken JSON array item by item, keeping what comes before the break."""
    decoder = json.JSONDecoder()
    pos, number = start + 1, 0
    while True:
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == "]" and number == 0:
            return
        number += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            message = f"broken JSON ({exc.msg}) in event {number}; this and the rest of the file could not be read"
            state.log.add("broken", f"line {exc.lineno}", message)
            return
        out = state.take(item, f"event {number}")
        if out is not None:
            yield out
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if pos >= len(text) or text[pos] != "]":
            line = text.count("\n", 0, pos) + 1
            state.log.add("broken", f"line {line}", f"broken JSON after event {number} (expected ',' or ']'); "
                          "the rest of the file could not be read")
        return


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


# --- Get-WinEvent objects ------------------------------------------------------------------------


def _from_winevent(item: dict[str, Any], where: str, state: _State) -> str | None:
    event_id = _number(item.get("Id"))
    if not isinstance(event_id, int):
        state.log.add("event", where, "the event has no numeric Id; it was skipped")
        return None
    when, zone_known = _time(item.get("TimeCreated"))
    if when is None:
        state.log.add("event", where, f"unreadable TimeCreated {str(item.get('TimeCreated'))[:60]!r}; "
                      "the event was skipped")
        return None
    if not zone_known and "zone" not in state.notes:
        state.notes.add("zone")
        state.log.add("zone", where, "TimeCreated has no time zone; it was taken as UTC. Export with "
                      "PowerShell 7, or with times converted by .ToUniversalTime(), to be sure.")
    provider = _string(item.get("ProviderName"))
    channel = _string(item.get("LogName")) or _string(item.get("ContainerLog"))
    values, lossy = _values(item.get("Properties"))
    if lossy and "lossy" not in state.notes:
        state.notes.add("lossy")
        state.log.add("lossy", where, "some values were cut off by ConvertTo-Json's depth limit (a .NET type "
                      "name such as 'System.Security.Principal.SecurityIdentifier' stands where the value "
                      "was); they are left empty. Export again with ConvertTo-Json -Depth 4.")
    event: dict[str, Any] = {"#attributes": {"xmlns": EVENT_NS}}
    event["System"] = _system(item, provider, channel, event_id, when)
    spec = _lookup(provider, channel, event_id)
    if spec is not None and spec.userdata:
        event["UserData"] = {spec.userdata: _named(values, spec, with_ns=True)}
    elif spec is not None:
        event["EventData"] = _named(values, spec, with_ns=False) or None
    elif values:
        event["EventData"] = {"Data": {"#text": values if len(values) > 1 else values[0]}}
    message = item.get("Message")
    if isinstance(message, str) and message:
        event["RenderingInfo"] = {"Message": message}
    return orjson.dumps({"Event": event}).decode()


def _fix_numbers(system: dict[str, Any]) -> None:
    """EventID and EventRecordID as ints when another tool wrote them as digit strings."""
    eid = system.get("EventID")
    if isinstance(eid, dict):
        eid["#text"] = as_int(eid.get("#text"))
    else:
        system["EventID"] = as_int(eid)
    if "EventRecordID" in system:
        system["EventRecordID"] = as_int(system["EventRecordID"])


def _lookup(provider: str | None, channel: str | None, event_id: int) -> EventFields | None:
    table = event_fields()
    for source in (provider, channel):
        if source and (source.lower(), event_id) in table:
            return table[(source.lower(), event_id)]
    return None


def _named(values: list[Any], spec: EventFields, with_ns: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"#attributes": {"xmlns": spec.xmlns}} if with_ns and spec.xmlns else {}
    names = spec.names(len(values))
    for key, value in zip(names, values, strict=False):
        if key in spec.hex and isinstance(value, int) and not isinstance(value, bool):
            value = f"0x{value & _MASK64:x}"
        out[key] = value
    extra = values[len(names):]
    if extra:
        out["Data"] = {"#text": extra if len(extra) > 1 else extra[0]}
    return out


def _system(item: dict[str, Any], provider: str | None, channel: str | None, event_id: int,
            when: str) -> dict[str, Any]:
    provider_attrs: dict[str, Any] = {"Name": provider} if provider else {}
    guid = _guid(item.get("ProviderId"))
    if guid:
        provider_attrs["Guid"] = guid
    qualifiers = _number(item.get("Qualifiers"))
    system: dict[str, Any] = {"Provider": {"#attributes": provider_attrs}}
    system["EventID"] = {"#attributes": {"Qualifiers": qualifiers}, "#text": event_id} \
        if isinstance(qualifiers, int) else event_id
    for key, source in (("Version", "Version"), ("Level", "Level"), ("Task", "Task"), ("Opcode", "Opcode")):
        value = _number(item.get(source))
        if isinstance(value, int):
            system[key] = value
    keywords = item.get("Keywords")
    if isinstance(keywords, int):
        system["Keywords"] = f"0x{keywords & _MASK64:x}"
    elif isinstance(keywords, str):
        system["Keywords"] = keywords
    system["TimeCreated"] = {"#attributes": {"SystemTime": when}}
    system["EventRecordID"] = _number(item.get("RecordId"))
    activity = _guid(item.get("ActivityId"))
    system["Correlation"] = {"#attributes": {"ActivityID": activity}} if activity else None
    execution = {k: v for k, v in (("ProcessID", _number(item.get("ProcessId"))),
                                   ("ThreadID", _number(item.get("ThreadId")))) if isinstance(v, int)}
    if execution:
        system["Execution"] = {"#attributes": execution}
    system["Channel"] = channel
    system["Computer"] = _string(item.get("MachineName"))
    user, _ = _scalar(item.get("UserId"))
    system["Security"] = {"#attributes": {"UserID": user}} if isinstance(user, str) and user else None
    return system


def _values(properties: Any) -> tuple[list[Any], bool]:
    """Get-WinEvent's Properties as plain values, and whether any was lost to the depth limit."""
    if not isinstance(properties, list):  # a type name instead of the list: cut off one level higher
        return [], isinstance(properties, str) and properties.startswith("System.")
    values: list[Any] = []
    lossy = False
    for prop in properties:
        raw = prop["Value"] if isinstance(prop, dict) and "Value" in prop else prop
        value, lost = _scalar(raw)
        lossy = lossy or lost
        values.append(value)
    return values, lossy


def _scalar(value: Any) -> tuple[Any, bool]:
    """One property value as evtx would show it; True when it is a depth-limit placeholder."""
    if isinstance(value, str):
        if _TYPE_NAME.fullmatch(value):
            return None, True
        date = _MS_DATE.fullmatch(value)
        if date:
            return format_utc(_EPOCH + timedelta(milliseconds=int(date.group(1)))), False
        return value, False
    if isinstance(value, dict):
        for key in ("Value", "value", "Guid"):  # SecurityIdentifier, DateTime with notes, Guid (5.1)
            if key in value:
                inner, lost = _scalar(value[key])
                return inner, lost
        return orjson.dumps(value).decode(), False
    if isinstance(value, list):
        if value and all(isinstance(b, int) and 0 <= b < 256 for b in value):
            return bytes(value).hex().upper(), False
        parts = [_scalar(v) for v in value]
        return [p for p, _ in parts], any(lost for _, lost in parts)
    return value, False


def _time(value: Any) -> tuple[str | None, bool]:
    """TimeCreated in any ConvertTo-Json form to evtx's UTC text; also whether its zone was known."""
    if isinstance(value, dict):
        value = value.get("value", value.get("DateTime"))
    if not isinstance(value, str):
        return None, True
    date = _MS_DATE.fullmatch(value.strip())
    if date:  # /Date(ms)/ counts milliseconds since 1970 in UTC; a +hhmm suffix only notes the zone
        try:
            return format_utc(_EPOCH + timedelta(milliseconds=int(date.group(1)))), True
        except OverflowError:
            return None, True
    iso, zone_known = utc_iso(value)
    return iso, zone_known


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _guid(value: Any) -> str | None:
    text, _ = _scalar(value)
    if not isinstance(text, str) or text.strip("{}") in ("", "00000000-0000-0000-0000-000000000000"):
        return None
    return text


# Get-WinEvent | ConvertTo-Json documents and JSON lines (evtx_dump, Hayabusa-style, NXLog, Winlogbeat).
JSON_READER = FileReader("json", looks_like_json, read_json)
