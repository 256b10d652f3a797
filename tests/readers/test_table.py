"""The Table type, and what importing the readers costs."""

from __future__ import annotations

import subprocess
import sys

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.readers import Provenance, Row, Table, read_table, unique_names


def small() -> Table:
    return read_table(b"id;naam;naam\n001;Anna;A\n002;Bram;B\n003;Cees;C\n", name="l.csv")


def test_importing_loads_neither_polars_nor_calamine() -> None:
    code = (
        "import sys, edukoppel, edukoppel.readers; "
        "print(sorted(m for m in ('polars', 'python_calamine', 'openpyxl') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_len_iteration_rows_and_provenance() -> None:
    table = small()
    assert len(table) == 3
    assert table.width == 3
    assert table.rows[0] == ("001", "Anna", "A")
    rows = list(table)
    assert all(isinstance(row, Row) for row in rows)
    first = rows[0]
    assert first.cells == ("001", "Anna", "A")
    assert first.number == 2
    assert first.provenance == Provenance(file="l.csv", sheet=None, row=2)
    assert str(first.provenance) == "l.csv, row 2"
    assert first["naam_2"] == "A"
    assert first[1] == "Anna"
    assert first.get("klas", "?") == "?"
    assert first.get("klas") is None
    assert first.as_dict() == {"id": "001", "naam": "Anna", "naam_2": "A"}
    assert list(first) == ["001", "Anna", "A"]
    assert len(first) == 3
    with pytest.raises(KeyError):
        first["klas"]
    assert table[-1].number == 4
    with pytest.raises(IndexError):
        table[3]


def test_slicing_and_head_keep_row_numbers() -> None:
    table = small()
    assert table[1:].row_numbers == [3, 4]
    assert table.head(2).rows == table.rows[:2]
    assert table.head(2).report is table.report
    with pytest.raises(ValueError, match="step 1"):
        table[::2]


def test_to_polars() -> None:
    table = small()
    frame = table.to_polars()
    assert frame.columns == ["id", "naam", "naam_2"]
    assert frame.rows()[0] == ("001", "Anna", "A")
    numbered = table.to_polars(row_numbers="rij")
    assert numbered.columns[0] == "rij"
    assert numbered.get_column("rij").to_list() == [2, 3, 4]
    with pytest.raises(ValueError, match="already a column"):
        table.to_polars(row_numbers="naam")
    frame.insert_column(0, frame.get_column("id").alias("copy"))
    assert table.to_polars().columns == ["id", "naam", "naam_2"]


def test_table_is_immutable() -> None:
    table = small()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        table.columns = ("x",)  # type: ignore[misc]


def test_repr_is_a_small_preview() -> None:
    rows = [[f"{i:05d}", "x" * 40] for i in range(100)]
    table = Table.from_rows(["id", "opmerking"], rows, file="groot.csv")
    text = repr(table)
    assert text.startswith("Table 'groot.csv' (csv): 100 rows x 2 columns, header on row 1")
    assert "... 95 more rows" in text
    assert "x" * 40 not in text
    assert len(text.splitlines()) == 8
    assert str(table) == text
    wide = Table.from_rows([f"k{i}" for i in range(12)], [["v"] * 12])
    assert repr(wide).splitlines()[1].endswith("...")


def test_from_rows() -> None:
    table = Table.from_rows(
        [" id ", "naam"], [["1"], ("2", "b")], file="x.csv", row_numbers=[10, 12]
    )
    assert table.columns == ("id", "naam")
    assert table.rows == (("1", ""), ("2", "b"))
    assert table.row_numbers == [10, 12]
    with pytest.raises(ValueError, match="more than the 2 columns"):
        Table.from_rows(["a", "b"], [["1", "2", "3"]])
    with pytest.raises(ValueError, match="row numbers"):
        Table.from_rows(["a"], [["1"]], row_numbers=[1, 2])
    empty = Table.from_rows(["a", "b"], [])
    assert len(empty) == 0
    assert empty.rows == ()


def test_unique_names() -> None:
    assert unique_names(["a", "a", "a"]) == ("a", "a_2", "a_3")
    assert unique_names(["a", "a", "a_2"]) == ("a", "a_3", "a_2")
    assert unique_names(["", "column_1", ""]) == ("column_1_2", "column_1", "column_3")


def _unique_names_by_search(columns: list[str]) -> tuple[str, ...]:
    """The rule stated plainly: each duplicate takes the first free suffix from 2."""
    taken = {name for name in columns if name}
    seen: set[str] = set()
    result = []
    for position, name in enumerate(columns, start=1):
        if not name:
            candidate, suffix = f"column_{position}", 2
            while candidate in taken or candidate in seen:
                candidate, suffix = f"column_{position}_{suffix}", suffix + 1
        elif name in seen:
            suffix = 2
            while f"{name}_{suffix}" in taken or f"{name}_{suffix}" in seen:
                suffix += 1
            candidate = f"{name}_{suffix}"
        else:
            candidate = name
        seen.add(candidate)
        result.append(candidate)
    return tuple(result)


@given(st.lists(st.sampled_from(["a", "a_2", "a_3", "b", "", "column_2", "a_2_2"]), max_size=12))
def test_unique_names_keep_the_rule_while_staying_linear(columns: list[str]) -> None:
    """A sheet of 16,384 equal names once took 40 s (each duplicate searched from 2)."""
    assert unique_names(columns) == _unique_names_by_search(columns)


def test_an_absent_column_is_not_an_empty_cell() -> None:
    """`row.get` tells a column the file lacks (None) from an empty cell ("")."""
    row = Table.from_rows(["Achternaam", "klas"], [["Berg", ""]])[0]
    assert row.get("klas") == ""
    assert row.get("email") is None
    assert row.get("email", "-") == "-"


def test_a_missing_column_names_the_columns_there_are() -> None:
    """A lookup in the wrong case says which column was meant and lists the columns."""
    table = Table.from_rows(["Leerlingnummer", "Achternaam", "Roepnaam"], [["1", "Berg", "D"]])
    with pytest.raises(ek.ColumnNotFoundError) as caught:
        table[0]["achternaam"]
    error = caught.value
    assert isinstance(error, KeyError)
    assert error.closest[0] == "Achternaam"
    assert str(error) == (
        "there is no column 'achternaam'; did you mean 'Achternaam'? The columns are "
        "'Leerlingnummer', 'Achternaam', 'Roepnaam'"
    )
    with pytest.raises(ek.ColumnNotFoundError, match="did you mean 'Roepnaam'"):
        table.column("roepnaam ")
    with pytest.raises(ek.ColumnNotFoundError, match="did you mean 'Leerlingnummer'"):
        table.column("Leerlingnumer")
    with pytest.raises(ek.ColumnNotFoundError, match="there is no column 5"):
        table.column(5)
