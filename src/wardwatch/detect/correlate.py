"""Correlators: the few generic ways rules turn selected events into hits (campaigns, sprays, sequences, groups)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..checks.spec import Registry
from ..config import load_rdp_allowlist
from ..model import EventRef, Evidence, Finding, Severity
from ..sql import bound
from ..store import EventStore
from ..textfmt import as_utc, delta_seconds
from .names import AccountNames
from .rules import Rule, correlate_names

Correlator = Callable[["Rule", "Context"], list["Hit"]]
Words = Callable[["Hit", str], dict[str, str]]
CORRELATORS: Registry[Correlator] = Registry("correlate type")  # correlate.type → the function that finds hits
WORDS: Registry[Words] = Registry("correlate type")  # correlate.type → the text pieces its facts give templates


def correlator(kind: str, words: Words | None = None) -> Callable[[Correlator], Correlator]:
    """Register a correlator under its correlate type, with the words its hits add to the rule's templates."""
    def add(fn: Correlator) -> Correlator:
        CORRELATORS[kind] = fn
        if words is not None:
            WORDS[kind] = words
        return fn
    return add


@dataclass
class Hit:
    """What a correlator found, before it is put into words."""

    host: str | None
    first: datetime | None
    last: datetime | None
    count: int
    accounts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int = 0
    severity: Severity | None = None
    sels: list[int] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What correlators may use: the store, settings, the view of each rule's events, earlier findings."""

    store: EventStore
    config: dict[str, Any]
    tz: str
    view: str = ""  # the rule's selected events: a subquery whose values are bound from `values`
    values: dict[str, Any] = field(default_factory=dict)  # $name → value, for the view
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    inputs_size: dict[str, int] = field(default_factory=dict)
    names: AccountNames = field(default_factory=AccountNames)  # one spelling and SID per account name
    cache: set[str] = field(default_factory=set)  # tables already made (shared by rules)
    con: Any = None  # the cursor this rule queries with (rules run side by side, each on its own)
    params: dict[str, Any] = field(default_factory=dict)  # this rule's own settings (Rule.settings), passed in

    @property
    def db(self) -> Any:
        return self.con if self.con is not None else self.store.con

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        """Run sql on this rule's cursor, binding the $names it uses from params, the view's values and
        $evidence_limit (values are never spliced into the text)."""
        return self.db.execute(sql, bound(sql, {"evidence_limit": self.limit, **self.values, **(params or {})}))

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """The query's rows as dicts (column name → value), on this rule's cursor."""
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            yield dict(zip(names, row, strict=True))

    @property
    def limit(self) -> int:
        return int(self.config.get("evidence_limit", 1000))

    def evidence_sql(self) -> str:
        """The first `limit` events by time (a top-N, not a sorted list of everything) and the count.

        Ties in time are broken by file and record id, so that the same input always gives the same evidence."""
        return ("min_by({'file': file, 'record_id': record_id}, {'t': ts, 'f': file, 'r': record_id}, $evidence_limit) "
                "FILTER (WHERE ts IS NOT NULL) AS ev, count(*) AS n")


def _distinct(expr: str) -> str:
    """SQL: the distinct values of expr in a group, sorted (the same input always lists them in the same order)."""
    return f"list_sort(list(DISTINCT {expr}))"


def _merged(lists: str) -> str:
    """SQL: the distinct values of a column of lists, merged over a group and sorted."""
    return f"list_sort(list_distinct(flatten(list({lists}))))"


def _clean(values: list[Any] | None) -> list[str]:
    """Distinct, non-empty values as text, in their first order."""
    return list(dict.fromkeys(str(v) for v in values or [] if v not in (None, "", "-")))


def _hit(row: dict[str, Any], **extra: Any) -> Hit:
    return Hit(
        host=row.get("host"), first=as_utc(row.get("first")), last=as_utc(row.get("last")), count=int(row["n"]),
        accounts=_clean(row.get("accounts")), sources=_clean(row.get("sources")),
        evidence=[EventRef(e["file"], e["record_id"]) for e in row.get("ev") or []], evidence_total=int(row["n"]),
        sels=sorted(set(row.get("sels") or [])), **extra,
    )


def _gap_split(view: str, keys: str, where: str = "true", cols: str = "*") -> str:
    """SQL numbering the campaigns of each key: a new one starts after a quiet gap longer than $gap_minutes."""
    return f"""
        WITH m AS (SELECT {cols} FROM {view} WHERE ts IS NOT NULL AND {where}),
        g AS (SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY {keys} ORDER BY ts) > INTERVAL ($gap_minutes) MINUTE
                        THEN 1 ELSE 0 END AS brk FROM m),
        c AS (SELECT *, sum(brk) OVER (PARTITION BY {keys} ORDER BY ts ROWS UNBOUNDED PRECEDING) AS camp FROM g)"""


