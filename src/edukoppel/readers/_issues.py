"""Adding issues to a report with the file and sheet filled in, and at most so many per code."""

from __future__ import annotations

from collections import Counter

from edukoppel._i18n import Message, msg
from edukoppel.report import Issue, Report, Severity

__all__ = ["MAX_ISSUES_PER_CODE", "Collector"]

MAX_ISSUES_PER_CODE = 50
"""Row-level issues of one code beyond this number are summed up in one closing issue."""


class Collector:
    """Adds issues for one file (and sheet) to a report, capping row-level issues per code."""

    def __init__(self, report: Report, *, file: str, sheet: str | None = None) -> None:
        self.report = report
        self.file = file
        self.sheet = sheet
        self._counts: Counter[str] = Counter()
        self._dropped: Counter[str] = Counter()
        self._severity: dict[str, Severity] = {}

    def add(
        self,
        code: str,
        message: str | Message,
        *,
        severity: Severity = "warning",
        row: int | None = None,
        column: str | None = None,
        capped: bool = True,
    ) -> None:
        """Add one issue; row-level issues past the cap are only counted.

        ``message`` is a catalog :class:`~edukoppel.Message` for everything edukoppel writes
        (so that it renders in English or Dutch); plain text stays as it is.
        """
        if capped and row is not None:
            self._counts[code] += 1
            if self._counts[code] > MAX_ISSUES_PER_CODE:
                self._dropped[code] += 1
                self._severity[code] = severity
                return
        self.report.add(
            Issue(
                code=code,
                message=message,
                severity=severity,
                file=self.file,
                sheet=self.sheet,
                row=row,
                column=column,
            )
        )

    def room(self, code: str) -> int:
        """How many more row-level issues of ``code`` are listed before the cap is reached."""
        return max(0, MAX_ISSUES_PER_CODE - self._counts[code])

    def skip(self, code: str, count: int, *, severity: Severity = "warning") -> None:
        """Count ``count`` row-level issues of ``code`` past the cap, without building them.

        For a check that found many rows: it adds the first :meth:`room` of them, and only
        counts the rest (they would have been dropped), so that they cost nothing.
        """
        if count > 0:
            self._counts[code] += count
            self._dropped[code] += count
            self._severity[code] = severity

    def detect(self, key: str, value: str) -> None:
        """Record what was detected (``encoding``, ``delimiter``, ``sheet``...)."""
        self.report.detected[key] = value

    def finish(self) -> None:
        """Add one closing issue per code whose row-level issues went past the cap."""
        for code, dropped in self._dropped.items():
            closing = msg("capped.more-rows", count=dropped, listed=MAX_ISSUES_PER_CODE)
            self.report.add(
                Issue(
                    code=code,
                    message=closing,
                    severity=self._severity[code],
                    file=self.file,
                    sheet=self.sheet,
                )
            )
        self._dropped.clear()
