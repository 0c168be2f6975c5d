"""The event store: canonical JSON records → normalized columns (DuckDB, in C++) → Parquet parts, queried with DuckDB."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

# Normalized column → JSON paths tried in order (first non-null wins). "E" is EventData, "U" UserData.
_E = "$.Event.EventData."
_U = "$.Event.UserData."
_S = "$.Event.System."
PATHS: dict[str, list[str]] = {
    "event_id_text": [_S + 'EventID."#text"', _S + "EventID"],
    "record_id": [_S + "EventRecordID"],
    "time_text": [_S + 'TimeCreated."#attributes".SystemTime'],
    "host": [_S + "Computer"],
    "channel": [_S + "Channel"],
    "provider": [_S + 'Provider."#attributes".Name'],
    "target_user": [_E + "TargetUserName", _U + "EventXML.User", _U + "EventXML.Param1", _E + "User"],
    "target_domain": [_E + "TargetDomainName", _U + "EventXML.Param2"],
    "target_sid": [_E + "TargetUserSid", _E + "TargetSid"],
    "subject_user": [_E + "SubjectUserName", _U + "LogFileCleared.SubjectUserName"],
    "subject_domain": [_E + "SubjectDomainName", _U + "LogFileCleared.SubjectDomainName"],
    "logon_type_text": [_E + "LogonType"],
    "logon_id": [_E + "TargetLogonId", _E + "SubjectLogonId"],
    "src_ip_raw": [_E + "IpAddress", _U + "EventXML.Address", _U + "EventXML.Param3", _E + "ClientAddress"],
    "src_port": [_E + "IpPort"],
    "workstation": [_E + "WorkstationName", _E + "Workstation"],
    "auth_package": [_E + "AuthenticationPackageName", _E + "PackageName"],
    "logon_process": [_E + "LogonProcessName"],
    "status": [_E + "Status", _E + "FailureCode"],
    "sub_status": [_E + "SubStatus"],
    "process": [_E + "NewProcessName", _E + "Image", _E + "ProcessName"],
    "parent_process": [_E + "ParentProcessName", _E + "ParentImage"],
    "command_line": [_E + "CommandLine", _E + "ScriptBlockText"],
    "service": [_E + "ServiceName", _E + "param1"],
    "image_path": [_E + "ImagePath", _E + "ServiceFileName"],
    "param2": [_E + "param2", _E + "Value"],
    "param3": [_E + "param3"],
    "member": [_E + "MemberName", _E + "MemberSid"],
    "member_sid": [_E + "MemberSid"],
    "unnamed": [_E + 'Data."#text"', _E + "Data"],
    "payload": [_E + "payload", _E + "Detail", _E + '"Threat Name"'],
    "event_data": ["$.Event.EventData", "$.Event.UserData"],
}

# Final columns, in store order, with the SQL that derives each from the extracted list `j`.
_IDX = {name: i + 1 for i, name in enumerate(PATHS)}


def _first(name: str) -> str:
    return f"nullif(j[{_IDX[name]}], '')"


_UNNAMED = (f"CASE WHEN left(j[{_IDX['unnamed']}], 1) = '[' AND json_valid(j[{_IDX['unnamed']}]) "
            f"THEN array_to_string(list_filter(try_cast(j[{_IDX['unnamed']}]::JSON AS VARCHAR[]), lambda x: x NOT IN ('', '(NULL)', '-')), ' | ') "
            f"WHEN left(j[{_IDX['unnamed']}], 1) = '{{' THEN NULL ELSE j[{_IDX['unnamed']}] END")
_MESSAGE = f"coalesce({_first('payload')}, {_UNNAMED})"
# SQL Server 18456 / OpenSSH keep the user and client address inside free text.
_TEXT_USER = (f"coalesce(nullif(regexp_extract({_MESSAGE}, 'for (?:invalid user )?(\\S+) from', 1), ''), "
              f"CASE WHEN j[{_IDX['provider']}] LIKE 'MSSQL%' THEN nullif(trim(split_part({_UNNAMED}, ' | ', 1)), '') END)")
_TEXT_IP = f"nullif(regexp_extract({_MESSAGE}, '(?:from|CLIENT:) ([0-9A-Fa-f:.]+[0-9A-Fa-f])', 1), '')"

COLUMNS: dict[str, str] = {
    "ts": f"try_cast(j[{_IDX['time_text']}] AS TIMESTAMP)",
    "host": f"upper(coalesce({_first('host')}, ''))",
    "channel": f"coalesce({_first('channel')}, '')",
    "provider": f"coalesce({_first('provider')}, '')",
    "event_id": f"try_cast(j[{_IDX['event_id_text']}] AS INTEGER)",
    "record_id": f"try_cast(j[{_IDX['record_id']}] AS BIGINT)",
    "target_user": f"coalesce(regexp_replace({_first('target_user')}, '^.*\\\\', ''), {_TEXT_USER})",
    "target_domain": f"coalesce({_first('target_domain')}, regexp_extract({_first('target_user')}, '^(.*)\\\\', 1))",
    "target_sid": _first("target_sid"),
    "subject_user": _first("subject_user"),
    "subject_domain": _first("subject_domain"),
    "logon_type": f"try_cast({_first('logon_type_text')} AS INTEGER)",
    "logon_id": _first("logon_id"),
    "src_ip": f"coalesce(nullif(regexp_replace({_first('src_ip_raw')}, '^::ffff:', ''), '-'), {_TEXT_IP})",
    "src_port": _first("src_port"),
    "workstation": _first("workstation"),
    "auth_package": f"trim({_first('auth_package')})",
    "logon_process": f"trim({_first('logon_process')})",
    "status": f"lower({_first('status')})",
    "sub_status": f"lower({_first('sub_status')})",
    "process": _first("process"),
    "parent_process": _first("parent_process"),
    "command_line": _first("command_line"),
    "service": _first("service"),
    "image_path": _first("image_path"),
    "param2": _first("param2"),
    "param3": _first("param3"),
    "member": _first("member"),
    "member_sid": _first("member_sid"),
    "message": _MESSAGE,
    "data": f"j[{_IDX['event_data']}]",
}

def _extract_sql() -> str:
    """One JSON parse per record: every candidate path at once, then coalesce per column."""
    flat: list[str] = []
    groups: list[list[int]] = []
    for paths in PATHS.values():
        idx = []
        for p in paths:
            flat.append("'" + p.replace("'", "''") + "'")
            idx.append(len(flat))
        groups.append(idx)
    coalesced = ", ".join(
        ("coalesce(" + ", ".join(f"nullif(k[{i}], '')" for i in g) + ")") if len(g) > 1 else f"k[{g[0]}]"
        for g in groups
    )
    return f"SELECT file, [{coalesced}] AS j FROM (SELECT file, json_extract_string(raw, [{', '.join(flat)}]) AS k FROM batch)"


NORMALIZE_SQL = (
    "SELECT " + ", ".join(f"{expr} AS {col}" for col, expr in COLUMNS.items())
    + ", file FROM (" + _extract_sql() + ")"
)


class EventStore:
    """Collects canonical JSON records in batches and writes normalized Parquet parts in the background."""

    def __init__(self, directory: Path, batch_size: int = 50_000, threads: int | None = None,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self.directory = directory
        self.on_batch = on_batch  # told the running total of records at every batch (progress bars)
        self.total = 0
        self.directory.mkdir(parents=True, exist_ok=True)
        self.batch_size = batch_size
        self.con = duckdb.connect()
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self._raw: list[str] = []
        self._files: list[str] = []
        self._parts = 0
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._worker = threading.Thread(target=self._write_loop, daemon=True)
        self._worker.start()

    @property
    def glob(self) -> str:
        return str(self.directory / "events-*.parquet")

    def add(self, records: Iterable[str], file: str) -> int:
        """Append all records of one input; returns how many were added."""
        n = 0
        raw, files, size = self._raw, self._files, self.batch_size
        for rec in records:
            raw.append(rec)
            n += 1
            if len(raw) >= size:
                files.extend([file] * (len(raw) - len(files)))
                self._flush()
                raw, files = self._raw, self._files
        files.extend([file] * (len(raw) - len(files)))
        return n

    def _flush(self) -> None:
        if not self._raw:
            return
        if self._error:
            raise self._error
        table = pa.table({"raw": pa.array(self._raw, pa.large_string()),
                          "file": pa.array(self._files, pa.string()).dictionary_encode()})
        self._raw, self._files = [], []
        self._queue.put(table)
        self.total += table.num_rows
        if self.on_batch:
            self.on_batch(self.total)

    def _write_loop(self) -> None:
        cur = self.con.cursor()
        while True:
            table = self._queue.get()
            if table is None:
                return
            try:
                self._parts += 1
                target = self.directory / f"events-{self._parts:05d}.parquet"
                cur.register("batch", table)
                cur.execute(f"COPY ({NORMALIZE_SQL}) TO {sql_literal(str(target))} (FORMAT parquet, COMPRESSION zstd)")
                cur.unregister("batch")
            except BaseException as exc:  # surfaced on the next flush / close
                self._error = exc

    def close(self) -> None:
        """Write what is left and wait for the writer; then the events view is ready."""
        self._flush()
        self._queue.put(None)
        self._worker.join()
        if self._error:
            raise self._error
        if self._parts:
            self.con.execute(f"CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet({sql_literal(self.glob)})")
        else:
            self.con.execute("CREATE OR REPLACE VIEW events AS SELECT "
                             + ", ".join(f"NULL::{_type(c)} AS {c}" for c in COLUMNS) + ", NULL::VARCHAR AS file WHERE false")

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def rows(self, sql: str, params: list | None = None) -> Iterator[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            yield dict(zip(names, row))


def _type(col: str) -> str:
    return {"ts": "TIMESTAMP", "event_id": "INTEGER", "record_id": "BIGINT", "logon_type": "INTEGER"}.get(col, "VARCHAR")


def sql_literal(text: object) -> str:
    """A SQL string literal (paths may hold quotes)."""
    return "'" + str(text).replace("'", "''") + "'"
