"""Finding and reading collector bundles (folders or .zip): each part parsed, or marked not collected."""
from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ..model import InputFile, ReadProblem
from .encoding import DecodeError, decode
from .parsers import ParseError, as_datetime, parse_auditpol, parse_inf, parse_json, parse_wevtutil

# part name -> (file in the bundle, parser)
PARTS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "system": ("system.json", parse_json),
    "secedit": ("secedit.inf", parse_inf),
    "auditpol": ("auditpol.csv", parse_auditpol),
    "eventlog_acl": ("eventlog_acl.json", parse_json),
    "users": ("users.json", parse_json),
    "groups": ("groups.json", parse_json),
    "winlogon": ("winlogon.json", parse_json),
    "rdp": ("rdp.json", parse_json),
    "smb": ("smb.json", parse_json),
    "laps": ("laps.json", parse_json),
    "defender": ("defender.json", parse_json),
    "updates": ("updates.json", parse_json),
    "software": ("software.json", parse_json),
    "services": ("services.json", parse_json),
    "removable": ("removable.json", parse_json),
    "execution_policy": ("execution_policy.json", parse_json),
    "office": ("office.json", parse_json),
}
MARKERS = {"manifest.json", "eventlogs.json"} | {f for f, _ in PARTS.values()}
_NAME = re.compile(r"^wardwatch-(?P<host>.+)-(?P<stamp>\d{8}-\d{6})$")
_MESSAGES = {"missing": "not collected (file missing)", "error": "the collector failed",
             "unreadable": "could not be read"}


class NotCollected(Exception):
    """A check needed a part that is missing or unreadable: the check is 'not collected', never a pass."""

    def __init__(self, part: str, status: str = "missing", message: str = "") -> None:
        super().__init__(f"{part}: {status} {message}".strip())
        self.part, self.status, self.message = part, status, message


@dataclass
class Part:
    """One part of a bundle as read: parsed data, or why there is none."""

    name: str
    status: str  # ok | missing | error | unreadable
    data: Any = None
    file: str = ""
    message: str = ""
    encoding: str = ""


@dataclass
class Bundle:
    """One host's collected evidence."""

    host: str
    path: str
    collected_at: datetime | None
    manifest: dict[str, Any]
    parts: dict[str, Part]
    eventlogs: dict[str, Part]  # by channel name; status 'absent' when the log does not exist on the host
    inputs: list[InputFile] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # parts a check looked at (its evidence)

    def get(self, name: str) -> Any:
        """The parsed part, or NotCollected."""
        self.touched.add(name)
        part = self.parts.get(name)
        if part is None or part.status != "ok":
            raise NotCollected(name, part.status if part else "missing", part.message if part else "")
        return part.data

    def has(self, name: str) -> bool:
        self.touched.add(name)
        part = self.parts.get(name)
        return part is not None and part.status == "ok"

    def evidence_files(self) -> list[str]:
        """Files of the parts touched since the last call (and resets the list)."""
        files = [self.parts[n].file for n in sorted(self.touched) if n in self.parts and self.parts[n].status == "ok"]
        if "eventlogs" in self.touched:
            files += [p.file for p in self.eventlogs.values() if p.status == "ok"]
        self.touched = set()
        return files

    @property
    def not_collected(self) -> list[Part]:
        return [p for p in self.parts.values() if p.status != "ok"]


class _Source:
    """Files of one bundle, in a folder or under a prefix inside a zip."""

    def __init__(self, label: str, names: list[str], reader: Callable[[str], bytes], is_zip: bool = False) -> None:
        self.label, self.names, self._read, self.is_zip = label, names, reader, is_zip

    def read(self, name: str) -> bytes | None:
        return self._read(name) if name in self.names else None

    def where(self, name: str) -> str:
        """The file's place for messages: folder/name, archive.zip!name or archive.zip!prefix/name."""
        if self.label.endswith("/"):
            return self.label + name
        return f"{self.label}!{name}" if self.is_zip else f"{self.label}/{name}"


