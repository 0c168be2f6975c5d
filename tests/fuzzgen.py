"""Fuzz input generators (deterministic: every function takes a random.Random): damaged evtx, XML, JSON, zips,
syslog lines, collector bundles, inventories, checklist answer files and settings files.

Reusable by any test: each generator returns bytes (or writes files) from seeds built in code or read from the
../shared corpus; nothing here touches the network or the corpus files themselves."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import random
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import yaml

SEED = 20261205
EVTX_CHUNK = 0x10000  # an evtx file: a 4 KiB header, then 64 KiB chunks
EVTX_HEADER = 0x1000
NAN = "\u0000NAN\u0000"  # placeholder for a bare NaN / Infinity token in generated JSON (orjson writes none)


# ---------- bytes ----------

def mutate(data: bytes, rng: random.Random) -> bytes:
    """One damage of the kinds found in the field: truncation, bit flips, zeroed runs, stray bytes, splices."""
    b = bytearray(data)
    if not b:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    kind = rng.choice(["truncate", "flip", "zero", "insert", "splice", "byte", "repeat"])
    if kind == "truncate":
        del b[rng.randrange(len(b)):]
    elif kind == "flip":
        for _ in range(rng.randint(1, 64)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == "zero":
        at = rng.randrange(len(b))
        n = min(len(b) - at, rng.randint(1, 4096))
        b[at:at + n] = bytes(n)
    elif kind == "insert":
        at = rng.randrange(len(b))
        b[at:at] = rng.choice([b"\x00", b"\x01\x1f", b"<", b'"', b"\xff\xfe", b"}", b"\n", b"\r", b"\\",
                               b"\xed\xa0\x80", b"\xc3", "病院".encode("cp932"), b"&amp;", b"]]>", b"\x1b[31m"])
    elif kind == "splice":
        at = rng.randrange(len(b))
        b = b[:at] + b[rng.randrange(len(b)):]
    elif kind == "repeat":
        at = rng.randrange(len(b))
        b[at:at] = b[at:at + rng.randint(1, 256)] * rng.randint(2, 50)
    else:
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def mutate_many(data: bytes, rng: random.Random, most: int = 3) -> bytes:
    for _ in range(rng.randint(1, most)):
        data = mutate(data, rng)
    return data


def mutate_evtx(data: bytes, other: bytes, rng: random.Random) -> bytes:
    """evtx damage: the generic kinds, a damaged file header or chunk header, chunks spliced from another file,
    a cut at a chunk boundary, a chunk zeroed."""
    kind = rng.choice(["generic", "generic", "header", "chunk-header", "splice", "boundary", "zero-chunk"])
    b = bytearray(data)
    chunks = max(1, (len(b) - EVTX_HEADER) // EVTX_CHUNK)
    if kind == "header":
        for _ in range(rng.randint(1, 16)):
            b[rng.randrange(min(len(b), 128))] = rng.randrange(256)
    elif kind == "chunk-header":
        at = EVTX_HEADER + rng.randrange(chunks) * EVTX_CHUNK
        for _ in range(rng.randint(1, 16)):
            pos = at + rng.randrange(512)
            if pos < len(b):
                b[pos] = rng.randrange(256)
    elif kind == "splice":
        theirs = max(1, (len(other) - EVTX_HEADER) // EVTX_CHUNK)
        at = EVTX_HEADER + rng.randrange(chunks) * EVTX_CHUNK
        src = EVTX_HEADER + rng.randrange(theirs) * EVTX_CHUNK
        b[at:at + EVTX_CHUNK] = other[src:src + EVTX_CHUNK]
    elif kind == "boundary":
        cut = EVTX_HEADER + rng.randrange(chunks + 1) * EVTX_CHUNK + rng.choice([-1, 0, 1, 512])
        del b[max(0, cut):]
    elif kind == "zero-chunk":
        at = EVTX_HEADER + rng.randrange(chunks) * EVTX_CHUNK
        b[at:at + EVTX_CHUNK] = bytes(len(b[at:at + EVTX_CHUNK]))
    else:
        return mutate_many(data, rng)
    return bytes(b)


# ---------- structured values (JSON / YAML) ----------

def junk(rng: random.Random, depth: int = 0) -> Any:
    """A value of a wrong type or shape: what a broken export or a hand edit puts where something else belongs."""
    pick = rng.randrange(22)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.choice([0, -1, 2**31, -(2**63), 2**64 + 1, 10**30])
    if pick == 3:
        return rng.choice([0.5, -1e308, 1e-300, 3.0])
    if pick == 4:
        return NAN
    if pick == 5:
        return ""
    if pick == 6:
        return "x" * rng.choice([1000, 70000, 200_000])
    if pick == 7:
        return "".join(chr(rng.choice([0, 1, 8, 0x1F, 0x7F, 0x85, 0x2028, 0xFEFF, 0xFFFF])) for _ in range(8))
    if pick == 8:
        return rng.choice(["2024-02-30", "2024-13-01", "9999-12-31T23:59:60Z", "0000-00-00", "/Date(99999999999999999)/",
                           "/Date(-62135596800001)/", "令和99年13月1日", "1e400", "-0", "0x", "NaN", "inf"])
    if pick == 9:
        return rng.choice(["病院", "ｶﾞﾜ", "𠮷野家", "C:\\Windows\\System32", "\\\\?\\UNC", "' OR 1=1 --", "<x/>", "{{ x }}",
                           "%s%n", "../../etc/passwd", "S-1-5-21-1-2-3-500"])
    if pick == 10:
        return [] if rng.random() < 0.5 else {}
    if pick == 11:
        inner: Any = rng.choice([None, 1, "x"])
        for _ in range(rng.choice([3, 50, 120])):
            inner = [inner] if rng.random() < 0.5 else {"a": inner}
        return inner
    if pick in (12, 13) and depth < 3:
        return [junk(rng, depth + 1) for _ in range(rng.randint(1, 4))]
    if pick in (14, 15) and depth < 3:
        return {rng.choice(["name", "value", "Count", "status", "", "0", "🙂"]): junk(rng, depth + 1)
                for _ in range(rng.randint(1, 4))}
    if pick == 16:
        return {"value": [junk(rng, depth + 1)], "Count": 1}  # the PowerShell 5.1 array wrapper
    return rng.choice([1, "1", "true", "True", "Enabled", "yes", -5, "x", "0x10"])


def paths_of(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a nested value (keys and indexes), the root included."""
    out = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths_of(v, here + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths_of(v, here + (i,))
    return out


def mutate_value(value: Any, rng: random.Random, times: int = 0) -> Any:
    """Replace, drop or duplicate parts of a nested value (a deep copy is changed, never the original)."""
    value = copy.deepcopy(value)
    for _ in range(times or rng.randint(1, 4)):
        path = rng.choice(paths_of(value))
        if not path:
            if rng.random() < 0.3:
                return junk(rng)
            continue
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        roll = rng.random()
        if roll < 0.6:
            parent[last] = junk(rng)
        elif roll < 0.8 and isinstance(parent, dict):
            del parent[last]
        elif isinstance(parent, list):
            parent.append(parent[last])
        else:
            parent[last] = [parent[last], junk(rng)]
    return value


def dump_json(value: Any, rng: random.Random) -> bytes:
    """JSON text, with the NaN placeholders as bare NaN / Infinity / 1e999 tokens (invalid JSON, often written)."""
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, default=str).encode("utf-8", "surrogatepass")
    token = json.dumps(NAN).encode()
    while token in text:
        text = text.replace(token, rng.choice([b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-0"]), 1)
    return text


def deep_json(rng: random.Random) -> bytes:
    n = rng.choice([600, 5000, 100_000])
    return (b"[" * n + b"]" * n) if rng.random() < 0.5 else (b'{"a":' * n + b"1" + b"}" * n)


# ---------- seeds built in code ----------

@cache
def demo_events() -> list[Any]:
    from builders.exports import scenario_events
    return scenario_events()


def event_texts(rng: random.Random) -> dict[str, bytes]:
    """The same 30 events as wevtutil XML, evtx JSON lines, a JSON array, NXLog and Winlogbeat JSON."""
    from builders.exports import nxlog, winlogbeat

    from wardwatch.demo import to_json, to_xml
    events = rng.sample(demo_events(), 30)
    return {
        "xml": "\n".join(to_xml(e) for e in events).encode(),
        "jsonl": b"\n".join(orjson.dumps(to_json(e)) for e in events),
        "array.json": orjson.dumps([to_json(e) for e in events]),
        "nxlog.json": b"\n".join(orjson.dumps(nxlog(e)) for e in events),
        "beat.json": b"\n".join(orjson.dumps(winlogbeat(e, rng.random() < 0.5)) for e in events),
    }


def xml_case(rng: random.Random) -> bytes:
    """wevtutil XML with stray characters, NUL bytes, cut tags, wrong encodings, BOMs, huge attributes, entities."""
    text = event_texts(rng)["xml"].decode()
    kind = rng.choice(["bytes", "bytes", "decl", "bom", "utf16", "attr", "entity", "nest", "cut", "cp932", "nul"])
    if kind == "decl":
        text = f'<?xml version="1.0" encoding="{rng.choice(["utf-16", "shift_jis", "ebcdic", "x-junk", ""])}"?>\n' + text
    elif kind == "bom":
        return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]) + text.encode()
    elif kind == "utf16":
        return rng.choice([b"\xff\xfe" + text.encode("utf-16-le"), text.encode("utf-16-be"), text.encode("utf-16-le")])
    elif kind == "attr":
        big = "A" * rng.choice([70_000, 1_000_000])
        text = text.replace("<Provider Name='", f"<Provider Junk='{big}' Name='", 1).replace(
            '<Provider Name="', f'<Provider Junk="{big}" Name="', 1)
        text = text.replace("<Data Name=", f"<Data X='{big}' Name=", 1)
    elif kind == "entity":
        lol = '<!DOCTYPE Event [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' \
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        text = lol + text.replace("<Computer>", "<Computer>&c;&ext;", 1)
    elif kind == "nest":
        n = rng.choice([200, 5000])
        text = text.replace("<EventData>", "<EventData>" + "<X>" * n + "</X>" * n, 1)
    elif kind == "cut":
        cut = rng.randrange(len(text))
        text = text[:cut] + rng.choice(["", "<", "</Ev", "<Data Name='x", "<![CDATA[", "<!--", "&#x"]) + text[cut:][-200:]
    elif kind == "cp932":
        return text.replace("<Computer>", "<Computer>病院端末", 1).encode("cp932", "replace")
    elif kind == "nul":
        at = rng.randrange(len(text))
        text = text[:at] + "\x00" * rng.randint(1, 100) + text[at:]
    return mutate_many(text.encode(), rng, 2) if kind == "bytes" else text.encode(errors="surrogatepass")


def json_case(rng: random.Random) -> tuple[str, bytes]:
    """Event JSON in each dialect with wrong types in any field, nested junk, NaN, deep nesting, broken text."""
    texts = event_texts(rng)
    kind = rng.choice(["jsonl", "array.json", "nxlog.json", "beat.json"])
    roll = rng.random()
    if roll < 0.35:
        return kind, mutate_many(texts[kind], rng, 2)
    if roll < 0.45:
        return kind, deep_json(rng) if rng.random() < 0.7 else texts[kind][:100] + deep_json(rng)
    lines = texts[kind].split(b"\n") if kind != "array.json" else [texts[kind]]
    out = []
    for line in lines:
        if rng.random() < 0.3:
            out.append(dump_json(mutate_value(orjson.loads(line), rng), rng))
        else:
            out.append(line)
    data = b"\n".join(out)
    return kind, (b"\xef\xbb\xbf" + data if rng.random() < 0.1 else data)


# ---------- zips ----------

def zip_of(members: list[tuple[str, bytes]], rng: random.Random | None = None,
           method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def zip_case(rng: random.Random, evtx: list[bytes]) -> bytes:
    """A zip of logs: fine, damaged after zipping, nested, junk members, odd names, stored or deflated."""
    members: list[tuple[str, bytes]] = []
    for n in range(rng.randint(1, 4)):
        pick = rng.random()
        if pick < 0.3 and evtx:
            members.append((f"m{n}.evtx", mutate_evtx(rng.choice(evtx), rng.choice(evtx), rng)))
        elif pick < 0.6:
            kind, data = rng.choice(list(event_texts(rng).items()))
            members.append((f"m{n}.{kind}", mutate(data, rng) if rng.random() < 0.5 else data))
        elif pick < 0.75:
            members.append((f"inner{n}.zip", zip_of([("x.xml", event_texts(rng)["xml"])])))
        elif pick < 0.85:
            members.append((rng.choice(["../../evil.xml", "/abs.json", "dir/", "名前.xml", "a\\b.xml", "x" * 200]),
                            event_texts(rng)["xml"]))
        else:
            members.append((f"junk{n}.bin", bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))))
    data = zip_of(members, rng, rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    roll = rng.random()
    if roll < 0.4:
        return mutate_evtx(data, data, rng) if rng.random() < 0.2 else mutate_many(data, rng, 2)
    if roll < 0.5:  # nested three levels and more
        for _ in range(rng.randint(2, 5)):
            data = zip_of([("nested.zip", data)])
    return data


def write_zip_bomb(path: Path, expanded: int, name: str = "spaces.xml") -> int:
    """A zip whose one member is `expanded` bytes of spaces (written streamed: nothing this size is held);
    returns the zip's size. Deflate packs spaces about 1,000 to 1."""
    block = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w", force_zip64=True) as fh:
        left = expanded
        while left > 0:
            fh.write(block[:min(left, len(block))])
            left -= len(block)
    return path.stat().st_size


# ---------- syslog ----------

SYSLOG_FRAGMENTS = [
    "%ASA-6-106100: access-list in permitted tcp inside/10.1.0.5(50000) -> dmz/10.2.0.9(3389) hit-cnt 1",
    "%ASA-4-106023: Deny tcp src outside:203.0.113.5/4444 dst inside:10.1.0.5/445 by access-group",
    "%ASA-6-302013: Built inbound TCP connection 1 for outside:1.2.3.4/5 (1.2.3.4/5) to inside:10.0.0.1/22",
    "%ASA-6-113005: AAA user authentication Rejected : reason = x : server = 1.1.1.1 : user = bob : user IP = 9.9.9.9",
    "%FTD-6-716039: Group <g> User <u> IP <1.2.3.4> Authentication: rejected",
    "%SEC-6-IPACCESSLOGP: list 101 denied tcp 10.3.0.4(1234) -> 10.2.0.9(445), 1 packet",
    "%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin] [Source: 198.51.100.7] [localport: 22]",
    "PP[01] Rejected at IN(2000) filter: TCP 10.200.1.250:50001 > 10.200.2.250:445",
    "[INSPECT] PP[01][out][101] TCP 10.0.0.1:1 > 10.0.0.2:2 (2024/01/01 00:00:00)",
    "Login failed for TELNET: 192.0.2.9 admin", "[L2TP] connected from 192.0.2.10", "PP[01] RECV CHAP Failure",
    ('date=2024-01-05 time=10:00:00 devid="FGT" logid="0000000013" type="traffic" subtype="forward" srcip=10.1.0.5 '
     'srcport=1 dstip=10.2.0.9 dstport=445 proto=6 action="deny"'),
    'logid="0101039426" type="event" subtype="vpn" action="ssl-login-fail" remip=203.0.113.9 user="x"',
    ("1,2024/01/05 10:00:00,001,TRAFFIC,end,2049,2024/01/05 10:00:00,10.1.0.5,10.2.0.9,0,0,r,,,app,vsys1,a,b,e1,e2,"
     "f,2024/01/05,1,1,50000,445,0,0,0x0,tcp,deny,1"),
    "1,2024/01/05,001,SYSTEM,globalprotect,0,2024/01/05,,gp-fail,,0,0,general,high,GlobalProtect auth failed from 1.2.3.4",
    "filterlog[123]: 5,,,1000000103,em0,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,203.0.113.5,10.1.0.5,4444,445,0,S",
    "filterlog: 5,,,1,em0,match,pass,in,6,0x00,0x00000,64,UDP,17,8,2001:db8::1,2001:db8::2,53,53,8",
    "kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST=10.1.0.5 PROTO=TCP SPT=4444 DPT=22",
    "sshd[99]: Failed password for invalid user root from 203.0.113.5 port 22 ssh2",
    "sshd[99]: Accepted publickey for admin from 10.1.0.5 port 50000 ssh2",
]
SYSLOG_HEADERS = [
    "<134>Jan  5 10:00:00 rtx ", "<166>Feb 29 23:59:59 asa ", "Dec 31 23:59:60 host ", "<999>Jan 35 99:99:99 x ",
    "<13>1 2024-01-05T10:00:00.123+09:00 fw app 1 - - ", "<13>1 - - - - - [a b=\"c\"][d] ",
    "2024-01-05T10:00:00Z sw ", "2024-02-30T25:61:61+99:99 sw ", "<1>", "", "<>", "<12345>Jan 5 ",
    "<13>1 9999-99-99T99:99:99Z h a p m [x=\"", "Jan  5 10:00:00.123456 host: ",
]


def syslog_line(rng: random.Random) -> str:
    """A line from any vendor, with a good or bad header, truncated, doubled, joined or full of junk."""
    roll = rng.random()
    if roll < 0.08:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))).decode("latin-1")
    head, body = rng.choice(SYSLOG_HEADERS), rng.choice(SYSLOG_FRAGMENTS)
    if roll < 0.4:
        body = mutate(body.encode(), rng).decode("utf-8", "replace")
    elif roll < 0.5:
        body = " ".join(rng.choice(SYSLOG_FRAGMENTS) for _ in range(rng.randint(2, 6)))
    elif roll < 0.56:  # long lines: a line of one field repeated, or many vendors' words
        body = body + " " + " ".join(rng.choice(["x=1", "from", "[L2TP]", "connected", "user=", "SRC=", ",", "%ASA-",
                                                 "Login failed for ", "a" * 50]) for _ in range(rng.choice([2000, 20000])))
    elif roll < 0.6:
        body = body.replace(" ", rng.choice(["\t", "  ", "\u3000", ""]))
    elif roll < 0.65:
        cut = rng.randrange(len(body) + 1)
        body = body[:cut]
    return head + body


