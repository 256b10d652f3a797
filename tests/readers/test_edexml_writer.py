"""The EDEXML writer: valid against the official XSD, and read(write(r)) == r."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from lxml import etree

import edukoppel as ek
from edukoppel.testing import strategies as eks

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = next(
    (
        folder / "shared" / "edexml-samples"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "edexml-samples").is_dir()
    ),
    ROOT.parent / "shared" / "edexml-samples",
)
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/ is not there")
_SCHOOL_YEARS = re.compile(
    r'(<xs:simpleType name="EDEXSchooljaarType">\s*<xs:restriction base="xs:string">)'
    r".*?(</xs:restriction>)",
    re.DOTALL,
)


def official_schema(version: str) -> Any:
    """The official XSD of ``version``, its schooljaar enumeration relaxed to any YYYY-YYYY.

    Reference P1: the enumeration ends at 2024-2025, so every current file is invalid against
    the stock schema. The patch is made in memory; the schema files are read where they are.
    """
    folder = SAMPLES / f"edexml-{version}"

    class Relaxed(etree.Resolver):  # type: ignore[misc]
        def resolve(self, url: str, _public: object, context: object) -> Any:
            name = url.rsplit("/", 1)[-1]
            text = (folder / name).read_text(encoding="utf-8")
            if name == "EDEXML.types.variabel.xsd":
                text, count = _SCHOOL_YEARS.subn(
                    r'\1<xs:pattern value="[0-9]{4}-[0-9]{4}"/>\2', text
                )
                assert 1 == count
            return self.resolve_string(text, context)

    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    parser.resolvers.add(Relaxed())
    return etree.XMLSchema(etree.parse(str(folder / "EDEXML.structuur.xsd"), parser))


@pytest.fixture(scope="module")
def schema_21() -> Any:
    return official_schema("2.1")


def written(roster: ek.Roster, **options: Any) -> bytes:
    out = io.BytesIO()
    ek.write_edexml(roster, out, **options)
    return out.getvalue()


def assert_valid(schema: Any, data: bytes) -> None:
    document = etree.fromstring(data)
    if not schema.validate(document):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        raise AssertionError(f"not valid EDEXML:\n{errors}\n{data.decode()[:2000]}")


@needs_samples
def test_the_relaxed_schema_still_refuses_what_the_standard_refuses(schema_21: Any) -> None:
    """The patched schema is a real check: an empty element and a bad year code fail."""
    good = (SAMPLES / "edexml-2.1" / "EDEXML.Voorbeeld.2.1.xml").read_bytes()
    assert_valid(schema_21, good.replace(b"2014-2015", b"2025-2026"))
    assert not schema_21.validate(
        etree.fromstring(good.replace(b"<jaargroep>4<", b"<jaargroep>9<"))
    )
    assert not schema_21.validate(etree.fromstring(good.replace(b"<naam>4A</naam>", b"<naam/>")))


@needs_samples
@given(roster=eks.edexml_rosters())
def test_written_files_validate_and_read_back_equal(roster: ek.Roster) -> None:
    """read(write(r)) == r, and every written file validates against the official 2.1 XSD."""
    schema = official_schema("2.1")
    data = written(roster)
    assert_valid(schema, data)
    assert roster == ek.read_edexml(data).roster


@given(roster=eks.edexml_rosters())
def test_round_trip_without_the_schema(roster: ek.Roster) -> None:
    """read(write(r)) == r, also where ../shared/ is absent."""
    result = ek.read_edexml(written(roster))
    assert roster == result.roster
    assert result.report.valid


@needs_samples
@given(roster=eks.edexml_rosters(max_students=4))
def test_20_mode_validates_against_the_20_schema(roster: ek.Roster) -> None:
    """version="2.0": no eckid, no TAL code, valid against the official 2.0 XSD."""
    data = written(roster, version="2.0")
    assert_valid(official_schema("2.0"), data)
    assert b"eckid" not in data
    assert b"<rol>TAL</rol>" not in data


@needs_samples
def test_a_roster_from_a_table_is_written_validly(schema_21: Any) -> None:
    """A roster read from a CSV export (no BRIN6, groups without a year) writes valid EDEXML."""
    export = (
        "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Klas;Geslacht\n"
        "00123;Daan;van den;Berg;1HA;M\n00124;Zoë;;Çelik;1HB;V\n"
    )
    roster = ek.read(export.encode(), name="leerlingen.csv").roster.evolve(
        school=ek.School(brin="99ZX", school_year="2025-2026")
    )
    data = written(roster)
    assert_valid(schema_21, data)
    again = ek.read_edexml(data).roster
    assert "Daan van den Berg" == again.students["00123"].display_name
    assert "1HA" == again.students["00123"].homeroom


def _roster(**changes: Any) -> ek.Roster:
    arguments: dict[str, Any] = {
        "school": ek.School(brin="99ZX", school_year="2025-2026"),
        "students": [ek.Student(key="1", last_name="Berg")],
    }
    arguments.update(changes)
    return ek.Roster(**arguments)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"students": []}, "at least one pupil"),
        ({"school": None}, "requires a school year"),
        ({"students": [ek.Student(key="1", initials="D")]}, "achternaam or a roepnaam"),
        ({"students": [ek.Student(key="1", last_name="B"), ek.Student(key="1")]}, "duplicate"),
        ({"students": [ek.Student(key="1", last_name="B", homeroom="1A")]}, "refers to '1A'"),
        ({"students": [ek.Student(key="1", last_name="B", infix="x" * 11)]}, "infix is longer"),
        ({"students": [ek.Student(key="1", last_name="B", year="17")]}, "jaargroep"),
    ],
)
def test_what_edexml_cannot_hold_is_refused_before_writing(
    changes: dict[str, Any], message: str, tmp_path: Path
) -> None:
    """A clear ValueError, and no file left behind."""
    path = tmp_path / "out.xml"
    with pytest.raises(ValueError, match=message):
        ek.write_edexml(_roster(**changes), path)
    assert not path.exists()


def test_long_keys_are_refused_in_20_mode() -> None:
    """Keys over 64 characters are EDEXML 2.1 only."""
    roster = _roster(students=[ek.Student(key="k" * 65, last_name="Berg")])
    written(roster)
    with pytest.raises(ValueError, match="longer than 64"):
        written(roster, version="2.0")


def test_sector_decides_how_years_are_written() -> None:
    """VO leerjaar 2 is jaargroep 12; in a PO file it stays groep 2."""
    roster = _roster(students=[ek.Student(key="1", last_name="Berg", year="2")])
    assert b"<jaargroep>12</jaargroep>" in written(roster)
    assert b"<jaargroep>2</jaargroep>" in written(roster, sector="po")


def test_writes_to_a_path(tmp_path: Path) -> None:
    """A path gets a UTF-8 file with the XML declaration."""
    path = tmp_path / "EDEX.XML"
    ek.write_edexml(_roster(), path)
    assert path.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Berg" == ek.read(path).roster.students["1"].last_name