MAX_PART_BYTES = 64 << 20  # a part is settings text of a few MB at most; larger is not a collector's file
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
              RuntimeError, zlib.error)  # broken, truncated, encrypted, unsupported compression, bad CRC


class PartTooLarge(Exception):
    """A bundle file over MAX_PART_BYTES: not read (a zip member is refused while it is streamed out)."""


def _too_large(size: int) -> PartTooLarge:
    return PartTooLarge(f"not read: larger than {MAX_PART_BYTES:,} bytes ({size:,} or more), not a collector's file")


def _read_file(path: Path) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise _too_large(len(data))
    return data


def _read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """A member streamed out in chunks and refused past MAX_PART_BYTES (a zip bomb is never expanded whole)."""
    out = bytearray()
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 20):
            out += chunk
            if len(out) > MAX_PART_BYTES:
                raise _too_large(len(out))
    return bytes(out)


def _folder_source(folder: Path) -> _Source:
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return _Source(str(folder), names, lambda n: _read_file(folder / n))


def _zip_sources(path: Path) -> Iterator[_Source]:
    with zipfile.ZipFile(path) as zf:
        # Windows PowerShell 5.1's Compress-Archive writes "eventlogs\\Security.xml": use / everywhere
        members = {m.replace("\\", "/"): m for m in zf.namelist() if not m.endswith(("/", "\\"))}
    prefixes = sorted({str(PurePosixPath(m).parent) for m in members if PurePosixPath(m).name in MARKERS})
    for prefix in prefixes:
        pre = "" if prefix == "." else prefix + "/"
        names = [m[len(pre):] for m in members if m.startswith(pre)]

        def reader(n: str, pre: str = pre) -> bytes:
            with zipfile.ZipFile(path) as zf:
                return _read_member(zf, members[pre + n])
        yield _Source(f"{path}!{pre}" if pre else str(path), names, reader, is_zip=True)


def discover(paths: list[Path], problems: list[ReadProblem]) -> list[_Source]:
    """Bundles under the given paths: folders holding bundle files, zips holding them; recursive."""
    found: list[_Source] = []
    for path in paths:
        if path.is_file() and path.suffix.lower() == ".zip":
            try:
                found.extend(_zip_sources(path))
            except ZIP_ERRORS as exc:
                problems.append(ReadProblem(str(path), "zip", f"not a readable zip file: {exc}", True))
        elif path.is_dir():
            if any((path / m).is_file() for m in MARKERS):
                found.append(_folder_source(path))
                continue
            for child in sorted(path.iterdir()):
                if child.is_dir() or child.suffix.lower() == ".zip":
                    found.extend(discover([child], problems))
    return found


def _read(src: _Source, file: str, parser: Callable[[str], Any]) -> tuple[Part, InputFile | None]:
    where = src.where(file)
    try:
        data = src.read(file)
    except (PartTooLarge, *ZIP_ERRORS) as exc:  # the file is there but cannot be read: named, never a pass
        inp = InputFile(where, "", 0, 0, file.rsplit(".", 1)[-1])
        inp.errors.append(ReadProblem(where, "file", f"could not be read ({type(exc).__name__}: {exc})", True))
        return Part("", "unreadable", file=where, message=str(exc)), inp
    if data is None:
        return Part("", "missing", file=file), None
    inp = InputFile(where, hashlib.sha256(data).hexdigest(), len(data), 0, file.rsplit(".", 1)[-1])
    try:
        text, enc = decode(data)
        parsed = parser(text)
    except (DecodeError, ParseError) as exc:
        inp.errors.append(ReadProblem(where, "content", str(exc), True))
        return Part("", "unreadable", file=where, message=str(exc)), inp
    except (ValueError, RecursionError) as exc:  # a parser's own failure on odd text: named, never a pass
        exc = ParseError(f"could not be parsed ({type(exc).__name__}: {exc})")
        inp.errors.append(ReadProblem(where, "content", str(exc), True))
        return Part("", "unreadable", file=where, message=str(exc)), inp
    return Part("", "ok", parsed, where, encoding=enc), inp


