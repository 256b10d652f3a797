"""A first import and a second sync of a small school, into an in-memory store.

Run it with ``python examples/quickstart.py``. It builds the school's roster in code (the file
readers build the same Roster from CSV, Excel, EDEXML or Somtoday), plans the changes against
the store, shows them, applies them, and prints the sync log.
"""

from __future__ import annotations

import datetime as dt

import attrs

import edukoppel as ek

SCHOOL = ek.School(brin="99ZX", name="Het Voorbeeld College", school_year="2025-2026")


def export_of_week(week: int) -> ek.Roster:
    """What the leerlingadministratie would export in a given week."""
    groups = [
        ek.Group(key="1HA", name="1HA", kind="stamgroep", year="1", location="99ZX10"),
        ek.Group(
            key="1HA.wi", name="wiskunde 1HA", kind="lesgroep", subject="wi", location="99ZX10"
        ),
        ek.Group(key="2VB", name="2VB", kind="stamgroep", year="2", location="99ZX10"),
    ]
    students = [
        ek.Student(key="00123", first_name="Daan", infix="van der", last_name="Berg",
                   email="daan.vanderberg@leerling.voorbeeld.nl", gender="M",
                   birth_date="2013-03-04", year="1", location="99ZX10",
                   homeroom="1HA", groups=["1HA", "1HA.wi"]),
        ek.Student(key="00124", first_name="Zoë", last_name="Çelik",
                   email="zoe.celik@leerling.voorbeeld.nl", gender="V",
                   birth_date="14-07-2012", year="2", location="99ZX10",
                   homeroom="2VB", groups=["2VB"]),
        ek.Student(key="00125", first_name="Anaïs", infix="de", last_name="Wit",
                   gender="V", birth_date="30/01/2013", year="1",
                   location="99ZX10", homeroom="1HA", groups=["1HA"]),
    ]  # fmt: skip
    if week == 2:
        students[1] = attrs.evolve(students[1], last_name="Çelik-Jansen")
        del students[2]  # Anaïs left the school
        students.append(
            ek.Student(key="00126", first_name="Sem", infix="van 't", last_name="Hof",
                       gender="M", year="1", location="99ZX10", homeroom="1HA",
                       groups=["1HA", "1HA.wi"], start_date=dt.date(2025, 11, 17))
        )  # fmt: skip
    staff = [
        ek.Staff(key="m042", abbreviation="JNS", first_name="Johan", last_name="Johansen",
                 email="j.johansen@voorbeeld.nl", groups=[("1HA", "mentor"), ("1HA.wi", "docent")],
                 locations=["99ZX10"]),
    ]  # fmt: skip
    guardians = [
        ek.Guardian(key="v900", initials="M.", infix="van der", last_name="Berg",
                    email="ouders.vanderberg@example.nl",
                    students=[ek.GuardianLink("00123", relation="moeder", receives_mail=True)]),
    ]  # fmt: skip
    return ek.Roster(
        school=SCHOOL,
        locations=[ek.Location(key="99ZX10", name="Het Voorbeeld College, hoofdlocatie")],
        groups=groups,
        students=students,
        staff=staff,
        guardians=guardians,
        source="somtoday",
    )


def main() -> None:
    store = ek.MemoryStore()
    for week in (1, 2):
        changeset = ek.plan(store.snapshot(), export_of_week(week))
        print(f"--- week {week} ---")
        print(changeset)
        if week == 2:
            details = changeset.to_polars()
            print(details.filter(details["action"] != "add"))
        outcome = ek.apply(changeset, store, description=f"weekly sync, week {week}")
        print(f"applied: {outcome}\n")
    print("--- sync log ---")
    for run in store.runs():
        print(run)
    archived = [s.key for s in store.snapshot().students if s.archived]
    print(f"archived students (never deleted): {archived}")


if __name__ == "__main__":
    main()
