"""Tests for the wevtutil XML reader: output shape, encodings, roots, unsafe XML and broken events."""
from __future__ import annotations


import orjson
import pytest

from builders.events import assert_sample_4625

from wardwatch.model import ReadProblem
from wardwatch.sources.winxml import looks_like_xml, read_xml, utc_iso

NS = "http://schemas.microsoft.com/win/2004/08/events/event"

# One line per event, as `wevtutil qe Security /f:xml` writes them (single quotes, no root).
EV_4625 = (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>"
    "<EventID>4625</EventID><Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode>"
    "<Keywords>0x8010000000000000</Keywords><TimeCreated SystemTime='2023-01-15T04:07:02.1234567Z'/>"
    "<EventRecordID>184467</EventRecordID><Correlation ActivityID='{b864d168-0b7b-0000-89d1-64b87b0bd201}'/>"
    "<Execution ProcessID='612' ThreadID='4140'/><Channel>Security</Channel><Computer>EMR-SV01</Computer>"
    "<Security/></System><EventData>"
    "<Data Name='SubjectUserSid'>S-1-0-0</Data><Data Name='SubjectUserName'>-</Data>"
    "<Data Name='SubjectDomainName'>-</Data><Data Name='SubjectLogonId'>0x0</Data>"
    "<Data Name='TargetUserSid'>S-1-0-0</Data><Data Name='TargetUserName'>ADMINISTRATOR</Data>"
    "<Data Name='TargetDomainName'>-</Data><Data Name='Status'>0xc000006d</Data>"
    "<Data Name='FailureReason'>%%2313</Data><Data Name='SubStatus'>0xC000006A</Data>"
    "<Data Name='LogonType'>8</Data><Data Name='LogonProcessName'>Advapi  </Data>"
    "<Data Name='AuthenticationPackageName'>NTLM</Data><Data Name='WorkstationName'>EMR-SV01</Data>"
    "<Data Name='TransmittedServices'>-</Data><Data Name='LmPackageName'>-</Data>"
    "<Data Name='KeyLength'>0</Data><Data Name='ProcessId'>0x2a4</Data>"
    "<Data Name='ProcessName'>C:\\Windows\\System32\\svchost.exe</Data>"
    "<Data Name='IpAddress'>-</Data><Data Name='IpPort'>-</Data></EventData></Event>"
)
EV_MSI = (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='MsiInstaller'/><EventID Qualifiers='0'>11707</EventID><Version>0</Version>"
    "<Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>"
    "<TimeCreated SystemTime='2023-01-14T22:41:09.0000000Z'/><EventRecordID>5521</EventRecordID>"
    "<Correlation/><Execution ProcessID='7720' ThreadID='0'/><Channel>Application</Channel>"
    "<Computer>EMR-SV01</Computer><Security UserID='S-1-5-21-1004336348-1177238915-682003330-500'/>"
    "</System><EventData>"
    "<Data>Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully.</Data>"
    "<Data>(NULL)</Data><Data>(NULL)</Data><Data></Data>"
    "<Binary>7B39434438303941462D343534302D344431332D424231442D3135364442363931344531367D</Binary>"
    "</EventData></Event>"
)
EV_LSM21 = (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-TerminalServices-LocalSessionManager' "
    "Guid='{5d896912-022d-40aa-a3a8-4fa5515c76d7}'/><EventID>21</EventID><Version>0</Version>"
    "<Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x1000000000000000</Keywords>"
    "<TimeCreated SystemTime='2023-01-15T04:07:20.5551234Z'/><EventRecordID>1021</EventRecordID>"
    "<Correlation ActivityID='{f4200000-a9c2-0001-7b3b-20f4c2a9d801}'/><Execution ProcessID='1004' ThreadID='4988'/>"
    "<Channel>Microsoft-Windows-TerminalServices-LocalSessionManager/Operational</Channel>"
    "<Computer>EMR-SV01</Computer><Security UserID='S-1-5-18'/></System><UserData>"
    "<EventXML xmlns:auto-ns3='http://schemas.microsoft.com/win/2004/08/events' xmlns='Event_NS'>"
    "<User>EMR-SV01\\Administrator</User><SessionID>3</SessionID><Address>203.0.113.50</Address>"
    "</EventXML></UserData></Event>"
)
EV_1102 = (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-Eventlog' Guid='{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}'/>"
    "<EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode>"
    "<Keywords>0x4020000000000000</Keywords><TimeCreated SystemTime='2023-01-15T05:12:44.8782260Z'/>"
    "<EventRecordID>184990</EventRecordID><Correlation/><Execution ProcessID='1056' ThreadID='2984'/>"
    "<Channel>Security</Channel><Computer>EMR-SV01</Computer><Security/></System><UserData>"
    "<LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>"
    "<SubjectUserSid>S-1-5-21-1004336348-1177238915-682003330-500</SubjectUserSid>"
    "<SubjectUserName>Administrator</SubjectUserName><SubjectDomainName>EMR-SV01</SubjectDomainName>"
    "<SubjectLogonId>0x99e3d</SubjectLogonId></LogFileCleared></UserData></Event>"
)
EV_7045 = (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Service Control Manager' Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}' "
    "EventSourceName='Service Control Manager'/><EventID Qualifiers='16384'>7045</EventID><Version>0</Version>"
    "<Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords>"
    "<TimeCreated SystemTime='2023-01-15T04:30:00.0000000Z'/><EventRecordID>77</EventRecordID>"
    "<Correlation/><Execution ProcessID='656' ThreadID='700'/><Channel>System</Channel>"
    "<Computer>EMR-SV01</Computer><Security UserID='S-1-5-18'/></System><EventData>"
    "<Data Name='ServiceName'>PSEXESVC</Data><Data Name='ImagePath'>%SystemRoot%\\PSEXESVC.exe</Data>"
    "<Data Name='ServiceType'>user mode service</Data><Data Name='StartType'>demand start</Data>"
    "<Data Name='AccountName'>LocalSystem</Data></EventData></Event>"
)
ALL = [EV_4625, EV_MSI, EV_LSM21, EV_1102]


