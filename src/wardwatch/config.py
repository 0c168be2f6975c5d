"""Settings: the shipped defaults.yml merged with the user's --config file (only changed keys needed).

A settings file is checked against defaults.yml itself: the same keys, values of the same type, in range. A key
whose default is null has its type in NULL_DEFAULTS (a file path is looked for beside the settings file too);
a mapping with a `default` key (recommended_kb) takes more keys of the default's type."""
from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from . import useryaml


class ConfigError(ValueError):
    """A settings or allowlist file that cannot be used; the message says which and why."""


PATH = "a file name"
EVIDENCE_LIMIT_MAX = 100_000
NULL_DEFAULTS: dict[str, type | str] = {"rdp_allowlist": PATH, "tools_file": PATH, "audit.hosts_file": PATH,
                                         "audit.checks": dict, "audit.rdp_hosts": list, "audit.expected_admins": list}
_TYPE_NAMES = {int: "a whole number", float: "a number", str: "text", bool: "true or false", dict: "a mapping",
               list: "a list"}


def defaults() -> dict[str, Any]:
    """The shipped defaults.yml."""
    return dict(yaml.safe_load((resources.files("wardwatch") / "defaults.yml").read_text(encoding="utf-8")))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Defaults, overridden by the user's file; raises ConfigError naming the file, the key and the value."""
    config = defaults()
    if path is None:
        return config
    try:
        user = useryaml.load(Path(path).read_text(encoding="utf-8-sig")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read settings file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a settings file (not UTF-8 text)") from exc
    except useryaml.YamlProblem as exc:
        line = f" at line {exc.line}" if exc.line else ""
        raise ConfigError(f"{path}: not valid YAML{line}: {exc}") from None
    if not isinstance(user, dict):
        raise ConfigError(f"{path}: settings must be a mapping of keys to values (see defaults.yml), "
                          f"not {type(user).__name__}")
    try:
        _check(user, config, "", config)
        config = _merge(config, user)
        for key, check in (("lang", _lang), ("timezone", parse_tz)):
            if key in user:
                try:
                    config[key] = check(str(user[key]))
                except ValueError as exc:
                    raise ConfigError(f"{key}: {exc}") from exc
        _files(config, Path(path))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return config


def _paths(tree: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Every settings key path of defaults.yml (rules.brute-force.burst_count, ...)."""
    for key, value in tree.items():
        yield prefix + str(key)
        if isinstance(value, dict) and "default" not in value:
            yield from _paths(value, f"{prefix}{key}.")


def _unknown(keys: list[str], level: dict[str, Any], prefix: str, root: dict[str, Any]) -> str:
    """"unknown setting 'timezon' (did you mean 'timezone'?)" for each unknown key, on one line; a known name in
    the wrong place (burst_count at the top) gets its full path (rules.brute-force.burst_count)."""
    known = [str(k) for k in level]
    every = list(_paths(root))
    parts = []
    for key in keys:
        near = difflib.get_close_matches(key, known, n=1)
        if near:
            parts.append(f"unknown setting '{prefix}{key}' (did you mean '{prefix}{near[0]}'?)")
            continue
        leaf = difflib.get_close_matches(key, [p.rsplit(".", 1)[-1] for p in every], n=1)
        elsewhere = [p for p in every if leaf and p.rsplit(".", 1)[-1] == leaf[0]]
        hint = f"did you mean '{elsewhere[0]}'?" if elsewhere else f"known here: {', '.join(known)}"
        parts.append(f"unknown setting '{prefix}{key}' ({hint})")
    return "; ".join(parts)


def _inventory_keys() -> set[str]:
    from .hospital.inventory import schema
    return set(schema().get("properties", {})) - {"version"}


def _check(user: dict[str, Any], level: dict[str, Any], prefix: str, root: dict[str, Any]) -> None:
    open_map = "default" in level
    unknown = [str(k) for k in user if k not in level and not open_map]
    if unknown:
        if not prefix and set(unknown) & _inventory_keys():
            raise ConfigError(f"unknown top-level keys {', '.join(unknown)}: this looks like a hospital inventory "
                              "file, not a settings file; give it with --inventory (or wardwatch inventory check)")
        raise ConfigError(_unknown(unknown, level, prefix, root))
    for key, value in user.items():
        default = level.get(key, level.get("default"))
        where = f"{prefix}{key}"
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: {value!r} is not a mapping of settings ({', '.join(map(str, default))})")
            _check(value, default, where + ".", root)
        elif default is None:
            want = NULL_DEFAULTS.get(where)
            if value is not None and isinstance(want, str) and not isinstance(value, str):
                raise ConfigError(f"{where}: {value!r} is not {want}")
            if value is not None and isinstance(want, type) and not isinstance(value, want):
                raise ConfigError(f"{where}: {value!r} is not {_TYPE_NAMES[want]}")
        elif not _same_type(value, default):
            hint = " (write an offset in quotes: '+09:00')" if key == "timezone" and isinstance(value, int) else ""
            wanted = _TYPE_NAMES.get(type(default), type(default).__name__)
            raise ConfigError(f"{where}: {value!r} is not {wanted}{hint}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_range(where, value)


def _same_type(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _check_range(where: str, value: float) -> None:
    name = where.rsplit(".", 1)[-1]
    if name in ("night_start", "night_end") and not 0 <= value <= 23:
        raise ConfigError(f"{where}: {value!r} is not an hour of the day (0-23)")
    low = 1 if name.endswith(("count", "accounts", "hosts", "targets", "each", "limit", "days")) else 0
    if value < low:
        raise ConfigError(f"{where}: {value!r} must be at least {low}")
    if name == "evidence_limit" and value > EVIDENCE_LIMIT_MAX:  # DuckDB's arg_min(…, n) fails far above this
        raise ConfigError(f"{where}: {value!r} is more than the {EVIDENCE_LIMIT_MAX:,} events a finding can list "
                          "(the total is always given)")


def _files(config: dict[str, Any], settings_file: Path) -> None:
    """Resolve the file names a settings file gives (as given, else beside the settings file); they must exist."""
    for where in (k for k, v in NULL_DEFAULTS.items() if v == PATH):
        *parents, key = where.split(".")
        level = config
        for p in parents:
            level = level.get(p) or {}
        if not level.get(key):
            continue
        name = Path(level[key]).expanduser()
        found = next((p for p in (name, settings_file.parent / name) if p.is_file()), None)
        if found is None:
            raise ConfigError(f"{where}: {str(name)!r}: no such file (relative names are looked for in the current "
                              f"folder and beside the settings file)")
        level[key] = str(found)
    if config.get("tools_file"):
        _check_tools(Path(config["tools_file"]))


def _check_tools(path: Path) -> None:
    """The user's attack-tool list: the layout of detect/tools.yml (tools: [{name, match: [...]}], ...)."""
    try:
        data = useryaml.load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError, useryaml.YamlProblem) as exc:
        raise ConfigError(f"tools_file: {path}: cannot be read as YAML ({' '.join(str(exc).split())[:200]})") from exc
    if not isinstance(data, dict) or set(data) - {"tools", "suspicious_service_paths"}:
        raise ConfigError(f"tools_file: {path}: expected the keys tools: and suspicious_service_paths: "
                          "as in detect/tools.yml")
    tools, paths = data.get("tools", []), data.get("suspicious_service_paths", [])
    if not isinstance(tools, list):
        raise ConfigError(f"tools_file: {path}: tools must be a list of {{name, match}} entries")
    for i, tool in enumerate(tools):
        texts = [tool.get(k) for k in ("match", "regex")] if isinstance(tool, dict) else [None]
        if not (isinstance(tool, dict) and isinstance(tool.get("name"), str) and any(t is not None for t in texts)
                and all(t is None or (isinstance(t, list) and all(isinstance(m, str) for m in t)) for t in texts)):
            raise ConfigError(f"tools_file: {path}: tools entry {i + 1} needs name: and match: [text, ...] "
                              "(or regex: [pattern, ...])")
        for pattern in tool.get("regex") or []:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"tools_file: {path}: tools entry {i + 1}: regex {pattern!r}: {exc}") from exc
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"tools_file: {path}: suspicious_service_paths must be a list of text")


