"""apply(): refusing blocked and stale plans, applying through a store, and the run log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import edukoppel as ek
from edukoppel.sync import RunProblem

SOURCE = "las"
T0 = dt.datetime(2025, 9, 1, 7, 0, tzinfo=dt.UTC)

#: Personal data used in these tests; none of it may appear in the run log.
PERSONAL = (
    "Daan",
    "Berg",
    "Sanne",
    "Jansen",
    "Öztürk",
    "daan.berg",
    "sanne.jansen",
    "2011-03-04",
)


def _clock(
    start: dt.datetime = T0, step: dt.timedelta = dt.timedelta(seconds=1)
) -> Callable[[], dt.datetime]:
    """A deterministic clock: start, start + step, start + 2 steps..."""
    ticks: Iterator[int] = iter(range(10_000))
    return lambda: start + step * next(ticks)


def _daan(**changes: Any) -> ek.Student:
    daan = ek.Student(
        key="00123",
        username="daan.berg",
        email="daan.berg@school.nl",
        first_name="Daan",
        last_name="Berg",
        birth_date="2011-03-04",
        location="99ZX10",
    )
    return attrs.evolve(daan, **changes)


def _pupils(count: int, *, start: int = 0) -> list[ek.Student]:
    return [ek.Student(key=f"{n:05d}", last_name="Jansen") for n in range(start, start + count)]


def _store(*students: ek.Student, school: ek.School | None = None) -> ek.MemoryStore:
    own = [attrs.evolve(s, origin=SOURCE) if s.origin is None else s for s in students]
    return ek.MemoryStore(ek.Roster(students=own, school=school, source="seed"))


def _incoming(**kwargs: Any) -> ek.Roster:
    kwargs.setdefault("source", SOURCE)
    return ek.Roster(**kwargs)


def _run_text(run: ek.SyncRun) -> str:
    """Every field of a run, as text, to look for personal data."""
    return repr(attrs.asdict(run)) + str(run)


# -- applying ---------------------------------------------------------------------------------


def test_apply_brings_the_store_to_the_source() -> None:
    """After apply, the store holds the source's records, and planning again is empty."""
    store = _store(_daan(), *_pupils(2, start=1))
    incoming = _incoming(students=[_daan(last_name="Berg-Smit"), ek.Student(key="00001")])

    outcome = ek.apply(ek.plan(store.snapshot(), incoming), store)

    snapshot = store.snapshot()
    assert "Berg-Smit" == snapshot.students["00123"].last_name
    assert [("00002", True)] == [(s.key, s.archived) for s in snapshot.students if s.archived]
    assert {"student": {"update": 2, "archive": 1}} == outcome.counts
    assert 3 == outcome.total
    assert ek.plan(snapshot, incoming).is_empty


def test_added_records_belong_to_the_source() -> None:
    """A record the sync adds is marked with the sync's source as its origin."""
    store = ek.MemoryStore()

    ek.apply(ek.plan(store.snapshot(), _incoming(students=[_daan()])), store)

    assert (SOURCE, False) == (
        store.snapshot().students["00123"].origin,
        store.snapshot().students["00123"].archived,
    )


def test_restore_and_key_change_are_applied() -> None:
    """A restored record is active again; a key change by username moves the record."""
    store = _store(_daan(archived=True), ek.Student(key="00200", username="sanne.jansen"))
    policy = ek.SyncPolicy(identity={"student": "username"})
    incoming = _incoming(
        students=[_daan(), ek.Student(key="uuid-200", username="sanne.jansen")],
        provides={"student": ["username"]},
    )

    changeset = ek.plan(store.snapshot(), incoming, policy=policy)
    ek.apply(changeset, store)

    students = store.snapshot().students
    assert [("restore", "student", "00123"), ("update", "student", "00200")] == (
        changeset.as_tuples()
    )
    assert (False, ["00123", "uuid-200"]) == (students["00123"].archived, sorted(students.keys()))


def test_school_is_stored() -> None:
    """The changeset's school record is stored."""
    store = ek.MemoryStore()
    school = ek.School(brin="99ZX", school_year="2025-2026")

    ek.apply(ek.plan(store.snapshot(), _incoming(school=school, students=[])), store)

    assert school == store.snapshot().school


# -- blocked plans ----------------------------------------------------------------------------


