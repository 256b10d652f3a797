"""The public surface is curated and pinned; importing the package stays light."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import edukoppel

PUBLIC = [
    "ENTITY_KINDS",
    "AcknowledgementError",
    "Add",
    "Archive",
    "BlockReason",
    "BlockedPlanError",
    "Change",
    "Changeset",
    "ColumnMapping",
    "ColumnNotFoundError",
    "EdukoppelError",
    "EncryptedFileError",
    "EntityKind",
    "FileTooLargeError",
    "FieldChange",
    "Group",
    "GroupRole",
    "Guardian",
    "GuardianLink",
    "InvalidValueError",
    "IsolatedReadError",
    "Issue",
    "Language",
    "Location",
    "MalformedFileError",
    "MappingError",
    "MemoryStore",
    "MissingDependencyError",
    "Outcome",
    "PlanError",
    "ReadResult",
    "ReaderError",
    "Record",
    "Report",
    "Restore",
    "Roster",
    "RunProblem",
    "School",
    "Scope",
    "SqlStore",
    "Staff",
    "StalePlanError",
    "Store",
    "StoreError",
    "Student",
    "SyncPolicy",
    "SyncRun",
    "Table",
    "UnsupportedFormatError",
    "ValueMap",
    "Update",
    "__version__",
    "apply",
    "data_fields",
    "diff",
    "get_language",
    "make_usernames",
    "match_columns",
    "plan",
    "read",
    "read_edexml",
    "read_many",
    "read_table",
    "record_class",
    "set_language",
    "use_language",
    "write_edexml",
    "write_template",
]

SUBPACKAGES = [
    "edukoppel.model",
    "edukoppel.sync",
    "edukoppel.adapters",
    "edukoppel.readers",
    "edukoppel.mapping",
    "edukoppel.exceptions",
    "edukoppel.report",
    "edukoppel.somtoday",
]


def test_all_is_pinned() -> None:
    """`edukoppel.__all__` is exactly the curated list: adding a name is a deliberate change."""
    assert sorted(PUBLIC) == sorted(edukoppel.__all__)


def test_every_public_name_resolves() -> None:
    """Every name in every public module's `__all__` exists."""
    for module_name in ["edukoppel", *SUBPACKAGES]:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.{name}"


def test_contract_names_exist() -> None:
    """The names that ARCHITECTURE.md section 5 promises and that exist so far keep existing."""
    for name in [
        "read_table",
        "read_edexml",
        "write_edexml",
        "plan",
        "apply",
        "SyncPolicy",
        "MemoryStore",
        "Roster",
        "Changeset",
    ]:
        assert name in edukoppel.__all__


def test_import_is_light() -> None:
    """`import edukoppel` imports none of polars, httpx, lxml, calamine or hypothesis."""
    heavy = ["polars", "httpx", "lxml", "python_calamine", "hypothesis", "defusedxml"]
    code = (
        "import sys, edukoppel, edukoppel.readers, edukoppel.model, edukoppel.sync, "
        "edukoppel.adapters; "
        f"print([name for name in {heavy!r} if name in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_py_typed_is_shipped() -> None:
    """The package says it is typed (PEP 561)."""
    from importlib.resources import files

    assert files("edukoppel").joinpath("py.typed").is_file()


# Argument-less methods that stay methods: they convert or build something new (to_*, as_*),
# follow a protocol everyone knows (keys, close), or may do I/O in a store (snapshot, revision,
# runs, runs_frame).
METHOD_NAMES = {
    "keys",
    "by_key",
    "summary",
    "snapshot",
    "revision",
    "runs",
    "runs_frame",
    "close",
    "render",
}
METHOD_PREFIXES = ("to_", "as_")


def _public_classes() -> list[type]:
    classes: dict[str, type] = {}
    for module_name in ["edukoppel", *SUBPACKAGES]:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) and value.__module__.startswith("edukoppel"):
                classes[f"{value.__module__}.{value.__qualname__}"] = value
    return list(classes.values())


def test_argument_less_facts_are_properties() -> None:
    """One convention: a cheap fact without arguments is a property, never a method.

    `if changeset.is_empty:` on a method is always true; this walks every public class so
    that no such trap comes back. Methods without arguments must convert (`to_*`, `as_*`)
    or be one of the few names in METHOD_NAMES.
    """
    offenders = []
    for cls in _public_classes():
        for name, value in inspect.getmembers(cls):
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if not getattr(value, "__module__", "").startswith("edukoppel"):
                continue
            if isinstance(inspect.getattr_static(cls, name), classmethod | staticmethod):
                continue
            parameters = list(inspect.signature(value).parameters.values())[1:]
            if parameters:
                continue
            if name in METHOD_NAMES or name.startswith(METHOD_PREFIXES):
                continue
            offenders.append(f"{cls.__qualname__}.{name}()")
    assert offenders == []


def test_facts_named_like_properties_are_properties() -> None:
    """The facts users asked about by name are properties (regression for the old methods)."""
    roster = edukoppel.Roster(students=[edukoppel.Student(key="1")], source="x")
    changeset = edukoppel.plan(edukoppel.Roster.empty(), roster)
    assert changeset.is_empty is False
    assert roster.is_empty is False
    assert edukoppel.Roster.empty().is_empty is True
    assert roster.counts["student"] == 1
    assert [s.key for s in roster.students.active] == ["1"]
    assert edukoppel.Report().codes == []
