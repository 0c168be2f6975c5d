"""Runs every rule over the store and turns correlator hits into Findings with Japanese and English text."""
from __future__ import annotations

import dataclasses
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..guard import Guard
from ..model import Finding, Severity, Text
from ..store import EventStore
from ..textfmt import delta_seconds, duration, english_plurals, join, local_time, render
from .correlate import CORRELATORS, Context, Hit
from .rules import Rule, RuleError, compile_rule, load_rules

LOGON_TYPES = {2: "2", 3: "3", 7: "7", 8: "8", 10: "10 (RDP)", 11: "11"}


def load_lists(config: dict[str, Any]) -> dict[str, list[str]]:
    """Value lists rules refer to with '@name': the shipped tools file plus the user's additions."""
    raw = yaml.safe_load((resources.files("wardwatch.detect") / "tools.yml").read_text(encoding="utf-8"))
    extra = config.get("tools_file")
    if extra:
        more = yaml.safe_load(Path(extra).read_text(encoding="utf-8")) or {}
        raw["tools"] = list(raw.get("tools", [])) + list(more.get("tools", []))
        raw["suspicious_service_paths"] = list(raw.get("suspicious_service_paths", [])) + list(more.get("suspicious_service_paths", []))
    return {
        "tools": [m for t in raw["tools"] for m in t["match"]],
        "suspicious_service_paths": list(raw.get("suspicious_service_paths", [])),
        "_tools": raw["tools"],
    }


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
    shared = Context(store=store, config=config, tz=tz, inputs_size=inputs_size)
    started: dict[str, Future[list[Finding]]] = {}
    with ThreadPoolExecutor(max_workers=RULE_THREADS, thread_name_prefix="wardwatch-rule") as pool:
        for i, rule in enumerate(rules):
            needs = [started[d] for d in rule.after if d in started]
            started[rule.id] = pool.submit(_run_rule, i, rule, needs, shared, lists)
    if problems is None:
        return [f for rule in rules for f in started[rule.id].result()]
    return [f for rule in rules for f in problems.run(f"rule {rule.id}", started[rule.id].result, default=[])]


def _run_rule(i: int, rule: Rule, needs: list[Future[list[Finding]]], shared: Context,
              lists: dict[str, Any]) -> list[Finding]:
    for need in needs:
        need.result()  # the findings this rule reads are there (or their error is raised here)
    con = shared.store.con.cursor()
    try:
        ctx = dataclasses.replace(shared, view=f"m_{i}", con=con)  # the same findings and table cache
        cond, case = compile_rule(rule, lists)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {ctx.view} AS SELECT *, {case} AS sel FROM events WHERE {cond}")
        made = [to_finding(rule, h, ctx.tz, lists) for h in CORRELATORS[rule.correlate["type"]](rule, ctx)]
    finally:
        con.close()
    shared.findings[rule.id] = made
    return made


def _local_facts(rule: Rule, hit: Hit, tz: str, lang: str, lists: dict[str, Any]) -> dict[str, Any]:
    """The values a rule's text templates may use, written for people in one language."""
    f = hit.facts
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
        "accounts": join(hit.accounts, lang, empty=unknown), "sources": join(hit.sources, lang, empty=unknown),
        "target": join(f.get("target") or hit.accounts or hit.sources, lang),
        "actors": join(f.get("actors"), lang, empty=unknown), "members": join(f.get("members"), lang),
        "groups": join(hit.accounts, lang), "targets": join(f.get("targets"), lang, empty=unknown),
        "commands": join(f.get("commands"), lang, limit=3), "detail": join(f.get("details"), lang, limit=3, empty=Text("", "")),
        "what": label("_what") if any("_what" in lab for lab in labels) else join(f.get("whats"), lang, limit=3),
        "how": label("_how") if any("_how" in lab for lab in labels) else "-",
        "kind": label("_label"), "peak": f.get("peak", "-"), "burst_seconds": f.get("burst_seconds", "-"),
        "logon_types": join([LOGON_TYPES.get(t, str(t)) for t in f.get("logon_types", [])], lang),
        "hosts": join(f.get("hosts"), lang), "hosts_count": f.get("hosts_count", "-"), "who": f.get("who", "-"),
        "night": f.get("night", "-"), "channel": f.get("channel", "-"), "days": f.get("days", "-"),
        "accounts_count": f.get("accounts_count", "-"), "source": f.get("source") or "-",
        "guess_count": f"{f.get('guess_count', 0):,}", "success_count": f.get("success_count", "-"),
        "success_first": local_time(f.get("success_first"), tz),
    }
    if "wrong_password" in f:
        out["names_note"] = _names_note(f, hit.count, lang)
    if "how" in f and isinstance(f["how"], tuple):
        kind, n = f["how"]
        out["how"] = ({"explicit": f"明示的な資格情報の使用 (4648) が {n} 個のアカウントにそれぞれ多数回",
                       "failed": "ログオン失敗 (4625/4771)"} if lang == "ja" else
                      {"explicit": f"explicit-credential logons (4648), {n} accounts used many times each",
                       "failed": "failed logons (4625/4771)"})[kind]
    if "tools" in rule.correlate.get("classify", ""):
        out["tools"] = join(_tool_names(f, lists), lang, empty=Text("不審なプログラム", "a suspicious program"))
    if rule.id == "rdp-logon":
        out["allow_note"] = _allow_note(f, lang)
    if rule.id == "log-coverage":
        out["notes"] = _coverage_notes(f, lang)
    return out


