"""Report UI labels in Japanese and English, plus time, duration and number formatting."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from wardwatch.model import Severity
from wardwatch.story import PHASE_TEXT

# key -> (ja, en)
_LABELS: dict[str, tuple[str, str]] = {
    "title": ("WardWatch ログ調査レポート", "WardWatch log investigation report"),
    "generated_at": ("作成日時", "Generated at"),
    "timezone": ("表示の時間帯", "Time zone shown"),
    "inputs_n": ("読み込んだファイル", "Files read"),
    "events_n": ("イベント数", "Events"),
    "hosts_n": ("コンピューター数", "Computers"),
    "contents": ("目次", "Contents"),
    "sev_counts": ("重要度ごとの件数", "Findings by severity"),
    "verdict_critical": ("侵入の可能性が高い攻撃が見つかりました",
                         "An attack that has probably got in was found"),
    "verdict_high": ("すぐに確認が必要な攻撃の兆候が見つかりました",
                     "Signs of an attack that need checking now were found"),
    "verdict_medium": ("確認をおすすめする点が見つかりました",
                       "Some points should be checked"),
    "verdict_low": ("重大な問題は見つかりませんでした（小さな注意点があります）",
                    "No serious problem was found (a few minor points)"),
    "verdict_none": ("重大な問題は見つかりませんでした", "No serious problem was found"),
    "verdict_sub_bad": ("下の「インシデント」と「今すぐやること」から読んでください。",
                        "Start with the incidents and their \"do this now\" steps below."),
    "verdict_sub_ok": ("ただし、調べられたのは渡されたログの範囲だけです。",
                       "This only covers the logs that were given."),
    "caveat_short": ("ログの期間が7日未満のものがあります。古い攻撃は記録から消えている可能性があります。",
                     "Some logs cover less than 7 days. Older attack traces may already be gone."),
    "caveat_skipped": ("読めなかったファイルがあります（「読み込んだファイル」を参照）。",
                       "Some files could not be read (see \"Files read\")."),
    "missing_log": ("{log} のログがありません（{hosts}）: {why}。", "No {log} log ({hosts}): {why}."),
    "all_hosts": ("全ホスト", "all hosts"),
    "cannot_judge": ("判定不能", "cannot judge"),
    "caveat_failed": ("処理できなかった部分があります（{parts}）。結果はそれ以外の部分からのものです。",
                      "Some parts failed ({parts}); the results come from the rest."),
    "caveat_no_events": ("イベントを1件も読めませんでした。判定できません。",
                         "No events could be read, so nothing can be judged."),
    "incidents": ("インシデント（関連する検知のまとまり）", "Incidents (related findings joined up)"),
    "no_incidents": ("インシデントはありません。", "No incidents."),
    "incident": ("インシデント", "Incident"),
    "hosts": ("コンピューター", "Computers"),
    "period": ("期間", "Period"),
    "phases": ("攻撃の段階", "Attack stages"),
    "what_happened": ("何が起きたか", "What happened"),
    "actions": ("今すぐやること", "Do this now"),
    "its_findings": ("このインシデントの検知", "Findings in this incident"),
    "timeline": ("攻撃のタイムライン", "Attack timeline"),
    "timeline_note": ("横一列が1台のコンピューターです。印にマウスを重ねると内容が出ます。",
                      "Each row is one computer. Hover over a mark to see what it is."),
    "timeline_table": ("表で見る", "Show as a table"),
    "no_time": ("時刻不明", "No time"),
    "no_timeline": ("時刻のある検知はありません。", "No findings with times."),
    "findings": ("検知の一覧", "All findings"),
    "no_findings": ("検知はありません。", "No findings."),
    "filter": ("絞り込み", "Filter"),
    "filter_text": ("文字で絞り込み", "Filter by text"),
    "rule": ("ルール", "Rule"),
    "host": ("コンピューター", "Computer"),
    "unknown_host": ("（不明）", "(unknown)"),
    "severity": ("重要度", "Severity"),
    "what_to_do": ("対処", "What to do"),
    "count": ("件数", "Count"),
    "first": ("最初", "First"),
    "last": ("最後", "Last"),
    "duration": ("続いた時間", "Duration"),
    "accounts": ("アカウント", "Accounts"),
    "sources": ("接続元", "Sources"),
    "phase": ("攻撃の段階", "Attack stage"),
    "seed": ("参考事例", "Reference"),
    "tech_detail": ("技術的な詳細", "Technical detail"),
    "facts": ("数値など", "Figures"),
    "item": ("項目", "Item"),
    "value": ("値", "Value"),
    "evidence": ("根拠のイベント", "Evidence events"),
    "file": ("ファイル", "File"),
    "record_id": ("レコード番号", "Record ID"),
    "more": ("… ほか {n} 件", "… and {n} more"),
    "rdp": ("リモートデスクトップ（RDP）の接続", "Remote Desktop (RDP) connections"),
    "rdp_in": ("このコンピューターへの接続（受信）", "Connections into a computer (incoming)"),
    "rdp_out": ("このコンピューターからの接続（送信）", "Connections from a computer (outgoing)"),
    "server": ("接続先サーバー", "Server"),
    "client": ("接続したコンピューター", "Client computer"),
    "destinations": ("接続先", "Destinations"),
    "no_rdp": ("RDP の接続記録はありません。", "No RDP connections recorded."),
    "coverage": ("ログの期間（記録が残っている範囲）", "Log coverage (what the logs still hold)"),
    "network": ("ネットワーク（セグメント間の通信）", "Network (traffic between segments)"),
    "network_note": ("ファイアウォール・ルーターの syslog に記録された、セグメント間の通信の数です。濃いほど多く、"
                     "電子カルテ（EHR）などへの想定外の通信がないかを確認してください。",
                     "Connections between segments seen in the firewall and router syslog; darker means more. "
                     "Look for traffic into the clinical segments that nobody expects."),
    "matrix_caption": ("送信元セグメント（縦）→ 宛先セグメント（横）", "From segment (rows) → to segment (columns)"),
    "not_seen": ("起きなかったこと（通信がまったくない組み合わせ）", "What did not happen (no traffic at all)"),
    "not_seen_note": ("この期間、次のセグメント間では危険なポートの通信が一度もありません。被害の範囲を絞り込む手がかりになります（研修資料 002）。",
                      "In this period there was no traffic at all on these dangerous ports between these segments: "
                      "this narrows down how far an attack can have spread (seed 002)."),
    "all_quiet": ("通信なし（すべてのポート）", "no traffic on any watched port"),
    "coverage_note": ("7日未満のログは短すぎます。ログの最大サイズを大きくしてください。",
                      "Logs covering less than 7 days are too short. Increase the maximum log size."),
    "channel": ("ログの種類", "Log"),
    "days": ("日数", "Days"),
    "events": ("イベント数", "Events"),
    "largest_gap": ("最大の空白", "Largest gap"),
    "too_short": ("短すぎます", "too short"),
    "no_coverage": ("ログの期間の情報はありません。", "No coverage data."),
    "inputs": ("読み込んだファイル", "Files read"),
    "path": ("パス", "Path"),
    "size": ("サイズ", "Size"),
    "format": ("形式", "Format"),
    "errors": ("問題", "Problems"),
    "skipped": ("読めませんでした（スキップ）", "Could not be read (skipped)"),
    "no_inputs": ("ファイルはありません。", "No files."),
    "footer_readonly": ("入力ファイルは読み取っただけで、変更・削除は一切していません。",
                        "The input files were only read; nothing was changed or deleted."),
    "footer_hash": ("SHA-256 は読み込んだ時点のファイルの指紋です。証拠の保全に使えます。",
                    "SHA-256 is each file's fingerprint when read; use it to preserve evidence."),
    "scan_seconds": ("処理時間", "Scan time"),
    "seconds": ("{n} 秒", "{n} s"),
}

_SEVERITY: dict[Severity, tuple[str, str]] = {
    Severity.CRITICAL: ("重大", "critical"),
    Severity.HIGH: ("高", "high"),
    Severity.MEDIUM: ("中", "medium"),
    Severity.LOW: ("低", "low"),
    Severity.INFO: ("情報", "info"),
}

_PHASES: dict[str, tuple[str, str]] = {
    **{name: (text.ja, text.en) for name, text in PHASE_TEXT.items()},
    "noise": ("設定の不具合", "Misconfiguration"),
    "health": ("ログの状態", "Log health"),
    "other": ("その他", "Other"),
}

_FACTS: dict[str, tuple[str, str]] = {
    "failures": ("失敗回数", "Failures"),
    "successes": ("成功回数", "Successes"),
    "rate_per_min": ("1分あたりの回数", "Per minute"),
    "duration_s": ("続いた秒数", "Duration (s)"),
    "logon_type": ("ログオンの種類", "Logon type"),
    "event_ids": ("イベントID", "Event IDs"),
    "tool": ("ツール", "Tool"),
    "path": ("パス", "Path"),
    "service": ("サービス", "Service"),
    "destinations": ("接続先", "Destinations"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def label(key: str, lang: str, **kw: Any) -> str:
    """One UI label; unknown keys come back as the key itself."""
    pair = _LABELS.get(key)
    text = _pick(pair, lang) if pair else key
    return text.format(**kw) if kw else text


def labels(lang: str) -> dict[str, str]:
    """Every UI label for one language (for the template)."""
    return {key: _pick(pair, lang) for key, pair in _LABELS.items()}


def severity_label(sev: Severity, lang: str) -> str:
    """重大/高/中/低/情報 or critical/high/medium/low/info."""
    return _pick(_SEVERITY[Severity.parse(sev)], lang)


def phase_label(phase: str, lang: str) -> str:
    """A readable attack-stage name; unknown phases are shown as given."""
    pair = _PHASES.get(phase.strip().lower().replace("_", "-"))
    return _pick(pair, lang) if pair else phase


def fact_label(key: str, lang: str) -> str:
    """A readable name for a Finding.facts key; unknown keys are shown as given."""
    pair = _FACTS.get(key)
    return _pick(pair, lang) if pair else key


def zone_name(dt: datetime) -> str:
    """The zone's abbreviation (JST) or, where it has none, its offset (+09:00)."""
    abbr = dt.strftime("%Z")
    if abbr and abbr[0] not in "+-":
        return abbr
    return dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:]