# ---------- collector bundles ----------

@cache
def bundle_seeds() -> tuple[dict[str, bytes], ...]:
    """The files of four real-shaped bundles (ja/en, PowerShell 5.1 and 7, three encodings), by name."""
    import tempfile

    from builders.bundles import make_bundle
    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (hardened, lang, enc, ps) in enumerate([(False, "ja", "utf-16", "5.1"), (True, "en", "utf-8", "7"),
                                                       (False, "en", "utf-8-sig", "7"), (True, "ja", "cp932", "5.1")]):
            folder = make_bundle(Path(tmp) / str(n), f"PC-{n}", hardened=hardened, lang=lang, encoding=enc, ps=ps)
            seeds.append({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})
    return tuple(seeds)


def _decoded_json(data: bytes) -> Any:
    from wardwatch.audit.encoding import decode
    return orjson.loads(decode(data)[0].lstrip("\ufeff"))


def bundle_files(rng: random.Random) -> dict[str, bytes]:
    """One bundle's files with 1-4 parts damaged: bytes, wrong JSON shapes and types, wrong encodings, removed,
    emptied, huge, or XML / INF / CSV with junk."""
    files = dict(rng.choice(bundle_seeds()))
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(sorted(files))
        roll = rng.random()
        if roll < 0.4 and name.endswith(".json"):
            try:
                value = _decoded_json(files[name])
            except ValueError:
                value = {}
            files[name] = dump_json(mutate_value(value, rng), rng)
        elif roll < 0.6:
            files[name] = mutate_many(files[name], rng)
        elif roll < 0.67:
            del files[name]
        elif roll < 0.72:
            files[name] = b""
        elif roll < 0.77:
            files[name] = rng.choice([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b""]) + \
                bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
        elif roll < 0.82:
            files[name] = rng.choice([
                '<!DOCTYPE c [<!ENTITY a "x">]><channel name="&a;"/>', "<channel name='x'>" + "<a>" * 3000,
                "Subcategory\n\"" + "a" * 200_000 + "\"", "[System Access]\nLockoutBadCount = " + "9" * 5000,
                "name: x\nmaxSize: 99999999999999999999999", "\x00" * 100,
                '{"collected_at": 1e20, "host": {"a": 1}, "parts": [1], "state": ["x"]}',
            ]).encode()
        elif roll < 0.86:
            files[name] = deep_json(rng)
        else:
            files[f"eventlogs/{rng.choice(['x', '%4', '..', 'Security'])}.xml"] = mutate(files.get(name, b"<channel/>"), rng)
    return files


