"""Lazy imports of optional dependencies, with an install hint when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from edukoppel.exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra to install.

    Examples:
        >>> import_optional("no_such_module_xyz", extra="spreadsheets", purpose="reading XLSX")
        Traceback (most recent call last):
        ...
        edukoppel.exceptions.MissingDependencyError: reading XLSX needs ...
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module.split(".", maxsplit=1)[0] and error.name != module:
            raise
        raise MissingDependencyError(
            f"{purpose} needs the optional package {module!r}: pip install 'edukoppel[{extra}]'"
        ) from None
