"""Read `wevtutil qe /f:xml` exports (bare <Event> elements or under one root) into evtx-style JSON.

A clean file is streamed through one expat parser (flat memory, no parser to build per event).
At the first sign of trouble (bad bytes, a DTD, broken XML, stray text, an event without an EventID) the
reader goes over the file again event by event from there, to report each problem with its line and go on."""
from __future__ import annotations

import codecs
import io
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

import orjson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from wardwatch.model import ReadProblem
from wardwatch.sources.base import FileReader

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?", re.I
)
_EVENT_START = re.compile(r"<Event(?=[\s>/])")
_EVENT_END = re.compile(r"</Event\s*>")
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)")
# What may stand between events: XML declaration, comments, a root element's tags, whitespace.
_BETWEEN = re.compile(r"<\?.*?\?>|<!--.*?-->|</?[A-Za-z_][\w.:-]*(?:\s[^<>]*)?/?>", re.S)
_POSITION = re.compile(r":?\s*line \d+, column \d+$")
_INT_FIELDS = ("Version", "Level", "Task", "Opcode", "EventRecordID")
_INT_EXECUTION = ("ProcessID", "ThreadID", "ProcessorID", "SessionID", "KernelTime", "UserTime", "ProcessorTime")
MAX_REPORTS = 20  # per kind of problem and file; the rest are counted in one closing line


class ProblemLog:
    """Appends a file's problems to the shared list, at most MAX_REPORTS of each kind."""

    def __init__(self, name: str, problems: list[ReadProblem]) -> None:
        self.name = name
        self.problems = problems
        self.counts: dict[str, int] = {}
        self.more: dict[str, str] = {}

    def add(self, kind: str, where: str, message: str, skipped_file: bool = False) -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= MAX_REPORTS:
            self.problems.append(ReadProblem(self.name, where, message, skipped_file))

    def once(self, kind: str, where: str, message: str) -> None:
        if kind not in self.counts:
            self.add(kind, where, message)

    def finish(self, what: dict[str, str]) -> None:
        """Say how many of each kind were left out; what maps a kind to its plural noun."""
        for kind, n in self.counts.items():
            if n > MAX_REPORTS:
                self.problems.append(
                    ReadProblem(self.name, "file", f"{n - MAX_REPORTS} more {what.get(kind, 'problems')} not listed")
                )


def _encoding(head: bytes) -> tuple[int, str]:
    """(BOM length, encoding) from a file's first bytes: UTF-8 or UTF-16 by BOM, or by NUL bytes."""
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return len(bom), enc
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return 0, "utf-16-be"
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return 0, "utf-16-le"
    return 0, "utf-8"


def decode_text(data: bytes) -> tuple[str, tuple[str, str] | None]:
    """Decode UTF-8 or UTF-16 (by BOM, or by NUL bytes); also (where, message) when bytes were bad."""
    skip, encoding = _encoding(data[:4])
    body = data[skip:] if skip else data
    try:
        return body.decode(encoding), None
    except UnicodeDecodeError as exc:
        text = body.decode(encoding, errors="replace")
        message = f"the file is not valid {encoding.upper()} text here; unreadable bytes were replaced"
        return text, (f"byte {exc.start + skip}", message)


def format_utc(moment: datetime) -> str:
    """A UTC datetime as evtx writes it: YYYY-MM-DDTHH:MM:SS.ffffffZ."""
    m = moment.astimezone(UTC) if moment.tzinfo else moment
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond:06d}Z"
    )


def utc_iso(text: str) -> tuple[str | None, bool]:
    """ISO 8601 text to evtx's UTC form; also whether it named its zone. (None, False) if unreadable."""
    m = _ISO.fullmatch(text.strip())
    if m is None:
        return None, False
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second),
            int((frac or "0")[:6].ljust(6, "0")), tzinfo=UTC,
        )
        if zone and zone.upper() != "Z":
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            moment = moment - offset if zone[0] == "+" else moment + offset
    except (ValueError, OverflowError):
        return None, False
    return format_utc(moment), zone is not None


