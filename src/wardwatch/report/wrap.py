"""Line breaking for Japanese and mixed text in the terminal: `Wrapped`, a Rich Text that breaks between any two
Japanese characters (never before 、。）」 nor after （「), keeps Latin words and numbers whole, and so never leaves a
line short at a space while the sentence could go on (「うち 1,989\\n回は」). Widths are Rich's cells."""
from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod
from rich.containers import Lines
from rich.measure import Measurement
from rich.text import Text

# Japanese line-breaking rules (禁則): these never start a line / never end one.
NO_BREAK_BEFORE = frozenset("、。，．・：；？！）」』】〕〉》］｝〙〗ー～〜…‥々ゝゞヽヾ"
                            "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ%)]},.:;!?")
NO_BREAK_AFTER = frozenset("（「『【〔〈《［｛〘〖([{")


def _wide(ch: str) -> bool:
    return get_character_cell_size(ch) == 2


def can_break(text: str, i: int) -> bool:
    """Whether a line may start at text[i]: after spaces, or beside a wide (Japanese) character, 禁則 kept, and
    never between a number and the unit after it (5時間, 3台)."""
    if i <= 0 or i >= len(text):
        return False
    before, ch = text[i - 1], text[i]
    if ch.isspace() or ch in NO_BREAK_BEFORE:
        return False
    if before.isspace():
        return text[:i].rstrip()[-1:] not in NO_BREAK_AFTER
    if before in NO_BREAK_AFTER:
        return False
    if before.isascii() and before.isdigit() and ch.isalpha():
        return False
    return _wide(before) or _wide(ch)


def _fold(text: str, start: int, i: int) -> int:
    """Where to cut a part longer than a line, at or before i: not before 、。）」 nor after （「 where possible."""
    cut = i
    while cut - 1 > start and (text[cut] in NO_BREAK_BEFORE or text[cut - 1] in NO_BREAK_AFTER):
        cut -= 1
    return cut if cut - 1 > start else i


def break_offsets(text: str, width: int) -> list[int]:
    """Where each new line of one line of text starts so that none is wider than `width` cells (spaces at a
    line's end hang over): the last break opportunity that fits, or a cut inside a word longer than a line."""
    width = max(1, width)
    offsets: list[int] = []
    start, cells, last = 0, 0, 0
    for i, ch in enumerate(text):
        if i > start and can_break(text, i):
            last = i
        size = get_character_cell_size(ch)
        if not ch.isspace() and i > start and cells + size > width:
            start = last if last > start else _fold(text, start, i)
            offsets.append(start)
            cells = cell_len(text[start:i])
        cells += size
    return offsets


def _pieces(text: str) -> Iterator[str]:
    """The parts of a text between its break opportunities (what a line can never be narrower than)."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or can_break(text, i) or text[i] == "\n":
            yield text[start:i].strip()
            start = i


class Wrapped(Text):
    """A Rich Text wrapped by `break_offsets` (Japanese at character boundaries); otherwise an ordinary Text."""

    @classmethod
    def of(cls, text: Text | str, markup: bool = True) -> Wrapped:
        """A Wrapped copy of a Text, of console markup (`markup=True`) or of a plain string."""
        if isinstance(text, str):
            text = Text.from_markup(text, emoji=False) if markup else Text(text)
        out = cls(text.plain, style=text.style, justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap,
                  end=text.end, tab_size=text.tab_size)
        out._spans[:] = text._spans
        return out

    def wrap(self, console: Console, width: int, *, justify: JustifyMethod | None = None,
             overflow: OverflowMethod | None = None, tab_size: int = 8, no_wrap: bool | None = None) -> Lines:
        if no_wrap or self.no_wrap or overflow == "ignore":
            return super().wrap(console, width, justify=justify, overflow=overflow, tab_size=tab_size, no_wrap=no_wrap)
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line.plain:
                line.expand_tabs(tab_size)
            for part in line.divide(break_offsets(line.plain, width)):
                part.rstrip()
                lines.append(part)
        justify_ = justify or self.justify
        if justify_ and justify_ not in ("default", "left"):
            lines.justify(console, width, justify=justify_, overflow="fold")
        return lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.plain.splitlines()
        widest = max((cell_len(line) for line in lines), default=0)
        if self.no_wrap:
            return Measurement(widest, widest)
        return Measurement(max((cell_len(p) for p in _pieces(self.plain)), default=widest), widest)
