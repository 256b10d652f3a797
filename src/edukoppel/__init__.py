"""edukoppel: bring a Dutch school's people into your application."""

from __future__ import annotations

from edukoppel.exceptions import EdukoppelError
from edukoppel.report import Issue, Report

__version__ = "0.1.0.dev0"

__all__ = ["EdukoppelError", "Issue", "Report", "__version__"]
