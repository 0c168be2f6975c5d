"""One incident case folder: an append-only journal (hash chain + keyed checkpoint, as the syslog store), evidence
copied read-only with its chain of custody, the steps answered so far, and the contacts to call."""
from __future__ import annotations

import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import integrity, useryaml
from ..textfmt import iso_local

CASE, JOURNAL, CHECKPOINT, KEY, EVIDENCE, CONTACTS = ("case.json", "journal.jsonl", "journal.ckpt", ".case-key",
                                                     "evidence", "contacts.yml")
FORMAT = "wardwatch-incident-1"
LOCK = "journal.lock"
LOCK_WAIT = 30.0  # seconds; a lock older than this is taken to be left by a process that died
ANSWERS = ("はい", "いいえ", "不明")
ANSWER_WORDS = {"yes": "はい", "y": "はい", "はい": "はい", "no": "いいえ", "n": "いいえ", "いいえ": "いいえ",
                "unknown": "不明", "?": "不明", "不明": "不明", "わからない": "不明"}


class CaseError(ValueError):
    """A case folder that cannot be used as asked; the message says which and why."""


@dataclass
class Entry:
    """One journal line: its number, time (local, with zone), who, what kind, the step, the data, and its links."""

    n: int
    time: str
    by: str
    kind: str  # opened, scan, answer, evidence, note
    step: str
    data: dict[str, Any]
    prev: str
    hash: str = ""

    def link(self) -> str:
        return integrity.chain(self.prev, self.n, self.time, self.by, self.kind, self.step,
                               json.dumps(self.data, sort_keys=True, ensure_ascii=False))


@dataclass
class Problem:
    where: str
    message: str


@dataclass
class Verification:
    entries: int = 0
    evidence: int = 0
    problems: list[Problem] = field(default_factory=list)


