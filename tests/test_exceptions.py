"""The exception tree: one root, and a uniform rule for what is also a ValueError."""

from __future__ import annotations

import inspect

import pytest

import edukoppel as ek
from edukoppel import exceptions

# What the caller passed in is wrong: also a ValueError (or KeyError for a column name).
ABOUT_THE_INPUT = [
    ek.InvalidValueError,
    ek.ReaderError,
    ek.UnsupportedFormatError,
    ek.MalformedFileError,
    ek.EncryptedFileError,
    ek.FileTooLargeError,
    ek.IsolatedReadError,  # a file that kills its parser is a file we refuse
    exceptions.MappingError,
    ek.AcknowledgementError,
    exceptions.SomtodayConfigError,
]
# The state of things is wrong: not a ValueError.
ABOUT_THE_STATE = [
    ek.PlanError,
    ek.BlockedPlanError,
    ek.StalePlanError,
    ek.StoreError,
    exceptions.SomtodayError,  # a failed read: the server, not the caller's values
    exceptions.SomtodayAuthError,
]


def test_every_exception_is_an_edukoppel_error() -> None:
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), ek.EdukoppelError), name


@pytest.mark.parametrize("error", ABOUT_THE_INPUT)
def test_refused_input_is_a_value_error(error: type[Exception]) -> None:
    assert issubclass(error, ValueError)


@pytest.mark.parametrize("error", ABOUT_THE_STATE)
def test_state_errors_are_not_value_errors(error: type[Exception]) -> None:
    assert not issubclass(error, ValueError)


def test_the_rule_covers_every_exception() -> None:
    """A new exception must be placed on one side of the rule (and drawn in the docstring)."""
    placed = {*ABOUT_THE_INPUT, *ABOUT_THE_STATE, ek.EdukoppelError}
    placed |= {ek.ColumnNotFoundError, ek.MissingDependencyError}
    every = {getattr(exceptions, name) for name in exceptions.__all__}
    assert every == placed
    doc = inspect.getdoc(exceptions) or ""
    for error in every:
        assert error.__name__ in doc, error.__name__


def test_column_not_found_is_a_key_error_and_missing_dependency_an_import_error() -> None:
    assert issubclass(ek.ColumnNotFoundError, KeyError)
    assert issubclass(ek.MissingDependencyError, ImportError)


def test_an_encrypted_workbook_is_caught_by_except_value_error() -> None:
    """The user's case: `except ValueError` now catches an encrypted workbook too."""
    with pytest.raises(ValueError):  # noqa: PT011 - the point is the base class
        raise ek.EncryptedFileError("password-protected", file="leerlingen.xlsx")


def test_stale_plan_error_needs_only_the_two_revisions() -> None:
    """A store raises it with expected= and actual=; the message is optional."""
    error = ek.StalePlanError(expected="rev:1", actual="rev:2")
    assert (error.expected, error.actual) == ("rev:1", "rev:2")
    assert "plan again" in str(error)
    assert str(ek.StalePlanError("custom", expected="a", actual="b")) == "custom"
