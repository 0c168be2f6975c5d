"""The cross-hospital checks (isac.*): one SQL over every hospital's indicator rows, run by DuckDB as written or by
Spark through SQLGlot, and one Finding per indicator shared by two hospitals or more, naming them in time order."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from .. import useryaml
from ..checks.finding import make
from ..checks.spec import CheckSpec, common_fields
from ..model import Finding
from ..textfmt import local_time

Query = Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]]  # (SQL, indicator rows) -> result rows


@cache
def _data() -> dict[str, Any]:
    raw = useryaml.load((resources.files("wardwatch.isac") / "cross.yml").read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


def query() -> str:
    return str(_data()["query"])


def spark_query() -> str:
    """The same SQL in Spark's dialect, translated by SQLGlot (no second hand-written copy)."""
    import sqlglot
    return str(sqlglot.transpile(query(), read="duckdb", write="spark")[0])


@cache
def cross_specs() -> dict[str, CheckSpec]:
    """Every isac.* check of cross.yml as a CheckSpec for the one registry (kind: the indicator it reports)."""
    return {rule: CheckSpec(id=rule, kind=str(d["indicator"]), source=f"isac/cross.yml {rule}",
                            **common_fields(d, f"isac/cross.yml {rule}")) for rule, d in _data()["checks"].items()}


def duckdb_query(sql: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the cross SQL on DuckDB over the indicator rows."""
    import duckdb
    import pyarrow as pa

    from .indicators import INDICATOR_COLUMNS
    con = duckdb.connect()
    table = pa.table({c: [r[c] for r in rows] for c in INDICATOR_COLUMNS},
                     schema=indicator_schema())
    con.register("indicators", table)
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def indicator_schema() -> Any:
    import pyarrow as pa
    return pa.schema([("hospital", pa.string()), ("kind", pa.string()), ("value", pa.string()), ("rule", pa.string()),
                      ("first_seen", pa.timestamp("us", tz="UTC")), ("last_seen", pa.timestamp("us", tz="UTC")),
                      ("n", pa.int64())])


def cross_findings(rows: list[dict[str, Any]], tz: str) -> list[Finding]:
    """One finding per shared indicator: the hospitals in the order they first saw it, with times and counts."""
    specs = {s.kind: s for s in cross_specs().values()}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["kind"], r["value"]), []).append(r)
    out: list[Finding] = []
    for (kind, value), per in groups.items():
        spec = specs.get(kind)
        if spec is None:
            continue
        per.sort(key=lambda r: (r["first_seen"] or datetime.max, r["hospital"]))
        names = [r["hospital"] for r in per]
        order = " → ".join(f"{r['hospital']} ({local_time(r['first_seen'], tz)})" for r in per)
        firsts = [r["first_seen"] for r in per if r["first_seen"]]
        lasts = [r["last_seen"] for r in per if r["last_seen"]]
        address = kind.endswith("source")
        values = {"value": value, "hospitals_count": len(per), "order": order, "hospitals": names}
        out.append(make(spec, first=min(firsts, default=None), last=max(lasts, default=None),
                        count=sum(int(r["n"] or 0) for r in per), values=values,
                        sources=[value] if address else [], accounts=[value] if kind.endswith("account") else [],
                        facts={"hospitals": names, "indicator": kind, "value": value,
                               "per_hospital": [_per(r) for r in per]}))
    out.sort(key=lambda f: (-int(f.severity), f.first_seen or datetime.max, f.rule))
    return out


def _per(r: dict[str, Any]) -> dict[str, Any]:
    return {"hospital": r["hospital"], "first_seen": r["first_seen"], "last_seen": r["last_seen"],
            "count": int(r["n"] or 0)}
