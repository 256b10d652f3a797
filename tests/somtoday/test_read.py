"""read_somtoday against the emulator, over real sockets: mapping, conventions, permissions."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.somtoday import (
    Progress,
    SomtodayConfigError,
    SomtodayError,
    SomtodaySettings,
    read_somtoday,
    read_somtoday_async,
)
from edukoppel.testing.somtoday import SomtodayEmulator, example_instellingen, generated_instelling

NOORD = "00000000-0000-4000-000a-000000000001"
ZUID = "00000000-0000-4000-000a-000000000002"
SANNE = "00000000-0000-4000-0001-000000000001"
DAAN = "00000000-0000-4000-0001-000000000002"
NOOR = "00000000-0000-4000-0001-000000000003"
JANSEN = "00000000-0000-4000-0007-000000000001"
BAKKER = "00000000-0000-4000-0007-000000000002"
H2A = "00000000-0000-4000-0006-000000000001"
NE = "00000000-0000-4000-0008-000000000001"
OUDER = "00000000-0000-4000-0003-000000000001"
FAST = {"backoff": 0.0, "max_backoff": 0.05, "timeout": 5.0}


@pytest.fixture
def server() -> Iterator[SomtodayEmulator]:
    with SomtodayEmulator() as emulator:
        yield emulator


def read(server: SomtodayEmulator, **options: Any) -> ek.ReadResult:
    return read_somtoday(**server.credentials(), **{**FAST, **options})


def test_a_read_maps_every_kind_into_the_canonical_model(server: SomtodayEmulator) -> None:
    result = read(server)
    roster = result.roster
    assert (result.format, result.mapping, result.table) == ("somtoday", None, None)
    assert roster.counts == {"location": 2, "group": 5, "student": 3, "staff": 3, "guardian": 2}
    sanne = roster.students[SANNE]
    assert (sanne.student_number, sanne.first_name, sanne.infix, sanne.last_name) == (
        "100001",
        "Sanne",
        "de",
        "Vries",
    )
    assert (sanne.username, sanne.gender, sanne.year, sanne.program) == (
        "100001",
        "female",
        "2",
        "HAVO 2",
    )
    assert (sanne.homeroom, sanne.location) == (H2A, NOORD)
    assert NE in sanne.groups
    assert roster.groups[H2A].kind == "homeroom"
    assert (roster.groups[NE].kind, roster.groups[NE].subject) == ("teaching", "Nederlands")
    jansen = roster.staff[JANSEN]
    assert jansen.abbreviation == "JNS"
    assert ek.GroupRole(H2A, "mentor") in jansen.groups
    assert ek.GroupRole(NE, "docent") in jansen.groups
    assert roster.staff[BAKKER].mentees == (SANNE,)
    assert str(roster.staff[BAKKER].end_date) == "2026-07-31"
    ouder = roster.guardians[OUDER]
    assert [(link.student, link.relation, link.legal_authority, link.receives_mail)
            for link in ouder.students] == [
        (SANNE, "Moeder", True, True),
        (DAAN, "Voogd", True, False),
    ]  # fmt: skip
    assert roster.locations[NOORD].brin6 == "99ZZ00"
    assert roster.scope.locations == {NOORD, ZUID}
    assert roster.school is not None
    assert (roster.school.brin, roster.scope.school_year) == ("99ZZ", roster.school.school_year)
    assert roster.source == "somtoday"


def test_a_person_in_two_vestigingen_is_one_record(server: SomtodayEmulator) -> None:
    staff = read(server).roster.staff
    assert [member.key for member in staff].count(JANSEN) == 1
    assert staff[JANSEN].locations == (NOORD, ZUID)


def test_requests_follow_the_spec_conventions(server: SomtodayEmulator) -> None:
    read(server)
    logged = server.requests
    token = [item for item in logged if item.path == "/oauth2/token"]
    assert [(item.method, dict(item.query)) for item in token] == [
        ("POST", {"organisation": (server.credentials()["instelling"],)})
    ]
    lists = [item for item in logged if "/vestiging/" in item.path]
    ends = {item.path.split(f"{NOORD}/")[-1] for item in lists if NOORD in item.path}
    assert ends == {"leerling", "medewerker", "lesgroep/", "stamgroep/", "ouderVerzorger/"}
    for item in logged:
        assert item.accept == "application/json"
        assert item.status == 200
    for item in lists:
        assert int(item.query["amount"][0]) <= 200
        assert item.query["peilschooljaar"] == ("HUIDIG",)
        assert ("veldpermissies" in item.query) == (item.query["offset"] == ("0",))
    instelling = [item for item in logged if item.path.endswith("/connect/instelling")]
    assert [item.authorized for item in instelling] == [False]


def test_paging_stops_on_a_short_page_and_on_an_empty_one() -> None:
    """Pages of 200 overlap by one record (offsets 0, 199, 398): 450 and 399 pupils take three
    pages (399: the third holds only the second's last), 398 take two, none take one (empty)."""
    for students, pages in ((450, 3), (399, 3), (398, 2), (0, 1)):
        instelling = generated_instelling(students=students, groups=4, staff=2, guardians=0,
                                          vestigingen=1)  # fmt: skip
        with SomtodayEmulator([instelling]) as server:
            result = read(server, concurrency=1)
            assert len(result.roster.students) == students
            assert server.request_count("/leerling") == pages


def test_a_smaller_page_size_is_sent_as_amount() -> None:
    instelling = generated_instelling(students=25, groups=4, staff=2, guardians=0, vestigingen=1)
    with SomtodayEmulator([instelling]) as server:
        result = read(server, page_size=10)
        assert len(result.roster.students) == 25
        amounts = {item.query["amount"] for item in server.requests if "/leerling" in item.path}
        assert amounts == {("10",)}


def test_next_school_year_asks_volgend_and_gets_new_pupils(server: SomtodayEmulator) -> None:
    current = read(server).roster
    following = read(server, school_year="next").roster
    assert NOOR not in current.students
    assert NOOR in following.students
    assert following.students[SANNE].year == "3"
    assert following.scope.school_year != current.scope.school_year
    assert {item.query["peilschooljaar"] for item in server.requests if "/leerling" in item.path}
    assert server.requests[-1].query["peilschooljaar"] == ("VOLGEND",)


def test_fields_not_released_are_not_provided(server: SomtodayEmulator) -> None:
    both = read(server)
    provides = both.roster.provides
    assert "email" not in provides["student"]
    assert "eckid" not in provides["student"]
    assert "end_date" not in provides["staff"]
    assert {"last_name", "groups", "homeroom"} <= provides["student"]
    assert "somtoday-field-not-released" in both.report.codes
    noord = read(server, vestigingen=["99ZZ00"])
    assert "email" in noord.roster.provides["student"]
    assert "somtoday-field-not-released" not in noord.report.codes


def test_a_field_not_released_is_never_cleared_by_a_sync(server: SomtodayEmulator) -> None:
    """Not released (Zuid) leaves e-mail alone; released and null (Daan in Noord) clears it."""
    stored = ek.Roster(
        students=[
            ek.Student(key=DAAN, email="daan@example.nl", location=NOORD,
                       origin="somtoday"),
            ek.Student(key="00000000-0000-4000-0001-000000000004", email="ilse@example.nl",
                       location=ZUID, origin="somtoday"),
        ],
        source="somtoday",
    )  # fmt: skip
    both = ek.plan(stored, read(server).roster)
    updates = both.of("student", "update")
    assert not any(change.field == "email" for update in updates for change in update.changes)
    noord = ek.plan(stored, read(server, vestigingen=[NOORD]).roster)
    cleared = [
        (update.key, change.new)
        for update in noord.of("student", "update")
        for change in update.changes  # type: ignore[union-attr]
        if change.field == "email"
    ]
    assert cleared == [(DAAN, None)]


def test_an_unresolved_docent_is_reported_not_fatal(server: SomtodayEmulator) -> None:
    result = read(server)
    issues = result.report.by_code("somtoday-unresolved-reference")
    assert [(issue.entity, issue.key, issue.field) for issue in issues] == [
        ("group", NE, "docenten")
    ]
    assert issues[0].severity == "warning"


def test_vestigingen_are_chosen_by_uuid_brin_or_name(server: SomtodayEmulator) -> None:
    assert read(server, vestigingen=[ZUID]).roster.scope.locations == {ZUID}
    assert read(server, vestigingen=["99zz01"]).roster.scope.locations == {ZUID}
    named = read(server, vestigingen=["Voorbeeld College Noord"]).roster
    assert named.scope.locations == {NOORD}
    with pytest.raises(SomtodayError, match="Oost"):
        read(server, vestigingen=["Voorbeeld College Oost"])  # not activated: invisible


def test_the_second_instelling_has_its_own_token_and_data(server: SomtodayEmulator) -> None:
    result = read_somtoday(**server.credentials(1), **FAST)
    assert result.roster.school is not None
    assert result.roster.school.brin == "88YY"
    assert len(result.roster.students) == 2


def test_unknown_fields_and_missing_optional_fields_are_tolerated() -> None:
    instelling = generated_instelling(students=3, groups=4, staff=1, guardians=1, vestigingen=1)
    records = instelling.vestigingen[0].records
    records["leerling"][0]["nieuwVeld"] = {"iets": [1, 2]}
    records["leerling"][1] = {"uuid": records["leerling"][1]["uuid"]}
    with SomtodayEmulator([instelling]) as server:
        roster = read(server).roster
    bare = roster.students[instelling.vestigingen[0].records["leerling"][1]["uuid"]]
    assert (bare.last_name, bare.year, bare.student_number) == (None, None, None)


def test_a_value_the_model_refuses_is_reported_and_left_out() -> None:
    instelling = generated_instelling(students=2, groups=4, staff=1, guardians=0, vestigingen=1)
    instelling.vestigingen[0].records["leerling"][0]["geboortedatum"] = "2011-02-31"
    with SomtodayEmulator([instelling]) as server:
        result = read(server)
    issues = result.report.by_code("somtoday-invalid-value")
    assert [(issue.field, issue.severity) for issue in issues] == [("birth_date", "warning")]
    assert len(result.roster.students) == 2
    assert "2011" not in issues[0].message


def test_progress_is_reported_after_every_page(server: SomtodayEmulator) -> None:
    seen: list[Progress] = []
    result = read(server, progress=seen.append)
    assert seen
    assert seen[-1].lists_done == seen[-1].lists == 10
    # Every record received: Jansen twice (in Noord and in Zuid), the rest once.
    assert seen[-1].records == sum(result.roster.counts.values()) - 2 + 1
    assert [p.requests for p in seen] == sorted(p.requests for p in seen)


def test_concurrency_is_bounded_and_one_means_sequential() -> None:
    instelling = generated_instelling(students=1200, groups=40, staff=20, guardians=1200,
                                      vestigingen=2)  # fmt: skip
    with SomtodayEmulator([instelling], latency=0.01) as server:
        read(server, concurrency=3)
        assert 2 <= server.max_in_flight <= 3
        fetched_ahead = server.request_count()
        server.reset_log()
        read(server, concurrency=1)
        assert server.max_in_flight == 1
        sequential = server.request_count()
    # Fetching ahead costs at most a few requests past the end of a list.
    assert sequential <= fetched_ahead <= sequential + 2 * 3 * 5


def test_the_async_variant_and_a_running_loop(server: SomtodayEmulator) -> None:
    settings = server.settings(**FAST)

    async def host() -> tuple[ek.ReadResult, ek.ReadResult]:
        awaited = await read_somtoday_async(settings)
        blocking = read_somtoday(settings)  # a notebook calls the blocking one in its loop
        return awaited, blocking

    awaited, blocking = asyncio.run(host())
    assert awaited.roster == blocking.roster
    assert len(awaited.roster.students) == 3


def test_the_secret_is_never_shown(
    server: SomtodayEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    secret = server.client_secret
    caplog.set_level(logging.DEBUG)
    settings = server.settings(**FAST)
    result = read_somtoday(settings)
    server.inject(503, path="/leerling", times=None)
    with pytest.raises(SomtodayError) as failed:
        read_somtoday(settings, retries=1)
    server.clear_faults()
    with pytest.raises(SomtodayError) as refused:
        read_somtoday(settings, client_secret=secret + "x")
    shown = [
        repr(settings),
        str(settings),
        str(result.report),
        repr(result),
        str(failed.value),
        repr(failed.value),
        str(refused.value),
        caplog.text,
        *(str(item) for item in server.requests),
    ]
    assert not [text for text in shown if secret in text]
    assert "client_secret" not in repr(settings)


def test_settings_from_the_environment_and_refusals() -> None:
    environ = {
        "EDUKOPPEL_SOMTODAY_API_URL": "http://127.0.0.1:1/rest/v1/",
        "EDUKOPPEL_SOMTODAY_TOKEN_URL": "http://127.0.0.1:1/oauth2/token",
        "EDUKOPPEL_SOMTODAY_INSTELLING": "x",
        "EDUKOPPEL_SOMTODAY_CLIENT_ID": "id",
        "EDUKOPPEL_SOMTODAY_CLIENT_SECRET": "geheim",
        "EDUKOPPEL_SOMTODAY_SCHOOL_YEAR": "next",
        "EDUKOPPEL_SOMTODAY_CONCURRENCY": "4",
    }
    settings = SomtodaySettings.from_environment(environ)
    assert (settings.api_url, settings.peilschooljaar, settings.concurrency) == (
        "http://127.0.0.1:1/rest/v1",
        "VOLGEND",
        4,
    )
    del environ["EDUKOPPEL_SOMTODAY_CLIENT_SECRET"]
    with pytest.raises(SomtodayConfigError, match="CLIENT_SECRET"):
        SomtodaySettings.from_environment(environ)
    base = {"api_url": "http://h/rest/v1", "token_url": "http://h/oauth2/token",
            "instelling": "x", "client_id": "id", "client_secret": "geheim"}  # fmt: skip
    for wrong in ({"page_size": 201}, {"school_year": "HUIDIG"}, {"api_url": "ftp://h"},
                  {"token_url": "http://h/oauth2/token?organisation=x"}, {"concurrency": 0},
                  {"client_id": " "}):  # fmt: skip
        with pytest.raises(SomtodayConfigError) as refused:
            SomtodaySettings(**{**base, **wrong})
        assert isinstance(refused.value, ValueError)
        assert "geheim" not in str(refused.value)
    with pytest.raises(SomtodayConfigError, match="client_secret"):
        read_somtoday(api_url="http://h/rest/v1", token_url="http://h/t", instelling="x",
                      client_id="id")  # fmt: skip


def test_importing_the_reader_does_not_import_httpx() -> None:
    code = "import sys, edukoppel.somtoday; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == "False"


@settings(max_examples=6, deadline=None)
@given(
    students=st.integers(0, 450),
    guardians=st.integers(0, 60),
    page_size=st.sampled_from([7, 50, 200]),
    concurrency=st.integers(1, 8),
    vestigingen=st.integers(1, 3),
)
def test_every_record_is_read_exactly_once_whatever_the_paging(
    students: int, guardians: int, page_size: int, concurrency: int, vestigingen: int
) -> None:
    """However the pages fall and however many are in flight: all records, no duplicates."""
    instelling = generated_instelling(students=students, groups=12, staff=5,
                                      guardians=guardians, vestigingen=vestigingen)  # fmt: skip
    with SomtodayEmulator([instelling]) as server:
        result = read(server, page_size=page_size, concurrency=concurrency)
        sequential = read(server, page_size=page_size, concurrency=1)
    assert result.roster.counts["student"] == students
    assert result.roster.counts["guardian"] == guardians
    assert result.roster.students.duplicate_keys == ()
    assert result.roster == sequential.roster


def test_a_pupil_in_two_vestigingen_is_one_student_with_both_groups() -> None:
    instellingen = example_instellingen()
    noord, zuid = instellingen[0].vestigingen[:2]
    sanne = next(r for r in noord.records["leerling"] if r["uuid"] == SANNE)
    zuid.records["leerling"].append(
        {**sanne, "lesgroepen": [{"uuid": "00000000-0000-4000-0008-000000000003"}]}
    )
    with SomtodayEmulator(instellingen) as server:
        roster = read(server).roster
    assert [student.key for student in roster.students].count(SANNE) == 1
    assert roster.students[SANNE].location == NOORD  # the first vestiging it was read in
    assert "00000000-0000-4000-0008-000000000003" in roster.students[SANNE].groups


def test_messages_of_a_failed_read_are_in_dutch_too(server: SomtodayEmulator) -> None:
    server.inject(503, path="/leerling", times=None)
    with pytest.raises(SomtodayError) as failed:
        read(server, retries=0)
    assert "er is niets ingelezen" in failed.value.message_in("nl")
    assert "nothing was read" in failed.value.message_in("en")


def test_ek_read_takes_the_settings_as_its_source(server: SomtodayEmulator) -> None:
    """One entry point for every source: a file, an EDEXML document, or a Somtoday connection."""
    settings = server.settings(**FAST)
    by_read = ek.read(settings)
    assert by_read.format == "somtoday"
    assert by_read.roster == read(server).roster
    assert by_read.roster.source == "somtoday"  # the settings' own source name
    assert ek.read(settings, source_name="connect").roster.source == "connect"
    with pytest.raises(TypeError, match="without a column mapping: mapping, values"):
        ek.read(settings, mapping=object(), values={})  # type: ignore[arg-type]
