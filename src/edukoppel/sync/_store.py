"""The Store protocol that storage adapters implement, and the sync run log's records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

import attrs

from edukoppel.model import EntityKind, Roster
from edukoppel.report import Issue, Severity
from edukoppel.sync._changeset import ChangeAction, Changeset

__all__ = ["RunOutcome", "RunProblem", "Store", "SyncRun", "count_issues", "ordered_issue_counts"]

RunOutcome = Literal["applied", "nothing-to-do", "refused-blocked", "refused-stale", "failed"]


def count_issues(issues: Iterable[Issue]) -> dict[Severity, dict[str, int]]:
    """How many issues there are per severity and code, as :attr:`SyncRun.issue_counts`.

    Examples:
        >>> from edukoppel import Issue
        >>> count_issues([Issue(code="blank-row", message="x", severity="info"),
        ...               Issue(code="duplicate-key", message="y"),
        ...               Issue(code="blank-row", message="z", severity="info")])
        {'error': {'duplicate-key': 1}, 'info': {'blank-row': 2}}
    """
    counts: dict[Severity, dict[str, int]] = {}
    for issue in issues:
        codes = counts.setdefault(issue.severity, {})
        codes[issue.code] = codes.get(issue.code, 0) + 1
    return ordered_issue_counts(counts)


def ordered_issue_counts(
    counts: Mapping[Severity, Mapping[str, int]],
) -> dict[Severity, dict[str, int]]:
    """Issue counts errors first, then warnings and notes; codes in alphabetical order."""
    rank = {"error": 0, "warning": 1, "info": 2}
    return {
        severity: dict(sorted(counts[severity].items()))
        for severity in sorted(counts, key=lambda severity: rank.get(severity, 3))
    }


@attrs.frozen(kw_only=True)
class RunProblem:
    """A problem with one record in a sync run, by key (no personal data), as Zien!'s log shows."""

    code: str
    message: str
    entity: str | None = None
    key: str | None = None


