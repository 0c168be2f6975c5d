"""EventStore.over reads ISAC dataset parts written by an older WardWatch: the columns added since read as NULL."""
from __future__ import annotations

from pathlib import Path

import duckdb

from wardwatch.store import COLUMNS, EventStore


def test_parts_without_newer_columns_are_read(tmp_path: Path) -> None:
    old = tmp_path / "old.parquet"
    new = tmp_path / "new.parquet"
    con = duckdb.connect()
    # an old part: only the first columns of today's store, as a dataset ingested before the rest were added
    con.execute(f"COPY (SELECT 'PC1' AS host, 'Security' AS channel, 4625 AS event_id, 'admin' AS target_user, "
                f"'a.evtx' AS file) TO '{old}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT 'PC2' AS host, 'Microsoft-Windows-Sysmon/Operational' AS channel, 13 AS event_id, "
                f"'HKLM\\x' AS target_object, 'b.evtx' AS file) TO '{new}' (FORMAT parquet)")
    store = EventStore.over([str(old), str(new)])
    assert store.total == 2
    rows = store.query("SELECT host, event_id, target_user, target_object, pipe_name FROM events ORDER BY host")
    assert rows == [("PC1", 4625, "admin", None, None), ("PC2", 13, None, "HKLM\\x", None)]
    assert len(store.query("SELECT * FROM events LIMIT 1")[0]) == len(COLUMNS) + 1  # every column, and the file
