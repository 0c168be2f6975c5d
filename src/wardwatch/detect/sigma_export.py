"""Writes the seed rules as Sigma rules (detections plus v2 correlations) so they can be read and tuned like any rule."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import yaml

from .lists import ValueLists, load_lists
from .rules import Rule, load_rules

NAMESPACE = uuid.UUID("6f1c1a52-7d3e-4f0e-9b8a-57a1d0c0a5e1")
LEVEL = {"info": "informational", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
# Our normalized columns → the event field Sigma rules name (EventData keys, or System fields).
FIELDS = {
    "channel": "Channel", "provider": "Provider_Name", "event_id": "EventID", "host": "Computer",
    "target_user": "TargetUserName", "target_domain": "TargetDomainName", "target_sid": "TargetUserSid",
    "subject_user": "SubjectUserName", "logon_type": "LogonType", "src_ip": "IpAddress",
    "workstation": "WorkstationName", "auth_package": "AuthenticationPackageName", "status": "Status",
    "sub_status": "SubStatus", "command_line": "CommandLine", "image_path": "ImagePath", "param2": "param2",
    "param3": "param3", "member": "MemberName", "member_sid": "MemberSid",
    "parent_command_line": "ParentCommandLine", "target_process": "TargetImage", "access_mask": "GrantedAccess",
    "target_object": "TargetObject", "reg_value": "Details", "pipe_name": "PipeName", "share_name": "ShareName",
    "task_name": "TaskName", "task_content": "TaskContent", "image_loaded": "ImageLoaded", "url": "url",
    "dst_ip": "DestinationIp", "dst_port": "DestinationPort", "initiated": "Initiated", "event_type": "EventType",
    "rdp_channel": "ChannelName", "param4": "param4", "kernel_debug": "KernelDebug", "test_signing": "TestSigning",
    "integrity_checks_off": "DisableIntegrityChecks", "policy_change": "AuditPolicyChanges",
}
# What Sigma cannot say (no time of day, no "absence of a burst", no log coverage): left to the built-in engine.
NOT_EXPRESSIBLE = {
    "off_hours": "Sigma has no time-of-day condition",
    "coverage": "log coverage is a measurement, not a match",
    "follows": "a success after a burst needs a correlation of a correlation (burst, then success), which is not "
               "chained here; a plain temporal rule would also fire on a user's typo followed by a logon",
}


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _field(col: str, sel: dict[str, Any]) -> str:
    """The Sigma field for a column; a few depend on the event (Security 4688 vs Sysmon, 7045 vs 7036)."""
    ids = sel.get("event_id", [])
    ids = ids if isinstance(ids, list) else [ids]
    if col == "process":
        if "Compatibility" in str(sel.get("channel|contains", "")):
            return "ExePath"
        if "Bits-Client" in str(sel.get("channel", "")):
            return "processPath"
        if ids and set(ids) <= {4798, 4799}:
            return "CallerProcessName"
        if "Sysmon" in str(sel.get("channel", "")):
            return "SourceImage" if ids == [10] else "Image"
        return "NewProcessName" if not ids or 4688 in ids else "ProcessName"
    if col == "parent_process":
        return "ParentImage" if "Sysmon" in str(sel.get("channel", "")) and 4688 not in ids else "ParentProcessName"
    if col == "src_ip" and ids == [3]:
        return "DestinationIp"  # Sysmon 3 names this computer as the source; the other end of an accepted connection
    if col == "object_name":
        return "RelativeTargetName" if 5145 in ids else "ObjectName"
    if col == "action":
        return "Action ID"
    if col == "service":
        return "param1" if {7036, 7040} & set(ids) else "ServiceName"
    if col == "message":
        return "payload" if "OpenSSH" in str(sel.get("channel|startswith", sel.get("channel", ""))) else "Data"
    if col == "image_path" and 4697 in ids:
        return "ServiceFileName"
    if col not in FIELDS:
        raise ValueError(f"no Sigma field for column {col!r}")
    return FIELDS[col]


def _selection(sel: dict[str, Any], lists: ValueLists) -> tuple[dict[str, Any], dict[str, Any]]:
    """(positive items, negated items) of one of our selections in Sigma notation."""
    pos: dict[str, Any] = {}
    neg: dict[str, Any] = {}
    ids = sel.get("event_id", [])
    audit: list[str] = []  # SQL Server audit 33205: its fields are lines of the one unnamed text
    for key, value in sel.items():
        if key.startswith("_"):
            continue
        col, _, mod = key.partition("|")
        if col in ("action", "status") and 33205 in (ids if isinstance(ids, list) else [ids]) and not mod:
            audit.append(f"action_id:{value}" if col == "action" else "succeeded:false" if value == "failed" else "succeeded:true")
            continue
        values = value if isinstance(value, list) else [value]
        expanded = [x for v in values for x in (lists[v[1:]] if isinstance(v, str) and v.startswith("@") else [v])]
        name = _field(col, sel)
        if mod == "empty":
            (pos if value else neg)[name] = None
        elif mod == "ne":
            neg[name] = expanded
        else:
            pos[name + (f"|{mod}" if mod else "")] = expanded if len(expanded) > 1 else expanded[0]
    if audit:
        pos["Data|contains|all" if len(audit) > 1 else "Data|contains"] = audit if len(audit) > 1 else audit[0]
    return pos, neg


def _detection(rule: Rule, lists: ValueLists) -> dict[str, Any]:
    det: dict[str, Any] = {}
    negs: list[str] = []
    for i, sel in enumerate(rule.select):
        pos, neg = _selection(sel, lists)
        det[f"selection_{i}"] = pos
        if neg:
            det[f"exclude_{i}"] = neg
            negs.append(f"(selection_{i} and not exclude_{i})")
        else:
            negs.append(f"selection_{i}")
    for j, flt in enumerate(rule.filter):
        det[f"filter_{j}"] = _selection(flt, lists)[0]
    cond = " or ".join(negs)
    if rule.filter:
        cond = f"({cond}) and not 1 of filter_*"
    det["condition"] = cond
    return det


def _base(rule: Rule, lists: ValueLists, name: str, suffix: str = "") -> dict[str, Any]:
    return {
        "title": rule.title.en + suffix, "id": _id(rule.id, name), "name": name,
        "status": "experimental", "description": rule.advice.en,
        "references": [f"WardWatch seed rule {rule.id}: {rule.seed}"],
        "author": "WardWatch", "title_ja": rule.title.ja,
        "logsource": {"product": "windows"}, "detection": _detection(rule, lists),
        "level": LEVEL[rule.severity.label], "tags": [f"wardwatch.{rule.id}"],
    }


def _correlation(rule: Rule, name: str, kind: str, refs: list[str], group_by: list[str], timespan: str,
                 condition: dict[str, Any], suffix: str) -> dict[str, Any]:
    return {
        "title": rule.title.en + suffix, "id": _id(rule.id, name), "name": name, "status": "experimental",
        "title_ja": rule.title.ja, "author": "WardWatch", "references": [f"WardWatch seed rule {rule.id}: {rule.seed}"],
        "correlation": {"type": kind, "rules": refs, "group-by": group_by, "timespan": timespan,
                        **({"condition": condition} if condition else {})},
        "level": LEVEL[rule.severity.label], "tags": [f"wardwatch.{rule.id}"],
    }


def sigma_rules(config: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every seed rule Sigma can say, as Sigma documents; and the ones it cannot, with the reason."""
    lists = load_lists(config)
    docs: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for rule in load_rules():
        kind = rule.correlate.get("type")
        events = f"wardwatch_{rule.id.replace('-', '_')}_events"
        p = rule.settings(config)
        if kind in NOT_EXPRESSIBLE:
            skipped[rule.id] = NOT_EXPRESSIBLE[kind]
        elif kind == "campaign" and not rule.correlate.get("burst", True):
            skipped[rule.id] = (f"Sigma cannot say 'failures with no burst' (it is {rule.select_from or 'a burst rule'}'s "
                                "complement)")
        elif kind == "campaign":
            docs.append(_base(rule, lists, events, " (events)"))
            for key in ("TargetUserName", "IpAddress"):
                docs.append(_correlation(rule, f"{events}_by_{key.lower()}", "event_count", [events], ["Computer", key],
                                         f"{int(p['burst_seconds'])}s", {"gte": int(p["burst_count"])}, f" per {key}"))
        elif kind == "spray":
            docs.append(_base(rule, lists, events, " (events)"))
            docs.append(_correlation(rule, f"{events}_by_source", "value_count", [events], ["Computer", "IpAddress"],
                                     f"{int(p['window_minutes'])}m",
                                     {"gte": int(p["min_accounts"]), "field": "TargetUserName"}, " per source"))
        elif kind == "spread":
            docs.append(_base(rule, lists, events, " (network/RDP logons)"))
            docs.append(_correlation(rule, f"{events}_hosts", "value_count", [events], ["TargetUserName"],
                                     f"{int(p['gap_minutes'])}m", {"gte": int(p["min_hosts"]), "field": "Computer"}, ""))
        else:  # group, rdp: every matching event is worth a look
            docs.append(_base(rule, lists, events))
    return docs, skipped


def export(folder: Path, config: dict[str, Any]) -> tuple[list[Path], dict[str, str]]:
    """Write one YAML file per Sigma rule into folder; returns the files and the rules left out (with why)."""
    folder.mkdir(parents=True, exist_ok=True)
    docs, skipped = sigma_rules(config)
    written = []
    for doc in docs:
        path = folder / f"{doc['name']}.yml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written, skipped
