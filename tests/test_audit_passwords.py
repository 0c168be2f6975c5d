"""`audit passwords`: MD4/NT without OpenSSL, the seed's attacker list, hash-file formats, sharing, speed, and
that no password, hash or hash prefix ever reaches an output."""
from __future__ import annotations

import random
import re
from pathlib import Path

from builders.cli import invoke

from wardwatch.audit.md4 import find_nt_matches, md4, nt_hash
from wardwatch.audit.passwords import attacker_list, read_hash_file, run_passwords

LM_EMPTY = "aad3b435b51404eeaad3b435b51404ee"
PASSWORDS = {"admin_shared": "admin#DSC2022", "yamada": "Yamada", "wordlist": "Kango-2024!", "strong": "w9$Lq2!vX7#pRt8zQ"}


def nt(password: str) -> str:
    return nt_hash(password).hex()


def sam_dump(host_password: str, extra: list[str] = ()) -> str:
    """secretsdump of a local SAM (it prints DefaultAccount and WDAGUtilityAccount, RIDs 503/504)."""
    return "\n".join([
        "[*] Target system bootKey: 0x0123456789abcdef0123456789abcdef",
        "[*] Dumping local SAM hashes (uid:rid:lmhash:nthash)",
        f"Administrator:500:{LM_EMPTY}:{nt(host_password)}:::",
        f"Guest:501:{LM_EMPTY}:{nt('')}:::",
        f"DefaultAccount:503:{LM_EMPTY}:{nt('')}:::",
        f"WDAGUtilityAccount:504:{LM_EMPTY}:{nt('x' * 30)}:::",
        *extra, "[*] Cleaning up..."]) + "\n"


def write_exports(root: Path) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    files = []
    for host in ("PC-01", "PC-02", "PC-03"):
        path = root / f"{host.lower()}.txt"
        path.write_text(sam_dump(PASSWORDS["admin_shared"], ["this line is junk", "vendor:1001:aad3b435:zz:::"]),
                        encoding="utf-8")
        files.append(path)
    ntds = root / "ntds.txt"
    ntds.write_bytes("\n".join([
        f"HOSPITAL\\yamada:1105:{LM_EMPTY}:{nt(PASSWORDS['yamada'])}::: (status=Enabled)",
        f"HOSPITAL\\sato:1106:{LM_EMPTY}:{nt(PASSWORDS['wordlist'])}::: (status=Enabled)",
        f"HOSPITAL\\suzuki:1107:{LM_EMPTY}:{nt(PASSWORDS['strong'])}::: (status=Disabled)",
        f"HOSPITAL\\PC-01$:1200:{LM_EMPTY}:{nt('machine')}:::",
        f"HOSPITAL\\yamada_history0:1105:{LM_EMPTY}:{nt('old')}:::",
    ]).encode("utf-16-le").join([b"\xff\xfe", b""]))
    files.append(ntds)
    pairs = root / "hashcat.txt"
    pairs.write_text(f"tanaka:{nt('tanaka')}\nito:$NT${nt(PASSWORDS['strong'])}\n", encoding="cp932")
    files.append(pairs)
    dsi = root / "dsinternals.txt"
    dsi.write_text("\n".join([
        "DistinguishedName: CN=Kimura,OU=Users,DC=hospital,DC=local", "Sid: S-1-5-21-99-98-97-1300",
        "Guid: 7e3f9a1c-0000-0000-0000-000000000000", "SamAccountName: kimura", "SamAccountType: User",
        "UserPrincipalName: kimura@hospital.local", "Enabled: True", "Secrets", f"  NTHash: {nt('P@ssw0rd')}",
        "  LMHash: ", "  NTHashHistory: ", f"    Hash 01: {nt('older')}", "",
        "DistinguishedName: CN=Old,OU=Users,DC=hospital,DC=local", "SamAccountName: old", "Enabled: False",
        "Secrets", "  NTHash: ", ""]), encoding="utf-8")
    files.append(dsi)
    return files


def test_md4_and_nt_vectors() -> None:
    assert nt("Password") == "a4f49c406510bdcab6824ee7c30fd852"
    assert nt("") == "31d6cfe0d16ae931b73c59d7e0c089c0"
    assert md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"
    assert md4(b"1234567890" * 8).hex() == "e33b4ddc9c38f2199c3e7b164fcc0536"
    rng = random.Random(7)
    words = ["".join(rng.choice("aZ9#あ漢") for _ in range(rng.randint(0, 40))) for _ in range(300)]
    targets = {nt_hash(w) for w in words[::3]}
    assert {w for w, _ in find_nt_matches(words, targets)} == {w for w in words if nt_hash(w) in targets}