# --- campaign: bursts of failures per target and per source (brute-force, chronic-failures) -------------

_BY = {"process": ("プロセス {v} による", "by the process {v}"), "workstation": ("コンピューター名 {v} からの",
                                                                       "from the workstation {v}"),
       "account": ("アカウント {v} への", "against the account {v}"), "source": ("送信元 {v} からの", "from {v}")}


# The note on what the failures were, by SubStatus: (ja, en) of each part, then how the parts are put together.
_NOTE_PARTS = (("wrong_password", "{n:,} 回は実在するアカウントへのパスワード間違い（SubStatus 0xC000006A：パスワード推測）",
                "{n:,} with a real account name and a wrong password (SubStatus 0xC000006A: guessing)"),
               ("unknown_user", "{n:,} 回は存在しないアカウント名（0xC0000064：アカウント名の探索）",
                "{n:,} with account names that do not exist (0xC0000064: enumeration)"))
_NOTE_FRAME = {"ja": ("うち ", "、", "。"), "en": ("Of these, ", "; ", ".")}


def _names_note(hit: Hit, lang: str) -> dict[str, str]:
    f = hit.facts
    if "wrong_password" not in f:
        return {}
    words = _BY.get(str(f.get("key")), ("{v}", "{v}"))[1 if lang == "en" else 0]
    head, sep, end = _NOTE_FRAME["en" if lang == "en" else "ja"]
    parts = [(en if lang == "en" else ja).format(n=f[key]) for key, ja, en in _NOTE_PARTS if f[key]]
    return {"by": words.format(v=f.get("by", "")), "names_note": head + sep.join(parts) + end if parts else ""}


# What a campaign may be counted by (the rule's `keys`, in order): the SQL of the key and the events that have one.
# A process or a workstation counts a local guessing tool, whose failures carry no source address.
CAMPAIGN_KEYS: dict[str, tuple[str, str]] = {
    "account": ("lower(target_user)", "target_user IS NOT NULL AND target_user <> '-'"),
    "source": ("src_ip", "src_ip IS NOT NULL"),
    "process": ("lower(process)", "process IS NOT NULL AND process NOT IN ('-', '')"),
    "workstation": ("upper(workstation)", "workstation IS NOT NULL AND workstation NOT IN ('-', '')"),
}


@correlator("campaign", words=_names_note)
def campaign(rule: Rule, ctx: Context) -> list[Hit]:
    """Bursts (burst: true) or long trickles without one (burst: false) of failures per key: the rule's `keys`
    (account, source, process, workstation; default account then source). A campaign mostly made of the events
    of one already found under an earlier key adds nothing and is dropped.

    Settings (the rule's own): gap_minutes, min_count, burst_count, burst_seconds, min_hours (trickles), and
    min_accounts: a source failing on that many accounts is left to the spraying rule."""
    p = ctx.params
    burst_mode = bool(rule.correlate.get("burst", True))
    spray_min = int(p.get("min_accounts", 10))
    hits: list[Hit] = []
    earlier: dict[str | None, list[Hit]] = defaultdict(list)  # the campaigns of the keys before, by host
    for name in rule.correlate.get("keys") or ("account", "source"):
        key, where = CAMPAIGN_KEYS[str(name)]
        seconds = _per_second(ctx, rule.select_from or rule.id, key, where)
        rows = [row for row in ctx.rows(_campaign_sql(seconds), _campaign_params(p, p))
                if (row["peak"] >= p["burst_count"]) == burst_mode and (burst_mode or delta_seconds(
                    row["first"], row["last"]) >= float(p["min_hours"]) * 3600)]  # a burst, or a long trickle
        evidence = _evidence_for(ctx, key, rows)  # for the campaigns kept only
        for i, row in enumerate(rows):
            duration = delta_seconds(row["first"], row["last"])
            row["ev"] = evidence.get(i, [])
            hit = _hit(row, facts={
                "key": str(name), "by": ctx.names.name(str(row["k"])) if name == "account" else str(row["k"]),
                "peak": row["peak"],
                "burst_seconds": p["burst_seconds"], "wrong_password": row["wrong_password"],
                "unknown_user": row["unknown_user"], "logon_types": sorted(t for t in row["logon_types"] if t is not None),
                "packages": _clean(row["packages"]), "workstations": _clean(row["workstations"])[:10],
                "rate_per_minute": round(row["n"] / max(duration / 60, 1), 1), "duration_s": duration})
            if _covered(hit, earlier[hit.host]) or (name == "source" and row["n_accounts"] >= spray_min):
                continue  # an earlier key's campaign says it, or it is spraying (password-spray says it)
            hits.append(hit)
        for hit in hits:
            if hit.facts["key"] == name:
                earlier[hit.host].append(hit)
    skip = rule.correlate.get("skip_overlapping") or []  # the rules whose findings already say these failures
    for other in [skip] if isinstance(skip, str) else skip:
        hits = [h for h in hits if not any(_overlaps(h, f) for f in ctx.findings.get(str(other), []))]
    return hits


