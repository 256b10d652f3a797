"""edukoppel: bring a Dutch school's people into your application.

Read a school's export, understand its columns, turn it into one canonical roster, compare it
with what your application holds, and apply an explainable changeset through a storage adapter.

Examples:
    >>> import edukoppel as ek
    >>> store = ek.MemoryStore()
    >>> incoming = ek.Roster(
    ...     students=[ek.Student(key="00123", first_name="Daan", last_name="Berg")],
    ...     source="leerlingen.csv",
    ... )
    >>> changeset = ek.plan(store.snapshot(), incoming)
    >>> changeset.summary()["student"]
    {'add': 1, 'update': 0, 'restore': 0, 'archive': 0}
"""

from __future__ import annotations

from edukoppel._i18n import Language, get_language, set_language, use_language
from edukoppel.adapters import MemoryStore, SqlStore, Store
from edukoppel.exceptions import (
    AcknowledgementError,
    BlockedPlanError,
    ColumnNotFoundError,
    EdukoppelError,
    EncryptedFileError,
    FileTooLargeError,
    InvalidValueError,
    IsolatedReadError,
    MalformedFileError,
    MappingError,
    MissingDependencyError,
    PlanError,
    ReaderError,
    StalePlanError,
    StoreError,
    UnsupportedFormatError,
)
from edukoppel.mapping import (
    ColumnMapping,
    ValueMap,
    make_usernames,
    match_columns,
    write_template,
)
from edukoppel.model import (
    ENTITY_KINDS,
    EntityKind,
    Group,
    GroupRole,
    Guardian,
    GuardianLink,
    Location,
    Record,
    Roster,
    School,
    Scope,
    Staff,
    Student,
    data_fields,
    record_class,
)
from edukoppel.readers import (
    ReadResult,
    Table,
    read,
    read_edexml,
    read_many,
    read_table,
    write_edexml,
)
from edukoppel.report import Issue, Report
from edukoppel.sync import (
    Add,
    Archive,
    BlockReason,
    Change,
    Changeset,
    FieldChange,
    Outcome,
    Restore,
    RunProblem,
    SyncPolicy,
    SyncRun,
    Update,
    apply,
    diff,
    plan,
)

__version__ = "0.1.0.dev0"

__all__ = [
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
    "FieldChange",
    "FileTooLargeError",
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
    "Update",
    "ValueMap",
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
