"""The one terminal writer: every command prints through `Terminal` — lines, tables and findings, and a run's
title, verdict, incidents, findings and named sections (audit, network, checklist), its problems and where the
results went. Japanese wraps at character boundaries (report/wrap.py); tables fit 80 columns (dates and numbers
never cut, text columns fold). The scan's progress bar is report/progress.py."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ..model import Finding, InputFile, Run, Severity, finding_hosts
from ..textfmt import english_plurals, local_time
from ..verdict import Verdict
from .labels import severity_label
from .messages import message, messages
from .style import SEVERITY_STYLE as STYLE
from .style import VERDICT_STYLE
from .wrap import Wrapped

MAX_PROBLEMS = 20  # input problems listed before "… +N"
NAME_WIDTH = 24  # a name column (hosts, ids) is as wide as its longest name, up to this (or its Col.most)


@dataclass(frozen=True)
class Col:
    """A table column by what it holds: `text` folds (its share of the width is `ratio`), `name` (ids, hosts,
    files) is as wide as its longest name up to `most` and folds inside a longer one, `label` and `num`
    (right-aligned) never wrap, `when` never wraps (dates)."""

    header: str
    kind: str = "text"
    ratio: int | None = None
    most: int | None = None  # a name column's widest (NAME_WIDTH when not given)


class Terminal:
    """Where a command's words go: `out` (results, stdout) and `err` (warnings, stderr), in one language."""

    def __init__(self, lang: str = "ja", out: Console | None = None, err: Console | None = None) -> None:
        self.lang = "en" if lang == "en" else "ja"
        self.out = out or Console()
        self.err = err or Console(stderr=True)

    def t(self, key: str, **values: Any) -> str:
        """A catalog message in this terminal's language (English plurals made right)."""
        text = message(key, self.lang, **values)
        return english_plurals(text) if self.lang == "en" else text

    def say(self, text: str | Text, style: str | None = None, markup: bool = False, err: bool = False) -> None:
        """A paragraph, wrapped (Japanese at character boundaries); `markup` reads Rich markup in `text`."""
        body = Wrapped.of(text, markup=markup)
        if style:
            body.stylize(style)
        self.show(body, err)

    def show(self, renderable: RenderableType, err: bool = False) -> None:
        """Any Rich renderable, its lines without the trailing blanks Rich pads them with."""
        (self.err if err else self.out).print(_Trimmed(renderable), highlight=False)

    def line(self, text: str, err: bool = False) -> None:
        """One line never wrapped by WardWatch (a path, a command to copy): the terminal folds it if it must."""
        (self.err if err else self.out).print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)

    def data(self, text: str) -> None:
        """Machine-readable output (JSON) to stdout exactly as it is."""
        self.out.file.write(text + "\n")

    def error(self, message: str, label: str = "error") -> None:
        """`error: message` on stderr in one line (never wrapped by WardWatch: it names a file to find)."""
        self.err.print(Text.assemble((f"{label}:", "bold red"), " ", message), highlight=False, soft_wrap=True)

    def warn(self, text: str) -> None:
        """A warning on stderr (yellow), wrapped."""
        self.say(text, style="yellow", err=True)

    def blank(self) -> None:
        self.out.print()

    def table(self, columns: Sequence[Col], rows: Iterable[Sequence[str | Text]], title: str | None = None,
              expand: bool = True) -> None:
        """A table that fits the terminal: cells are plain text (a Text keeps its styles)."""
        cells = [[_cell(value, col.kind) for value, col in zip(row, columns, strict=True)] for row in rows]
        table = Table(title=Wrapped.of(title, markup=False) if title else None, expand=expand, box=box.SIMPLE_HEAD,
                      show_edge=False, pad_edge=False)
        for n, col in enumerate(columns):
            words = [w for row in cells for w in row[n].plain.split()]
            name = col.kind == "name"
            widest = max(cell_len(col.header), col.most or NAME_WIDTH)
            table.add_column(col.header, ratio=col.ratio if col.kind == "text" else None,
                             no_wrap=col.kind in ("label", "num", "when"), overflow="fold",
                             justify="right" if col.kind == "num" else "left",
                             min_width=min(widest, max(map(cell_len, words), default=0)) if name else None,
                             max_width=widest if name else None)
        for row in cells:
            table.add_row(*row)
        self.show(table)

    @staticmethod
    def titled(title: str, note: str = "", dim: str = "") -> Text:
        """A cell of a title, then a dim part (a rule id) after it and a dim note (a source) on its own line."""
        return Text.assemble(title, (f" ({dim})" if dim else "", "dim"), (f"\n{note}" if note else "", "dim"))

    @staticmethod
    def stacked(*parts: str | Text, style: str = "") -> Text:
        """A cell of parts one under the other (a styled Text keeps its colour; `style` colours the plain ones)."""
        return Text("\n").join(p if isinstance(p, Text) else Text(p, style=style) for p in parts if p)

    def severity(self, sev: Severity) -> Text:
        """A severity's label in its colour."""
        return Text(severity_label(sev, self.lang), style=STYLE[sev])

    def findings(self, findings: Iterable[Finding], show_host: bool = True) -> None:
        """One entry per finding, worst first (the order given kept within a severity): `[severity] rule host —
        summary`, the summary wrapped under itself."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        shown = False
        for f in sorted(findings, key=lambda f: -f.severity):
            host = f" {f.host}" if show_host and f.host else ""
            grid.add_row(Text.assemble("[", self.severity(f.severity), "]"),
                         Wrapped.of(f"{f.rule}{host} — {f.summary.get(self.lang)}", markup=False))
            shown = True
        if shown:
            self.show(grid)

    def problems(self, inputs: list[InputFile], heading: str | None = None) -> None:
        """Every input problem with file and place (the first 20, then how many more)."""
        found = [e for i in inputs for e in i.errors]
        if not found:
            return
        self.out.print(Text(f"{heading or self.t('terminal.skipped')}:", style="bold yellow"))
        for e in found[:MAX_PROBLEMS]:
            self.line(f"  {e.file} ({e.where}): {e.message}")
        if len(found) > MAX_PROBLEMS:
            self.line("  " + self.t("terminal.more", n=len(found) - MAX_PROBLEMS))

    def stage_problems(self, run: Run) -> None:
        """Parts of the run that failed (the results come from the rest)."""
        if run.problems:
            self.out.print(Text(f"{self.t('terminal.failed')}:", style="bold red"))
            for p in run.problems:
                self.line(f"  {p.stage}: {p.message}")

    def saved(self, out_dir: Path | str, files: str) -> None:
        """Where the results are: the folder and the files in it."""
        self.say(f"{self.t('terminal.out')}: {out_dir}  ({files})")

    # -- runs --------------------------------------------------------------------------------------------------

    def scan(self, result: Run, out_dir: Path, max_rows: int = 15, max_incidents: int = 5) -> None:
        """The scan summary: counts, verdict, incidents with what to do now, the main findings, what was skipped."""
        stats = result.stats
        counts = self.t("terminal.counts", events=f"{stats.get('events', 0):,}", files=len(result.inputs),
                        hosts=len(stats.get("hosts", [])))
        self.say(f"[bold]{escape(self.t('terminal.title'))}[/bold]  {escape(counts)}  ({stats.get('seconds', 0)} s)",
                 markup=True)
        if result.verdict is not None:
            self.verdict(result.verdict)
        self.incidents(result, max_incidents)
        shown = [f for f in sorted(result.findings, key=lambda f: -f.severity) if f.severity >= Severity.LOW]
        if shown:
            title = self.t("terminal.findings", n=min(len(shown), max_rows), shown=len(shown),
                           total=len(result.findings))
            self.findings_table(shown[:max_rows], result.timezone, title)
            if len(shown) > max_rows:
                self.say(self.t("terminal.more_findings", n=len(shown) - max_rows))
        self.stage_problems(result)
        self.problems(result.inputs)
        self.saved(out_dir, "report.html, findings.json, timeline.csv, timeline.jsonl")

    def verdict(self, v: Verdict) -> None:
        lines = [f"[bold]{escape(v.title.get(self.lang))}[/bold]", escape(v.detail.get(self.lang))]
        if v.missing:
            lines.append(f"{self.t('terminal.missing')}:")
            for log, why, on in v.missing:
                names = ", ".join(on[:5]) + (f" +{len(on) - 5}" if len(on) > 5 else "")
                where = self.t("terminal.on_hosts", hosts=names) if on else ""
                lines.append(escape(f"{'・' if self.lang == 'ja' else '- '}{log}{where}: {why.get(self.lang)}"))
        self.show(Panel(Wrapped.of("\n".join(lines)), border_style=VERDICT_STYLE[v.level]))

    def incidents(self, result: Run, most: int = 5) -> None:
        """Each incident as a panel, its severity in the title; the story (it names the hosts and the time span
        first) and what to do now."""
        for inc in result.incidents[:most]:
            head = f"{self.t('terminal.incident')} {inc.id} [{severity_label(inc.severity, self.lang)}]"
            body = (escape(inc.narrative.get(self.lang)) + f"\n\n[bold]{escape(self.t('terminal.do_now'))}:[/bold]\n"
                    + "\n".join(f"{n}. {escape(a)}" for n, a in enumerate(inc.actions.get(self.lang).splitlines(), 1)))
            self.show(Panel(Wrapped.of(body), title=escape(head), title_align="left", border_style=STYLE[inc.severity]))
        if len(result.incidents) > most:
            self.say(self.t("terminal.more_incidents", n=len(result.incidents) - most))

    def findings_table(self, findings: list[Finding], tz: str, title: str) -> None:
        """Findings as a table: severity, what (title and rule), hosts, count, first seen (the zone in the header
        when every row shares it)."""
        whens = [local_time(f.first_seen, tz) if f.first_seen else "—" for f in findings]
        zones = {w.rsplit(" ", 1)[-1] for w in whens if w != "—"}
        one_zone = len(zones) == 1
        when_head = self.t("terminal.when") + (f" ({next(iter(zones))})" if one_zone else "")
        rows = []
        for f, when in zip(findings, whens, strict=True):
            where = finding_hosts(f)
            hosts = (where[0] + (f" +{len(where) - 1}" if len(where) > 1 else "")) if where else "—"
            rows.append((self.severity(f.severity), self.titled(f.title.get(self.lang), dim=f.rule), hosts,
                         f"{f.count:,}", when.rsplit(" ", 1)[0] if one_zone else when))
        self.table([Col(self.t("terminal.sev"), "label"), Col(self.t("terminal.what"), "text", 3),
                    Col(self.t("terminal.host"), "name", most=self.out.width // 5),
                    Col(self.t("terminal.count"), "num"), Col(when_head, "when")], rows, title)

    def audit(self, run: Run, out_dir: Path, max_rows: int = 12) -> None:
        """The audit summary from its `audit` section: scores per host, the checks failing most, fleet checks."""
        t = messages(self.lang, "audit")
        section = run.section("audit", {})
        hosts = section.get("hosts", [])
        self.say(f"[bold]{escape(t['title'])}[/bold]  {len(hosts)} {escape(t['hosts'])}  "
                 f"({run.stats.get('seconds', 0)} s)", markup=True)
        if hosts:
            self.table([Col(t["hosts"], "name"), Col(t["score"], "num"), Col(t["failed"], "num"),
                        Col(t["nc"], "num"), Col(t["os"], "text", 1)],
                       [(h["host"], _score(h["score"]), str(h["failed"]), str(h["not_collected"]), h["os"] or "")
                        for h in hosts], expand=False)
        failing = sorted(((sum(1 for s in c["results"].values() if s == "fail"), c) for c in section.get("checks", [])),
                         key=lambda x: (-x[0], -Severity.parse(x[1]["severity"])))
        shown = [(n, c) for n, c in failing if n][:max_rows]
        if shown:
            rows = []
            for n, c in shown:
                names = [h for h, s in c["results"].items() if s == "fail"]
                rows.append((self.severity(Severity.parse(c["severity"])),
                             self.titled(c["title"], dim=c["rule"]),
                             f"{n}/{len(hosts)}: " + ", ".join(names[:4]) + (" …" if len(names) > 4 else "")))
            self.table([Col(t["severity"], "label"), Col(t["check"], "text", 3), Col(t["hosts"], "text", 2)], rows,
                       t["worst"])
        fleet = {(e["rule"], e["host"]) for e in section.get("fleet", []) if e["status"] == "fail"}
        for f in run.findings:
            if (f.rule, f.host) in fleet:
                seen = f.facts.get("seen") or []
                self.say(Text.assemble((f.title.get(self.lang), STYLE[f.severity]),
                                       f" ({f.rule}): " + " / ".join(map(str, seen))))
        self.incidents(run)
        scan = run.stats.get("scan")
        if scan:
            self.say(f"[bold]{escape(t['logs'])}[/bold]: {escape(t['logs_counts'].format(**scan))} → "
                     f"{escape(str(out_dir / scan['report']))}", markup=True)
        if not any(f.severity >= Severity.LOW for f in run.findings):
            self.say(t["none"], style="green")
        self.problems(run.inputs, t["problems"])
        self.saved(out_dir, "report.html, findings.json")

    def passwords(self, run: Run, out_dir: Path) -> None:
        """The password audit: accounts and reasons only, never a password or a hash."""
        t = messages(self.lang, "passwords")
        self.say(f"[bold]{escape(t['title'])}[/bold]  {run.stats.get('accounts', 0)} {escape(t['accounts'])} / "
                 f"{len(run.inputs)} {escape(t['files'])}", markup=True)
        if run.findings:
            rows = [(self.severity(f.severity), f.title.get(self.lang),
                     ", ".join(f.accounts[:6]) + (f" … (+{len(f.accounts) - 6})" if len(f.accounts) > 6 else ""))
                    for f in sorted(run.findings, key=lambda f: -f.severity)]
            self.table([Col(t["sev"], "label"), Col(t["what"], "text", 3), Col(t["who"], "text", 2)], rows)
        else:
            self.say(t["none"], style="green")
        self.problems(run.inputs, t["skipped"])
        self.saved(out_dir, "findings.json, report.html")

    def syslog(self, run: Run, out_dir: Path) -> None:
        """The syslog scan: lines read, findings, and the `network` section's segment pairs with no traffic."""
        stats = run.stats
        self.say(self.t("syslog.summary", events=stats["events"], unknown=stats["unknown_lines"],
                        n=len(run.findings), path=out_dir / "findings.json"))
        self.findings(run.findings, show_host=False)
        for p in run.problems:
            self.warn(self.t("syslog.failed", stage=p.stage, path=out_dir / "errors.log", message=p.message))
        quiet = (run.section("network") or {}).get("not_seen", [])
        if quiet:
            self.say(self.t("syslog.not_seen"))
            for q in quiet:
                what = self.t("syslog.all_quiet") if q["all_quiet"] else self.t("syslog.none_on") + ", ".join(
                    q["no_traffic_on"])
                self.say(f"  {q['from']} → {q['to']}: {what}")

    def rule_check(self, statuses: Sequence[Any], roots: Sequence[Path], problems_only: bool = False) -> None:
        """`rules check`: every Sigma rule with whether it runs (or, `problems_only`, only those that will not,
        under their reason with a count per reason), then a count of each reason and the totals."""
        bad = [st for st in statuses if not st.will_run]
        if problems_only:
            by_reason: dict[str, list[Any]] = {}
            for st in bad:
                by_reason.setdefault(str(st.reason or "-"), []).append(st)
            ordered = sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            for reason, rules in ordered:
                self.say(Text.assemble((reason, "bold"), f"  ({self.t('rules.n_rules', n=len(rules))})"))
                for st in rules:
                    self.line(f"  {_under(st.file, roots)}" + (f"  {st.title}" if st.title else ""))
            if ordered:
                self.blank()
                self.table([Col(self.t("rules.reason"), "text"), Col(self.t("rules.count"), "num")],
                           [(reason, f"{len(rules):,}") for reason, rules in ordered], self.t("rules.reasons"))
        else:
            self.table([Col(self.t("rules.rule"), "text", 2), Col(self.t("rules.level"), "label"),
                        Col(self.t("rules.runs"), "label"), Col(self.t("rules.reason"), "text", 1)],
                       [(self.titled(st.title or "-", _under(st.file, roots), st.id or ""), st.level or "-",
                         Text(self.t("rules.yes")) if st.will_run else Text(self.t("rules.no"), style="red"),
                         st.reason or "") for st in statuses])
        self.say(self.t("rules.summary", ok=f"{len(statuses) - len(bad):,}", n=f"{len(statuses):,}",
                        bad=f"{len(bad):,}"))


