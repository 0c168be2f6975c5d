"""Joins findings into incidents per host and across hosts, in attack-chain order, with a plain-language story."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .model import Finding, Incident, Severity, Text, finding_hosts
from .textfmt import english_plurals, local_time

# The attack chain of the seeds (OGMC): guessing → success → tools → ... → lateral movement → log clearing.
PHASES = ["guessing", "access", "tools", "defense-evasion", "persistence", "lateral", "impact", "cleanup"]
PHASE_TEXT = {
    "guessing": Text("パスワード推測", "password guessing"),
    "access": Text("ログオン（侵入）", "logon (entry)"),
    "tools": Text("攻撃ツール", "attack tools"),
    "defense-evasion": Text("防御の無効化", "defences switched off"),
    "persistence": Text("アカウント操作", "account changes"),
    "lateral": Text("水平展開", "lateral movement"),
    "impact": Text("バックアップ破壊", "backup destruction"),
    "cleanup": Text("痕跡の消去", "traces erased"),
}
GENERIC_SOURCES = {"127.0.0.1", "::1", "-", "", "LOCAL"}
# Sigma findings carry ATT&CK tactics as tags; these place them on the same chain.
TACTIC_PHASES = {
    "initial_access": "access", "credential_access": "tools", "execution": "tools", "discovery": "tools",
    "defense_evasion": "defense-evasion", "persistence": "persistence", "privilege_escalation": "persistence",
    "lateral_movement": "lateral", "impact": "impact",
}


def phase_of(f: Finding) -> str | None:
    """The attack-chain phase of a finding: its rule's, or for Sigma rules the first ATT&CK tactic tag."""
    if f.phase in PHASES:
        return f.phase
    for tag in f.facts.get("tags", []) or []:
        tactic = str(tag).lower().removeprefix("attack.").replace("-", "_")
        if tactic in TACTIC_PHASES:
            return TACTIC_PHASES[tactic]
    return None


def _hosts(f: Finding) -> list[str]:
    listed = f.facts.get("hosts")
    return [str(h) for h in listed] if isinstance(listed, (list, tuple)) and listed else finding_hosts(f)


def _close(a: Finding, b: Finding, gap: timedelta) -> bool:
    if a.first_seen is None or b.first_seen is None:
        return True
    a_last, b_last = a.last_seen or a.first_seen, b.last_seen or b.first_seen
    return a.first_seen - gap <= b_last and b.first_seen - gap <= a_last


def _linked(a: Finding, b: Finding, gap: timedelta) -> bool:
    if not _close(a, b, gap):
        return False
    if set(_hosts(a)) & set(_hosts(b)):
        return True
    shared = (set(a.sources) & set(b.sources)) - GENERIC_SOURCES
    return bool(shared)


def build_incidents(findings: list[Finding], tz: str, gap_hours: float = 24) -> list[Incident]:
    """Incidents from the findings that matter (medium and above, on the attack chain), worst first."""
    cands = [f for f in findings if phase_of(f) and f.severity >= (Severity.MEDIUM if f.phase in PHASES else Severity.HIGH)]
    gap = timedelta(hours=gap_hours)
    parent = list(range(len(cands)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(cands)):
        for j in range(i + 1, len(cands)):
            if root(i) != root(j) and _linked(cands[i], cands[j], gap):
                parent[root(j)] = root(i)
    groups: dict[int, list[Finding]] = {}
    for i, f in enumerate(cands):
        groups.setdefault(root(i), []).append(f)
    incidents = [_incident(fs, tz) for fs in groups.values()]
    incidents.sort(key=lambda inc: (-inc.severity, inc.first_seen.timestamp() if inc.first_seen else float("inf")))
    for n, inc in enumerate(incidents, start=1):
        inc.id = f"INC-{n:03d}"
    return incidents


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.first_seen is None, f.first_seen.timestamp() if f.first_seen else 0, PHASES.index(phase_of(f) or "guessing"))


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


def _narrative(findings: list[Finding], hosts: list[str], phases: list[str], first: datetime | None,
               last: datetime | None, tz: str, lang: str) -> str:
    chain = (" → " if lang == "en" else " → ").join(PHASE_TEXT[p].get(lang) for p in phases)
    host_list = ", ".join(hosts) if lang == "en" else "、".join(hosts)
    if lang == "en":
        lines = [f"From {local_time(first, tz)} to {local_time(last, tz)}, on {host_list}: {chain}."]
    else:
        lines = [f"{local_time(first, tz)} から {local_time(last, tz)} にかけて、{host_list} で「{chain}」が起きました。"]
    for f in findings[:10]:
        lines.append(f"{'- ' if lang == 'en' else '・'}{local_time(f.first_seen, tz)} {f.summary.get(lang)}")
    if len(findings) > 10:
        lines.append(english_plurals(f"… and {len(findings) - 10} more findings.") if lang == "en" else f"… ほか {len(findings) - 10} 件の検知。")
    if any(f.rule == "breach-after-guessing" for f in findings):
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
