"""Every exception edukoppel raises, under one root.

Exceptions are for misuse and for I/O that cannot go on. Problems *in the data* (a damaged
identifier, a duplicate key, a ragged row) are :class:`~edukoppel.Issue` records in a
:class:`~edukoppel.Report` instead, so one bad row never stops a whole import.

The rule: an error about **what you passed in** (a value, a file, an option, a column name,
an acknowledgement) is also a ``ValueError`` (a missing column also a ``KeyError``), so
``except ValueError`` catches every refused input, a renamed PDF and an encrypted workbook
alike. An error about **the state of things** (a blocked or stale plan, a failing store) is
not. A missing optional package is an ``ImportError``.

::

    EdukoppelError
    ├── InvalidValueError (ValueError)        a model value that is not what the field expects
    ├── ColumnNotFoundError (KeyError)        a column name the table does not have
    ├── ReaderError (ValueError)              a source that cannot be read as asked
    │   ├── UnsupportedFormatError               not a format we read, or not what its name says
    │   ├── MalformedFileError                   the right format, but broken
    │   ├── EncryptedFileError                   password-protected or encrypted
    │   ├── FileTooLargeError                    over the configured size limit
    │   └── IsolatedReadError                    read_table(isolate=True): the child process died
    ├── MappingError (ValueError)             columns that cannot be mapped
    ├── AcknowledgementError (ValueError)     acknowledging a reason the plan does not carry
    ├── PlanError                             a changeset that must not be applied
    │   ├── BlockedPlanError                     safeguards blocked it and nobody acknowledged
    │   └── StalePlanError                       the store changed since the plan was made
    ├── StoreError                            a storage adapter failed
    ├── SomtodayError                         a Somtoday Connect read failed; no roster
    │   ├── SomtodayAuthError                    the token endpoint refused the credentials
    │   └── SomtodayConfigError (ValueError)     settings that cannot work (a bad URL...)
    └── MissingDependencyError (ImportError)  an optional extra is not installed

Every exception carries structured fields (``file``, ``sheet``, ``row``, ``column``, ``entity``,
``key``, ``field``) where they apply, and messages never contain personal data.

Examples:
    >>> import edukoppel as ek
    >>> issubclass(ek.EncryptedFileError, ValueError), issubclass(ek.StalePlanError, ValueError)
    (True, False)
"""

from __future__ import annotations

from collections.abc import Sequence

from edukoppel._i18n import Language, Message, catalog, msg, render, where

__all__ = [
    "AcknowledgementError",
    "BlockedPlanError",
    "ColumnNotFoundError",
    "EdukoppelError",
    "EncryptedFileError",
    "FileTooLargeError",
    "InvalidValueError",
    "IsolatedReadError",
    "MalformedFileError",
    "MappingError",
    "MissingDependencyError",
    "PlanError",
    "ReaderError",
    "SomtodayAuthError",
    "SomtodayConfigError",
    "SomtodayError",
    "StalePlanError",
    "StoreError",
    "UnsupportedFormatError",
]


class EdukoppelError(Exception):
    """The root of every exception raised by edukoppel.

    Its message is rendered in the language chosen with :func:`edukoppel.set_language`
    whenever it is shown; :meth:`message_in` renders it in another.
    """

    def __init__(self, message: str | Message = "", *args: object) -> None:
        self._text = message
        super().__init__(render(message), *args)

    def message_in(self, language: Language | None) -> str:
        """The message in ``language`` (``None``: the current language)."""
        return render(self._text, language)

    @property
    def message_id(self) -> str | None:
        """The catalog id of the message (``refusal.empty-sheet``), ``None`` for plain text.

        A stable way for code to tell refusals apart, whatever the language.
        """
        return self._text.id if isinstance(self._text, Message) else None

    def __str__(self) -> str:
        return self.message_in(None)


