"""Windows events carried in syslog lines: Snare / NXLog `MSWinEventLog` tab fields, or NXLog / Winlogbeat JSON.

A syslog file (or a stored collector segment) may hold Windows events beside firewall lines. `is_windows`
tells such a line; `records` turns those lines into the canonical records every reader yields, reporting each
line that cannot be converted. The Snare field order (after the literal `MSWinEventLog`): criticality, log
name, Snare counter, date ("Mon Oct 31 04:07:12 2022"), event id, source, user, SID type, event log type,
computer, category, data string (the rendered message), then optional expanded string and counter / MD5. The
message text's labelled lines (English, as Windows renders them: "Account Name:", "Source Network Address:")
are read back into the event's named fields for the events the rules use (see `_LABELS`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson

from ..model import ReadProblem
from .canonical import evtx_record, int_field
from .winxml import ProblemLog, format_utc

if TYPE_CHECKING:
    from .winjson import _State

ASSUMED_ZONE = timezone(timedelta(hours=9))  # a Snare date has no zone: read as Japan time, said once per file
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"), start=1)}
_SNARE_DATE = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})")
_JSON_HINT = re.compile(r'"(?:EventID"|winlog[."]|Event"\s*:)')
_VALUE_END = re.compile(r"\r?\n| {2,}|\t")  # a value ends at a line end, or where Snare turned one into spaces
_TRAILER = re.compile(r"\d+|[0-9a-fA-F]{32}|N/A")  # Snare's closing event counter or MD5 checksum
_PLURALS = {"line": "unreadable Windows event lines", "event": "unreadable events"}

# Section headings of the Security message text, and whose account their "Account Name:" lines name.
_SECTIONS = {
    "Subject": "Subject", "Creator Subject": "Subject", "New Logon": "Target", "Target Subject": "Target",
    "Account For Which Logon Failed": "Target", "Account Whose Credentials Were Used": "Target",
    "New Account": "TargetAccount", "Target Account": "TargetAccount", "Account That Was Locked Out": "TargetAccount",
    "Account Information": "TargetAccount", "Member": "Member", "Group": "Group",
    **dict.fromkeys(("Logon Information", "Failure Information", "Process Information", "Network Information",
                     "Detailed Authentication Information", "Service Information", "Target Server",
                     "Certificate Information", "Attributes", "Additional Information"), ""),
}
_ACCOUNT = {  # (section kind, label) -> field
    **{(kind, label): f"{kind}{name}" for kind in ("Subject", "Target") for label, name in (
        ("Security ID", "UserSid"), ("Account Name", "UserName"), ("Account Domain", "DomainName"),
        ("Domain Name", "DomainName"), ("Logon ID", "LogonId"))},
    ("TargetAccount", "Security ID"): "TargetSid", ("TargetAccount", "Account Name"): "TargetUserName",
    ("TargetAccount", "Account Domain"): "TargetDomainName", ("Member", "Security ID"): "MemberSid",
    ("Member", "Account Name"): "MemberName", ("Group", "Security ID"): "TargetSid",
    ("Group", "Group Name"): "TargetUserName", ("Group", "Group Domain"): "TargetDomainName",
}
_SECURITY: dict[str, str | None] = {  # labels of the Security log's messages whose field does not depend on the section
    "Logon Type": "LogonType", "Workstation Name": "WorkstationName", "Source Network Address": "IpAddress",
    "Source Port": "IpPort", "Network Address": "IpAddress", "Port": "IpPort", "Logon Process": "LogonProcessName",
    "Authentication Package": "AuthenticationPackageName", "Package Name (NTLM only)": "LmPackageName",
    "Transited Services": "TransmittedServices", "Key Length": "KeyLength", "Failure Reason": "FailureReason",
    "Status": "Status", "Sub Status": "SubStatus", "Failure Code": "Status", "Error Code": "Status",
    "Process ID": "ProcessId", "Process Name": "ProcessName", "Caller Process ID": "ProcessId",
    "Caller Process Name": "ProcessName", "New Process ID": "NewProcessId", "New Process Name": "NewProcessName",
    "Creator Process ID": "ProcessId", "Creator Process Name": "ParentProcessName",
    "Process Command Line": "CommandLine", "Token Elevation Type": "TokenElevationType",
    "Mandatory Label": "MandatoryLabel", "Logon GUID": "LogonGuid", "Impersonation Level": "ImpersonationLevel",
    "Restricted Admin Mode": "RestrictedAdminMode", "Virtual Account": "VirtualAccount",
    "Elevated Token": "ElevatedToken", "Linked Logon ID": "TargetLinkedLogonId",
    "Network Account Name": "TargetOutboundUserName", "Network Account Domain": "TargetOutboundDomainName",
    "Privileges": "PrivilegeList", "Service Name": "ServiceName", "Service File Name": "ServiceFileName",
    "Service Type": "ServiceType", "Service Start Type": "ServiceStartType", "Service Account": "ServiceAccount",
    "Target Server Name": "TargetServerName", "Additional Information": "TargetInfo",
    "Logon Account": "TargetUserName", "Source Workstation": "Workstation", "Client Address": "IpAddress",
    "Client Port": "IpPort", "Caller Computer Name": "TargetDomainName", "SAM Account Name": "SamAccountName",
    "Display Name": "DisplayName", "Group Name": None, "Group Domain": None, "Security ID": None,
    "Account Name": None, "Account Domain": None, "Domain Name": None, "Logon ID": None,
}
_LSM: dict[str, str | None] = {"User": "User", "Session ID": "SessionID", "Source Network Address": "Address"}
_LABELS: dict[tuple[str, int], dict[str, str | None]] = {
    **{("microsoft-windows-security-auditing", n): _SECURITY for n in (
        4624, 4625, 4634, 4647, 4648, 4672, 4688, 4697, 4720, 4722, 4724, 4725, 4726, 4728, 4732, 4740, 4756,
        4771, 4776)},
    **{("security", n): _SECURITY for n in (4624, 4625, 4648, 4672, 4688, 4697, 4720, 4732, 4776, 1102)},
    ("microsoft-windows-eventlog", 1102): _SECURITY,
    ("service control manager", 7045): {"Service Name": "ServiceName", "Service File Name": "ImagePath",
                                        "Service Type": "ServiceType", "Service Start Type": "StartType",
                                        "Service Account": "AccountName"},
    ("microsoft-windows-terminalservices-remoteconnectionmanager", 1149): {
        "User": "Param1", "Domain": "Param2", "Source Network Address": "Param3"},
    **{("microsoft-windows-terminalservices-localsessionmanager", n): _LSM for n in (21, 22, 24, 25)},
}


def is_windows(line: str) -> bool:
    """True for a syslog line that carries a Windows event (Snare tab fields, or event JSON)."""
    return "MSWinEventLog\t" in line or ("{" in line and _JSON_HINT.search(line) is not None)


def records(lines: Iterable[tuple[int, str]], name: str, problems: list[ReadProblem]) -> Iterator[str]:
    """The canonical records of the Windows-event lines among (line number, line); other lines are passed over.

    A Windows-event line that cannot be converted is reported with its line number and skipped."""
    # imported here: winjson imports the readers it recognises
    from .winjson import _State as State

    log = ProblemLog(name, problems)
    state = State(log)
    for number, line in lines:
        if not is_windows(line):
            continue
        where = f"line {number}"
        try:
            out = _convert(line, where, state)
        except Exception as exc:  # noqa: BLE001 - one bad line never stops the file
            log.add("line", where, f"unreadable Windows event ({type(exc).__name__}: {exc}); the line was skipped")
            continue
        if out is not None:
            yield out
    log.finish(_PLURALS)


def _convert(line: str, where: str, state: _State) -> str | None:
    fields = line.rstrip("\r\n").split("\t")
    start = next((i for i, f in enumerate(fields) if f.rstrip().endswith("MSWinEventLog")), None)
    if start is not None:
        rest = fields[start + 1:]
        brace = next((i for i, f in enumerate(rest[:3]) if f.lstrip().startswith("{")), None)
        if brace is None:
            return _snare(rest, where, state)
        line = "\t".join(rest[brace:])
    return _json(line, where, state)


def _json(line: str, where: str, state: _State) -> str | None:
    """NXLog / Winlogbeat / evtx-shaped JSON after the syslog header (and a tag such as `nxlog:`)."""
    brace = line.find("{")
    if brace < 0:
        state.log.add("line", where, "MSWinEventLog line with neither tab fields nor JSON; the line was skipped")
        return None
    try:
        item = orjson.loads(line[brace:].strip())
    except orjson.JSONDecodeError as exc:
        state.log.add("line", where, f"the Windows event JSON is broken ({str(exc).split(':')[0]}); the line was "
                      "skipped")
        return None
    others = state.others
    out = state.take(item, where)
    if out is None and state.others > others:
        state.log.add("line", where, "JSON that is not a Windows event (no NXLog EventID, winlog.* or Event.System); "
                      "the line was skipped")
    return out


def _snare(fields: list[str], where: str, state: _State) -> str | None:
    """One event from the tab fields after `MSWinEventLog` (a repeated criticality field is tolerated)."""
    day = next((i for i, f in enumerate(fields[:6]) if _SNARE_DATE.fullmatch(f.strip())), None)
    if day is None or day < 2 or len(fields) < day + 8:
        state.log.add("line", where, "MSWinEventLog line without its date, event id and computer fields; the line "
                      "was skipped")
        return None
    def at(k: int) -> str:
        return fields[day + k].strip() if day + k < len(fields) else ""

    event_id = int_field(at(1))
    if event_id is None:
        state.log.add("line", where, f"MSWinEventLog line with no numeric event id ({at(1)[:20]!r}); the line was "
                      "skipped")
        return None
    when = _snare_time(fields[day].strip())
    if when is None:
        state.log.add("line", where, f"unreadable MSWinEventLog date {fields[day].strip()!r}; the line was skipped")
        return None
    if "snare-zone" not in state.notes:
        state.notes.add("snare-zone")
        state.log.add("zone", where, "MSWinEventLog dates have no time zone; they were read as Japan time "
                      "(+09:00). Set the forwarder to send UTC or JSON with offsets to be sure.")
    channel, provider, user, computer = fields[day - 2].strip(), at(2), at(3), at(6)
    texts = [f.strip() for f in fields[day + 8:]]
    while texts and (not texts[-1] or _TRAILER.fullmatch(texts[-1])):
        texts.pop()
    message = next((t for t in texts if t and t != "N/A"), "")
    data = message_fields(message, provider, channel, event_id)
    if not data and message:
        data = {"Data": message}  # unnamed data (MsiInstaller ...): the message text is what there is
    _subject_from_user(data, user, provider, channel, event_id)
    from .nxlog import user_data

    record = evtx_record(event_id=event_id, provider=provider or None, channel=channel or None,
                         computer=computer or None, record_id=None, when=when, event_data=data,
                         user_data=user_data(provider, channel, event_id, data), message=message or None)
    state.events += 1
    return record


def _snare_time(text: str) -> str | None:
    m = _SNARE_DATE.fullmatch(text)
    if m is None or m.group(1) not in _MONTHS:
        return None
    try:
        local = datetime(int(m.group(6)), _MONTHS[m.group(1)], int(m.group(2)), int(m.group(3)), int(m.group(4)),
                         int(m.group(5)), tzinfo=ASSUMED_ZONE)
    except ValueError:
        return None
    return format_utc(local)


def _subject_from_user(data: dict[str, Any], user: str, provider: str, channel: str, event_id: int) -> None:
    """Snare's user column (DOMAIN\\user) as the subject of an event whose text does not name it (104 log cleared)."""
    if not user or user == "N/A" or "SubjectUserName" in data:
        return
    from .winjson import event_fields

    table = event_fields()
    spec = table.get((provider.lower(), event_id)) or table.get((channel.lower(), event_id))
    if spec is None or "SubjectUserName" not in spec.variants[0]:
        return
    domain, _, name = user.rpartition("\\")
    data["SubjectUserName"] = name
    if domain:
        data["SubjectDomainName"] = domain


