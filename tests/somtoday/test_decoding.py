"""Pages are decoded by orjson when it is installed, else by the standard library: same roster."""

from __future__ import annotations

import json

import httpx
import pytest

from edukoppel.somtoday import _client as client
from edukoppel.somtoday import read_somtoday
from edukoppel.testing.somtoday import SomtodayEmulator, generated_instelling

JSON = "application/json"


def test_the_standard_library_path_reads_the_same_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    instelling = generated_instelling(students=450, groups=12, staff=5, guardians=300)
    with SomtodayEmulator([instelling]) as server:
        default = read_somtoday(**server.credentials())
        monkeypatch.setattr(client, "_decoder", lambda: json.loads)
        standard = read_somtoday(**server.credentials())
    assert standard.roster == default.roster
    assert standard.report.issues == default.report.issues


def test_orjson_is_used_when_it_is_installed() -> None:
    orjson = pytest.importorskip("orjson")
    assert client._decoder() is orjson.loads
    page = '{"leerlingen":[{"uuid":"1","achternaam":"Çelik","leerlingnummer":100001}]}'
    assert client._decoder()(page.encode()) == json.loads(page)
    with pytest.raises(json.JSONDecodeError):
        client._decoder()(b'{"leerlingen": [')


def test_bad_json_is_a_clear_error_on_either_path(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = httpx.Response(200, content=b'{"leerlingen": [', headers={"Content-Type": JSON})
    for loads in {client._decoder(), json.loads}:
        monkeypatch.setattr(client, "_decoder", lambda loads=loads: loads)
        with pytest.raises(client.SomtodayError, match="not valid JSON"):
            client._Connection._json(broken, "connect/vestiging/v/leerling")
