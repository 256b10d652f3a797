"""The fuzz proof: mutated workbooks never kill the process, and fail only as ReaderErrors.

Small XLS, XLSX, XLSM and ODS seeds are mutated deterministically: bytes flipped, slices
duplicated and cut, BIFF records copied over each other and given other lengths, DIMENSIONS,
cell positions, container fields, repeat counts and references set to extremes. Every input
is read with read_table in a child process, many per child: the child says which input it
starts, so one that kills it (a signal, an abort) is named and the rest go on in a new child.

The normal suite reads a fixed set of ``SMALL`` inputs; ``pytest -m fuzz`` (or ``nox -s
fuzz``) reads ``EDUKOPPEL_FUZZ`` of them (5,000 by default).
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import random
import re
import struct
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

Builder = Callable[..., bytes]
SMALL = 160
EXTREMES_32 = [0, 1, 255, 256, 0x7FFF, 0xFFFF, 0x1_0000, 16_384, 1_048_576, 0x7FFF_FFFF]
EXTREMES_32 += [0xFFFF_FFFA, 0xFFFF_FFFC, 0xFFFF_FFFE, 0xFFFF_FFFF]
EXTREMES_16 = [0, 1, 255, 256, 0x3FFF, 0x7FFF, 0xFFFE, 0xFFFF]
COUNTS = ["0", "1", "-1", "16384", "1048576", "1048577", "99999999", "2147483648"]
COUNTS += ["9223372036854775808", "9" * 30]  # beyond an Int64: the guards must not overflow
COUNTS += ["18446744073709551616", "&#49;0000000", "1e9", " 5", "", "4294967296"]

_CHILD = r"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (6 << 30, resource.RLIM_INFINITY))
import edukoppel as ek
from edukoppel.readers import read_table
paths = sys.argv[2:]
first = int(sys.argv[1])
for index in range(first, len(paths)):
    print("start", index, flush=True)
    try:
        read_table(paths[index])
        print("read", index, flush=True)
    except ek.ReaderError as error:
        print("refused", index, type(error).__name__, flush=True)
    except BaseException as error:
        text = f"{type(error).__name__}: {error}"[:300].replace("\n", " ")
        print("wrong", index, text, flush=True)
"""


# -- seeds -----------------------------------------------------------------------------------


def _seeds(make_xls: Builder, make_xlsx: Builder, make_ods: Builder) -> dict[str, bytes]:
    rows = [
        ["Leerlingnummer", "Roepnaam", "Geboortedatum", "Klas", "Cijfer"],
        ["00123", "Zoë", "03-05-2010", "1a", 7.5],
        ["00124", "Daan", "14-11-2009", "1b", 1 / 3],
        ["00125", "Fleur", "28-02-2010", "2c", 8],
    ]
    xlsx = _rezip(  # the same bytes every run: no time stamps
        make_xlsx({"Leerlingen": rows, "Kladblok": [["a", "b"], ["c", 1]]}),
        lambda name, content: (
            re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", content)
            if name == "docProps/core.xml"
            else content
        ),
    )
    return {
        "xls": make_xls({"Leerlingen": rows, "Tweede": [["a", "b"], ["c", 2]]}),
        "xlsx": xlsx,
        "xlsm": _as_xlsm(xlsx),
        "ods": _rezip(make_ods({"Leerlingen": rows}, merged={"Leerlingen": [(1, 1, 3, 4)]}), _same),
    }


def _same(_name: str, content: bytes) -> bytes:
    return content


def _as_xlsm(xlsx: bytes) -> bytes:
    return _rezip(
        xlsx,
        lambda name, content: (
            content.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            if name == "[Content_Types].xml"
            else content
        ),
    )