def write_bundle(root: Path, files: dict[str, bytes], rng: random.Random, host: str) -> Path:
    """Written as a collector folder, or as a .zip (backslash names as PS 5.1 writes them, sometimes damaged)."""
    folder = root / f"wardwatch-{host}-20240603-103000"
    if rng.random() < 0.4:
        path = folder.with_suffix(".zip")
        path.parent.mkdir(parents=True, exist_ok=True)
        sep = "\\" if rng.random() < 0.5 else "/"
        data = zip_of([(n.replace("/", sep), d) for n, d in files.items()])
        path.write_bytes(mutate(data, rng) if rng.random() < 0.15 else data)
        return path
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    if not files:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---------- YAML files: inventories, checklist answers, settings ----------

YAML_NASTIES = [
    "a: 2024-02-30\n", "[" * 3000, "a: &x [*x]\n",
    "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True)).replace(
        "b: &b", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b", 1),  # a billion laughs
    "!!python/object/apply:os.system [echo hi]\n", "a: !!binary AAAA\n", "? [1, 2]\n: x\n", "a:\tb\n", "- - - -\n",
    "%YAML 9.9\n---\na: 1\n", "a: 1\na: 2\n", "--- 1\n--- 2\n", "\x00", "a: b\n  c: d\n", "{a: 1, b: [}\n",
    "a: 0x\nb: .inf\nc: .nan\nd: 1_000\ne: 0o17\nf: ~\n", "a: '" + "x" * 100_000 + "'\n", "a: 1e400\n",
]


