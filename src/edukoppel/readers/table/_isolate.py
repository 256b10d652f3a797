"""``read_table(..., isolate=True)``: the read in a child process that may die alone.

The size guards keep calamine from allocating what a forged workbook claims, but calamine is a
large native parser, and a bug in it (or in polars) that aborts a process cannot be caught in
Python. A host that reads files anyone can upload can let a child process take that risk: the
child gets an address-space limit (``RLIMIT_AS``, so a runaway allocation fails inside it) and
a time limit, and a child killed by a signal, out of memory or out of time becomes an
:class:`~edukoppel.exceptions.IsolatedReadError` while the caller's process lives on.

The child comes from multiprocessing's ``forkserver`` (``spawn`` where there is none): the
server imports edukoppel and polars once, and every read after the first forks from it.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from edukoppel._i18n import msg
from edukoppel.exceptions import IsolatedReadError, ReaderError
from edukoppel.readers.table._detect import _mib as mib

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from edukoppel.readers.table._table import Table

__all__ = ["default_memory_limit", "read_isolated"]

_MIN_MEMORY = 2 << 30


def default_memory_limit(max_bytes: int) -> int:
    """The child's address-space limit: eight times ``max_bytes``, at least 2 GiB.

    Importing polars and calamine alone takes about 450 MiB of address space, and reading the
    100,000-row benchmark workbook peaks near 1 GiB.

    Examples:
        >>> default_memory_limit(256 * 2**20) == 2 * 2**30
        True
    """
    return max(_MIN_MEMORY, 8 * max_bytes)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["edukoppel.readers.table._read"])
    return context


def read_isolated(
    data: bytes,
    *,
    name: str,
    options: Mapping[str, Any],
    timeout: float,
    memory: int,
) -> Table:
    """Read ``data`` with :func:`read_table` in a child process, within ``memory`` and ``timeout``.

    Raises:
        IsolatedReadError: The child was killed by a signal, ran out of memory or of time.
        ReaderError: What the read in the child raised, rebuilt here.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, data, name, dict(options), memory))
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise IsolatedReadError(msg("refusal.isolated-timeout", seconds=timeout), file=name)
        try:
            outcome = receiver.recv()
        except EOFError:  # the child died before it could answer
            child.join(5)
            raise IsolatedReadError(
                _death(child.exitcode, memory), file=name, exitcode=child.exitcode
            ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()
    return _unpack(outcome, name=name, memory=memory)


def _death(exitcode: int | None, memory: int) -> Any:
    if exitcode is not None and exitcode < 0:
        try:
            what = signal.Signals(-exitcode).name
        except ValueError:
            what = f"signal {-exitcode}"
        return msg("refusal.isolated-signal", signal=what, limit=mib(memory))
    return msg("refusal.isolated-exit", code=str(exitcode), limit=mib(memory))


def _unpack(outcome: tuple[Any, ...], *, name: str, memory: int) -> Table:
    from edukoppel import exceptions
    from edukoppel.readers.table._table import Table

    kind = outcome[0]
    if kind == "table":
        fields = outcome[1]
        return Table(**fields)
    if kind == "reader-error":
        _, class_name, text, where = outcome
        error_class = getattr(exceptions, class_name, ReaderError)
        raise error_class(text, **where)
    if kind == "memory":
        raise IsolatedReadError(msg("refusal.isolated-memory", limit=mib(memory)), file=name)
    raise outcome[1]


def _child(
    sender: Connection, data: bytes, name: str, options: dict[str, Any], memory: int
) -> None:
    """The child's side: limit the address space, read, send the table or the error back."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # no resource module (Windows): time limit only
        pass
    outcome: tuple[Any, ...]
    try:
        from edukoppel.readers.table._read import read_table

        table = read_table(data, name=name, **options)
        outcome = (
            "table",
            {
                "columns": table.columns,
                "file": table.file,
                "sheet": table.sheet,
                "format": table.format,
                "header_row": table.header_row,
                "report": table.report,
                "frame": table._frame,
                "preamble": table.preamble,
                "numeric_cells": dict(table.numeric_cells),
            },
        )
    except ReaderError as error:
        where = {
            "file": error.file,
            "sheet": error.sheet,
            "row": error.row,
            "column": error.column,
        }
        outcome = ("reader-error", type(error).__name__, error._text, where)
    except MemoryError:
        outcome = ("memory",)
    except Exception as error:  # a misuse error (TypeError...) is raised again in the caller
        outcome = ("error", error)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory",))
    finally:
        sender.close()
