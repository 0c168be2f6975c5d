"""Account names as people read them: Windows names are case-insensitive, so ADMINISTRATOR, Administrator and
administrator are one account, shown once in one spelling, with its SID where the events give a single one."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_NO_SID = {"", "-", "S-1-0-0"}  # the NULL SID of a failed logon names no account


@dataclass
class AccountNames:
    """The spelling and SID of every account name the events carry, by lower-case name."""

    spelling: dict[str, str] = field(default_factory=dict)
    sid: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Any, Any, Any, Any]]) -> AccountNames:
        """From (name, sid, events, successes) rows: the spelling of the successful logons (the system's own
        spelling of the account), else the one seen most; the SID when the events give exactly one."""
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        sids: dict[str, set[str]] = defaultdict(set)
        for name, sid, n, ok in rows:
            if not name or str(name).strip() in ("", "-"):
                continue
            key = str(name).lower()
            spellings[key][str(name)] += int(ok or 0) * 1_000_000 + int(n or 0)  # successes first, then how often
            if sid and str(sid) not in _NO_SID:
                sids[key].add(str(sid))
        return cls({k: c.most_common(1)[0][0] for k, c in spellings.items()},
                   {k: next(iter(s)) for k, s in sids.items() if len(s) == 1})

    def known(self, value: str) -> bool:
        """Whether the events carry this account name (an address or a key of another kind is not one)."""
        return value.lower() in self.spelling

    def name(self, value: str) -> str:
        """The one spelling of an account name (the name as given when the events never carried it)."""
        return self.spelling.get(value.lower(), value)

    def shown(self, value: str, lang: str) -> str:
        """The name as a sentence shows it: its one spelling, with its SID where there is one (an account SID
        S-1-5-21-<machine or domain>-<RID> by its RID, -500 being the built-in Administrator whatever its name)."""
        sid = self.sid.get(value.lower())
        text = self.name(value)
        if sid is None:
            return text
        short = f"SID …-{sid.rsplit('-', 1)[1]}" if sid.startswith("S-1-5-21-") else f"SID {sid}"
        return f"{text}（{short}）" if lang != "en" else f"{text} ({short})"

    def distinct(self, values: Iterable[str]) -> list[str]:
        """Account names once each, case-insensitively, in their first order, each in its one spelling."""
        seen: dict[str, str] = {}
        for v in values:
            seen.setdefault(str(v).lower(), self.name(str(v)))
        return list(seen.values())


NAMES_SQL = """SELECT target_user, target_sid, count(*)::BIGINT,
                      count(*) FILTER (WHERE event_id IN (4624, 4648, 4672) OR status = '0x0')::BIGINT
               FROM events WHERE target_user IS NOT NULL GROUP BY ALL"""