def yaml_variant(value: Any, rng: random.Random) -> bytes:
    """A YAML file from a (mutated) value, sometimes damaged as text, re-encoded, or replaced by a known nasty."""
    roll = rng.random()
    if roll < 0.12:
        return rng.choice(YAML_NASTIES).encode()
    text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=rng.random() < 0.2)
    if roll < 0.35:
        return mutate_many(text.encode(), rng, 2)
    if roll < 0.42:
        return rng.choice([text.encode("utf-16"), text.encode("cp932", "replace"), b"\xef\xbb\xbf" + text.encode(),
                           text.encode("utf-16-be")])
    if roll < 0.5:
        return (text + rng.choice(YAML_NASTIES)).encode()
    return text.encode()


@cache
def inventory_seeds() -> tuple[Any, ...]:
    from importlib import resources

    from builders.inventories import flat_clinic, segmented_hospital
    shipped = [yaml.safe_load((resources.files("wardwatch.hospital") / "templates" / f"{k}.yml").read_text("utf-8"))
               for k in ("clinic", "hospital")]
    return (flat_clinic(), segmented_hospital(), *shipped)


def inventory_case(rng: random.Random) -> bytes:
    seed = rng.choice(inventory_seeds())
    return yaml_variant(mutate_value(seed, rng) if rng.random() < 0.85 else seed, rng)


