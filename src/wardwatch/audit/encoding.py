"""Text decoding for Windows evidence: BOM first (UTF-8, UTF-16LE/BE), then UTF-8, then CP932."""
from __future__ import annotations


class DecodeError(ValueError):
    """Bytes that are not UTF-8, UTF-16 or CP932 text."""


def _looks_utf16le(data: bytes) -> bool:
    """UTF-16LE without a BOM: mostly ASCII text, so most odd bytes are NUL and even ones are not."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
    even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
    return odd_nul > 0.6 and even_nul < 0.1


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name); raises DecodeError when no known encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", errors="replace"), "utf-16-le"
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace"), "utf-16-be"
    if _looks_utf16le(data):
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    for name in ("utf-8", "cp932"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise DecodeError("not UTF-8, UTF-16 or CP932 text")
