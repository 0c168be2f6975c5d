"""The MHLW checklist: item data, automatic answers from evidence, the answers file, and conflicts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .. import useryaml
from ..checks.factspec import fact, family
from ..checks.finding import make, spec_of
from ..checks.spec import spec_for
from ..model import Finding, Severity, Text
from ..report.messages import both, message
from .dates import parse_date
from .inventory import Inventory, InventoryError, Problem, read_yaml
from .rules import load_yaml

VERSIONS = ("R5", "R6", "R7")
TARGETS = ("医療機関", "事業者")
YES, NO, NA = "はい", "いいえ", "該当なし"
ANSWER_CLASS = {YES: "pass", NO: "fail", NA: "neutral"}  # an answer's class on the pages (its label in the catalog)
_ANSWER_WORDS = {"はい": YES, "yes": YES, "y": YES, "いいえ": NO, "no": NO, "n": NO,
                 "該当なし": NA, "na": NA, "n/a": NA, "対象外": NA}


@dataclass
class Row:
    """One line of the form: an item, or one device row of it."""

    key: str  # "2-(4) サーバ" or "2-(1)"
    item_id: str
    number: str  # as printed in this version (R7 uses circled numbers)
    name: str
    device: str
    item: dict[str, Any]


@dataclass(frozen=True)
class Proof:
    """One line of an automatic answer's evidence: what it says (ja, en) and the check or inventory path it rests on
    (a rule id such as `net.unlisted-host`, or `people.safety_manager`; shown on hover)."""

    text: Text
    ref: str = ""
    check: bool = False  # ref is a check's rule id (a finding's summary names it; an inventory line names its place)

    def get(self, lang: str) -> str:
        return self.text.get(lang)

    def line(self, lang: str) -> str:
        """The line as a finding's summary cites it: a check's finding with its rule id, 'net.unlisted-host: PC1 …'."""
        return f"{self.ref}: {self.get(lang)}" if self.check else self.get(lang)


@dataclass
class Answer:
    """An answer with its date, target date, note, and where it came from."""

    answer: str
    date: dt.date | None = None
    target_date: dt.date | None = None
    note: str = ""
    source: str = "human"  # human / auto
    evidence: list[Proof] = field(default_factory=list)


@dataclass
class Filled:
    """A row with the answer used, the automatic one, and a conflict when they differ."""

    row: Row
    final: Answer | None
    auto: Answer | None
    human: Answer | None

    @property
    def conflict(self) -> bool:
        return bool(self.auto and self.human and self.auto.answer != self.human.answer)


def load_items(path: Path | None = None) -> dict[str, Any]:
    """Checklist item data: the shipped file, or a user's updated copy."""
    if path is None:
        return dict(load_yaml("checklist.yml"))
    return dict(useryaml.load(path.read_text("utf-8")))


def rows(data: dict[str, Any], version: str, target: str) -> list[Row]:
    """The form's rows for a version (R5/R6/R7) and target (医療機関/事業者)."""
    out = []
    for it in data["items"]:
        if version not in it.get("versions", VERSIONS) or target not in it.get("targets", TARGETS):
            continue
        number = str(it.get("r7_id") or it["id"]) if version == "R7" else str(it["id"])
        devs = [r for r in it.get("rows") or [] if version in r.get("versions", VERSIONS)]
        if not devs:
            out.append(Row(str(it["id"]), str(it["id"]), number, str(it["name"]), "", it))
        for r in devs:
            out.append(Row(f"{it['id']} {r['device']}", str(it["id"]), number, str(it["name"]), str(r["device"]), it))
    return out


@dataclass
class Evidence:
    """What WardWatch knows: the inventory and findings (its own, audit's, scan's)."""

    inventory: Inventory | None
    findings: list[dict[str, Any]]  # finding dicts as in findings.json (rule, host, title, ...)
    audit_given: bool = False
    scan_given: bool = False
    host_os: dict[str, str] = field(default_factory=dict)  # HOST (upper case) → OS, from audits' findings.json


def _people(ev: Evidence) -> dict[str, Any]:
    return dict(ev.inventory.data.get("people") or {}) if ev.inventory else {}