def _blocked() -> tuple[ek.MemoryStore, ek.Changeset]:
    store = _store(*_pupils(20))
    return store, ek.plan(store.snapshot(), _incoming(students=_pupils(10)))


def test_blocked_plan_is_refused_and_logged() -> None:
    """apply refuses a blocked plan, names the codes, changes nothing, and logs the refusal."""
    store, changeset = _blocked()
    before = store.snapshot()

    with pytest.raises(ek.BlockedPlanError) as caught:
        ek.apply(changeset, store, description="weekly sync", clock=_clock())

    assert ("archive-share",) == caught.value.reasons
    assert "not acknowledged" in str(caught.value)
    assert "10 of 20" in str(caught.value)
    assert isinstance(caught.value, ek.PlanError)
    assert before == store.snapshot()
    assert before.fingerprint == store.revision()
    [run] = store.runs()
    expected = ek.SyncRun(
        policy=ek.SyncPolicy().to_dict(defaults=True),
        number=1,
        source=SOURCE,
        description="weekly sync",
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=1),
        outcome="refused-blocked",
        counts={},
        blocked=("archive-share",),
        acknowledged=(),
        problems=(),
    )
    assert expected == run


@pytest.mark.parametrize("acknowledge", [["archive-share"], "reason"])
def test_acknowledged_blocked_plan_is_applied(acknowledge: Any) -> None:
    """Acknowledging every reason, by code or by the BlockReason itself, lets the plan through."""
    store, changeset = _blocked()
    given = changeset.blocked if acknowledge == "reason" else acknowledge

    outcome = ek.apply(changeset, store, acknowledge=given)

    assert ("applied", ("archive-share",), ("archive-share",)) == (
        outcome.run.outcome,
        outcome.run.blocked,
        outcome.run.acknowledged,
    )
    assert 10 == sum(s.archived for s in store.snapshot().students)


def test_partly_acknowledged_plan_names_only_the_missing_reasons() -> None:
    """Only the reasons that were not acknowledged are listed in the error."""
    store = _store(*_pupils(20), school=ek.School(brin="99ZX"))
    incoming = _incoming(school=ek.School(brin="98AB"), students=_pupils(10))
    changeset = ek.plan(store.snapshot(), incoming)

    with pytest.raises(ek.BlockedPlanError) as caught:
        ek.apply(changeset, store, acknowledge=["school-mismatch"])

    assert ("archive-share",) == caught.value.reasons
    assert "school 98AB" not in str(caught.value)
    [run] = store.runs()
    assert (("school-mismatch", "archive-share"), ("school-mismatch",)) == (
        run.blocked,
        run.acknowledged,
    )


def test_a_mistyped_acknowledgement_is_refused_with_the_codes_the_plan_carries() -> None:
    """acknowledge=["school-year"] (a typo) is refused: nothing applied, nothing logged."""
    store = _store(*_pupils(20), school=ek.School(brin="99ZX", school_year="2025-2026"))
    incoming = _incoming(
        school=ek.School(brin="99ZX", school_year="2026-2027"), students=_pupils(20)
    )
    changeset = ek.plan(store.snapshot(), incoming)
    before = store.revision()

    with pytest.raises(ek.AcknowledgementError) as caught:
        ek.apply(changeset, store, acknowledge=["school-year"])

    error = caught.value
    assert isinstance(error, ValueError)
    assert (("school-year",), ("school-year-mismatch",)) == (error.unknown, error.carried)
    assert "it carries school-year-mismatch" in str(error)
    assert [] == store.runs()
    assert before == store.revision()


def test_acknowledging_a_reason_an_unblocked_plan_does_not_carry_is_refused() -> None:
    """A standing acknowledgement of a reason that is not there is refused, not logged."""
    store = ek.MemoryStore()
    changeset = ek.plan(store.snapshot(), _incoming(students=[_daan()]))

    with pytest.raises(ek.AcknowledgementError, match="not blocked"):
        ek.apply(changeset, store, acknowledge=["archive-share"])

    assert [] == store.runs()
    assert "applied" == ek.apply(changeset, store).run.outcome


# -- stale plans ------------------------------------------------------------------------------


