"""Joins findings into incidents per host and across hosts, in attack-chain order, with a plain-language story."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from .checks.factspec import fact
from .checks.phase import CHAIN, Phase
from .checks.spec import has_tag, spec_for
from .model import Finding, Incident, Severity, Text, finding_hosts
from .textfmt import english_plurals, local_time

# The attack chain of the seeds (OGMC): guessing → success → tools → ... → lateral movement → log clearing.
PHASES: list[str] = [p.value for p in CHAIN]
PHASE_TEXT: dict[str, Text] = {
    Phase.GUESSING: Text("パスワード推測", "password guessing"),
    Phase.ACCESS: Text("ログオン（侵入）", "logon (entry)"),
    Phase.TOOLS: Text("攻撃ツール", "attack tools"),
    Phase.DEFENSE_EVASION: Text("防御の無効化", "defences switched off"),
    Phase.PERSISTENCE: Text("アカウント操作", "account changes"),
    Phase.LATERAL: Text("水平展開", "lateral movement"),
    Phase.EXFILTRATION: Text("外部への通信", "traffic to the outside"),
    Phase.IMPACT: Text("バックアップ破壊", "backup destruction"),
    Phase.CLEANUP: Text("痕跡の消去", "traces erased"),
}
GENERIC_SOURCES = {"127.0.0.1", "::1", "-", "", "LOCAL"}
# Sigma findings carry ATT&CK tags: what the rule's author thought the technique is, not what the events prove. A
# technique that names a phase of the chain places the finding there, a sub-technique before its parent (T1070
# "indicator removal" is 痕跡の消去 only as T1070.001, clearing Windows event logs, the chain's last step; clearing
# MRU keys or deleting files is the attacker's tooling); otherwise its tactic does (ATT&CK v18 names included:
# stealth, defense-impairment), where only tactics that prove the phase's meaning are mapped: persistence here means
# accounts made or changed (アカウント操作), defence evasion a defence switched off (防御の無効化). Other
# persistence (services, Run keys), privilege escalation, hiding and other evasion are the attacker's tooling;
# command-and-control alone does not show what left the hospital. Every phase a tag names must then be proven by the
# finding's events (_sigma_proven); the latest proven one is the finding's phase.
TECHNIQUE_PHASES: dict[str, Phase] = {
    "t1110": Phase.GUESSING, "t1136": Phase.PERSISTENCE, "t1098": Phase.PERSISTENCE, "t1562": Phase.DEFENSE_EVASION,
    "t1089": Phase.DEFENSE_EVASION, "t1021": Phase.LATERAL, "t1570": Phase.LATERAL, "t1041": Phase.EXFILTRATION,
    "t1048": Phase.EXFILTRATION, "t1567": Phase.EXFILTRATION, "t1490": Phase.IMPACT, "t1486": Phase.IMPACT,
    "t1485": Phase.IMPACT, "t1070.001": Phase.CLEANUP, "t1685.005": Phase.CLEANUP,  # v18: clear Windows event logs
}
TACTIC_PHASES: dict[str, Phase] = {
    "initial_access": Phase.ACCESS, "credential_access": Phase.TOOLS, "execution": Phase.TOOLS,
    "discovery": Phase.TOOLS, "reconnaissance": Phase.TOOLS, "collection": Phase.TOOLS,
    "privilege_escalation": Phase.TOOLS, "persistence": Phase.TOOLS, "stealth": Phase.TOOLS,
    "defense_evasion": Phase.TOOLS, "defense_impairment": Phase.TOOLS, "lateral_movement": Phase.LATERAL,
    "exfiltration": Phase.EXFILTRATION, "impact": Phase.IMPACT,
}


def _technique_phase(tag: str) -> Phase | None:
    """The phase a technique tag names: the sub-technique's own entry, else its parent's (t1021.002 → t1021)."""
    return (TECHNIQUE_PHASES.get(tag) or TECHNIQUE_PHASES.get(tag.split(".")[0])) if tag.startswith("t") else None


def _tag_phases(f: Finding) -> tuple[list[Phase], list[Phase]]:
    """The phases a Sigma finding's ATT&CK tags name: by its techniques, and by its tactics."""
    tags = [str(t).lower().removeprefix("attack.").replace("-", "_") for t in fact(f, "tags") or []]
    by_technique = [p for p in map(_technique_phase, tags) if p is not None]
    return by_technique, [TACTIC_PHASES[t] for t in tags if t in TACTIC_PHASES]


