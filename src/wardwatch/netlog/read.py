"""Reading network logs for `wardwatch syslog scan`: the walker and syslog reader of wardwatch.sources.

The lines themselves are read by `wardwatch.sources.syslog` (the same reader `wardwatch scan` uses): network
lines into a NetworkTable, Windows-event lines converted and counted (this command keeps no event store)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..model import InputFile
from ..store import NetworkTable
from .parse import NetEvent

NOT_SYSLOG = (".json", ".tmp")  # in a folder given to `syslog scan`: the collector's status and temporary files


def read_network(paths: list[Path], tz: str) -> tuple[list[InputFile], NetworkTable]:
    """Every file (zips opened) read once as syslog: the inputs (hash, events, problems) and their network events."""
    from ..sources import read_sources

    network = NetworkTable()
    inputs: list[InputFile] = []
    for inp, records in read_sources(paths, tz=tz, network=network, reader="syslog", skip=NOT_SYSLOG):
        windows = sum(1 for _ in records)  # Windows events in the syslog: counted, not stored here
        inp.events += windows
        inputs.append(inp)
    return inputs, network


def read_file(path: Path, tz: str) -> tuple[InputFile, list[NetEvent], Counter[str]]:
    """One file's input entry, network events and their count by vendor ('unknown': lines no parser knew)."""
    inputs, network = read_network([path], tz)
    return inputs[0], network.events, network.kinds
