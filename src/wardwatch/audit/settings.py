"""Audit settings: the `audit:` part of --config, the --hosts inventory list and the attack-tool list."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..config import ConfigError
from .encoding import DecodeError, decode
from .outcome import Context

KEYS = {"checks", "rdp_hosts", "expected_admins", "hosts_file"}
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def load_hosts(path: Path) -> tuple[list[str], set[str]]:
    """A plain host list, one per line: `NAME [tags]` (tag `rdp`: RDP is needed there); # starts a comment."""
    try:
        text, _ = decode(Path(path).read_bytes())
    except (OSError, DecodeError) as exc:
        raise ConfigError(f"{path}: cannot read host list: {exc}") from exc
    hosts: list[str] = []
    rdp: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        tokens = [t for t in re.split(r"[\s,;]+", line.split("#", 1)[0].strip()) if t]
        if not tokens or (not hosts and tokens[0].lower() in ("host", "hostname", "name", "computer", "ホスト")):
            continue
        if not _HOST.match(tokens[0]):
            raise ConfigError(f"{path}: line {n}: {tokens[0]!r} is not a host name")
        hosts.append(tokens[0].upper())
        if any(t.lower() == "rdp" for t in tokens[1:]):
            rdp.add(tokens[0].upper())
    return hosts, rdp


def _names(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"audit.{key}: expected a list of names")
    return [str(v) for v in value]


def make_context(cfg: dict[str, Any], hosts_file: Path | None) -> Context:
    """The context checks use, from the merged settings and the optional host list."""
    from ..detect.lists import load_lists

    audit = cfg.get("audit") or {}
    if not isinstance(audit, dict):
        raise ConfigError("audit: expected a mapping (checks, rdp_hosts, expected_admins, hosts_file)")
    unknown = sorted(set(audit) - KEYS)
    if unknown:
        raise ConfigError(f"unknown key(s) under audit: {', '.join(unknown)} (known: {', '.join(sorted(KEYS))})")
    inventory: list[str] = []
    rdp = {h.upper() for h in _names(audit.get("rdp_hosts"), "rdp_hosts")}
    hosts_file = hosts_file or (Path(audit["hosts_file"]) if audit.get("hosts_file") else None)
    if hosts_file:
        inventory, more = load_hosts(hosts_file)
        rdp |= more
    try:
        tools = load_lists(cfg).tools
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ConfigError(f"tools_file: cannot read the attack-tool list: {exc}") from exc
    return Context(rdp_hosts=rdp, expected_admins={n.lower() for n in _names(audit.get("expected_admins"), "expected_admins")},
                   tools=list(tools), inventory=inventory)
