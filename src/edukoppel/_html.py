"""Rich HTML for notebooks: the ``_repr_html_`` of Roster, Table, ColumnMapping, Report, Changeset.

A notebook shows ``_repr_html_`` instead of ``repr``: counts, a short sample and the things
that need attention (blocked reasons, errors) in colour, rather than every record with twenty
``None`` fields. Plain HTML with inline styles: no scripts, no external stylesheet, every value
escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edukoppel.mapping import ColumnMapping
    from edukoppel.model import Roster
    from edukoppel.readers import Table
    from edukoppel.report import Issue, Report
    from edukoppel.sync import Changeset

__all__ = ["changeset_html", "mapping_html", "report_html", "roster_html", "table_html"]

SAMPLE = 5
MAX_ROWS = 20
_COLOURS = {"error": "#c0392b", "warning": "#b9770e", "info": "#566573", "ok": "#1e8449"}
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"


def _escape(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f'<th style="{_CELL}">{_escape(name)}</th>' for name in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in row) + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse:collapse;font-size:90%"><tr>{head}</tr>{body}</table>'


def _coloured(text: object, colour: str) -> str:
    return (
        f'<span style="color:{_COLOURS.get(colour, colour)};font-weight:600">{_escape(text)}</span>'
    )


def _title(text: str) -> str:
    return f'<div style="font-weight:600;margin:4px 0">{_escape(text)}</div>'


def _more(shown: int, total: int) -> str:
    return f"<div>… {total - shown} more</div>" if total > shown else ""


def roster_html(roster: Roster) -> str:
    """A roster: per kind its records and what it provides, and a sample of its people."""
    from edukoppel.model import ENTITY_KINDS

    parts = [_title(repr(roster))]
    if roster.school is not None:
        school = roster.school
        parts.append(
            f"<div>school {_escape(school.brin or '?')}, school year "
            f"{_escape(school.school_year or '?')}</div>"
        )
    rows = []
    for kind in ENTITY_KINDS:
        if kind not in roster.provides:
            continue
        collection = roster.records(kind)
        archived = sum(1 for record in collection if record.archived)
        fields = sorted(roster.provides[kind] - {"key"})
        rows.append([_escape(kind), len(collection), archived, _escape(", ".join(fields) or "key")])
    if rows:
        parts.append(_table(["kind", "records", "archived", "provides"], rows))
    for kind in ("student", "staff", "guardian", "group"):
        collection = roster.records(kind)
        if kind in roster.provides and collection:
            sample = list(collection)[:SAMPLE]
            shown = [
                [_escape(record.key), _escape(_name(record)), _escape(_facts(record))]
                for record in sample
            ]
            parts.append(_title(f"{kind}: the first {len(sample)}"))
            parts.append(_table(["key", "name", "details"], shown))
            parts.append(_more(len(sample), len(collection)))
            break
    return "".join(parts)


def _name(record: Any) -> str:
    return str(getattr(record, "display_name", None) or getattr(record, "name", None) or "")


def _facts(record: Any) -> str:
    facts = []
    for field in ("homeroom", "year", "program", "location", "kind", "abbreviation", "email"):
        value = getattr(record, field, None)
        if value:
            facts.append(f"{field} {value}")
    if getattr(record, "archived", False):
        facts.append("archived")
    return ", ".join(facts)


def table_html(table: Table) -> str:
    """A table: where it came from, its first rows with their row numbers, its issue count."""
    head = table.head(MAX_ROWS)
    rows = [
        [_escape(number), *(_escape(cell) for cell in cells)]
        for cells, number in zip(head.rows, head.row_numbers, strict=True)
    ]
    summary = repr(table).splitlines()[0]
    return (
        _title(summary)
        + _table(["row", *table.unique_columns], rows)
        + _more(len(rows), len(table))
    )


def _confidence(value: float, mapped: bool) -> str:
    colour = "info" if not mapped else "ok" if value >= 0.95 else "warning"
    return _coloured(f"{value:.2f}", colour)


def mapping_html(mapping: ColumnMapping) -> str:
    """A mapping: per column the field, the confidence in colour, evidence and suggestions."""
    rows = []
    for match in mapping:
        rows.append(
            [
                _escape(match.column),
                _escape(match.target) if match.target else _coloured("unmapped", "info"),
                _confidence(match.confidence, match.target is not None),
                _escape("; ".join(match.evidence)),
                _escape(", ".join(f"{c.target} {c.score:.2f}" for c in match.candidates)),
            ]
        )
    parts = [_title(f"ColumnMapping of {len(mapping)} columns to {mapping.entity} fields")]
    if mapping.preset:
        parts.append(f"<div>preset {_escape(mapping.preset)}</div>")
    parts.append(_table(["column", "field", "confidence", "evidence", "suggestions"], rows))
    if mapping.missing:
        parts.append(
            "<div>"
            + _coloured("required, not mapped: " + ", ".join(mapping.missing), "error")
            + "</div>"
        )
    parts.extend(f"<div>note: {_escape(note)}</div>" for note in mapping.notes)
    return "".join(parts)


def _issue_rows(issues: Sequence[Issue]) -> list[list[str]]:
    return [
        [
            _coloured(issue.severity, issue.severity),
            _escape(issue.code),
            _escape(issue.location),
            _escape(issue.message),
        ]
        for issue in issues[: MAX_ROWS * 2]
    ]


def report_html(report: Report) -> str:
    """A report: the counts by severity in colour, then the issues, worst first."""
    order = {"error": 0, "warning": 1, "info": 2}
    issues = sorted(report.issues, key=lambda issue: order.get(issue.severity, 3))
    counts = dict.fromkeys(order, 0)
    for issue in issues:
        counts[issue.severity] = counts.get(issue.severity, 0) + 1
    summary = ", ".join(
        _coloured(f"{count} {severity}{'s' * (count != 1)}", severity)
        for severity, count in counts.items()
    )
    parts = [f"<div>{summary}</div>"]
    if issues:
        parts.append(_table(["severity", "code", "where", "message"], _issue_rows(issues)))
        parts.append(_more(min(len(issues), MAX_ROWS * 2), len(issues)))
    return "".join(parts)


def changeset_html(changeset: Changeset) -> str:
    """A changeset: blocked reasons first, in red; the counts per kind; the first changes."""
    parts = []
    if changeset.is_blocked:
        parts.append(_title("Blocked: nothing is applied unless these are acknowledged"))
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{_coloured(reason.code, 'error')}: {_escape(reason.message)}</li>"
                for reason in changeset.blocked
            )
            + "</ul>"
        )
    summary = changeset.summary()
    actions = ("add", "update", "restore", "archive")
    rows = [
        [_escape(kind), *(counts.get(action, 0) for action in actions)]  # type: ignore[call-overload]
        for kind, counts in summary.items()
        if any(counts.values())
    ]
    parts.append(_title(f"Changeset: {len(changeset)} changes"))
    if rows:
        parts.append(_table(["kind", *actions], rows))
    shown = []
    for change in list(changeset)[:MAX_ROWS]:
        fields = getattr(change, "changes", ())
        detail = ", ".join(f"{c.field}: {c.old} → {c.new}" for c in fields)
        shown.append([_escape(change.action), _escape(change.entity), _escape(change.key),
                      _escape(detail)])  # fmt: skip
    if shown:
        parts.append(_table(["action", "kind", "key", "changes"], shown))
        parts.append(_more(len(shown), len(changeset)))
    if changeset.issues:
        parts.append(_title("Issues"))
        parts.append(
            _table(["severity", "code", "where", "message"], _issue_rows(changeset.issues))
        )
    return "".join(parts)