Pred = Callable[[Evidence], tuple[bool | None, Proof | None]]


def _where(key: str) -> Text:
    """'台帳の安全管理責任者' / 'Inventory, safety manager': the inventory part a line of evidence comes from."""
    return both("checklist.in_inventory", name=both(f"checklist.inventory.{key}"))


def _say(key: str, ref: str, where: str | None = None, **values: Any) -> Proof:
    """A line of evidence from the catalog; `where`: the inventory part it names (its {where} in each language)."""
    return Proof(both(key, **values, **({"where": _where(where)} if where is not None else {})), ref)


def _when(value: Any, lang: str) -> str:
    """An inventory date as written (令和5年4月1日), in English as 2023-04-01; '' when there is none."""
    if value in (None, ""):
        return ""
    if lang != "en" and not isinstance(value, date):
        return str(value)
    try:
        return parse_date(value).isoformat()
    except ValueError:
        return str(value)


def _p_safety(ev: Evidence) -> tuple[bool | None, Proof | None]:
    if not ev.inventory:
        return None, None
    sm = _people(ev).get("safety_manager") or {}
    ok = bool(sm.get("name") and sm.get("appointed"))
    why = None if ok else both("checklist.no_appointed" if sm.get("name") else "checklist.no_manager")
    at = _where("people.safety_manager")
    texts = [f"{at.get(lang)}: {sm.get('name') or message('checklist.unregistered', lang)} {_when(sm.get('appointed'), lang)}"
             .strip() + (why.get(lang) if why else "") for lang in ("ja", "en")]
    return ok, Proof(Text(*texts), "people.safety_manager")


def _p_contact(ev: Evidence) -> tuple[bool | None, Proof | None]:
    if not ev.inventory:
        return None, None
    cc = _people(ev).get("contact_chart") or {}
    need = ["事業者", "厚労省", "警察"]
    missing = [n for n in need if not any(n in str(c) for c in cc.get("contacts") or [])]
    ok = bool(cc.get("updated")) and not missing
    none = both("checklist.none")
    updated = Text(*(_when(cc.get("updated"), lang) or none.get(lang) for lang in ("ja", "en")))
    gaps = Text(*(", ".join(message(f"checklist.contact.{n}", lang) for n in missing) or none.get(lang)
                  for lang in ("ja", "en")))
    return ok, _say("checklist.ev.contact", "people.contact_chart", "people.contact_chart", updated=updated,
                    missing=gaps)


def _p_count(key: str) -> Pred:
    def pred(ev: Evidence) -> tuple[bool | None, Proof | None]:
        if not ev.inventory:
            return None, None
        n = len(ev.inventory.section(key))
        return (n > 0) or None, _say("checklist.ev.count", key, key, n=n)
    return pred


def _p_hosts(ev: Evidence) -> tuple[bool | None, Proof | None]:
    if not ev.inventory:
        return None, None
    hosts = ev.inventory.section("hosts")
    bare = [h["name"] for h in hosts if not h.get("os")]
    ok = bool(hosts) and not bare
    return ok, _say("checklist.ev.hosts", "hosts", "hosts", n=len(hosts), bare=len(bare))


def _p_mds(ev: Evidence) -> tuple[bool | None, Proof | None]:
    if not ev.inventory:
        return None, None
    vend = [s for s in ev.inventory.section("systems") if s.get("vendor")]
    missing = [str(s["name"]) for s in vend if not s.get("mds_sds")]
    return (not missing) if vend else None, _say("checklist.ev.mds", "systems",
                                                 missing=", ".join(missing) or both("checklist.none"))


def _p_given(audit: bool, scan: bool) -> Pred:
    def pred(ev: Evidence) -> tuple[bool | None, Proof | None]:
        ok = (audit and ev.audit_given) or (scan and ev.scan_given)
        return (True if ok else None), _say("checklist.nothing_found", "") if ok else None
    return pred


PREDICATES: dict[str, Pred] = {
    "has_systems": _p_count("systems"),
    "safety_manager": _p_safety,
    "contact_chart": _p_contact,
    "hosts_listed": _p_hosts,
    "remote_listed": _p_count("remote_access"),
    "backups_listed": _p_count("backups"),
    "mds_sds": _p_mds,
    "audit_given": _p_given(True, False),
    "audit_or_scan_given": _p_given(True, True),
}


