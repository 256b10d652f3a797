"""Reading school exports: every format behind one entry point, :func:`read`.

Each format family has its own subpackage, behind the registry in ``_registry``
(:func:`register_format`), so a newcomer finds a format in one place:

* ``readers/table/``: CSV files and workbooks (XLSX, XLSM, XLS, ODS) into a :class:`Table` of
  strings (:func:`read_table`), which ``ek.read`` maps to a roster;
* ``readers/edexml/``: EDEXML and UWLR files (:func:`read_edexml`, :func:`write_edexml`);
* the Somtoday Connect API is ``edukoppel.somtoday``, read by ``ek.read(settings)``.

:func:`read_many` joins several sources into one roster. Importing this package imports
neither polars, python-calamine nor lxml; they load on first use.
"""

from __future__ import annotations

from edukoppel.readers._many import read_many
from edukoppel.readers._registry import Format, ReadResult, formats, read, register_format
from edukoppel.readers.edexml import read_edexml, write_edexml
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