def test_seed_attacker_list() -> None:
    words = attacker_list()
    printed = words[:125]  # as printed in seed 002, row by row; one password appears twice
    assert len(set(printed)) == 124
    assert {"admin#DSC2022", "Pa$$word", "!QAZ@wsx", "P@ss0wrđ", "Password@123"} <= set(printed)
    assert words[125:] == ["P@ss0wrd", "P@sswrd"]  # the OCR-damaged ones, with đ read as d


def test_findings_weak_and_shared(tmp_path: Path) -> None:
    files = write_exports(tmp_path / "in")
    words = tmp_path / "words.txt"
    words.write_text("letmein\nKango-2024!\n", encoding="utf-8")
    inputs, findings, stats = run_passwords(files, [words])
    weak = {f.facts["reason"]: f for f in findings if f.rule == "audit.password-weak"}
    assert weak["attacker-list"].accounts == ["HOSPITAL\\kimura", "PC-01\\Administrator", "PC-02\\Administrator",
                                              "PC-03\\Administrator"]
    assert weak["attacker-list"].severity.label == "critical"
    assert weak["user-name"].accounts == ["HOSPITAL\\yamada", "tanaka"]
    assert weak["word-list"].accounts == ["HOSPITAL\\sato"] and weak["word-list"].facts["lists"] == ["words.txt"]
    assert weak["empty"].accounts == ["PC-01\\DefaultAccount", "PC-01\\Guest", "PC-02\\DefaultAccount", "PC-02\\Guest",
                                      "PC-03\\DefaultAccount", "PC-03\\Guest"]
    shared = [f for f in findings if f.rule == "audit.password-shared"]
    admins = next(f for f in shared if "PC-01\\Administrator" in f.accounts)
    assert admins.severity.label == "high" and admins.facts["local_admins"] == 3 and admins.count == 3
    assert any(set(f.accounts) == {"HOSPITAL\\suzuki", "ito"} for f in shared)
    assert stats["accounts"] == 3 * 4 + 3 + 2 + 1
    junk = [e for i in inputs for e in i.errors]
    assert [e.where for e in junk if e.file.endswith("pc-01.txt")] == ["line 7", "line 8"]
    assert all("junk" not in e.message for e in junk)  # line numbers only, never the content


def test_cli_outputs_contain_no_password_or_hash(tmp_path: Path) -> None:
    files = write_exports(tmp_path / "in")
    words = tmp_path / "words.txt"
    words.write_text("Kango-2024!\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["audit", "passwords", *map(str, files), "--out", str(out), "--wordlist", str(words)])
    assert result.exit_code == 1, result.output  # junk lines were skipped
    hashes = set()
    for f in files:
        hashes |= {h.lower() for h in re.findall(r"[0-9A-Fa-f]{32}", f.read_bytes().decode("utf-16-le" if f.name == "ntds.txt" else "utf-8", "ignore").replace("\x00", ""))}
    hashes |= {nt(p) for p in [*PASSWORDS.values(), "P@ssw0rd", "tanaka", ""]}
    produced = sorted(p for p in out.rglob("*") if p.is_file())
    assert [p.name for p in produced] == ["findings.json", "report.html"]  # the page is checked like the rest
    raw = [p.read_text(encoding="utf-8") for p in produced] + [result.output]
    assert "HOSPITAL\\\\kimura" in raw[0]  # accounts are named
    texts = [t.lower() for t in raw]
    for text in texts:
        for h in hashes:
            windows = {h[i:i + 8] for i in range(25)}
            assert not any(w in text for w in windows), "a hash or part of one leaked"
        for password in ["admin#DSC2022", "Kango-2024!", "w9$Lq2!vX7#pRt8zQ", "P@ssw0rd"]:  # not the user-name ones
            assert password.lower() not in text
        stray = re.findall(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", text)
        assert stray == [], "no 32-hex string at all"


def test_million_word_list(tmp_path: Path) -> None:
    """A million-entry word list is checked (its speed is measured by benchmarks, not asserted here)."""
    words = tmp_path / "big.txt"
    words.write_text("\n".join(f"pass{i:07d}" for i in range(1_000_000)) + "\nKango-2024!\n", encoding="utf-8")
    export = tmp_path / "ntds.txt"
    export.write_text(f"HOSPITAL\\sato:1106:{LM_EMPTY}:{nt('Kango-2024!')}:::\n"
                      f"HOSPITAL\\abe:1107:{LM_EMPTY}:{nt('pass0999999')}:::\n", encoding="utf-8")
    _, findings, _ = run_passwords([export], [words])
    weak = next(f for f in findings if f.facts.get("reason") == "word-list")
    assert weak.accounts == ["HOSPITAL\\abe", "HOSPITAL\\sato"]


def test_hash_file_problems(tmp_path: Path) -> None:
    empty = tmp_path / "notes.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    hf = read_hash_file(empty)
    assert hf.accounts == [] and hf.input.errors and hf.input.errors[0].where == "line 1"
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes([0x81, 0xFF, 0xFE, 0x80]) * 20)
    assert read_hash_file(binary).input.errors[0].skipped_file
