"""The SQLite example store (examples/sqlite_store.py): the conformance suite, and real syncs.

docs/stores.md explains the example; these tests prove that what it shows keeps the Store
contract, on a real file, across connections.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import uuid
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import edukoppel as ek
from edukoppel.testing import StoreConformance, assert_store_holds, example_roster

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "sqlite_store.py"
GUIDE = ROOT / "docs" / "stores.md"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sqlite_store_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sqlite_store = _load_example()


class TestSqliteExampleStore(StoreConformance):
    """Every check of the conformance suite, against the example, each store in a new file."""

    def make_store(self, tmp_path: Path, request: pytest.FixtureRequest) -> ek.Store:
        store = sqlite_store.SqliteStore(tmp_path / f"store-{uuid.uuid4().hex}.db")
        request.addfinalizer(store.close)
        return store


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "school.db"


@pytest.fixture
def open_store(database: Path):
    """Open the example store on the test's database file; every connection is closed after."""
    stores = []

    def open_() -> ek.Store:
        store = sqlite_store.SqliteStore(database)
        stores.append(store)
        return store

    yield open_
    for store in stores:
        store.close()


def test_a_real_sync_with_the_sqlite_example(open_store):
    """Two weekly syncs through separate connections: everything persists in the file."""
    week_1 = example_roster(source="las")
    store = open_store()
    first = ek.apply(ek.plan(store.snapshot(), week_1), store, description="week 1")
    assert first.total == 12
    store.close()

    # Week 2, in another process as far as the file knows: one pupil left, one was renamed,
    # one is new.
    store = open_store()
    assert_store_holds(store, week_1)
    assert store.runs() == [first.run]
    renamed = attrs.evolve(week_1.students["00124"], last_name="Hondt")
    newcomer = ek.Student(key="01000", first_name="Fleur", last_name="Visser", location="99ZX10")
    week_2 = ek.Roster(
        school=week_1.school,
        locations=list(week_1.locations),
        groups=list(week_1.groups),
        students=[week_1.students["00123"], renamed, newcomer],
        staff=list(week_1.staff),
        guardians=list(week_1.guardians),
        source="las",
    )
    changeset = ek.plan(store.snapshot(), week_2)
    assert changeset.as_tuples() == [
        ("update", "student", "00124"),
        ("add", "student", "01000"),
        ("archive", "student", "00999"),
    ]
    second = ek.apply(changeset, store, description="week 2")
    assert second.counts == {"student": {"add": 1, "update": 1, "archive": 1}}

    again = open_store()
    assert_store_holds(again, week_2)
    leaver = again.snapshot().students["00999"]
    assert leaver.archived
    assert (leaver.last_name, leaver.origin) == ("Veld", "las")  # kept as it was
    assert again.revision() == store.revision()
    assert [run.description for run in again.runs()] == ["week 1", "week 2"]
    assert ek.plan(again.snapshot(), week_2).is_empty


def test_a_plan_made_through_one_connection_is_stale_after_another_applies(open_store):
    """The revision lives in the file, so a connection sees another connection's sync."""
    roster = example_roster(source="las")
    first, second = open_store(), open_store()
    changeset = ek.plan(first.snapshot(), roster)
    other = ek.Roster(locations=[ek.Location(key="99ZX10")], source="las")
    ek.apply(ek.plan(second.snapshot(), other), second)
    with pytest.raises(ek.StalePlanError) as caught:
        first.apply_changes(changeset)
    assert caught.value.expected == changeset.base
    assert caught.value.actual == first.revision() == second.revision()
    assert list(first.snapshot().locations.keys()) == ["99ZX10"]


def test_two_databases_never_share_a_revision(tmp_path):
    """A plan for one database is stale for another, even when both are new."""
    one = sqlite_store.SqliteStore(tmp_path / "one.db")
    two = sqlite_store.SqliteStore(tmp_path / "two.db")
    try:
        assert one.revision() != two.revision()
        changeset = ek.plan(one.snapshot(), example_roster())
        with pytest.raises(ek.StalePlanError):
            ek.apply(changeset, two)
        assert two.snapshot().is_empty
    finally:
        one.close()
        two.close()


def test_the_sqlite_example_refuses_an_unknown_schema_version(database):
    """A database written by a newer version of the store is refused, not misread."""
    sqlite_store.SqliteStore(database).close()
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(ek.StoreError, match="schema version 99"):
        sqlite_store.SqliteStore(database)


def test_the_sqlite_example_keeps_its_records_in_the_schema_it_says(database, open_store):
    """One table per kind: key, origin and archived as columns, the data fields as JSON."""
    store = open_store()
    ek.apply(ek.plan(store.snapshot(), example_roster()), store)
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT key, origin, archived, data FROM ek_student WHERE key = '00999'")
        key, origin, archived, data = row.fetchone()
        (version,) = db.execute("PRAGMA user_version").fetchone()
    db.close()
    assert version == sqlite_store.SCHEMA_VERSION == 1
    assert (key, origin, archived) == ("00999", "las", 0)
    assert json.loads(data)["last_name"] == "Veld"
    assert not {"key", "origin", "archived"} & set(json.loads(data))


def test_the_guides_excerpts_are_copied_from_the_example():
    """Every ```py block of docs/stores.md is an excerpt of the example, word for word.

    (The ```python blocks run as tests, in tests/meta/test_docs.py; the excerpts cannot run
    on their own, so this keeps them true instead.)
    """
    excerpts = re.findall(r"^```py\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.S | re.M)
    source = EXAMPLE.read_text(encoding="utf-8")
    assert excerpts
    for excerpt in excerpts:
        assert excerpt in source, f"not in examples/sqlite_store.py:\n{excerpt}"
