"""The tabular formats: CSV files and workbooks (XLSX, XLSM, XLS, ODS) into a :class:`Table`.

Each format has its own module (``_csv``, ``_spreadsheet``, with ``_bounds`` guarding what a
workbook may make calamine allocate, and ``_isolate`` for reading in a child process); they
share the detection of what a file is (``_detect``, ``_encoding``), the header search
(``_header``), and the finishing step that judges rows and columns and checks the cells for
damage (``_finish``, ``_damage``). :func:`read_table` is the entry point; ``ek.read`` uses it
through the registry in ``edukoppel.readers``.
"""

from __future__ import annotations

from edukoppel.readers.table._read import read_table
from edukoppel.readers.table._table import (
    DEFAULT_MAX_BYTES,
    Provenance,
    Row,
    Table,
    TableFormat,
    unique_names,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Provenance",
    "Row",
    "Table",
    "TableFormat",
    "read_table",
    "unique_names",
]
