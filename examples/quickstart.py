"""Two weekly syncs of a school's pupil export into an embedded SQLite store.

Run it with ``python examples/quickstart.py``. Each week it reads the export the school's
administration gave (``examples/exports/leerlingen-week-N.csv``: made-up pupils, saved by
Excel as "ANSI" with a title above the header, as real exports are) with ``ek.read``, which
detects the encoding, delimiter and header, maps the columns to the canonical fields and
builds the roster. It shows the mapping and what was detected, plans the changes against an
``ek.SqlStore`` in a new SQLite file, shows them, applies them, and prints the sync log.
Pass a file name (``python examples/quickstart.py school.db``) to keep the database and look
at its tables; ``docs/sql.md`` describes them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import edukoppel as ek

EXPORTS = Path(__file__).parent / "exports"
# The export does not say which school and school year it is for: say it, so that the
# school and school-year safeguards can check every next export.
SCHOOL = ek.School(brin="99ZX", name="Het Voorbeeld College", school_year="2025-2026")


def main(database: Path) -> None:
    store = ek.SqlStore(f"sqlite:///{database}")  # a real database file, made on first use
    print(f"store: {database}\n")
    for week in (1, 2):
        # A stable source name: the file's name changes every week, the export does not.
        result = ek.read(EXPORTS / f"leerlingen-week-{week}.csv", source_name="leerlingen-export")
        detected = result.report.detected
        print(f"=== week {week}: {result.table.file if result.table else ''} ===")
        print(
            f"read {len(result.roster.students)} pupils: encoding {detected['encoding']}, "
            f"delimiter {detected['delimiter']!r}, header on row {detected['header_row']}"
        )
        if week == 1:
            print(result.mapping)  # which column went to which field, and why
        for issue in result.report.warnings:
            print(f"  {issue}")
        incoming = result.roster.evolve(school=SCHOOL)
        changeset = ek.plan(store.snapshot(), incoming)
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
    store.close()


if __name__ == "__main__":
    # python examples/quickstart.py [school.db]: keep the database there; by default it is a
    # new file in a temporary folder, removed at the end.
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory(prefix="edukoppel-quickstart-") as folder:
            main(Path(folder) / "school.db")
