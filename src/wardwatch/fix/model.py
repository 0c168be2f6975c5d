"""A model of the Windows settings a plan touches, over a bundle's parsed parts: read the current value of a
target, write a new one (or delete it), as the collector would see it afterwards. Nothing runs on Windows."""
from __future__ import annotations

import copy
from typing import Any

from ..audit.bundle import Bundle, Part
from ..audit.parsers import as_int, as_list


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT = _Marker("ABSENT")  # the value does not exist on the host (undo deletes it again)
UNKNOWN = _Marker("UNKNOWN")  # no bundle, or the part was not collected: the old value is not known here

RDP_TCP = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp"
REMOVABLE = r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}"
WINLOGON = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon"
LANMAN = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters"
# registry key (upper case) -> (bundle part, dictionary inside the part); values keep their registry names
REG_PLACES = {RDP_TCP.upper(): ("rdp", "rdp_tcp"), REMOVABLE.upper(): ("removable", "machine_disk"),
              WINLOGON.upper(): ("winlogon", None), LANMAN.upper(): ("smb", "lanman_server")}
Key = tuple[str, ...]


def _part(b: Bundle, name: str, create: bool = False) -> Any:
    part = b.parts.get(name)
    if part is None or part.status != "ok" or not isinstance(part.data, (dict, list)):
        if not create:
            return None
        b.parts[name] = Part(name, "ok", {}, f"{name} (model)")
        return b.parts[name].data
    return part.data


def _reg_dict(b: Bundle, key: str, create: bool = False) -> dict[str, Any] | None:
    place = REG_PLACES.get(key.upper())
    if place is None:
        raise KeyError(f"the model does not know registry key {key}")
    data = _part(b, place[0], create)
    if data is None or not isinstance(data, dict):
        return None
    if place[1] is None:
        return data
    inner = data.get(place[1])
    if not isinstance(inner, dict):
        if not create:
            return None
        inner = data[place[1]] = {}
    return inner


def _channel(b: Bundle, name: str) -> Part | None:
    for channel, part in b.eventlogs.items():
        if channel.lower() == name.lower() and part.status == "ok":
            return part
    return None


def _admin(b: Bundle) -> dict[str, Any] | None:
    for u in as_list(_part(b, "users")):
        if isinstance(u, dict) and str(u.get("sid", "")).rsplit("-", 1)[-1] == "500":
            return u
    return None


def read(b: Bundle | None, key: Key) -> Any:
    """The value the host has now: a value, ABSENT, or UNKNOWN."""
    if b is None:
        return UNKNOWN
    kind = key[0]
    if kind == "inf":
        sec = _part(b, "secedit")
        if sec is None:
            return UNKNOWN
        value = (sec.get(key[1].lower()) or {}).get(key[2].lower())
        return ABSENT if value is None else value
    if kind == "auditpol":
        pol = _part(b, "auditpol")
        if pol is None:
            return UNKNOWN
        row = pol.get(key[1].upper())
        return ABSENT if row is None else int(row["value"])
    if kind == "reg":
        d = _reg_dict(b, key[1])
        if d is None:
            return UNKNOWN
        if key[1].upper() == WINLOGON.upper() and key[2] == "DefaultPassword":  # presence only, never the value
            present = d.get("DefaultPasswordPresent")
            return UNKNOWN if present is None else ("(present)" if present else ABSENT)
        value = d.get(key[2])
        return ABSENT if value is None else value
    if kind == "eventlog":
        part = _channel(b, key[1])
        return UNKNOWN if part is None else part.data.get(key[2])
    if kind == "feature":
        smb = _part(b, "smb")
        state = (smb or {}).get("feature_state") if isinstance(smb, dict) else None
        return UNKNOWN if not state else str(state)
    if kind == "firewall":
        rdp = _part(b, "rdp")
        if not isinstance(rdp, dict):
            return UNKNOWN
        names = {str(r.get("name")) for r in as_list(rdp.get("firewall_rules")) if isinstance(r, dict)}
        return "(present)" if key[1] in names else ABSENT
    if kind == "scope":
        rdp = _part(b, "rdp")
        if not isinstance(rdp, dict):
            return UNKNOWN
        return {str(r.get("name")): [str(a) for a in as_list(r.get("remote_address"))] for r in _scoped(rdp, key)}
    raise KeyError(f"unknown target kind {kind!r}")


