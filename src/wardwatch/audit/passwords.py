"""`audit passwords`: NT-hash exports checked against the seed's attack list, word lists, user names, empty, sharing.

No password, hash or part of a hash ever leaves this module: findings name accounts and reasons only.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..checks.factspec import family
from ..checks.finding import make, spec_of
from ..checks.phase import Phase
from ..model import FileRef, Finding, InputFile, ReadProblem, Severity, Text
from .encoding import DecodeError, decode
from .md4 import find_nt_matches, nt_hash

EMPTY_NT = nt_hash("")
_HEX = r"[0-9A-Fa-f]{32}"
_PWDUMP = re.compile(rf"^(?P<user>[^:\s][^:]*):(?P<rid>\d+):(?:{_HEX}|[*A-Z ]*):(?P<nt>{_HEX}):::(?P<rest>.*)$")
_USER_HASH = re.compile(rf"^(?P<user>[^:\s][^:]*):(?:\$NT\$)?(?P<nt>{_HEX})$")
_KV = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z ]*?)\s*:\s*(?P<value>.*?)\s*$")
_SAM_MARKERS = {"defaultaccount", "wdagutilityaccount"}
REASONS = {
    "attacker-list": Text("OGMC 事件で攻撃者が使ったパスワード一覧（研修資料 002）にある",
                          "on the list of passwords the attackers used at OGMC (seed 002)"),
    "word-list": Text("指定された単語リストにある", "on a word list you gave"),
    "user-name": Text("ユーザー名と同じ（大文字・小文字の違いを含む）", "the same as the user name (in any case)"),
    "empty": Text("空のパスワード", "an empty password"),
}


@dataclass
class Account:
    """One account from a hash export; the hash stays in memory only."""

    name: str  # shown: DOMAIN\\user or HOST\\user or user
    user: str
    rid: int | None
    nt: bytes = field(repr=False)
    source: str
    line: int
    enabled: bool | None = None


@dataclass
class HashFile:
    """The accounts read from one export and what could not be read (line numbers only, never content)."""

    input: InputFile
    accounts: list[Account]


def _qualify(user: str, host: str | None) -> str:
    return user if "\\" in user or host is None else f"{host}\\{user}"


def _pwdump_or_pairs(lines: list[str], path: str, problems: list[ReadProblem]) -> list[tuple[str, int | None, bytes, int, bool | None]]:
    rows = []
    for n, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith(("#", "[*]", "[+]", "[-]")):
            continue
        m = _PWDUMP.match(line) or _USER_HASH.match(line)
        if not m:
            problems.append(ReadProblem(path, f"line {n}", "not a recognised hash line (skipped)"))
            continue
        rest = m.groupdict().get("rest") or ""
        enabled = False if "status=Disabled" in rest else True if "status=Enabled" in rest else None
        rid = int(m.group("rid")) if m.groupdict().get("rid") else None
        rows.append((m.group("user"), rid, bytes.fromhex(m.group("nt")), n, enabled))
    return rows


def _dsinternals(lines: list[str]) -> list[tuple[str, int | None, bytes, int, bool | None]]:
    """Get-ADDBAccount / Get-ADReplAccount default text view: blocks of `Key: value` lines."""
    rows = []
    cur: dict[str, str] = {}
    start = 0
    for n, line in enumerate(lines + ["DistinguishedName: "], start=1):
        m = _KV.match(line)
        if not m:
            continue
        key, value = m.group("key").lower(), m.group("value")
        if key == "distinguishedname":
            if "samaccountname" in cur and re.fullmatch(_HEX, cur.get("nthash", "")):
                sid = cur.get("sid", "")
                rid = int(sid.rsplit("-", 1)[-1]) if sid.rsplit("-", 1)[-1].isdigit() else None
                enabled = {"true": True, "false": False}.get(cur.get("enabled", "").lower())
                dc = re.search(r"(?i)\bDC=([^,]+)", cur.get("distinguishedname", ""))
                user = f"{dc.group(1).upper()}\\{cur['samaccountname']}" if dc else cur["samaccountname"]
                rows.append((user, rid, bytes.fromhex(cur["nthash"]), start, enabled))
            cur, start = {"distinguishedname": value}, n
        elif key not in cur:
            cur[key] = value
    return rows


def read_hash_file(path: Path) -> HashFile:
    """Accounts of a secretsdump / pwdump, user:hash (hashcat, john) or DSInternals export; junk lines reported."""
    import hashlib

    data = Path(path).read_bytes()
    inp = InputFile(str(path), hashlib.sha256(data).hexdigest(), len(data), 0, "nt-hashes")
    try:
        text, _ = decode(data)
    except DecodeError as exc:
        inp.errors.append(ReadProblem(str(path), "content", str(exc), True))
        return HashFile(inp, [])
    lines = text.splitlines()
    if any(line.strip().lower().startswith("samaccountname:") for line in lines):
        rows, inp.format = _dsinternals(lines), "dsinternals"
    else:
        rows = _pwdump_or_pairs(lines, str(path), inp.errors)
        inp.format = "pwdump"
    is_sam = any(u.lower() in _SAM_MARKERS or rid in (503, 504) for u, rid, *_ in rows)
    host = Path(path).stem.upper() if is_sam else None
    accounts = []
    for user, rid, nt, n, enabled in rows:
        short = user.rsplit("\\", 1)[-1]
        if short.endswith("$") or re.search(r"_history\d+$", short):
            continue  # machine accounts and password history are not people's current passwords
        accounts.append(Account(_qualify(user, host), short, rid, nt, str(path), n, enabled))
    inp.events = len(accounts)
    if not accounts and not inp.errors:
        inp.errors.append(ReadProblem(str(path), "content", "no account with an NT hash found", True))
    return HashFile(inp, accounts)


def attacker_list() -> list[str]:
    """The seed's 125 attacker passwords, plus a variant of each OCR-damaged one."""
    text = (resources.files("wardwatch.audit") / "data" / "attacker-passwords.txt").read_text(encoding="utf-8")
    words = [line for line in text.splitlines() if line and not line.startswith("# ")]
    return words + [w.replace("đ", "d") for w in words if "đ" in w]