def names_rule(entry: str, rule: str) -> bool:
    """True when a fail_rules entry names rule: its id (`net.unlisted-host`), its name within its family
    (`log-size` for `audit.log-size`), or a whole family (`backup.`). Never a part of a name."""
    entry = entry.partition("@")[0]
    if entry.endswith("."):
        return rule.startswith(entry)
    return rule == entry or rule.partition(".")[2] == entry


def _qualifies(entry: str, finding: dict[str, Any]) -> bool:
    """`rule@exposure`: only findings whose facts.exposure names it (a vulnerable remote-maintenance device)."""
    _, _, need = entry.partition("@")
    return not need or need in (fact(finding, "exposure") or [])


# The device classes of the form's rows, and the inventory roles that belong to each.
DEVICE_ROLES = {"サーバ": {"server", "nas"}, "端末PC": {"terminal", "wordprocessor"},
                "ネットワーク機器": {"firewall", "router", "l3switch", "vpn"}}


def device_class(host: str | None, ev: Evidence) -> str | None:
    """サーバ / 端末PC / ネットワーク機器 of a finding's host: its inventory role, else a Windows Server name in an
    audit's OS; None when nothing says (such a finding proves nothing for a row of one device class)."""
    if not host:
        return None
    if ev.inventory is not None:
        h = ev.inventory.host(host)
        if h is not None:
            return next((c for c, roles in DEVICE_ROLES.items() if h.get("role") in roles), None)
    os_name = ev.host_os.get(host.upper(), "")
    if os_name:
        return "サーバ" if "server" in os_name.lower() else "端末PC"
    return None


def _for_row(row: Row, f: dict[str, Any], ev: Evidence) -> bool:
    """A finding proves a row of one device class only when its host is of that class (a finding about the whole
    network, with no host, counts for every row; one on a host of unknown class for none of the class rows)."""
    if row.device in ("", "医療情報システム全般") or row.device not in DEVICE_ROLES or not f.get("host"):
        return True
    return device_class(f.get("host"), ev) == row.device


def _titled(f: dict[str, Any]) -> Text:
    """'PC1 Host not in the inventory': a finding's host and title, in each language from its check's spec where the
    title is fixed text (a findings.json holds one language, the one its run was written in), else as written."""
    spec = spec_for(str(f.get("rule", "")))
    title = spec.title if spec is not None and spec.title.ja and "{" not in spec.title.ja + spec.title.en else \
        Text(*[str(f.get("title") or "")] * 2)
    # a finding without a host (a system of the inventory: backups, retention) is named by its system
    where = f.get("host") or (f.get("facts") or {}).get("system") or ""
    return Text(*(f"{where} {title.get(lang)}".strip() for lang in ("ja", "en")))


def auto_answer(row: Row, ev: Evidence, today: date) -> Answer | None:
    """The answer WardWatch can give from evidence, with the evidence it rests on; None when it cannot."""
    spec = row.item.get("auto") or {}
    pats = [str(p) for p in spec.get("fail_rules") or []]
    hits = [f for f in ev.findings if any(names_rule(p, str(f.get("rule", ""))) and _qualifies(p, f) for p in pats)
            and str(f.get("severity", "")) not in ("info",) and _for_row(row, f, ev)]
    if hits:
        lines = [Proof(_titled(f), str(f.get("rule")), True) for f in hits[:8]]
        if len(hits) > 8:
            lines.append(_say("checklist.ev.more", "", n=len(hits) - 8))
        return Answer(NO, today, None, "", "auto", lines)
    pred = PREDICATES.get(str(spec.get("pass_when", "")))
    if pred is None:
        return None
    if row.device in DEVICE_ROLES and str(spec.get("pass_when", "")).startswith("audit") and \
            row.device not in {device_class(h, ev) for h in [*ev.host_os, *(str(f.get("host") or "") for f in ev.findings
                                                                           if str(f.get("rule", "")).startswith("audit."))]}:
        return None  # no audited host of this class: nothing proves the row either way
    ok, why = pred(ev)
    if ok is None:
        return None
    return Answer(YES if ok else NO, today, None, "", "auto", [why] if why else [])


