"""Settings: the shipped defaults.yml merged with the user's --config file (only changed keys needed)."""
from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path
from typing import Any

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
        unknown = set(user.get("rules", {}) or {}) - set(config["rules"])
        if unknown:
            raise ConfigError(f"{path}: unknown rule id(s) under 'rules': {', '.join(sorted(unknown))}")
        config = _merge(config, user)
    return config


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