def bare(*events: str) -> str:
    return "\r\n".join(events) + "\r\n"


def rooted(*events: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\r\n<Events>\r\n' + "\r\n".join(events) + "\r\n</Events>\r\n"


def read(data: bytes | str, name: str = "sec.xml") -> tuple[list[dict], list[ReadProblem]]:
    problems: list[ReadProblem] = []
    raw = data.encode("utf-8") if isinstance(data, str) else data
    events = [orjson.loads(s) for s in read_xml(raw, name, problems)]
    return events, problems


def test_4625_has_the_evtx_shape() -> None:
    events, problems = read(bare(EV_4625))
    assert problems == []
    [ev] = events
    assert ev["Event"]["#attributes"] == {"xmlns": NS}
    system = ev["Event"]["System"]
    assert system["Provider"] == {"#attributes": {
        "Name": "Microsoft-Windows-Security-Auditing", "Guid": "{54849625-5478-4994-a5ba-3e3b0328c30d}"}}
    assert system["Version"] == 0 and system["Level"] == 0 and system["Task"] == 12544
    assert system["TimeCreated"] == {"#attributes": {"SystemTime": "2023-01-15T04:07:02.123456Z"}}
    assert system["Correlation"] == {"#attributes": {"ActivityID": "{b864d168-0b7b-0000-89d1-64b87b0bd201}"}}
    data = ev["Event"]["EventData"]
    assert_sample_4625(system, data)
    assert list(data)[:3] == ["SubjectUserSid", "SubjectUserName", "SubjectDomainName"]
    assert data["LogonType"] == "8"
    assert data["SubStatus"] == "0xC000006A"
    assert data["LogonProcessName"] == "Advapi  "  # values are kept exactly, spaces included


def test_msiinstaller_unnamed_data_becomes_text_list() -> None:
    [ev], problems = read(bare(EV_MSI))
    assert problems == []
    system = ev["Event"]["System"]
    assert system["EventID"] == {"#attributes": {"Qualifiers": 0}, "#text": 11707}
    assert system["Provider"]["#attributes"]["Name"] == "MsiInstaller"
    assert system["Security"] == {"#attributes": {"UserID": "S-1-5-21-1004336348-1177238915-682003330-500"}}
    data = ev["Event"]["EventData"]
    assert data["Data"] == {"#text": [
        "Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully.", "(NULL)", "(NULL)", ""]}
    assert data["Binary"].startswith("7B394344")


def test_single_unnamed_and_mixed_data() -> None:
    single = EV_MSI.replace("<Data>(NULL)</Data><Data>(NULL)</Data><Data></Data>", "")
    [ev], _ = read(bare(single))
    assert ev["Event"]["EventData"]["Data"] == {
        "#text": "Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully."}
    mixed = EV_7045.replace("<Data Name='AccountName'>LocalSystem</Data>", "<Data>x</Data><Data>y</Data>")
    [ev], _ = read(bare(mixed))
    data = ev["Event"]["EventData"]
    assert data["ServiceName"] == "PSEXESVC"
    assert data["Data"] == {"#text": ["x", "y"]}


def test_eventid_qualifiers_7045() -> None:
    [ev], _ = read(bare(EV_7045))
    assert ev["Event"]["System"]["EventID"] == {"#attributes": {"Qualifiers": 16384}, "#text": 7045}
    assert ev["Event"]["EventData"]["ImagePath"] == "%SystemRoot%\\PSEXESVC.exe"


def test_localsessionmanager_userdata() -> None:
    [ev], problems = read(bare(EV_LSM21))
    assert problems == []
    assert ev["Event"]["System"]["EventID"] == 21
    assert ev["Event"]["System"]["Channel"] == "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"
    xml = ev["Event"]["UserData"]["EventXML"]
    assert xml["#attributes"] == {"xmlns": "Event_NS"}
    assert (xml["User"], xml["SessionID"], xml["Address"]) == ("EMR-SV01\\Administrator", "3", "203.0.113.50")
    assert "EventData" not in ev["Event"]


def test_log_cleared_1102() -> None:
    [ev], _ = read(bare(EV_1102))
    cleared = ev["Event"]["UserData"]["LogFileCleared"]
    assert cleared["SubjectUserName"] == "Administrator"
    assert cleared["SubjectLogonId"] == "0x99e3d"
    assert ev["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"] == "2023-01-15T05:12:44.878226Z"


def test_bare_and_rooted_give_the_same_events() -> None:
    a, pa = read(bare(*ALL))
    b, pb = read(rooted(*ALL))
    assert pa == [] and pb == []
    assert len(a) == 4 and a == b
    assert [e["Event"]["System"]["EventRecordID"] for e in a] == [184467, 5521, 1021, 184990]


@pytest.mark.parametrize("encoding,bom", [
    ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b""),
])
def test_encodings(encoding: str, bom: bytes) -> None:
    text = rooted(*ALL).replace("UTF-8", "UTF-16") if encoding.startswith("utf-16") else rooted(*ALL)
    text = text.replace("ADMINISTRATOR", "管理者")
    events, problems = read(bom + text.encode(encoding))
    assert problems == []
    assert len(events) == 4
    assert events[0]["Event"]["EventData"]["TargetUserName"] == "管理者"


