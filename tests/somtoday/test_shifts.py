"""Records that shift between the pages of a list: the emulator's switch, the client's defence.

Between two page requests of one list the server's sorted list changes (a record inserted
before the current offset, or one removed), so a reader that adds ``amount`` to ``offset``
sees a record twice or misses one. The client's pages overlap by one record; when a page
does not start with the record the page before it ended on, the list is read again from its
start (a few times at most), and a read never returns a roster with a record missing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.somtoday import Progress, SomtodayError, read_somtoday
from edukoppel.somtoday._client import MAX_REREADS
from edukoppel.testing.somtoday import Instelling, SomtodayEmulator, generated_instelling

FAST = {"backoff": 0.0, "max_backoff": 0.05, "timeout": 5.0}


def school(students: int = 600) -> Instelling:
    return generated_instelling(students=students, groups=12, staff=5, guardians=40,
                                vestigingen=1)  # fmt: skip


def read(server: SomtodayEmulator, **options: Any) -> ek.ReadResult:
    return read_somtoday(**server.credentials(), **{**FAST, **options})


def first_pages(server: SomtodayEmulator, path: str) -> int:
    """How many times a list was read from its start (offset 0)."""
    return sum(path in item.path and item.query.get("offset") == ("0",) for item in server.requests)


def pupils_seen_by_a_naive_reader(server: SomtodayEmulator, vestiging: str) -> list[str]:
    """The uuids a reader gets that pages with ``offset += amount`` and trusts what it gets."""
    with httpx.Client(headers={"Accept": "application/json"}, trust_env=False) as http:
        form = {"grant_type": "client_credentials", "client_id": server.client_id,
                "client_secret": server.client_secret}  # fmt: skip
        token = http.post(
            server.token_url, params={"organisation": server.instellingen[0].uuid}, data=form
        ).json()["access_token"]
        seen: list[str] = []
        offset = 0
        while True:
            page = http.get(
                f"{server.api_url}/connect/vestiging/{vestiging}/leerling",
                params={"amount": 200, "offset": offset},
                headers={"Authorization": f"Bearer {token}"},
            ).json()["leerlingen"]
            seen += [record["uuid"] for record in page]
            if len(page) < 200:
                return seen
            offset += 200


@pytest.mark.parametrize(("insert", "remove"), [(1, 0), (0, 1)])
def test_the_emulator_shifts_a_list_between_its_pages(insert: int, remove: int) -> None:
    """The switch does what it says: a naive reader sees a pupil twice, or misses one."""
    instelling = school()
    vestiging = instelling.vestigingen[0].uuid
    with SomtodayEmulator([instelling]) as server:
        before = pupils_seen_by_a_naive_reader(server, vestiging)
        shift = server.shift(f"{vestiging}/leerling", after=1, insert=insert, remove=remove)
        seen = pupils_seen_by_a_naive_reader(server, vestiging)
        after = pupils_seen_by_a_naive_reader(server, vestiging)
    assert (shift.hits, len(shift.inserted), len(shift.removed)) == (1, insert, remove)
    assert len(before) == len(set(before)) == 600
    assert len(after) == 600 + insert - remove
    if insert:
        assert len(seen) == len(set(seen)) + 1  # the last pupil of page 1 comes again
        assert shift.inserted[0] not in seen  # and the new one is never seen
    else:
        # The removed pupil came on page 1; the one that moved up to page 1 is never seen.
        assert len(seen) == len(set(seen)) == 599
        assert set(after) - set(seen) == {after[199]}


def test_a_shift_needs_a_record_to_move() -> None:
    with SomtodayEmulator([school(10)]) as server, pytest.raises(ValueError, match="insert"):
        server.shift("/leerling")


@pytest.mark.parametrize("concurrency", [1, 8])
@pytest.mark.parametrize(("insert", "remove", "at"), [(1, 0, 0), (3, 0, 0), (0, 1, 0), (0, 2, 5)])
def test_a_shifted_list_is_read_again_and_nothing_is_missing(
    concurrency: int, insert: int, remove: int, at: int
) -> None:
    instelling = school()
    vestiging = instelling.vestigingen[0].uuid
    with SomtodayEmulator([instelling]) as server:
        shift = server.shift(f"{vestiging}/leerling", after=1, insert=insert, remove=remove, at=at)
        seen: list[Progress] = []
        result = read(server, concurrency=concurrency, progress=seen.append)
        assert first_pages(server, f"{vestiging}/leerling") == 2  # read again, once
        server.clear_faults()
        server.reset_log()
        now = read(server).roster
        assert first_pages(server, f"{vestiging}/leerling") == 1
    roster = result.roster
    assert roster == now  # the list as it is after the change: nothing missing, nothing twice
    assert roster.counts["student"] == 600 + insert - remove
    assert roster.students.duplicate_keys == ()
    assert set(shift.inserted) <= {student.key for student in roster.students}
    assert not set(shift.removed) & {student.key for student in roster.students}
    assert seen[-1].rereads == 1
    assert seen[-1].records == sum(roster.counts.values()) - 1  # less the vestiging itself


@pytest.mark.parametrize("concurrency", [1, 8])
def test_a_list_that_keeps_shifting_fails_the_read_cleanly(concurrency: int) -> None:
    instelling = school()
    vestiging = instelling.vestigingen[0].uuid
    with SomtodayEmulator([instelling]) as server:
        server.shift(f"{vestiging}/leerling", after=1, insert=1, times=None)
        result = None
        with pytest.raises(SomtodayError) as failed:
            result = read(server, concurrency=concurrency)
        assert result is None
        # The first read and MAX_REREADS more, each from the start; then no more requests.
        assert first_pages(server, f"{vestiging}/leerling") == MAX_REREADS + 1
    error = failed.value
    assert error.path is not None
    assert error.path.endswith(f"{vestiging}/leerling")
    assert (error.vestiging, error.attempts) == (vestiging, MAX_REREADS + 1)
    assert "kept shifting between pages" in str(error)
    assert "nothing was read" in error.message_in("en")
    assert "er is niets ingelezen" in error.message_in("nl")


def fewest_pages(records: int, page_size: int = 200) -> int:
    """Pages that overlap by one record, up to the first short one."""
    return 1 if records < page_size else 2 + (records - page_size) // (page_size - 1)


@pytest.mark.parametrize("students", [0, 1, 199, 200, 398, 399, 600, 1990])
def test_the_defence_costs_a_stable_list_at_most_one_page_in_199(students: int) -> None:
    with SomtodayEmulator([school(students)]) as server:
        result = read(server, concurrency=1)
        pages = server.request_count("/leerling")
    assert result.roster.counts["student"] == students
    assert pages == fewest_pages(students)
    without_overlap = students // 200 + 1  # offset += amount, up to the first short page
    assert without_overlap <= pages <= without_overlap + 1 + students // (200 * 199)


@settings(max_examples=25, deadline=None)
@given(
    students=st.integers(0, 90),
    after=st.integers(0, 6),
    insert=st.integers(0, 3),
    remove=st.integers(0, 3),
    at=st.integers(0, 90),
    concurrency=st.sampled_from([1, 3, 8]),
)
def test_a_read_under_a_shift_is_the_list_before_it_or_after_it(
    students: int, after: int, insert: int, remove: int, at: int, concurrency: int
) -> None:
    """Never a mixture: every pupil there all along is in, and no one is in twice."""
    if not insert + remove:
        insert = 1
    instelling = school(students)
    vestiging = instelling.vestigingen[0].uuid
    with SomtodayEmulator([instelling]) as server:
        before = read(server, page_size=10).roster
        server.shift(f"{vestiging}/leerling", after=after, insert=insert, remove=remove, at=at)
        result = read(server, page_size=10, concurrency=concurrency).roster
        server.clear_faults()
        now = read(server, page_size=10).roster
    assert result.students.duplicate_keys == ()
    assert result in (before, now)
