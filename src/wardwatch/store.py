"""The event store: canonical JSON records → normalized columns (DuckDB, in C++) → Parquet parts, queried with DuckDB."""
from __future__ import annotations

import itertools
import json
import os
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from .sql import sql_literal

if TYPE_CHECKING:
    from .netlog.parse import NetEvent


def usable_cpus() -> int:
    """CPUs this process may run on (a container's or `taskset`'s limit), not all the machine has: DuckDB
    would otherwise start a thread per machine CPU and crowd the few it may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # Windows, macOS
        return os.cpu_count() or 1


# Normalized column → keys tried in order (first non-empty wins). "E" is EventData, "U" UserData.
_E = ("Event", "EventData")
_U = ("Event", "UserData")
_S = ("Event", "System")
FIELDS: dict[str, list[tuple[str, ...]]] = {
    "event_id_json": [_S + ("EventID",)],
    "record_id": [_S + ("EventRecordID",)],
    "time_text": [_S + ("TimeCreated", "#attributes", "SystemTime")],
    "host": [_S + ("Computer",)],
    "channel": [_S + ("Channel",)],
    "provider": [_S + ("Provider", "#attributes", "Name")],
    "target_user": [_E + ("TargetUserName",), _U + ("EventXML", "User"), _U + ("EventXML", "Param1"), _E + ("User",)],
    "target_domain": [_E + ("TargetDomainName",), _U + ("EventXML", "Param2")],
    "target_sid": [_E + ("TargetUserSid",), _E + ("TargetSid",)],
    "subject_user": [_E + ("SubjectUserName",), _U + ("LogFileCleared", "SubjectUserName")],
    "subject_domain": [_E + ("SubjectDomainName",), _U + ("LogFileCleared", "SubjectDomainName")],
    "logon_type_text": [_E + ("LogonType",)],
    "logon_id": [_E + ("TargetLogonId",), _E + ("SubjectLogonId",)],
    "src_ip_raw": [_E + ("IpAddress",), _U + ("EventXML", "Address"), _U + ("EventXML", "Param3"), _E + ("ClientAddress",)],
    "src_port": [_E + ("IpPort",)],
    "workstation": [_E + ("WorkstationName",), _E + ("Workstation",)],
    "auth_package": [_E + ("AuthenticationPackageName",), _E + ("PackageName",)],
    "logon_process": [_E + ("LogonProcessName",)],
    "status": [_E + ("Status",), _E + ("FailureCode",), _E + ("Error Code",)],
    "sub_status": [_E + ("SubStatus",)],
    # the process that acted: 4688 / Sysmon 1 the one started, 4673/4674/4663/4985 the caller, 4798/4799 the one that
    # read the group, Sysmon 10 the one opening another, BITS 3 the one that made the job
    "process": [_E + ("NewProcessName",), _E + ("Image",), _E + ("ProcessName",), _E + ("SourceImage",),
                _E + ("CallerProcessName",), _E + ("processPath",), _U + ("ResolverFiredEvent", "ExePath")],
    "parent_process": [_E + ("ParentProcessName",), _E + ("ParentImage",)],
    "parent_command_line": [_E + ("ParentCommandLine",)],
    "target_process": [_E + ("TargetImage",)],  # Sysmon 8/10: the process written into or opened
    "access_mask": [_E + ("GrantedAccess",), _E + ("AccessMask",)],
    "target_object": [_E + ("TargetObject",)],  # Sysmon 12/13/14: the registry key or value
    "reg_value": [_E + ("Details",)],  # Sysmon 13: the value written
    "pipe_name": [_E + ("PipeName",)],  # Sysmon 17/18
    "share_name": [_E + ("ShareName",)],  # 5140/5145
    "task_name": [_E + ("TaskName",)],  # 4698/4699
    "task_content": [_E + ("TaskContent",)],  # 4698: the task's XML (its <Command> and <Arguments>)
    "image_loaded": [_E + ("ImageLoaded",)],  # Sysmon 7
    "url": [_E + ("url",)],  # BITS 59/60: what a transfer job fetches
    "dst_ip": [_E + ("DestinationIp",)],  # Sysmon 3
    "dst_port": [_E + ("DestinationPort",)],
    "policy_change": [_E + ("AuditPolicyChanges",)],  # 4719: %%8448 success removed, %%8450 failure removed ...
    "event_type": [_E + ("EventType",)],  # Sysmon 12/13/14/17/18: CreateKey, DeleteValue, SetValue, CreatePipe ...
    "rdp_channel": [_E + ("ChannelName",)],  # RdpCoreTS 148: the virtual channel a client opened
    "param4": [_E + ("param4",)],  # DCOM 10016: the CLSID
    # 4826 (boot configuration, at every boot): %%1842 = Yes, %%1843 = No
    "kernel_debug": [_E + ("KernelDebug",)],
    "test_signing": [_E + ("TestSigning",)],
    "integrity_checks_off": [_E + ("DisableIntegrityChecks",)],
    "initiated": [_E + ("Initiated",)],  # Sysmon 3: true when this host opened the connection
    "command_line": [_E + ("CommandLine",), _E + ("ScriptBlockText",)],
    "service": [_E + ("ServiceName",), _E + ("param1",)],
    "image_path": [_E + ("ImagePath",), _E + ("ServiceFileName",)],
    "object_name": [_E + ("RelativeTargetName",), _E + ("ObjectName",)],
    "param2": [_E + ("param2",), _E + ("Value",)],
    "param3": [_E + ("param3",)],
    "action": [_E + ("Action ID",)],  # Defender 1117: 2 quarantine, 3 remove, 6 allow, 8 user defined, 9 none, 10 block
    "member": [_E + ("MemberName",), _E + ("MemberSid",)],
    "member_sid": [_E + ("MemberSid",)],
    "unnamed": [_E + ("Data",)],
    "payload": [_E + ("payload",), _E + ("Detail",), _E + ("Threat Name",)],
}
JSON_KEYS = {"EventID", "Data"}  # kept as JSON: an int, a string or an object / list


def _structure() -> dict[str, Any]:
    """The from_json() structure: every key any field needs, one parse per record."""
    root: dict[str, Any] = {}
    for paths in FIELDS.values():
        for path in paths:
            node = root
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = "JSON" if path[-1] in JSON_KEYS else "VARCHAR"
    return root


# from_json's struct is split into its three parts once (E, U, Y): pulling each field out of the whole nested
# struct again costs more than the split.
_PARTS = {"EventData": "E", "UserData": "U", "System": "Y"}


def _access(path: tuple[str, ...]) -> str:
    return _PARTS[path[1]] + "".join("[" + sql_literal(k) + "]" for k in path[2:])


def _first(name: str) -> str:
    return "coalesce(" + ", ".join(f"nullif({_access(p)}, '')" for p in FIELDS[name]) + ")"


# Stage 1: one column per field (f_<name>), straight from the parsed record.
_STAGE1 = ", ".join(f"{_access(FIELDS[n][0]) if n in ('event_id_json', 'unnamed') else _first(n)} AS f_{n}" for n in FIELDS)
# Stage 2: unnamed <Data> items as text (MsiInstaller product names, SQL Server 18456 ...).
_DATA = "coalesce(json_extract(f_unnamed, '$.\"#text\"'), f_unnamed)"
_STAGE2 = (f"CASE json_type({_DATA}) WHEN 'ARRAY' THEN array_to_string(list_filter(try_cast({_DATA} AS VARCHAR[]), "
           f"lambda x: x NOT IN ('', '(NULL)', '-')), ' | ') WHEN 'VARCHAR' THEN json_extract_string({_DATA}, '$') END AS f_text")
# Stage 3: free text (payload or unnamed items); SQL Server 18456 and OpenSSH keep user and address there.
_STAGE3 = "coalesce(f_payload, f_text) AS f_message"
# SQL Server audit 33205 (Application, MSSQL$<instance> / MSSQLSERVER): the whole audit record is one unnamed text,
# "action_id:LGIF\nsucceeded:false\n...server_principal_name:sa\n...statement:Login failed for user 'sa'. ...
# [CLIENT: 10.0.0.5]\n...client_ip:10.0.0.5": its fields are read by name (session_server_principal_name is not
# server_principal_name). 18456 keeps the login as its first unnamed item.
_MSSQL = "f_provider LIKE 'MSSQL%'"
_AUDIT = f"({_MSSQL} AND contains(f_text, 'action_id:'))"


def _audit_field(name: str) -> str:
    """One field of the audit text: fields one a line, or (exports that flatten lines) one after another on one line."""
    return (f"nullif(trim(regexp_extract(f_text, '(?:^|[\\r\\n| ]){name}:([^\\r\\n|]*?)(?:\\s+[a-z_]+:|[\\r\\n|]|$)', 1)), "
            "'')")


_TEXT_USER = (f"CASE WHEN {_AUDIT} THEN coalesce({_audit_field('server_principal_name')}, "
              "nullif(regexp_extract(f_text, 'Login failed for user ''([^'']*)''', 1), '')) "
              f"WHEN {_MSSQL} THEN nullif(trim(split_part(f_text, ' | ', 1)), '') "
              "ELSE nullif(regexp_extract(f_message, 'for (?:invalid user )?(\\S+) from', 1), '') END")
_TEXT_IP = (f"coalesce(CASE WHEN {_AUDIT} THEN {_audit_field('client_ip')} END, "
            "nullif(regexp_extract(f_message, '(?:from|CLIENT:) ([0-9A-Fa-f:.]+[0-9A-Fa-f])', 1), ''))")

COLUMNS: dict[str, str] = {
    "ts": "try_cast(f_time_text AS TIMESTAMP)",
    "host": "upper(coalesce(f_host, ''))",
    "channel": "coalesce(f_channel, '')",
    "provider": "coalesce(f_provider, '')",
    "event_id": "try_cast(coalesce(json_extract_string(f_event_id_json, '$.\"#text\"'), json_extract_string(f_event_id_json, '$')) AS INTEGER)",
    "record_id": "try_cast(f_record_id AS BIGINT)",
    "target_user": (f"CASE WHEN contains(f_target_user, '\\') THEN regexp_replace(f_target_user, '^.*\\\\', '') "
                    f"WHEN f_target_user IS NOT NULL THEN f_target_user "
                    # Sysmon 12/13: the account database key of one account (SAM\...\Users\Names\<name>)
                    "WHEN contains(f_target_object, '\\Users\\Names\\') THEN "
                    "nullif(regexp_extract(f_target_object, '\\\\Users\\\\Names\\\\([^\\\\]+)', 1), '') "
                    # ...\Users\000001F4\...: the record of RID 500, the built-in Administrator (by its default name)
                    "WHEN contains(upper(f_target_object), '\\USERS\\000001F4\\') THEN 'Administrator' "
                    f"WHEN f_message IS NOT NULL THEN {_TEXT_USER} END"),
    "target_domain": ("CASE WHEN f_target_domain IS NOT NULL THEN f_target_domain WHEN contains(f_target_user, '\\') "
                      "THEN nullif(regexp_extract(f_target_user, '^(.*)\\\\', 1), '') END"),
    "target_sid": "f_target_sid",
    "subject_user": "f_subject_user",
    "subject_domain": "f_subject_domain",
    "logon_type": "try_cast(f_logon_type_text AS INTEGER)",
    "logon_id": "f_logon_id",
    # Sysmon 3 names this computer as its source in both directions: for a connection it accepted (Initiated false)
    # the computer it came from is the destination
    "src_ip": (f"CASE WHEN lower(f_initiated) = 'false' THEN f_dst_ip WHEN f_src_ip_raw IS NOT NULL THEN nullif(CASE WHEN starts_with(f_src_ip_raw, '::ffff:') "
               f"THEN substr(f_src_ip_raw, 8) ELSE f_src_ip_raw END, '-') "
               f"WHEN f_message IS NOT NULL THEN {_TEXT_IP} END"),
    "src_port": "f_src_port",
    "workstation": "f_workstation",
    "auth_package": "trim(f_auth_package)",
    "logon_process": "trim(f_logon_process)",
    # success written any way ("0x0", "0x00000000", "0") reads "0x0", so that rules tell failures by "status|ne"
    # SQL Server audit: succeeded:true reads "0x0", succeeded:false "failed"
    "status": ("CASE WHEN regexp_matches(f_status, '^\\s*(0x)?0+\\s*$', 'i') THEN '0x0' "
               f"WHEN f_status IS NULL AND {_AUDIT} THEN CASE lower({_audit_field('succeeded')}) "
               "WHEN 'true' THEN '0x0' WHEN 'false' THEN 'failed' END ELSE lower(f_status) END"),
    "action": f"CASE WHEN {_AUDIT} THEN upper({_audit_field('action_id')}) ELSE f_action END",  # 33205 LGIF: login failed
    "sub_status": "lower(f_sub_status)",
    "process": "f_process",
    "parent_process": "f_parent_process",
    "parent_command_line": "f_parent_command_line",
    "target_process": "f_target_process",
    "access_mask": "f_access_mask",
    "target_object": "f_target_object",
    "reg_value": "f_reg_value",
    "pipe_name": "f_pipe_name",
    "share_name": "f_share_name",
    "task_name": "f_task_name",
    "task_content": "f_task_content",
    "image_loaded": "f_image_loaded",
    "url": "f_url",
    "dst_ip": "f_dst_ip",
    "dst_port": "f_dst_port",
    "initiated": "lower(f_initiated)",
    "event_type": "f_event_type",
    "policy_change": "f_policy_change",
    "rdp_channel": "f_rdp_channel",
    "param4": "f_param4",
    "kernel_debug": "f_kernel_debug",
    "test_signing": "f_test_signing",
    "integrity_checks_off": "f_integrity_checks_off",
    "command_line": f"coalesce(f_command_line, CASE WHEN {_AUDIT} THEN {_audit_field('statement')} END)",  # 33205
    "service": "f_service",
    "image_path": "f_image_path",
    "object_name": "f_object_name",  # a file over a share (5145 RelativeTargetName) or an audited object (4663)
    "param2": "f_param2",
    "param3": "f_param3",
    "member": "f_member",
    "member_sid": "f_member_sid",
    "message": "f_message",
    "data": "raw",  # the whole event, as JSON
    "damage": "damage",  # NULL, or how a damaged record was read (DAMAGE_REPAIRED / DAMAGE_UNREADABLE)
}

# Stage 0: a damaged record (the evtx parser can return raw control characters, even inside key names) must not
# stop the store. try() makes its parse NULL instead of an error; then, for those rows only, every control
# character is escaped and the record parsed again (its fields still count: `damage` says it was repaired).
# A record that is still not JSON is kept as {"unreadable_record": <its text>} with all fields empty.
_SCHEMA = sql_literal(json.dumps(_structure()))
_ESCAPED = "raw"
for _code in range(32):
    _ESCAPED = f"replace({_ESCAPED}, chr({_code}), '\\u{_code:04x}')" if _code else \
        f"regexp_replace({_ESCAPED}, '\\x00', '\\\\u0000', 'g')"
DAMAGE_REPAIRED = "control characters escaped"
DAMAGE_UNREADABLE = "not valid JSON; kept as text, no field could be read"
_STAGE0 = (f"SELECT CASE WHEN s0 IS NOT NULL THEN s0 ELSE try(from_json(fixed, {_SCHEMA})) END AS s, "
           f"CASE WHEN s0 IS NOT NULL THEN raw WHEN json_valid(fixed) THEN fixed "
           f"ELSE to_json({{'unreadable_record': raw}}) END AS raw, "
           f"CASE WHEN s0 IS NOT NULL THEN NULL WHEN json_valid(fixed) THEN {sql_literal(DAMAGE_REPAIRED)} "
           f"ELSE {sql_literal(DAMAGE_UNREADABLE)} END AS damage, file FROM ("
           f"SELECT s0, raw, CASE WHEN s0 IS NULL THEN {_ESCAPED} END AS fixed, file FROM ("
           f"SELECT try(from_json(raw, {_SCHEMA})) AS s0, raw, file FROM batch))")

NORMALIZE_SQL = (
    "SELECT " + ", ".join(f"{expr} AS {col}" for col, expr in COLUMNS.items()) + ", file FROM ("
    f"SELECT *, {_STAGE3} FROM (SELECT *, {_STAGE2} FROM (SELECT {_STAGE1}, raw, damage, file FROM ("
    + "SELECT " + ", ".join(f"s['Event'][{sql_literal(k)}] AS {v}" for k, v in _PARTS.items()) + ", raw, damage, file FROM ("
    f"{_STAGE0})))))"
)
# zstd level 1: as small as the default level 3 on event JSON, and a fifth cheaper to write.
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1"


CHUNK_ROWS = 8192  # records per Arrow batch handed to the writer
# Small inputs: while the store holds fewer than EAGER_ROWS records, a batch of IDLE_CHUNK_ROWS goes to the writer
# whenever it has nothing queued, so that little is left to normalize once reading ends. Beyond that, full
# batches only: each batch has a fixed cost in DuckDB (1k-record batches throughout cost 10% more CPU).
IDLE_CHUNK_ROWS = 1024
EAGER_ROWS = 65_536
# Records pulled per C-level slice. The parser holds the GIL while a C loop pulls from it, so without this
# bound the writer and hashing threads would wait for the GIL until a whole file was read.
GIL_SLICE = 256
QUEUED_BATCHES = 8  # batches waiting for the writer at most (memory stays flat: about 8 MB each)
BATCH_SCHEMA = pa.schema([("raw", pa.string()), ("file", pa.dictionary(pa.int32(), pa.string()))])


class ReaderFailed(Exception):
    """A reader raised while its records were taken in: how many it gave before, and the error."""

    def __init__(self, records: int, error: Exception) -> None:
        super().__init__(str(error))
        self.records = records
        self.error = error


NETWORK_FILE = "network/network-events.parquet"  # its own folder: `store/*.parquet` stays the events' parts
NETWORK_SCHEMA = pa.schema([
    ("ts", pa.timestamp("us", tz="UTC")), ("device", pa.string()), ("vendor", pa.string()), ("kind", pa.string()),
    ("action", pa.string()), ("proto", pa.string()), ("src", pa.string()), ("sport", pa.int32()),
    ("dst", pa.string()), ("dport", pa.int32()), ("user", pa.string()), ("raw", pa.string()),
    ("file", pa.dictionary(pa.int32(), pa.string())), ("line", pa.int64()), ("sent", pa.int64()),
])


class NetworkTable:
    """The network events of a run: one per syslog line that is not a Windows event, filled by the syslog reader.

    Kept in memory for the network rules (wardwatch.netlog.detect) and, in an EventStore, written beside the event
    parts in network/network-events.parquet (DuckDB view `network_events`; `line` is the line number in `file`)."""

    def __init__(self) -> None:
        self.events: list[NetEvent] = []
        self.inputs = 0  # syslog inputs read: the network rules run when there is one, even one without a line
        self.kinds: Counter[str] = Counter()  # events by vendor ('unknown': lines no parser recognised)
        self._runs: list[tuple[str, int]] = []  # (file, events) per input, for the file column

    def add(self, events: list[NetEvent], file: str) -> None:
        """The network events of one input (called once per input, when it has been read)."""
        self.inputs += 1
        self.events += events
        self._runs.append((file, len(events)))
        self.kinds.update(e.vendor or "unknown" for e in events)

    @property
    def runs(self) -> list[tuple[str, int]]:
        """(file, network events) of every syslog input read, in the order read (one without a line too)."""
        return list(self._runs)

    def arrow(self) -> pa.Table:
        """The events as an Arrow table (a port beyond the integer column is left empty, bad text replaced)."""
        evs = self.events
        cols: dict[str, pa.Array] = {"ts": pa.array([e.time for e in evs], NETWORK_SCHEMA.field("ts").type)}
        for f in NETWORK_SCHEMA:
            if f.name in ("ts", "file"):
                continue
            values = [getattr(e, f.name) for e in evs]
            if not pa.types.is_integer(f.type):
                cols[f.name] = _string_array(values)
                continue
            try:
                cols[f.name] = pa.array(values, f.type)
            except (OverflowError, pa.ArrowInvalid):
                bound = 2 ** (f.type.bit_width - 1)
                cols[f.name] = pa.array([v if v is None or -bound <= v < bound else None for v in values], f.type)
        cols["file"] = _runs_column(self._runs)
        return pa.table(cols, schema=NETWORK_SCHEMA)


class EventStore:
    """Collects canonical JSON records in batches; one background COPY normalizes them into Parquet parts.

    The COPY runs once for the whole scan over a stream of Arrow batches (DuckDB binds the large normalizing
    query once, not per batch) and starts a new part every batch_size records."""

    def __init__(self, directory: Path, batch_size: int = 50_000, threads: int | None = None,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self.directory = directory
        self.on_batch = on_batch  # told the running total of records at every batch (progress bars)
        self.total = 0
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("events-*.parquet"):  # parts of an earlier scan into the same folder
            old.unlink()
        (self.directory / NETWORK_FILE).unlink(missing_ok=True)
        self.network = NetworkTable()  # the syslog reader's network events, written at close()
        self.batch_size = batch_size
        self._chunk = min(CHUNK_ROWS, batch_size)
        self.con = duckdb.connect()
        self.threads = int(threads or usable_cpus())
        # While reading, one CPU is the parser's: DuckDB normalizes on the others (on 2 CPUs a third runnable
        # thread only slows the parser, which sets the pace). The queries after close() use them all.
        self.con.execute(f"SET threads = {max(1, self.threads - 1)}")
        self._raw: list[str] = []
        self._runs: list[tuple[str, int]] = []  # (file, records) of the batch being collected
        self.parts: list[tuple[Path, int]] = []  # (Parquet part, records), known after close()
        self._queue: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._worker = threading.Thread(target=self._write, daemon=True)
        self._worker.start()

    @classmethod
    def over(cls, event_files: list[str], network: NetworkTable | None = None, threads: int | None = None) -> EventStore:
        """A store over Parquet files already in the store's columns (one hospital's part of an ISAC dataset): the
        `events` view reads them (partition columns beside the store's own are left out); nothing is written."""
        store = cls.__new__(cls)
        store.directory = Path(event_files[0]).parent if event_files else Path(".")
        store.on_batch = None
        store.network = network if network is not None else NetworkTable()
        store.threads = int(threads or usable_cpus())
        store.con = duckdb.connect()
        store.con.execute(f"SET threads = {store.threads}")
        store.total = 0
        store.parts = []
        if event_files:
            # parts written by an older WardWatch lack the columns added since: read by name, the missing ones NULL
            source = ("read_parquet([" + ", ".join(map(sql_literal, event_files)) + "], hive_partitioning = true, "
                      "hive_types_autocast = false, union_by_name = true)")
            have = {str(r[0]) for r in store.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            cols = ", ".join(("coalesce(host, '') AS host" if c == "host" else f"CAST({c} AS {_type(c)}) AS {c}")
                             if c in have else f"CAST(NULL AS {_type(c)}) AS {c}" for c in [*COLUMNS, "file"])
            store.con.execute(f"CREATE OR REPLACE VIEW events AS SELECT {cols} FROM {source}")
            store.total = int(store.query("SELECT count(*) FROM events")[0][0])
        else:
            store._open_parts()
        store.con.register("network_events", store.network.arrow())
        return store

    def add(self, records: Iterable[str], file: str) -> int:
        """Append all records of one input; returns how many were added (pulled in C-level slices)."""
        it = iter(records)
        total = 0
        while True:  # a Python-level loop: between slices the GIL can pass to the writer and hashing threads
            space = min(self._chunk - len(self._raw), GIL_SLICE)
            before = len(self._raw)
            try:
                self._raw.extend(itertools.islice(it, space))
            except Exception as exc:  # the reader failed: what it gave before stays, with its file
                got = len(self._raw) - before
                if got:
                    self._add_run(file, got)
                raise ReaderFailed(total + got, exc) from exc
            got = len(self._raw) - before
            total += got
            if got:
                self._add_run(file, got)
            if len(self._raw) >= self._chunk or (self.total < EAGER_ROWS and len(self._raw) >= IDLE_CHUNK_ROWS
                                                 and self._queue.empty()):
                self._flush()
            elif got < space:
                return total

    def _add_run(self, file: str, count: int) -> None:
        if self._runs and self._runs[-1][0] == file:
            self._runs[-1] = (file, self._runs[-1][1] + count)
        else:
            self._runs.append((file, count))

    def _file_column(self) -> pa.DictionaryArray:
        return _runs_column(self._runs)

    def _flush(self) -> None:
        if not self._raw:
            return
        if self._error:
            raise self._error
        batch = pa.record_batch([_string_array(self._raw), self._file_column()], schema=BATCH_SCHEMA)
        self._raw, self._runs = [], []
        self._queue.put(batch)
        self.total += batch.num_rows
        if self.on_batch:
            self.on_batch(self.total)

    def _batches(self) -> Iterator[pa.RecordBatch]:
        while (batch := self._queue.get()) is not None:
            yield batch

    def _write(self) -> None:
        """The writer thread: one COPY over the stream of batches, a new part every batch_size records."""
        cur = self.con.cursor()
        try:
            cur.execute("SET preserve_insertion_order = false")  # parts need no order: less buffering
            cur.register("batch", pa.RecordBatchReader.from_batches(BATCH_SCHEMA, self._batches()))
            cur.execute(f"COPY ({NORMALIZE_SQL}) TO {sql_literal(str(self.directory))} ({PARQUET_OPTIONS}, "
                        f"ROW_GROUP_SIZE {int(self.batch_size)}, ROW_GROUPS_PER_FILE 1, "
                        f"FILENAME_PATTERN 'events-{{i}}', OVERWRITE_OR_IGNORE)")
        except BaseException as exc:  # surfaced on the next flush / close
            self._error = exc
            for _ in self._batches():  # keep taking batches so that the reader never blocks on a full queue
                pass

    def close(self) -> None:
        """Write what is left and wait for the writer; then the parts are known and the events view is ready."""
        self._flush()
        self._queue.put(None)
        self._worker.join()
        self.con.execute("RESET preserve_insertion_order")  # rules read the parts in their order
        self.con.execute(f"SET threads = {self.threads}")
        try:
            self._open_parts()
            self._open_network()
        finally:
            if self._error:  # the parts written before the failure are still queried
                raise self._error

    def _part_files(self) -> list[str]:
        """The Parquet parts written, in the order DuckDB's glob lists them (by name). Listed here, not by a glob
        in SQL: the folder's own name may hold glob characters ('[', '*', '?'), which must not be a pattern."""
        return sorted(str(p) for p in self.directory.glob("events-*.parquet"))

    def _open_parts(self) -> None:
        files = self._part_files() if self.total else []
        if files:
            counts = self.con.execute(
                "SELECT file_name, sum(n)::BIGINT FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows AS n "
                "FROM parquet_metadata($files)) GROUP BY file_name", {"files": files}).fetchall()
            self.parts = sorted(((Path(f), n) for f, n in counts if n),
                                key=lambda part: int(part[0].stem.rsplit("-", 1)[1]))
        if self.parts:  # a view cannot bind its values: the paths are written by the one quoting helper
            self.con.execute("CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet(["
                             + ", ".join(map(sql_literal, files)) + "])")
        else:
            self.con.execute("CREATE OR REPLACE VIEW events AS SELECT "
                             + ", ".join(f"NULL::{_type(c)} AS {c}" for c in COLUMNS) + ", NULL::VARCHAR AS file WHERE false")

    def _open_network(self) -> None:
        """The network events' Parquet file, and the view `network_events` over it (empty without any)."""
        table = self.network.arrow()
        if table.num_rows:
            import pyarrow.parquet as pq
            path = self.directory / NETWORK_FILE
            path.parent.mkdir(exist_ok=True)
            pq.write_table(table, path, compression="zstd")
            self.con.execute(f"CREATE OR REPLACE VIEW network_events AS SELECT * FROM read_parquet({sql_literal(str(path))})")
        else:
            self.con.register("network_events", table)

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()


def _type(col: str) -> str:
    return {"ts": "TIMESTAMP", "event_id": "INTEGER", "record_id": "BIGINT", "logon_type": "INTEGER"}.get(col, "VARCHAR")



def _runs_column(runs: list[tuple[str, int]]) -> pa.DictionaryArray:
    """The input path of every record from (file, records) runs, as a dictionary column (one entry per file, no
    per-row strings)."""
    names = list(dict.fromkeys(name for name, _ in runs))
    index = {name: i for i, name in enumerate(names)}
    codes = itertools.chain.from_iterable(itertools.repeat(index[name], count) for name, count in runs)
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), _string_array(names))


def _string_array(texts: list[str]) -> pa.Array:
    """The records as an Arrow string array; a lone surrogate (not UTF-8) is replaced rather than lost."""
    try:
        return pa.array(texts, pa.string())
    except (UnicodeEncodeError, pa.ArrowInvalid):
        return pa.array([t.encode("utf-8", "replace").decode("utf-8") for t in texts], pa.string())


def damaged_records(store: EventStore) -> list[tuple[str, str, int, list[int]]]:
    """(file, what was done, records, their first record numbers) for the damaged records the store took in."""
    if not store.parts:
        return []
    rows = store.query("SELECT file, damage, count(*)::BIGINT, list(record_id ORDER BY record_id) FILTER "
                       "(WHERE record_id IS NOT NULL)[1:5] FROM events WHERE damage IS NOT NULL GROUP BY ALL ORDER BY ALL")
    return [(file, damage, n, list(ids or [])) for file, damage, n, ids in rows]