def test_pretty_printed_event_with_rendering_info() -> None:
    pretty = """<?xml version="1.0" encoding="utf-8"?>
<Events>
  <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
    <System>
      <Provider Name="MsiInstaller" />
      <EventID Qualifiers="0">11707</EventID>
      <TimeCreated SystemTime="2023-01-14T22:41:09.000000000Z" />
      <EventRecordID>5521</EventRecordID>
      <Channel>Application</Channel>
      <Computer>EMR-SV01</Computer>
      <Security UserID="S-1-5-18" />
    </System>
    <EventData>
      <Data>Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully.</Data>
      <Data>(NULL)</Data>
    </EventData>
    <RenderingInfo Culture="ja-JP">
      <Message>Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully.</Message>
      <Level>情報</Level>
    </RenderingInfo>
  </Event>
</Events>
"""
    [ev], problems = read(pretty)
    assert problems == []
    assert ev["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"] == "2023-01-14T22:41:09.000000Z"
    assert ev["Event"]["EventData"]["Data"]["#text"][1] == "(NULL)"
    assert ev["Event"]["RenderingInfo"] == {
        "Message": "Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully."}


def test_billion_laughs_is_refused_unparsed() -> None:
    bomb = ['<?xml version="1.0"?>', "<!DOCTYPE Events [", '<!ENTITY lol "lol">']
    bomb += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
             for i in range(1, 10)]
    bomb += ["]>", "<Events>", EV_4625.replace("ADMINISTRATOR", "&lol9;"), "</Events>"]
    from wardwatch.sources import winxml

    class NoParsing:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def feed(self, data: str) -> None:
            if "ENTITY" in data or "&lol" in data:
                raise AssertionError("the bomb reached an XML parser")

        def read_events(self) -> list:
            return []

    with pytest.MonkeyPatch.context() as mp:  # refused from its text: no parser ever sees the entities
        mp.setattr(winxml, "fromstring", NoParsing().feed)
        mp.setattr(winxml, "XMLPullParser", NoParsing)
        events, problems = read("\n".join(bomb))
    assert events == []
    [problem] = problems
    assert problem.skipped_file and problem.file == "sec.xml"
    assert problem.where == "line 2"
    assert "DOCTYPE" in problem.message