def test_stale_plan_is_refused_and_logged() -> None:
    """A plan made before the store changed is refused with StalePlanError, and logged."""
    store = _store(_daan())
    first = ek.plan(store.snapshot(), _incoming(students=[_daan(), ek.Student(key="00124")]))
    second = ek.plan(store.snapshot(), _incoming(students=[_daan(), ek.Student(key="00125")]))
    ek.apply(first, store)
    after_first = store.snapshot()

    with pytest.raises(ek.StalePlanError) as caught:
        ek.apply(second, store, description="second run")

    assert (second.base, store.revision()) == (caught.value.expected, caught.value.actual)
    assert caught.value.expected != caught.value.actual
    assert after_first == store.snapshot()
    assert ["applied", "refused-stale"] == [run.outcome for run in store.runs()]
    assert ("second run", {}) == (store.runs()[1].description, store.runs()[1].counts)


def test_stale_empty_plan_is_refused() -> None:
    """Even a plan with nothing to do is refused when the store has changed since."""
    store = _store(_daan())
    nothing = ek.plan(store.snapshot(), _incoming(students=[_daan()]))
    ek.apply(ek.plan(store.snapshot(), _incoming(students=[_daan(), ek.Student(key="2")])), store)

    with pytest.raises(ek.StalePlanError):
        ek.apply(nothing, store)

    assert ["applied", "refused-stale"] == [run.outcome for run in store.runs()]


def test_plan_from_a_plain_roster_is_stale_for_a_store() -> None:
    """A plan not made against the store's snapshot cannot be applied to it."""
    store = _store(_daan())
    detached = ek.Roster(students=[_daan(origin=SOURCE)], source="elsewhere")

    with pytest.raises(ek.StalePlanError):
        ek.apply(ek.plan(detached, _incoming(students=[_daan(last_name="X")])), store)


# -- nothing to do ----------------------------------------------------------------------------


def test_nothing_to_do_is_logged() -> None:
    """A sync that changes nothing is still a run in the log."""
    store = _store(_daan())

    outcome = ek.apply(
        ek.plan(store.snapshot(), _incoming(students=[_daan()])),
        store,
        description="weekly sync",
        clock=_clock(),
    )

    expected = ek.SyncRun(
        policy=ek.SyncPolicy().to_dict(defaults=True),
        number=1,
        source=SOURCE,
        description="weekly sync",
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=1),
        outcome="nothing-to-do",
    )
    assert expected == outcome.run
    assert [expected] == store.runs()
    assert 0 == outcome.total


# -- the run log ------------------------------------------------------------------------------


def test_applied_run_is_logged_with_counts_and_description() -> None:
    """The log says what ran, when, what it changed (no zero counts), and how it ended."""
    store = _store(_daan(), *_pupils(2, start=1))
    incoming = _incoming(
        students=[_daan(last_name="Berg-Smit"), *_pupils(1, start=1), *_pupils(2, start=10)]
    )

    outcome = ek.apply(
        ek.plan(store.snapshot(), incoming), store, description="leerlingen.csv", clock=_clock()
    )

    expected = ek.SyncRun(
        policy=ek.SyncPolicy().to_dict(defaults=True),
        number=1,
        source=SOURCE,
        description="leerlingen.csv",
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=1),
        outcome="applied",
        counts={"student": {"add": 2, "update": 1, "archive": 1}},
        # 1 of 3 pupils is more than 10%: under the archive floor, so a warning, not a block.
        problems=(
            ek.RunProblem(
                code="archive-share-under-floor",
                message=outcome.run.problems[0].message,
                entity="student",
            ),
        ),
        issue_counts={"warning": {"archive-share-under-floor": 1}},
    )
    assert expected == outcome.run
    assert [expected] == store.runs()
    assert "#1 2025-09-01 07:00:00 'las': applied, 4 changes, 1 problem" == str(outcome)


