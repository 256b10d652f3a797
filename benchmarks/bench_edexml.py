"""EDEXML reading: ``ek.read_edexml`` beside a bare lxml iterparse loop (issue 9).

Data: a generated EDEXML 2.1 file with 100k pupils, 4k groups and 8k teachers (5k / 200 /
400 with ``--quick``): names with infixes and diacritics, eckids on two pupils in three, a
homeroom and two samengestelde groepen per pupil, roles per group link, some leavers.

* Time: ``read_edexml`` (parse, map, validate, records, report) against a loop that only
  iterparses the same file and counts its elements, timed in interleaved rounds.
  Target: within 2.5x.
* Memory: the read's peak against what its result (the roster and report) retains
  afterwards. Target: the peak within 1.5x of the result, which shows that the element tree
  is freed as the file streams, not kept. Measured twice: traced Python memory
  (tracemalloc) and the process's resident memory (lxml's and polars' native memory too).
"""

from __future__ import annotations

import gc
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

from benchmarks._measure import compare

FIRST = ["Daan", "Emma", "Sem", "Julia", "Noah", "Mila", "Lucas", "Tess", "Finn", "Zoë", "Anaïs"]
INFIX = ["", "", "", "van", "de", "van der", "van 't", "in 't"]
LAST = ["Jansen", "Vries", "Bakker", "Visser", "Smit", "Çelik", "Mulder", "Bos", "Dekker"]
ROLES = ["LRK", "VAK", "OWA", "IB"]


def make_file(path: Path, *, pupils: int, groups: int, teachers: int) -> None:
    """Write the generated EDEXML 2.1 file (streamed; no tree in memory)."""
    homerooms = groups // 2
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<EDEX>\n<school>')
        out.write("<schooljaar>2025-2026</schooljaar><peildatum>2025-10-01</peildatum>")
        out.write("<brincode>99ZX</brincode><dependancecode>10</dependancecode>")
        out.write("<xsdversie>2.1</xsdversie></school>\n<groepen>\n")
        for number in range(groups):
            if number < homerooms:
                year = 11 + number % 6
                out.write(
                    f'<groep key="g{number:05d}"><naam>{year - 10}H{number}</naam>'
                    f"<jaargroep>{year}</jaargroep></groep>\n"
                )
            else:
                out.write(
                    f'<samengestelde_groep key="g{number:05d}"><naam>cluster {number}</naam>'
                    "</samengestelde_groep>\n"
                )
        out.write("</groepen>\n<leerlingen>\n")
        for number in range(pupils):
            first, last = FIRST[number % len(FIRST)], LAST[number % len(LAST)]
            infix = INFIX[number % len(INFIX)]
            eckid = f' eckid="https://ketenid.nl/201703/{number:064x}"' if number % 3 else ""
            homeroom = number % homerooms
            first_cluster = homerooms + number % (groups - homerooms)
            second_cluster = homerooms + (number * 7) % (groups - homerooms)
            leaver = "<uitstroomdatum>2025-09-30</uitstroomdatum>" if number % 50 == 0 else ""
            out.write(
                f'<leerling key="{number:07d}"{eckid}><achternaam>{last}</achternaam>'
                + (f"<voorvoegsel>{infix}</voorvoegsel>" if infix else "")
                + f"<voorletters-1>{first[0]}</voorletters-1><roepnaam>{first}</roepnaam>"
                f"<geboortedatum>{2008 + number % 6}-{1 + number % 12:02d}-"
                f"{1 + number % 28:02d}</geboortedatum><geslacht>{1 + number % 2}</geslacht>"
                f"<jaargroep>{11 + number % 6}</jaargroep>"
                f'<groep key="g{homeroom:05d}"/><samengestelde_groepen>'
                f'<samengestelde_groep key="g{first_cluster:05d}"/>'
                f'<samengestelde_groep key="g{second_cluster:05d}"/></samengestelde_groepen>'
                f"<gebruikersnaam>ll{number:07d}</gebruikersnaam>"
                f"<emailadres>ll{number:07d}@leerling.example.nl</emailadres>"
                f"<instroomdatum>{2019 + number % 6}-08-{1 + number % 28:02d}</instroomdatum>"
                f"{leaver}</leerling>\n"
            )
        out.write("</leerlingen>\n<leerkrachten>\n")
        for number in range(teachers):
            links = "".join(
                f'<groep key="g{(number + step * 97) % homerooms:05d}">'
                f"<rol>{ROLES[(number + step) % len(ROLES)]}</rol></groep>"
                for step in range(2)
            )
            out.write(
                f'<leerkracht key="m{number:05d}"><achternaam>{LAST[number % len(LAST)]}'
                f"</achternaam><roepnaam>{FIRST[number % len(FIRST)]}</roepnaam>"
                f"<emailadres>m{number:05d}@school.example.nl</emailadres><rol>LRK</rol>"
                f"<groepen>{links}</groepen></leerkracht>\n"
            )
        out.write("</leerkrachten>\n</EDEX>\n")


