"""The one message catalog: every user-facing label of every output, in Japanese and English.

Keys are namespaced by the output that shows them (`report.`, `terminal.`, `audit.`, `passwords.`, `severity.`,
`phase.`, `fact.`, `inventory.`, `checklist.`, `syslog.`, `fix.`, `procure.`, `incident.`, `isac.`); each value is a
(ja, en) pair; a list (steps, columns) is one item a line (`lines`).
The one rule for a missing key (`message`): a key not in the catalog shows as its own last part (a rule's phase
or a fact name shown as given); a `{field}` the values lack shows as '-' (textfmt.MISSING), never an error.
"""

from __future__ import annotations

from typing import Any

from ..checks.factspec import meanings as fact_meanings
from ..model import Text
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
    "report.seed": ("研修の教訓", "From the training"),
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
    **{f"fact.{name}": (text.ja, text.en) for name, text in fact_meanings().items()},  # checks/facts.yml
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
    "inventory.title": ("台帳点検", "Inventory check"),
    "inventory.flow_matrix": ("セグメント間の通信（台帳で許可した通信）", "Traffic allowed between segments (inventory)"),
    "inventory.matrix_note": (
        "行が送信元、列が宛先のセグメントです。升目の数字は許可したポートです。",
        "Rows are the segments traffic comes from, columns where it goes; the numbers are the ports allowed.",
    ),
    "inventory.findings": ("指摘（{n} 件）", "Findings ({n})"),
    "inventory.no_findings": ("指摘はありません。", "No findings."),
    "inventory.severity": ("重要度", "Severity"),
    "inventory.rule": ("点検項目", "Check"),
    "inventory.host": ("機器", "Device"),
    "inventory.finding": ("指摘", "Finding"),
    "inventory.summary": ("内容と対処", "What and what to do"),
    "inventory.seed": ("研修の教訓", "From the training"),
    "inventory.accounts": ("アカウント", "Accounts"),
    "checklist.facility": ("医療機関名: {facility}", "Facility: {facility}"),
    "checklist.answer_from": ("回答（根拠）", "Answer (from)"),
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
    "audit.seed": ("研修の教訓", "From the training"),
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
    "passwords.intro": (
        "{files} ファイルの {accounts} アカウントのパスワードのハッシュを、攻撃者がよく試すパスワードと比べ、使い回しを"
        "調べました（ハッシュもパスワードもこのページには書きません）。",
        "The password hashes of {accounts} accounts in {files} file(s) were compared with the passwords attackers try "
        "first, and checked for reuse (neither hashes nor passwords are written on this page).",
    ),
    # the fix plan page (fix/html.py); how_steps: one step a line
    "fix.title": ("WardWatch 修正プラン", "WardWatch fix plan"),
    "fix.generated": ("作成日時", "Generated"),
    "fix.hosts": ("ホスト", "Hosts"),
    "fix.inputs": ("元にした点検結果", "Audit results used"),
    "fix.how": ("使い方", "How to use it"),
    "fix.how_steps": (
        "このページと各ホストのファイルを読み、リスクと調整事項を確認する（WardWatch 自身は何も変更しません）。\n"
        "対象のホストで管理者の PowerShell から .\\apply.ps1 を実行する（既定は WhatIf: 現在の値を保存し、何をするか表示するだけ）。\n"
        "内容を確認してから .\\apply.ps1 -Apply で変更する。変更前の値は backup-日時 フォルダーに保存され、undo.ps1 も置かれます。\n"
        "元に戻すには backup-日時\\undo.ps1 -Apply。\n"
        "ドメインでは、同じ設定をグループ ポリシーで配布する（下の GPO の表、gpo.csv）。AD のない PC は secpol.inf を secedit /configure で取り込む（000 Q&A 6, 8）。",
        "Read this page and each host's files; check the risks and what to coordinate (WardWatch changes nothing itself).\n"
        "On the host, run .\\apply.ps1 from an administrator PowerShell (default WhatIf: it saves the current values and shows what it would do).\n"
        "After review, run .\\apply.ps1 -Apply. The old values are saved in a backup-<time> folder, with undo.ps1.\n"
        "To go back: backup-<time>\\undo.ps1 -Apply.\n"
        "In a domain, deploy the same settings by Group Policy (the GPO table below, gpo.csv); PCs without AD import secpol.inf with secedit /configure (000 Q&A 6, 8).",
    ),
    "fix.change": ("変更", "Change"),
    "fix.fixes": ("直す点検項目", "Fixes"),
    "fix.now": ("現在", "Now"),
    "fix.new": ("変更後", "After"),
    "fix.lesson": ("研修の教訓", "Training lesson"),
    "fix.seed": ("出典", "Source"),
    "fix.risk": ("リスク", "Risk"),
    "fix.undo": ("戻し方", "Undo"),
    "fix.gpo": ("GPO", "GPO"),
    "fix.notes": ("先に調整すること", "Coordinate first"),
    "fix.not_fixed": ("このプランでは直さない項目（人の判断が必要）", "Not in this plan (needs a person's decision)"),
    "fix.predicted": ("モデルで適用した後の点検結果", "Audit result after the plan (model)"),
    "fix.files": ("ファイル", "Files"),
    "fix.empty": ("変更はありません（直せる不合格の点検項目がない）。", "No change (no failing check this plan can fix)."),
    "fix.gpo_table": ("ドメインの場合: グループポリシーの管理での設定", "In a domain: the settings in Group Policy Management"),
    "fix.gpo_hosts": ("対象", "Hosts"),
    "fix.value": ("値", "Value"),
    "fix.unknown": ("不明（束なし）", "unknown (no bundle)"),
    "fix.absent": ("なし", "none"),
    "fix.member": ("所属", "Membership"),
    "fix.domain": ("ドメイン参加", "Domain member"),
    "fix.workgroup": ("ワークグループ", "Workgroup"),
    "fix.port": ("新しい RDP ポート", "New RDP port"),
    "fix.fix_cmd": ("点検の推奨", "The check's advice"),
    "fix.yes": ("はい", "yes"),
    "fix.no": ("いいえ", "no"),
    "fix.pass": ("合格", "pass"),
    "fix.fail": ("不合格", "fail"),
    "fix.no_overwrite": ("上書きしない（満杯で記録停止）", "do not overwrite (stops when full)"),
    "fix.overwrite": ("必要に応じて上書き", "overwrite as needed"),
    # the procurement document (procure/render.py); about_lines, fields, cols: one item a line
    "procure.made": ("作成日", "Made"),
    "procure.by": ("作成", "By"),
    "procure.inputs": ("元にした結果", "Based on"),
    "procure.none_given": ("なし（全要件を出力）", "none (every clause)"),
    "procure.about": ("この文書について", "About this document"),
    "procure.about_lines": (
        "次の調達（システム更新・新規導入・保守契約の更新）の仕様書に入れるセキュリティ要件の記載例です。WardWatch の点検で見つかった不備をもとに選んでいます。\n"
        "研修資料にあるとおり、契約書や仕様書に書かれていないことは、事業者は基本的に対応しません。必要な要件は仕様書に書いてください。\n"
        "文言は自院の状況と事業者との協議にあわせて修正してください（WardWatch の clauses.yml をコピーして編集し --clauses で指定すると、次回から自院の文言で出力されます）。\n"
        "各要件の下の小さい字（見つかった不備・根拠・チェックリスト）は院内での説明用です。事業者へ送る仕様書からは削除してかまいません。\n"
        "別紙の事業者確認用チェックリストは、契約するすべての事業者に送付し、回答を求めてください。",
        "Example security clauses for the specification of the next procurement (a system renewal, a new system, a renewed maintenance contract), chosen from the gaps WardWatch found.\n"
        "As the MHLW training says, vendors do nothing that the contract or the specification does not say. Write what you need into the specification.\n"
        "Adapt the wording to the hospital and to what you agree with the vendor (copy WardWatch's clauses.yml, edit it and pass it with --clauses to get your own wording next time).\n"
        "The small type under each clause (gaps found, sources, checklist items) is for explaining it inside the hospital; delete it from the specification you send.\n"
        "Send the attached vendor checklist (事業者確認用) to every vendor you contract with and ask for answers.",
    ),
    "procure.requirements": ("セキュリティ要件", "Security requirements"),
    "procure.gap": ("見つかった不備", "Gap found"),
    "procure.no_gap": ("今回の結果に該当する不備はありません（すべての要件を出力）", "No gap in these results (all clauses were asked for)"),
    "procure.always": ("すべての調達に入れる要件です", "A clause for every procurement"),
    "procure.more": ("ほか {n} 件", "and {n} more"),
    "procure.seed": ("根拠", "Source"),
    "procure.checklist": ("チェックリスト", "Checklist"),
    "procure.sep": ("、", ", "),
    "procure.annex": ("別紙\u3000事業者確認用チェックリスト", "Attachment: the vendor's checklist (事業者確認用)"),
    "procure.annex_intro": (
        "厚生労働省「医療機関におけるサイバーセキュリティ対策チェックリスト」（{version}）の事業者確認用の項目です。各項目の「はい」「いいえ」の欄に〇を付け、確認日を記入してください。「いいえ」の項目には目標日を記入してください。機器ごとの欄がある項目は、機器ごとに回答してください。",
        "The supplier items of the MHLW cybersecurity checklist ({version}). Mark yes or no for each item and write the date checked; for each no, a target date. Items with rows per device are answered per device.",
    ),
    "procure.annex_note": (
        "項目の文言は要約です。正式な様式は厚生労働省のチェックリスト（事業者確認用）を使用してください。",
        "Item texts are summaries (in Japanese, as on the MHLW form); use the official MHLW form (事業者確認用) for the answer.",
    ),
    "procure.fields": (
        "事業者名\n"
        "対象システム\n"
        "回答者（所属・氏名）\n"
        "回答日",
        "Vendor\n"
        "System\n"
        "Answered by (department, name)\n"
        "Date",
    ),
    "procure.cols": (
        "番号\n"
        "項目\n"
        "確認内容\n"
        "対象\n"
        "はい\n"
        "いいえ\n"
        "確認日\n"
        "目標日",
        "No.\n"
        "Item\n"
        "What is checked\n"
        "Scope\n"
        "Yes\n"
        "No\n"
        "Date checked\n"
        "Target date",
    ),
    "procure.version.R5": ("令和5年6月版", "June 2023 (R5)"),
    "procure.version.R6": ("令和6年度版", "FY2024 (R6)"),
    "procure.version.R7": ("令和7年度版", "FY2025 (R7)"),
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
    "incident.check": ("記録の検査", "integrity check"),
    "incident.phase.検知": ("検知", "Detect"),
    "incident.phase.初動": ("初動", "First response"),
    "incident.phase.復旧": ("復旧", "Recovery"),
    "incident.phase.事後": ("事後", "Afterwards"),
    "incident.hospital": ("医療機関", "Facility"),
    # --- the page frame of every HTML page (report/templates/page.html.j2) and the look of issue 14 ---
    "page.subject": ("対象", "Subject"),
    "page.facility": ("医療機関", "Facility"),
    "page.generated": ("実行日時", "Run on"),
    "page.language": ("言語", "Language"),
    "page.language_name": ("日本語", "English"),
    "page.contents": ("目次", "Contents"),
    "page.counts": ("重要度ごとの件数", "Findings by severity"),
    "page.cited": ("このページが引用した研修資料", "Training documents cited on this page"),
    "page.hosts": ("ホスト", "Hosts"),
    "page.verdict_urgent": ("すぐに対応が必要な問題が見つかりました", "Problems that need action now were found"),
    "page.same_lesson": ("（上と同じ）", "(as above)"),
    "report.nav_incidents": ("インシデント", "Incidents"),
    "report.nav_timeline": ("タイムライン", "Timeline"),
    "report.nav_findings": ("検知の一覧", "Findings"),
    "report.nav_rdp": ("RDP の接続", "RDP connections"),
    "report.nav_coverage": ("ログの期間", "Log coverage"),
    "report.nav_network": ("ネットワーク", "Network"),
    "report.nav_inputs": ("読み込んだファイル", "Files read"),
    "report.show_rest": ("残り {n} 件を表示", "Show the other {n}"),
    "report.read_on": ("続きを読む（残り {n} 行）", "Read on ({n} more lines)"),
    "report.more_incidents": ("ほかのインシデント（クリックで開く）", "Other incidents (click to open)"),
    "report.logs_in_table": (
        "ログの期間についての検知 {n} 件は、1 行ずつ表にまとめました:",
        "The {n} findings about how long the logs reach back are rows of one table:",
    ),
    "report.not_in_incident": ("インシデントに含まれない検知", "Findings outside any incident"),
    "report.log_size": ("ファイルの大きさ", "File size"),
    "report.below": ("推奨", "recommended"),
    "report.logs_flagged": ("短すぎる・小さすぎるログ", "Logs too short or too small"),
    "report.all_logs": ("すべてのログ", "All logs"),
    "report.inputs_flagged": ("問題のあったファイル", "Files with problems"),
    "report.all_inputs": ("すべてのファイル", "All files"),
    "report.clear": ("問題なし", "clear"),
    "audit.verdict_bad": ("設定の問題が見つかりました", "Configuration problems were found"),
    "audit.verdict_good": ("点検した設定に問題は見つかりませんでした", "No problem in the settings checked"),
    "audit.verdict_sub": (
        "「見つかった問題」に直し方（コマンドと GPO）があります。wardwatch fix plan で修正プランも作れます。",
        "Each problem below comes with its fix (command and GPO); wardwatch fix plan writes a plan.",
    ),
    "audit.result": ("結果", "Result"),
    "audit.host": ("ホスト", "Host"),
    "audit.what": ("内容", "What was found"),
    "audit.details": ("詳細（点検項目の ID、根拠）", "Details (check id, evidence)"),
    "audit.path": ("パス", "Path"),
    "audit.size": ("サイズ", "Size"),
    "inventory.size": ("規模", "Size"),
    "inventory.size.clinic": ("診療所", "clinic"),
    "inventory.size.small": ("中小規模の病院", "small hospital"),
    "inventory.size.large": ("大規模の病院", "large hospital"),
    "inventory.nav_flows": ("セグメント間の通信", "Traffic between segments"),
    "inventory.nav_findings": ("指摘", "Findings"),
    "inventory.from_to": ("送信元 ＼ 宛先", "from \\ to"),
    "inventory.level.danger": ("危険（要注意のポートを理由なく許可、または全許可）",
                               "danger (a watched port allowed with no reason given, or everything allowed)"),
    "inventory.level.watched": ("要注意のポート（理由あり）", "watched port (reason given)"),
    "inventory.level.ok": ("許可（問題なし）", "allowed (no concern)"),
    "inventory.level.none": ("通信なし", "no traffic allowed"),
    "inventory.verdict_bad": ("確認が必要な点が見つかりました", "Some points need checking"),
    "inventory.verdict_good": ("問題は見つかりませんでした", "No problem was found"),
    "checklist.title_en": ("医療機関におけるサイバーセキュリティ対策チェックリスト",
                           "MHLW cybersecurity checklist for medical institutions"),
    "checklist.form": ("様式", "Form (official Japanese)"),
    "checklist.answers": ("回答ごとの件数", "Answers"),
    "checklist.verdict": (
        "{rows} 行のうち はい {yes}・いいえ {no}・未回答 {open}",
        "{rows} rows: {yes} yes, {no} no, {open} unanswered",
    ),
    "checklist.verdict_sub": (
        "「自動判定（要確認）」は WardWatch が証拠から出した案です。担当者が確かめてから記入してください。",
        "“Automatic (to confirm)” answers are WardWatch's proposals from the evidence: a person confirms them.",
    ),
    "checklist.verdict.high": ("食い違いあり", "conflicts"),
    "checklist.verdict.medium": ("いいえ あり", "some answers are no"),
    "checklist.verdict.open": ("未回答あり", "unanswered rows"),
    "checklist.verdict.clear": ("すべて回答済み", "all answered"),
    "checklist.how": (
        "厚生労働省の様式の順に並べています。未回答の行は色を付けています。回答ファイル（--answers）に書くと埋まります。",
        "Rows follow the official form. Unanswered rows are tinted; write them in the answers file (--answers).",
    ),
    "checklist.number": ("番号", "No."),
    "checklist.item": ("確認項目", "Item (official wording)"),
    "checklist.device": ("対象機器", "Devices"),
    "checklist.answer": ("回答", "Answer"),
    "checklist.evidence": ("根拠・備考", "Evidence and notes"),
    "checklist.target": ("目標日", "Target date"),
    "checklist.unanswered_note": ("回答がなく、証拠からも判定できません。", "No answer, and the evidence cannot decide."),
    "checklist.target_missing": ("目標日が未記入", "no target date"),
    "checklist.answer.pass": ("はい", "Yes"),
    "checklist.answer.fail": ("いいえ", "No"),
    "checklist.answer.neutral": ("該当なし", "N/A"),
    "checklist.answer.open": ("未回答", "Unanswered"),
    "checklist.source.auto": ("自動判定（要確認）", "automatic (to confirm)"),
    "checklist.source.human": ("回答ファイル", "answers file"),
    "checklist.conflict_note": (
        "食い違い: 回答は「{human}」、証拠からの自動判定は「{auto}」です。",
        "Conflict: the answer is “{human}”, the evidence says “{auto}”.",
    ),
    "checklist.conflicts": ("食い違い", "conflicts"),
    "checklist.section.0": ("0 前提", "0 Scope"),
    "checklist.section.1": ("1 体制構築", "1 Organisation"),
    "checklist.section.2": ("2 医療情報システムの管理・運用", "2 Managing and running the medical information systems"),
    "checklist.section.3": ("3 インシデント発生に備えた対応", "3 Ready for an incident"),
    "checklist.section.9": ("規程類", "Rules and regulations"),
    "checklist.in_inventory": ("台帳の{name}", "Inventory, {name}"),
    "checklist.inventory.systems": ("医療情報システム", "medical information systems"),
    "checklist.inventory.hosts": ("機器", "devices"),
    "checklist.inventory.remote_access": ("リモート保守の経路", "remote maintenance paths"),
    "checklist.inventory.backups": ("バックアップ", "backups"),
    "checklist.inventory.people.safety_manager": ("医療情報システム安全管理責任者", "safety manager"),
    "checklist.inventory.people.contact_chart": ("連絡体制図", "contact chart"),
    "checklist.device.サーバ": ("サーバ", "Servers"),
    "checklist.device.端末PC": ("端末PC", "PCs"),
    "checklist.device.ネットワーク機器": ("ネットワーク機器", "Network devices"),
    "checklist.device.医療情報システム全般": ("医療情報システム全般", "All medical information systems"),
    "checklist.nothing_found": (
        "点検・スキャンの結果に該当する指摘なし",
        "no matching finding in the audit or scan results",
    ),
    "checklist.none": ("なし", "none"),
    "checklist.unregistered": ("未登録", "not registered"),
    "checklist.no_appointed": ("（任命日 appointed が台帳にないため「いいえ」）",
                               " (no appointment date, appointed, in the inventory: answered no)"),
    "checklist.no_manager": ("（責任者が台帳にないため「いいえ」）", " (no safety manager in the inventory: answered no)"),
    "checklist.ev.count": ("{where}: {n} 件", "{where}: {n}"),
    "checklist.ev.hosts": ("{where}: {n} 台、OS 未記入 {bare} 台", "{where}: {n}, {bare} without an operating system"),
    "checklist.ev.contact": ("{where}: 更新 {updated}、不足 {missing}", "{where}: updated {updated}; missing: {missing}"),
    "checklist.ev.mds": ("MDS/SDS 未受領: {missing}", "MDS/SDS not received: {missing}"),
    "checklist.ev.more": ("… 他 {n} 件", "… {n} more"),
    "checklist.contact.事業者": ("事業者", "suppliers"),
    "checklist.contact.厚労省": ("厚労省", "MHLW"),
    "checklist.contact.警察": ("警察", "police"),
    "checklist.finding.conflict": ("自動判定と回答が食い違う: {label}", "Automatic and human answers differ: {label}"),
    "checklist.finding.conflict_text": ("回答は「{human}」、証拠からの自動判定は「{auto}」: {evidence}",
                                        "Answered {human}, the evidence says {auto}: {evidence}"),
    "checklist.finding.open": ("未回答: {label}", "Not answered: {label}"),
    "checklist.finding.open_text": ("回答ファイルに回答がなく、自動判定もできません。",
                                    "No answer in the answers file and no evidence to decide."),
    "checklist.finding.no": ("「いいえ」: {label}", "Answered no: {label}"),
    "checklist.finding.advice": ("根拠資料: {hints}。「いいえ」の場合は目標日を記入してください。",
                                 "Evidence to keep: {hints}. Give a target date for each no."),
    # --- training references (report/seeds.py): each document's short name and title, the lessons quoted ---
    "seed.question": ("問{n}", "Q{n}"),
    "seed.point": ("検討ポイント{n}", "point {n}"),
    "seed.checklist": ("厚労省チェックリスト", "MHLW checklist"),
    "seed.checklist.title": (
        "医療機関におけるサイバーセキュリティ対策チェックリスト（厚生労働省）",
        "MHLW cybersecurity checklist for medical institutions",
    ),
    "seed.bcp": ("BCP 確認表", "BCP check sheet"),
    "seed.bcp.title": (
        "サイバー攻撃を想定した事業継続計画（BCP）確認表（厚生労働省）",
        "MHLW check sheet for a business continuity plan against cyber attacks",
    ),
    "seed.000.label": ("研修 Q&A 000", "Training Q&A 000"),
    "seed.000.title": (
        "医療情報セキュリティ研修 システム・セキュリティ管理者向け 第2回 Q&A（2023年2月）",
        "MHLW security training for system administrators, session 2: questions and answers (Feb 2023)",
    ),
    "seed.001.label": ("研修資料 001", "Training material 001"),
    "seed.001.title": (
        "医療情報セキュリティ研修 システム・セキュリティ管理者向け 第1回「IT環境における組織の管理」",
        "MHLW security training for system administrators, session 1: managing the IT environment",
    ),
    "seed.002.label": ("研修資料 002", "Training material 002"),
    "seed.002.title": (
        "医療情報セキュリティ研修 システム・セキュリティ管理者向け 第7回「インシデントに備える体制: ログの監視と保護、"
        "バックアップ、ネットワーク」（大阪急性期・総合医療センターの事案を含む）",
        "MHLW security training for system administrators, session 7: ready for an incident — watching and "
        "protecting logs, backups, network (with the Osaka General Medical Center case)",
    ),
    "seed.003.label": ("研修 Q&A 003", "Training Q&A 003"),
    "seed.003.title": (
        "医療情報セキュリティ研修 初学者・医療従事者向け 第4回 Q&A（2023年3月）",
        "MHLW security training for beginners and clinical staff, session 4: questions and answers (Mar 2023)",
    ),
    "seed.004.label": ("医療ISAC 手引き 004", "Medical ISAC guide 004"),
    "seed.004.title": (
        "医療ISAC「医療機関向けサイバー攻撃（情報窃取/ウェブ改ざん攻撃）対応検討の手引き」（2023年10月）",
        "Medical ISAC: guide to responding to data theft and web defacement attacks on medical institutions (Oct 2023)",
    ),
    "seed.000.q1": (
        "管理者権限を与えている組織がランサムウェアの被害にあっている。当面やむを得ないなら侵入点を洗い出して RDP や"
        "ネットワークを制限し、次の更新では管理者権限が不要なシステムを。",
        "The organisations hit by ransomware are those that give users administrator rights. If it cannot be avoided "
        "for now, find the ways in and restrict RDP and the network; at the next renewal, choose systems that need none.",
    ),
    "seed.000.q2": (
        "ビルトイン Administrator のパスワードは一台ごとにユニークにする（Microsoft の無償ツール LAPS）。",
        "Give the built-in Administrator a different password on every computer (Microsoft's free tool LAPS).",
    ),
    "seed.000.q4": (
        "PowerShell の実行ポリシーの資料は医療機関向けセキュリティ教育支援ポータルサイトで公開されている。",
        "The PowerShell execution-policy material is on the MHLW security training portal.",
    ),
    "seed.000.q5": (
        "脆弱性が指摘されている機器は確実にアップデートする（厚労省の「更なる強化策」）。",
        "Devices with known vulnerabilities must be updated without fail (MHLW's reinforced measures).",
    ),
    "seed.000.q6": (
        "グループポリシーの一斉変更は AD 参加のコンピューターが対象。ワークグループの PC はローカル グループポリシーを"
        "コピーし、アカウントポリシーは secedit で書き出して取り込む。",
        "Group Policy reaches computers joined to AD. Workgroup PCs get a copied local group policy; account policies "
        "are exported and imported with secedit.",
    ),
    "seed.000.q7": (
        "脆弱性情報を取得し、アップデートできる環境を用意する。難しいなら外部接続点を守ってから導入する。",
        "Get vulnerability information and be able to update; where updating is hard, protect the outside "
        "connections first.",
    ),
    "seed.000.q8": (
        "高額なセキュリティ機器がなくても、Windows の設定でできる対策は多い。",
        "Much can be done with Windows settings, without expensive security devices.",
    ),
    "seed.000.q9": (
        "管理者権限が前提のシステムも禁止ではなく厳重に保護する: そのネットワークでメールや Web を見ない、"
        "USB メモリを厳格に運用する。",
        "A system that needs administrator rights is not banned but guarded closely: no e-mail or web browsing on its "
        "network, strict rules for USB memory.",
    ),
    "seed.000.q11": (
        "半年前・1年前のパターンファイルでは有効性が低い。少なくとも週に数回は更新する。",
        "Signatures six months or a year old protect little: update at least a few times a week.",
    ),
    "seed.000.q12": (
        "医療機器に USB メモリを使うなら感染リスクがある。異なる2種類のウイルス対策ソフトでスキャンする。",
        "USB memory used with medical devices can carry infection: scan it with two different anti-virus products.",
    ),
    "seed.000.q13": (
        "リムーバブル ディスクの実行アクセス権を拒否すると、ソフト内蔵の暗号化 USB は動かない。"
        "パスワードボタン式や BitLocker の USB なら問題ない。",
        "Denying execute access on removable disks stops encrypted USB sticks that run their own software; sticks "
        "with a password button or BitLocker still work.",
    ),
    "seed.000.q14": (
        "USB の設定を変えられない医療機器は、USB コネクタを物理的に塞ぎ、通信はルーターと Firewall で特定のサーバー"
        "に限る。",
        "Where a medical device's USB cannot be restricted, block the port physically and let the router and firewall "
        "allow only specific servers.",
    ),
    "seed.000.q15": (
        "半田病院も大阪急性期も、バックアップソフトで取ったデータまで暗号化された。個々の PC ではシャドウコピー（VSS）"
        "が削除される。",
        "At Handa and Osaka the data saved by backup software was encrypted too; on each PC the shadow copies (VSS) "
        "are deleted.",
    ),
    "seed.000.q16": (
        "Administrator は「使えなくする」より「使わない」。使わないと決めれば、以後の Administrator のログオンは攻撃と"
        "みなせる。パスワードは20桁程度に。",
        "Do not use Administrator rather than disable it: once unused, any Administrator logon can be treated as an "
        "attack. Give it a password of about 20 characters.",
    ),
    "seed.000.q18": (
        "マガジンに入れたままのテープはマウントしていなくてもオフラインバックアップとはみなせない。世代管理や"
        "ライトワンスを検討する。",
        "Tapes left in the magazine are not offline backups even when unmounted: keep generations or use write-once "
        "media.",
    ),
    "seed.000.q20": (
        "部門システムまで含めた、オフラインやライトワンスのバックアップが重要（大阪急性期は全体の復旧に2か月）。",
        "Offline or write-once backups that include the departmental systems matter (Osaka took two months to "
        "recover everything).",
    ),
    "seed.000.q21": (
        "大阪急性期の復旧では、100社以上のすべてのベンダーにウイルス対策ソフトの導入を求め、実現した。",
        "In the Osaka recovery, all vendors (over 100) were required to allow anti-virus software, and it was done.",
    ),
    "seed.000.q22": (
        "自動ログインと管理者権限が前提の運用は安全ではない。VPN・リモート保守機器の脆弱性管理、USB の厳格な運用、"
        "HIS 系端末でメールや Web を見ないことを。",
        "Automatic logon with administrator rights is not safe: manage the VPN and remote-maintenance devices' "
        "vulnerabilities, control USB strictly, keep e-mail and the web off HIS terminals.",
    ),
    "seed.000.q25": (
        "まず外部接続機器の脆弱性管理。外部接続するベンダーには接続元 IP アドレスの制限を求め、初期侵入の総当たりに"
        "備えて RDP のロックアウトを設定する。",
        "Start with the vulnerabilities of devices that connect outside; require vendors to connect only from fixed "
        "addresses; set RDP lockout, because the first break-in is password guessing.",
    ),
    "seed.000.q26": (
        "ウイルス対策ソフトの除外設定は一般的だが、ファイル共有が除外に入るならメールや Web 閲覧を制限する。",
        "Excluding folders from scanning is common, but if file shares are excluded, restrict e-mail and web browsing.",
    ),
    "seed.000.q28": (
        "RDP の待ち受けポートを変えても全ポートの走査で見つかるが、初期侵入に手間取らせれば攻撃側のリスクが増え、"
        "撤退も期待できる。",
        "A changed RDP port can still be found by a full scan, but slowing the first break-in raises the attacker's "
        "risk and may make them give up.",
    ),
    "seed.000.q29": (
        "Administrator で動くシステムにウイルスが入ると大変危険。USB や共有の経路を限り、次の更改では「管理者権限が"
        "不要なこと」を仕様に。",
        "A virus in a system that runs as Administrator is very dangerous: limit USB and shares, and require \"no "
        "administrator rights needed\" at the next renewal.",
    ),
    "seed.000.q30": (
        "マクロ付きの Excel は行政の調査でも求められる（参加者の声）。",
        "Macro-enabled Excel files are asked for even by the authorities (a participant's remark).",
    ),
    "seed.000.q31": (
        "ロックアウトなどの認証強化は Default Domain Policy と Default Domain Controllers Policy に、Excel などアプリ"
        "の設定は Default Domain Policy に。",
        "Put lockout and other sign-in hardening in the Default Domain Policy and the Default Domain Controllers "
        "Policy; application settings such as Excel in the Default Domain Policy.",
    ),
    "seed.003.q2": (
        "届け出は厚労省へ。IPA への届け出は義務ではないが被害拡大・再発防止のために行われている。個人情報の漏えいは"
        "個人情報保護委員会の資料を確認する。",
        "Report to MHLW. A report to IPA is not required but is made to limit damage and prevent recurrence; for "
        "personal data leaks, follow the Personal Information Protection Commission's guidance.",
    ),
    "seed.004.p1": (
        "患者データを扱わない情報系の端末こそ外との接点が多く、リスクが高い。診療系以上の対策を。",
        "Office PCs that hold no patient data have the most contact with the outside: protect them more than the "
        "clinical ones.",
    ),
    "seed.004.p2": (
        "業務メールアドレスを外部のサイトに登録しない（そこから漏えいする）。",
        "Do not register work e-mail addresses on outside sites: leaks start there.",
    ),
    "seed.004.p3": (
        "被害端末をクリーンインストールしただけでは不十分。周辺の端末が許可していない外部と通信していないかも調べる。",
        "Reinstalling the damaged PC is not enough: check whether the PCs around it talk to outside addresses they "
        "should not.",
    ),
    "seed.004.p4": (
        "ウイルススキャンで異常がなくても、サポート詐欺などで入れられた遠隔操作ツールや、有効にしていないリモート"
        "機能がないか確認する。",
        "A clean virus scan is not enough: look for remote-control tools or remote features a support scam installed "
        "or turned on.",
    ),
    "seed.004.p5": (
        "改ざんされたウェブサイトは、スキャンで異常がなくてもそのまま使わず、すべてのファイルとプログラムを入れ直して"
        "再構築する。",
        "Do not reuse a defaced web site even if a scan finds nothing: rebuild it with every file and program "
        "reinstalled.",
    ),
    "seed.004.p6": (
        "情報漏えいの復旧費用は想定より高額になる。復旧費用も補うサイバー保険を検討する。",
        "Recovering from a data leak costs more than expected: consider cyber insurance that covers recovery.",
    ),
    "seed.004.p7": (
        "「感染した端末は急いでケーブルを抜いて、シャットダウンした」は陥りやすい落とし穴。被害端末の扱いが十分か"
        "（調べられる状態で残すか）を確かめる。",
        "\"We pulled the cable and shut the infected PC down in a hurry\" is a pitfall: make sure damaged PCs are "
        "kept so they can still be investigated.",
    ),
    "seed.004.p8": (
        "「とりあえず電カルの業者に連絡した」は落とし穴。影響範囲を正しく調べられるセキュリティ専門業者の目星を"
        "付けておく。",
        "\"We just called our EHR vendor\" is a pitfall: know beforehand a security firm that can find out what was "
        "affected.",
    ),
    # the scan report's timeline pictures (report/timechart.py): overview, zooms, coverage bands, axis breaks
    "report.tl_overview_note": (
        "横一列が1台のコンピューターです。印の形と色は重要度、印の下の細い帯はログが記録している期間です。"
        "検知のない長い期間は省いています（斜線の区切り）。",
        "Each row is one computer. A mark's shape and colour give its severity; the thin band under a row is the "
        "time its logs cover. Long stretches without findings are left out (the slanted break).",
    ),
    # on screen the marks explain themselves on hover; on paper the reader is sent to the incidents' tables
    "report.tl_hover": ("印にマウスを重ねると内容が出ます。", "Hover over a mark to see what it is."),
    "report.tl_paper": ("印の内容は、各インシデントの「このインシデントの検知」の表にあります。",
                        "What each mark is: see the table of findings under each incident."),
    "report.tl_overview_aria": (
        "攻撃のタイムライン（全体）: 検知のあるコンピューター {hosts} 台、検知 {findings} 件",
        "Attack timeline (overview): {hosts} computers with findings, {findings} findings",
    ),
    "report.tl_zooms": ("インシデントごとの拡大図", "Each incident, zoomed in"),
    "report.tl_zoom_note": (
        "インシデントの時間だけを拡大しています。行はコンピューターと攻撃の段階、色は段階、形は重要度です。"
        "近すぎて重なる印は1つにまとめ、件数を「×数」で示します。",
        "Each picture spans one incident's own time. Rows are computers and attack stages; the colour is the stage, "
        "the shape the severity. Marks too close to tell apart are joined, with their number (×n).",
    ),
    "report.tl_zoom_title": ("{id} の拡大図", "{id} zoomed in"),
    "report.tl_zoom_aria": (
        "{id} の拡大図: コンピューター {hosts} 台、検知 {findings} 件",
        "{id} zoomed in: {hosts} computers, {findings} findings",
    ),
    "report.tl_zoom_more": ("ほかのインシデント（{n} 件）の拡大図", "The other {n} incidents, zoomed in"),
    "report.tl_to_card": ("インシデントの説明へ", "To the incident"),
    "report.tl_coverage": ("ログが記録している期間", "Time the logs cover"),
    "report.tl_coverage_tip": ("{channel}: {first} – {last}（{events} 件）", "{channel}: {first} – {last} ({events} events)"),
    "report.tl_no_detection": ("検知なし", "no findings"),
    "report.tl_break": (
        "省いた期間（検知なし）: {span}（{first} – {last}）",
        "Left out (no findings): {span} ({first} – {last})",
    ),
    "report.tl_break_legend": ("検知のない期間を省略", "Stretch without findings left out"),
    "report.tl_times_in": ("時刻は {zone}（{tz}）で表示", "Times in {zone} ({tz})"),
    "report.tl_more_hosts": ("{host} ほか{n}台", "{host} and {n} more"),
    "report.tl_more_findings": ("… ほか {n} 件", "… and {n} more"),
    "report.tl_incident_tip": ("{id}（{sev}）: {first} – {last}", "{id} ({sev}): {first} – {last}"),
    "report.tl_incident_shade": ("インシデントの期間（クリックで拡大図へ）", "Incident time (click for its zoom)"),
    "report.tl_only_coverage": (
        "時刻のある検知はありません。帯はログが記録している期間です。",
        "No finding has a time; the bands are the time the logs cover.",
    ),
    # checklist.xlsx laid out as the MHLW form (hospital/xlsxform.py)
    "xlsx.sheet.0": ("医療機関確認用", "For the hospital"),
    "xlsx.sheet.1": ("事業者確認用", "For suppliers"),
    "xlsx.sheet.summary": ("集計", "Summary"),
    "xlsx.target.0": ("医療機関", "the hospital"),
    "xlsx.target.1": ("事業者", "each supplier"),
    "xlsx.title": ("{title}（{version}）{sheet}", "MHLW cyber security checklist ({version}): {sheet} — {title}"),
    "xlsx.facility": ("医療機関名: {facility}", "Hospital: {facility}"),
    "xlsx.supplier": (
        "医療機関名: {facility}　　事業者名: ＿＿＿＿＿＿＿＿　　システム名: ＿＿＿＿＿＿＿＿",
        "Hospital: {facility}    Supplier: ________________    System: ________________",
    ),
    "xlsx.how": (
        "「自動判定（要確認）」は WardWatch が証拠から出した案です。備考の根拠を確かめて確認結果を選び、確認日を記入してくだ"
        "さい（確認日が空の回答は黄色で示されます）。「いいえ」には目標日を記入してください。",
        "「自動判定（要確認）」 marks WardWatch's proposals from the evidence: check the evidence in the remarks, choose "
        "the answer and write the date you checked (answers without a date are shown in yellow). Give a target date "
        "for each いいえ (no).",
    ),
    "xlsx.blank": (
        "この様式は{target}が記入します（WardWatch は自動判定していません）。事業者ごとに1部ずつ送付してください。",
        "This sheet is for {target} to fill in (WardWatch proposes no answers here). Send one copy to each supplier.",
    ),
    "xlsx.legend": (
        "確認結果は「はい」「いいえ」から選びます。※要約: 公式様式の文言が確認できていない項目（要約で表示）。"
        "番号・文言は厚生労働省の最新の様式で確かめてください。",
        "Answers are はい (yes) or いいえ (no), as on the official form. ※要約: the official wording of this item was not "
        "confirmed (a summary is shown). Check numbers and wording against MHLW's current form.",
    ),
    "xlsx.group.first": ("1回目", "1st check"),
    "xlsx.group.second": ("2回目", "2nd check"),
    "xlsx.col.number": ("番号", "No."),
    "xlsx.col.item": ("確認項目", "Item"),
    "xlsx.col.device": ("対象機器", "Devices"),
    "xlsx.col.result1": ("確認結果", "Answer"),
    "xlsx.col.date1": ("確認日", "Date checked"),
    "xlsx.col.result2": ("確認結果", "Answer"),
    "xlsx.col.date2": ("確認日", "Date checked"),
    "xlsx.col.target": ("目標日\n（いいえの場合）", "Target date (if いいえ)"),
    "xlsx.col.remarks": ("備考", "Remarks"),
    "xlsx.section.0": ("0 医療情報システムの有無", "0 Whether a medical information system is used (医療情報システムの有無)"),
    "xlsx.section.1": ("1 体制構築", "1 Organisation (体制構築)"),
    "xlsx.section.2": ("2 医療情報システムの管理・運用", "2 Managing and running the systems (医療情報システムの管理・運用)"),
    "xlsx.section.3": ("3 インシデント発生に備えた対応", "3 Preparing for incidents (インシデント発生に備えた対応)"),
    "xlsx.section.x": ("その他（番号未確認の項目）", "Other (items whose number is unconfirmed)"),
    "xlsx.paraphrase": ("※要約", "※要約 (summary)"),
    "xlsx.auto": ("自動判定（要確認）", "自動判定（要確認） automatic proposal, to be confirmed"),
    "xlsx.evidence": ("根拠", "Evidence"),
    "xlsx.auto_was": ("自動判定は「{answer}」", "The automatic answer was {answer}"),
    "xlsx.conflict": (
        "【食い違い】回答「{human}」と自動判定「{auto}」が異なります",
        "[Conflict] answered {human}, the evidence says {auto}",
    ),
    "xlsx.hints": ("確認資料の例: {hints}", "Records to look at: {hints}"),
    "xlsx.na": ("該当なし（回答ファイル）", "Not applicable (answers file)"),
    "xlsx.no_target": ("※「いいえ」の目標日が未記入です", "* No target date is given for this いいえ (no)"),
    "xlsx.unconfirmed_wording": ("※文言は要約（公式様式の文言は未確認）", "* Wording not confirmed: a summary"),
    "xlsx.unconfirmed_number": ("※番号は{how}（公式様式で確認を）", "* Item number {how}: check the official form"),
    "xlsx.times": ("{text}（{n}件）", "{text} ({n} times)"),
    "xlsx.number.inferred": ("推定", "inferred"),
    "xlsx.number.unconfirmed": ("未確認", "unconfirmed"),
    "xlsx.choice_title": ("確認結果", "Answer"),
    "xlsx.choice_error": ("「はい」か「いいえ」を選んでください", "Choose はい (yes) or いいえ (no)"),
    "xlsx.choice_prompt": ("「はい」か「いいえ」を選びます", "Choose はい (yes) or いいえ (no)"),
    "xlsx.date_title": ("日付", "Date"),
    "xlsx.date_error": ("日付を入力してください（例: 2026-04-01）", "Enter a date (e.g. 2026-04-01)"),
    "xlsx.summary_title": ("チェックリスト集計", "Checklist summary"),
    "xlsx.summary_note": (
        "左の件数はファイル作成時の回答（1回目）です。右の3列は表計算ソフトが今の記入内容から数え直します。",
        "The counts on the left are the 1st-check answers when the file was made; the three right-hand columns are "
        "recounted by the spreadsheet from what is written now.",
    ),
    "xlsx.sum.sheet": ("様式", "Sheet"),
    "xlsx.sum.section": ("区分", "Section"),
    "xlsx.sum.yes": ("はい", "Yes"),
    "xlsx.sum.no": ("いいえ", "No"),
    "xlsx.sum.na": ("該当なし", "N/A"),
    "xlsx.sum.none": ("未回答", "Unanswered"),
    "xlsx.sum.auto": ("うち自動判定（要確認）", "Of which automatic (to be confirmed)"),
    "xlsx.sum.total": ("行数", "Rows"),
    "xlsx.sum.all": ("合計", "Total"),
    "xlsx.sum.yes_now": ("はい（現在）", "Yes (now)"),
    "xlsx.sum.no_now": ("いいえ（現在）", "No (now)"),
    "xlsx.sum.undated_now": ("確認日のない回答（現在）", "Answers without a date (now)"),

    # the management summary (summary/page.py, summary.html.j2)
    "summary.title": ("経営層向けサマリー（サイバーセキュリティ）", "Cyber security summary for management"),
    "summary.given": ("読み込んだ結果", "Results read"),
    "summary.given.scan": ("ログ調査", "log scan"),
    "summary.given.audit": ("端末・サーバーの点検", "host audit"),
    "summary.given.inventory": ("ネットワーク台帳", "network inventory"),
    "summary.given.checklist": ("厚労省チェックリスト", "MHLW checklist"),
    "summary.given.vuln": ("脆弱性の確認", "vulnerability check"),
    "summary.made": ("（{day} 作成）", " (made {day})"),
    "summary.given.none": ("なし（読めた結果がありません）", "none (no result could be read)"),
    "summary.picture": (
        "防御の層（スイスチーズ）: 左から攻撃が入り、すべての層の穴が重なると被害に届きます",
        "Layers of defence (Swiss cheese): the attack comes from the left and does harm where holes line up in every layer",
    ),
    "summary.attack": ("攻撃", "Attack"),
    "summary.harm": ("診療停止", "Care stops"),
    "summary.layers_title": ("防御の層と見つかった穴", "The layers of defence and the holes found"),
    "summary.layers_note": (
        "研修資料の「スイスチーズ」の考え方です。1枚の層に穴があっても、ほかの層が止めれば被害は出ません。穴は証拠（ログ・点検・"
        "台帳・チェックリスト）から見つかったものだけを描き、調べた証拠がない層は「？」で示します。",
        "The training's Swiss cheese: a hole in one layer does no harm while another layer stops the attack. Only holes "
        "found in the evidence (logs, audits, inventory, checklist) are drawn; a layer no evidence covers shows '?'.",
    ),
    "summary.col_layer": ("層", "Layer"),
    "summary.col_status": ("状態", "State"),
    "summary.col_holes": ("見つかった穴（主なもの）", "Holes found (the main ones)"),
    "summary.status.holes": ("穴 {n} 種類", "Holes: {n}"),
    "summary.status.solid": ("調べた範囲で穴なし", "No hole in what was checked"),
    "summary.status.unchecked": ("未確認（この層を調べた結果がありません）", "Not checked (no result covers it)"),
    "summary.how_to_check": ("調べるには: {by}", "To check it: {by}"),
    "summary.checked_by": ("調べた結果: {by}", "Checked by: {by}"),
    "summary.unanswered": ("チェックリスト未回答: {items}", "Checklist unanswered: {items}"),
    "summary.more": ("ほか {n} 種類", "and {n} more"),
    "summary.amount.hosts": ("（{n}台）", " ({n} hosts)"),
    "summary.amount.count": ("（{n}件）", " ({n} findings)"),
    "summary.amount.rows": ("（{rows}）", " ({rows})"),
    "summary.checklist.no": ("チェックリスト「いいえ」: {number} {name}", "Checklist answered no: {number} {name}"),
    "summary.checklist.conflict": (
        "チェックリストの回答と証拠が食い違う: {number} {name}", "Checklist answer and evidence differ: {number} {name}",
    ),
    "summary.verdict": (
        "防御の {total} 層のうち {bad} 層に穴が見つかりました（未確認 {unchecked} 層）。",
        "Holes were found in {bad} of the {total} layers of defence ({unchecked} not checked).",
    ),
    "summary.verdict_all": (
        "防御の {total} 層のうち {bad} 層に穴が見つかりました。",
        "Holes were found in {bad} of the {total} layers of defence.",
    ),
    "summary.verdict_label.open": ("未確認あり", "Not all checked"),
    "summary.verdict_label.clear": ("穴なし", "No hole found"),
    "summary.scan_verdict": ("ログ調査の判定: {text}", "The log scan says: {text}"),
    "summary.unchecked_note": (
        "未確認の層: {names}。穴がないという意味ではありません。",
        "Not checked: {names}. This does not mean they have no holes.",
    ),
    "summary.unread": (
        "読めなかった結果（このページに入っていません。理由は画面と summary.json に）: {kinds}",
        "Results not read (not in this page; why: on the terminal and in summary.json): {kinds}",
    ),
    "summary.other": (
        "どの層にも入らない検知 {n} 件（Sigma ルールなど）は、それぞれの報告書をご覧ください。",
        "{n} findings of no layer (Sigma rules and the like): see each report.",
    ),
    "summary.risk_title": ("病院が負うリスク", "What the hospital risks"),
    "summary.risk": (
        "穴が重なると、ランサムウェアで電子カルテと部門システムが止まります。大阪急性期・総合医療センターと半田病院では"
        "紙で診療を続け、救急患者や新しい患者の受け入れを止めました。バックアップまで暗号化され、大阪急性期・総合医療"
        "センターは全体の復旧に約2か月かかりました。患者の命と地域医療、病院の信用と収入に直結する経営の問題です。",
        "When the holes line up, ransomware stops the EHR and departmental systems. At Osaka General Medical Center and "
        "Handa Hospital care went on on paper and emergency and new patients were turned away; even the backups were "
        "encrypted, and Osaka took about two months to recover. A management issue: patients' lives, the region's "
        "care, the hospital's trust and income.",
    ),
    "summary.risk_source": ("出典", "Sources"),
    "summary.decisions_title": ("今決めること（3つ）", "Three decisions to take now"),
    "summary.lead": (
        "「セキュリティには、経営者の理解と覚悟、そしてその準備と体制が必要。」",
        "\u201cSecurity needs the executive's understanding and resolve, and the preparation and organisation behind "
        "them.\u201d",
    ),
    "summary.urgent": ("今すぐ", "Now"),
    "summary.because": ("理由", "Because of"),
    "summary.effort": ("目安", "Rough effort"),
    "summary.effort_text": ("{by} {lo}〜{hi}人日・費用 {cost}（{note}）", "{lo}–{hi} {by} days · {cost} ({note})"),
    "summary.by.staff": ("担当者", "staff"),
    "summary.by.vendor": ("ベンダー作業", "vendor"),
    "summary.by.management": ("経営層と事務", "management"),
    "summary.by.outside": ("外部の専門家", "outside expert"),
    "summary.cost.low": ("小", "low cost"),
    "summary.cost.low-medium": ("小〜中", "low to medium cost"),
    "summary.cost.medium": ("中", "medium cost"),
    "summary.cost.medium-high": ("中〜大", "medium to high cost"),
    "summary.cost.high": ("大", "high cost"),
    "summary.cost_note": (
        "費用: 小＝今の予算と機器で足りる、中＝製品の購入や業者作業の発注、大＝機器の入れ替えや外部調査の予算化。",
        "Cost: low = today's budget and devices; medium = a product or a vendor's work; high = new devices or an "
        "outside investigation.",
    ),
    "summary.done": (
        "防御の {total} 層のうち {bad} 層に穴、{unchecked} 層は未確認です。",
        "Holes in {bad} of the {total} layers of defence; {unchecked} not checked.",
    ),
    "summary.nothing_checked": (
        "まだどの層も調べていません。ログ調査・端末の点検・ネットワーク台帳・チェックリストのどれかから始めることを決めてください。",
        "No layer has been checked yet. Decide to start with one of them: a log scan, a host audit, the network "
        "inventory or the checklist.",
    ),
    "summary.no_decisions": (
        "調べた範囲で穴は見つかりませんでした。未確認の層を調べることと、年1回の点検・訓練の継続を決めてください。",
        "No hole was found in what was checked. Decide to check the layers not yet checked, and to keep the yearly "
        "checks and drills.",
    ),
    # wardwatch isac (the Medical ISAC's terminal lines)
    "isac.ingesting": ("取り込み中", "ingesting"),
    "isac.scanning": ("病院ごとに調査中", "scanning hospitals"),
    "isac.already": (
        "{file}: {hospital} のデータにすでに取り込まれています（SHA-256 が同じ）。もう一度は読みません",
        "{file}: already in the dataset for {hospital} (same SHA-256); not read again",
    ),
    "isac.ingested": (
        "{hospital}: 入力 {inputs} 個、イベント {events} 件を {out} に取り込みました（{engine}、{seconds} 秒）",
        "{hospital}: {inputs} input(s), {events} events into {out} ({engine}, {seconds} s)",
    ),
    "isac.not_whole": (
        "{hospital}: 一部を読めなかった入力があります（上の行と {manifest} を参照）。残りは取り込みました",
        "{hospital}: some input was not read whole (see the lines above and {manifest}); the rest was ingested",
    ),
    "isac.hospital": (
        "{hospital}: 検知 {findings} 件（最も重いもの: {worst}）— {verdict}",
        "{hospital}: {findings} finding(s) (worst: {worst}) — {verdict}",
    ),
    "isac.hospital_incomplete": (
        "{hospital}: 読めなかった入力か失敗した処理があります（{result} を参照）",
        "{hospital}: an input was not read whole or a part failed (see {result})",
    ),
    "isac.none": ("なし", "none"),
    "isac.scanned": (
        "{hospitals} 病院を調査、病院をまたぐ検知 {shared} 件 → {path}",
        "{hospitals} hospital(s) scanned, {shared} cross-hospital finding(s) → {path}",
    ),
    "isac.shared": (
        "共有する指標 {n} 件（TLP:{tlp}）→ {stix}、{csv}",
        "{n} indicator(s) to share, TLP:{tlp} → {stix}, {csv}",
    ),
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


def both(key: str, **values: Any) -> Text:
    """One message in Japanese and English (a finding's or an answer's text, chosen when it is shown)."""
    return Text(message(key, "ja", **values), message(key, "en", **values))


def lines(key: str, lang: str) -> list[str]:
    """A message that is a list (steps, table columns): one item a line."""
    return message(key, lang).splitlines()


def messages(lang: str, namespace: str) -> dict[str, str]:
    """Every message of one namespace in one language, keys without the namespace (for a template or a writer)."""
    prefix = namespace + "."
    return {key[len(prefix) :]: _pick(pair, lang) for key, pair in CATALOG.items() if key.startswith(prefix)}