def answer_label(word: str | None, lang: str) -> str:
    """はい / いいえ / 該当なし (Yes / No / N/A), or 未回答 (Unanswered) for no answer."""
    return message(f"checklist.answer.{ANSWER_CLASS.get(word or '', 'open')}", lang)


def parse_answer_word(value: Any) -> str | None:
    """はい / いいえ / 該当なし from what a person wrote (yes/no/na accepted)."""
    if isinstance(value, bool):  # YAML reads an unquoted yes/no as a boolean
        return YES if value else NO
    return _ANSWER_WORDS.get(str(value).strip().lower()) if value is not None else None


def load_answers(path: Path, version: str, target: str) -> dict[str, Answer]:
    """Human answers; a file for another checklist version or target is an error."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InventoryError(str(path), [Problem(None, "", f"cannot read: {exc}")]) from None
    except UnicodeDecodeError as exc:
        raise InventoryError(str(path), [Problem(None, "", f"not a usable answers file: not UTF-8 text ({exc})")]) from None
    data, lines = read_yaml(text, str(path))
    data = data or {}
    if not isinstance(data, dict):
        raise InventoryError(str(path), [Problem(1, "", "an answers file is a YAML mapping (checklist_version:, "
                                                        f"target:, answers:), not a {type(data).__name__}")])
    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        raise InventoryError(str(path), [Problem(lines.get(("answers",)), "answers",
                                                 f"expected a mapping of item: answer, not a {type(answers).__name__}")])
    probs: list[Problem] = []
    if str(data.get("checklist_version", "")) != version:
        probs.append(Problem(lines.get(("checklist_version",)), "checklist_version",
                             f"this answers file is for checklist version {data.get('checklist_version')!r}, "
                             f"not {version} (copy it for the new version and check each answer)"))
    if data.get("target", target) != target:
        probs.append(Problem(lines.get(("target",)), "target", f"answers are for {data.get('target')}, not {target}"))
    out: dict[str, Answer] = {}
    for key, val in answers.items():
        val = val if isinstance(val, dict) else {"answer": val}
        word = parse_answer_word(val.get("answer"))
        if val.get("answer") in (None, ""):
            continue
        if word is None:
            probs.append(Problem(lines.get(("answers", str(key), "answer")) or lines.get(("answers", str(key))),
                                 f"answers.{key}.answer", f"{val.get('answer')!r} is not はい / いいえ / 該当なし"))
            continue
        dates: dict[str, date | None] = {}
        for k in ("date", "target_date"):
            try:
                dates[k] = parse_date(val[k]) if val.get(k) else None
            except ValueError as exc:
                probs.append(Problem(lines.get(("answers", str(key), k)), f"answers.{key}.{k}", str(exc)))
                dates[k] = None
        out[str(key)] = Answer(word, dates["date"], dates["target_date"], str(val.get("note") or ""), "human")
    if probs:
        raise InventoryError(str(path), probs)
    return out


def fill(rowlist: list[Row], ev: Evidence, human: dict[str, Answer], today: date) -> list[Filled]:
    """Each row's final answer: the human one wins, the automatic one fills gaps, differences are conflicts."""
    out = []
    for row in rowlist:
        h = human.get(row.key) or human.get(row.item_id)
        a = auto_answer(row, ev, today)
        out.append(Filled(row, h or a, a, h))
    return out


def rule_id(item_id: str) -> str:
    """checklist.<item id as the form writes it> (2-(8) and 2-⑧ are different items: their ids stay apart)."""
    return "checklist." + ("_".join(str(item_id).split()) or "item")


def _label(row: Row, lang: str) -> str:
    """'2-⑤ 不要アカウントの削除（端末PC）' / '2-⑤ Unneeded accounts deleted (PCs)': a row as a finding names it."""
    name = str(row.item.get("name_en") or row.name) if lang == "en" else row.name
    device = message(f"checklist.device.{row.device}", lang) if row.device else ""
    return f"{number_label(row, lang)} {name}" + ((f" ({device})" if lang == "en" else f"（{device}）") if device else "")


