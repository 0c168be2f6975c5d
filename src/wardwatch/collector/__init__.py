"""The Windows collector shipped with WardWatch: a PowerShell script that uses built-in commands only."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

SCRIPT_NAME = "wardwatch-collect.ps1"
RUN_LINE = f"powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\\{SCRIPT_NAME}"


def script_text() -> str:
    """The collector script (shipped as UTF-8 with BOM, so even a copy taken straight from the package runs on 5.1)."""
    return (resources.files("wardwatch.collector") / SCRIPT_NAME).read_text(encoding="utf-8-sig")


def write_script(path: Path) -> Path:
    """Write the script for Windows: UTF-8 with BOM (so PowerShell 5.1 reads the Japanese text) and CRLF."""
    path = Path(path)
    if path.is_dir():
        path = path / SCRIPT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    text = script_text().replace("\r\n", "\n").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path
