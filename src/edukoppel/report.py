"""Problems in the data as records, not exceptions.

A reader, the mapper or the planner that finds something wrong in a source adds an
:class:`Issue` with a stable kebab-case ``code`` (``duplicate-key``, ``unknown-encoding``,
``damaged-identifier``) and a location, and goes on. The :class:`Report` gathers them, together
with what was *detected* along the way (encoding, delimiter, sheet, header row).

Messages never contain personal data: they name a row, a column and a key, not a name.

Examples:
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
    1 error
      leerlingen.csv, row 12, column 'stamnummer': identifier in scientific notation ...
    >>> report.valid
    False

Every message edukoppel writes has an English and a Dutch text (``ek.set_language("nl")``);
an issue of your own keeps the text you give it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import attrs

from edukoppel._i18n import Language, Message, catalog, msg, render, where

if TYPE_CHECKING:
    import polars as pl

__all__ = ["Issue", "Message", "Report", "Severity"]

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@attrs.frozen(kw_only=True)
class Issue:
    """One problem found in a source, with a stable code and where it is.

    Attributes:
        code: Stable kebab-case identifier of the kind of problem, for programs and docs.
        message: What is wrong and, where possible, what to do about it, in the language
            chosen with :func:`edukoppel.set_language` (see :meth:`message_in`). No personal
            data. Pass plain text for an issue of your own, or a catalog message.
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
    text: str | Message = attrs.field(alias="message")
    severity: Severity = "error"
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    entity: str | None = None
    key: str | None = None
    field: str | None = None

    @property
    def message(self) -> str:
        """The message in the current language (:func:`edukoppel.get_language`)."""
        return render(self.text)

    def message_in(self, language: Language) -> str:
        """The message in ``language`` (``"en"`` or ``"nl"``)."""
        return render(self.text, language)

    @property
    def location(self) -> str:
        """Where the problem is, as a person would say it (``file, sheet 'x', row 3, ...``)."""
        return self._location(None)

    def _location(self, language: Language | None) -> str:
        parts = where(
            file=self.file, sheet=self.sheet, row=self.row, column=self.column, language=language
        )
        if self.entity is not None:
            noun = self.entity if f"noun.{self.entity}" in catalog() else None
            if noun is None:
                parts.append(self.entity if self.key is None else f"{self.entity} {self.key!r}")
            elif self.key is not None:
                parts.append(msg("where.record", kind=noun, key=self.key).render(language))
            else:
                parts.append(msg("where.kind", kind=noun).render(language))
        if self.field is not None:
            parts.append(msg("where.field", field=self.field).render(language))
        return ", ".join(parts)

    def render(self, language: Language | None = None) -> str:
        """The issue as one line, location first and code last, in ``language``."""
        location = self._location(language)
        prefix = f"{location}: " if location else ""
        return f"{prefix}{render(self.text, language)} [{self.code}]"

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """The issue as a plain dict (for JSON and DataFrames), message in the current language.

        A catalog message also gives its ``template`` id and ``params``, so that
        :meth:`from_dict` can render it again in any language.
        """
        data: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "entity": self.entity,
            "key": self.key,
            "field": self.field,
        }
        if isinstance(self.text, Message):
            data["template"] = self.text.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Issue:
        """The issue :meth:`to_dict` made."""
        values = dict(data)
        template = values.pop("template", None)
        if template is not None:
            values["message"] = Message.from_dict(template)
        return cls(**values)


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

    def _repr_html_(self) -> str:
        from edukoppel._html import report_html

        return report_html(self)

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

        columns = ("code", "message", "severity", "file", "sheet", "row", "column", "entity")
        schema: dict[str, type[pl.DataType]] = dict.fromkeys((*columns, "key", "field"), pl.String)
        schema["row"] = pl.Int64
        rows = [{name: item[name] for name in schema} for item in self.to_dicts()]
        return pl.DataFrame(rows, schema=schema, orient="row")

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def __bool__(self) -> bool:
        # A report is an object, not a collection: an empty report is still a report.
        return True

    def render(self, language: Language | None = None) -> str:
        """The report as text in ``language``: a summary line, then one line per issue.

        Examples:
            >>> report = Report([Issue(code="blank-row", message="x", severity="info")])
            >>> print(report.render("nl"))
            1 opmerking (geen fouten of waarschuwingen)
              x [blank-row]
        """
        errors, warnings = len(self.errors), len(self.warnings)
        notes = len(self.issues) - errors - warnings
        if not self.issues:
            head = msg("report.none").render(language)
        elif not errors and not warnings:
            head = msg("report.notes-only", notes=notes).render(language)
        else:
            parts = [
                msg(f"report.{name}", count=count).render(language)
                for name, count in (("errors", errors), ("warnings", warnings), ("notes", notes))
                if count
            ]
            joined = ", ".join(parts[:-1])
            and_ = msg("report.and").render(language)
            head = f"{joined} {and_} {parts[-1]}" if joined else parts[-1]
        ordered = sorted(self.issues, key=lambda issue: _SEVERITY_ORDER[issue.severity])
        return "\n".join([head, *(f"  {issue.render(language)}" for issue in ordered)])

    def __str__(self) -> str:
        return self.render()
