"""The one verdict of a scan, computed once from the findings and from what was read; every output shows it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .model import Finding, Incident, InputFile, Severity, Text
from .textfmt import iso_local

BREACH, ATTENTION, CLEAR, CANNOT_JUDGE = "breach", "attention", "clear", "cannot_judge"
LEVELS = (BREACH, ATTENTION, CLEAR, CANNOT_JUDGE)

# The logs the built-in rules read, and what is lost without them (seed 002: the logs to analyse after an attack).
# Each entry: label, the channels that count (lowercase, any one is enough), what cannot be judged without it.
KEY_LOGS: list[tuple[str, tuple[str, ...], Text]] = [
    ("Security", ("security",),
     Text("ログオンの分析（パスワード推測・不正ログオン・水平展開）ができません",
          "no logon analysis (password guessing, break-in, lateral movement)")),
    ("System", ("system",),
     Text("サービスの登録（PsExec など）とログの消去（104）を確認できません",
          "service installs (PsExec and the like) and log clearing (104) cannot be checked")),
    ("Application", ("application",),
     Text("ツールのインストール（MsiInstaller）を確認できません",
          "tool installs (MsiInstaller) cannot be checked")),
    ("TerminalServices", ("microsoft-windows-terminalservices-localsessionmanager/operational",
                          "microsoft-windows-terminalservices-remoteconnectionmanager/operational"),
     Text("RDP 接続の一覧が不完全です（TerminalServices のログがありません）",
          "the RDP inventory is incomplete (no TerminalServices logs)")),
]
TITLE = {
    BREACH: Text("侵入された可能性が高い攻撃が見つかりました。すぐに対応してください。",
                 "An attack that probably got in was found. Act now."),
    ATTENTION: Text("確認が必要な記録が見つかりました。", "Something in the logs needs a look."),
    CLEAR: Text("読み込んだログの範囲では、攻撃の兆候は見つかりませんでした。",
                "No sign of an attack in what was read."),
    CANNOT_JUDGE: Text("判定できません。", "Cannot judge."),
}
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
SEVERITY = {BREACH: Severity.CRITICAL, CLEAR: Severity.INFO, CANNOT_JUDGE: Severity.LOW}


@dataclass
class LogSeen:
    """What the store holds for one host and log: events and their first and last time (UTC)."""

    host: str
    channel: str
    events: int
    first: datetime | None
    last: datetime | None


@dataclass
class Verdict:
    """The verdict: its level, the sentence people read, and what it rests on (what was and was not read)."""

    level: str
    severity: Severity  # the colour it is shown in
    title: Text
    detail: Text
    read: dict[str, Any]
    not_read: dict[str, Any]
    missing: list[tuple[str, Text, list[str]]] = field(default_factory=list)  # (log, why, hosts without it)


def decide(findings: list[Finding], incidents: list[Incident], inputs: list[InputFile], logs: list[LogSeen],
           network_lines: int, tz: str) -> Verdict:
    """The level from the findings; 'cannot judge' when nothing (or nothing the rules read) was read."""
    events = sum(x.events for x in logs)
    worst = max([f.severity for f in findings] + [i.severity for i in incidents], default=Severity.INFO)
    missing = _missing(logs)
    useful = network_lines > 0 or any(_key(x.channel) for x in logs)
    if worst >= Severity.CRITICAL:
        level = BREACH
    elif worst >= Severity.MEDIUM:
        level = ATTENTION
    elif not useful:
        level = CANNOT_JUDGE
    else:
        level = CLEAR
    read = _read(logs, inputs, network_lines, tz)
    not_read = {"files": sum(1 for i in inputs if any(e.skipped_file for e in i.errors))}
    return Verdict(level, SEVERITY.get(level, worst), TITLE[level], _detail(level, read, events, inputs, incidents),
                   read, not_read, missing)


def _key(channel: str) -> bool:
    return any(channel.lower() in chans for _, chans, _ in KEY_LOGS)


def _missing(logs: list[LogSeen]) -> list[tuple[str, Text, list[str]]]:
    """The key logs absent for some host that has Windows events (hosts listed when others have the log)."""
    hosts: dict[str, set[str]] = {}
    for x in logs:
        hosts.setdefault(x.host, set()).add(x.channel.lower())
    if not hosts:
        return []
    out = []
    for log, chans, why in KEY_LOGS:
        lacking = sorted(h for h, seen in hosts.items() if not seen & set(chans))
        if lacking:
            out.append((log, why, lacking if len(lacking) < len(hosts) else []))
    return out


def _read(logs: list[LogSeen], inputs: list[InputFile], network_lines: int, tz: str) -> dict[str, Any]:
    # a damaged record's time can be anything: the span counts times from 1990 up to a day from now
    now = datetime.now(UTC)
    times = [t for x in logs for t in (x.first, x.last) if t is not None and EARLIEST <= t <= now + timedelta(days=1)]
    first, last = (min(times), max(times)) if times else (None, None)
    return {"events": sum(x.events for x in logs), "files": sum(1 for i in inputs if i.events),
            "hosts": sorted({x.host for x in logs if x.host}), "logs": sorted({x.channel for x in logs if x.channel}),
            "first": iso_local(first, tz) if first else None, "last": iso_local(last, tz) if last else None,
            "days": round((last - first).total_seconds() / 86400, 1) if first and last else 0.0,
            "network_lines": network_lines}


def _detail(level: str, read: dict[str, Any], events: int, inputs: list[InputFile], incidents: list[Incident]) -> Text:
    """One sentence on what the verdict rests on."""
    if level == CANNOT_JUDGE:
        if not inputs:
            return Text("入力ファイルがありません。", "There was no input file.")
        if not events and not read["network_lines"]:
            return Text("イベントを1件も読めませんでした（読めなかった入力を確認してください）。",
                        "Not a single event could be read (see the inputs that could not be read).")
        return Text("読めたログに、判定に使うログ（Security・System・Application・TerminalServices・"
                    "ネットワーク機器の syslog）がありません。",
                    "None of the logs read is one the rules use (Security, System, Application, "
                    "TerminalServices, network syslog).")
    hosts, logs, days = len(read["hosts"]), len(read["logs"]), read["days"]
    ja, en = [], []
    if events:
        ja.append(f"{events:,} 件のイベント（ホスト {hosts} 台、ログ {logs} 種類、{days:,.1f} 日分）")
        en.append(f"{_n(events, 'event')} ({_n(hosts, 'host')}, {_n(logs, 'log')}, {days:,.1f} days)")
    if read["network_lines"]:
        ja.append(f"ネットワーク機器のログ {read['network_lines']:,} 行")
        en.append(f"{_n(read['network_lines'], 'network log line')}")
    text = Text("読み込んだもの: " + "、".join(ja) + "。", "Read: " + ", ".join(en) + ".")
    if level in (BREACH, ATTENTION):
        where = Text("下の「インシデント」と「今すぐやること」から読んでください。",
                     "Start with the incidents and what to do now below.") if incidents else \
            Text("下の検知の一覧を確認してください。", "See the findings below.")
        text = Text(where.ja + text.ja, where.en + " " + text.en)
    return text


def _n(count: int, noun: str) -> str:
    """'1 event', '2 events': English plurals."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def verdict_dict(v: Verdict, lang: str, problems: int) -> dict[str, Any]:
    """The `verdict` object of findings.json; problems: every read problem and failed part of the scan."""
    missing = [{"log": log, "why": why.get(lang), "hosts": hosts} for log, why, hosts in v.missing]
    return {"level": v.level, "label": v.title.get(lang), "text": v.detail.get(lang), "read": v.read,
            "not_read": {**v.not_read, "problems": problems, "missing_logs": missing}}
