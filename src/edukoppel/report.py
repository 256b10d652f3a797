"""Problems in the data as records, not exceptions.

A reader, the mapper or the planner that finds something wrong in a source adds an
:class:`Issue` with a stable kebab-case ``code`` (``duplicate-key``, ``unknown-encoding``,
``damaged-identifier``) and a location, and goes on. The :class:`Report` gathers them, together
with what was *detected* along the way (encoding, delimiter, sheet, header row).

Messages never contain personal data: they name a row, a column and a key, not a name.

Example:
    >>> from edukoppel import Issue, Report
    >>> report = Report()
    >>> report.add(
    ...     Issue(
    ...         code="damaged-identifier",
    ...         message="identifier in scientific notation (1,23E+11): Excel damaged it",
    ...         file="leerlingen.csv", row=12, column="stamnummer",
    ...     )
    ... )
    >>> report.detected["encoding"] = "utf-8"
    >>> print(report)
    1 issue (1 error, 0 warnings)
      leerlingen.csv, row 12, column 'stamnummer': identifier in scientific notation ...
    >>> report.valid
    False
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    import polars as pl

__all__ = ["Issue", "Report", "Severity"]

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@attrs.frozen(kw_only=True)
class Issue:
    """One problem found in a source, with a stable code and where it is.

    Attributes:
        code: Stable kebab-case identifier of the kind of problem, for programs and docs.
        message: What is wrong and, where possible, what to do about it. No personal data.
        severity: ``"error"`` (the record or file cannot be used as is), ``"warning"`` (used,
            but look at it) or ``"info"`` (worth knowing).
        file: The file name as the user knows it.
        sheet: The sheet name in a workbook.
        row: The row number as the user sees it (Excel's row number, or the line in a CSV).
        column: The column header as it appears in the source.
        entity: The canonical entity kind (``"student"``, ``"group"``...).
        key: The record's key, when the problem belongs to one record.
        field: The canonical field name.
    """

    code: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    entity: str | None = None
    key: str | None = None
    field: str | None = None

    @property
    def location(self) -> str:
        """Where the problem is, as a person would say it (``file, sheet 'x', row 3, ...``)."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.entity is not None:
            parts.append(f"{self.entity} {self.key!r}" if self.key is not None else self.entity)
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        location = self.location
        prefix = f"{location}: " if location else ""
        return f"{prefix}{self.message} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        """The issue as a plain dict (for JSON and DataFrames)."""
        return attrs.asdict(self)


@attrs.define
class Report:
    """The issues found while reading, mapping or planning, plus what was detected.

    Attributes:
        issues: The issues in the order they were found.
        detected: What was detected about the source (``encoding``, ``delimiter``,
            ``sheet``, ``header_row``...) as readable strings, keyed by name.
    """

    issues: list[Issue] = attrs.field(factory=list)
    detected: dict[str, str] = attrs.field(factory=dict)

    def add(self, issue: Issue) -> None:
        """Append one issue."""
        self.issues.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        """Append several issues."""
        self.issues.extend(issues)

    def merge(self, other: Report) -> None:
        """Take over the issues and detections of another report."""
        self.issues.extend(other.issues)
        self.detected.update(other.detected)

    @property
    def errors(self) -> list[Issue]:
        """The issues of severity ``"error"``."""
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """The issues of severity ``"warning"``."""
        return [issue for issue in self.issues if issue.severity == "warning"]

    @property
    def valid(self) -> bool:
        """True when there is no issue of severity ``"error"``."""
        return not any(issue.severity == "error" for issue in self.issues)

    @property
    def codes(self) -> list[str]:
        """The distinct issue codes, in the order first found."""
        return list(dict.fromkeys(issue.code for issue in self.issues))

    def by_code(self, code: str) -> list[Issue]:
        """The issues with the given code."""
        return [issue for issue in self.issues if issue.code == code]

    def to_dicts(self) -> list[dict[str, Any]]:
        """The issues as plain dicts."""
        return [issue.to_dict() for issue in self.issues]

    def to_polars(self) -> pl.DataFrame:
        """The issues as a polars DataFrame, one row per issue."""
        import polars as pl

        schema: dict[str, type[pl.DataType]] = dict.fromkeys(attrs.fields_dict(Issue), pl.String)
        schema["row"] = pl.Int64
        return pl.DataFrame(self.to_dicts(), schema=schema, orient="row")

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def __bool__(self) -> bool:
        # A report is an object, not a collection: an empty report is still a report.
        return True

    def __str__(self) -> str:
        count = len(self.issues)
        noun = "issue" if count == 1 else "issues"
        errors, warnings = len(self.errors), len(self.warnings)
        error_s, warning_s = "s" * (errors != 1), "s" * (warnings != 1)
        lines = [f"{count} {noun} ({errors} error{error_s}, {warnings} warning{warning_s})"]
        ordered = sorted(self.issues, key=lambda issue: _SEVERITY_ORDER[issue.severity])
        lines.extend(f"  {issue}" for issue in ordered)
        return "\n".join(lines)