def message_fields(text: str, provider: str | None, channel: str | None, event_id: int) -> dict[str, Any]:
    """Named fields from the labelled lines of an event's English message text ({} for an event not in `_LABELS`).

    Works on the text as Windows renders it (one label a line) and as Snare sends it (tabs and line ends
    turned into spaces): a value ends at the next known label, at a line end, or at a run of two spaces."""
    labels = _LABELS.get(((provider or "").lower(), event_id)) or _LABELS.get(((channel or "").lower(), event_id))
    if labels is None or not text:
        return {}
    out: dict[str, Any] = {}
    section = ""
    matches = list(_pattern(tuple(labels)).finditer(text))
    for m, following in zip(matches, [*matches[1:], None], strict=False):  # no match: nothing to pair
        label = m.group(1)
        raw = text[m.end():following.start() if following is not None else len(text)]
        value = _VALUE_END.split(raw.strip(" \t"), maxsplit=1)[0].strip() if raw.strip() else ""
        if label in _SECTIONS and (not value or label not in labels):
            section = _SECTIONS[label]
            continue
        field = _ACCOUNT.get((section, label)) or labels.get(label)
        if field and field not in out:
            out[field] = value
    return out


@cache
def _pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """Any known label or heading followed by ':' at a word start (labels are capitalised; longest first)."""
    names = sorted(set(labels) | set(_SECTIONS), key=len, reverse=True)
    return re.compile(r"(?<!\S)(?=[A-Z])(" + "|".join(re.escape(n) for n in names) + r"):")