def _sigma_proven(f: Finding, phase: Phase) -> bool:
    """What a Sigma finding's events must show besides its tag (facts from sigma/proof.py), on top of _proven:
    exfiltration an address outside the machine the data could go to; backup destruction a command that WardWatch's
    own rule of that phase read as destroying (a read from a shadow copy destroys nothing)."""
    if phase is Phase.EXFILTRATION:
        return bool(set(f.sources) - GENERIC_SOURCES)
    if phase is Phase.IMPACT:
        return any((s := spec_for(r)) is not None and s.phase is Phase.IMPACT for r in fact(f, "also_found_by") or [])
    return True


def _tactic_phase(f: Finding) -> Phase | None:
    """A Sigma finding's phase from its ATT&CK tags: the latest on the chain among the techniques whose phase its
    events prove, else among its tactics whose phase they prove (tag order does not matter); None when its events
    prove none (the finding may still be told in an incident it is linked to, see build_incidents)."""
    for named in _tag_phases(f):
        proven = [p for p in named if _sigma_proven(f, p) and _proven(f, p)]
        if proven:
            return max(proven, key=CHAIN.index)
    return None


def _proven(f: Finding, phase: Phase) -> bool:
    """A phase is claimed only with its proof. An entry (logon): a success from somewhere other than the machine
    itself, found by a check that judges where a logon came from (a check tagged `account-use` only shows which
    account was used: a privileged account's logon is not by itself a break-in), or a success after guessing (tag
    `breach`). Lateral movement: events on more than one computer, or a success that came from another address.
    Attempts that all failed (fact `failures_only`) reached nothing: no entry, no lateral movement."""
    remote = bool(set(f.sources) - GENERIC_SOURCES) and not fact(f, "failures_only")
    if phase is Phase.ACCESS:
        return has_tag(f.rule, "breach") or (remote and not has_tag(f.rule, "account-use"))
    if phase is Phase.LATERAL:
        return remote or len(set(finding_hosts(f)) | set(map(str, fact(f, "hosts") or []))) > 1
    return True


def phase_of(f: Finding) -> Phase | None:
    """The attack-chain phase a finding proves: its rule's (or its Sigma rule's ATT&CK tags'), when its events
    prove it (see _proven, _sigma_proven); None otherwise."""
    if f.phase in PHASES:
        phase = Phase(f.phase)
        return phase if _proven(f, phase) else None
    return _tactic_phase(f) if fact(f, "tags") else None


def _claims(f: Finding) -> bool:
    """Whether a finding names a phase of the chain (its check's, or an ATT&CK tag's), proven or not."""
    return f.phase in PHASES or (bool(fact(f, "tags")) and any(_tag_phases(f)))


def _hosts(f: Finding) -> list[str]:
    listed = fact(f, "hosts")
    return [str(h) for h in listed] if isinstance(listed, (list, tuple)) and listed else finding_hosts(f)


def _close(a: Finding, b: Finding, gap: timedelta) -> bool:
    if a.first_seen is None or b.first_seen is None:
        return True
    a_last, b_last = a.last_seen or a.first_seen, b.last_seen or b.first_seen
    return a.first_seen - gap <= b_last and b.first_seen - gap <= a_last


def _link_hosts(f: Finding) -> set[str]:
    """The hosts a finding happened on. A check tagged `host-is-observer` names the device that logged the
    traffic (a firewall sees everything): its findings are linked by their addresses only."""
    return set() if has_tag(f.rule, "host-is-observer") else set(_hosts(f))


def _linked(a: Finding, b: Finding, gap: timedelta, where: dict[int, set[str]] | None = None) -> bool:
    if not _close(a, b, gap):
        return False
    a_hosts = where[id(a)] if where is not None else _link_hosts(a)
    b_hosts = where[id(b)] if where is not None else _link_hosts(b)
    if a_hosts & b_hosts:
        return True
    shared = (set(a.sources) & set(b.sources)) - GENERIC_SOURCES
    return bool(shared)


def _matters(f: Finding) -> bool:
    """Medium and above for the chain's own checks; high and above for Sigma rules (their levels are the authors')."""
    return f.severity >= (Severity.MEDIUM if f.phase in PHASES else Severity.HIGH)


