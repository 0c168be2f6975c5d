"""The one message catalog: every user-facing label of every output, in Japanese and English.

Keys are namespaced by the output that shows them (`report.`, `terminal.`, `audit.`, `passwords.`, `severity.`,
`phase.`, `fact.`, `inventory.`, `checklist.`, `syslog.`, `fix.`, `procure.`, `incident.`, `isac.`); each value is a
(ja, en) pair; a list (steps, columns) is one item a line (`lines`).
The one rule for a missing key (`message`): a key not in the catalog shows as its own last part (a rule's phase
or a fact name shown as given); a `{field}` the values lack shows as '-' (textfmt.MISSING), never an error.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from ..checks.factspec import meanings as fact_meanings
from ..model import Text
from ..story import PHASE_TEXT
from ..textfmt import fill


def _load() -> dict[str, tuple[str, str]]:
    """messages.yml (key: [ja, en], in the outputs' order), then the attack chain's phase names (story.py) and the
    facts' meanings (checks/facts.yml), which keep their one copy where they are defined."""
    raw = yaml.load((resources.files("wardwatch.report") / "messages.yml").read_text(encoding="utf-8"),
                    Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    catalog = {str(key): (str(pair[0]), str(pair[1])) for key, pair in raw.items()}
    catalog.update({f"phase.{name}": (text.ja, text.en) for name, text in PHASE_TEXT.items()})  # the story's names
    catalog.update({f"fact.{name}": (text.ja, text.en) for name, text in fact_meanings().items()})
    return catalog


CATALOG: dict[str, tuple[str, str]] = _load()


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def has(key: str) -> bool:
    """Whether the catalog holds this key."""
    return key in CATALOG


def message(key: str, lang: str, **values: Any) -> str:
    """One message in `lang` ('en', anything else is Japanese), its `{fields}` filled from values.

    The one rule for a missing key: a key not in the catalog shows as its last part ('phase.recon' → 'recon');
    a field the values lack shows as '-'.
    """
    pair = CATALOG.get(key)
    text = _pick(pair, lang) if pair else key.rsplit(".", 1)[-1]
    return fill(text, values) if values else text


def both(key: str, **values: Any) -> Text:
    """One message in Japanese and English (a finding's or an answer's text, chosen when it is shown); a value given
    as a Text is filled in each language from its own half."""
    def pick(lang: str) -> dict[str, Any]:
        return {k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()}

    return Text(message(key, "ja", **pick("ja")), message(key, "en", **pick("en")))


def lines(key: str, lang: str) -> list[str]:
    """A message that is a list (steps, table columns): one item a line."""
    return message(key, lang).splitlines()


def messages(lang: str, namespace: str) -> dict[str, str]:
    """Every message of one namespace in one language, keys without the namespace (for a template or a writer)."""
    prefix = namespace + "."
    return {key[len(prefix) :]: _pick(pair, lang) for key, pair in CATALOG.items() if key.startswith(prefix)}
