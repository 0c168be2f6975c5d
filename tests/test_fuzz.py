"""Fuzz (fixed seed, over 1,000 cases a run): damaged and foreign inputs never crash a command or change an input.

Property of every whole scan: exit code 0 or 1, no traceback, findings.json valid against the shipped JSON
Schema, every input byte-for-byte unchanged. Settings files: only ConfigError, with the file's name."""
from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from importlib import resources
from pathlib import Path

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import CORPUS, need
from test_export_formats import _events, nxlog, winlogbeat
from test_netlog_detect import _lines
from wardwatch.cli import app
from wardwatch.config import ConfigError, load_config
from wardwatch.demo import to_json, to_xml

SEED = 20261205
FILES_PER_SCAN = 60
SCHEMA = json.loads((resources.files("wardwatch.report") / "findings.schema.json").read_text(encoding="utf-8"))
COUNTED: dict[str, int] = {}


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One damage of the kinds found in the field: truncation, bit flips, zeroed runs, stray bytes, splices."""
    b = bytearray(data)
    kind = rng.choice(["truncate", "flip", "zero", "insert", "splice", "byte"])
    if not b:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    if kind == "truncate":
        del b[rng.randrange(len(b)):]
    elif kind == "flip":
        for _ in range(rng.randint(1, 64)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == "zero":
        at = rng.randrange(len(b))
        b[at:at + rng.randint(1, 4096)] = bytes(min(len(b) - at, 4096))
    elif kind == "insert":
        at = rng.randrange(len(b))
        b[at:at] = rng.choice([b"\x00", b"\x01\x1f", b"<", b"\"", b"\xff\xfe", b"}", b"\n", "病院".encode("cp932")])
    elif kind == "splice":
        at = rng.randrange(len(b))
        b = b[:at] + b[rng.randrange(len(b)):]
    else:
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def _texts(rng: random.Random) -> list[tuple[str, bytes]]:
    """Seeds for the text formats: XML, evtx JSON lines, NXLog, Winlogbeat, Get-WinEvent-like and syslog."""
    events = rng.sample(_events(), 40)
    return [
        ("xml", "\n".join(to_xml(e) for e in events).encode()),
        ("jsonl", b"\n".join(orjson.dumps(to_json(e)) for e in events)),
        ("nxlog.json", b"\n".join(orjson.dumps(nxlog(e)) for e in events)),
        ("beat.json", b"\n".join(orjson.dumps(winlogbeat(e, rng.random() < 0.5)) for e in events)),
        ("array.json", orjson.dumps([to_json(e) for e in events])),
        ("fw.log", "\n".join(_lines()).encode()),
    ]


def _zip(members: list[tuple[str, bytes]], rng: random.Random) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    data = buf.getvalue()
    return data if rng.random() < 0.5 else _mutate(data, rng)


def _folder(root: Path, rng: random.Random, evtx: list[Path]) -> Path:
    root.mkdir(parents=True)
    for n in range(FILES_PER_SCAN):
        pick = rng.random()
        if pick < 0.45:
            name, data = f"{n}.evtx", _mutate(rng.choice(evtx).read_bytes(), rng)
        elif pick < 0.9:
            kind, seed = rng.choice(_texts(rng))
            name, data = f"{n}.{kind}", _mutate(seed, rng)
        else:
            kind, seed = rng.choice(_texts(rng))
            name, data = f"{n}.zip", _zip([(f"in.{kind}", _mutate(seed, rng))], rng)
        (root / name).write_bytes(data)
        COUNTED[name.split(".", 1)[1]] = COUNTED.get(name.split(".", 1)[1], 0) + 1
    return root


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("round_", range(16))
def test_damaged_inputs_never_lose_a_scan(tmp_path: Path, round_: int) -> None:
    rng = random.Random(SEED + round_)
    evtx = sorted(need(CORPUS).rglob("*.evtx"))
    evtx = [p for p in evtx if p.stat().st_size < 2_000_000]
    folder = _folder(tmp_path / "in", rng, evtx)
    before = _hashes(folder)
    args = ["scan", str(folder), "--out", str(tmp_path / "out")]
    if round_ % 4 == 3:
        args += ["--lang", "en", "--tz", "UTC+9"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code in (0, 1), (res.exit_code, res.output[-2000:], res.exception)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "timeline.csv").exists()
    assert _hashes(folder) == before
    assert len(data["inputs"]) >= FILES_PER_SCAN


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.lists(st.integers(), max_size=3))
KEYS = st.sampled_from(["timezone", "lang", "evidence_limit", "rules", "brute-force", "burst_count", "night_start",
                        "incident_gap_hours", "recommended_kb", "Security", "audit", "checks", "tools_file", "x"])
CONFIGS = st.recursive(SCALARS, lambda inner: st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(CONFIGS)
def test_any_settings_file_is_used_or_refused_with_its_name(doc) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    import yaml
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "settings.yml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        try:
            cfg = load_config(path)
        except ConfigError as exc:
            assert str(path) in str(exc)
        else:
            assert isinstance(cfg["rules"]["brute-force"]["burst_count"], int)
    COUNTED["config"] = COUNTED.get("config", 0) + 1


def test_case_count_is_over_a_thousand() -> None:
    """Runs last in this module: the cases generated above add up to the issue's minimum."""
    assert sum(COUNTED.values()) >= 1000, COUNTED
