"""docs/facts.md, generated from the checks' declared facts: what each fact means and which checks write it.

    python -m wardwatch.checks.factdoc docs/facts.md   # rewrite the page (a test says when it is out of date)
"""
from __future__ import annotations

import sys
from pathlib import Path

from .factspec import Fact, FactDecl, families, family, meanings
from .spec import registered

HEAD = """# Facts of a finding

`findings.json` gives every finding a `facts` object: the figures and names its check found (the HTML report shows
them under "Figures"). Each check declares the facts it writes, with their types, in its own file (`facts:`); what
each name means is said once in `src/wardwatch/checks/facts.yml`. This page is generated from those declarations
(`python -m wardwatch.checks.factdoc docs/facts.md`); do not edit it by hand.

Types: `str`, `int`, `number` (int or float), `bool`, `time` (ISO 8601 text in the report's time zone), `map`,
`list` and `list[...]`; `| null` means the value may be null. *optional*: not every finding of the check has it.
"""


def _writers() -> dict[str, FactDecl]:
    """Every declaration: the registered checks by id, and the families (checks made in code) by family name."""
    out = {f"`{s.id}`": s.facts for s in registered() if s.facts is not None}
    out.update({f"{name} (family)": family(name) for name in families()})
    return out


def _shown(f: Fact, plain: str) -> str:
    own = "" if f.meaning == meanings()[f.name] else f" — {f.meaning.ja} / {f.meaning.en}"
    return f"{plain} `{f.type}`{' *optional*' if f.optional else ''}{own}"


def page() -> str:
    """The whole page, in a stable order."""
    writers = _writers()
    lines = [HEAD, "## By fact", "", "| fact | meaning | written by (type) |", "|---|---|---|"]
    for name, text in sorted(meanings().items()):
        by = [_shown(decl[name], who) for who, decl in sorted(writers.items())
              if name in decl and (who.endswith("(family)") or not decl[name].family)]
        lines.append(f"| `{name}` | {text.ja} / {text.en} | {'<br>'.join(by) or '—'} |")
    lines += ["", "## By check", "", "| check | facts |", "|---|---|"]
    for who, decl in sorted(writers.items()):
        own = [_shown(f, f"`{f.name}`") for f in decl.values() if who.endswith("(family)") or not f.family]
        shared = sorted({f.family for f in decl.values() if f.family and not who.endswith("(family)")})
        lines.append(f"| {who} | {'<br>'.join(own + [f'the facts of {s} (family)' for s in shared]) or '—'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv:
        Path(argv[0]).write_text(page(), encoding="utf-8")
    else:
        sys.stdout.write(page())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
