"""Indicators an ISAC may share with its members: outside attacking addresses, attack tools (names, hashes), as a
STIX 2.1 bundle (the stix2 package) and CSV, with a TLP marking. Never a person: no hospital, host or staff name;
the only account names written are built-in ones (Administrator, sa ...) that an attacker targeted."""
from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .indicators import generic_account

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
TLP = ("clear", "green", "amber", "amber+strict", "red")
SHARED_KINDS = {"attacker-source", "tool"}  # supplier addresses and account names stay inside the ISAC


@dataclass
class Shared:
    """One indicator to share: what it is, when it was seen, at how many hospitals, and why."""

    kind: str
    value: str
    first_seen: datetime | None
    last_seen: datetime | None
    hospitals: int
    targeted: list[str]

    @property
    def is_tool_name(self) -> bool:
        return self.kind == "tool" and not _SHA256.match(self.value)

    @property
    def pattern(self) -> str:
        """The STIX pattern of an address or a file hash; a tool known only by name has none."""
        if self.kind == "attacker-source":
            family = "ipv6-addr" if ":" in self.value else "ipv4-addr"
            return f"[{family}:value = '{self.value}']"
        return f"[file:hashes.'SHA-256' = '{self.value}']" if not self.is_tool_name else ""

    @property
    def description(self) -> str:
        what = ("Source of password guessing (Windows logon failures)" if self.kind == "attacker-source"
                else "Attack tool seen in Windows event logs")
        targets = f"; built-in accounts targeted: {', '.join(self.targeted)}" if self.targeted else ""
        return f"{what} at {self.hospitals} member hospital(s){targets}."


def collect(rows: list[dict[str, Any]]) -> list[Shared]:
    """The indicators to share from every hospital's indicator rows (hospitals counted, never named)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if r["kind"] in SHARED_KINDS and _shareable(r["kind"], r["value"]):
            groups.setdefault((r["kind"], r["value"]), []).append(r)
    out = []
    for (kind, value), per in sorted(groups.items()):
        firsts = [r["first_seen"] for r in per if r["first_seen"]]
        lasts = [r["last_seen"] for r in per if r["last_seen"]]
        targeted = sorted({a for r in per for a in r.get("accounts", []) if generic_account(a)}, key=str.lower)
        out.append(Shared(kind, value, min(firsts, default=None), max(lasts, default=None),
                          len({r["hospital"] for r in per}), targeted))
    return out


def _shareable(kind: str, value: str) -> bool:
    if kind == "attacker-source":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
    return bool(value.strip())


def _marking(tlp: str) -> Any:
    import stix2
    return {"clear": stix2.TLP_WHITE, "green": stix2.TLP_GREEN, "amber": stix2.TLP_AMBER,
            "amber+strict": stix2.TLP_AMBER, "red": stix2.TLP_RED}[tlp]


def stix_bundle(shared: list[Shared], tlp: str, producer: str) -> Any:
    """A STIX 2.1 bundle: the producer's identity and one indicator per shared value, all marked with the TLP."""
    import stix2
    marking = _marking(tlp)
    identity = stix2.Identity(name=producer, identity_class="organization", object_marking_refs=[marking])
    now = datetime.now(UTC)
    objects: list[Any] = [identity]
    for s in shared:
        common = {"description": s.description, "created_by_ref": identity.id, "object_marking_refs": [marking],
                  "labels": [f"tlp:{tlp}", f"hospitals:{s.hospitals}"]}
        if s.is_tool_name:  # a tool known by name: a STIX Tool (a name is no pattern to match files by)
            objects.append(stix2.Tool(name=s.value, **common))
        else:
            objects.append(stix2.Indicator(
                name=f"{'Attacking address' if s.kind == 'attacker-source' else 'Attack tool'}: {s.value}",
                pattern=s.pattern, pattern_type="stix", valid_from=s.first_seen or now,
                indicator_types=["malicious-activity"], **common))
    return stix2.Bundle(objects=objects)


def write_csv(shared: list[Shared], tlp: str, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # utf-8-sig: Excel opens it as UTF-8
        w = csv.writer(fh)
        w.writerow(["type", "value", "stix_pattern", "first_seen", "last_seen", "hospitals", "description", "tlp"])
        for s in shared:
            w.writerow([s.kind, s.value, s.pattern, _iso(s.first_seen), _iso(s.last_seen), s.hospitals,
                        s.description, f"TLP:{tlp.upper()}"])


def _iso(t: datetime | None) -> str:
    return t.isoformat() if t else ""