def _scoped(rdp: dict[str, Any], key: Key) -> list[dict[str, Any]]:
    """The firewall rules of a scope target: those of the group key[1], and the rule named key[2]."""
    return [r for r in as_list(rdp.get("firewall_rules")) if isinstance(r, dict)
            and (str(r.get("group") or "") == key[1] or str(r.get("name") or "") == key[2])]


def write(b: Bundle, key: Key, value: Any) -> None:
    """Set (or with ABSENT delete) one target, with the side effects the collector would see."""
    kind = key[0]
    if kind == "inf":
        sec = _part(b, "secedit", create=True).setdefault(key[1].lower(), {})
        if value is ABSENT:
            sec.pop(key[2].lower(), None)
        else:
            sec[key[2].lower()] = str(value)
        if key[1].lower() == "system access" and key[2].lower() == "enableadminaccount" and value is not ABSENT:
            admin = _admin(b)
            if admin is not None:
                admin["enabled"] = as_int(value) == 1
    elif kind == "auditpol":
        pol = _part(b, "auditpol", create=True)
        if value is ABSENT:
            pol.pop(key[1].upper(), None)
        else:
            row = pol.setdefault(key[1].upper(), {"name": key[2] if len(key) > 2 else "", "row": 0})
            row["value"] = int(value)
    elif kind == "reg":
        d = _reg_dict(b, key[1], create=True)
        assert d is not None
        if key[1].upper() == WINLOGON.upper() and key[2] == "DefaultPassword":
            d["DefaultPasswordPresent"] = value is not ABSENT
            return
        d[key[2]] = None if value is ABSENT else value  # the collector writes null for a value it did not find
        if key[1].upper() == LANMAN.upper() and key[2] == "SMB1":  # Get-SmbServerConfiguration reads this value
            server = _part(b, "smb", create=True).setdefault("server", {})
            stash = b.__dict__.setdefault("_model_smb1", server.get("EnableSMB1Protocol"))
            server["EnableSMB1Protocol"] = stash if value is ABSENT else as_int(value) != 0
    elif kind == "eventlog":
        part = _channel(b, key[1])
        if part is None:
            raise KeyError(f"log {key[1]} is not in the bundle")
        part.data[key[2]] = value
    elif kind == "feature":
        _part(b, "smb", create=True)["feature_state"] = value
    elif kind == "firewall":
        rdp = _part(b, "rdp", create=True)
        rules = [r for r in as_list(rdp.get("firewall_rules")) if not (isinstance(r, dict) and r.get("name") == key[1])]
        if value is not ABSENT:
            rules.append(dict(value))
        rdp["firewall_rules"] = rules
    elif kind == "scope":  # a list: every rule of the target gets it; a mapping (the saved values): rule by rule
        for rule in _scoped(_part(b, "rdp", create=True), key):
            name = str(rule.get("name"))
            if isinstance(value, dict):
                if name in value:
                    rule["remote_address"] = list(value[name])
            else:
                rule["remote_address"] = list(value)
    else:
        raise KeyError(f"unknown target kind {kind!r}")


def snapshot(b: Bundle) -> dict[str, Any]:
    """The parsed facts of a bundle, for comparing before and after."""
    return {"parts": {n: copy.deepcopy(p.data) for n, p in b.parts.items()},
            "eventlogs": {n: copy.deepcopy(p.data) for n, p in b.eventlogs.items()}}


def clone(b: Bundle) -> Bundle:
    return copy.deepcopy(b)
