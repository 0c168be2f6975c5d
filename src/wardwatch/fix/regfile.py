""".reg files of a plan (Registry Editor 5.00, UTF-16LE) and a strict reader for them."""
from __future__ import annotations

import re
from typing import Any

from .model import ABSENT
from .plan import HostPlan, Step

HEADER = "Windows Registry Editor Version 5.00"
EVENTLOG_KEY = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\EventLog"
CLASSIC_LOGS = ("Application", "Security", "System")


class RegFormatError(ValueError):
    """A line that is not Registry Editor 5.00 syntax."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(s: Step) -> str:
    if s.new is ABSENT:
        return "-"
    if s.reg_type == "dword":
        return f"dword:{int(s.new):08x}"
    return _quote(str(s.new))


def render_reg(comment: list[str], values: list[tuple[str, str, str]]) -> str:
    """values: (key, name, data) in order; keys grouped in their first order."""
    lines = [HEADER, ""] + [f"; {c}" for c in comment] + [""]
    keys: dict[str, list[str]] = {}
    for key, name, data in values:
        keys.setdefault(key, []).append(f"{_quote(name)}={data}")
    for key, entries in keys.items():
        lines += [f"[{key}]", *entries, ""]
    return "\r\n".join(lines) + "\r\n"


def reg_files(plan: HostPlan) -> dict[str, str]:
    """file name -> text: one file per catalog change file (rdp.reg, ...), plus eventlog.reg for the classic logs."""
    out: dict[str, list[Step]] = {}
    files = {c.id: c.file for c in plan.changes if c.kind == "reg"}
    for s in plan.steps_of("reg"):
        out.setdefault(files[s.change], []).append(s)
    texts = {name: render_reg([f"WardWatch fix plan: {plan.host}", "reg import " + name + " (apply.ps1 does this after saving the old values)"],
                              [(s.key[1], s.key[2], _value(s)) for s in steps]) for name, steps in out.items()}
    classic = []
    for s in plan.steps_of("eventlog"):
        log = next((c for c in CLASSIC_LOGS if c.lower() == s.key[1].lower()), None)
        if log is None:
            continue
        if s.key[2] == "max_size":
            classic.append((f"{EVENTLOG_KEY}\\{log}", "MaxSize", f"dword:{int(s.new):08x}"))
        else:
            classic.append((f"{EVENTLOG_KEY}\\{log}", "Retention", "dword:00000000"))
    if classic:
        texts["eventlog.reg"] = render_reg(
            [f"WardWatch fix plan: {plan.host}",
             "The classic logs' size (bytes) and retention (0 = overwrite as needed) as registry values, for GPO",
             "preferences or PCs set by hand. apply.ps1 sets every log with wevtutil sl instead (takes effect at once)."],
            classic)
    return texts


def encode_reg(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")


_KEY = re.compile(r"^\[(-?)(HKEY_[A-Z_]+(?:\\[^\\\[\]]+)+)\]$")
_LINE = re.compile(r'^"((?:[^"\\]|\\.)*)"=(.*)$')
_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


def read_reg(data: bytes) -> dict[str, dict[str, Any]]:
    """{key: {name: int | str | ABSENT}}; anything outside dword/string/delete syntax is a RegFormatError."""
    if not data.startswith(b"\xff\xfe"):
        raise RegFormatError("not UTF-16LE with a byte-order mark")
    lines = data[2:].decode("utf-16-le").split("\r\n")
    if lines[0] != HEADER:
        raise RegFormatError(f"line 1: expected {HEADER!r}")
    out: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for n, line in enumerate(lines[1:], start=2):
        if not line or line.startswith(";"):
            continue
        m = _KEY.match(line)
        if m:
            if m.group(1):
                raise RegFormatError(f"line {n}: a plan never deletes a key")
            current = out.setdefault(m.group(2), {})
            continue
        m = _LINE.match(line)
        if not m or current is None:
            raise RegFormatError(f"line {n}: not a value line: {line!r}")
        name, data_ = re.sub(r"\\(.)", r"\1", m.group(1)), m.group(2)
        if data_ == "-":
            current[name] = ABSENT
        elif re.fullmatch(r"dword:[0-9a-f]{8}", data_):
            current[name] = int(data_[6:], 16)
        elif _STRING.match(data_):
            current[name] = re.sub(r"\\(.)", r"\1", data_[1:-1])
        else:
            raise RegFormatError(f"line {n}: unsupported data {data_!r}")
    return out