def _per_second(ctx: Context, selection: str, key: str, where: str) -> str:
    """Failures counted per (host, key, second), made once per selection and key (brute-force and
    chronic-failures share them) so that millions of events are aggregated only once. Tables of the store's
    database, not TEMP ones: each rule queries on a cursor of its own."""
    name = f"sec_{abs(hash((selection, key))) % 10**8}"
    if name not in ctx.cache:
        base = _distinct_per_second(ctx, selection)
        ctx.db.execute(f"""
            CREATE OR REPLACE TABLE {name} AS
            SELECT host, {key} AS k, sec, sum(n)::BIGINT AS n, min(t0) AS t0, max(t1) AS t1,
                   coalesce(sum(n) FILTER (WHERE sub_status = '0xc000006a'), 0)::BIGINT AS wp,
                   coalesce(sum(n) FILTER (WHERE sub_status = '0xc0000064'), 0)::BIGINT AS uu,
                   list(DISTINCT target_user) AS accs, list(DISTINCT lower(target_user)) AS laccs,
                   list(DISTINCT src_ip) AS srcs, list(DISTINCT sel) AS sels, list(DISTINCT logon_type) AS lts,
                   list(DISTINCT auth_package) AS pks, {_distinct('workstation')}[1:20] AS wss
            FROM {base} WHERE {where} GROUP BY ALL""")
        ctx.cache.add(name)
    return name


def _distinct_per_second(ctx: Context, selection: str) -> str:
    """The selection's events counted per second and per distinct value of every column a campaign reports:
    one pass over the events, after which each key's per-second table aggregates far fewer rows."""
    name = f"dsec_{abs(hash(selection)) % 10**8}"
    if name not in ctx.cache:
        ctx.execute(f"""
            CREATE OR REPLACE TABLE {name} AS
            SELECT host, target_user, src_ip, sel, logon_type, auth_package, workstation, sub_status, process,
                   date_trunc('second', ts) AS sec, count(*) AS n, min(ts) AS t0, max(ts) AS t1
            FROM {ctx.view} WHERE ts IS NOT NULL GROUP BY ALL""")
        ctx.cache.add(name)
    return name