def test_entity_reference_without_dtd_only_skips_that_event() -> None:
    events, problems = read(bare(EV_7045, EV_4625.replace("ADMINISTRATOR", "&xxe;"), EV_1102))
    assert [e["Event"]["System"]["EventRecordID"] for e in events] == [77, 184990]
    [problem] = problems
    assert problem.where == "line 2" and "undefined entity" in problem.message
    assert not problem.skipped_file


def test_broken_event_in_the_middle_reports_line_and_resyncs() -> None:
    broken = EV_4625.replace("</Computer>", "</Computr>")
    events, problems = read(rooted(EV_7045, EV_MSI, broken, EV_LSM21, EV_1102))
    assert [e["Event"]["System"]["EventRecordID"] for e in events] == [77, 5521, 1021, 184990]
    [problem] = problems
    assert problem.where == "line 5"  # declaration, <Events>, two good events, then the broken one
    assert "mismatched tag" in problem.message and "line 5" in problem.message


def test_event_without_closing_tag_and_cut_off_file() -> None:
    unclosed = EV_4625.replace("</Event>", "")
    text = bare(EV_7045, unclosed, EV_1102) + EV_LSM21[:300]
    events, problems = read(text)
    assert [e["Event"]["System"]["EventRecordID"] for e in events] == [77, 184990]
    assert [p.where for p in problems] == ["line 2", "line 4"]
    assert "no closing </Event>" in problems[0].message
    assert "cut off" in problems[1].message


def test_pretty_printed_broken_event_reports_the_exact_line() -> None:
    text = "<Events>\n" + EV_7045 + "\n" + EV_4625.replace("<EventData>", "\n\n<EventData>\n<Data Name='x'>1</Dat>") \
        + "\n" + EV_1102 + "\n</Events>"
    events, problems = read(text)
    assert len(events) == 2
    assert problems[0].where == "line 6"
    assert "starting on line 3" in problems[0].message


def test_nothing_readable_marks_the_file_skipped() -> None:
    events, problems = read("<config><item>1</item></config>", "settings.xml")
    assert events == []
    [problem] = problems
    assert problem.skipped_file and problem.file == "settings.xml"
    assert "no Windows events" in problem.message

    events, problems = read(bare(EV_4625.replace("</Computer>", "</Computr>")))
    assert events == []
    assert problems[-1].skipped_file


def test_event_without_eventid_and_stray_text() -> None:
    no_id = EV_7045.replace("<EventID Qualifiers='16384'>7045</EventID>", "")
    events, problems = read(bare(EV_4625, no_id, "garbage here", EV_1102))
    assert len(events) == 2
    assert [p.where for p in problems] == ["line 2", "line 3"]
    assert "EventID" in problems[0].message and "garbage" in problems[1].message