def as_int(value: Any) -> Any:
    """'4625' -> 4625; anything else unchanged."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def looks_like_xml(head: bytes) -> bool:
    """True when the first bytes, after a BOM and whitespace, open an XML tag."""
    text, _ = decode_text(head)
    return text.lstrip().startswith("<")


def read_xml(data: bytes | Path, name: str, problems: list[ReadProblem]) -> Iterator[str]:
    """Yield each <Event> of a wevtutil XML export as evtx-style JSON; report bad parts to problems."""
    done = 0
    try:
        for event in _stream(data):
            done += 1
            yield event
        return
    except _NotClean:
        pass
    yield from _read_checked(data if isinstance(data, bytes) else data.read_bytes(), name, problems, skip=done)


class _NotClean(Exception):
    """The streaming reader met something the checking reader must explain."""


STREAM_CHUNK = 1 << 20  # characters decoded and parsed at a time


_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
_DTD_WORDS = ("<!DOCTYPE", "<!ENTITY")


def _text_chunks(fh: io.BufferedIOBase) -> Iterator[str]:
    """The file's text, decoded strictly, without its XML declaration; _NotClean where it names a DTD (the
    checking reader refuses such files with the reason: entities can attack a reader)."""
    head = fh.read(4)
    skip, encoding = _encoding(head)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    text = decoder.decode(head[skip:] + fh.read(STREAM_CHUNK))
    m = _DECLARATION.match(text)
    text = text[m.end():] if m else text
    carry = ""
    while True:
        seam = carry + text[:16]  # a DTD word split between two chunks
        if any(w in text or w in seam for w in _DTD_WORDS):
            raise _NotClean
        yield text
        block = fh.read(STREAM_CHUNK)
        if not block:
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
            return
        carry, text = text[-16:], decoder.decode(block)


def _stream(data: bytes | Path) -> Iterator[str]:
    """Every event of a clean file, in order; raises _NotClean at the first problem (events before it stand).

    The file's text goes into one synthetic root, so that a bare sequence of <Event> elements is one document.
    The parser is ElementTree's C one: no DTD can reach it (_text_chunks), and without one XML has no entities
    to expand or fetch."""
    fh = io.BytesIO(data) if isinstance(data, bytes) else open(data, "rb")  # noqa: SIM115 - closed below
    try:
        parser: Any = XMLPullParser(events=("start", "end"))
        parents: list[Element] = []  # the open elements: [synthetic root, (file's root,) event, ...]
        last: Element | None = None  # the event read last (its tail, the text after it, is known later)
        found = 0
        pieces = itertools.chain(["<wardwatch-root>"], _text_chunks(fh), ["</wardwatch-root>"])
        for piece in pieces:
            parser.feed(piece)
            for kind, elem in parser.read_events():
                if kind == "start":
                    parents.append(elem)
                    continue
                parents.pop()
                is_event = _split(elem.tag)[1] == "Event"
                if len(parents) > 2 or (len(parents) == 2 and not is_event):
                    continue  # inside an event
                if last is not None and (last.tail or "").strip():
                    raise _NotClean  # stray text after an event
                if not is_event:  # the file's root or the synthetic one
                    if (elem.text or "").strip():
                        raise _NotClean
                    continue
                if (parents[-1].text or "").strip() or _split(parents[-1].tag)[1] == "Event":
                    raise _NotClean  # stray text before the first event, or an event inside an unclosed one
                event = _convert_event(elem)
                if event is None:
                    raise _NotClean
                found += 1
                yield orjson.dumps({"Event": event}).decode()
                parents[-1].remove(elem)  # memory stays flat
                last = elem
        parser.close()
        if not found:
            raise _NotClean
    except (ParseError, UnicodeDecodeError, ValueError) as exc:
        raise _NotClean from exc
    finally:
        fh.close()


def _read_checked(data: bytes, name: str, problems: list[ReadProblem], skip: int = 0) -> Iterator[str]:
    """Event by event over the whole text, each problem reported with its line; the first `skip` events were
    already read by the streaming reader."""
    log = ProblemLog(name, problems)
    text, complaint = decode_text(data)
    if complaint:
        log.add("encoding", *complaint)
    dtd = _DTD.search(text)
    if dtd:
        log.add(
            "dtd", f"line {text.count(chr(10), 0, dtd.start()) + 1}",
            "the file declares a DOCTYPE or ENTITY; XML with a DTD is refused because entities can attack "
            "the reader (e.g. a 'billion laughs' bomb) and wevtutil never writes one. Export the log again "
            "with wevtutil qe <log> /f:xml.",
            skipped_file=True,
        )
        return
    yielded = found = 0
    before_first: tuple[str, str] | None = None  # stray text before any event: moot if there is no event
    pos, line = 0, 1
    closes = _Closes(text)
    while True:
        start = _EVENT_START.search(text, pos)
        gap_end = start.start() if start else len(text)
        gap_line = line
        line += text.count("\n", pos, gap_end)
        gap = text[pos:gap_end]
        leftover = _BETWEEN.sub("", gap).strip()
        if leftover:
            gap_line += gap.count("\n", 0, len(gap) - len(gap.lstrip()))
            stray = (f"line {gap_line}", f"text outside any <Event> was ignored: {leftover[:60]!r}")
            if found:
                log.add("stray", *stray)
            else:
                before_first = stray
        if start is None:
            break
        if found == 0 and before_first:
            log.add("stray", *before_first)
        found += 1
        end, complete = _event_end(text, start.end(), closes)
        if found <= skip:  # read already, and clean
            yielded += 1
        else:
            event = _parse_event(text[start.start():end], complete, line, end == len(text), log)
            if event is not None:
                yielded += 1
                yield event
        line += text.count("\n", start.start(), end)
        pos = end
    if found == 0:
        log.add("empty", "file", "no Windows events found (expected <Event> elements as written by "
                "wevtutil qe <log> /f:xml)", skipped_file=True)
        return
    if yielded == 0:
        log.add("empty", "file", "none of the events in this XML file could be read", skipped_file=True)
    log.finish({"event": "broken events", "stray": "pieces of stray text"})


class _Closes:
    """Finds the next </Event>, remembering when there is none left (no rescans of a broken tail)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.none_after: int | None = None

    def next(self, after: int) -> re.Match[str] | None:
        if self.none_after is not None and after >= self.none_after:
            return None
        found = _EVENT_END.search(self.text, after)
        if found is None:
            self.none_after = after
        return found


