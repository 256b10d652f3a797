"""read_table(..., isolate=True): the read runs in a child process that may die alone."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import edukoppel as ek

Builder = Callable[..., bytes]
ROWS = [["Leerlingnummer", "Roepnaam"], ["00123", "Anna"], ["00124", "Bram"]]


def test_an_isolated_read_gives_the_same_table(make_xlsx: Builder) -> None:
    data = make_xlsx({"Leerlingen": [*ROWS, ["00125", 17]]})
    here = ek.read_table(data, name="a.xlsx")
    there = ek.read_table(data, name="a.xlsx", isolate=True)
    assert there.rows == here.rows
    assert there.row_numbers == here.row_numbers
    assert (there.file, there.sheet, there.format) == ("a.xlsx", "Leerlingen", "xlsx")
    assert dict(there.numeric_cells) == dict(here.numeric_cells) == {"Roepnaam": 1}
    assert [issue.code for issue in there.report] == [issue.code for issue in here.report]


def test_a_refusal_in_the_child_is_the_same_error_here() -> None:
    with pytest.raises(ek.MalformedFileError) as caught:
        ek.read_table(b"PK\x03\x04kapot", name="a.xlsx", isolate=True)
    assert caught.value.file == "a.xlsx"
    assert "zip" in str(caught.value)


def test_ek_read_passes_isolate_on(make_xlsx: Builder) -> None:
    result = ek.read(io.BytesIO(make_xlsx({"Leerlingen": ROWS})), name="a.xlsx", isolate=True)
    assert len(result.roster.students) == 2


def test_a_child_that_takes_too_long_is_stopped(make_xlsx: Builder) -> None:
    with pytest.raises(ek.IsolatedReadError, match=r"longer than 0\.001 seconds") as caught:
        ek.read_table(
            make_xlsx({"Leerlingen": ROWS}), name="a.xlsx", isolate=True, isolate_timeout=0.001
        )
    assert caught.value.exitcode is None


_ABORTING = """
import json, sys
import edukoppel as ek
try:
    ek.read_table(sys.argv[1], isolate=True, max_bytes=2**40, isolate_memory=2**31)
    print(json.dumps({"read": True}))
except ek.IsolatedReadError as error:
    print(json.dumps({"error": str(error), "exitcode": error.exitcode}))
"""


def test_a_child_killed_by_an_abort_becomes_an_error(tmp_path: Path, make_xls: Builder) -> None:
    """With the size guard lifted (max_bytes of 1 TiB), calamine aborts on the forged XLS:
    the child dies by SIGABRT and the caller gets an error (itself run in a child process,
    so that a regression fails this test instead of killing the test run)."""
    data = bytearray(make_xls({"Leerlingen": ROWS}))
    at = data.find(b"\x00\x02\x0e\x00")
    struct.pack_into("<IIHH", data, at + 4, 0, 1_048_576, 0, 16_384)
    path = tmp_path / "vals.xls"
    path.write_bytes(bytes(data))
    done = subprocess.run(
        [sys.executable, "-c", _ABORTING, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-800:]
    result = json.loads(done.stdout)
    assert result["exitcode"] == -6, result
    assert "was killed (SIGABRT)" in result["error"]
    assert "2048.0 MiB" in result["error"]


def test_the_isolate_options_are_checked() -> None:
    with pytest.raises(ValueError, match="isolate_timeout"):
        ek.read_table(b"a;b\n1;2\n", isolate=True, isolate_timeout=0)
    with pytest.raises(ValueError, match="isolate_memory"):
        ek.read_table(b"a;b\n1;2\n", isolate=True, isolate_memory=0)
