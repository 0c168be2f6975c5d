"""One spec for every check (id, kind, severity, Phase, ja/en texts, parameters, declared tags) and the registry of
the specs shipped or loaded, so that generic code asks a check what it is instead of testing its id by name."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..model import Severity, Text
from .factspec import FactDecl, declare
from .phase import Phase


class SpecError(ValueError):
    """A check definition that cannot be used, with its file and the reason."""


@dataclass
class CheckSpec:
    """What a check declares about itself, in its own rule file.

    tags: roles generic code looks for (`coverage`: a log-coverage row; `rdp-in` / `rdp-out`: the RDP tables;
    `breach`: guessing that succeeded; `account-use`: shows an account's use, not where a logon came from).
    traffic_port: the port of the traffic its findings are evidence of (source → host), checked against the
    inventory's allowed flows. phrases: named ja/en pieces its summary uses.
    facts: the facts its findings carry, with their types and meanings (checks/factspec.py); None for a check that
    declares none (a rule written by a user)."""

    id: str
    kind: str = ""
    severity: Severity = Severity.MEDIUM
    phase: Phase = Phase.OTHER
    title: Text = field(default_factory=lambda: Text("", ""))
    summary: Text = field(default_factory=lambda: Text("", ""))
    advice: Text = field(default_factory=lambda: Text("", ""))
    seed: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    traffic_port: int | None = None
    phrases: dict[str, Text] = field(default_factory=dict)
    source: str = ""
    facts: FactDecl | None = None

    def phrase(self, name: str) -> Text:
        return self.phrases[name]


def text_of(raw: dict[str, Any], key: str, where: str, error: type[ValueError] = SpecError) -> Text:
    """A bilingual text field ({ja: ..., en: ...}); both languages are required."""
    value = raw.get(key)
    if not isinstance(value, dict) or "ja" not in value or "en" not in value:
        raise error(f"{where}: '{key}' needs both ja and en text")
    return Text(str(value["ja"]), str(value["en"]))


def common_fields(raw: dict[str, Any], where: str, error: type[ValueError] = SpecError) -> dict[str, Any]:
    """The fields every check file shares, checked: severity, phase, tags, traffic_port, phrases, params, facts."""
    try:
        severity = Severity.parse(raw["severity"])
    except KeyError as exc:
        raise error(f"{where}: unknown severity {raw['severity']!r}") from exc
    try:
        phase = Phase.parse(raw["phase"], where)
    except ValueError as exc:
        raise error(str(exc)) from None
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise error(f"{where}: 'tags' must be a list of names")
    port = raw.get("traffic_port")
    if port is not None and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536):
        raise error(f"{where}: 'traffic_port' must be a port number")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise error(f"{where}: 'params' must be a mapping")
    phrases = raw.get("phrases") or {}
    if not isinstance(phrases, dict):
        raise error(f"{where}: 'phrases' must be a mapping of ja/en texts")
    return {"severity": severity, "phase": phase, "seed": str(raw.get("seed", "")), "tags": frozenset(tags),
            "traffic_port": port, "params": dict(params),
            "phrases": {str(k): text_of(phrases, k, f"{where} phrases", error) for k in phrases},
            "facts": declare(raw.get("facts"), where, error),
            "title": text_of(raw, "title", where, error), "summary": text_of(raw, "summary", where, error),
            "advice": text_of(raw, "advice", where, error)}


# --- the registry of specs by rule id ---------------------------------------------------------------------------

_SPECS: dict[str, CheckSpec] = {}
_LOCK = threading.Lock()
_shipped = False


def register(spec: CheckSpec) -> None:
    """Make a loaded check known by its id (the last one loaded under an id wins)."""
    with _LOCK:
        _SPECS[spec.id] = spec


def shipped() -> list[CheckSpec]:
    """The checks WardWatch ships (its own rule and check files), read from them: not the registry, which also
    holds rules loaded since (a user's, a test's)."""
    from ..audit.checkdefs import check_specs as audit_specs
    from ..detect.rules import load_rules
    from ..hospital.rules import check_specs as hospital_specs
    from ..isac.cross import cross_specs
    from ..netlog.detect import load_network_rules
    from ..vuln.check import vuln_specs
    from ..web.site import web_specs
    return [*load_rules(), *load_network_rules(), *audit_specs(), *hospital_specs(), *vuln_specs().values(),
            *web_specs().values(), *cross_specs().values()]


def _load_shipped() -> None:
    global _shipped
    if _shipped:
        return
    known = dict(_SPECS)
    for spec in shipped():
        register(spec)
    with _LOCK:
        _SPECS.update(known)  # a rule loaded by the user under a shipped id keeps its own declarations
        _shipped = True


def spec_for(rule_id: str) -> CheckSpec | None:
    """The spec of a rule id (the shipped ones are loaded on first use: seed, network, audit and inventory checks);
    None for a rule with none (Sigma rules, findings made outside a check file)."""
    if rule_id not in _SPECS:
        _load_shipped()
    return _SPECS.get(rule_id)


def registered() -> list[CheckSpec]:
    """Every known spec (the shipped ones and any loaded since), by id."""
    _load_shipped()
    return [_SPECS[k] for k in sorted(_SPECS)]


def has_tag(rule_id: str, tag: str) -> bool:
    spec = spec_for(rule_id)
    return spec is not None and tag in spec.tags


def tagged(findings: Iterable[Any], tag: str) -> list[Any]:
    """The findings whose check declares tag, in their order."""
    return [f for f in findings if has_tag(str(f.rule), tag)]


# --- implementations by kind ------------------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


class Registry(dict[str, F]):
    """Implementations of one family of checks by kind, registered where they are defined
    (`@CORRELATORS.kind("campaign")`), as audit/registry.py does for audit evaluators."""

    def __init__(self, family: str) -> None:
        super().__init__()
        self.family = family

    def kind(self, name: str) -> Callable[[F], F]:
        def add(fn: F) -> F:
            self[name] = fn
            return fn
        return add

    def find(self, name: str, where: str = "") -> F:
        """The implementation of kind name; a SpecError naming where and the known kinds otherwise."""
        if name not in self:
            raise SpecError(f"{where + ': ' if where else ''}unknown {self.family} {name!r} "
                            f"(known: {', '.join(sorted(self))})")
        return self[name]
