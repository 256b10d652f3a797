"""Write the example school's exports: a first one and a later one, in four shapes.

Het Voorbeeld College (BRIN 99ZX, vestiging 99ZX00) is made up: its pupils' and teachers'
names are drawn, with a fixed seed, from short lists of common Dutch first names and
surnames, so no export here describes a real person. Between week 1 and week 2 two pupils
join, one changes class, one leaves and one gets a new e-mail address. Each week is written
as:

* ``numo/``: Numo's inleesbestand, a CSV in Windows-1252 ("ANSI") with ``;``;
* ``kic/``: a KIC-style workbook with the sheets klassen, leerlingen and medewerkers;
* ``magister/``: Magister's pupil export (``;``, UTF-8 with a BOM, its column names);
* ``edexml/``: an EDEXML 2.1 file, written by ``ek.write_edexml``.

Run ``python examples/make_school.py [FOLDER]`` to write them again (default:
``examples/school/``); the files in the repository are this script's output.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

import edukoppel as ek

SCHOOL = ek.School(brin="99ZX", name="Het Voorbeeld College", school_year="2025-2026")
LOCATION = "99ZX00"
FIRST_NAMES = [
    "Daan",
    "Sem",
    "Noah",
    "Lucas",
    "Finn",
    "Levi",
    "Milan",
    "Bram",
    "Jesse",
    "Thijs",
    "Emma",
    "Julia",
    "Mila",
    "Sophie",
    "Tess",
    "Zoë",
    "Saar",
    "Noor",
    "Anouk",
    "Fenna",
]
SURNAMES = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
]
CLASSES = {"1HA": ("1", "havo"), "1HB": ("1", "havo"), "2VA": ("2", "vwo")}
STAFF_NAMES = [("Ilse", "", "Kramer"), ("Ruud", "van den", "Berg"), ("Femke", "", "Brouwer")]


def _address(first: str, infix: str, last: str) -> str:
    plain = f"{first}.{infix}{last}".lower().replace(" ", "").replace("ë", "e")
    return f"{plain}@leerling.voorbeeld.nl"


def week_1() -> ek.Roster:
    """The first export: 24 pupils in three classes, three teachers who are their mentors."""
    draw = random.Random(2025)
    groups = [
        ek.Group(key=key, name=f"Klas {key}", kind="stamgroep", year=year, location=LOCATION)
        for key, (year, _) in CLASSES.items()
    ]
    students = []
    for number in range(24):
        first = draw.choice(FIRST_NAMES)
        infix, last = draw.choice(SURNAMES)
        homeroom = list(CLASSES)[number % len(CLASSES)]
        year, program = CLASSES[homeroom]
        students.append(
            ek.Student(
                key=f"{1001 + number:06d}",
                first_name=first,
                infix=infix or None,
                last_name=last,
                username=f"{1001 + number}",
                email=_address(first, infix, last),
                homeroom=homeroom,
                year=year,
                program=program,
                location=LOCATION,
            )
        )
    staff = [
        ek.Staff(
            key=f"M{number + 1:03d}",
            abbreviation=(first[0] + last[:2]).upper(),
            first_name=first,
            infix=infix or None,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@voorbeeld.nl",
            username=f"{first[0].lower()}{last.lower()}",
            locations={LOCATION},
        )
        for number, (first, infix, last) in enumerate(STAFF_NAMES)
    ]
    location = ek.Location(key=LOCATION, name="Het Voorbeeld College, Voorbeeldstad")
    return ek.Roster(
        school=SCHOOL,
        locations=[location],
        groups=groups,
        students=students,
        staff=staff,
        source="las",
    )


def week_2(first: ek.Roster) -> ek.Roster:
    """A week later: two new pupils, a class change, a leaver and a new e-mail address."""
    students = {student.key: student for student in first.students}
    del students["001005"]  # left the school
    students["001002"] = students["001002"].evolve(homeroom="1HA")  # moved from 1HB to 1HA
    changed = students["001010"]
    students["001010"] = changed.evolve(email=f"{changed.first_name.lower()}@leerling.voorbeeld.nl")
    for key, first_name, infix, last_name, homeroom in [
        ("001025", "Fenna", None, "Mulder", "1HB"),
        ("001026", "Milan", "van", "Leeuwen", "2VA"),
    ]:
        year, program = CLASSES[homeroom]
        students[key] = ek.Student(
            key=key,
            first_name=first_name,
            infix=infix,
            last_name=last_name,
            username=key.lstrip("0"),
            email=_address(first_name, infix or "", last_name),
            homeroom=homeroom,
            year=year,
            program=program,
            location=LOCATION,
        )
    return first.evolve(students=sorted(students.values(), key=lambda student: student.key))


def _csv(rows: list[list[str]], *, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def write_numo(roster: ek.Roster, path: Path) -> None:
    """Numo's inleesbestand: pupils and teachers in one file, "ANSI", told apart by rol."""
    rows = [["achternaam", "voornaam", "gebruikersnaam", "klas", "opleiding", "e-mailadres", "rol"]]
    for s in roster.students:
        last = f"{s.infix} {s.last_name}" if s.infix else s.last_name
        rows.append(
            [
                _text(last),
                _text(s.first_name),
                _text(s.username),
                _text(s.homeroom),
                _text(s.program),
                _text(s.email),
                "leerling",
            ]
        )
    path.write_bytes(_csv(rows, encoding="cp1252"))