def test_the_run_logs_the_policy_and_the_issue_counts_of_the_report() -> None:
    """The log keeps the plan's policy, defaults spelled out, and counts the read's issues."""
    store = _store(_daan())
    policy = ek.SyncPolicy(actions={"student": ["add"]}, archive_floor=0)
    report = ek.Report(
        [
            ek.Issue(code="unknown-value", message="x", severity="warning", row=2),
            ek.Issue(code="blank-row", message="x", severity="info", row=3),
            ek.Issue(code="unknown-value", message="x", severity="warning", row=4),
        ]
    )
    incoming = _incoming(students=[*_pupils(1, start=1)])

    outcome = ek.apply(ek.plan(store.snapshot(), incoming, policy=policy), store, report=report)

    assert outcome.run.policy == policy.to_dict(defaults=True)
    assert ["add"] == outcome.run.policy["actions"]["student"]
    assert ["add", "restore", "update"] == outcome.run.policy["actions"]["staff"]
    assert 0 == outcome.run.policy["archive_floor"]
    assert {"warning": {"unknown-value": 2}, "info": {"blank-row": 1}} == outcome.run.issue_counts
    assert {"warning": 2, "info": 1} == outcome.run.issues_by_severity
    assert {"blank-row": 1, "unknown-value": 2} == outcome.run.issues_by_code
    assert outcome.run == ek.SyncRun.from_dict(outcome.run.to_dict())
    assert ek.SyncPolicy.from_dict(outcome.run.policy).to_dict(defaults=True) == policy.to_dict(
        defaults=True
    )


def test_a_changeset_without_a_policy_logs_none() -> None:
    """A hand-made changeset says no policy; the log does not invent one."""
    store = ek.MemoryStore()
    changeset = ek.Changeset(source=SOURCE, base=store.revision())
    assert ek.apply(changeset, store).run.policy is None


def test_runs_are_numbered_in_order() -> None:
    """Every apply is a numbered entry, oldest first."""
    store = ek.MemoryStore()
    for n in range(3):
        incoming = _incoming(students=_pupils(n + 1))
        ek.apply(ek.plan(store.snapshot(), incoming), store, description=f"run {n}")

    assert [(1, "run 0"), (2, "run 1"), (3, "run 2")] == [
        (run.number, run.description) for run in store.runs()
    ]


def test_clock_gives_deterministic_times() -> None:
    """With a clock, started_at and finished_at are what the clock says."""
    store = ek.MemoryStore()
    clock = _clock(dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC), dt.timedelta(minutes=5))

    run = ek.apply(ek.plan(store.snapshot(), _incoming(students=[_daan()])), store, clock=clock).run

    assert (
        dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        dt.datetime(2030, 1, 2, 3, 9, 5, tzinfo=dt.UTC),
    ) == (run.started_at, run.finished_at)


def test_default_clock_is_utc() -> None:
    """Without a clock, times are timezone-aware UTC."""
    store = ek.MemoryStore()

    run = ek.apply(ek.plan(store.snapshot(), _incoming(students=[])), store).run

    assert (dt.UTC, dt.UTC) == (run.started_at.tzinfo, run.finished_at.tzinfo)
    assert run.started_at <= run.finished_at


def test_problems_are_logged_per_record_by_key_without_personal_data() -> None:
    """Conflicts and records left unchanged are logged by key; no name, e-mail or birth date."""
    manual = ek.Student(key="00300", first_name="Sanne", last_name="Jansen", origin="manual")
    store = _store(_daan(), manual)
    policy = ek.SyncPolicy(identity={"student": "username"}, active_on=dt.date(2025, 9, 1))
    incoming = _incoming(
        students=[
            _daan(first_name="Daan", last_name="Berg"),
            ek.Student(key="00124", username="DAAN.BERG", last_name="Berg", first_name="Daan"),
            ek.Student(key="00300", username="sanne.jansen", last_name="Öztürk"),
            ek.Student(key="00400", first_name="Sanne", last_name="Jansen"),
            ek.Student(key="00500", username="x", end_date="2020-01-01", last_name="Öztürk"),
        ]
    )
    changeset = ek.plan(store.snapshot(), incoming, policy=policy)

    outcome = ek.apply(changeset, store, description="leerlingen.csv")

    expected = {
        ("ambiguous-match", "student", "00123"),
        ("ambiguous-match", "student", "00400"),
        ("ambiguous-match", "student", "00300"),
    }
    actual = {(p.code, p.entity, p.key) for p in outcome.run.problems}
    assert expected <= actual
    assert all(p.key is not None for p in outcome.run.problems)
    for run in store.runs():
        text = _run_text(run)
        for value in PERSONAL:
            assert value not in text