def _lang(text: str) -> str:
    if text not in ("ja", "en"):
        raise ValueError(f"{text!r} is not a language WardWatch speaks (ja or en)")
    return text


_ALIASES = {"JST": "Asia/Tokyo", "UTC": "UTC", "GMT": "UTC", "Z": "UTC"}
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
TZ_FORMS = "Asia/Tokyo, JST, UTC, +09:00, +0900, UTC+9 or GMT+9"


def parse_tz(text: str) -> str:
    """A time zone as ZoneInfo takes it: IANA names (Asia/Tokyo), JST, UTC, and offsets (+09:00, UTC+9, GMT+9).
    A fixed offset becomes the matching Etc/GMT zone (whole hours only); ValueError with the forms it knows."""
    name = text.strip()
    if name.upper() in _ALIASES:
        return _ALIASES[name.upper()]
    m = _OFFSET.fullmatch(name)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if minutes:
            raise ValueError(f"{text!r}: only whole-hour offsets work as an offset; give the zone's name instead"
                             f"{_zone_with(sign, hours, minutes)}")
        zone = "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"  # Etc/GMT signs are inverted
        if hours > (14 if sign == "+" else 12):
            raise ValueError(f"{text!r} is not a UTC offset (UTC-12 to UTC+14)")
        return zone
    zones = {z.lower(): z for z in available_timezones()} if "/" in name or name.isalpha() else {}
    if name.lower() in zones:
        return zones[name.lower()]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        near = difflib.get_close_matches(name.lower(), list(zones), n=1)
        hint = f"did you mean {zones[near[0]]}? " if near else ""
        raise ValueError(f"unknown time zone {text!r} ({hint}use {TZ_FORMS})") from exc
    return name


