"""Settings: the shipped defaults.yml merged with the user's --config file (only changed keys needed)."""
from __future__ import annotations

import csv
import difflib
import re
from importlib import resources
from pathlib import Path
from typing import Any

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml


class ConfigError(ValueError):
    """A settings or allowlist file that cannot be used; the message says which and why."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Defaults, overridden by the user's file; raises ConfigError with the file name on a bad file."""
    config = yaml.safe_load((resources.files("wardwatch") / "defaults.yml").read_text(encoding="utf-8"))
    if path is not None:
        try:
            user = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig")) or {}
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read settings file: {exc.strerror or exc}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(user, dict):
            raise ConfigError(f"{path}: settings must be a mapping of keys to values")
        _check(user, config, path, "")
        config = _merge(config, user)
        for key, check in (("lang", _lang), ("timezone", parse_tz)):
            if key in user:
                try:
                    config[key] = check(str(user[key]))
                except ValueError as exc:
                    raise ConfigError(f"{path}: {key}: {exc}") from exc
    return config


# A settings file is checked against defaults.yml itself: the same keys, values of the same type. A key whose
# default is null takes any value (its command checks it); a mapping with a `default` key takes more keys.
INVENTORY_KEYS = {"segments", "systems", "devices", "flows", "backups", "remote_access", "hospital", "people"}
_TYPE_NAMES = {int: "a whole number", float: "a number", str: "text", bool: "true or false", dict: "a mapping",
               list: "a list"}


def _check(user: dict[str, Any], defaults: dict[str, Any], path: Path, prefix: str) -> None:
    open_map = "default" in defaults
    unknown = [k for k in user if k not in defaults and not open_map]
    if unknown:
        if not prefix and INVENTORY_KEYS & set(map(str, user)):
            raise ConfigError(f"{path}: this looks like a hospital inventory, not a settings file (keys "
                              f"{', '.join(map(str, unknown))}); pass it with --inventory")
        key = str(unknown[0])
        near = difflib.get_close_matches(key, [str(k) for k in defaults], n=1)
        hint = f"; did you mean '{prefix}{near[0]}'?" if near else f" (known: {', '.join(map(str, defaults))})"
        raise ConfigError(f"{path}: unknown setting '{prefix}{key}'{hint}")
    for key, value in user.items():
        default = defaults.get(key, defaults.get("default"))
        where = f"{prefix}{key}"
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {where}: expected a mapping of settings, not {value!r}")
            _check(value, default, path, where + ".")
        elif default is not None and not _same_type(value, default):
            raise ConfigError(f"{path}: {where}: {value!r} is not {_TYPE_NAMES.get(type(default), type(default).__name__)}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_range(where, value, path)


def _same_type(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _check_range(where: str, value: float, path: Path) -> None:
    name = where.rsplit(".", 1)[-1]
    if name in ("night_start", "night_end") and not 0 <= value <= 23:
        raise ConfigError(f"{path}: {where}: {value!r} is not an hour of the day (0-23)")
    low = 1 if name.endswith(("count", "accounts", "hosts", "targets", "each", "limit", "days")) else 0
    if value < low:
        raise ConfigError(f"{path}: {where}: {value!r} must be at least {low}")


def _lang(text: str) -> str:
    if text not in ("ja", "en"):
        raise ValueError(f"{text!r} is not a language WardWatch speaks (ja or en)")
    return text


_ALIASES = {"JST": "Asia/Tokyo", "UTC": "UTC", "GMT": "UTC", "Z": "UTC"}
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", re.I)


def parse_tz(text: str) -> str:
    """A time zone as ZoneInfo takes it: IANA names (Asia/Tokyo), JST, UTC, and offsets (+09:00, UTC+9, GMT+9).
    A fixed offset becomes the matching Etc/GMT zone (whole hours only); ValueError with the forms it knows."""
    name = text.strip()
    if name.upper() in _ALIASES:
        return _ALIASES[name.upper()]
    m = _OFFSET.fullmatch(name)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if minutes or hours > 14:
            raise ValueError(f"{text!r}: only whole-hour offsets up to 14 work as an offset; use a zone name "
                             "such as Asia/Kolkata")
        return "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"  # Etc/GMT signs are inverted
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {text!r} (use Asia/Tokyo, JST, UTC, +09:00 or UTC+9)") from exc
    return name


def load_rdp_allowlist(path: Path) -> list[tuple[str, str, str]]:
    """(server, account, source) rows from CSV (header optional) or YAML; '*' matches anything."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read RDP allowlist: {exc.strerror or exc}") from exc
    rows: list[tuple[str, str, str]] = []
    if Path(path).suffix.lower() in (".yml", ".yaml"):
        try:
            data = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        for i, item in enumerate(data if isinstance(data, list) else []):
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