def count_elements(path: str) -> int:
    """The baseline: a bare lxml iterparse loop that only counts the file's elements."""
    from lxml import etree

    count = 0
    for _event, _element in etree.iterparse(path):
        count += 1
    return count


def read(path: str) -> object:
    import edukoppel as ek

    return ek.read_edexml(path)


def traced_peak_and_retained(path: str) -> tuple[float, float]:
    """Traced Python memory (MiB): the peak during the read, and what the result retains."""
    gc.collect()
    tracemalloc.start()
    try:
        result = read(path)
        _, peak = tracemalloc.get_traced_memory()
        gc.collect()
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak / 2**20, retained / 2**20


def resident_peak_and_retained(path: str) -> tuple[float, float]:
    """Resident memory (MiB, native included) above the start: peak during, retained after."""
    code = "\n".join(
        [
            "import gc, edukoppel as ek, polars, lxml.etree",
            "def status(field):",
            "    with open('/proc/self/status') as handle:",
            "        for line in handle:",
            "            if line.startswith(field + ':'):",
            "                return int(line.split()[1])",
            f"ek.read_edexml({path!r})",  # warm: imports, lazily built caches
            "gc.collect()",
            "open('/proc/self/clear_refs', 'w').write('5')",
            "before = status('VmRSS')",
            f"result = ek.read_edexml({path!r})",
            "peak = status('VmHWM')",
            "gc.collect()",
            "print((peak - before) / 1024, (status('VmRSS') - before) / 1024)",
        ]
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    peak, retained = done.stdout.split()
    return float(peak), float(retained)


def run(pupils: int, groups: int, teachers: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "EDEX.XML"
        make_file(path, pupils=pupils, groups=groups, teachers=teachers)
        size = path.stat().st_size / 2**20
        print(
            f"-- {pupils:,} pupils, {groups:,} groups, {teachers:,} teachers: {size:.1f} MiB",
            flush=True,
        )
        result = read(str(path))
        roster = result.roster  # type: ignore[attr-defined]
        assert (len(roster.students), len(roster.groups), len(roster.staff)) == (
            pupils,
            groups,
            teachers,
        ), roster
        assert result.report.valid, str(result.report)[:500]  # type: ignore[attr-defined]
        del result, roster
        measured = compare(
            {
                "iterparse count (baseline)": lambda: count_elements(str(path)),
                "read_edexml": lambda: read(str(path)),
            },
            rounds=rounds,
        )
        base, subject = measured["iterparse count (baseline)"], measured["read_edexml"]
        ratio = subject.seconds / base.seconds
        cpu = (subject.cpu_seconds or 0) / (base.cpu_seconds or 1)
        print(
            f"   baseline {base.seconds:.3f}s, read_edexml {subject.seconds:.3f}s "
            f"({subject.seconds / pupils * 1e6:.1f} µs/pupil) -> {ratio:.2f}x "
            f"(target 2.5x: {'met' if ratio <= 2.5 else 'MISSED'}); CPU time {cpu:.2f}x"
        )
        traced_peak, traced_kept = traced_peak_and_retained(str(path))
        traced = traced_peak / traced_kept
        print(
            f"   traced memory: peak {traced_peak:.1f} MiB, result retains {traced_kept:.1f} MiB"
            f" -> {traced:.2f}x (target 1.5x: {'met' if traced <= 1.5 else 'MISSED'})"
        )
        rss_peak, rss_kept = resident_peak_and_retained(str(path))
        rss = rss_peak / rss_kept if rss_kept > 0 else float("inf")
        print(
            f"   resident memory: peak +{rss_peak:.1f} MiB, after the read +{rss_kept:.1f} MiB"
            f" -> {rss:.2f}x (file {size:.1f} MiB)"
        )


def main(quick: bool) -> None:
    if quick:
        run(5_000, 200, 400, rounds=2)
    else:
        run(100_000, 4_000, 8_000, rounds=3)
    sys.stdout.flush()