def test_bad_utf8_bytes_are_replaced_and_reported() -> None:
    raw = bare(EV_4625).encode().replace(b"ADMINISTRATOR", b"ADMIN\xffISTRATOR")
    events, problems = read(raw)
    assert events[0]["Event"]["EventData"]["TargetUserName"] == "ADMIN\ufffdISTRATOR"
    [problem] = problems
    assert problem.where.startswith("byte ") and not problem.skipped_file


def test_repeated_elements_get_suffixes_like_evtx() -> None:
    ev = EV_1102.replace("<SubjectLogonId>0x99e3d</SubjectLogonId>",
                         "<App>a</App><App>b</App><App>c</App>")
    [out], _ = read(bare(ev))
    cleared = out["Event"]["UserData"]["LogFileCleared"]
    assert (cleared["App"], cleared["App_1"], cleared["App_2"]) == ("a", "b", "c")


def test_looks_like_xml() -> None:
    assert looks_like_xml(b"<Event xmlns=")
    assert looks_like_xml(b"\xef\xbb\xbf\r\n  <?xml version")
    assert looks_like_xml("\ufeff<Events>".encode("utf-16-le"))
    assert looks_like_xml("\ufeff<Events>".encode("utf-16-be"))
    assert not looks_like_xml(b'{"Event": 1}')
    assert not looks_like_xml(b"")


def test_utc_iso() -> None:
    assert utc_iso("2022-10-30T19:07:12.4563398+09:00") == ("2022-10-30T10:07:12.456339Z", True)
    assert utc_iso("2022-10-30T19:07:12Z") == ("2022-10-30T19:07:12.000000Z", True)
    assert utc_iso("2022-10-30 19:07:12.5") == ("2022-10-30T19:07:12.500000Z", False)
    assert utc_iso("2022-10-30T00:30:00-0130") == ("2022-10-30T02:00:00.000000Z", True)
    assert utc_iso("Sunday, October 30, 2022") == (None, False)
    assert utc_iso("2022-13-40T00:00:00Z") == (None, False)


@pytest.mark.parametrize("layout", ["bare", "rooted", "utf-16", "pretty"])
def test_clean_files_stream_with_the_same_result_as_the_checking_reader(tmp_path, layout: str) -> None:
    """A clean file is read in one streaming pass (from disk, in chunks); the result is what the event-by-event
    reader gives, and a chunk boundary may fall anywhere."""
    from wardwatch.sources import winxml

    events = ALL * 40
    text = rooted(*events) if layout != "bare" else bare(*events)
    if layout == "pretty":
        text = text.replace("><", ">\r\n  <")
    raw = b"\xff\xfe" + text.encode("utf-16-le") if layout == "utf-16" else text.encode("utf-8")
    path = tmp_path / "export.xml"
    path.write_bytes(raw)
    checked = list(winxml._read_checked(raw, "x", []))
    old_chunk = winxml.STREAM_CHUNK
    try:
        winxml.STREAM_CHUNK = 997  # boundaries inside tags, names and multi-byte characters
        streamed = list(winxml._stream(path))
    finally:
        winxml.STREAM_CHUNK = old_chunk
    assert len(checked) == len(events) and streamed == checked
    problems: list[ReadProblem] = []
    assert list(read_xml(path, "x", problems)) == checked and problems == []


def test_a_problem_after_clean_events_is_reported_once_and_nothing_is_read_twice() -> None:
    """The streaming pass stops at the broken event; the checking pass reports it and reads on from there."""
    broken = EV_4625.replace("<EventID>4625</EventID>", "<EventID>4625</EventIDX>")
    events, problems = read(bare(EV_7045, EV_1102, broken, EV_MSI))
    assert [e["Event"]["System"]["EventRecordID"] for e in events] == [77, 184990, 5521]
    assert len(problems) == 1 and problems[0].where == "line 3" and "broken XML" in problems[0].message
    dtd = '<!DOCTYPE x [<!ENTITY a "b">]>\r\n' + bare(EV_7045)
    events, problems = read(dtd)
    assert events == [] and problems[0].skipped_file and "DOCTYPE" in problems[0].message