def number_label(row: Row, lang: str) -> str:
    """The row's number as the form prints it; in English, a number in words (規程類) is the item's number_en."""
    return str(row.item.get("number_en") or row.number) if lang == "en" else row.number


def _both(key: str, f: Filled, **values: Text) -> Text:
    """A finding's text in each language, its values (the row's label, answers, evidence) worded in that language."""
    return both(key, label=Text(_label(f.row, "ja"), _label(f.row, "en")), **values)


def _in_both(word: str) -> Text:
    return Text(answer_label(word, "ja"), answer_label(word, "en"))


def _evidence_text(proofs: list[Proof]) -> Text:
    return Text(*("; ".join(p.line(lang) for p in proofs) for lang in ("ja", "en")))


def findings(filled: list[Filled]) -> list[Finding]:
    """A finding for every row answered いいえ, left unanswered, or in conflict."""
    out = []
    for f in filled:
        if f.conflict:
            assert f.auto and f.human
            out.append(_finding(f, Severity.MEDIUM, _both("checklist.finding.conflict", f),
                                _both("checklist.finding.conflict_text", f, human=_in_both(f.human.answer),
                                      auto=_in_both(f.auto.answer), evidence=_evidence_text(f.auto.evidence))))
        elif f.final is None:
            out.append(_finding(f, Severity.LOW, _both("checklist.finding.open", f), both("checklist.finding.open_text")))
        elif f.final.answer == NO:
            said = _evidence_text(f.final.evidence)
            out.append(_finding(f, Severity.MEDIUM, _both("checklist.finding.no", f),
                                Text(*(said.get(lang) or f.final.note or answer_label(NO, lang) for lang in ("ja", "en")))))
    return out


def row_answers(filled: list[Filled]) -> list[dict[str, Any]]:
    """Every row of the form with its answer (はい / いいえ / 該当なし, None when unanswered) and whether the automatic
    and human answers differ: what findings.json cannot say alone (a row answered はい makes no finding)."""
    return [{"row": f.row.key, "item": f.row.item_id, "number": f.row.number, "name": f.row.name,
             "device": f.row.device, "answer": f.final.answer if f.final else None,
             "source": f.final.source if f.final else None, "conflict": f.conflict} for f in filled]


def _finding(f: Filled, sev: Severity, title: Text, summary: Text) -> Finding:
    advice = both("checklist.finding.advice", hints=Text(evidence_hints(f.row, "ja") or "—",
                                                         evidence_hints(f.row, "en") or "—"))
    spec = spec_of(rule_id(f.row.item_id), sev, title, advice, seed="004 医療ISAC 手引き / MHLW チェックリスト",
                   facts=family("checklist"))
    return make(spec, summary=summary, advice=advice, facts={"row": f.row.key, "device": f.row.device})


def evidence_hints(row: Row, lang: str) -> str:
    """The records that show an item is done (evidence_hints, in English evidence_hints_en where the data has it)."""
    hints = (row.item.get("evidence_hints_en") if lang == "en" else None) or row.item.get("evidence_hints") or []
    return ("; " if lang == "en" else "、").join(map(str, hints))


def answers_template(rowlist: list[Row], version: str, target: str, existing: dict[str, Answer]) -> str:
    """An answers file (YAML) listing every row, keeping existing answers."""
    lines = [f"# チェックリスト回答ファイル ({version} / {target})。answer: はい / いいえ / 該当なし",
             "# date / target_date: 2024-04-01 または 令和6年4月1日。「いいえ」には target_date（目標日）を。",
             f"checklist_version: {version}", f"target: {target}", "answers:"]
    for r in rowlist:
        a = existing.get(r.key)
        lines.append(f"  {yaml.safe_dump(r.key, allow_unicode=True).splitlines()[0]}:  # {r.number} {r.name}")
        lines.append(f"    answer: {a.answer if a else ''}")
        lines.append(f"    date: {a.date.isoformat() if a and a.date else ''}")
        lines.append(f"    target_date: {a.target_date.isoformat() if a and a.target_date else ''}")
        lines.append(f"    note: {yaml.safe_dump(a.note, allow_unicode=True).splitlines()[0] if a and a.note else ''}")
    return "\n".join(lines) + "\n"