def _zone_with(sign: str, hours: int, minutes: int) -> str:
    """', such as Asia/Kolkata': a zone that has this offset all year, for the message."""
    from datetime import datetime, timedelta

    want = timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
    try:  # the canonical names (Asia/Kolkata, not the old Asia/Calcutta)
        tab = (resources.files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
        names = sorted(line.split("\t")[2] for line in tab.splitlines() if line and not line.startswith("#"))
    except (OSError, ImportError, IndexError):
        names = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    for zone in names:
        tz = ZoneInfo(zone)
        if all(datetime(2025, month, 1, tzinfo=tz).utcoffset() == want for month in (1, 7)):
            return f", such as {zone}"
    return ""


def load_rdp_allowlist(path: Path) -> list[tuple[str, str, str]]:
    """(server, account, source) rows from CSV (header optional) or YAML; '*' matches anything."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read RDP allowlist: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not an RDP allowlist (not UTF-8 text)") from exc
    rows: list[tuple[str, str, str]] = []
    if Path(path).suffix.lower() in (".yml", ".yaml"):
        try:
            data = useryaml.load(text) or []
        except useryaml.YamlProblem as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(data, list):
            raise ConfigError(f"{path}: expected a list of {{server, account, source}} entries")
        for i, item in enumerate(data):
            if not isinstance(item, dict) or not {"server", "account", "source"} <= set(item):
                raise ConfigError(f"{path}: entry {i + 1} needs server, account and source")
            rows.append((str(item["server"]), str(item["account"]), str(item["source"])))
        return rows
    for n, rec in enumerate(csv.reader(text.splitlines()), start=1):
        if not rec or rec[0].strip().startswith("#"):
            continue
        if n == 1 and [c.strip().lower() for c in rec[:3]] == ["server", "account", "source"]:
            continue
        if len(rec) < 3:
            raise ConfigError(f"{path}: line {n}: expected server,account,source")
        rows.append((rec[0].strip(), rec[1].strip(), rec[2].strip()))
    return rows