@lru_cache(maxsize=1)
def steps() -> list[dict[str, Any]]:
    """The steps of a case (steps.yml), in order."""
    return list(useryaml.load((resources.files("wardwatch.incident") / "steps.yml").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def public_contacts() -> dict[str, dict[str, Any]]:
    return dict(useryaml.load((resources.files("wardwatch.incident") / "contacts.yml").read_text(encoding="utf-8")))


def who(by: str | None) -> str:
    """The person recorded: as given, else the login name."""
    name = (by or os.environ.get("USERNAME") or os.environ.get("USER") or "").strip()
    if not name:
        raise CaseError("say who is answering with --by NAME")
    return name


class Case:
    """A case folder opened for reading and appending."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            self.meta = json.loads((root / CASE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CaseError(f"{root}: not an incident case folder (no readable {CASE}: {exc})") from None
        if self.meta.get("format") != FORMAT:
            raise CaseError(f"{root}: {CASE} is not a WardWatch incident case")
        self.tz = str(self.meta.get("timezone", "Asia/Tokyo"))

    # ---------- making ----------
    @classmethod
    def create(cls, root: Path, title: str, by: str, tz: str, contacts: dict[str, Any]) -> Case:
        if (root / CASE).exists():
            raise CaseError(f"{root}: a case is already open there (incident status {root})")
        if root.exists() and any(root.iterdir()):
            raise CaseError(f"{root}: the folder is not empty; give a new folder for the case")
        (root / EVIDENCE).mkdir(parents=True, exist_ok=True)
        integrity.load_key(root / KEY, create=True)
        opened = iso_local(datetime.now(UTC).replace(microsecond=0), tz)
        meta = {"format": FORMAT, "title": title, "opened_at": opened, "opened_by": by, "timezone": tz}
        (root / CASE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        (root / CONTACTS).write_text(_contacts_yaml(contacts), encoding="utf-8")
        case = cls(root)
        case.append("opened", by, data={"title": title})
        return case

    # ---------- the journal ----------
    def entries(self) -> list[Entry]:
        path = self.root / JOURNAL
        if not path.exists():
            return []
        out = []
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                raw = json.loads(line)
                out.append(Entry(**{k: raw[k] for k in ("n", "time", "by", "kind", "step", "data", "prev", "hash")}))
            except (ValueError, KeyError, TypeError) as exc:
                raise CaseError(f"{path}: line {i} is not a journal entry ({type(exc).__name__}); "
                                f"run incident verify") from None
        return out

    def append(self, kind: str, by: str, step: str = "", data: dict[str, Any] | None = None) -> Entry:
        """One more entry, chained to the last and sealed by a new keyed checkpoint; never rewrites old lines.
        Two people answering at once are taken one after the other (a lock file while the entry is written)."""
        with _locked(self.root / LOCK):
            return self._append(kind, by, step, data)

    def _append(self, kind: str, by: str, step: str, data: dict[str, Any] | None) -> Entry:
        old = self.entries()
        prev = old[-1].hash if old else "0" * 64
        when = iso_local(datetime.now(UTC).replace(microsecond=0), self.tz) or ""
        entry = Entry(len(old) + 1, when, by, kind, step, data or {}, prev)
        entry.hash = entry.link()
        with (self.root / JOURNAL).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self._checkpoint(entry.n, entry.hash)
        return entry

    def _checkpoint(self, count: int, last: str) -> None:
        key = integrity.load_key(self.root / KEY)
        if key is None:
            raise CaseError(f"{self.root}: the case key ({KEY}) is missing; the journal cannot be sealed")
        tmp = self.root / (CHECKPOINT + ".tmp")
        tmp.write_text(json.dumps({"count": count, "last": last, "mac": integrity.mac(key, FORMAT, count, last)}),
                       encoding="utf-8")
        tmp.replace(self.root / CHECKPOINT)

    # ---------- steps ----------
    def answers(self, entries: list[Entry] | None = None) -> dict[str, Entry]:
        """The latest answer of each step (of the journal as read, or of `entries` already read)."""
        return {e.step: e for e in (self.entries() if entries is None else entries) if e.kind == "answer"}

    def open_steps(self, entries: list[Entry] | None = None) -> list[dict[str, Any]]:
        """The steps still to answer, in order (a step with `when` only if an earlier answer calls for it)."""
        done = self.answers(entries)
        out = []
        for s in steps():
            if s["id"] in done:
                continue
            when = s.get("when") or {}
            if any(str(done[k].data.get("answer")) not in v if k in done else True for k, v in when.items()):
                continue
            out.append(s)
        return out

    def answer(self, step_id: str, answer: str, by: str, note: str = "") -> Entry:
        step = next((s for s in steps() if s["id"] == step_id), None)
        if step is None:
            raise CaseError(f"no step {step_id!r}; the steps are: {', '.join(s['id'] for s in steps())}")
        value = answer.strip()
        if step["kind"] == "yesno":
            value = ANSWER_WORDS.get(value.lower(), "")
            if not value:
                raise CaseError(f"{step_id}: answer はい / いいえ / 不明 (yes / no / unknown), not {answer!r}")
        elif not value:
            raise CaseError(f"{step_id}: the answer is empty")
        return self.append("answer", by, step_id, {"answer": value, **({"note": note} if note else {})})

    # ---------- evidence ----------
    def add_evidence(self, path: Path, by: str, note: str = "") -> Entry:
        """Copy a file into evidence/ read-only; the journal records source, size, SHA-256, times and who."""
        if not path.is_file():
            raise CaseError(f"{path}: not a file (give files; zip a folder first)")
        st = path.stat()
        before = integrity.file_sha256(path)
        n = len([p for p in (self.root / EVIDENCE).iterdir()]) + 1
        dest = self.root / EVIDENCE / f"{n:03d}-{path.name}"
        shutil.copyfile(path, dest)
        os.chmod(dest, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        after = integrity.file_sha256(dest)
        if after != before or integrity.file_sha256(path) != before:
            raise CaseError(f"{path}: changed while it was copied; copy it again when nothing writes to it")
        return self.append("evidence", by, data={
            "file": dest.relative_to(self.root).as_posix(), "source": str(path.resolve()), "size": st.st_size,
            "sha256": before, "source_modified": iso_local(datetime.fromtimestamp(st.st_mtime, UTC), self.tz),
            **({"note": note} if note else {})})

    # ---------- verification ----------
    def verify(self) -> Verification:
        """Every link of the chain, the keyed checkpoint, and every evidence copy against its recorded hash."""
        rep = Verification()
        try:
            entries = self.entries()
        except CaseError as exc:
            rep.problems.append(Problem(JOURNAL, str(exc)))
            return rep
        rep.entries = len(entries)
        prev, last_n = "0" * 64, 0
        for i, e in enumerate(entries, 1):
            where = f"{JOURNAL} entry {i}"
            if e.n != last_n + 1:  # compared with the entry before it, so one gap is named once
                rep.problems.append(Problem(where, f"numbered {e.n} after {last_n}: an entry was removed or inserted"))
            last_n = e.n
            if e.prev != prev:
                rep.problems.append(Problem(where, "does not follow the entry before it: an entry was removed, "
                                                   "inserted or changed before it"))
            if e.link() != e.hash:
                rep.problems.append(Problem(where, f"its content was changed after it was written ({e.kind}"
                                                   f"{' ' + e.step if e.step else ''})"))
            prev = e.hash
        self._verify_checkpoint(entries, rep)
        for e in entries:
            if e.kind != "evidence":
                continue
            rep.evidence += 1
            p = self.root / str(e.data.get("file", ""))
            if not p.is_file():
                rep.problems.append(Problem(str(e.data.get("file")), "evidence file is missing"))
            elif integrity.file_sha256(p) != e.data.get("sha256"):
                rep.problems.append(Problem(str(e.data.get("file")), "evidence file differs from the hash recorded "
                                                                     "when it was added"))
        return rep

    def _verify_checkpoint(self, entries: list[Entry], rep: Verification) -> None:
        key = integrity.load_key(self.root / KEY)
        try:
            ck = json.loads((self.root / CHECKPOINT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            rep.problems.append(Problem(CHECKPOINT, "missing or unreadable: the end of the journal cannot be checked"))
            return
        last = entries[-1].hash if entries else ""
        if ck.get("count") != len(entries):
            rep.problems.append(Problem(CHECKPOINT, f"sealed {ck.get('count')} entries but the journal has "
                                                    f"{len(entries)}: entries were removed or added afterwards"))
        elif ck.get("last") != last:
            rep.problems.append(Problem(CHECKPOINT, "the sealed last entry is not the journal's last entry: the "
                                                    "journal was rewritten"))
        if key is None:
            rep.problems.append(Problem(KEY, "the case key is missing: a rewritten journal cannot be detected"))
        elif not integrity.same(str(ck.get("mac", "")), integrity.mac(key, FORMAT, ck.get("count"), ck.get("last"))):
            rep.problems.append(Problem(CHECKPOINT, "its keyed checksum does not match: the journal was rewritten"))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock file (O_EXCL), waited for; a stale one (older than LOCK_WAIT) is taken over."""
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            try:
                if time.time() - path.stat().st_mtime > LOCK_WAIT:
                    path.unlink(missing_ok=True)
                    continue
            except FileNotFoundError:
                continue
            if time.monotonic() > deadline:
                raise CaseError(f"{path}: another WardWatch is writing to this case; try again") from None
            time.sleep(0.05)
    try:
        yield
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)


def _contacts_yaml(contacts: dict[str, Any]) -> str:
    """The contacts file the hospital fills in: each role, who (from the inventory where known), phone to fill."""
    lines = ["# 連絡先（連絡体制図）。電話番号などは病院で記入してください。/ Contacts: fill in the numbers.", ""]
    for key, c in contacts.items():
        lines.append(f"{key}:")
        for name in ("role", "name", "phone", "email", "note"):
            lines.append(f"  {name}: {json.dumps(c.get(name) or '', ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def contact_list(inventory: Any | None, lang: str = "ja") -> dict[str, dict[str, Any]]:
    """The roles of contacts.yml with names filled from the inventory (people, system and remote-access vendors)."""
    out: dict[str, dict[str, Any]] = {}
    for key, c in public_contacts().items():
        entry: dict[str, Any] = {"role": c["ja"] if lang != "en" else c["en"], "name": "", "phone": "", "email": "",
                                 "note": ""}
        if inventory is not None and c.get("from") == "people.safety_manager":
            person = (inventory.data.get("people") or {}).get("safety_manager") or {}
            entry["name"] = str(person.get("name", ""))
        if inventory is not None and c.get("from") == "vendors":
            vendors = sorted({str(s.get("vendor")) for s in inventory.section("systems") if s.get("vendor")} |
                             {str(r.get("vendor")) for r in inventory.section("remote_access") if r.get("vendor")})
            entry["name"] = "、".join(vendors)
        out[key] = entry
    return out


def read_contacts(root: Path) -> dict[str, dict[str, Any]]:
    """The case's contacts as the hospital filled them in (an unreadable file is reported, not fatal)."""
    try:
        data = useryaml.load((root / CONTACTS).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, useryaml.YamlProblem) as exc:
        raise CaseError(f"{root / CONTACTS}: cannot be read ({exc})") from None
    return {str(k): dict(v) for k, v in (data or {}).items() if isinstance(v, dict)}
