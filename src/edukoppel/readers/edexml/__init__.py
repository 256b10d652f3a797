"""EDEXML and UWLR: the Dutch standard for a school's pupils, groups and teachers.

:func:`read_edexml` reads EDEXML 1.03, 2.0 and 2.1 files and UWLR 1.0 and 2.x leerlinggegevens
responses (namespaced, bare or inside a SOAP envelope) into a roster; :func:`write_edexml`
writes a roster as EDEXML 2.1 (or 2.0-compatible) that the official schema accepts. See
``docs/edexml.md``.

``ek.read`` sends every XML document here (see :func:`sniff`); lxml and polars are imported
only when a file is read or written (the ``edexml`` extra).
"""

from __future__ import annotations

import os

from edukoppel.readers._registry import Format, ReadResult, register_format
from edukoppel.readers.edexml._reader import read_edexml
from edukoppel.readers.edexml._sniff import sniff
from edukoppel.readers.edexml._writer import write_edexml

__all__ = ["read_edexml", "sniff", "write_edexml"]


def _read_for_registry(
    data: bytes | str | os.PathLike[str],
    *,
    name: str | None,
    source_name: str = "edexml",
    mapping: object = None,
    preset: object = None,
    profile: object = None,
    overrides: object = None,
    entity: object = None,
    on_bad_cell: object = "keep",
    **options: object,
) -> ReadResult:
    """``ek.read`` for an XML document: EDEXML needs no mapping, so mapping options are refused."""
    given = {"mapping": mapping, "preset": preset, "profile": profile, "overrides": overrides}
    misplaced = sorted(key for key, value in given.items() if value not in (None, False))
    misplaced += sorted(key for key, value in options.items() if value is not None)
    if misplaced:
        raise TypeError(
            f"an EDEXML file needs no column mapping: {', '.join(misplaced)} does not apply"
        )
    return read_edexml(data, source_name=source_name, name=name)


register_format(Format("edexml", sniff, _read_for_registry), before="table")
