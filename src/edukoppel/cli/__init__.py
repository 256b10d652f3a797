"""The ``edukoppel`` command: inspect, plan, sync, template and runs, in a terminal or a script.

Needs the ``cli`` extra (``pip install 'edukoppel[cli]'``: click and rich). Importing this
package stays light; the command's modules load when :func:`main` runs. Exit codes (see
``docs/cli.md``): :data:`OK` 0, :data:`ERROR` 1, :data:`USAGE` 2, :data:`BLOCKED` 3,
:data:`STALE` 4.

Examples:
    >>> from edukoppel.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    edukoppel ...
    0
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["BLOCKED", "ERROR", "OK", "STALE", "USAGE", "main"]

#: Success: the command did what it was asked (a sync with nothing to do included).
OK = 0
#: An error a person can act on: a missing or unreadable file, a store that failed...
ERROR = 1
#: The command line itself is wrong: an unknown option, a bad value, a code not to acknowledge.
USAGE = 2
#: The plan is blocked by a safeguard and was not applied (``--acknowledge CODE`` overrides).
BLOCKED = 3
#: The store changed since the plan was made: nothing was applied; plan again.
STALE = 4


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: the process's arguments); return the exit code."""
    import sys

    from edukoppel._optional import import_optional
    from edukoppel.exceptions import MissingDependencyError

    try:
        import_optional("click", extra="cli", purpose="the edukoppel command")
        import_optional("rich", extra="cli", purpose="the edukoppel command")
    except MissingDependencyError as error:
        print(f"edukoppel: {error}", file=sys.stderr)
        return ERROR
    from edukoppel.cli._app import run

    return run(argv)
