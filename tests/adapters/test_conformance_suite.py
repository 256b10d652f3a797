"""The conformance suite itself: fixtures for make_store, and failures that say what is wrong.

pytest rewrites the asserts of test files, not of an installed package, so the only proof that
a failing check shows its values is a real pytest run in a subprocess, against a temporary
test file, as a store's author would run it.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from edukoppel.adapters import MemoryStore
from edukoppel.testing import StoreConformance


class _FileStore(MemoryStore):
    """A MemoryStore that claims a new file, as a database store does, and must be closed."""

    def __init__(self, path: Path) -> None:
        path.open("x").close()  # refuses a file that exists: one file per store
        self.path = path
        self.closed = False
        super().__init__()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def store_names():
    """A fixture of the test module's own, for make_store to ask for."""
    return (f"store-{n}.db" for n in itertools.count(1))


class TestStoreWithFixtures(StoreConformance):
    """make_store asks for fixtures (tmp_path, request, one of this module's); defaults stay."""

    def make_store(self, tmp_path, request, store_names, suffix=""):
        store = _FileStore(tmp_path / (next(store_names) + suffix))
        request.addfinalizer(store.close)
        return store

    def test_make_store_gets_the_fixtures_of_this_test(self, tmp_path):
        first, second = self.new_store(), self.new_store()
        assert [first.path, second.path] == [tmp_path / "store-1.db", tmp_path / "store-2.db"]
        assert not first.closed


def test_make_store_without_fixtures_still_works():
    """``make_store(self)`` needs no pytest: new_store() calls it as it is."""

    class Plain(StoreConformance):
        def make_store(self):
            return MemoryStore()

    assert isinstance(Plain().new_store(), MemoryStore)


def test_make_store_with_fixtures_outside_pytest_says_so():
    class NeedsPytest(StoreConformance):
        def make_store(self, tmp_path):
            return MemoryStore()

    with pytest.raises(RuntimeError, match="asks for the fixtures tmp_path: run the"):
        NeedsPytest().new_store()


BROKEN_STORES = '''
import attrs

from edukoppel.adapters import MemoryStore
from edukoppel.testing import StoreConformance


class FrozenRevisionStore(MemoryStore):
    """Forgets to move its revision."""

    def __init__(self):
        super().__init__()
        self._revision = "frozen-revision"

    def _bump(self):
        pass


class NoOriginStore(MemoryStore):
    """Forgets to stamp origin = changeset.source."""

    def apply_changes(self, changeset):
        super().apply_changes(changeset)
        for kind, records in self._records.items():
            self._records[kind] = {
                key: attrs.evolve(record, origin=None) for key, record in records.items()
            }


class ClosingStore(MemoryStore):
    """Made in a file of its own under tmp_path, closed by a finalizer; both are logged."""

    def __init__(self, path, log):
        super().__init__()
        path.open("x").close()
        self.path, self.log = path, log
        print("made", path, file=log, flush=True)

    def close(self):
        print("closed", self.path, file=self.log, flush=True)


class TestFrozenRevision(StoreConformance):
    def make_store(self):
        return FrozenRevisionStore()


class TestNoOrigin(StoreConformance):
    def make_store(self):
        return NoOriginStore()


class TestClosing(StoreConformance):
    def make_store(self, tmp_path, request):
        log = open(LOG, "a", encoding="utf-8")
        request.addfinalizer(log.close)
        store = ClosingStore(tmp_path / f"store-{len(list(tmp_path.iterdir()))}.db", log)
        request.addfinalizer(store.close)
        return store
'''


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    """Run two failing checks of two broken stores, and two checks of a fixture store."""
    folder = tmp_path_factory.mktemp("broken")
    log = folder / "stores.log"
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # not this project's
    (folder / "conftest.py").write_text(
        "from hypothesis import settings\n"
        "settings.register_profile('few', max_examples=5, deadline=None)\n"
        "settings.load_profile('few')\n",
        encoding="utf-8",
    )
    (folder / "test_broken_stores.py").write_text(
        f"LOG = {str(log)!r}\n" + BROKEN_STORES, encoding="utf-8"
    )
    selected = (
        "TestFrozenRevision and test_revision_changes_with_every_apply"
        " or TestNoOrigin and test_added_records_read_back_with_origin"
        " or TestClosing and (test_new_store_is_empty or test_sync_property)"
    )
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rf", "-k", selected]
    command.append(f"--basetemp={folder / 'tmp'}")  # its own, not the shared one
    result = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=300, check=False
    )
    return result, log


def test_a_failing_check_names_its_promise_and_the_values(broken_run):
    """The store whose revision never moves: the check, what it wanted, what it got."""
    result, _ = broken_run
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "2 failed, 2 passed" in out, out
    assert "TestFrozenRevision::test_revision_changes_with_every_apply" in out
    assert "revision() must change with every applied changeset" in out
    assert "expected 3 different revisions" in out
    assert "['frozen-revision', 'frozen-revision', 'frozen-revision']" in out
    # pytest rewrote the installed module's assert: it shows the compared values too.
    assert "assert 1 == 3" in out, out


def test_a_failing_check_shows_which_record_and_field_differ(broken_run):
    """The store that forgets the origin: every record is named, with the field and values."""
    result, _ = broken_run
    out = result.stdout
    assert "TestNoOrigin::test_added_records_read_back_with_origin" in out
    assert "added location records must read back as they were added" in out
    assert "location '99ZX10', origin: expected 'las', the store returned None" in out
    assert "location '99ZX11', origin: expected 'las', the store returned None" in out


def test_fixture_stores_are_new_files_and_are_all_closed(broken_run):
    """make_store(self, tmp_path, request): a new file per store, every one closed after."""
    result, log = broken_run
    lines = log.read_text(encoding="utf-8").splitlines()
    made = [line.removeprefix("made ") for line in lines if line.startswith("made ")]
    closed = [line.removeprefix("closed ") for line in lines if line.startswith("closed ")]
    assert len(made) > 2, result.stdout  # the property made one per example
    assert len(set(made)) == len(made)
    assert sorted(closed) == sorted(made)
    assert len({Path(path).parent for path in made}) == 2  # each test its own tmp_path


def test_importing_the_testing_package_needs_no_pytest():
    """The strategies work without pytest; the conformance suite then has no fixtures."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pytest"] = None  # as if it were not installed
        import edukoppel.testing
        from edukoppel.testing import StoreConformance, strategies
        from hypothesis import find
        roster = find(strategies.rosters(min_students=1), lambda roster: True)
        assert len(roster.students) >= 1
        assert not hasattr(StoreConformance, "_edukoppel_store_fixtures")
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
