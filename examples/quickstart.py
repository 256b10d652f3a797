"""Two weekly syncs of a school's pupil export into an in-memory store.

Run it with ``python examples/quickstart.py``. Each week it reads the export the school's
administration gave (``examples/exports/leerlingen-week-N.csv``: made-up pupils, saved by
Excel as "ANSI" with a title above the header, as real exports are), shows what the reader
detected, turns the rows into a roster, plans the changes against the store, shows them,
applies them, and prints the sync log.

The columns are mapped by hand here; edukoppel's column matcher will do that step for you.
"""

from __future__ import annotations

from pathlib import Path

import edukoppel as ek

EXPORTS = Path(__file__).parent / "exports"
SCHOOL = ek.School(brin="99ZX", name="Het Voorbeeld College", school_year="2025-2026")
LOCATION = ek.Location(key="99ZX10", name="Het Voorbeeld College, hoofdlocatie")

# The export's column -> the Student field it holds.
COLUMNS = {
    "Stamnr": "key",
    "Roepnaam": "first_name",
    "Tussenv.": "infix",
    "Achternaam": "last_name",
    "Geb.datum": "birth_date",
    "Geslacht": "gender",
    "Klas": "homeroom",
    "Leerjaar": "year",
    "E-mailadres": "email",
}


def roster_from(table: ek.Table) -> ek.Roster:
    """Pupils from the export's rows, and their classes (stamgroepen) from the Klas column."""
    students = []
    for row in table.to_polars().iter_rows(named=True):
        fields = {field: row[column] for column, field in COLUMNS.items()}
        students.append(ek.Student(**fields, location=LOCATION.key, groups=[fields["homeroom"]]))
    classes = sorted({(s.homeroom, s.year) for s in students if s.homeroom})
    groups = [
        ek.Group(key=name, name=name, kind="stamgroep", year=year, location=LOCATION.key)
        for name, year in classes
    ]
    return ek.Roster(
        school=SCHOOL,
        locations=[LOCATION],
        groups=groups,
        students=students,
        # `provides` names the kinds this roster provides, each with its fields (None: all
        # of them). Staff and parents are not named, so the sync leaves them alone; of the
        # pupils, the export provides the mapped fields only.
        provides={
            "location": None,
            "group": None,
            "student": [*COLUMNS.values(), "location", "groups"],
        },
        source="leerlingen-export",
    )


def main() -> None:
    store = ek.MemoryStore()
    for week in (1, 2):
        table = ek.read_table(EXPORTS / f"leerlingen-week-{week}.csv")
        detected = table.report.detected
        print(f"=== week {week}: {table.file} ===")
        print(
            f"read {len(table)} pupils: encoding {detected['encoding']}, delimiter "
            f"{detected['delimiter']!r}, header on row {detected['header_row']}"
        )
        for issue in table.report.warnings:
            print(f"  {issue}")
        changeset = ek.plan(store.snapshot(), roster_from(table))
        print(changeset)
        if week == 2:
            details = changeset.to_polars()
            print(details.filter(details["action"] != "add"))
        outcome = ek.apply(changeset, store, description=f"weekly sync, week {week}")
        print(f"applied: {outcome}\n")
    print("=== sync log ===")
    for run in store.runs():
        print(run)
    archived = [s.key for s in store.snapshot().students if s.archived]
    print(f"archived students (never deleted): {archived}")


if __name__ == "__main__":
    main()
