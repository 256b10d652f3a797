"""Reading school exports: CSV files and workbooks into a :class:`Table` of strings.

:func:`read_table` takes a path, bytes or a binary file object, detects the format, encoding,
delimiter, sheet and header row, and returns a :class:`Table` whose :attr:`Table.report` says
what was detected and what looked wrong (see ``docs/reading.md``).

Importing this package imports neither polars nor python-calamine; they load on first use.
"""

from __future__ import annotations

from edukoppel.readers._many import read_many
from edukoppel.readers._read import read_table
from edukoppel.readers._registry import Format, ReadResult, formats, read, register_format
from edukoppel.readers._table import (
    DEFAULT_MAX_BYTES,
    Provenance,
    Row,
    Table,
    TableFormat,
    unique_names,
)
from edukoppel.readers.edexml import read_edexml, write_edexml

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Format",
    "Provenance",
    "ReadResult",
    "Row",
    "Table",
    "TableFormat",
    "formats",
    "read",
    "read_edexml",
    "read_many",
    "read_table",
    "register_format",
    "unique_names",
    "write_edexml",
]
