"""Records from a parsed table: validating constructors vs. column validation (issue 8, item 7).

Data: 200k students (10k with ``--quick``) with 17 fields, as a polars frame of strings the way
a reader has them after parsing: leerlingnummers with leading zeros, names with infixes and
diacritics, e-mail in mixed case, DD-MM-YYYY and ISO dates, M/V/X, groups joined by commas,
and here and there a blank or padded cell.

Three ways from that frame to Python objects, timed in interleaved rounds:

* baseline: ``frame.rows()``, plain tuples of the cells, what any reader pays at least;
* validating: one ``Student(**values)`` per row (the groups split), as a reader does today;
* column path: :func:`edukoppel.model.validate_columns` (polars expressions) and
  ``to_records()`` (the trusted constructor, no converters).

Target: the column path within 4x of ``frame.rows()``. tracemalloc sees only Python's memory;
the column path's polars work is native, so the peak resident memory of both is printed too.
"""

from __future__ import annotations

import random
import sys
from typing import Any

import polars as pl

import edukoppel as ek
from benchmarks._measure import compare, peak_rss_mib
from edukoppel.model import validate_columns

FIRST = ["Daan", "Emma", "Sem", "Julia", "Noah", "Mila", "Lucas", "Tess", "Finn", "Zoë", "Anaïs"]
INFIX = ["", "", "", "van", "de", "van der", "van 't", "in 't"]
LAST = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Çelik", "Mulder", "Bos", "Dekker"]
LOCATIONS = ["99ZX10", "99ZX11", "99ZX12"]
PROGRAMS = ["vmbo-t", "havo", "vwo", "gymnasium"]


def make_frame(students: int, seed: int = 20261124) -> pl.DataFrame:
    rng = random.Random(seed)
    homerooms = [f"{1 + i % 6}{'HAV'[i % 3]}{i % 9}" for i in range(max(1, students // 25))]
    columns: dict[str, list[str]] = {
        name: []
        for name in [
            "key", "student_number", "eckid", "username", "email", "first_name", "initials",
            "infix", "last_name", "birth_date", "gender", "year", "program", "location",
            "homeroom", "groups", "start_date",
        ]
    }  # fmt: skip
    for i in range(students):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        homeroom = homerooms[i % len(homerooms)]
        year = 2008 + i % 6
        columns["key"].append(f"{i:07d}")
        columns["student_number"].append(f"{100000 + i}")
        columns["eckid"].append(f"https://ketenid.nl/201703/{i:012d}" if i % 3 else "")
        columns["username"].append(f"ll{i:07d}")
        columns["email"].append(f"{first}.{last.replace(' ', '')}{i}@School.NL")
        columns["first_name"].append(first if i % 50 else f" {first} ")
        columns["initials"].append(f"{first[0]}.")
        columns["infix"].append(rng.choice(INFIX))
        columns["last_name"].append(last)
        columns["birth_date"].append(f"{1 + i % 28:02d}-{1 + i % 12:02d}-{year}")
        columns["gender"].append("MVX"[i % 3] if i % 7 else "v")
        columns["year"].append(str(1 + i % 6))
        columns["program"].append(rng.choice(PROGRAMS))
        columns["location"].append(LOCATIONS[i % 3])
        columns["homeroom"].append(homeroom)
        columns["groups"].append(f"{homeroom}, {homeroom}.wi, {homeroom}.en,{homeroom}.ne")
        columns["start_date"].append(f"{year + 12}-08-{1 + i % 28:02d}")
    return pl.DataFrame(columns)


def validating(frame: pl.DataFrame) -> list[ek.Student]:
    names = frame.columns
    split = names.index("groups")
    out = []
    for row in frame.rows():
        values: dict[str, Any] = dict(zip(names, row, strict=True))
        values["groups"] = row[split].split(",")
        out.append(ek.Student(**values))
    return out


def column_path(frame: pl.DataFrame) -> list[Any]:
    check = validate_columns("student", frame)
    return check.to_records()


def run(students: int, rounds: int) -> None:
    print(f"-- {students:,} students, 17 fields: building the frame ...", flush=True)
    frame = make_frame(students)
    check = validate_columns("student", frame)
    slow, fast = validating(frame), check.to_records()
    assert check.refusals == (), check.refusals[:3]
    assert slow == fast, "the column path made other records than the constructors"
    del slow, fast
    measured = compare(
        {
            "frame.rows()": frame.rows,
            "validating constructors": lambda: validating(frame),
            "validate_columns + to_records": lambda: column_path(frame),
            "  validate_columns alone": lambda: validate_columns("student", frame),
            "  to_records alone": check.to_records,
        },
        rounds=rounds,
    )
    base = measured["frame.rows()"]
    for name, m in measured.items():
        ratio = m.seconds / base.seconds
        cpu = f", cpu {m.cpu_seconds:.3f}s" if m.cpu_seconds is not None else ""
        print(
            f"   {name:32} {m.seconds:7.3f}s{cpu} = {m.seconds / students * 1e6:6.2f} µs/record"
            f" = {ratio:5.2f}x frame.rows(); peak traced {m.peak_mib:7.1f} MiB"
        )
    column = measured["validate_columns + to_records"]
    slow = measured["validating constructors"]
    ratio = column.seconds / base.seconds
    per_row = (slow.seconds - base.seconds) / students * 1e6
    per_column = (column.seconds - base.seconds) / students * 1e6
    print(
        f"   beyond what frame.rows() costs: {per_row:.2f} µs/record through the constructors, "
        f"{per_column:.2f} µs/record through the column path"
    )
    print(
        f"   column path {slow.seconds / column.seconds:.1f}x faster than the constructors; "
        f"{ratio:.2f}x frame.rows() (target 4x: {'met' if ratio <= 4 else 'MISSED'})"
    )
    setup = (
        f"from benchmarks.bench_records import make_frame, column_path\n"
        f"frame = make_frame({students})"
    )
    rss_rows = peak_rss_mib(setup, "frame.rows()")
    rss_column = peak_rss_mib(setup, "column_path(frame)")
    print(
        f"   peak resident memory over the frame (native included): frame.rows() "
        f"{rss_rows:.1f} MiB, column path {rss_column:.1f} MiB ({rss_column / rss_rows:.2f}x)"
    )


def main(quick: bool) -> None:
    if quick:
        run(10_000, rounds=2)
    else:
        run(200_000, rounds=3)
    sys.stdout.flush()