def build_incidents(findings: list[Finding], tz: str, gap_hours: float = 24) -> list[Incident]:
    """Incidents from the findings that matter and prove a phase of the attack chain, worst first. A finding that
    names a phase its events do not prove starts no incident and adds no phase; it is told in the incident it is
    linked to (same host or source, close in time), if any."""
    cands = [f for f in findings if _matters(f) and phase_of(f)]
    gap = timedelta(hours=gap_hours)
    where = {id(f): _link_hosts(f) for f in cands}
    parent = list(range(len(cands)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(cands)):
        for j in range(i + 1, len(cands)):
            if root(i) != root(j) and _linked(cands[i], cands[j], gap, where):
                parent[root(j)] = root(i)
    groups: dict[int, list[Finding]] = {}
    for i, f in enumerate(cands):
        groups.setdefault(root(i), []).append(f)
    parts = [part for fs in groups.values() for part in _split(fs, gap)]
    for f in findings:
        if _matters(f) and _claims(f) and not phase_of(f):
            part = next((p for p in parts if any(_linked(f, g, gap) for g in p)), None)
            if part is not None:
                part.append(f)
    order = {id(f): n for n, f in enumerate(findings)}  # ties in the story keep the checks' order
    incidents = [_incident(sorted(part, key=lambda f: order[id(f)]), tz) for part in parts]
    incidents.sort(key=lambda inc: (-inc.severity, inc.first_seen.timestamp() if inc.first_seen else float("inf")))
    for n, inc in enumerate(incidents, start=1):
        inc.id = f"INC-{n:03d}"
    return incidents


def _split(findings: list[Finding], gap: timedelta) -> list[list[Finding]]:
    """An incident ends where nothing happens for longer than the gap: in time order, a finding that starts more
    than the gap after everything before it has ended begins a new incident."""
    timed = sorted((f for f in findings if f.first_seen), key=lambda f: f.first_seen)  # type: ignore[arg-type,return-value]
    parts: list[list[Finding]] = []
    end: datetime | None = None
    for f in timed:
        assert f.first_seen is not None
        if end is None or f.first_seen - end > gap:
            parts.append([])
        parts[-1].append(f)
        f_end = f.last_seen or f.first_seen
        end = f_end if end is None or f_end > end else end
    untimed = [f for f in findings if not f.first_seen]
    if untimed:
        if not parts:
            parts.append([])
        parts[-1].extend(untimed)
    return parts


def _same_events(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """Findings that describe the same events (same host, span, count and first event: one burst of failures or
    one logon seen by several rules) told once: the first, with the others beside it."""
    out: list[tuple[Finding, list[Finding]]] = []
    seen: dict[tuple[object, ...], int] = {}
    for f in findings:
        key = (f.host, f.first_seen, f.last_seen, f.count, f.evidence[0] if f.evidence else None)
        if f.evidence and key in seen:
            out[seen[key]][1].append(f)
            continue
        seen[key] = len(out)
        out.append((f, []))
    return out


def _key(f: Finding) -> tuple[bool, float, int]:
    """In time order; at the same time, in chain order (a finding told without a proven phase by its check's)."""
    phase = phase_of(f) or (f.phase if f.phase in PHASES else Phase.GUESSING)
    return (f.first_seen is None, f.first_seen.timestamp() if f.first_seen else 0, PHASES.index(phase))


def _incident(findings: list[Finding], tz: str) -> Incident:
    findings = sorted(findings, key=_key)
    hosts = sorted({h for f in findings for h in _hosts(f)})
    phases = [p for p in PHASES if any(phase_of(f) == p for f in findings)]
    severity = max(f.severity for f in findings)
    if len(phases) >= 3 and {"access", "tools", "lateral", "impact"} & set(phases):
        severity = Severity.CRITICAL
    firsts = [f.first_seen for f in findings if f.first_seen]
    lasts = [f.last_seen or f.first_seen for f in findings if f.first_seen]
    first, last = (min(firsts) if firsts else None), (max(lasts) if lasts else None)
    return Incident(id="", severity=severity, hosts=hosts, first_seen=first, last_seen=last, phases=phases,
                    narrative=Text(_narrative(findings, hosts, phases, first, last, tz, "ja"),
                                   _narrative(findings, hosts, phases, first, last, tz, "en")),
                    actions=_actions(severity, phases), findings=findings)


BULLET = ("・", "- ")  # how the narrative starts each event line: (ja, en)
# an event line read back: its bullet, then local_time's '2022-10-31 04:07:14 JST' (or '-' when it has no time)
_EVENT_LINE = re.compile(r"^(?:・|- )(?:(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+)|-) (.*)$", re.S)


def narrative_parts(text: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """An incident's narrative (as _narrative writes it) read back into its lead sentence, its events (local time,
    or '' when none, and the finding's text) and its closing lines (findings left out, the conclusion): a page
    shows the events as a list and the closing lines after it."""
    lines = text.splitlines()
    events: list[tuple[str, str]] = []
    closing: list[str] = []
    for line in lines[1:]:
        if not closing and line.startswith(BULLET):
            m = _EVENT_LINE.match(line)
            events.append((m.group(1) or "", m.group(2)) if m else ("", line.removeprefix(BULLET[0])
                                                                    .removeprefix(BULLET[1])))
        else:
            closing.append(line)
    return (lines[0] if lines else ""), events, closing


def _narrative(findings: list[Finding], hosts: list[str], phases: list[str], first: datetime | None,
               last: datetime | None, tz: str, lang: str) -> str:
    chain = (" → " if lang == "en" else " → ").join(PHASE_TEXT[p].get(lang) for p in phases)
    host_list = ", ".join(hosts) if lang == "en" else "、".join(hosts)
    if lang == "en":
        where = f", on {host_list}" if hosts else ""  # network findings are linked by address, not by a host
        lines = [f"From {local_time(first, tz)} to {local_time(last, tz)}{where}: {chain}."]
    else:
        where = f"{host_list} で" if hosts else ""
        lines = [f"{local_time(first, tz)} から {local_time(last, tz)} にかけて、{where}「{chain}」が起きました。"]
    told = _same_events(findings)
    for f, also in told[:10]:
        line = f"{BULLET[lang == 'en']}{local_time(f.first_seen, tz)} {f.summary.get(lang)}"
        if also:
            names = ", ".join(a.title.get(lang) for a in also) if lang == "en" else "、".join(a.title.get(lang) for a in also)
            line += f" (The same events: {names}.)" if lang == "en" else f"（同じ記録: {names}）"
        lines.append(line)
    if len(told) > 10:
        lines.append(english_plurals(f"… and {len(told) - 10} more findings.") if lang == "en" else f"… ほか {len(told) - 10} 件の検知。")
    if any(has_tag(f.rule, "breach") for f in findings):
        lines.append("Password guessing was followed by a logon: the attacker is probably inside." if lang == "en"
                     else "パスワード推測の後にログオンが成功しており、攻撃者がすでに中に入っている可能性が高いです。")
    return "\n".join(lines)


def _actions(severity: Severity, phases: list[str]) -> Text:
    ja: list[str] = []
    en: list[str] = []
    if severity >= Severity.HIGH:
        ja += ["該当するサーバー・端末の LAN ケーブルを抜く（またはパーソナルファイアウォールで RDP 3389 を遮断する）。",
               "電源は切らない・再起動しない（メモリ上の証拠が消えます）。",
               "セキュリティベンダー（または保守ベンダー）に連絡し、調査を依頼する。",
               "院内の責任者に報告し、厚生労働省・警察・医療 ISAC への連絡を相談する。"]
        en += ["Unplug the network cable of the servers/PCs involved (or block RDP 3389 in their personal firewall).",
               "Do not shut them down or restart them (evidence in memory would be lost).",
               "Call your security vendor (or system vendor) and ask for an investigation.",
               "Tell the hospital's management; agree on reporting to MHLW, the police and the Medical ISAC."]
    else:
        ja += ["この時間に予定された作業があったかを、担当者と保守ベンダーに確認する。"]
        en += ["Ask staff and vendors whether this was planned work."]
    if "impact" in phases:
        ja.append("バックアップ装置をネットワークから切り離して守る。")
        en.append("Take the backup devices off the network to protect them.")
    if {"guessing", "access"} & set(phases):
        ja.append("関係するアカウントのパスワードを、安全な別の端末から変更する。")
        en.append("Change the passwords of the accounts involved, from a clean computer.")
    ja.append("ログとこのレポートを保全する（元のファイルは変更しない）。")
    en.append("Keep the logs and this report as evidence (do not change the original files).")
    return Text("\n".join(ja), "\n".join(en))


def follow_story(findings: list[Finding], incidents: list[Incident]) -> None:
    """RDP logons weighed as the story tells them: the logon that followed the guessing takes that finding's
    severity, a logon from an address an incident with an entry or lateral movement used is at least high; a
    logon on the allowlist (planned work) stays as its check said (the least)."""
    breaches = [f for f in findings if has_tag(f.rule, "breach")]
    for f in findings:
        if not has_tag(f.rule, "rdp-in") or fact(f, "allowed"):
            continue
        accounts, sources = {a.lower() for a in f.accounts}, set(f.sources) - GENERIC_SOURCES
        for b in breaches:
            if b.host == f.host and accounts & {a.lower() for a in b.accounts} and sources & set(b.sources):
                f.severity = max(f.severity, b.severity)
        for inc in incidents:
            moved = {Phase.ACCESS.value, Phase.LATERAL.value} & {str(p) for p in inc.phases}
            used = {s for g in inc.findings for s in g.sources}
            if moved and f.host in inc.hosts and sources & used and _during(f, inc):
                f.severity = max(f.severity, Severity.HIGH)


def _during(f: Finding, inc: Incident, slack: timedelta = timedelta(hours=1)) -> bool:
    if f.first_seen is None or inc.first_seen is None or inc.last_seen is None:
        return False
    return inc.first_seen - slack <= f.first_seen <= inc.last_seen + slack
