"""Checks on the system: SMBv1, antivirus and signatures, updates, attack/remote tools, USB, scripts, macros."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..detect.lists import Tool
from ..model import Severity, Text
from .bundle import Bundle
from .outcome import NOT_COLLECTED, Context, Outcome, T, failed, not_applicable, passed
from .parsers import as_bool, as_datetime, as_int, as_list
from .registry import evaluator

_POLICIES = {0: "Unrestricted", 1: "RemoteSigned", 2: "AllSigned", 3: "Restricted", 4: "Bypass", 5: "Undefined"}
_SCOPES = {0: "Process", 1: "CurrentUser", 2: "LocalMachine", 3: "UserPolicy", 4: "MachinePolicy"}


@evaluator("smb1")
def smb1(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    smb = b.get("smb")
    server = smb.get("server") or {}
    votes: list[bool] = []
    if as_bool(server.get("EnableSMB1Protocol")) is not None:
        votes.append(bool(as_bool(server.get("EnableSMB1Protocol"))))
    state = str(smb.get("feature_state") or "").lower()
    if state:
        votes.append(state == "enabled" or state == "2")
    reg = as_int((smb.get("lanman_server") or {}).get("SMB1"))
    if reg is not None:
        votes.append(reg != 0)
    if not votes:
        return Outcome(NOT_COLLECTED, [T("SMBv1 の状態が分からない", "SMBv1 state unknown")], missing=["smb"])
    if any(votes):
        return failed([T("SMBv1 が有効（WannaCry などが悪用する古いプロトコル）",
                         "SMBv1 is on (the old protocol WannaCry and others abuse)")])
    return passed(T("SMBv1 は無効", "SMBv1 is off"))


def _software_names(b: Bundle) -> list[str]:
    if not b.has("software"):
        return []
    return [str(s.get("name") or "") for s in as_list(b.get("software")) if isinstance(s, dict)]


def _security_center(defender: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for prod in as_list(defender.get("security_center")):
        if isinstance(prod, dict):
            state = as_int(prod.get("product_state")) or 0
            out.append({"name": str(prod.get("name") or "?"), "on": bool(state & 0x1000), "outdated": bool(state & 0x10)})
    return out


def _defender_on(mp: dict[str, Any]) -> bool:
    passive = "passive" in str(mp.get("AMRunningMode") or "").lower()
    return bool(as_bool(mp.get("AntivirusEnabled")) and as_bool(mp.get("RealTimeProtectionEnabled")) and not passive)


@evaluator("antivirus")
def antivirus(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    data = b.get("defender")
    mp = data.get("defender") or {}
    if mp and _defender_on(mp):
        return passed(T("Microsoft Defender のリアルタイム保護が有効", "Microsoft Defender real-time protection is on"))
    others = [prod["name"] for prod in _security_center(data) if prod["on"]]
    if others:
        return passed(T(f"ウイルス対策が有効: {', '.join(others)}", f"antivirus on: {', '.join(others)}"))
    names = _software_names(b)
    known = sorted({n for n in names for v in p["av_products"] if v.lower() in n.lower()})
    seen = T("Microsoft Defender のリアルタイム保護が無効", "Microsoft Defender real-time protection is off")
    if known:
        return failed([seen, T(f"他社製品がインストール済み: {', '.join(known)}（動作を確認してください）",
                               f"another product is installed: {', '.join(known)} (confirm it is running)")], "low")
    return failed([seen, T("他に有効なウイルス対策が見当たらない", "no other active antivirus found")], "high")


@evaluator("av_signatures")
def av_signatures(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    data = b.get("defender")
    mp = data.get("defender") or {}
    if mp and as_bool(mp.get("AntivirusEnabled")):  # the engine runs (scans) even with real-time protection off
        updated = as_datetime(mp.get("AntivirusSignatureLastUpdated"))
        age = ((b.collected_at - updated) / timedelta(days=1)) if updated and b.collected_at else \
            as_int(mp.get("AntivirusSignatureAge"))
        if age is None:
            return Outcome(NOT_COLLECTED, [T("定義ファイルの日付が分からない", "signature date unknown")], missing=["defender"])
        seen = T(f"Defender の定義ファイルが {age:.0f} 日前のもの（推奨 {p['max_age_days']} 日以内）",
                 f"Defender signatures are {age:.0f} days old (recommended within {p['max_age_days']} days)")
        if age > p["max_age_days"]:
            return failed([seen], "high" if age > p["high_age_days"] else None, age_days=round(age, 1))
        return passed(seen, age_days=round(age, 1))
    products = [prod for prod in _security_center(data) if prod["on"]]
    if not products:
        return not_applicable(T("有効なウイルス対策の情報がない（別の点検項目を参照）", "no active antivirus reported (see the antivirus check)"))
    old = [prod["name"] for prod in products if prod["outdated"]]
    if old:
        return failed([T(f"{n}: 定義ファイルが古いと報告されている", f"{n}: reports out-of-date signatures") for n in old])
    return passed(T("セキュリティ センターの報告では最新", "up to date according to Security Center"))


def _last_update(updates: dict[str, Any]) -> datetime | None:
    dates = [as_datetime(h.get("installed_on")) for h in as_list(updates.get("hotfixes")) if isinstance(h, dict)]
    dates += [as_datetime(h.get("date")) for h in as_list(updates.get("history"))
              if isinstance(h, dict) and as_int(h.get("operation")) == 1 and as_int(h.get("result")) in (2, 3)]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


@evaluator("updates")
def updates(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    last = _last_update(b.get("updates"))
    if last is None or b.collected_at is None:
        return Outcome(NOT_COLLECTED, [T("更新プログラムの日付が収集されていない", "no update dates were collected")], missing=["updates"])
    days = (b.collected_at - last) / timedelta(days=1)
    seen = T(f"最後の更新は {last:%Y-%m-%d}（収集の {days:.0f} 日前）", f"last update {last:%Y-%m-%d} ({days:.0f} days before collection)")
    if days > p["max_days"]:
        return failed([seen], "high" if days > p["high_days"] else None, last_update=last, days=round(days))
    return passed(seen, last_update=last, days=round(days))


@evaluator("remote_tools")
def remote_tools(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    places: list[tuple[Text, str]] = [(T("ソフトウェア", "software"), n) for n in _software_names(b)]
    if b.has("services"):
        for s in as_list(b.get("services")):
            if isinstance(s, dict):
                text = " ".join(str(s.get(k) or "") for k in ("name", "display_name", "path"))
                places.append((T("サービス", "service"), text))
    if not places:
        b.get("software")  # raises NotCollected
    allowed = {a.lower() for a in p.get("allowed", [])}
    found: dict[str, tuple[Tool, Text, str]] = {}
    for tool in ctx.tools:
        if tool.name.lower() in allowed:
            continue
        for where, text in places:
            if tool.matches(text):
                found.setdefault(tool.name, (tool, where, text.strip()[:120]))
    if not found:
        return passed(T("攻撃・遠隔操作ツールは見つからない", "no attack or remote-access tool found"))
    levels = p["category_severity"]
    items = [T(f"{name}（{tool.category}）: {where.ja} 「{text}」", f"{name} ({tool.category}): {where.en} \"{text}\"")
             for name, (tool, where, text) in sorted(found.items())]
    worst = max(Severity.parse(levels.get(tool.category, "medium")) for tool, _, _ in found.values())
    return failed(items, worst, tools=sorted(found))


@evaluator("removable_exec")
def removable_exec(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    rem = b.get("removable")
    machine = as_int((rem.get("machine_disk") or {}).get("Deny_Execute")) == 1 or \
        as_int((rem.get("machine_all") or {}).get("Deny_All")) == 1
    if machine:
        return passed(T("リムーバブル ディスクの実行を拒否", "execution from removable disks is denied"))
    user = as_int((rem.get("user_disk") or {}).get("Deny_Execute")) == 1
    if user:
        return failed([T("実行拒否はこのユーザーだけ（コンピューター全体では未設定）", "denied for this user only, not for the computer")], "low")
    return failed([T("リムーバブル ディスクからの実行が許可されている", "programs can run from removable disks")])


def _policy(entry: dict[str, Any]) -> tuple[str, str]:
    scope, policy = entry.get("scope"), entry.get("policy")
    scope = _SCOPES.get(scope, str(scope)) if isinstance(scope, int) else str(scope)
    policy = _POLICIES.get(policy, str(policy)) if isinstance(policy, int) else str(policy)
    return scope, policy


@evaluator("exec_policy")
def exec_policy(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    entries = dict(_policy(e) for e in as_list(b.get("execution_policy")) if isinstance(e, dict))
    order = ["MachinePolicy", "UserPolicy", "CurrentUser", "LocalMachine"]  # Process is the collector's own Bypass
    effective = next((entries[s] for s in order if entries.get(s, "Undefined") != "Undefined"), "Undefined")
    scope = next((s for s in order if entries.get(s, "Undefined") != "Undefined"), "")
    seen = T(f"実行ポリシー {effective}（{scope or '既定'}）", f"execution policy {effective} ({scope or 'default'})")
    if effective in p["bad"]:
        return failed([seen], policy=effective, scope=scope)
    return passed(seen, policy=effective)


@evaluator("office_macros")
def office_macros(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    office = b.get("office")
    entries = [e for e in as_list(office.get("security")) if isinstance(e, dict)]
    installed = bool((office.get("click_to_run") or {}).get("exists")) or \
        any(k.lower() in n.lower() for n in _software_names(b) for k in p["office_names"])
    if not installed and not entries:
        return not_applicable(T("Office が見当たらない", "Office not found"))
    items, all_on = [], False
    for e in entries:
        where = f"{e.get('app')} {e.get('version')} ({e.get('kind')}, {e.get('hive')})"
        if as_int(e.get("VBAWarnings")) == 1:
            all_on = True
            items.append(T(f"{where}: すべてのマクロを有効にする設定", f"{where}: all macros enabled"))
        if e.get("kind") == "policy" and as_int(e.get("blockcontentexecutionfrominternet")) == 0:
            items.append(T(f"{where}: インターネットから来たファイルのマクロを許可", f"{where}: macros from the internet allowed"))
    if items:
        return failed(items, "high" if all_on else None)
    return passed(T("危険なマクロ設定はない", "no dangerous macro setting"))