def _identity(src: _Source, manifest: dict[str, Any], system: Any) -> tuple[str, datetime | None]:
    name = PurePosixPath(src.label.rstrip("/").replace("\\", "/").split("!")[-1] or src.label).name
    m = _NAME.match(name.removesuffix(".zip"))
    host = str(manifest.get("host") or (system or {}).get("computer_name") or (m.group("host") if m else name))
    when = as_datetime(manifest.get("collected_at"))
    if when is None and m:
        when = datetime.strptime(m.group("stamp"), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    return host.upper(), when


def load_bundle(src: _Source) -> Bundle:
    """Read every part of one bundle; missing or broken parts are kept with their reason."""
    inputs: list[InputFile] = []
    manifest_part, inp = _read(src, "manifest.json", parse_json)
    if inp:
        inputs.append(inp)
    manifest = manifest_part.data if manifest_part.status == "ok" and isinstance(manifest_part.data, dict) else {}
    reported = manifest.get("parts") or {}
    parts: dict[str, Part] = {}
    for name, (file, parser) in PARTS.items():
        part, inp = _read(src, file, parser)
        part.name = name
        if inp:
            inputs.append(inp)
        info = reported.get(name) if isinstance(reported, dict) else None
        if part.status == "missing" and isinstance(info, dict) and info.get("status") == "error":
            part.status, part.message = "error", str(info.get("message", ""))
        parts[name] = part
    eventlogs = _eventlogs(src, inputs)
    system = parts["system"].data if parts["system"].status == "ok" else None
    host, when = _identity(src, manifest, system if isinstance(system, dict) else None)
    bundle = Bundle(host, src.label, when, manifest, parts, eventlogs, inputs)
    _note_problems(bundle, src, manifest_part)
    return bundle


def _eventlogs(src: _Source, inputs: list[InputFile]) -> dict[str, Part]:
    logs: dict[str, Part] = {}
    index_part, inp = _read(src, "eventlogs.json", parse_json)
    if inp:
        inputs.append(inp)
    index = index_part.data if index_part.status == "ok" and isinstance(index_part.data, dict) else {}
    for channel, info in index.items():
        if isinstance(info, dict) and info.get("status") == "absent":
            logs[channel] = Part(channel, "absent")
    for file in (n for n in src.names if n.lower().startswith("eventlogs/") and n.lower().endswith(".xml")):
        part, inp = _read(src, file, parse_wevtutil)
        if inp:
            inputs.append(inp)
        channel = part.data["name"] if part.status == "ok" and part.data["name"] else \
            PurePosixPath(file).stem.replace("%4", "/")
        part.name = channel
        logs[channel] = part
    return logs


def _note_problems(bundle: Bundle, src: _Source, manifest: Part) -> None:
    """Parts not collected become read problems of the bundle (listed in the report and findings.json)."""
    first = bundle.inputs[0] if bundle.inputs else None
    if first is None:
        first = InputFile(src.label, "", 0, 0, "bundle")
        bundle.inputs.append(first)
    if manifest.status == "missing":
        first.errors.append(ReadProblem(src.where("manifest.json"), "manifest.json",
                                        "no manifest: the collector may have stopped early", False))
    elif bundle.manifest.get("state") not in (None, "complete"):
        first.errors.append(ReadProblem(src.where("manifest.json"), "manifest.json",
                                        "the collector did not finish (state: running): the bundle is partial", False))
    for part in bundle.not_collected:
        if part.status == "unreadable":
            continue  # already listed on its own file
        msg = _MESSAGES[part.status] + (f": {part.message}" if part.message else "")
        first.errors.append(ReadProblem(src.where(PARTS[part.name][0]), part.name, msg, False))
