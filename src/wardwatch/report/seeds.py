"""Seed references as a reader knows them: which training document, its topic, and the lesson it teaches, quoted.

A rule's `seed` is a short note such as "002 ログの監視と保護（4625 / 4624）; チェックリスト 2-(6)" or "000 Q&A 25".
`seed_refs` reads it into references: 「研修資料 002（ログの監視と保護…）」 with the document's full title, and
the lesson of a Q&A answer or a guide's point from the catalog (`seed.*` in messages.yml). Text it cannot place is
shown as written, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from wardwatch.report.messages import has, message

DOCS = ("000", "001", "002", "003", "004")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_PARTS = re.compile(r"\s*;\s*|\s+/\s+")
_OPEN, _CLOSE = "(（", ")）"
_STARTS = re.compile(r"\d{3}|チェックリスト|BCP|MHLW|安全管理")  # what a reference after ' / ' begins with
_DOC = re.compile(r"^(\d{3})((?:\s*[,、]\s*\d{3})*)\s*[:：]?\s*(.*)$", re.S)
_QA = re.compile(r"Q&A\s*(\d+(?:\s*[,、]\s*\d+)*)|\bQ(\d+)\b")
_BRACKETS = re.compile(r"^[（(](.*)[）)]$", re.S)


@dataclass(frozen=True)
class SeedRef:
    """One reference: its name as shown, the topic, the document's full title (empty for text shown as written)
    and the lessons quoted (ja or en, from the catalog)."""

    label: str
    topic: str = ""
    title: str = ""
    lessons: tuple[str, ...] = ()
    doc: str = ""  # "000" … "004" for a training document
    keys: tuple[str, ...] = ()  # the catalog keys of the lessons it names (Q&A answers, a guide's points)


def _split(seed: str) -> list[str]:
    """The references of a seed note: split at ';', and at ' / ' before another reference; never inside brackets."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"[(（)）]|" + _PARTS.pattern, seed):
        ch = m.group(0)
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and (";" in ch or _STARTS.match(seed, m.end())):
            parts.append(seed[start:m.start()])
            start = m.end()
    parts.append(seed[start:])
    return [p.strip() for p in parts if p.strip()]


def _topic(text: str) -> str:
    text = text.strip(" 、,:：")
    m = _BRACKETS.match(text)
    return (m.group(1) if m else text).strip()


def _width(text: str) -> float:
    """Length as it reads: a Japanese character counts 1, a Latin letter or digit half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _sentence(text: str) -> bool:
    """Whether a seed's words are a sentence (a lesson) rather than a topic: long, or a list of clauses outside
    brackets."""
    bare = re.sub(r"[（(][^）)]*[）)]", "", text)
    return _width(bare) > 30 or ("、" in bare and _width(bare) > 16)


def _numbers(rest: str) -> tuple[list[int], str]:
    """Q&A numbers named in the text, and the text without them."""
    nums: list[int] = []
    for m in _QA.finditer(rest):
        nums += [int(n) for n in re.split(r"\s*[,、]\s*", m.group(1) or m.group(2))]
    return nums, _QA.sub("", rest)


def _doc_ref(doc: str, rest: str, lang: str) -> SeedRef:
    label = message(f"seed.{doc}.label", lang)
    title = message(f"seed.{doc}.title", lang)
    nums, rest = _numbers(rest)
    points = [_CIRCLED.index(c) + 1 for c in rest if c in _CIRCLED]
    rest = "".join(c for c in rest if c not in _CIRCLED)
    keys = [f"seed.{doc}.q{n}" for n in nums] + [f"seed.{doc}.p{n}" for n in points]
    lessons = [message(k, lang) for k in keys if has(k)]
    if nums:
        label += " " + message("seed.question", lang, n="・".join(str(n) for n in nums))
    if points:
        label += " " + message("seed.point", lang, n="".join(_CIRCLED[n - 1] for n in points))
    topic = _topic(rest.replace("Q&A", ""))
    head, sep, said = topic.partition(": ") if ": " in topic else topic.partition("：")
    if sep and _width(head) <= 30:  # "topic: what the slide says" → the slide's words are its lesson
        topic, lessons = head.strip(), [said.strip(), *lessons]
    elif not lessons and _sentence(topic):  # a sentence of the slide: the lesson itself
        topic, lessons = "", [topic]
    if topic and topic in label:
        topic = ""
    return SeedRef(label, topic, title, tuple(lessons), doc, tuple(keys))


def seed_refs(seed: str, lang: str) -> list[SeedRef]:
    """Every reference in a rule's seed note, in its order."""
    refs: list[SeedRef] = []
    for part in _split(seed or ""):
        m = _DOC.match(part)
        if m and m.group(1) in DOCS:
            docs = [m.group(1), *re.findall(r"\d{3}", m.group(2))]
            for doc in docs[:-1]:
                refs.append(_doc_ref(doc, "", lang))
            refs.append(_doc_ref(docs[-1], m.group(3), lang))
        elif part.startswith("チェックリスト"):
            refs.append(SeedRef(message("seed.checklist", lang), _topic(part[len("チェックリスト"):]),
                                message("seed.checklist.title", lang)))
        elif part.startswith("BCP 確認表"):
            refs.append(SeedRef(message("seed.bcp", lang), _topic(part[len("BCP 確認表"):]),
                                message("seed.bcp.title", lang)))
        else:
            refs.append(SeedRef(part))
    return refs


def cited(seeds: list[str], lang: str) -> list[tuple[str, str]]:
    """(label, full title) of each training document the page cites, in document order: the page's legend."""
    found = {r.doc for s in seeds for r in seed_refs(s, lang)}
    return [(message(f"seed.{d}.label", lang), message(f"seed.{d}.title", lang)) for d in DOCS if d in found]