class InvalidValueError(EdukoppelError, ValueError):
    """A value given to the canonical model is not what its field expects.

    The message names the entity kind, the record's key and the field, and says what was
    expected; it does not repeat the offending value when that value could be personal data.

    Examples:
        >>> import edukoppel as ek
        >>> ek.Student(key="001", birth_date="31-02-2010")
        Traceback (most recent call last):
        ...
        edukoppel.exceptions.InvalidValueError: student '001', field 'birth_date': expected ...
    """

    def __init__(
        self,
        *,
        entity: str,
        key: str | None,
        field: str,
        expected: str | Message,
        detail: str | Message = "",
    ) -> None:
        self.entity = entity
        self.key = key
        self.field = field
        self._texts = (expected, detail)
        super().__init__(self.message_in(None))

    @property
    def expected(self) -> str:
        """What the field expects, in the current language."""
        return render(self._texts[0])

    @property
    def expected_message(self) -> str | Message:
        """What the field expects, as a message to render in any language later."""
        return self._texts[0]

    @property
    def detail_message(self) -> str | Message:
        """The detail as a message (``""`` when there is none)."""
        return self._texts[1]

    @property
    def detail(self) -> str:
        """What was wrong with the value, if more can be said (never the value itself)."""
        return render(self._texts[1])

    def message_in(self, language: Language | None) -> str:
        """The message in ``language`` (``None``: the current language)."""
        expected, detail = self._texts
        who: str | Message
        if f"noun.{self.entity}" not in catalog():
            who = self.entity if self.key is None else f"{self.entity} {self.key!r}"
        elif self.key is not None:
            who = msg("invalid.who", entity=self.entity, key=self.key)
        else:
            who = msg("invalid.who-kind", entity=self.entity)
        params: dict[str, object] = {"who": who, "field": self.field, "expected": expected}
        if detail:
            return msg("invalid.frame-detail", detail=detail, **params).render(language)
        return msg("invalid.frame", **params).render(language)

    def __str__(self) -> str:
        return self.message_in(None)


