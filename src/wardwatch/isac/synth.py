"""Generated logs of many hospitals for the ISAC benchmark and tests: the OGMC replay (demo.scenario) at some,
benign noise at every one, with their own times, addresses and staff names; some hospitals share one supplier."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import orjson

from ..demo import JST, SUPPLIER, Ev, _logon_fail, _logon_ok, _rdp_session, scenario, to_json


@dataclass(frozen=True)
class Supplier:
    """A supplier (maintenance vendor, catering...) reaching its hospitals from one outside address."""

    name: str
    address: str
    account: str


@dataclass(frozen=True)
class Plan:
    """One generated hospital: its name, supplier, whether the OGMC attack happens there (and from where)."""

    hospital: str
    supplier: Supplier
    attacked: bool
    attacker: str = ""  # the outside address the guessing came from (the replay's own when empty)
    hours_later: float = 0.0  # the attack's start after the first hospital's: a campaign in time order


def _replay(plan: Plan, shift: timedelta) -> dict[str, list[Ev]]:
    """The OGMC replay at this hospital: shifted in time; the break-in comes from its supplier's address and the
    guessing from the attacker's."""
    files = scenario()
    for evs in files.values():
        for ev in evs:
            ev.time += shift
            if ev.data and ev.data.get("IpAddress") == SUPPLIER:
                ev.data["IpAddress"] = plan.supplier.address
            if ev.userdata and SUPPLIER in ev.userdata[1].values():
                ev.userdata[1].update({k: plan.supplier.address for k, v in ev.userdata[1].items() if v == SUPPLIER})
            if plan.attacker and ev.event_id == 4625 and ev.data and ev.data.get("TargetUserName") == "ADMINISTRATOR":
                ev.data["IpAddress"] = plan.attacker
    return files


def _noise(plan: Plan, start: datetime, events: int, rng: random.Random, days: float) -> dict[str, list[Ev]]:
    """Everyday logons of the hospital's own staff over `days` days (their names are personal data: never shared),
    a typo now and then, and the supplier's planned maintenance logon over RDP."""
    pcs = [f"PC-{plan.hospital[:6].upper()}-{n:03d}" for n in range(1, 9)]
    servers = ["EHR-AP01", "FILE-SV01"]
    staff = [f"{rng.choice(('sato', 'suzuki', 'takahashi', 'tanaka', 'ito', 'watanabe'))}.{plan.hospital}{n}"
             for n in range(12)]
    out: dict[str, list[Ev]] = {}
    for i in range(events):  # each person at their own PC (interactive), and over the network to the two servers
        k = rng.randrange(len(staff))
        user, pc = staff[k], pcs[k % len(pcs)]
        ip = f"192.168.10.{11 + k % len(pcs)}"
        t = start + timedelta(seconds=rng.uniform(0, days * 86400))
        sid = f"S-1-5-21-7-8-9-{1100 + k}"
        if i % 3 == 0:
            ev = (_logon_fail(pc, t, user, 2, "127.0.0.1", "HOSPITAL") if i % 60 == 0 else
                  _logon_ok(pc, t, user, 2, "127.0.0.1", f"0x{rng.getrandbits(24):x}", sid=sid))
        else:
            host = rng.choice(servers)
            ev = _logon_ok(host, t, user, 3, ip, f"0x{rng.getrandbits(24):x}", sid=sid)
        out.setdefault(f"{ev.computer}/Security.jsonl", []).append(ev)
    vendor = start + timedelta(hours=30)
    out.setdefault("EHR-AP01/Security.jsonl", []).append(
        _logon_ok("EHR-AP01", vendor, plan.supplier.account, 10, plan.supplier.address, "0x7777",
                  sid="S-1-5-21-7-8-9-1500"))
    out.setdefault("EHR-AP01/TerminalServices.jsonl", []).extend(
        _rdp_session("EHR-AP01", vendor, plan.supplier.account, plan.supplier.address))
    return out


def write_hospital(folder: Path, plan: Plan, noise_events: int = 2000, seed: int = 0,
                   start: datetime = datetime(2026, 11, 2, tzinfo=JST), days: float = 3) -> int:
    """Write one hospital's logs (JSON lines, one file per host and log) under folder, the noise spread over days;
    returns the events written."""
    rng = random.Random(f"{seed}:{plan.hospital}")
    shift = start - datetime(2022, 10, 30, tzinfo=JST) + timedelta(hours=plan.hours_later)
    files = _noise(plan, start, noise_events, rng, days)
    if plan.attacked:
        for name, evs in _replay(plan, shift).items():
            out_name = name.replace(".xml", ".jsonl")
            out = files.setdefault(out_name, [])
            out.extend(evs)
    total = 0
    for name, evs in files.items():
        evs.sort(key=lambda e: e.time)
        for n, ev in enumerate(evs, start=1):
            ev.record_id = n
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(orjson.dumps(to_json(e)) + b"\n" for e in evs))
        total += len(evs)
    return total


def plans(count: int, per_supplier: int = 3, attacked_every: int = 2, seed: int = 0) -> list[Plan]:
    """count hospitals; every per_supplier of them share one supplier (its own address and account); every
    attacked_every-th supplier group is hit by the campaign, one hospital after another, from one address."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        group = i // per_supplier
        supplier = Supplier(f"supplier{group}", f"198.51.{100 + group // 250}.{group % 250 + 1}", f"maint-s{group}")
        attacked = group % attacked_every == 0
        out.append(Plan(f"h{i:04d}", supplier, attacked, attacker="203.0.113.66" if attacked else "",
                        hours_later=(i % per_supplier) * 26 + rng.uniform(0, 2)))
    return out
