"""The one message catalog: every user-facing label of every output, in Japanese and English.

Keys are namespaced by the output that shows them (`report.`, `terminal.`, `audit.`, `passwords.`, `severity.`,
`phase.`, `fact.`, `inventory.`, `checklist.`, `syslog.`, `incident.`); each value is a (ja, en) pair.
The one rule for a missing key (`message`): a key not in the catalog shows as its own last part (a rule's phase
or a fact name shown as given); a `{field}` the values lack shows as '-' (textfmt.MISSING), never an error.
"""

from __future__ import annotations

from typing import Any

from ..story import PHASE_TEXT
from ..textfmt import fill

CATALOG: dict[str, tuple[str, str]] = {
    "report.title": ("WardWatch ログ調査レポート", "WardWatch log investigation report"),
    "report.generated_at": ("作成日時", "Generated at"),
    "report.timezone": ("表示の時間帯", "Time zone shown"),
    "report.inputs_n": ("読み込んだファイル", "Files read"),
    "report.events_n": ("イベント数", "Events"),
    "report.hosts_n": ("コンピューター数", "Computers"),
    "report.contents": ("目次", "Contents"),
    "report.sev_counts": ("重要度ごとの件数", "Findings by severity"),
    "report.verdict_critical": (
        "侵入の可能性が高い攻撃が見つかりました",
        "An attack that has probably got in was found",
    ),
    "report.verdict_high": (
        "すぐに確認が必要な攻撃の兆候が見つかりました",
        "Signs of an attack that need checking now were found",
    ),
    "report.verdict_medium": ("確認をおすすめする点が見つかりました", "Some points should be checked"),
    "report.verdict_low": (
        "重大な問題は見つかりませんでした（小さな注意点があります）",
        "No serious problem was found (a few minor points)",
    ),
    "report.verdict_none": ("重大な問題は見つかりませんでした", "No serious problem was found"),
    "report.verdict_sub_bad": (
        "下の「インシデント」と「今すぐやること」から読んでください。",
        'Start with the incidents and their "do this now" steps below.',
    ),
    "report.verdict_sub_ok": (
        "ただし、調べられたのは渡されたログの範囲だけです。",
        "This only covers the logs that were given.",
    ),
    "report.caveat_short": (
        "ログの期間が{days}日未満のものがあります。古い攻撃は記録から消えている可能性があります。",
        "Some logs cover less than {days} days. Older attack traces may already be gone.",
    ),
    "report.caveat_skipped": (
        "読めなかったファイルがあります（「読み込んだファイル」を参照）。",
        'Some files could not be read (see "Files read").',
    ),
    "report.missing_log": ("{log} のログがありません（{hosts}）: {why}。", "No {log} log ({hosts}): {why}."),
    "report.all_hosts": ("全ホスト", "all hosts"),
    "report.cannot_judge": ("判定不能", "cannot judge"),
    "report.caveat_failed": (
        "処理できなかった部分があります（{parts}）。結果はそれ以外の部分からのものです。",
        "Some parts failed ({parts}); the results come from the rest.",
    ),
    "report.caveat_no_events": (
        "イベントを1件も読めませんでした。判定できません。",
        "No events could be read, so nothing can be judged.",
    ),
    "report.incidents": ("インシデント（関連する検知のまとまり）", "Incidents (related findings joined up)"),
    "report.no_incidents": ("インシデントはありません。", "No incidents."),
    "report.incident": ("インシデント", "Incident"),
    "report.hosts": ("コンピューター", "Computers"),
    "report.period": ("期間", "Period"),
    "report.phases": ("攻撃の段階", "Attack stages"),
    "report.what_happened": ("何が起きたか", "What happened"),
    "report.actions": ("今すぐやること", "Do this now"),
    "report.its_findings": ("このインシデントの検知", "Findings in this incident"),
    "report.timeline": ("攻撃のタイムライン", "Attack timeline"),
    "report.timeline_note": (
        "横一列が1台のコンピューターです。印にマウスを重ねると内容が出ます。",
        "Each row is one computer. Hover over a mark to see what it is.",
    ),
    "report.timeline_table": ("表で見る", "Show as a table"),
    "report.no_time": ("時刻不明", "No time"),
    "report.no_timeline": ("時刻のある検知はありません。", "No findings with times."),
    "report.findings": ("検知の一覧", "All findings"),
    "report.no_findings": ("検知はありません。", "No findings."),
    "report.filter": ("絞り込み", "Filter"),
    "report.filter_text": ("文字で絞り込み", "Filter by text"),
    "report.rule": ("ルール", "Rule"),
    "report.host": ("コンピューター", "Computer"),
    "report.unknown_host": ("（不明）", "(unknown)"),
    "report.severity": ("重要度", "Severity"),
    "report.what_to_do": ("対処", "What to do"),
    "report.count": ("件数", "Count"),
    "report.first": ("最初", "First"),
    "report.last": ("最後", "Last"),
    "report.duration": ("続いた時間", "Duration"),
    "report.accounts": ("アカウント", "Accounts"),
    "report.sources": ("接続元", "Sources"),
    "report.phase": ("攻撃の段階", "Attack stage"),
    "report.seed": ("参考事例", "Reference"),
    "report.tech_detail": ("技術的な詳細", "Technical detail"),
    "report.facts": ("数値など", "Figures"),
    "report.item": ("項目", "Item"),
    "report.value": ("値", "Value"),
    "report.evidence": ("根拠のイベント", "Evidence events"),
    "report.file": ("ファイル", "File"),
    "report.record_id": ("レコード番号", "Record ID"),
    "report.more": ("… ほか {n} 件", "… and {n} more"),
    "report.rdp": ("リモートデスクトップ（RDP）の接続", "Remote Desktop (RDP) connections"),
    "report.rdp_in": ("このコンピューターへの接続（受信）", "Connections into a computer (incoming)"),
    "report.rdp_out": ("このコンピューターからの接続（送信）", "Connections from a computer (outgoing)"),
    "report.server": ("接続先サーバー", "Server"),
    "report.client": ("接続したコンピューター", "Client computer"),
    "report.destinations": ("接続先", "Destinations"),
    "report.no_rdp": ("RDP の接続記録はありません。", "No RDP connections recorded."),
    "report.coverage": ("ログの期間（記録が残っている範囲）", "Log coverage (what the logs still hold)"),
    "report.network": ("ネットワーク（セグメント間の通信）", "Network (traffic between segments)"),
    "report.network_note": (
        "ファイアウォール・ルーターの syslog に記録された、セグメント間の通信の数です。濃いほど多く、電子カルテ（EHR）などへの想定外の通信がないかを確認してください。",
        "Connections between segments seen in the firewall and router syslog; darker means more. Look for traffic into the clinical segments that nobody expects.",
    ),
    "report.matrix_caption": (
        "送信元セグメント（縦）→ 宛先セグメント（横）",
        "From segment (rows) → to segment (columns)",
    ),
    "report.not_seen": ("起きなかったこと（通信がまったくない組み合わせ）", "What did not happen (no traffic at all)"),
    "report.not_seen_note": (
        "この期間、次のセグメント間では危険なポートの通信が一度もありません。被害の範囲を絞り込む手がかりになります（研修資料 002）。",
        "In this period there was no traffic at all on these dangerous ports between these segments: this narrows down how far an attack can have spread (seed 002).",
    ),
    "report.all_quiet": ("通信なし（すべてのポート）", "no traffic on any watched port"),
    "report.coverage_note": (
        "{days}日未満のログは短すぎます。ログの最大サイズを大きくしてください。",
        "Logs covering less than {days} days are too short. Increase the maximum log size.",
    ),
    "report.channel": ("ログの種類", "Log"),
    "report.days": ("日数", "Days"),
    "report.events": ("イベント数", "Events"),
    "report.largest_gap": ("最大の空白", "Largest gap"),
    "report.too_short": ("短すぎます", "too short"),
    "report.no_coverage": ("ログの期間の情報はありません。", "No coverage data."),
    "report.inputs": ("読み込んだファイル", "Files read"),
    "report.path": ("パス", "Path"),
    "report.size": ("サイズ", "Size"),
    "report.format": ("形式", "Format"),
    "report.errors": ("問題", "Problems"),
    "report.skipped": ("読めませんでした（スキップ）", "Could not be read (skipped)"),
    "report.no_inputs": ("ファイルはありません。", "No files."),
    "report.footer_readonly": (
        "入力ファイルは読み取っただけで、変更・削除は一切していません。",
        "The input files were only read; nothing was changed or deleted.",
    ),
    "report.footer_hash": (
        "SHA-256 は読み込んだ時点のファイルの指紋です。証拠の保全に使えます。",
        "SHA-256 is each file's fingerprint when read; use it to preserve evidence.",
    ),
    "report.scan_seconds": ("処理時間", "Scan time"),
    "report.seconds": ("{n} 秒", "{n} s"),
    "severity.critical": ("重大", "critical"),
    "severity.high": ("高", "high"),
    "severity.medium": ("中", "medium"),
    "severity.low": ("低", "low"),
    "severity.info": ("情報", "info"),
    **{f"phase.{name}": (text.ja, text.en) for name, text in PHASE_TEXT.items()},  # the story's own names
    "phase.noise": ("設定の不具合", "Misconfiguration"),
    "phase.health": ("ログの状態", "Log health"),
    "phase.other": ("その他", "Other"),
    "fact.failures": ("失敗回数", "Failures"),
    "fact.successes": ("成功回数", "Successes"),
    "fact.rate_per_min": ("1分あたりの回数", "Per minute"),
    "fact.duration_s": ("続いた秒数", "Duration (s)"),
    "fact.logon_type": ("ログオンの種類", "Logon type"),
    "fact.event_ids": ("イベントID", "Event IDs"),
    "fact.tool": ("ツール", "Tool"),
    "fact.path": ("パス", "Path"),
    "fact.service": ("サービス", "Service"),
    "fact.destinations": ("接続先", "Destinations"),
    "syslog.summary": (
        "{events} 行を読みました（形式が分からない行 {unknown}）。検知 {n} 件 → {path}",
        "{events} line(s), {unknown} not recognised, {n} finding(s) → {path}",
    ),
    "syslog.not_seen": (
        "何もなかったこと / What did not happen (no traffic at all in the window):",
        "What did not happen (no traffic at all in the window):",
    ),
    "syslog.all_quiet": ("危険なポートの通信なし", "no traffic on any dangerous port"),
    "syslog.none_on": ("通信なし ", "none on "),
    "syslog.failed": ("{stage} が失敗しました（{message}）。{path} を見てください", "{stage} failed ({message}); see {path}"),
    "inventory.title": ("WardWatch 台帳点検 — {name}", "WardWatch 台帳点検 — {name}"),
    "inventory.flow_matrix": (
        "セグメント間通信マトリクス / flow matrix",
        "セグメント間通信マトリクス / flow matrix",
    ),  # one text for both languages: the page is bilingual
    "inventory.matrix_note": (
        "行: 送信元、列: 宛先 / rows: from, columns: to.",
        "行: 送信元、列: 宛先 / rows: from, columns: to.",
    ),  # one text for both languages: the page is bilingual
    "inventory.findings": (
        "指摘 / findings ({n})",
        "指摘 / findings ({n})",
    ),  # one text for both languages: the page is bilingual
    "inventory.no_findings": (
        "指摘なし / no findings",
        "指摘なし / no findings",
    ),  # one text for both languages: the page is bilingual
    "inventory.severity": ("重要度", "重要度"),
    "inventory.rule": ("ルール", "ルール"),
    "inventory.host": ("ホスト", "ホスト"),
    "inventory.finding": ("指摘", "指摘"),
    "inventory.summary": ("内容", "内容"),
    "inventory.seed": ("研修資料", "研修資料"),
    "checklist.facility": ("医療機関名: {facility}", "医療機関名: {facility}"),
    "checklist.number": ("番号", "No."),
    "checklist.item": ("項目", "Item"),
    "checklist.device": ("対象", "Applies to"),
    "checklist.answer": ("回答（根拠）", "Answer (from)"),
    "checklist.unanswered": ("未回答", "unanswered"),
    "checklist.conflict": ("食い違い（自動判定と回答が違います）", "conflict (the evidence and the answer differ)"),
    "terminal.title": ("WardWatch スキャン結果", "WardWatch scan result"),
    "terminal.counts": ("{events} 件のイベント / {files} ファイル / {hosts} 台", "{events} events / {files} files / {hosts} hosts"),
    "terminal.reading": ("読み込み中", "reading"),
    "terminal.reading_n": ("読み込み中: {n} 件", "reading: {n} events"),
    "terminal.phase_detect": ("検知ルールを実行中", "running detections"),
    "terminal.phase_report": ("レポート作成中", "writing reports"),
    "terminal.left": ("残り {time}", "{time} left"),
    "terminal.events": ("件のイベント", "events"),
    "terminal.files": ("ファイル", "files"),
    "terminal.hosts": ("台", "hosts"),
    "terminal.incident": ("インシデント", "Incident"),
    "terminal.do_now": ("今すぐやること", "What to do now"),
    "terminal.findings": (
        "主な検知（重大度「低」以上の {shown} 件のうち {n} 件。全部で {total} 件）",
        "Main findings ({n} of the {shown} of severity low or above; {total} in all)",
    ),
    "terminal.count": ("件数", "Count"),
    "terminal.when": ("最初", "First seen"),
    "terminal.sev": ("重大度", "Severity"),
    "terminal.rule": ("検知", "Rule"),
    "terminal.host": ("ホスト", "Host"),
    "terminal.what": ("内容", "What"),
    "terminal.skipped": ("読めなかった入力", "Inputs that could not be read"),
    "terminal.out": ("結果の保存先", "Results saved in"),
    "terminal.more": ("ほか {n} 件はレポートを見てください", "{n} more in the report"),
    "terminal.more_incidents": (
        "ほか {n} 件のインシデントはレポートを見てください",
        "{n} more incidents in the report",
    ),
    "terminal.more_findings": ("ほか {n} 件の検知はレポートを見てください", "{n} more findings in the report"),
    "terminal.missing": ("足りないログ", "Logs that are missing"),
    "terminal.on_hosts": ("（{hosts} で）", " (on {hosts})"),
    "terminal.failed": (
        "処理できなかった部分（結果は残りの部分から）",
        "Parts that failed (the results come from the rest)",
    ),
    "list.rule": ("ルール", "Rule"),
    "list.severity": ("重大度", "Severity"),
    "list.scope": ("対象", "Scope"),
    "list.severity_phase": ("重大度 / 段階", "Severity / phase"),
    "list.title_seed": ("内容 / 研修資料", "Title / source"),
    "rules.rule": ("ルール（ID・ファイル）", "Rule (id, file)"),
    "rules.level": ("レベル", "Level"),
    "rules.runs": ("実行", "Runs"),
    "rules.yes": ("可", "yes"),
    "rules.no": ("不可", "no"),
    "rules.reason": ("実行できない理由", "Why it will not run"),
    "rules.count": ("件数", "Rules"),
    "rules.reasons": ("理由ごとの件数", "Rules per reason"),
    "rules.n_rules": ("{n} 件", "{n} rules"),
    "rules.summary": (
        "{n} 件のルールのうち {ok} 件は実行でき、{bad} 件は実行できません。",
        "{ok} of {n} rules will run; {bad} will not.",
    ),
    "vuln.summary": (
        "外部接続などの機器 {checked} 台を {feeds} 個のフィード（{advisories} 件）と照合し、{hosts} 台のサポート期限を"
        "調べました。検知 {n} 件。",
        "{checked} exposed device(s) against {advisories} advisories from {feeds} feed(s); {hosts} host(s) for end of "
        "support; {n} finding(s).",
    ),
    "vuln.no_feed": (
        "脆弱性フィードが指定されていないため、脆弱性の照合はしていません（--feed）。",
        "No vulnerability feed given (--feed): only end of support was checked.",
    ),
    "web.baseline": (
        "{out} を作りました: {files} ファイル。鍵は {keyfile} です（サイトとは別の場所に保管してください）。",
        "wrote {out}: {files} files; key in {keyfile} (keep it apart from the site).",
    ),
    "web.outside": (
        "外部の {n} 個のホストからスクリプトや iframe を読み込んでいます（今後は既知として扱います）: {hosts}",
        "Pages load scripts or frames from {n} outside host(s), trusted from now on: {hosts}",
    ),
    "web.summary": (
        "{files} ファイルを調べました: 追加 {added}、変更 {changed}、削除 {removed}。検知 {n} 件。",
        "{files} files checked: {added} added, {changed} changed, {removed} removed; {n} finding(s).",
    ),
    "web.unreadable": ("{path}: 読めません（{why}）。{what}", "{path}: cannot be read ({why}); {what}"),
    "web.not_in_baseline": ("基準に含めていません", "not in the baseline"),
    "web.not_checked": ("調べていません", "not checked"),
    "audit.title": ("WardWatch 設定点検レポート", "WardWatch configuration audit"),
    "audit.hosts": ("ホスト", "Hosts"),
    "audit.score": ("点数", "Score"),
    "audit.passed": ("合格", "Passed"),
    "audit.failed": ("不合格", "Failed"),
    "audit.nc": ("未収集", "Not collected"),
    "audit.na": ("対象外", "N/A"),
    "audit.collected": ("収集日時", "Collected"),
    "audit.os": ("OS", "OS"),
    "audit.check": ("点検項目", "Check"),
    "audit.matrix": ("点検項目 × ホスト", "Checks × hosts"),
    "audit.fleet": ("ホストをまたぐ点検", "Checks across hosts"),
    "audit.findings": ("見つかった問題", "Problems found"),
    "audit.inputs": ("読み込んだファイル", "Files read"),
    "audit.none": ("問題は見つかりませんでした。", "No problem was found."),
    "audit.seen": ("見たこと", "Seen"),
    "audit.recommended": ("推奨", "Recommended"),
    "audit.fix": ("直し方（コマンド）", "Fix (command)"),
    "audit.gpo": ("GPO", "GPO"),
    "audit.seed": ("出典", "Source"),
    "audit.accounts": ("アカウント", "Accounts"),
    "audit.evidence": ("根拠のファイル", "Evidence files"),
    "audit.problems": ("読めなかった・足りない部分", "Unreadable or missing parts"),
    "audit.out": ("結果の保存先", "Results saved in"),
    "audit.legend": (
        "✓ 合格\u3000✗ 不合格\u3000? 未収集（合格扱いにしない）\u3000– 対象外",
        "✓ pass   ✗ fail   ? not collected (never counted as a pass)   – not applicable",
    ),
    "audit.severity": ("重大度", "Severity"),
    "audit.generated": ("作成日時", "Generated"),
    "audit.worst": ("不合格の多い点検", "Checks failing most"),
    "audit.more": ("ほか {n} 件はレポートを見てください", "{n} more in the report"),
    "audit.tz": ("表示の時間帯", "Time zone"),
    "audit.score_note": (
        "点数は重大度で重み付けした合格の割合（未収集の項目は含めません）。",
        "The score is the severity-weighted share of checks passed (checks not collected are left out).",
    ),
    "audit.logs": ("ログの調査（wardwatch scan）", "Event logs (wardwatch scan)"),
    "audit.logs_note": (
        "一緒に渡されたイベントログの調査結果です。詳しくは",
        "The event logs given with the bundles were scanned. Details:",
    ),
    "audit.logs_counts": (
        "イベント {events} 件、検知 {findings} 件、インシデント {incidents} 件",
        "{events} events, {findings} findings, {incidents} incidents",
    ),
    "passwords.title": ("WardWatch パスワード点検", "WardWatch password audit"),
    "passwords.accounts": ("アカウント", "accounts"),
    "passwords.files": ("ファイル", "files"),
    "passwords.none": ("弱いパスワードや使い回しは見つかりませんでした。", "No weak or shared password was found."),
    "passwords.sev": ("重大度", "Severity"),
    "passwords.what": ("内容", "What"),
    "passwords.who": ("アカウント", "Accounts"),
    "passwords.skipped": ("読めなかった行・ファイル", "Lines or files that could not be read"),
    "passwords.out": ("結果の保存先", "Results saved in"),
    "incident.title": ('インシデント対応記録', 'Incident record'),
    "incident.verified": ('記録と証拠は改ざんされていません（検査済み）', 'Journal and evidence verified unchanged'),
    "incident.not_verified": ('記録または証拠の検査で問題が見つかりました', 'Verification found problems in the journal or evidence'),
    "incident.steps": ('対応手順', 'Response steps'),
    "incident.open": ('未回答', 'open'),
    "incident.timeline": ('時系列（記録と検知）', 'Timeline (journal and detections)'),
    "incident.evidence": ('証拠（保全したファイル）', 'Evidence kept'),
    "incident.contacts": ('連絡先', 'Contacts'),
    "incident.drafts": ('届出の下書き', 'Report drafts'),
    "incident.mhlw": ('厚生労働省への第一報', 'First report to MHLW'),
    "incident.ppc": ('個人情報保護委員会への速報', 'Preliminary report to the PPC'),
    "incident.time": ('日時', 'Time'),
    "incident.by": ('記録者', 'By'),
    "incident.what": ('内容', 'What'),
    "incident.file": ('ファイル', 'File'),
    "incident.size": ('サイズ', 'Size'),
    "incident.source": ('元の場所', 'Source'),
    "incident.answer": ('回答', 'Answer'),
    "incident.step": ('手順', 'Step'),
    "incident.phase": ('段階', 'Phase'),
    "incident.role": ('役割', 'Role'),
    "incident.name": ('名前', 'Name'),
    "incident.phone": ('電話', 'Phone'),
    "incident.opened": ('開始', 'Opened'),
    "incident.scan": ('WardWatch の検知', 'WardWatch detection'),
    "incident.note": ('メモ', 'Note'),
    "incident.fill": ('（記入してください）', '(to be filled in)'),
}


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


def messages(lang: str, namespace: str) -> dict[str, str]:
    """Every message of one namespace in one language, keys without the namespace (for a template or a writer)."""
    prefix = namespace + "."
    return {key[len(prefix) :]: _pick(pair, lang) for key, pair in CATALOG.items() if key.startswith(prefix)}