ANSWERS_SEED = {"checklist_version": "R6", "target": "医療機関", "answers": {
    "1-(1)": {"answer": "いいえ", "date": "令和7年4月1日", "target_date": "令和8年3月31日", "note": "任命書を作成中"},
    "2-(3)": {"answer": "はい", "date": "2025-04-01"}, "2-(4) サーバ": {"answer": "yes", "date": "2025-04-01"},
    "3-(3)": {"answer": ""}, "2-(1)": "該当なし"}}


def answers_case(rng: random.Random) -> bytes:
    return yaml_variant(mutate_value(ANSWERS_SEED, rng) if rng.random() < 0.85 else ANSWERS_SEED, rng)


CONFIG_SEED = {"timezone": "Asia/Tokyo", "lang": "ja", "evidence_limit": 20,
               "rules": {"brute-force": {"burst_count": 10, "window_minutes": 5}, "night-logon": {"night_start": 22}},
               "audit": {"checks": {}}, "incident_gap_hours": 6}


def config_case(rng: random.Random) -> bytes:
    return yaml_variant(mutate_value(CONFIG_SEED, rng) if rng.random() < 0.85 else CONFIG_SEED, rng)


# ---------- checking ----------

def tree_hashes(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under the roots (the inputs must be byte-for-byte the same after a run)."""
    out = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def cases(count: int, seed: int, make: Callable[[random.Random], Any]) -> list[Any]:
    """count cases from one fixed seed (each case its own Random, so a failing case is rebuilt from its number)."""
    return [make(random.Random(seed * 100_003 + n)) for n in range(count)]
