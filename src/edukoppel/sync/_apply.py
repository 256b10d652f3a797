"""apply(): the imperative shell that hands a changeset to a store and logs the run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import attrs

from edukoppel._i18n import msg
from edukoppel.exceptions import (
    AcknowledgementError,
    BlockedPlanError,
    EdukoppelError,
    StalePlanError,
    StoreError,
)
from edukoppel.model import EntityKind
from edukoppel.report import Report
from edukoppel.sync._changeset import BlockReason, ChangeAction, Changeset
from edukoppel.sync._store import RunOutcome, RunProblem, Store, SyncRun, count_issues

__all__ = ["Outcome", "apply"]


@attrs.frozen(kw_only=True)
class Outcome:
    """What :func:`apply` did: the run as logged, and its counts."""

    run: SyncRun

    @property
    def counts(self) -> dict[EntityKind, dict[ChangeAction, int]]:
        """Changes applied per entity kind and action."""
        return self.run.counts

    @property
    def total(self) -> int:
        """How many changes were applied."""
        return self.run.total

    def __str__(self) -> str:
        return str(self.run)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def apply(
    changeset: Changeset,
    store: Store,
    *,
    acknowledge: Iterable[str | BlockReason] = (),
    description: str | None = None,
    report: Report | None = None,
    clock: Callable[[], dt.datetime] = _utc_now,
) -> Outcome:
    """Apply a planned changeset to a store, all or nothing, and log the run.

    Args:
        changeset: From :func:`edukoppel.plan`, against ``store.snapshot()``.
        store: Where to apply it (:class:`~edukoppel.MemoryStore`, or your own store).
        acknowledge: Codes of blocking reasons (or the reasons themselves) the caller has
            checked and accepts. A blocked plan is refused unless every reason is
            acknowledged; a code the plan does not carry is refused too (a typo must not
            be logged as an acknowledgement), so acknowledge what you checked on this plan.
        description: What to write in the run log about this run (no personal data).
        report: The report of the read that gave the incoming roster (``result.report``
            of :func:`edukoppel.read`): the log counts its issues per severity and code,
            together with the plan's own issues (counts only, no messages).
        clock: Where the time comes from (for tests).

    Returns:
        The outcome, with the logged run and its counts.

    Raises:
        AcknowledgementError: ``acknowledge`` names a code the plan does not carry; nothing
            is applied or logged.
        BlockedPlanError: The plan is blocked and not every reason was acknowledged.
        StalePlanError: The store changed since the plan was made; plan again.
        StoreError: The store failed; nothing was changed.

    Examples:
        >>> import edukoppel as ek
        >>> store = ek.MemoryStore()
        >>> incoming = ek.Roster(students=[ek.Student(key="00123")], source="las")
        >>> outcome = ek.apply(ek.plan(store.snapshot(), incoming), store)
        >>> outcome.counts["student"]["add"], len(store.runs())
        (1, 1)
        >>> outcome.run.policy["max_archive_share"]
        0.1
    """
    acknowledged = {item.code if isinstance(item, BlockReason) else item for item in acknowledge}
    carried = list(dict.fromkeys(reason.code for reason in changeset.blocked))
    unknown = sorted(acknowledged - set(carried))
    if unknown:
        # A typo ("school-year") or a plan that changed since it was checked: acknowledging
        # what is not there would log an acknowledgement nobody gave. Nothing runs.
        raise AcknowledgementError(
            msg("apply.unknown-acknowledgement", unknown=tuple(unknown), carried=tuple(carried))
            if carried
            else msg("apply.unknown-acknowledgement.none", unknown=tuple(unknown)),
            unknown=unknown,
            carried=carried,
        )
    started = clock()
    missing = [code for code in carried if code not in acknowledged]
    problems = tuple(
        RunProblem(code=issue.code, message=issue.message, entity=issue.entity, key=issue.key)
        for issue in changeset.issues
        if issue.severity != "info" or issue.key is not None
    )

    issues = [*(report.issues if report is not None else ()), *changeset.issues]
    issue_counts = count_issues(issues)
    policy = None if changeset.policy is None else changeset.policy.to_dict(defaults=True)

    def run(outcome: RunOutcome, extra: tuple[RunProblem, ...] = ()) -> SyncRun:
        counts = {
            kind: {action: n for action, n in actions.items() if n}
            for kind, actions in changeset.summary().items()
            if any(actions.values())
        }
        return SyncRun(
            number=0,
            source=changeset.source,
            description=description,
            started_at=started,
            finished_at=clock(),
            outcome=outcome,
            counts=counts if outcome == "applied" else {},
            blocked=tuple(reason.code for reason in changeset.blocked),
            acknowledged=tuple(sorted(acknowledged)),
            problems=problems + extra,
            policy=policy,
            issue_counts=issue_counts,
        )

    def log(outcome: RunOutcome, extra: tuple[RunProblem, ...] = ()) -> SyncRun:
        return store.record_run(run(outcome, extra))

    if missing:
        log("refused-blocked")
        reasons = tuple(r.text for r in changeset.blocked if r.code in missing)
        raise BlockedPlanError(msg("apply.blocked", reasons=reasons), reasons=missing)
    if changeset.is_empty:
        if store.revision() != changeset.base:
            log("refused-stale")
            raise StalePlanError(expected=changeset.base, actual=store.revision())
        return Outcome(run=log("nothing-to-do"))
    together = getattr(store, "apply_and_record", None)
    try:
        if together is not None:  # the changes and their log entry in one transaction
            return Outcome(run=together(changeset, run("applied")))
        store.apply_changes(changeset)
    except StalePlanError:
        log("refused-stale")
        raise
    except Exception as error:
        message = str(error) if isinstance(error, EdukoppelError) else type(error).__name__
        log("failed", (RunProblem(code="store-error", message=message),))
        if isinstance(error, StoreError):
            raise
        raise StoreError(msg("apply.store-failed", error=message)) from error
    return Outcome(run=log("applied"))