class ReaderError(EdukoppelError, ValueError):
    """A source could not be read. Says where: ``file``, ``sheet``, ``row``, ``column``."""

    def __init__(
        self,
        message: str | Message,
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
        super().__init__(message)

    @property
    def reason(self) -> str:
        """What is wrong, without the location, in the current language."""
        return render(self._text)

    def message_in(self, language: Language | None) -> str:
        """The message, location first, in ``language`` (``None``: the current language)."""
        parts = where(
            file=self.file, sheet=self.sheet, row=self.row, column=self.column, language=language
        )
        text = render(self._text, language)
        return f"{', '.join(parts)}: {text}" if parts else text


class UnsupportedFormatError(ReaderError):
    """The source is not a format edukoppel reads, or not what its name says it is."""


class MalformedFileError(ReaderError):
    """The source is in a supported format but broken (truncated, invalid structure)."""


class EncryptedFileError(ReaderError):
    """The workbook is encrypted or password-protected; save it without a password first."""


class FileTooLargeError(ReaderError):
    """The file, or what it decompresses to, is larger than the configured limit."""


class IsolatedReadError(ReaderError):
    """``read_table(..., isolate=True)``: the child process reading the file did not finish.

    It was killed by a signal (a native parser aborting), ran out of its memory limit, or out
    of time; the caller's process is unharmed. ``exitcode`` is the child's exit code
    (negative: the signal's number), ``None`` when it was stopped for taking too long.
    """

    def __init__(
        self,
        message: str | Message,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        exitcode: int | None = None,
    ) -> None:
        self.exitcode = exitcode
        super().__init__(message, file=file, sheet=sheet, row=row, column=column)


class ColumnNotFoundError(EdukoppelError, KeyError):
    """A column name that the table does not have; says which columns there are.

    Attributes:
        column: The name asked for.
        columns: The names the table has.
        closest: The names that look most like it (the same name in another case first).

    Examples:
        >>> from edukoppel.readers import Table
        >>> Table.from_rows(["Achternaam", "Roepnaam"], [["Berg", "Daan"]])[0]["achternaam"]
        Traceback (most recent call last):
        ...
        edukoppel.exceptions.ColumnNotFoundError: there is no column 'achternaam'; did you mean \
'Achternaam'? The columns are 'Achternaam', 'Roepnaam'
    """

    def __init__(self, column: str | int, *, columns: Sequence[str]) -> None:
        self.column = column
        self.columns = tuple(columns)
        self.closest = _closest(str(column), self.columns)
        listed = tuple(map(repr, self.columns))
        if isinstance(column, int):
            text = msg("column-not-found.position", column=column, width=len(self.columns))
        elif self.closest:
            text = msg(
                "column-not-found.closest",
                column=column,
                closest=" / ".join(map(repr, self.closest)),
                columns=listed,
            )
        else:
            text = msg("column-not-found", column=column, columns=listed or ("-",))
        super().__init__(text)


def _closest(name: str, columns: Sequence[str]) -> tuple[str, ...]:
    import difflib

    wanted = " ".join(name.casefold().split())
    same = [column for column in columns if " ".join(column.casefold().split()) == wanted]
    folded = {column.casefold(): column for column in columns}
    near = [
        folded[match]
        for match in difflib.get_close_matches(wanted, list(folded), n=3, cutoff=0.75)
        if folded[match] not in same
    ]
    return tuple([*same, *near][:3])


class MappingError(EdukoppelError, ValueError):
    """Columns could not be mapped to the canonical fields (for example a required field)."""


class AcknowledgementError(EdukoppelError, ValueError):
    """``apply(acknowledge=...)`` names a reason that the plan does not carry.

    A typo, or a plan that changed since it was checked: nothing is applied and nothing is
    logged. ``unknown`` lists the codes that did not fit, ``carried`` the plan's own codes.
    """

    def __init__(
        self, message: str | Message, *, unknown: Sequence[str], carried: Sequence[str]
    ) -> None:
        self.unknown = tuple(unknown)
        self.carried = tuple(carried)
        super().__init__(message)


class PlanError(EdukoppelError):
    """A changeset cannot be applied."""


class BlockedPlanError(PlanError):
    """Safeguards blocked the plan and the caller did not acknowledge every reason.

    ``reasons`` lists the codes of the blocking reasons that were not acknowledged.
    """

    def __init__(self, message: str | Message, *, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(message)


class StalePlanError(PlanError):
    """The store changed after the plan was made; plan again against the current state.

    A store raises it from ``apply_changes`` when its revision is not the changeset's
    ``base``; ``message`` is optional.

    Examples:
        >>> raise StalePlanError(expected="rev:1", actual="rev:2")
        Traceback (most recent call last):
        ...
        edukoppel.exceptions.StalePlanError: the store changed since this plan was made ...
    """

    def __init__(self, message: str | Message | None = None, *, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(message or msg("apply.stale-revisions", expected=expected, actual=actual))


class StoreError(EdukoppelError):
    """A storage adapter failed to read or write."""


class MissingDependencyError(EdukoppelError, ImportError):
    """An optional dependency is needed; the message says which extra installs it."""


class SomtodayError(EdukoppelError):
    """Reading Somtoday Connect failed, so the read returned no roster at all.

    Raised when any request of a read still fails after its retries: a partial read is never
    handed back, so no plan can archive the pupils that were simply not fetched. The message
    says which request failed and why; it never holds the client secret or a token.

    Attributes:
        status: The HTTP status of the last answer (``None``: no answer, e.g. a timeout).
        path: The path of the request, without the API base and the query.
        vestiging: The uuid of the vestiging it was for, if any.
        offset: The page's ``offset``, for a page of a list.
        attempts: How many times the request was sent.
    """

    def __init__(
        self,
        message: str | Message,
        *,
        status: int | None = None,
        path: str | None = None,
        vestiging: str | None = None,
        offset: int | None = None,
        attempts: int = 1,
    ) -> None:
        self.status = status
        self.path = path
        self.vestiging = vestiging
        self.offset = offset
        self.attempts = attempts
        super().__init__(message)


class SomtodayAuthError(SomtodayError):
    """The token endpoint refused the client id, the secret or the instelling."""


class SomtodayConfigError(SomtodayError, ValueError):
    """Somtoday settings that cannot work: a missing value, a bad URL, an unknown option."""