def format_time(dt: datetime | None, tz: str, seconds: bool = True) -> str:
    """A UTC datetime shown in the report zone, always with the zone: 2022-10-31 04:07:14 JST."""
    if dt is None:
        return "—"
    local = dt.astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + zone_name(local)


def format_duration(seconds: float, lang: str) -> str:
    """A length of time in plain words: 5時間24分 / 5 h 24 min."""
    s = int(round(max(seconds, 0)))
    d, rest = divmod(s, 86400)
    h, rest = divmod(rest, 3600)
    m, sec = divmod(rest, 60)
    ja = lang != "en"
    if d:
        return f"{d:,}日{h}時間" if ja else f"{d:,} d {h} h"
    if h:
        return f"{h}時間{m}分" if ja else f"{h} h {m} min"
    if m:
        return f"{m}分{sec}秒" if ja else f"{m} min {sec} s"
    return f"{sec}秒" if ja else f"{sec} s"


def format_hours(hours: float, lang: str) -> str:
    """A gap given in hours, shown as a plain duration."""
    return format_duration(hours * 3600, lang)


def format_number(n: int | float) -> str:
    """1989 -> 1,989; floats to at most two decimals."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.2f}"
    return f"{int(n):,}"


def format_size(n: int) -> str:
    """A byte count in KB/MB/GB."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} B"