def _rezip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    target = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            member = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            member.compress_type = (
                zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            out.writestr(member, content)
    return target.getvalue()


# -- mutations -------------------------------------------------------------------------------


def _flip(data: bytes, rnd: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        out[rnd.randrange(len(out))] = rnd.randrange(256)
    return bytes(out)


def _duplicate(data: bytes, rnd: random.Random) -> bytes:
    start = rnd.randrange(len(data))
    piece = data[start : start + rnd.randint(1, 512)]
    at = rnd.randrange(len(data))
    return data[:at] + piece + data[at:]


def _cut(data: bytes, rnd: random.Random) -> bytes:
    if rnd.random() < 0.5:
        return data[: rnd.randrange(len(data))]
    start = rnd.randrange(len(data))
    return data[:start] + data[start + rnd.randint(1, 512) :]


def _xls_records(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of the BIFF records of an xlwt file (its stream follows the header)."""
    records, position = [], 512
    while position + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, position)
        records.append((position, length))
        if kind == 0 and length == 0:
            break
        position += 4 + length
    return records


def _xls_record(data: bytes, rnd: random.Random) -> bytes:
    """Copy a record over another, give one another length, or set a field to an extreme."""
    out = bytearray(data)
    records = _xls_records(data)
    offset, length = rnd.choice(records)
    action = rnd.randrange(5)
    if action == 0:  # a record duplicated over the next bytes
        source, source_length = rnd.choice(records)
        piece = data[source : source + 4 + source_length]
        out[offset : offset + len(piece)] = piece
        del out[len(data) :]
    elif action == 1:  # a record truncated or stretched
        struct.pack_into("<H", out, offset + 2, rnd.choice([*EXTREMES_16, max(length - 1, 0)]))
    elif action == 2:  # DIMENSIONS to extremes
        at = data.find(b"\x00\x02\x0e\x00", rnd.randrange(len(data) // 2))
        if at < 0:
            at = data.find(b"\x00\x02\x0e\x00")
        values = [rnd.choice(EXTREMES_32), rnd.choice(EXTREMES_32)]
        struct.pack_into("<IIHH", out, at + 4, *values, *rnd.choices(EXTREMES_16, k=2))
    elif action == 3:  # a cell's row and column to extremes
        cells = [r for r in records if struct.unpack_from("<H", data, r[0])[0] in _CELL_TYPES]
        at = rnd.choice(cells)[0] if cells else offset
        struct.pack_into("<HH", out, at + 4, *rnd.choices(EXTREMES_16, k=2))
    else:  # a u32 of the record's body to an extreme
        if length >= 4:
            at = offset + 4 + rnd.randrange(length - 3)
            struct.pack_into("<I", out, at, rnd.choice(EXTREMES_32))
    return bytes(out)


_CELL_TYPES = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006, 0x00BD, 0x0208}


def _container(data: bytes, rnd: random.Random) -> bytes:
    """An OLE2 header field, a DIFAT entry or a FAT entry set to an extreme."""
    out = bytearray(data)
    where = rnd.randrange(3)
    if where == 0:
        at = rnd.choice([40, 44, 48, 56, 60, 64, 68, 72])
    elif where == 1:
        at = 76 + 4 * rnd.randrange(4)
    else:
        size = 1 << struct.unpack_from("<H", data, 30)[0]
        fat = size + struct.unpack_from("<I", data, 76)[0] * size
        at = fat + 4 * rnd.randrange(min(size // 4, 64))
    if at + 4 <= len(out):
        value = rnd.choice([*EXTREMES_32, rnd.randrange(64), rnd.randrange(2**32)])
        struct.pack_into("<I", out, at, value)
    return bytes(out)


_ODS_ATTRIBUTES = [
    "table:number-rows-repeated",
    "table:number-columns-repeated",
    "table:number-rows-spanned",
    "table:number-columns-spanned",
]


def _xml(data: bytes, rnd: random.Random, kind: str) -> bytes:
    """Repeat counts, spans, references and dimensions in the sheet XML set to extremes."""

    def change(name: str, content: bytes) -> bytes:
        if kind == "ods" and name == "content.xml":
            return _ods_xml(content, rnd)
        if kind != "ods" and name.startswith("xl/worksheets/"):
            return _xlsx_xml(content, rnd)
        return content

    return _rezip(data, change)


def _ods_xml(content: bytes, rnd: random.Random) -> bytes:
    text = content.decode("utf-8")
    action = rnd.randrange(4)
    if action == 3:
        return _flip(content, rnd)
    tag = ["<table:table-row", "<table:table-cell", "<text:p"][action]
    places = [m.end() for m in re.finditer(re.escape(tag), text)]
    if not places:
        return content
    at = rnd.choice(places)
    count = rnd.choice(COUNTS)
    if tag == "<text:p":
        insert = f'><text:s text:c="{count}"/'
        at = text.index(">", at)
        return (text[:at] + insert + text[at:]).encode("utf-8")
    name = rnd.choice(_ODS_ATTRIBUTES) if tag != "<table:table-row" else _ODS_ATTRIBUTES[0]
    quote = rnd.choice(['"', "'"])
    return (text[:at] + f" {name}={quote}{count}{quote}" + text[at:]).encode("utf-8")


def _xlsx_xml(content: bytes, rnd: random.Random) -> bytes:
    action = rnd.randrange(3)
    if action == 2:
        return _flip(content, rnd)
    far = rnd.choice(["XFD1048576", "ZZZ99999999", "A1048576", "XFD1", "AAA1", "A0", "A-1"])
    if action == 0:
        references = list(re.finditer(rb'r="[A-Z]+[0-9]+"', content))
        if not references:
            return content
        found = rnd.choice(references)
        return content[: found.start()] + f'r="{far}"'.encode() + content[found.end() :]
    return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{far}"'.encode(), content)


def mutants(seeds: dict[str, bytes], count: int, seed: int = 16) -> list[tuple[str, bytes]]:
    """``count`` mutated workbooks, the same every run."""
    rnd = random.Random(seed)
    kinds = sorted(seeds)
    made: list[tuple[str, bytes]] = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        data = seeds[kind]
        generic: list[Callable[[bytes, random.Random], bytes]] = [_flip, _duplicate, _cut]
        if kind == "xls":
            choices = [*generic, _xls_record, _xls_record, _xls_record, _container, _container]
        else:
            choices = [*generic, *[lambda d, r, k=kind: _xml(d, r, k)] * 4]
        for _ in range(rnd.choice([1, 1, 1, 2, 3])):
            if not data:
                break
            with contextlib.suppress(Exception):  # an earlier mutation broke what this one needs
                data = rnd.choice(choices)(data, rnd)
        made.append((kind, data))
    return made


# -- the runner ------------------------------------------------------------------------------


def run_in_children(
    paths: list[Path], *, code: str = _CHILD, per_input_timeout: float = 60.0
) -> list[str]:
    """Read every path in child processes; the failures, each naming its input."""
    failures: list[str] = []
    arguments = [str(path) for path in paths]
    first = 0
    while first < len(paths):
        with (
            tempfile.TemporaryFile("w+") as errors,
            subprocess.Popen(
                [sys.executable, "-c", code, str(first), *arguments],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            ) as child,
        ):
            lines: queue.Queue[str | None] = queue.Queue()

            def pump(stream: IO[str], into: queue.Queue[str | None] = lines) -> None:
                for line in stream:
                    into.put(line)
                into.put(None)

            assert child.stdout is not None
            threading.Thread(target=pump, args=(child.stdout,), daemon=True).start()
            current, hung = first - 1, False
            while True:
                try:
                    line = lines.get(timeout=per_input_timeout)
                except queue.Empty:
                    child.kill()
                    hung = True
                    break
                if line is None:
                    break
                word, index, *rest = line.split(maxsplit=2)
                current = int(index)
                if word == "wrong":
                    failures.append(f"{paths[current].name}: {' '.join(rest).strip()}")
            child.wait()
            errors.seek(0)
            stderr = errors.read()
        if child.returncode == 0:
            break
        why = f"no answer in {per_input_timeout} s" if hung else f"exit {child.returncode}"
        failures.append(f"{paths[current].name}: the child died ({why}): {stderr[:400]}")
        first = current + 1
    return failures


def _write(tmp_path: Path, made: list[tuple[str, bytes]]) -> list[Path]:
    paths = []
    for index, (kind, data) in enumerate(made):
        path = tmp_path / f"mutant-{index:05d}.{kind}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_the_runner_names_an_input_that_kills_the_child(tmp_path: Path) -> None:
    """A test that cannot fail is no test: an aborting input must be caught and named."""
    code = _CHILD.replace(
        "read_table(paths[index])",
        "read_table(paths[index]) if 'kill' not in paths[index] else __import__('os').abort()",
    )
    good = tmp_path / "a.csv"
    good.write_bytes(b"id;naam\n1;a\n")
    bad = tmp_path / "kill.csv"
    bad.write_bytes(b"x")
    failures = run_in_children([good, bad, good], code=code)
    assert len(failures) == 1
    assert failures[0].startswith("kill.csv: the child died (exit -6)")


def test_mutated_workbooks_fail_only_as_reader_errors(
    tmp_path: Path, make_xls: Builder, make_xlsx: Builder, make_ods: Builder
) -> None:
    made = mutants(_seeds(make_xls, make_xlsx, make_ods), SMALL)
    failures = run_in_children(_write(tmp_path, made))
    assert not failures, "\n".join(failures)


@pytest.mark.fuzz
def test_many_mutated_workbooks_fail_only_as_reader_errors(
    tmp_path: Path, make_xls: Builder, make_xlsx: Builder, make_ods: Builder
) -> None:
    count = int(os.environ.get("EDUKOPPEL_FUZZ", "5000"))
    made = mutants(_seeds(make_xls, make_xlsx, make_ods), count, seed=5000)
    failures = run_in_children(_write(tmp_path, made))
    assert not failures, f"{len(failures)} of {count}:\n" + "\n".join(failures[:50])
