"""plan() at 100k and 1M students against a plain-tuple baseline (issue: foundation, item 8).

Data: students with groups (1 per 25 students), staff (1 per 12) and guardians (1.5 per
student), at 2% churn (a third adds, a third updates, a third leavers). The current roster comes
from a store (it carries a revision, as ``store.snapshot()`` does), so the plan does not hash
every record; hashing the content is measured on its own line.

Baseline: the same records as plain tuples in dicts keyed by id, compared with set differences
and ``!=`` on the common keys. Both sides get distinct record objects that share their strings,
so neither gets an identity shortcut the other does not.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import sys
from typing import Any

import attrs

import edukoppel as ek
from benchmarks._measure import measure, ratio_line
from edukoppel.model import ENTITY_KINDS, data_fields

FIRST = ["Daan", "Emma", "Sem", "Julia", "Noah", "Mila", "Lucas", "Tess", "Finn", "Zoë", "Anaïs"]
INFIX = [None, None, None, "van", "de", "van der", "van 't", "in 't"]
LAST = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Dekker"]
LOCATIONS = ["99ZX10", "99ZX11", "99ZX12"]
SCHOOL_YEAR = "2025-2026"


def make_current(students: int, rng: random.Random) -> dict[str, list[Any]]:
    locations = [ek.Location(key=key, name=f"Vestiging {key}", origin="las") for key in LOCATIONS]
    n_groups = max(1, students // 25)
    groups = [
        ek.Group(
            key=f"G{i:05d}",
            name=f"{1 + i % 6}{'HAV'[i % 3]}{i % 9}",
            kind="homeroom" if i % 3 == 0 else "teaching",
            year=str(1 + i % 6),
            location=LOCATIONS[i % 3],
            school_year=SCHOOL_YEAR,
            origin="las",
        )
        for i in range(n_groups)
    ]
    group_keys = [group.key for group in groups]
    people = []
    for i in range(students):
        homeroom = group_keys[i % n_groups]
        people.append(
            ek.Student(
                key=f"{i:07d}",
                student_number=f"{100000 + i}",
                username=f"ll{i:07d}",
                email=f"ll{i:07d}@school.nl",
                first_name=rng.choice(FIRST),
                infix=rng.choice(INFIX),
                last_name=rng.choice(LAST),
                birth_date=dt.date(2008 + i % 6, 1 + i % 12, 1 + i % 28),
                gender="MVX"[i % 3],
                year=str(1 + i % 6),
                program="havo",
                location=LOCATIONS[i % 3],
                homeroom=homeroom,
                groups=(homeroom, group_keys[(i * 7) % n_groups]),
                origin="las",
            )
        )
    staff = [
        ek.Staff(
            key=f"M{i:06d}",
            abbreviation=f"D{i:04d}",
            email=f"m{i:06d}@school.nl",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            groups=[(group_keys[i % n_groups], "mentor" if i % 4 == 0 else "docent")],
            locations=[LOCATIONS[i % 3]],
            origin="las",
        )
        for i in range(max(1, students // 12))
    ]
    guardians = [
        ek.Guardian(
            key=f"V{i:07d}",
            initials="A.B.",
            last_name=rng.choice(LAST),
            email=f"v{i:07d}@thuis.nl",
            students=[ek.GuardianLink(f"{(i * 2 // 3) % students:07d}", relation="ouder")],
            origin="las",
        )
        for i in range(students * 3 // 2)
    ]
    return {
        "location": locations,
        "group": groups,
        "student": people,
        "staff": staff,
        "guardian": guardians,
    }


def churn(current: dict[str, list[Any]], rng: random.Random) -> dict[str, list[Any]]:
    """2% churn per kind: a third leave, a third change, a third are new. Distinct objects."""
    incoming: dict[str, list[Any]] = {}
    for kind, records in current.items():
        count = len(records)
        step = 150 if count >= 150 else count + 1  # 1 in 150 = 0.67% per action
        out = []
        for index, record in enumerate(records):
            if index % step == 0 and kind != "location":
                continue  # a leaver
            if index % step == 1 and kind != "location":
                field = "last_name" if kind in ("student", "staff", "guardian") else "name"
                out.append(attrs.evolve(record, **{field: "Gewijzigd"}))
            else:
                out.append(copy.copy(record))
        for index in range(count // step if kind != "location" else 0):
            new = attrs.evolve(records[index * step + 2], key=f"N{kind[0]}{index:07d}")
            out.append(new)
        rng.shuffle(out)
        incoming[kind] = out
    return incoming


def as_roster(records: dict[str, list[Any]], *, revision: str | None) -> ek.Roster:
    return ek.Roster(
        school=ek.School(brin="99ZX", school_year=SCHOOL_YEAR),
        locations=records["location"],
        groups=records["group"],
        students=records["student"],
        staff=records["staff"],
        guardians=records["guardian"],
        source="las",
        revision=revision,
    )


def as_tuples(records: dict[str, list[Any]]) -> dict[str, dict[str, tuple[Any, ...]]]:
    return {
        kind: {
            record.key: tuple(getattr(record, name) for name in data_fields(kind))  # type: ignore[arg-type]
            for record in records[kind]
        }
        for kind in ENTITY_KINDS
    }


def baseline(
    current: dict[str, dict[str, tuple[Any, ...]]], incoming: dict[str, dict[str, tuple[Any, ...]]]
) -> dict[str, tuple[set[str], set[str], list[str]]]:
    out = {}
    for kind in ENTITY_KINDS:
        old, new = current[kind], incoming[kind]
        added = new.keys() - old.keys()
        removed = old.keys() - new.keys()
        changed = [key for key in old.keys() & new.keys() if old[key] != new[key]]
        out[kind] = (added, removed, changed)
    return out


def run(students: int) -> None:
    rng = random.Random(20261124)
    print(f"-- {students:,} students: building data ...", flush=True)
    current_records = make_current(students, rng)
    incoming_records = churn(current_records, rng)
    current = as_roster(current_records, revision="store-revision-1")
    incoming = as_roster(incoming_records, revision=None)
    current_tuples, incoming_tuples = as_tuples(current_records), as_tuples(incoming_records)
    total = sum(len(records) for records in current_records.values())
    print(f"   {total:,} current records, {sum(map(len, incoming_records.values())):,} incoming")

    base_measure, base_result = measure(lambda: baseline(current_tuples, incoming_tuples))
    plan_measure, changeset = measure(lambda: ek.plan(current, incoming))
    expected = sum(len(a) + len(r) + len(c) for a, r, c in base_result.values())
    archived_staff = len(base_result["staff"][1])  # staff are not archived by default
    print(
        f"   baseline found {expected:,} differences; plan() made {len(changeset):,} changes "
        f"(staff leavers kept by the default policy: {archived_staff:,}); "
        f"blocked: {[reason.code for reason in changeset.blocked]}"
    )
    print("   " + ratio_line("plan()", plan_measure, base_measure, targets=(3.0, 3.0)))
    unhashed = as_roster(current_records, revision=None)

    def fresh_fingerprint() -> str:
        unhashed._fingerprint = None  # the fingerprint is cached; measure the hashing itself
        return unhashed.fingerprint

    hash_measure, _ = measure(fresh_fingerprint, repeat=1)
    print(
        f"   content fingerprint of the current roster (only when it has no store revision): "
        f"{hash_measure.seconds:.3f}s, peak {hash_measure.peak_mib:.1f} MiB"
    )


def main(quick: bool) -> None:
    sizes = [10_000] if quick else [100_000, 1_000_000]
    for size in sizes:
        run(size)
        sys.stdout.flush()