def _campaign_params(p: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    return {"gap_minutes": float(p["gap_minutes"]), "burst_window": max(int(base["burst_seconds"]) - 1, 0),
            "min_count": int(p["min_count"])}


def _campaign_sql(seconds: str) -> str:
    """Campaigns per (host, key) from the per-second counts: a quiet gap longer than $gap_minutes starts a
    new campaign; the peak is the most failures within burst_seconds (whole seconds: $burst_window before)."""
    return f"""
        WITH g AS (SELECT *, CASE WHEN sec - lag(sec) OVER (PARTITION BY host, k ORDER BY sec) > INTERVAL ($gap_minutes) MINUTE
                        THEN 1 ELSE 0 END AS brk FROM {seconds}),
        c AS (SELECT *, sum(brk) OVER (PARTITION BY host, k ORDER BY sec ROWS UNBOUNDED PRECEDING) AS camp FROM g),
        r AS (SELECT *, sum(n) OVER (PARTITION BY host, k, camp ORDER BY sec
                 RANGE BETWEEN INTERVAL ($burst_window) SECOND PRECEDING AND CURRENT ROW) AS win FROM c)
        SELECT host, k, camp, sum(n)::BIGINT AS n, min(t0) AS first, max(t1) AS last, max(win)::BIGINT AS peak,
               {_merged('accs')} AS accounts, {_merged('srcs')} AS sources,
               {_merged('sels')} AS sels, sum(wp)::BIGINT AS wrong_password, sum(uu)::BIGINT AS unknown_user,
               {_merged('lts')} AS logon_types, {_merged('pks')} AS packages,
               {_merged('wss')}[1:20] AS workstations,
               length(list_distinct(flatten(list(laccs)))) AS n_accounts
        FROM r GROUP BY host, k, camp HAVING sum(n) >= $min_count ORDER BY host, first, k, camp"""


def _evidence_for(ctx: Context, key: str, rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """The first events of each campaign, in one query joining the campaigns' (host, key, time range)."""
    if not rows:
        return {}
    import pyarrow as pa
    spans = pa.table({"i": list(range(len(rows))), "span_host": [r["host"] for r in rows],
                      "span_k": [r["k"] for r in rows],
                      "t0": pa.array([r["first"] for r in rows], pa.timestamp("us")),
                      "t1": pa.array([r["last"] for r in rows], pa.timestamp("us"))})
    ctx.db.register("spans", spans)
    try:
        sql = f"""SELECT i, {ctx.evidence_sql()} FROM {ctx.view} JOIN spans
                  ON host = span_host AND {key} = span_k AND ts BETWEEN t0 AND t1 GROUP BY i"""
        return {row["i"]: row["ev"] for row in ctx.rows(sql)}
    finally:
        ctx.db.unregister("spans")


def _overlaps(hit: Hit, other: Hit | Finding) -> bool:
    first = other.first if isinstance(other, Hit) else other.first_seen
    last = other.last if isinstance(other, Hit) else other.last_seen
    if hit.host != other.host or not (hit.first and hit.last and first and last):
        return False
    same_who = ({a.lower() for a in hit.accounts} & {a.lower() for a in other.accounts}) or (set(hit.sources) & set(other.sources))
    return bool(same_who) and hit.first <= last and first <= hit.last


def _covered(hit: Hit, earlier: list[Hit]) -> bool:
    """A campaign mostly made of one found under an earlier key (a source's, of an account's) adds nothing."""
    return any(t.facts.get("key") != hit.facts.get("key") and _overlaps(hit, t) and t.count * 2 >= hit.count
               for t in earlier)


# --- spray: one source, many accounts --------------------------------------------------------------------

def _spray_how(hit: Hit, lang: str) -> dict[str, str]:
    how = hit.facts.get("how")
    if not isinstance(how, tuple):
        return {}
    kind, n = how
    rate = hit.facts.get("per_second")
    return {"how": ({"explicit": f"明示的な資格情報の使用 (4648) が {n} 個のアカウントにそれぞれ多数回",
                     "failed": "ログオン失敗 (4625/4771/4768/SQL Server)",
                     "fast": f"ログオン失敗 (4625/4771/4768/SQL Server) が毎秒 {rate} 件、人には打てない速さ"} if lang == "ja" else
                    {"explicit": f"explicit-credential logons (4648), {n} accounts used many times each",
                     "failed": "failed logons (4625/4771/4768/SQL Server)",
                     "fast": f"failed logons (4625/4771/4768/SQL Server) at {rate} per second, faster than anyone types"})[kind]}


@correlator("spray", words=_spray_how)
def spray(rule: Rule, ctx: Context) -> list[Hit]:
    p = ctx.params
    explicit = [i for i, s in enumerate(rule.select) if s.get("_kind") == "explicit"]
    exp_list = ", ".join(map(str, explicit or [-1]))
    # One key per kind: 4648 by the account using the credentials, failures by the source address.
    key = f"CASE WHEN sel IN ({exp_list}) THEN 'explicit:' || lower(subject_user) ELSE 'failed:' || src_ip END"
    sql = f"""
        WITH s AS (SELECT host, {key} AS k, date_trunc('second', ts) AS sec, lower(target_user) AS t, count(*) AS n,
                      min(ts) AS t0, max(ts) AS t1, list(DISTINCT target_user) AS accs, list(DISTINCT src_ip) AS srcs,
                      list(DISTINCT subject_user) AS acts, list(DISTINCT sel) AS sels
                   FROM {ctx.view} WHERE ts IS NOT NULL GROUP BY ALL HAVING k IS NOT NULL),
        g AS (SELECT *, CASE WHEN sec - lag(sec) OVER (PARTITION BY host, k ORDER BY sec) > INTERVAL ($window_minutes) MINUTE
                        THEN 1 ELSE 0 END AS brk FROM s),
        c AS (SELECT *, sum(brk) OVER (PARTITION BY host, k ORDER BY sec ROWS UNBOUNDED PRECEDING) AS camp FROM g),
        per_t AS (SELECT host, k, camp, t, sum(n) AS tn FROM c GROUP BY ALL),
        busy AS (SELECT host, k, camp, count(*) FILTER (WHERE tn >= $explicit_min_each) AS busy_targets,
                        count(DISTINCT t) AS accounts_count FROM per_t GROUP BY ALL)
        SELECT c.host, c.k, c.camp, min(t0) AS first, max(t1) AS last, sum(n)::BIGINT AS n,
               {_merged('accs')} AS accounts, {_merged('srcs')} AS sources,
               {_merged('acts')} AS actors, {_merged('sels')} AS sels,
               any_value(b.busy_targets) AS busy_targets, any_value(b.accounts_count) AS accounts_count
        FROM c JOIN busy b ON b.host = c.host AND b.k = c.k AND b.camp = c.camp
        GROUP BY c.host, c.k, c.camp ORDER BY c.host, first, c.k, c.camp"""
    rows = []
    for row in ctx.rows(sql, {"window_minutes": float(p["window_minutes"]), "explicit_min_each": int(p["explicit_min_each"])}):
        kind, _, who = row["k"].partition(":")
        if kind == "explicit" and row["busy_targets"] >= p["explicit_min_targets"]:
            row["how"] = ("explicit", row["busy_targets"])
        elif kind == "failed" and row["accounts_count"] >= p["min_accounts"]:
            row["how"] = ("failed", row["accounts_count"])
        elif kind == "failed" and row["accounts_count"] >= p.get("fast_min_accounts", 5) and \
                _rate(row) >= p.get("fast_per_second", 5):  # fewer names, at a program's speed
            row["how"] = ("fast", row["accounts_count"])
        else:
            continue
        row["who"] = who
        rows.append(row)
    evidence = _evidence_for(ctx, key, rows)
    return [_hit({**row, "ev": evidence.get(i, [])},
                 facts={"accounts_count": row["accounts_count"], "how": row["how"], "source": row["who"],
                        **({"per_second": _rate(row)} if row["how"][0] == "fast" else {}),
                        "actors": _clean(row["actors"])})
            for i, row in enumerate(rows)]


def _rate(row: dict[str, Any]) -> int:
    """Failures per second over the campaign (a campaign shorter than a second counts as one second)."""
    secs = (row["last"] - row["first"]).total_seconds() if row["first"] and row["last"] else 0.0
    return int(row["n"] // max(secs, 1.0))


# --- follows: a success during or after an earlier rule's campaign ---------------------------------------

@correlator("follows")
def follows(rule: Rule, ctx: Context) -> list[Hit]:
    p = ctx.params
    hits = []
    seen: set[tuple[Any, ...]] = set()
    for prior_id in rule.after:
        for f in ctx.findings.get(prior_id, []):
            if not f.first_seen or not f.last_seen:
                continue
            accounts = [a.lower() for a in f.accounts]
            sql = f"""SELECT host, min(ts) AS first, max(ts) AS last, {_distinct('target_user')} AS accounts,
                        {_distinct('src_ip')} AS sources, {_distinct('logon_type')} AS logon_types,
                        list(DISTINCT sel) AS sels, {ctx.evidence_sql()}
                      FROM {ctx.view}
                      WHERE host = $host AND ts BETWEEN $first - INTERVAL ($before_minutes) MINUTE
                                                    AND $last + INTERVAL ($after_minutes) MINUTE
                        AND (lower(target_user) IN (SELECT unnest($accounts::VARCHAR[]))
                             OR src_ip IN (SELECT unnest($sources::VARCHAR[])))
                      GROUP BY host"""
            args = {"host": f.host, "first": f.first_seen.replace(tzinfo=None), "last": f.last_seen.replace(tzinfo=None),
                    "accounts": accounts, "sources": f.sources, "before_minutes": float(p["before_minutes"]),
                    "after_minutes": float(p["after_minutes"])}
            for row in ctx.rows(sql, args):
                key = (row["host"], tuple((e["file"], e["record_id"]) for e in row["ev"]))
                if key in seen:
                    continue  # the same successes already follow another campaign
                seen.add(key)
                hit = _hit(row, facts={"guess_rule": prior_id, "guess_count": f.count, "target": ctx.names.distinct(f.accounts) or f.sources,
                                       "success_first": as_utc(row["first"]), "success_count": row["n"],
                                       "logon_types": sorted(t for t in row["logon_types"] if t is not None)})
                hit.evidence = [e for e in f.evidence[:20]] + hit.evidence
                hits.append(hit)
    return hits


# --- malware: an antivirus detection, and whether it was stopped ------------------------------------------

def _malware_words(hit: Hit, lang: str) -> dict[str, str]:
    f = hit.facts
    blocked, unblocked = f.get("blocked", 0), f.get("not_blocked", 0)
    if lang == "ja":
        text = ("隔離・削除されました" if blocked and not unblocked else
                f"{unblocked} 件は隔離・削除されていません（許可・失敗・未処理）" if unblocked else
                "対処（隔離・削除）の記録はありません")
    else:
        text = ("quarantined or removed" if blocked and not unblocked else
                f"{unblocked} not quarantined or removed (allowed, failed or no action)" if unblocked else
                "no record of an action (quarantine or removal)")
    return {"blocked": text}


@correlator("malware", words=_malware_words)
def malware(rule: Rule, ctx: Context) -> list[Hit]:
    """One hit per host and quiet-gap-bounded period: the threats detected, and how many actions stopped them
    (selections labelled _kind: detected / action; an action stopped the threat when its action is quarantine,
    remove or block (2, 3, 10) and its error code is zero)."""
    action = [i for i, s in enumerate(rule.select) if s.get("_kind") == "action"]
    acts = ", ".join(map(str, action or [-1]))
    stopped = "(try_cast(action AS INTEGER) IN (2, 3, 10) AND coalesce(status, '0x0') = '0x0')"
    sql = f"""{_gap_split(ctx.view, 'host')}
        SELECT host, camp, min(ts) AS first, max(ts) AS last, count(*) AS n, {_distinct('target_user')} AS accounts,
               {_distinct('src_ip')} AS sources, list(DISTINCT sel) AS sels,
               list_sort(list(DISTINCT message) FILTER (WHERE message IS NOT NULL)) AS threats,
               count(*) FILTER (WHERE sel IN ({acts}) AND {stopped}) AS blocked,
               count(*) FILTER (WHERE sel IN ({acts}) AND NOT {stopped}) AS not_blocked, {ctx.evidence_sql()}
        FROM c GROUP BY host, camp ORDER BY host, camp"""
    hits = []
    for row in ctx.rows(sql, {"gap_minutes": float(ctx.params.get("gap_hours", 24)) * 60}):
        hit = _hit(row, facts={"whats": _clean(row["threats"]), "threats": _clean(row["threats"]),
                               "blocked": int(row["blocked"]), "not_blocked": int(row["not_blocked"])})
        # stopped: worth a look (where did it come from?); not stopped, or no action recorded: act now
        hit.severity = Severity.MEDIUM if row["blocked"] and not row["not_blocked"] else Severity.HIGH
        hits.append(hit)
    return hits


# --- group: one hit per group of matching events (and per kind of selection) ------------------------------

@correlator("group")
def group(rule: Rule, ctx: Context) -> list[Hit]:
    names = correlate_names({"by": ["host"], "what": ["message", "command_line", "image_path"], "target": "param2",
                             **rule.correlate}, rule.source)  # columns, checked: they are spliced into the SQL
    by, what_cols, target_cols = names["by"], names["what"], names["target"]
    what = "coalesce(" + ", ".join(what_cols) + ")" if len(what_cols) > 1 else what_cols[0]
    target = "coalesce(" + ", ".join(target_cols) + ")" if len(target_cols) > 1 else target_cols[0]  # first named
    # context: what else the events say about each act (the parent that started a process), kept as its own fact
    context = names.get("context")
    context_sql = f", {_distinct('coalesce(' + ', '.join(context) + ')')} AS context" if context else ""
    cols = ", ".join(by)
    # split_hours: events further apart than this are separate findings (a log cleared in January and again in
    # March are two acts, not one finding spanning two months)
    split = rule.correlate.get("split_hours")
    pre, source, burst = (_gap_split(ctx.view, cols), "c", ", camp") if split else ("", ctx.view, "")
    sql = f"""{pre} SELECT {cols}, sel{burst}, min(ts) AS first, max(ts) AS last, {_distinct('target_user')} AS accounts,
                 {_distinct('src_ip')} AS sources, {_distinct('subject_user')} AS actors,
                 {_distinct("coalesce(nullif(member, '-'), member_sid)")} AS members,
                 {_distinct(f'left({what}, 300)')} AS whats, {_distinct(target)} AS targets,
                 {_distinct('left(command_line, 300)')} AS commands, {_distinct('service')} AS services,
                 list_sort(list(DISTINCT message) FILTER (WHERE message IS NOT NULL)) AS details{context_sql},
                 {ctx.evidence_sql()}
              FROM {source} GROUP BY {cols}, sel{burst} ORDER BY {cols}{burst}, sel"""
    merged: dict[tuple[Any, ...], Hit] = {}
    for row in ctx.rows(sql, {"gap_minutes": float(split) * 60} if split else None):
        labels = rule.label(row["sel"])
        key = tuple(row[c] for c in by) + (row.get("camp"),
                                           str({k: v for k, v in labels.items() if k in ("_label", "_what", "_how")}))
        hit = _hit({**row, "sels": [row["sel"]]}, facts={
            "actors": _clean(row["actors"]), "members": _clean(row["members"]), "whats": _clean(row["whats"]),
            "targets": _clean(row["targets"]), "commands": _clean(row["commands"]), "services": _clean(row["services"]),
            "details": _clean(row["details"]), **({"context": _clean(row["context"])} if context else {})})
        if "_severity" in labels:
            hit.severity = Severity.parse(labels["_severity"])
        if key in merged:
            _merge(merged[key], hit, ctx.limit)
        else:
            merged[key] = hit
    return list(merged.values())


def _merge(into: Hit, hit: Hit, limit: int) -> None:
    into.first = min(filter(None, [into.first, hit.first]), default=None)
    into.last = max(filter(None, [into.last, hit.last]), default=None)
    into.count += hit.count
    into.evidence_total += hit.evidence_total
    into.evidence = (into.evidence + hit.evidence)[:limit]
    into.accounts = _clean(into.accounts + hit.accounts)
    into.sources = _clean(into.sources + hit.sources)
    into.sels = sorted(set(into.sels + hit.sels))
    if hit.severity is not None and (into.severity is None or hit.severity > into.severity):
        into.severity = hit.severity
    for k, v in hit.facts.items():
        if isinstance(v, list):
            into.facts[k] = _clean(into.facts.get(k, []) + v)


# --- rdp: the (server, account, source) inventory, checked against an allowlist --------------------------

def _allow_note(hit: Hit, lang: str) -> dict[str, str]:
    f = hit.facts
    if f.get("allowed") is False:
        note = "許可リストにない組み合わせです。" if lang == "ja" else "This combination is NOT in the allowlist."
    elif f.get("allowed"):
        note = "許可リストにある組み合わせです。" if lang == "ja" else "This combination is in the allowlist."
    elif f.get("rare"):
        note = "このサーバーではまれな組み合わせです。" if lang == "ja" else "A rare combination on this server."
    else:
        note = ""
    return {"allow_note": note}


@lru_cache(maxsize=4)
def allowlist(path: str | None) -> list[tuple[str, str, str]] | None:
    """The RDP allowlist's (server, account, source) rows; the command line checked the file before the scan."""
    return load_rdp_allowlist(Path(path)) if path else None


@correlator("rdp", words=_allow_note)
def rdp(rule: Rule, ctx: Context) -> list[Hit]:
    allow = allowlist(ctx.config.get("rdp_allowlist"))
    sql = f"""SELECT host, lower(target_user) AS acc, src_ip, min(ts) AS first, max(ts) AS last,
                 {_distinct('target_user')} AS accounts, {_distinct('src_ip')} AS sources, list(DISTINCT sel) AS sels,
                 {_distinct('channel')} AS channels, {ctx.evidence_sql()}
              FROM {ctx.view} GROUP BY host, lower(target_user), src_ip ORDER BY host, first, acc, src_ip"""
    rows = list(ctx.rows(sql))
    pairs_per_host: dict[str, int] = {}
    for row in rows:
        pairs_per_host[row["host"]] = pairs_per_host.get(row["host"], 0) + 1
    hits = []
    for row in rows:
        hit = _hit(row, facts={"channels": row["channels"]})
        if allow is not None:
            allowed = any(_glob(s, row["host"]) and _glob(a, row["acc"] or "") and _glob(src, row["src_ip"] or "")
                          for s, a, src in allow)
            hit.facts["allowed"] = allowed
            hit.severity = Severity.INFO if allowed else Severity.HIGH
        elif row["n"] <= 2 and pairs_per_host[row["host"]] > 1:
            hit.facts["rare"] = True
            hit.severity = Severity.LOW
        hits.append(hit)
    return hits


def _glob(pattern: str, value: str) -> bool:
    from fnmatch import fnmatchcase
    return fnmatchcase(value.lower(), pattern.lower())


# --- spread: one account or source on many hosts (lateral movement) -------------------------------------

@correlator("spread")
def spread(rule: Rule, ctx: Context) -> list[Hit]:
    p = ctx.params
    hits: list[Hit] = []
    for key in ("lower(target_user)", "src_ip"):
        sql = _gap_split(ctx.view, "k", "k IS NOT NULL", f"*, {key} AS k") + f"""
            SELECT k, camp, NULL AS host, min(ts) AS first, max(ts) AS last, {_distinct('host')} AS hosts,
                   {_distinct('target_user')} AS accounts, {_distinct('src_ip')} AS sources,
                   {_distinct('logon_type')} AS logon_types, list(DISTINCT sel) AS sels, {ctx.evidence_sql()}
            FROM c GROUP BY k, camp HAVING count(DISTINCT host) >= $min_hosts ORDER BY k, camp"""
        for row in ctx.rows(sql, {"gap_minutes": float(p["gap_minutes"]), "min_hosts": int(p["min_hosts"])}):
            hit = _hit(row, facts={"hosts": sorted(row["hosts"]), "hosts_count": len(row["hosts"]),
                                   "who": ctx.names.name(row["k"]) if key == "lower(target_user)" else row["k"],
                                   "logon_types": sorted(t for t in row["logon_types"] if t is not None)})
            if not any(set(hit.facts["hosts"]) <= set(h.facts["hosts"]) and _time_overlap(hit, h) for h in hits):
                hits.append(hit)
    return hits


def _time_overlap(a: Hit, b: Hit) -> bool:
    return bool(a.first and a.last and b.first and b.last and a.first <= b.last and b.first <= a.last)


# --- off_hours: privileged interactive/RDP logons at night -----------------------------------------------

@correlator("off_hours")
def off_hours(rule: Rule, ctx: Context) -> list[Hit]:
    p = ctx.params
    start, end = int(p["night_start"]), int(p["night_end"])
    hour = "hour((ts AT TIME ZONE 'UTC') AT TIME ZONE $tz)"
    night = f"({hour} >= $start OR {hour} < $end)" if start > end else f"({hour} >= $start AND {hour} < $end)"
    sql = f"""SELECT host, lower(target_user) AS acc, min(ts) AS first, max(ts) AS last,
                 {_distinct('target_user')} AS accounts, {_distinct('src_ip')} AS sources, list(DISTINCT sel) AS sels,
                 {ctx.evidence_sql()}
              FROM {ctx.view} v
              WHERE ts IS NOT NULL AND {night} AND (lower(target_user) = 'administrator' OR target_sid LIKE '%-500'
                 OR EXISTS (SELECT 1 FROM events p WHERE p.event_id = 4672 AND p.channel = 'Security'
                            AND p.host = v.host AND p.logon_id = v.logon_id))
              GROUP BY host, lower(target_user) ORDER BY host, lower(target_user)"""
    return [_hit(row, facts={"night": f"{start}:00–{end}:00"})
            for row in ctx.rows(sql, {"tz": ctx.tz, "start": start, "end": end})]


# --- coverage: how many days each host's log covers -----------------------------------------------------

def _coverage_notes(hit: Hit, lang: str) -> dict[str, str]:
    f = hit.facts
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
    return {"notes": " ".join(notes)}


@correlator("coverage", words=_coverage_notes)
def coverage(rule: Rule, ctx: Context) -> list[Hit]:
    p = ctx.params
    # The files per log are listed apart from the per-second counts: a list per second costs 3x the query.
    sql = f"""WITH e AS (SELECT host, channel, ts, file FROM events WHERE ts > TIMESTAMP '1980-01-01' AND channel <> ''),
                  s AS (SELECT host, channel, date_trunc('second', ts) AS sec, count(*) AS n, min(ts) AS t0, max(ts) AS t1
                        FROM e GROUP BY ALL),
                  m AS (SELECT *, sec - lag(sec) OVER (PARTITION BY host, channel ORDER BY sec) AS gap FROM s),
                  f AS (SELECT host, channel, {_distinct('file')} AS files FROM e GROUP BY ALL)
             SELECT host, channel, min(t0) AS first, max(t1) AS last, sum(n)::BIGINT AS n,
                    coalesce(epoch(max(gap)), 0) / 3600.0 AS largest_gap_hours, any_value(files) AS files, [] AS ev
             FROM m JOIN f USING (host, channel) GROUP BY host, channel ORDER BY host, channel"""
    hits = []
    rec_kb = p.get("recommended_kb", {})
    for row in ctx.rows(sql):
        days = delta_seconds(row["first"], row["last"]) / 86400
        sizes = [ctx.inputs_size[f] for f in row["files"] if f in ctx.inputs_size]
        hit = _hit(row, facts={"channel": row["channel"], "days": round(days, 1), "files": row["files"],
                               "largest_gap_hours": round(row["largest_gap_hours"], 1),
                               "file_kb": round(max(sizes) / 1024) if sizes else None,
                               "recommended_kb": rec_kb.get(row["channel"], rec_kb.get("default", 20000)),
                               "short": days < float(p["min_days"]), "min_days": p["min_days"],
                               "gap_hours": p["gap_hours"]})
        hit.severity = Severity.LOW if hit.facts["short"] else Severity.INFO
        hits.append(hit)
    return hits

