"""The emulator itself, over raw HTTP: it answers as section 2.12 of the reference says."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from edukoppel.testing.somtoday import (
    SomtodayEmulator,
    example_instellingen,
    generated_instelling,
)

NOORD = "00000000-0000-4000-000a-000000000001"
ZUID = "00000000-0000-4000-000a-000000000002"
OOST = "00000000-0000-4000-000a-000000000003"
JSON = {"Accept": "application/json"}


@pytest.fixture
def server() -> Iterator[SomtodayEmulator]:
    with SomtodayEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(server: SomtodayEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.api_url, headers=JSON, trust_env=False) as http:
        token = token_for(server, http)
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def token_for(server: SomtodayEmulator, http: httpx.Client, instelling: int = 0) -> str:
    answer = http.post(
        server.token_url,
        params={"organisation": server.instellingen[instelling].uuid},
        data={
            "grant_type": "client_credentials",
            "client_id": server.client_id,
            "client_secret": server.client_secret,
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["token_type"], type(body["expires_in"])) == ("Bearer", int)
    token: str = body["access_token"]
    return token


def test_the_token_endpoint_refuses_what_is_wrong(server: SomtodayEmulator) -> None:
    organisation = {"organisation": server.instellingen[0].uuid}
    good = {"grant_type": "client_credentials", "client_id": server.client_id,
            "client_secret": server.client_secret}  # fmt: skip
    with httpx.Client(headers=JSON, trust_env=False) as http:
        wrong_secret = http.post(server.token_url, params=organisation,
                                 data={**good, "client_secret": "x"})  # fmt: skip
        assert (wrong_secret.status_code, wrong_secret.json()) == (401, {"error": "invalid_client"})
        unknown = http.post(server.token_url, params={"organisation": "nope"}, data=good)
        assert unknown.status_code == 401
        grant = http.post(server.token_url, params=organisation,
                          data={**good, "grant_type": "password"})  # fmt: skip
        assert grant.json() == {"error": "unsupported_grant_type"}
        as_json = http.post(server.token_url, params=organisation, json=good)
        assert as_json.status_code == 400


def test_instelling_needs_no_token_and_filters(server: SomtodayEmulator) -> None:
    with httpx.Client(base_url=server.api_url, headers=JSON, trust_env=False) as http:
        every = http.get("/connect/instelling").json()["instellingen"]
        assert [item["naam"] for item in every] == ["Voorbeeld Scholengroep", "Tweede Stichting"]
        by_brin = http.get("/connect/instelling", params={"brin": "88YY01"}).json()
        assert [item["brins"] for item in by_brin["instellingen"]] == [["88YY"]]
        by_name = http.get("/connect/instelling", params={"naam": "college zuid"}).json()
        assert [item["naam"] for item in by_name["instellingen"]] == ["Voorbeeld Scholengroep"]
        assert http.get("/connect/vestiging").status_code == 401


def test_vestigingen_are_those_activated_for_the_token(client: httpx.Client) -> None:
    listed = client.get("/connect/vestiging").json()["vestigingen"]
    assert [item["uuid"] for item in listed] == [NOORD, ZUID]
    assert (
        client.get(f"/connect/vestiging/{OOST}/leerling", params={"amount": 1}).status_code == 401
    )
    other = "00000000-0000-4000-000b-000000000001"  # of the other instelling
    assert (
        client.get(f"/connect/vestiging/{other}/leerling", params={"amount": 1}).status_code == 401
    )


@pytest.mark.parametrize("amount", [None, "0", "201", "veel"])
def test_amount_is_required_and_at_most_200(client: httpx.Client, amount: str | None) -> None:
    params = {} if amount is None else {"amount": amount}
    assert client.get(f"/connect/vestiging/{NOORD}/leerling", params=params).status_code == 400


def test_pages_are_stable_slices_and_empty_past_the_end(client: httpx.Client) -> None:
    path = f"/connect/vestiging/{NOORD}/leerling"
    first = client.get(path, params={"amount": 1, "offset": 0}).json()["leerlingen"]
    second = client.get(path, params={"amount": 1, "offset": 1}).json()["leerlingen"]
    assert [first[0]["uuid"], second[0]["uuid"]] == sorted([first[0]["uuid"], second[0]["uuid"]])
    past = client.get(path, params={"amount": 200, "offset": 50})
    assert (past.status_code, past.json()) == (200, {"leerlingen": []})


def test_slashes_null_fields_and_permissions(client: httpx.Client) -> None:
    with_slash = client.get(f"/connect/vestiging/{ZUID}/leerling/", params={"amount": 5})
    without = client.get(f"/connect/vestiging/{ZUID}/leerling", params={"amount": 5})
    assert with_slash.json() == without.json()
    assert "veldpermissies" not in without.json()
    pupil = without.json()["leerlingen"][0]
    assert "emailadres" not in pupil  # not released in Zuid
    assert "voorvoegsel" not in pupil  # null: left out
    assert pupil["lesgroepen"] == []  # an empty list stays
    assert not any(name.startswith("_") for name in pupil)
    asked = client.get(
        f"/connect/vestiging/{ZUID}/medewerker", params={"amount": 5, "veldpermissies": "true"}
    ).json()["veldpermissies"]
    assert (asked["datumUitDienst"], asked["datumInDienst"], asked["afkorting"]) == (
        False,
        True,
        True,
    )


def test_peilschooljaar_filters_records_and_their_plaatsingen(client: httpx.Client) -> None:
    path = f"/connect/vestiging/{NOORD}/leerling"
    now = client.get(path, params={"amount": 9}).json()["leerlingen"]
    huidig = client.get(path, params={"amount": 9, "peilschooljaar": "HUIDIG"}).json()
    volgend = client.get(path, params={"amount": 9, "peilschooljaar": "VOLGEND"}).json()
    assert now == huidig["leerlingen"]
    assert len(volgend["leerlingen"]) == len(now) + 1
    years = {p["schooljaar"] for pupil in now for p in pupil["plaatsingen"]}
    assert len(years) == 1
    assert years.isdisjoint(
        p["schooljaar"] for r in volgend["leerlingen"] for p in r["plaatsingen"]
    )


def test_uuid_filters_and_single_items(client: httpx.Client) -> None:
    path = f"/connect/vestiging/{NOORD}/leerling"
    every = client.get(path, params={"amount": 9}).json()["leerlingen"]
    wanted = [every[0]["uuid"], every[1]["uuid"]]
    some = client.get(path, params=[("amount", "9"), ("uuid", wanted[0]), ("uuid", wanted[1])])
    assert [item["uuid"] for item in some.json()["leerlingen"]] == wanted
    one = client.get(f"{path}/{wanted[0]}")
    assert one.json() == {"leerlingen": [every[0]]}
    assert client.get(f"{path}/00000000-0000-4000-0001-0000000000ff").status_code == 404


def test_xml_when_json_is_not_asked_for(server: SomtodayEmulator, client: httpx.Client) -> None:
    answer = client.get(f"/connect/vestiging/{NOORD}/leerling", params={"amount": 1},
                        headers={"Accept": "*/*"})  # fmt: skip
    assert answer.headers["Content-Type"] == "application/xml"
    assert answer.text.startswith("<response><leerlingen>")
    assert server.requests[-1].accept == "*/*"


def test_faults_are_counted_and_run_out(server: SomtodayEmulator, client: httpx.Client) -> None:
    path = f"/connect/vestiging/{NOORD}/leerling"
    fault = server.inject(503, path="/leerling", skip=1, times=2, retry_after=7)
    answers = [client.get(path, params={"amount": 1}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 503, 503, 200]
    assert answers[1].headers["Retry-After"] == "7"
    assert fault.hits == 2
    moved = server.inject(301, path="/leerling", location="https://elders.example/")
    answer = client.get(path, params={"amount": 1})
    assert (answer.status_code, answer.headers["Location"]) == (301, "https://elders.example/")
    assert moved.hits == 1


def test_expired_tokens_are_refused(server: SomtodayEmulator, client: httpx.Client) -> None:
    assert client.get("/connect/vestiging").status_code == 200
    server.expire_tokens()
    assert client.get("/connect/vestiging").status_code == 401
    assert [item.authorized for item in server.requests[-2:]] == [True, False]


def test_the_log_keeps_no_secret(server: SomtodayEmulator, client: httpx.Client) -> None:
    client.get("/connect/vestiging")
    assert server.request_count() == 2
    assert server.client_secret not in repr(server.requests)
    server.reset_log()
    assert server.requests == []


def test_fixtures_hold_the_awkward_cases() -> None:
    first, second = example_instellingen()
    assert len(first.vestigingen) >= 2
    assert len(second.vestigingen) >= 2
    assert any(vestiging.restricted for vestiging in first.vestigingen)
    staff = [r["uuid"] for v in first.vestigingen for r in v.records.get("medewerker", [])]
    assert len(staff) > len(set(staff))  # one person in two vestigingen
    example_instellingen()[0].vestigingen[0].records.clear()
    assert example_instellingen()[0].vestigingen[0].records  # a fresh copy every call
    generated = generated_instelling(students=30, groups=8, staff=6, guardians=45, vestigingen=3)
    counts = [len(v.records["leerling"]) for v in generated.vestigingen]
    assert counts == [10, 10, 10]
    assert generated_instelling(students=30, vestigingen=3) == generated_instelling(
        students=30, vestigingen=3
    )


def test_an_emulator_can_be_started_and_stopped_by_hand() -> None:
    emulator = SomtodayEmulator()
    assert "stopped" in repr(emulator)
    with pytest.raises(RuntimeError, match="start"):
        _ = emulator.api_url
    emulator.start()
    try:
        assert emulator.start() is emulator
        assert emulator.api_url.startswith("http://127.0.0.1:")
        assert emulator.api_url.endswith("/rest/v1")
    finally:
        emulator.stop()
        emulator.stop()
