"""Checks on accounts: lockout, password length, the built-in Administrator, local admins, auto-logon, LAPS."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..model import Text
from .bundle import Bundle
from .outcome import Context, Outcome, T, failed, not_applicable, passed
from .parsers import as_bool, as_datetime, as_int, as_list
from .registry import evaluator

_DC = T("ドメイン コントローラーでは対象外（ドメインのポリシーで確認）",
        "not for a domain controller (check the domain policy)")


def is_dc(b: Bundle) -> bool:
    system = b.parts["system"].data if b.has("system") else None
    return isinstance(system, dict) and (as_int(system.get("domain_role")) or 0) >= 4


def users(b: Bundle) -> list[dict[str, Any]]:
    return [u for u in as_list(b.get("users")) if isinstance(u, dict)]


def rid(sid: Any) -> int | None:
    tail = str(sid or "").rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def admin_members(b: Bundle) -> list[dict[str, Any]]:
    groups = b.get("groups")
    group = groups.get("S-1-5-32-544") if isinstance(groups, dict) else None
    return [m for m in as_list((group or {}).get("members")) if isinstance(m, dict)]


def _days(b: Bundle, when: datetime | None) -> float | None:
    if when is None or b.collected_at is None:
        return None
    return (b.collected_at - when) / timedelta(days=1)


@evaluator("lockout")
def lockout(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    access = b.get("secedit").get("system access", {})
    threshold = as_int(access.get("lockoutbadcount"))
    if not threshold:
        return failed([T("アカウント ロックアウトのしきい値が 0（ロックアウトしない）",
                         "lockout threshold 0 (never locks out)")],
                      "high", threshold=0)
    items = []
    if threshold > p["max_threshold"]:
        items.append(T(f"しきい値 {threshold} 回（推奨 {p['max_threshold']} 回以下）",
                       f"threshold {threshold} attempts (recommended {p['max_threshold']} or fewer)"))
    duration = as_int(access.get("lockoutduration"))
    if duration is not None and 0 <= duration < p["min_duration_minutes"]:
        items.append(T(f"ロックアウト期間 {duration} 分（推奨 {p['min_duration_minutes']} 分以上）",
                       f"lockout duration {duration} min (recommended {p['min_duration_minutes']} min or more)"))
    reset = as_int(access.get("resetlockoutcount"))
    if reset is not None and reset < p["min_reset_minutes"]:
        items.append(T(f"カウンターのリセット {reset} 分（推奨 {p['min_reset_minutes']} 分以上）",
                       f"counter reset after {reset} min (recommended {p['min_reset_minutes']} min or more)"))
    if items:
        return failed(items, threshold=threshold, duration=duration, reset=reset)
    return passed(T(f"しきい値 {threshold} 回", f"threshold {threshold} attempts"), threshold=threshold)


@evaluator("password_length")
def password_length(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    length = as_int(b.get("secedit").get("system access", {}).get("minimumpasswordlength")) or 0
    seen = T(f"最小パスワード長 {length} 文字（推奨 {p['recommended']} 文字以上）",
             f"minimum password length {length} (recommended {p['recommended']} or more)")
    if length < p["fail_below"]:
        return failed([seen], "medium", length=length)
    if length < p["recommended"]:
        return failed([seen], "low", length=length)
    return passed(seen, length=length)


@evaluator("builtin_admin")
def builtin_admin(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    admin = next((u for u in users(b) if rid(u.get("sid")) == 500), None)
    if admin is None:
        access = b.get("secedit").get("system access", {})
        admin = {"name": access.get("newadministratorname", "Administrator"),
                 "enabled": access.get("enableadminaccount") == "1"}
    name = str(admin.get("name") or "Administrator")
    if not as_bool(admin.get("enabled")):
        return passed(T(f"{name} は無効", f"{name} is disabled"))
    items = [T(f"{name} が有効", f"{name} is enabled")]
    if name.lower() == "administrator":
        items.append(T("名前が Administrator のまま（推測されやすい）", "still named Administrator (easy to guess)"))
    last = as_datetime(admin.get("last_logon"))
    days = _days(b, last)
    severity = None
    if days is not None and days <= p["recent_days"]:
        items.append(T(f"{days:.0f} 日前にログオンあり（日常的に使われている可能性）",
                       f"logged on {days:.0f} days before collection (may be in daily use)"))
        severity = "high"
    return failed(items, severity, accounts=[name], last_logon=last)


@evaluator("local_admins")
def local_admins(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    allowed_rids = set(p["allowed_rids"])
    extra = []
    for m in admin_members(b):
        name = str(m.get("name") or m.get("sid") or "?")
        short = name.rsplit("\\", 1)[-1].lower()
        if rid(m.get("sid")) in allowed_rids or name.lower() in ctx.expected_admins or short in ctx.expected_admins:
            continue
        extra.append(name)
    if extra:
        items = [T(f"{n} が Administrators のメンバー", f"{n} is a member of Administrators") for n in extra]
        return failed(items, accounts=extra)
    return passed(T("想定外の管理者はいない", "no unexpected administrators"))


@evaluator("autologon")
def autologon(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    wl = b.get("winlogon")
    on = str(wl.get("AutoAdminLogon") or "0").strip() == "1"
    stored = bool(as_bool(wl.get("DefaultPasswordPresent")))
    user = str(wl.get("DefaultUserName") or "")
    items: list[Text] = []
    if on:
        items.append(T(f"自動ログオンが有効（{user or 'ユーザー不明'}）",
                       f"auto-logon is on ({user or 'unknown user'})"))
    if stored:
        items.append(T("パスワードがレジストリに平文で保存されている（値は収集していません）",
                       "a password is stored in clear text in the registry (its value was not collected)"))
    if items:
        return failed(items, "high" if on else "medium", accounts=[user] if user else [])
    return passed(T("自動ログオンなし", "no auto-logon"))


@evaluator("stale_accounts")
def stale_accounts(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    if is_dc(b):
        return not_applicable(_DC)
    stale: list[tuple[str, Text]] = []
    for u in users(b):
        if not as_bool(u.get("enabled")):
            continue
        last = as_datetime(u.get("last_logon"))
        days = _days(b, last)
        if last is None:
            age = _days(b, as_datetime(u.get("password_last_set")))
            if age is not None and age > p["max_days"]:
                stale.append((u["name"], T(f"{u['name']}: ログオン記録なし", f"{u['name']}: never logged on")))
        elif days is not None and days > p["max_days"]:
            stale.append((u["name"], T(f"{u['name']}: 最終ログオン {days:.0f} 日前",
                                       f"{u['name']}: last logon {days:.0f} days ago")))
    if stale:
        return failed([t for _, t in stale], accounts=[n for n, _ in stale])
    return passed(T(f"{p['max_days']} 日以上使われていない有効なアカウントはない",
                    f"no enabled account unused for {p['max_days']} days"))


@evaluator("password_not_required")
def password_not_required(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    bad = [str(u["name"]) for u in users(b)
           if as_bool(u.get("enabled")) and as_bool(u.get("password_required")) is False]
    if bad:
        return failed([T(f"{n}: パスワードなしを許可", f"{n}: password not required") for n in bad], accounts=bad)
    return passed(T("全アカウントでパスワード必須", "every account needs a password"))


def _laps_on(laps: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    for key in ("windows_gpo", "windows_csp", "windows_local"):
        values = laps.get(key) or {}
        if (as_int(values.get("BackupDirectory")) or 0) in (1, 2):
            return True, values
    legacy = laps.get("legacy_policy") or {}
    if as_int(legacy.get("AdmPwdEnabled")) == 1 and as_bool(laps.get("legacy_cse")) is not False:
        return True, legacy
    return False, {}


@evaluator("laps")
def laps(b: Bundle, p: dict[str, Any], ctx: Context) -> Outcome:
    if is_dc(b):
        return not_applicable(_DC)
    on, values = _laps_on(b.get("laps"))
    if not on:
        return failed([T("LAPS（Windows LAPS / 従来の LAPS）が設定されていない",
                         "LAPS (Windows LAPS or legacy LAPS) is not configured")])
    items: list[Text] = []
    length, age = as_int(values.get("PasswordLength")), as_int(values.get("PasswordAgeDays"))
    if length is not None and length < p["min_length"]:
        items.append(T(f"LAPS のパスワード長 {length}（推奨 {p['min_length']} 以上）",
                       f"LAPS password length {length} (recommended {p['min_length']} or more)"))
    if age is not None and age > p["max_age_days"]:
        items.append(T(f"LAPS のパスワード有効期間 {age} 日（推奨 {p['max_age_days']} 日以下）",
                       f"LAPS password age {age} days (recommended {p['max_age_days']} or less)"))
    if items:
        return failed(items, "low")
    return passed(T("LAPS が有効", "LAPS is on"))