def _names_note(f: dict[str, Any], count: int, lang: str) -> str:
    real, guess = f["wrong_password"], f["unknown_user"]
    if lang == "en":
        parts = []
        if real:
            parts.append(f"{real:,} with a real account name and a wrong password (SubStatus 0xC000006A: guessing)")
        if guess:
            parts.append(f"{guess:,} with account names that do not exist (0xC0000064: enumeration)")
        return ("Of these, " + "; ".join(parts) + ".") if parts else ""
    parts = []
    if real:
        parts.append(f"{real:,} 回は実在するアカウントへのパスワード間違い（SubStatus 0xC000006A：パスワード推測）")
    if guess:
        parts.append(f"{guess:,} 回は存在しないアカウント名（0xC0000064：アカウント名の探索）")
    return ("うち " + "、".join(parts) + "。") if parts else ""


def _allow_note(f: dict[str, Any], lang: str) -> str:
    if f.get("allowed") is False:
        return "許可リストにない組み合わせです。" if lang == "ja" else "This combination is NOT in the allowlist."
    if f.get("allowed"):
        return "許可リストにある組み合わせです。" if lang == "ja" else "This combination is in the allowlist."
    if f.get("rare"):
        return "このサーバーではまれな組み合わせです。" if lang == "ja" else "A rare combination on this server."
    return ""


def _coverage_notes(f: dict[str, Any], lang: str) -> str:
    notes = []
    if f["short"]:
        notes.append(f"調査に必要な {f['min_days']} 日分に足りません。" if lang == "ja"
                     else f"Shorter than the {f['min_days']} days an investigation needs.")
    if f["largest_gap_hours"] >= f["gap_hours"]:
        notes.append(f"最大 {f['largest_gap_hours']} 時間の記録の空白があります。" if lang == "ja"
                     else f"Largest gap between events: {f['largest_gap_hours']} hours.")
    if f["file_kb"] is not None and f["file_kb"] < f["recommended_kb"] and f["short"]:
        notes.append(f"ファイルは {f['file_kb']:,} KB です（推奨 {f['recommended_kb']:,} KB 以上）。" if lang == "ja"
                     else f"The file is {f['file_kb']:,} KB (recommended: at least {f['recommended_kb']:,} KB).")
    return " ".join(notes)


def _tool_names(f: dict[str, Any], lists: dict[str, Any]) -> list[str]:
    text = " ".join(f.get("whats", []) + f.get("services", []) + f.get("commands", [])).lower()
    return [t["name"] for t in lists["_tools"] if any(m.lower() in text for m in t["match"])]


def _phase(rule: Rule, hit: Hit) -> str:
    """The rule's attack-chain phase, unless every matched selection names its own (`_phase`)."""
    own = {rule.label(s).get("_phase") for s in hit.sels}
    return str(own.pop()) if len(own) == 1 and None not in own else rule.phase


def to_finding(rule: Rule, hit: Hit, tz: str, lists: dict[str, Any]) -> Finding:
    ja = _local_facts(rule, hit, tz, "ja", lists)
    en = _local_facts(rule, hit, tz, "en", lists)
    facts = {k: v for k, v in hit.facts.items() if k not in ("whats",) and v not in (None, [], "")}
    if rule.id == "attack-tool":
        facts["tools"] = _tool_names(hit.facts, lists)
    if rule.id == "rdp-outbound":
        facts["destinations"] = hit.facts.get("targets", [])
    return Finding(
        rule=rule.id, severity=hit.severity if hit.severity is not None else rule.severity, host=hit.host,
        first_seen=hit.first, last_seen=hit.last, count=hit.count,
        title=rule.title, summary=Text(render(rule.summary.ja, ja), english_plurals(render(rule.summary.en, en))),
        advice=rule.advice,
        accounts=hit.accounts, sources=hit.sources, evidence=hit.evidence, evidence_total=hit.evidence_total,
        seed=rule.seed, phase=_phase(rule, hit), facts=facts,
    )


def worst(findings: list[Finding]) -> Severity:
    return max((f.severity for f in findings), default=Severity.INFO)
