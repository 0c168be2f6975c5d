"""Checks on event logs: sizes against the seed, overwrite mode, the log folder ACL and logon auditing."""
from __future__ import annotations

from typing import Any

from ..model import Text
from .bundle import Bundle, NotCollected
from .outcome import NOT_COLLECTED, Context, Outcome, T, failed, kb, passed
from .parsers import as_int
from .registry import evaluator


def _logs(b: Bundle, wanted: list[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Parsed channel settings for the wanted logs (case-insensitive) and the ones not collected."""
    b.touched.add("eventlogs")
    by_lower = {k.lower(): v for k, v in b.eventlogs.items()}
    found, missing = {}, []
    for name in wanted:
        part = by_lower.get(name.lower())
        if part is None or part.status not in ("ok", "absent"):
            missing.append(name)
        elif part.status == "ok":
            found[name] = part.data
    if not found and missing:
        raise NotCollected("eventlogs", "missing", ", ".join(missing))
    return found, missing


def _with_missing(outcome: Outcome, missing: list[str]) -> Outcome:
    if missing:
        outcome.facts["not_collected"] = missing
        outcome.missing = [f"eventlogs/{m}" for m in missing]
    return outcome


@evaluator("log_size")
def log_size(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    minimum: dict[str, int] = p["min_kb"]
    cis: dict[str, int] = p.get("cis_kb", {})
    logs, missing = _logs(b, list(minimum))
    small, commands = [], []
    for name, info in logs.items():
        size_kb = (info["max_size"] or 0) // 1024
        if size_kb < minimum[name]:
            extra = f", CIS {kb(cis[name])}" if name in cis else ""
            small.append(T(f"{name}: {kb(size_kb)}（推奨 {kb(minimum[name])} 以上{extra}）",
                           f"{name}: {kb(size_kb)} (recommended {kb(minimum[name])} or more{extra})"))
            commands.append(f'wevtutil sl "{name}" /ms:{max(minimum[name], cis.get(name, 0)) * 1024}')
    if small:
        return _with_missing(failed(small, fix_commands=commands), missing)
    return _with_missing(passed(T(f"{len(logs)} 個のログが推奨サイズ以上", f"{len(logs)} logs at or above the size"),
                                checked=sorted(logs)), missing)


@evaluator("log_overwrite")
def log_overwrite(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    logs, missing = _logs(b, list(p["logs"]))
    stuck = [name for name, info in logs.items() if info["retention"] and not info["auto_backup"]]
    if stuck:
        items = [T(f"{n}: いっぱいになると新しいイベントを記録しない設定", f"{n}: stops recording new events when full")
                 for n in stuck]
        return _with_missing(failed(items, fix_commands=[f'wevtutil sl "{n}" /rt:false' for n in stuck]), missing)
    return _with_missing(passed(T("必要に応じて上書き（またはアーカイブ）", "overwrite as needed (or archive)")),
                         missing)


@evaluator("log_acl")
def log_acl(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    acl = b.get("eventlog_acl")
    allowed = {s.upper() for s in p["allowed_sids"]}
    names: dict[str, str] = p.get("sid_names", {})
    extra = sorted({str(r.get("sid", "")) for r in acl.get("rules") or []
                    if str(r.get("type", "Allow")).lower() in ("allow", "0")
                    and str(r.get("sid", "")).upper() not in allowed})
    if extra:
        items = [T(f"{sid}（{names.get(sid, '不明なアカウント')}）にアクセス権",
                   f"{sid} ({names.get(sid, 'unknown account')}) has access")
                 for sid in extra]
        return failed(items, accounts=[names.get(s, s) for s in extra])
    return passed(T("Eventlog、SYSTEM、Administrators のみ", "Eventlog, SYSTEM and Administrators only"))


def _auditpol_value(b: Bundle, guid: str, legacy_key: str) -> tuple[int | None, str]:
    """Setting value (0 none, 1 success, 2 failure, 3 both) from auditpol, else the legacy secedit value."""
    if b.has("auditpol"):
        row = b.get("auditpol").get(guid.upper())
        if row is not None:
            return int(row["value"]), "auditpol"
    if b.has("secedit"):
        value = as_int(b.get("secedit").get("event audit", {}).get(legacy_key.lower()))
        if value is not None:
            return value, "secedit"
    if not b.has("auditpol") and not b.has("secedit"):
        raise NotCollected("auditpol", b.parts["auditpol"].status, b.parts["auditpol"].message)
    return None, ""


_SETTING = {0: T("監査なし", "no auditing"), 1: T("成功のみ", "success only"), 2: T("失敗のみ", "failure only"),
            3: T("成功と失敗", "success and failure")}


@evaluator("audit_logon")
def audit_logon(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    items: list[Text] = []
    commands: list[str] = []
    severity = None
    unknown, sources = [], set()
    for sub in p["subcategories"]:
        value, source = _auditpol_value(b, sub["guid"], sub["legacy"])
        if value is None:
            unknown.append(sub["name"])
            continue
        sources.add(source)
        if value & 3 != 3:
            seen = _SETTING.get(value & 3, T(str(value)))
            items.append(T(f"{sub['name']}: {seen.ja}", f"{sub['name']}: {seen.en}"))
            commands.append(f'auditpol /set /subcategory:"{sub["guid"]}" /success:enable /failure:enable')
            if not value & 2 and sub.get("failure_is_high"):
                severity = "high"
    if items:
        return failed(items, severity, fix_commands=commands, source=sorted(sources))
    if unknown:
        return Outcome(NOT_COLLECTED, [T(f"設定が見つからない: {', '.join(unknown)}",
                                         f"no setting found: {', '.join(unknown)}")],
                       missing=["auditpol"])
    return passed(T("成功と失敗を監査", "success and failure audited"), source=sorted(sources))
