"""Inventory file: load YAML with line numbers, validate against the JSON Schema and the network's own rules."""
from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from .. import useryaml
from .dates import parse_date

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass
class Problem:
    """One error in an inventory or answers file: line, field path and message."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.field or '(top)'}: {self.message}"


class InventoryError(Exception):
    """The inventory could not be used; .problems says where and why."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__(f"{path}: {len(problems)} problem(s)")
        self.path = path
        self.problems = problems


@dataclass
class Inventory:
    """A validated inventory: the raw mapping plus parsed networks and helpers."""

    data: dict[str, Any]
    path: str = ""
    networks: dict[str, list[Network]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.data["hospital"]["name"])

    @property
    def size(self) -> str:
        return str(self.data["hospital"]["size"])

    def section(self, key: str) -> list[dict[str, Any]]:
        return list(self.data.get(key) or [])

    def segments(self) -> list[dict[str, Any]]:
        return self.section("segments")

    def roles(self, segment: str) -> list[str]:
        return next((list(s["roles"]) for s in self.segments() if s["name"] == segment), [])

    def segment_of(self, address: str) -> str | None:
        """The segment holding an address (most specific CIDR), or None."""
        try:
            ip = ipaddress.ip_address(address.split("/")[0])
        except ValueError:
            return None
        best: tuple[int, str] | None = None
        for name, nets in self.networks.items():
            for net in nets:
                if ip.version == net.version and ip in net and (best is None or net.prefixlen > best[0]):
                    best = (net.prefixlen, name)
        return best[1] if best else None

    def host_segment(self, host: dict[str, Any]) -> str | None:
        return host.get("segment") or self.segment_of(str(host.get("address", "")))

    def host(self, name: str) -> dict[str, Any] | None:
        for h in self.section("hosts"):
            if str(h.get("address")) == name:
                return h
        low = name.lower().split(".")[0]
        return next((h for h in self.section("hosts") if str(h["name"]).lower().split(".")[0] == low), None)


def schema() -> dict[str, Any]:
    """The published JSON Schema of the inventory file."""
    text = resources.files("wardwatch.hospital").joinpath("data/inventory.schema.json").read_text("utf-8")
    return dict(json.loads(text))


def line_map(text: str) -> dict[tuple[Any, ...], int]:
    """Line number (1-based) of every mapping key and sequence item, by its path."""
    out: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, val in node.value:
                out[path + (str(key.value),)] = key.start_mark.line + 1
                walk(val, path + (str(key.value),))
        elif isinstance(node, yaml.SequenceNode):
            for i, val in enumerate(node.value):
                walk(val, path + (i,))

    try:
        root = yaml.compose(text)
        if root is not None:
            walk(root, ())
    except (yaml.YAMLError, ValueError, RecursionError):  # lines are a help: what was found so far is kept
        pass
    return out


def _line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _fmt(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))


def read_yaml(text: str, path: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML text; a syntax error becomes an InventoryError with its line."""
    try:
        data = useryaml.load(text)
    except useryaml.YamlProblem as exc:
        raise InventoryError(path, [Problem(exc.line, "", str(exc))]) from None
    return data, line_map(text)


def _semantic(data: dict[str, Any], lines: dict[tuple[Any, ...], int], nets: dict[str, list[Network]]) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: tuple[Any, ...], msg: str) -> None:
        problems.append(Problem(_line(lines, path), _fmt(path), msg))

    seen: list[tuple[Network, str]] = []
    for i, seg in enumerate(data.get("segments") or []):
        if seg["name"] in nets:
            add(("segments", i, "name"), f"segment {seg['name']!r} is defined twice")
        nets.setdefault(seg["name"], [])
        for j, cidr in enumerate(seg["cidrs"]):
            try:
                net = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                add(("segments", i, "cidrs", j), f"not a CIDR: {cidr!r}")
                continue
            for other, owner in seen:
                if net.version == other.version and net.overlaps(other):
                    add(("segments", i, "cidrs", j), f"{cidr} overlaps {other} of segment {owner!r}")
            seen.append((net, seg["name"]))
            nets[seg["name"]].append(net)
    names = set(nets)
    for i, flow in enumerate(data.get("flows") or []):
        for end in ("from", "to"):
            if flow[end] not in names and flow[end] != "any":
                add(("flows", i, end), f"no segment named {flow[end]!r} (known: {', '.join(sorted(names))})")
    for i, host in enumerate(data.get("hosts") or []):
        if host.get("segment") and host["segment"] not in names:
            add(("hosts", i, "segment"), f"no segment named {host['segment']!r}")
        try:
            ipaddress.ip_address(str(host["address"]))
        except ValueError:
            add(("hosts", i, "address"), f"not an IP address: {host['address']!r}")
    for i, ra in enumerate(data.get("remote_access") or []):
        for j, src in enumerate(ra.get("sources") or []):
            try:
                ipaddress.ip_network(src, strict=False)
            except ValueError:
                add(("remote_access", i, "sources", j), f"not an address or CIDR: {src!r}")
    dates: list[tuple[tuple[Any, ...], Any]] = [(("backups", i, "last_restore_test"), b.get("last_restore_test"))
                                                for i, b in enumerate(data.get("backups") or [])]
    dates += [(("systems", i, "mds_sds"), s.get("mds_sds")) for i, s in enumerate(data.get("systems") or [])]
    people = data.get("people") or {}
    dates.append((("people", "safety_manager", "appointed"), (people.get("safety_manager") or {}).get("appointed")))
    dates.append((("people", "contact_chart", "updated"), (people.get("contact_chart") or {}).get("updated")))
    for path, value in dates:
        if value is not None:
            try:
                parse_date(value)
            except ValueError as exc:
                add(path, str(exc))
    return problems


def parse_inventory(text: str, path: str = "<inventory>") -> Inventory:
    """Validate inventory text; raise InventoryError listing every problem with its line."""
    data, lines = read_yaml(text, path)
    if not isinstance(data, dict):
        raise InventoryError(path, [Problem(1, "", "the inventory must be a YAML mapping (hospital:, segments:, ...)")])
    validator = Draft202012Validator(schema())
    problems = [Problem(_line(lines, tuple(e.absolute_path)), _fmt(tuple(e.absolute_path)), e.message)
                for e in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])]
    if problems:
        raise InventoryError(path, problems)
    nets: dict[str, list[Network]] = {}
    problems = _semantic(data, lines, nets)
    if problems:
        raise InventoryError(path, sorted(problems, key=lambda p: p.line or 0))
    return Inventory(data=data, path=path, networks=nets)


def load_inventory(path: Path) -> Inventory:
    """Read and validate an inventory file."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(str(path), [Problem(None, "", f"cannot read: {exc}")]) from None
    return parse_inventory(text, str(path))