@attrs.frozen(kw_only=True)
class SyncRun:
    """One entry of a store's sync log: what ran, when, what it changed, how it ended.

    Attributes:
        number: The run's number in this store's log, from 1.
        source: The source that was synced.
        description: What the caller said about the run (a file name, "weekly sync").
        started_at, finished_at: When (UTC).
        outcome: ``applied``, ``nothing-to-do``, ``refused-blocked``, ``refused-stale`` or
            ``failed``.
        counts: Changes per entity kind and action (zero counts left out).
        blocked: Codes of the safeguards that blocked the plan.
        acknowledged: Codes the caller acknowledged.
        problems: Problems per record (conflicts, records left unchanged), and the error
            for a failed run.
        policy: The policy the plan was made with, as ``SyncPolicy.to_dict(defaults=True)``
            spells it out (switches and thresholds, no personal data); None when the
            changeset did not say.
        issue_counts: How many issues the sync met, per severity and code
            (``{"warning": {"unknown-value": 3}}``, zeros left out): the read's report
            given to :func:`edukoppel.apply`, and the plan's own issues.
    """

    number: int
    source: str
    description: str | None
    started_at: dt.datetime
    finished_at: dt.datetime
    outcome: RunOutcome
    counts: dict[EntityKind, dict[ChangeAction, int]] = attrs.field(factory=dict)
    blocked: tuple[str, ...] = ()
    acknowledged: tuple[str, ...] = ()
    problems: tuple[RunProblem, ...] = ()
    policy: dict[str, Any] | None = None
    issue_counts: dict[Severity, dict[str, int]] = attrs.field(factory=dict)

    @property
    def total(self) -> int:
        """The number of changes."""
        return sum(n for actions in self.counts.values() for n in actions.values())

    @property
    def issues_by_severity(self) -> dict[Severity, int]:
        """How many issues of each severity (``error``, ``warning``, ``info``) the sync met."""
        return {severity: sum(codes.values()) for severity, codes in self.issue_counts.items()}

    @property
    def issues_by_code(self) -> dict[str, int]:
        """How many issues of each code the sync met, whatever their severity."""
        by_code: dict[str, int] = {}
        for codes in self.issue_counts.values():
            for code, count in codes.items():
                by_code[code] = by_code.get(code, 0) + count
        return dict(sorted(by_code.items()))

    def to_dict(self) -> dict[str, Any]:
        """The run as plain values that JSON and SQL can hold (times as ISO text with offset).

        :meth:`from_dict` gives back an equal run, so a store can keep its log as it likes.

        Examples:
            >>> import datetime as dt
            >>> at = dt.datetime(2025, 9, 1, 7, 0, tzinfo=dt.UTC)
            >>> run = SyncRun(number=1, source="las", description=None, started_at=at,
            ...               finished_at=at, outcome="applied", counts={"student": {"add": 2}},
            ...               problems=(RunProblem(code="c", message="m", entity="student"),))
            >>> run.to_dict()["started_at"]
            '2025-09-01T07:00:00+00:00'
            >>> run.to_dict()["problems"]
            [{'code': 'c', 'message': 'm', 'entity': 'student', 'key': None}]
            >>> SyncRun.from_dict(run.to_dict()) == run
            True
        """
        return {
            "number": self.number,
            "source": self.source,
            "description": self.description,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "outcome": self.outcome,
            "counts": {kind: dict(actions) for kind, actions in self.counts.items()},
            "blocked": list(self.blocked),
            "acknowledged": list(self.acknowledged),
            "problems": [attrs.asdict(problem) for problem in self.problems],
            "policy": None if self.policy is None else dict(self.policy),
            "issue_counts": {
                severity: dict(codes) for severity, codes in self.issue_counts.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SyncRun:
        """The run :meth:`to_dict` made (``number`` may be replaced: ``data | {"number": n}``)."""

        def when(value: Any) -> dt.datetime:
            return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)

        return cls(
            number=int(data["number"]),
            source=data["source"],
            description=data.get("description"),
            started_at=when(data["started_at"]),
            finished_at=when(data["finished_at"]),
            outcome=data["outcome"],
            counts={kind: dict(actions) for kind, actions in (data.get("counts") or {}).items()},
            blocked=tuple(data.get("blocked") or ()),
            acknowledged=tuple(data.get("acknowledged") or ()),
            problems=tuple(RunProblem(**problem) for problem in data.get("problems") or ()),
            policy=None if data.get("policy") is None else dict(data["policy"]),
            issue_counts={
                severity: dict(codes)
                for severity, codes in (data.get("issue_counts") or {}).items()
            },
        )

    def __str__(self) -> str:
        when = self.started_at.strftime("%Y-%m-%d %H:%M:%S")
        changes = f"{self.total} change{'s' * (self.total != 1)}"
        count = len(self.problems)
        problems = f", {count} problem{'s' * (count != 1)}" if count else ""
        return f"#{self.number} {when} {self.source!r}: {self.outcome}, {changes}{problems}"


@runtime_checkable
class Store(Protocol):
    """What :func:`edukoppel.apply` needs from a storage adapter.

    A store keeps records with their origin and archived flag, a school record, a revision
    token that changes with every change, and a run log. Third-party stores can check
    themselves with :class:`edukoppel.testing.StoreConformance`.
    """

    def snapshot(self) -> Roster:
        """Everything the store holds, archived records included, with ``revision`` set."""
        ...

    def revision(self) -> str:
        """A token that changes whenever the stored records change."""
        ...

    def apply_changes(self, changeset: Changeset) -> None:
        """Apply every change or none.

        Raises:
            StalePlanError: The store's revision is not ``changeset.base``.
            StoreError: A change cannot be applied; nothing was changed.
        """
        ...

    def record_run(self, run: SyncRun) -> SyncRun:
        """Append a run to the log, numbering it; return the numbered run.

        A store may also have ``apply_and_record(changeset, run) -> SyncRun``, which applies
        the changes and logs the run in one transaction: :func:`edukoppel.apply` then uses it
        for an applied run (docs/stores.md).
        """
        ...

    def runs(self) -> list[SyncRun]:
        """The run log, oldest first."""
        ...