def read_word_list(path: Path) -> Iterator[str]:
    """One candidate per line (any of the supported encodings); line ends removed, nothing else."""
    text, _ = decode(Path(path).read_bytes())
    for line in text.split("\n"):
        word = line.rstrip("\r")
        if word:
            yield word


def _finding(rule: str, severity: Severity, title: Text, summary: Text, advice: Text, accounts: list[Account],
             facts: dict[str, object], seed: str) -> Finding:
    hosts = sorted({a.name.split("\\", 1)[0] for a in accounts if "\\" in a.name})
    return make(spec_of(rule, severity, title, advice, Phase.CONFIG, seed, facts=family(rule)),
                host=hosts[0] if len(hosts) == 1 else None,
                count=len(accounts), summary=summary, accounts=sorted(a.name for a in accounts),
                evidence=[FileRef(a.source) for a in accounts][:50], evidence_total=len(accounts),
                facts={**facts, "hosts": hosts})


_ADVICE = Text("このアカウントのパスワードを、別の（きれいな）PC から長く推測されにくいものに変えてください。"
               "管理者アカウントは一台ごとに異なるパスワードに（LAPS）。",
               "Change these passwords from a clean PC to long ones nobody can guess; give each host's admin account "
               "its own password (LAPS).")


def weak_findings(accounts: list[Account], word_lists: list[Path]) -> list[Finding]:
    """audit.password-weak findings, one per reason, with the accounts (never the password)."""
    by_hash: dict[bytes, list[Account]] = defaultdict(list)
    for a in accounts:
        by_hash[a.nt].append(a)
    hit: dict[str, dict[str, Account]] = defaultdict(dict)
    lists_hit: set[str] = set()
    for a in by_hash.get(EMPTY_NT, []):
        hit["empty"][a.name] = a
    for _word, digest in find_nt_matches(attacker_list(), set(by_hash)):
        for a in by_hash[digest]:
            hit["attacker-list"][a.name] = a
    for path in word_lists:
        for _word, digest in find_nt_matches(read_word_list(path), set(by_hash)):
            lists_hit.add(Path(path).name)
            for a in by_hash[digest]:
                hit["word-list"][a.name] = a
    variants = {v: None for a in accounts for v in (a.user, a.user.lower(), a.user.upper(), a.user.capitalize())}
    for word, digest in find_nt_matches(variants, set(by_hash)):
        for a in by_hash[digest]:
            if word.lower() == a.user.lower():
                hit["user-name"][a.name] = a
    out = []
    for reason, found in hit.items():
        group = list(found.values())
        admin = any(a.rid == 500 for a in group)
        severity = Severity.CRITICAL if admin or reason == "attacker-list" else Severity.HIGH
        facts: dict[str, object] = {"reason": reason}
        if reason == "word-list":
            facts["lists"] = sorted(lists_hit)
        out.append(_finding("audit.password-weak", severity,
                            Text(f"弱いパスワード: {REASONS[reason].ja}", f"Weak password: {REASONS[reason].en}"),
                            Text(f"{len(group)} 個のアカウントのパスワードが{REASONS[reason].ja}ため、すぐに破られます。",
                                 f"{len(group)} account(s) have a password that is {REASONS[reason].en}; it falls at once."),
                            _ADVICE, group, facts, "002 OGMC で攻撃に使用された PW リスト; 弱いパスワード"))
    return out


def shared_findings(accounts: list[Account]) -> list[Finding]:
    """audit.password-shared: accounts sharing one password (by hash), worst for local admins across hosts."""
    groups: dict[bytes, list[Account]] = defaultdict(list)
    for a in accounts:
        if a.nt != EMPTY_NT:
            groups[a.nt].append(a)
    out = []
    shared = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), sorted(a.name for a in g)))
    for n, group in enumerate(shared, start=1):
        hosts = {a.name.split("\\", 1)[0] for a in group if "\\" in a.name}
        admins = sum(1 for a in group if a.rid == 500)
        severity = Severity.HIGH if admins >= 2 or len(hosts) >= 2 else Severity.MEDIUM
        out.append(_finding("audit.password-shared", severity,
                            Text("同じパスワードを共有するアカウント", "Accounts sharing one password"),
                            Text(f"{len(group)} 個のアカウントが同じパスワードです（グループ {n}）。一つが盗まれると全部に入られます"
                                 + ("（ローカル Administrator が複数のホストで共通）。" if admins >= 2 else "。"),
                                 f"{len(group)} accounts share one password (group {n}): one stolen opens them all"
                                 + (" (the local Administrator of several hosts)." if admins >= 2 else ".")),
                            _ADVICE, group, {"group": n, "size": len(group), "local_admins": admins},
                            "000 Q&A 2（LAPS）; 002 管理者パスワードが共通"))
    return out


def run_passwords(files: list[Path], word_lists: list[Path]) -> tuple[list[InputFile], list[Finding], dict[str, object]]:
    """Read every export, check every account; returns inputs (with problems), findings and counts."""
    read = [read_hash_file(f) for f in files]
    accounts = [a for r in read for a in r.accounts]
    findings = weak_findings(accounts, word_lists) + shared_findings(accounts)
    stats: dict[str, object] = {"accounts": len(accounts), "files": len(files), "word_lists": [str(w) for w in word_lists]}
    return [r.input for r in read], findings, stats