class _Trimmed:
    """A renderable's lines with their trailing unstyled spaces cut (table cells and titles are padded)."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for line in console.render_lines(self.inner, options, pad=False):
            while line and line[-1].text.isspace() and not (line[-1].style and line[-1].style.bgcolor):
                line.pop()
            if line and not (line[-1].style and line[-1].style.bgcolor):
                last = line[-1]
                line[-1] = Segment(last.text.rstrip(" "), last.style, last.control)
            yield from line
            yield Segment.line()


def _under(file: str, roots: Sequence[Path]) -> str:
    """A rule file's path under the folder given (so the list does not repeat it), else as it is."""
    path = Path(file)
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return file


def _score(score: int | None) -> Text:
    colour = "green" if score is not None and score >= 80 else "yellow" if score is not None and score >= 50 else "red"
    return Text("—" if score is None else str(score), style=colour)


def _cell(value: str | Text, kind: str) -> Text:
    if isinstance(value, str):
        value = Text(value)
    return Wrapped.of(value) if kind in ("text", "name") else value


def print_summary(result: Run, out_dir: Path, console: Console, max_rows: int = 15, max_incidents: int = 5) -> None:
    """The scan summary on `console` (scan and demo)."""
    Terminal(result.lang, console).scan(result, out_dir, max_rows, max_incidents)
