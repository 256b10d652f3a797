"""Every exception edukoppel raises, under one root.

Exceptions are for misuse and for I/O that cannot go on. Problems *in the data* (a damaged
identifier, a duplicate key, a ragged row) are :class:`~edukoppel.Issue` records in a
:class:`~edukoppel.Report` instead, so one bad row never stops a whole import.

::

    EdukoppelError
    ├── InvalidValueError (ValueError)       a model value that is not what the field expects
    ├── ReaderError                           a source that cannot be read
    │   ├── UnsupportedFormatError (ValueError)  not a format we read, or not what its name says
    │   ├── MalformedFileError (ValueError)      the right format, but broken
    │   ├── EncryptedFileError                   password-protected or encrypted
    │   └── FileTooLargeError                    over the configured size limit
    ├── MappingError (ValueError)             columns that cannot be mapped
    ├── PlanError                             a changeset that must not be applied
    │   ├── BlockedPlanError                     safeguards blocked it and nobody acknowledged
    │   └── StalePlanError                       the store changed since the plan was made
    ├── StoreError                            a storage adapter failed
    └── MissingDependencyError (ImportError)  an optional extra is not installed

Every exception carries structured fields (``file``, ``sheet``, ``row``, ``column``, ``entity``,
``key``, ``field``) where they apply, and messages never contain personal data.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BlockedPlanError",
    "EdukoppelError",
    "EncryptedFileError",
    "FileTooLargeError",
    "InvalidValueError",
    "MalformedFileError",
    "MappingError",
    "MissingDependencyError",
    "PlanError",
    "ReaderError",
    "StalePlanError",
    "StoreError",
    "UnsupportedFormatError",
]


class EdukoppelError(Exception):
    """The root of every exception raised by edukoppel."""


class InvalidValueError(EdukoppelError, ValueError):
    """A value given to the canonical model is not what its field expects.

    The message names the entity kind, the record's key and the field, and says what was
    expected; it does not repeat the offending value when that value could be personal data.

    Example:
        >>> import edukoppel as ek
        >>> ek.Student(key="001", birth_date="31-02-2010")
        Traceback (most recent call last):
        ...
        edukoppel.exceptions.InvalidValueError: student '001', field 'birth_date': expected ...
    """

    def __init__(
        self, *, entity: str, key: str | None, field: str, expected: str, detail: str = ""
    ) -> None:
        self.entity = entity
        self.key = key
        self.field = field
        self.expected = expected
        self.detail = detail
        who = f"{entity} {key!r}" if key is not None else entity
        message = f"{who}, field {field!r}: expected {expected}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class ReaderError(EdukoppelError):
    """A source could not be read. Says where: ``file``, ``sheet``, ``row``, ``column``."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.reason = message
        where = [part for part in (file, f"sheet {sheet!r}" if sheet else None) if part]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class UnsupportedFormatError(ReaderError, ValueError):
    """The source is not a format edukoppel reads, or not what its name says it is."""


class MalformedFileError(ReaderError, ValueError):
    """The source is in a supported format but broken (truncated, invalid structure)."""


class EncryptedFileError(ReaderError):
    """The workbook is encrypted or password-protected; save it without a password first."""


class FileTooLargeError(ReaderError):
    """The file, or what it decompresses to, is larger than the configured limit."""


class MappingError(EdukoppelError, ValueError):
    """Columns could not be mapped to the canonical fields (for example a required field)."""


class PlanError(EdukoppelError):
    """A changeset cannot be applied."""


class BlockedPlanError(PlanError):
    """Safeguards blocked the plan and the caller did not acknowledge every reason.

    ``reasons`` lists the codes of the blocking reasons that were not acknowledged.
    """

    def __init__(self, message: str, *, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(message)


class StalePlanError(PlanError):
    """The store changed after the plan was made; plan again against the current state."""

    def __init__(self, message: str, *, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(message)


class StoreError(EdukoppelError):
    """A storage adapter failed to read or write."""


class MissingDependencyError(EdukoppelError, ImportError):
    """An optional dependency is needed; the message says which extra installs it."""
