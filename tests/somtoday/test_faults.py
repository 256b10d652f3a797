"""Every fault switch of the emulator against the client: retries, re-auth, all or nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import edukoppel as ek
from edukoppel.somtoday import SomtodayAuthError, SomtodayError, read_somtoday
from edukoppel.testing.somtoday import SomtodayEmulator, generated_instelling

FAST = {"backoff": 0.0, "max_backoff": 0.05, "timeout": 5.0}


@pytest.fixture
def server() -> Iterator[SomtodayEmulator]:
    with SomtodayEmulator() as emulator:
        yield emulator


def read(server: SomtodayEmulator, **options: Any) -> ek.ReadResult:
    return read_somtoday(**server.credentials(), **{**FAST, **options})


def statuses(server: SomtodayEmulator, path: str) -> list[int]:
    return [item.status for item in server.requests if path in item.path]


@pytest.mark.parametrize("status", [429, 503, 500, 502, 504, 408])
@pytest.mark.parametrize("retry_after", [None, "0"])
def test_transient_statuses_are_retried(
    server: SomtodayEmulator, status: int, retry_after: str | None
) -> None:
    expected = read(server).roster
    server.reset_log()
    server.inject(status, path="/leerling", times=2, retry_after=retry_after)
    assert read(server).roster == expected
    assert statuses(server, "/leerling")[:3] == [status, status, 200]


def test_retry_after_is_honoured(server: SomtodayEmulator) -> None:
    server.inject(429, path="/medewerker", retry_after="0.3")
    start = time.perf_counter()
    read(server, backoff=0.0, max_backoff=5.0)
    assert time.perf_counter() - start >= 0.3


def test_retry_after_as_an_http_date_is_understood(server: SomtodayEmulator) -> None:
    server.inject(503, path="/medewerker", retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    read(server)  # a date in the past: retry at once
    assert statuses(server, "/medewerker")[:2] == [503, 200]


def test_a_status_that_stays_transient_fails_the_read_after_the_retries(
    server: SomtodayEmulator,
) -> None:
    server.inject(503, path="/ouderVerzorger/", times=None)
    with pytest.raises(SomtodayError) as failed:
        read(server, retries=2)
    error = failed.value
    assert (error.status, error.attempts) == (503, 3)
    assert error.path is not None
    assert error.path.endswith("ouderVerzorger/")
    assert "nothing was read" in str(error)
    # Per failing list: the first try and two retries, no more.
    per_vestiging = {item.path for item in server.requests if "ouderVerzorger" in item.path}
    assert len(statuses(server, "ouderVerzorger")) <= 3 * len(per_vestiging)


def test_one_page_failing_for_good_fails_the_whole_read() -> None:
    """All or nothing: page 2 of one list of one vestiging fails; no roster comes back.

    Pages overlap by one record, so page 2 of 200 starts at offset 199.
    """
    instelling = generated_instelling(students=900, groups=8, staff=4, guardians=900,
                                      vestigingen=3)  # fmt: skip
    with SomtodayEmulator([instelling]) as server:
        vestiging = instelling.vestigingen[1].uuid
        server.inject(500, path=f"{vestiging}/leerling", offset=199, times=None)
        result = None
        with pytest.raises(SomtodayError) as failed:
            result = read(server, retries=1)
        assert result is None
        assert (failed.value.vestiging, failed.value.offset) == (vestiging, 199)
        server.clear_faults()
        assert len(read(server).roster.students) == 900


def test_other_client_errors_are_not_retried(server: SomtodayEmulator) -> None:
    server.inject(404, path="/stamgroep/")
    with pytest.raises(SomtodayError) as failed:
        read(server)
    assert failed.value.status == 404
    assert statuses(server, "/stamgroep/").count(404) == 1


def test_a_slow_answer_times_out_and_is_retried(server: SomtodayEmulator) -> None:
    server.inject(delay=1.0, path="/lesgroep/")
    result = read(server, timeout=0.2)
    assert len(result.roster.groups) == 5


def test_an_answer_that_stays_slow_fails_the_read(server: SomtodayEmulator) -> None:
    server.inject(delay=0.5, path="/lesgroep/", times=None)
    with pytest.raises(SomtodayError, match=r"within 0\.1 seconds") as failed:
        read(server, timeout=0.1, retries=1)
    assert failed.value.status is None


def test_an_expired_token_is_renewed_once(server: SomtodayEmulator) -> None:
    server.token_lifetime = 6
    result = read(server)
    assert len(result.roster.students) == 3
    tokens = server.request_count("/oauth2/token")
    assert tokens >= 2
    assert 401 in statuses(server, "/vestiging/")


def test_tokens_expired_from_outside_are_renewed(server: SomtodayEmulator) -> None:
    server.expire_tokens()  # nothing issued yet: a no-op
    server.inject(delay=0.2, path="/leerling")
    import threading

    timer = threading.Timer(0.1, server.expire_tokens)
    timer.start()
    try:
        assert len(read(server).roster.students) == 3
    finally:
        timer.join()


def test_a_401_after_a_new_token_is_a_clear_error(server: SomtodayEmulator) -> None:
    server.inject(401, path="/medewerker", times=None)
    with pytest.raises(SomtodayAuthError, match="401") as failed:
        read(server)
    assert failed.value.status == 401
    assert server.request_count("/oauth2/token") <= 1 + 2  # one renewal per vestiging list


def test_refused_credentials_are_not_retried(server: SomtodayEmulator) -> None:
    for wrong in ({"client_secret": "wrong"}, {"client_id": "other"},
                  {"instelling": "00000000-0000-4000-0000-00000000dead"}):  # fmt: skip
        server.reset_log()
        with pytest.raises(SomtodayAuthError, match="client id") as refused:
            read_somtoday(**{**server.credentials(), **wrong}, **FAST)
        assert refused.value.status == 401
        assert server.request_count() == 1


def test_a_token_endpoint_that_is_down_is_retried(server: SomtodayEmulator) -> None:
    server.inject(503, path="/oauth2/token", times=2)
    assert len(read(server).roster.students) == 3
    assert statuses(server, "/oauth2/token") == [503, 503, 200]


def test_a_redirect_is_never_followed(server: SomtodayEmulator) -> None:
    server.inject(302, path="/connect/vestiging", location=f"{server.base_url}/elsewhere")
    with pytest.raises(SomtodayError, match="redirect") as failed:
        read(server)
    assert failed.value.status == 302
    assert server.request_count("/elsewhere") == 0


def test_xml_instead_of_json_fails_the_read(server: SomtodayEmulator) -> None:
    server.inject(path="/leerling", xml=True)
    with pytest.raises(SomtodayError, match="application/xml, not JSON"):
        read(server)


def test_a_server_that_cannot_be_reached_fails_the_read() -> None:
    with SomtodayEmulator() as server:
        credentials = server.credentials()
    with pytest.raises(SomtodayError, match="could not reach"):
        read_somtoday(**credentials, **FAST, retries=1)
