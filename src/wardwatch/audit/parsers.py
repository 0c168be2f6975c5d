"""Parsers for the bundle parts: secedit INF, auditpol CSV, wevtutil gl XML/text and PowerShell JSON."""
from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from defusedxml import ElementTree

_GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$")
_MSDATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


class ParseError(ValueError):
    """A part whose text is not in the expected format; the message says where."""


def parse_inf(text: str) -> dict[str, dict[str, str]]:
    """secedit /export or GptTmpl.inf: {section: {key: value}}, sections and keys lower-cased, quotes removed."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip().lower(), {})
            continue
        if current is None or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        current[key.strip().lower()] = value
    if not sections:
        raise ParseError("no [section] found: not a secedit / GptTmpl.inf file")
    return sections


def parse_auditpol(text: str) -> dict[str, dict[str, Any]]:
    """auditpol /backup CSV: {SUBCATEGORY-GUID (upper, with braces): {"name", "value"}}; value 0-3."""
    out: dict[str, dict[str, Any]] = {}
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:  # a field over the csv module's limit (131,072 characters)
        raise ParseError(f"broken CSV: {exc}") from exc
    if not rows or not any("subcategory" in c.lower() for c in rows[0]):
        raise ParseError("no auditpol header (Machine Name,Policy Target,Subcategory,Subcategory GUID,...)")
    for n, row in enumerate(rows[1:], start=2):
        guid = next((c.strip() for c in row if _GUID.match(c.strip())), None)
        if guid is None or not row[-1].strip().isdecimal():
            continue
        key = "{" + guid.strip("{}").upper() + "}"
        out[key] = {"name": row[2].strip() if len(row) > 2 else "", "value": int(row[-1].strip()), "row": n}
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_wevtutil(text: str) -> dict[str, Any]:
    """wevtutil gl LOG /f:xml (or the plain text form): name, enabled, max_size, retention, auto_backup."""
    text = text.strip()
    if text.startswith("<"):
        try:
            root = ElementTree.fromstring(text.encode("utf-8"))
        except ElementTree.ParseError as exc:
            raise ParseError(f"broken XML: {exc}") from exc
        except ValueError as exc:  # defusedxml: a DTD, entities or external references (never expanded)
            raise ParseError(f"refused XML ({type(exc).__name__}): {exc}") from exc
        if _local(root.tag) != "channel":
            raise ParseError(f"expected <channel>, found <{_local(root.tag)}>")
        values = {_local(el.tag): (el.text or "").strip() for el in root.iter()}
        values.update({k: v for k, v in root.attrib.items()})
    else:
        values = {}
        for line in text.splitlines():
            key, sep, value = line.strip().partition(":")
            if sep and key and key not in values:
                values[key.strip()] = value.strip()
        if "name" not in values:
            raise ParseError("neither wevtutil XML nor its text form")
    size = values.get("maxSize", "")
    return {
        "name": values.get("name", ""),
        "enabled": values.get("enabled", "").lower() == "true",
        "max_size": int(size) if size.isdecimal() else None,
        "retention": values.get("retention", "").lower() == "true",
        "auto_backup": values.get("autoBackup", "").lower() == "true",
        "log_file": values.get("logFileName", ""),
    }


def unwrap(value: Any) -> Any:
    """Undo the PowerShell 5.1 array wrapper {"value": [...], "Count": n}."""
    if isinstance(value, dict) and set(value) == {"value", "Count"} and isinstance(value["value"], list):
        return value["value"]
    return value


def parse_json(text: str) -> Any:
    """ConvertTo-Json output of Windows PowerShell 5.1 or PowerShell 7 (BOM and array wrapper removed)."""
    try:
        return unwrap(orjson.loads(text.lstrip("\ufeff").strip() or "null"))
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"broken JSON: {exc}") from exc


def as_list(value: Any) -> list[Any]:
    """A JSON value as a list: PowerShell writes a one-element array as the element itself."""
    value = unwrap(value)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_bool(value: Any) -> bool | None:
    """True/False/1/0/'True'/'1'/'Enabled' → bool; anything else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "1", "yes", "enabled", "on"):
            return True
        if v in ("false", "0", "no", "disabled", "off"):
            return False
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        text = str(value).strip().strip('"')
        return int(text, 16) if text.lower().startswith("0x") else int(float(text))
    except (ValueError, OverflowError):  # not a number, or 1e400 / inf
        return None


def as_datetime(value: Any) -> datetime | None:
    """A date from any PowerShell JSON shape: ISO text (PS 7, collector), /Date(ms)/ (PS 5.1), {"value": …};
    None for anything else, a date out of range included."""
    try:
        return _as_datetime(value)
    except (ValueError, OverflowError, OSError):  # 1e20 ms, NaN, /Date(99999999999999999999)/
        return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, dict):
        value = value.get("value", value.get("DateTime"))
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value).strip().replace("\\/", "/")
    m = _MSDATE.match(text)
    if m:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(m.group(1)))
    for fmt in (None, "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00")) if fmt is None else datetime.strptime(text, fmt)
        except ValueError:
            continue
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return None