def _event_end(text: str, after: int, closes: _Closes) -> tuple[int, bool]:
    """Where the event that opened just before `after` ends, and whether it has its </Event>."""
    close = closes.next(after)
    following = _EVENT_START.search(text, after)
    if close is None:
        return (following.start() if following else len(text)), False
    if following is not None and following.start() < close.start():
        return following.start(), False
    return close.end(), True


def _parse_event(chunk: str, complete: bool, line: int, at_eof: bool, log: ProblemLog) -> str | None:
    where = f"line {line}"
    if not complete:
        why = "the file ends inside it (cut off?)" if at_eof else "it has no closing </Event>"
        log.add("event", where, f"the event starting here was skipped: {why}")
        return None
    try:
        root = fromstring(chunk, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        err_line = line + getattr(exc, "position", (1, 0))[0] - 1
        reason = _POSITION.sub("", str(exc))
        log.add("event", f"line {err_line}", f"broken XML ({reason}) in the event starting on line {line}; "
                "the event was skipped")
        return None
    except DefusedXmlException as exc:
        log.add("event", where, f"the event uses a DTD or entity, which is refused ({exc}); the event was skipped")
        return None
    event = _convert_event(root)
    if event is None:
        log.add("event", where, "the event has no <System> with an EventID; it was skipped")
        return None
    return orjson.dumps({"Event": event}).decode()


_SPLIT: dict[str, tuple[str, str]] = {}


def _split(tag: str) -> tuple[str, str]:
    """'{ns}Name' -> (ns, Name), cached: the same few dozen tags repeat in every event."""
    parts = _SPLIT.get(tag)
    if parts is None:
        parts = (tag[1:].split("}", 1)[0], tag.rsplit("}", 1)[1]) if tag[:1] == "{" else ("", tag)
        if len(_SPLIT) < 10_000:
            _SPLIT[tag] = parts
    return parts


def _attributes(elem: Element, ns: str, parent_ns: str) -> dict[str, Any]:
    out: dict[str, Any] = {"xmlns": ns} if ns and ns != parent_ns else {}
    for key, value in elem.attrib.items():
        out[_split(key)[1]] = value
    return out


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Insert like evtx does: a repeated key becomes key_1, key_2, ..."""
    if key not in target:
        target[key] = value
        return
    n = 1
    while f"{key}_{n}" in target:
        n += 1
    target[f"{key}_{n}"] = value


def _node(elem: Element, parent_ns: str, empty: str | None) -> Any:
    """An element as evtx renders it: text, {"#attributes", "#text"}, or a mapping of its children."""
    ns = _split(elem.tag)[0]
    attrs = _attributes(elem, ns, parent_ns) if elem.attrib or ns != parent_ns else None
    if len(elem) == 0:
        text = elem.text or empty
        if not attrs:
            return text
        return {"#attributes": attrs, "#text": text} if text else {"#attributes": attrs}
    result: dict[str, Any] = {"#attributes": attrs} if attrs else {}
    for child in elem:
        _put(result, _split(child.tag)[1], _node(child, ns, empty))
    return result


def _event_data(elem: Element, parent_ns: str) -> Any:
    """<Data Name="x">v</Data> become keys; unnamed <Data> items go to "Data": {"#text": [...]}."""
    ns = _split(elem.tag)[0]
    attrs = _attributes(elem, ns, parent_ns)
    out: dict[str, Any] = {"#attributes": attrs} if attrs else {}
    unnamed: list[str] = []
    for child in elem:
        tag = _split(child.tag)[1]
        if tag != "Data":
            _put(out, tag, _node(child, ns, ""))
            continue
        value = (child.text or "") if len(child) == 0 else "".join(child.itertext())
        key = child.get("Name")
        if key is None:
            if not unnamed:
                out["Data"] = {"#text": unnamed}
            unnamed.append(value)
        else:
            _put(out, key, value)
    if len(unnamed) == 1:
        out["Data"] = {"#text": unnamed[0]}
    return out or None


def _fix_system(system: dict[str, Any]) -> bool:
    """Give System the evtx types (ints, UTC time); False when it has no usable EventID."""
    eid = system.get("EventID")
    if isinstance(eid, dict):
        qualifiers = eid.get("#attributes", {}).get("Qualifiers")
        number = as_int(eid.get("#text"))
        if qualifiers in (None, ""):
            system["EventID"] = number
        else:
            eid["#attributes"]["Qualifiers"] = as_int(qualifiers)
            eid["#text"] = number
    else:
        number = system["EventID"] = as_int(eid)
    if not isinstance(number, int):
        return False
    for key in _INT_FIELDS:
        if key in system:
            system[key] = as_int(system[key])
    execution = system.get("Execution")
    if isinstance(execution, dict) and isinstance(execution.get("#attributes"), dict):
        attrs = execution["#attributes"]
        for key in _INT_EXECUTION:
            if key in attrs:
                attrs[key] = as_int(attrs[key])
    created = system.get("TimeCreated")
    if isinstance(created, dict) and isinstance(created.get("#attributes"), dict):
        raw = created["#attributes"].get("SystemTime")
        if isinstance(raw, str):
            iso, _ = utc_iso(raw)  # SystemTime is UTC by definition, with or without its Z
            created["#attributes"]["SystemTime"] = iso or raw
    return True


def _convert_event(root: Element) -> dict[str, Any] | None:
    ns = _split(root.tag)[0]
    event: dict[str, Any] = {"#attributes": {"xmlns": ns}} if ns else {}
    for child in root:
        child_ns, tag = _split(child.tag)
        if tag == "System":
            system = _node(child, ns, None)
            if not isinstance(system, dict) or not _fix_system(system):
                return None
            event["System"] = system
        elif tag == "EventData":
            event["EventData"] = _event_data(child, ns)
        elif tag == "RenderingInfo":
            message = child.find(f"{{{child_ns}}}Message" if child_ns else "Message")
            if message is not None and message.text:
                event["RenderingInfo"] = {"Message": message.text}
        else:
            _put(event, tag, _node(child, ns, ""))
    return event if "System" in event else None


XML_READER = FileReader("xml", looks_like_xml, read_xml)  # wevtutil / Event Viewer XML exports (root or not)