def test_owned_by_other_source_is_logged() -> None:
    """A hand-made record that the source also lists is logged as a problem by key."""
    manual = ek.Student(key="00300", first_name="Sanne", last_name="Jansen", origin="manual")
    store = _store(manual)
    incoming = _incoming(students=[ek.Student(key="00300", first_name="Sanne", last_name="Smit")])

    outcome = ek.apply(ek.plan(store.snapshot(), incoming), store)

    assert "nothing-to-do" == outcome.run.outcome
    [problem] = outcome.run.problems
    assert ("owned-by-other-source", "student", "00300") == (
        problem.code,
        problem.entity,
        problem.key,
    )
    assert not any(value in _run_text(outcome.run) for value in PERSONAL)


def test_info_notes_without_a_key_are_not_problems() -> None:
    """'3 students left out by the policy' is a note, not a per-record problem."""
    store = ek.MemoryStore()
    policy = ek.SyncPolicy(active_on=dt.date(2025, 9, 1))
    incoming = _incoming(students=[ek.Student(key="1"), ek.Student(key="2", end_date="2025-01-01")])

    outcome = ek.apply(ek.plan(store.snapshot(), incoming, policy=policy), store)

    assert () == outcome.run.problems


def test_blocked_run_log_has_no_personal_data() -> None:
    """A refused duplicate-key plan logs codes and keys, not the people."""
    store = _store(_daan())
    incoming = _incoming(students=[_daan(), _daan(first_name="Sanne", last_name="Jansen")])

    with pytest.raises(ek.BlockedPlanError) as caught:
        ek.apply(ek.plan(store.snapshot(), incoming), store)

    [run] = store.runs()
    assert ("refused-blocked", ("duplicate-key",)) == (run.outcome, run.blocked)
    for value in PERSONAL:
        assert value not in _run_text(run)
        assert value not in str(caught.value)


# -- failing stores ---------------------------------------------------------------------------


class _BrokenStore(ek.MemoryStore):
    """A store whose writes fail with an arbitrary exception (a lost connection, a full disk)."""

    def __init__(self, error: Exception, roster: ek.Roster | None = None) -> None:
        super().__init__(roster)
        self.error = error

    def apply_changes(self, changeset: ek.Changeset) -> None:
        raise self.error


def test_arbitrary_store_exception_is_wrapped_in_store_error_and_logged() -> None:
    """Any exception from the store becomes a StoreError; the run is logged as failed."""
    cause = RuntimeError("connection to school database lost while writing Daan Berg")
    store = _BrokenStore(cause)
    changeset = ek.plan(store.snapshot(), _incoming(students=[_daan()]))

    with pytest.raises(ek.StoreError) as caught:
        ek.apply(changeset, store, description="weekly sync", clock=_clock())

    assert caught.value.__cause__ is cause
    assert "nothing was changed" in str(caught.value)
    assert "RuntimeError" in str(caught.value)
    [run] = store.runs()
    expected = ek.SyncRun(
        policy=ek.SyncPolicy().to_dict(defaults=True),
        number=1,
        source=SOURCE,
        description="weekly sync",
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=1),
        outcome="failed",
        counts={},
        problems=(RunProblem(code="store-error", message="RuntimeError"),),
    )
    assert expected == run
    assert not any(value in _run_text(run) for value in PERSONAL)
    assert 0 == len(store.snapshot().students)


def test_store_error_from_the_store_is_raised_as_is() -> None:
    """A StoreError the store raises itself is passed on unchanged and logged with its message."""
    error = ek.StoreError("cannot add student '00123': the key exists")
    store = _BrokenStore(error)

    with pytest.raises(ek.StoreError) as caught:
        ek.apply(ek.plan(store.snapshot(), _incoming(students=[_daan()])), store)

    assert error is caught.value
    [run] = store.runs()
    assert ("failed", "cannot add student '00123': the key exists") == (
        run.outcome,
        run.problems[-1].message,
    )


def test_stale_plan_error_from_the_store_is_logged_as_stale() -> None:
    """A store that finds the plan stale while applying is logged as refused-stale."""
    error = ek.StalePlanError("changed meanwhile", expected="a", actual="b")
    store = _BrokenStore(error)

    with pytest.raises(ek.StalePlanError):
        ek.apply(ek.plan(store.snapshot(), _incoming(students=[_daan()])), store)

    assert ["refused-stale"] == [run.outcome for run in store.runs()]


def test_memory_store_is_a_store() -> None:
    """MemoryStore satisfies the Store protocol that apply() needs."""
    assert isinstance(ek.MemoryStore(), ek.Store)
    assert isinstance(_BrokenStore(RuntimeError()), ek.Store)
