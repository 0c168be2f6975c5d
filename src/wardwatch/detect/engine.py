"""Runs every rule over the store and turns correlator hits into Findings with Japanese and English text."""
from __future__ import annotations

import dataclasses
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..checks.finding import make
from ..checks.phase import Phase
from ..guard import Guard
from ..model import Finding, Severity, Text
from ..store import EventStore
from ..textfmt import delta_seconds, duration, join, local_time
from .correlate import CORRELATORS, WORDS, Context, Hit
from .lists import ValueLists, load_lists
from .names import NAMES_SQL, AccountNames
from .rules import Rule, RuleError, compile_rule, load_rules

LOGON_TYPES = {2: "2", 3: "3", 7: "7", 8: "8", 10: "10 (RDP)", 11: "11"}


RULE_THREADS = 2  # rules run two at a time: most of a rule's time is DuckDB's (planning, then the query), which
# releases the GIL, and a small query uses one CPU only


def run_rules(store: EventStore, config: dict[str, Any], tz: str, inputs_size: dict[str, int],
              rules: list[Rule] | None = None, problems: Guard | None = None) -> list[Finding]:
    """All findings of all rules, in rule order, each with text in both languages.

    Each rule runs on a cursor of its own, side by side with another; a rule that reads earlier findings
    (`after`, `select_from`) waits for those rules first (rules come in that order, so none waits forever).
    With `problems`, a rule that fails is named there and the other rules' findings are still returned."""
    rules = rules if rules is not None else load_rules()
    for rule in rules:
        if rule.correlate.get("type") not in CORRELATORS:
            raise RuleError(f"{rule.source}: unknown correlate type {rule.correlate.get('type')!r}")
    lists = load_lists(config)
    shared = Context(store=store, config=config, tz=tz, inputs_size=inputs_size,
                     names=AccountNames.from_rows(store.query(NAMES_SQL)))
    started: dict[str, Future[list[Finding]]] = {}
    with ThreadPoolExecutor(max_workers=RULE_THREADS, thread_name_prefix="wardwatch-rule") as pool:
        for i, rule in enumerate(rules):
            needs = [started[d] for d in rule.after if d in started]
            started[rule.id] = pool.submit(_run_rule, i, rule, needs, shared, lists)
    if problems is None:
        return [f for rule in rules for f in started[rule.id].result()]
    return [f for rule in rules for f in problems.run(f"rule {rule.id}", started[rule.id].result, default=[])]


def _run_rule(i: int, rule: Rule, needs: list[Future[list[Finding]]], shared: Context,
              lists: ValueLists) -> list[Finding]:
    for need in needs:
        need.result()  # the findings this rule reads are there (or their error is raised here)
    con = shared.store.con.cursor()
    try:
        cond, case, values = compile_rule(rule, lists)  # the rule's values are bound parameters, never spliced
        ctx = dataclasses.replace(shared, view=f"(SELECT *, {case} AS sel FROM events WHERE {cond})", values=values,
                                  con=con, params=rule.settings(shared.config))  # the same findings and table cache
        made = [to_finding(rule, h, ctx.tz, lists, ctx.names) for h in CORRELATORS[rule.correlate["type"]](rule, ctx)]
    finally:
        con.close()
    shared.findings[rule.id] = made
    return made


