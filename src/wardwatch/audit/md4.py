"""MD4 and NT hashes without OpenSSL: pure Python for single values, pyarrow-vectorised for word lists."""
from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

_MASK = 0xFFFFFFFF
_INIT = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476)
# (round, message word order, shifts, constant)
_R1 = (range(16), (3, 7, 11, 19), 0)
_R2 = ((0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), (3, 5, 9, 13), 0x5A827999)
_R3 = ((0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15), (3, 9, 11, 15), 0x6ED9EBA1)
BATCH = 200_000  # candidates hashed per vectorised batch (about 13 MB of message blocks)


def _rotl(x: int, s: int) -> int:
    return ((x << s) | (x >> (32 - s))) & _MASK


def _f(x: int, y: int, z: int) -> int:
    return (x & y) | (~x & z)


def _g(x: int, y: int, z: int) -> int:
    return (x & y) | (x & z) | (y & z)


def _h(x: int, y: int, z: int) -> int:
    return x ^ y ^ z


def _compress(state: tuple[int, int, int, int], block: bytes) -> tuple[int, int, int, int]:
    x = struct.unpack("<16I", block)
    a, b, c, d = state
    for fn, (order, shifts, const) in ((_f, _R1), (_g, _R2), (_h, _R3)):
        for i, k in enumerate(order):
            a = _rotl((a + fn(b, c, d) + x[k] + const) & _MASK, shifts[i % 4])
            a, b, c, d = d, a, b, c
    return ((state[0] + a) & _MASK, (state[1] + b) & _MASK, (state[2] + c) & _MASK, (state[3] + d) & _MASK)


def _pad(data: bytes) -> bytes:
    n = len(data)
    return data + b"\x80" + b"\0" * ((55 - n) % 64) + struct.pack("<Q", (n * 8) & 0xFFFFFFFFFFFFFFFF)


def md4(data: bytes) -> bytes:
    """MD4 digest (RFC 1320) of data."""
    padded = _pad(data)
    state = _INIT
    for off in range(0, len(padded), 64):
        state = _compress(state, padded[off:off + 64])
    return struct.pack("<4I", *state)


def nt_hash(password: str) -> bytes:
    """NT hash: MD4 of the UTF-16LE password (16 bytes)."""
    return md4(password.encode("utf-16-le", "surrogatepass"))


# ---- vectorised: one 64-byte block per candidate (passwords up to 27 UTF-16 code units) ----

def _u32(v: int) -> pa.Scalar:
    return pa.scalar(v, pa.uint32())


def _vrotl(x: pa.Array, s: int) -> pa.Array:
    return pc.bit_wise_or(pc.shift_left(x, _u32(s)), pc.shift_right(x, _u32(32 - s)))


def _vf(x: pa.Array, y: pa.Array, z: pa.Array) -> pa.Array:
    return pc.bit_wise_or(pc.bit_wise_and(x, y), pc.bit_wise_and(pc.bit_wise_not(x), z))


def _vg(x: pa.Array, y: pa.Array, z: pa.Array) -> pa.Array:
    return pc.bit_wise_or(pc.bit_wise_and(x, pc.bit_wise_or(y, z)), pc.bit_wise_and(y, z))


def _vh(x: pa.Array, y: pa.Array, z: pa.Array) -> pa.Array:
    return pc.bit_wise_xor(pc.bit_wise_xor(x, y), z)


def _vmd4_blocks(blocks: bytes, n: int) -> list[pa.Array]:
    """The four state words of MD4 over n single-block messages laid out as n × 64 bytes."""
    flat = pa.Array.from_buffers(pa.uint32(), n * 16, [None, pa.py_buffer(blocks)])
    lists = pa.FixedSizeListArray.from_arrays(flat, 16)
    x = [pc.list_element(lists, i) for i in range(16)]
    a, b, c, d = (pa.repeat(_u32(v), n) for v in _INIT)
    a0, b0, c0, d0 = a, b, c, d
    for fn, (order, shifts, const) in ((_vf, _R1), (_vg, _R2), (_vh, _R3)):
        for i, k in enumerate(order):
            t = pc.add(pc.add(a, fn(b, c, d)), x[k])
            if const:
                t = pc.add(t, _u32(const))
            a = _vrotl(t, shifts[i % 4])
            a, b, c, d = d, a, b, c
    return [pc.add(a0, a), pc.add(b0, b), pc.add(c0, c), pc.add(d0, d)]


_TAILS = [b"\x80" + b"\0" * (55 - n) + struct.pack("<Q", n * 8) for n in range(56)]  # padding by length


def find_nt_matches(candidates: Iterable[str], targets: set[bytes]) -> Iterator[tuple[str, bytes]]:
    """(candidate, its NT hash) for every candidate whose NT hash is in targets; fast for millions."""
    if not targets:
        return
    firsts = pa.array(sorted({struct.unpack("<I", t[:4])[0] for t in targets}), pa.uint32())
    batch: list[str] = []
    blocks: list[bytes] = []
    for word in candidates:
        data = word.encode("utf-16-le", "surrogatepass")
        if len(data) > 55:  # needs two blocks: rare, done one by one
            digest = md4(data)
            if digest in targets:
                yield word, digest
            continue
        batch.append(word)
        blocks.append(data + _TAILS[len(data)])
        if len(batch) >= BATCH:
            yield from _check(batch, blocks, firsts, targets)
            batch, blocks = [], []
    if batch:
        yield from _check(batch, blocks, firsts, targets)


def _check(batch: list[str], blocks: list[bytes], firsts: pa.Array, targets: set[bytes]) -> Iterator[tuple[str, bytes]]:
    words = _vmd4_blocks(b"".join(blocks), len(batch))
    hits = pc.indices_nonzero(pc.is_in(words[0], value_set=firsts)).to_pylist()
    for i in hits:
        digest = struct.pack("<4I", *(w[i].as_py() for w in words))
        if digest in targets:
            yield batch[i], digest
