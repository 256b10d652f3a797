"""The public surface is curated and pinned; importing the package stays light."""

from __future__ import annotations

import importlib
import subprocess
import sys

import edukoppel

PUBLIC = [
    "Add",
    "Archive",
    "BlockReason",
    "BlockedPlanError",
    "Changeset",
    "EdukoppelError",
    "EncryptedFileError",
    "FileTooLargeError",
    "FieldChange",
    "Group",
    "GroupRole",
    "Guardian",
    "GuardianLink",
    "InvalidValueError",
    "Issue",
    "Location",
    "MalformedFileError",
    "MemoryStore",
    "MissingDependencyError",
    "Outcome",
    "PlanError",
    "ReaderError",
    "Report",
    "Restore",
    "Roster",
    "School",
    "Scope",
    "Staff",
    "StalePlanError",
    "Store",
    "StoreError",
    "Student",
    "SyncPolicy",
    "SyncRun",
    "Table",
    "UnsupportedFormatError",
    "Update",
    "__version__",
    "apply",
    "plan",
    "read_table",
]

SUBPACKAGES = [
    "edukoppel.model",
    "edukoppel.sync",
    "edukoppel.adapters",
    "edukoppel.readers",
    "edukoppel.exceptions",
    "edukoppel.report",
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
    for name in ["read_table", "plan", "apply", "SyncPolicy", "MemoryStore", "Roster", "Changeset"]:
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