def _local_facts(rule: Rule, hit: Hit, tz: str, lang: str, lists: ValueLists,
                 names: AccountNames | None = None) -> dict[str, Any]:
    """The values a rule's text templates may use, written for people in one language; an account is named once in
    one spelling, with its SID where the events give one (names)."""
    f = hit.facts
    names = names or AccountNames()

    def people(values: Any) -> list[str]:
        return [names.shown(v, lang) for v in names.distinct(values or [])]

    secs = delta_seconds(hit.first, hit.last)
    unknown = Text("不明（記録なし）", "unknown (not recorded)")
    labels = [rule.label(s) for s in hit.sels]

    def label(key: str) -> str:
        texts = [Text(**lab[key]).get(lang) if isinstance(lab.get(key), dict) else str(lab.get(key))
                 for lab in labels if key in lab]
        return join(list(dict.fromkeys(texts)), lang)

    out: dict[str, Any] = {
        "host": hit.host or "-", "count": f"{hit.count:,}", "first": local_time(hit.first, tz),
        "last": local_time(hit.last, tz), "duration": duration(secs, lang),
        "accounts": join(people(hit.accounts), lang, empty=unknown), "sources": join(hit.sources, lang, empty=unknown),
        "target": join(people(f.get("target")) or people(hit.accounts) or hit.sources, lang),
        "actors": join(f.get("actors"), lang, empty=unknown), "members": join(f.get("members"), lang),
        "groups": join(hit.accounts, lang), "targets": join(f.get("targets"), lang, empty=unknown),
        "commands": join(f.get("commands"), lang, limit=3), "detail": join(f.get("details"), lang, limit=3, empty=Text("", "")),
        "items": join(f.get("whats"), lang, limit=3, empty=Text("-", "-")),  # the keys, files or pipes matched
        "excerpt": _excerpt(f.get("whats")),  # the start of the first matched text, cut short (a script, a command)
        # the parents of the processes (a rule's correlate `context`), as a clause only when the events name them
        "started_by": Text("（起動元: {}）", " (started by: {})").get(lang).format(join(f["context"], lang, limit=3))
        if f.get("context") else "",
        "what": label("_what") if any("_what" in lab for lab in labels) else join(f.get("whats"), lang, limit=3),
        "how": label("_how") if any("_how" in lab for lab in labels) else "-",
        "kind": label("_label"), "peak": f.get("peak", "-"), "burst_seconds": f.get("burst_seconds", "-"),
        "logon_types": join([LOGON_TYPES.get(t, str(t)) for t in f.get("logon_types", [])], lang),
        "hosts": join(f.get("hosts"), lang), "hosts_count": f.get("hosts_count", "-"),
        "who": names.shown(str(f["who"]), lang) if names.known(str(f.get("who", ""))) else f.get("who", "-"),
        "night": f.get("night", "-"), "channel": f.get("channel", "-"), "days": f.get("days", "-"),
        "accounts_count": f.get("accounts_count", "-"), "source": f.get("source") or "-",
        "guess_count": f"{f.get('guess_count', 0):,}", "success_count": f.get("success_count", "-"),
        "success_first": local_time(f.get("success_first"), tz),
    }
    words = WORDS.get(str(rule.correlate.get("type")))
    if words is not None:
        out.update(words(hit, lang))
    if "tools" in rule.correlate.get("classify", ""):
        out["tools"] = join(_tool_names(f, lists), lang, empty=Text("不審なプログラム", "a suspicious program"))
    return out


EXCERPT_CHARS = 80


def _excerpt(values: Any) -> str:
    """The first value's start on one line, at most EXCERPT_CHARS characters ('…' where cut); '-' when none."""
    if not values:
        return "-"
    text = " ".join(str(values[0]).split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 1] + "…"


def _tool_names(f: dict[str, Any], lists: ValueLists) -> list[str]:
    text = " ".join(f.get("whats", []) + f.get("services", []) + f.get("commands", []))
    return [t.name for t in lists.tools if t.matches(text)]


def _phase(rule: Rule, hit: Hit) -> str:
    """The rule's attack-chain phase, unless every matched selection names its own (`_phase`)."""
    own = {rule.label(s).get("_phase") for s in hit.sels}
    phase = Phase.parse(own.pop(), rule.source) if len(own) == 1 and None not in own else rule.phase
    return phase.value


def to_finding(rule: Rule, hit: Hit, tz: str, lists: ValueLists, names: AccountNames | None = None) -> Finding:
    ja = _local_facts(rule, hit, tz, "ja", lists, names)
    en = _local_facts(rule, hit, tz, "en", lists, names)
    facts = {k: v for k, v in hit.facts.items() if k not in ("whats",) and v not in (None, [], "")}
    if "tools" in rule.correlate.get("classify", ""):
        facts["tools"] = _tool_names(hit.facts, lists)
    if rule.correlate.get("target_as"):  # the rule names its targets (e.g. destinations)
        facts[str(rule.correlate["target_as"])] = hit.facts.get("targets", [])
    return make(rule, host=hit.host, first=hit.first, last=hit.last, count=hit.count, values=ja, values_en=en,
                evidence=hit.evidence, evidence_total=hit.evidence_total,
                accounts=names.distinct(hit.accounts) if names else hit.accounts, sources=hit.sources,  # one spelling
                severity=hit.severity, phase=_phase(rule, hit), facts=facts)


def worst(findings: list[Finding]) -> Severity:
    return max((f.severity for f in findings), default=Severity.INFO)