def write_magister(roster: ek.Roster, path: Path) -> None:
    """Magister's pupil export: its own column names, ``;`` and UTF-8 with a BOM."""
    header = [
        "stamnr_str",
        "Roepnaam",
        "Tussenv",
        "Achternaam",
        "Email",
        "Klas",
        "Studie",
        "Leerfase.Leerjaar",
        "Loginaccount.Naam",
    ]
    rows = [header]
    for s in roster.students:
        rows.append(
            [
                _text(s.key),
                _text(s.first_name),
                _text(s.infix),
                _text(s.last_name),
                _text(s.email),
                _text(s.homeroom),
                _text(s.program),
                _text(s.year),
                _text(s.username),
            ]
        )
    path.write_bytes(_csv(rows, encoding="utf-8-sig"))


def write_kic(roster: ek.Roster, path: Path) -> None:
    """A KIC-style workbook: one sheet each for klassen, leerlingen and medewerkers."""
    import datetime as dt

    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2025, 9, 1, 8, 0)})  # the same bytes each run
    text = workbook.add_format({"num_format": "@"})
    sheets: dict[str, list[list[str]]] = {
        "klassen": [["Klascode", "Klasnaam", "Leerjaar"]]
        + [[g.key, _text(g.name), _text(g.year)] for g in roster.groups],
        "leerlingen": [
            [
                "Leerlingnummer",
                "Roepnaam",
                "Tussenvoegsel",
                "Achternaam",
                "Klas",
                "Leerjaar",
                "E-mailadres",
            ]
        ]
        + [
            [
                s.key,
                _text(s.first_name),
                _text(s.infix),
                _text(s.last_name),
                _text(s.homeroom),
                _text(s.year),
                _text(s.email),
            ]
            for s in roster.students
        ],
        "medewerkers": [
            [
                "Medewerkernummer",
                "Afkorting",
                "Roepnaam",
                "Tussenvoegsel",
                "Achternaam",
                "E-mailadres",
            ]
        ]
        + [
            [
                m.key,
                _text(m.abbreviation),
                _text(m.first_name),
                _text(m.infix),
                _text(m.last_name),
                _text(m.email),
            ]
            for m in roster.staff
        ],
    }
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row, text)
    workbook.close()


def write_all(folder: Path) -> list[Path]:
    """Write both weeks in every shape under ``folder``; return the files written."""
    first = week_1()
    weeks = {1: first, 2: week_2(first)}
    written = []
    for shape in ("numo", "kic", "magister", "edexml"):
        (folder / shape).mkdir(parents=True, exist_ok=True)
    for week, roster in weeks.items():
        paths = {
            "numo": folder / "numo" / f"inleesbestand-week-{week}.csv",
            "kic": folder / "kic" / f"kic-week-{week}.xlsx",
            "magister": folder / "magister" / f"leerlingen-week-{week}.csv",
            "edexml": folder / "edexml" / f"edex-week-{week}.xml",
        }
        write_numo(roster, paths["numo"])
        write_kic(roster, paths["kic"])
        write_magister(roster, paths["magister"])
        ek.write_edexml(roster, paths["edexml"])
        written.extend(paths.values())
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "school"
    for written in write_all(target):
        print(written)
