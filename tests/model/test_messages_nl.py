"""The model's refusals in Dutch: every text comes from the catalog, in both languages."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

import edukoppel as ek
from edukoppel.model import _records, _roster, _values

MODEL = Path(ek.__file__).parent / "model"
MODEL_MESSAGES = Path(ek.__file__).parent / "messages" / "model.toml"


def _refusal(make: Callable[[], object]) -> ek.InvalidValueError:
    with pytest.raises(ek.InvalidValueError) as caught:
        make()
    return caught.value


def test_a_day_that_does_not_exist_is_refused_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.Student(key="00123", birth_date="31-02-2010"))
        assert str(error) == (
            "leerling '00123', veld 'birth_date': verwacht een datum "
            "(JJJJ-MM-DD, DD-MM-JJJJ, DD/MM/JJJJ of JJJJMMDD) (die dag bestaat niet)"
        )
        assert error.detail == "die dag bestaat niet"
        assert error.message_in("en") == (
            "student '00123', field 'birth_date': expected a date "
            "(YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY or YYYYMMDD) (that day does not exist)"
        )


def test_a_date_in_another_layout_is_refused_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.Student(key="00123", birth_date="28 februari 2010"))
        assert error.expected == "een datum (JJJJ-MM-DD, DD-MM-JJJJ, DD/MM/JJJJ of JJJJMMDD)"
        assert error.detail == ""


def test_an_identifier_given_as_a_number_is_refused_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.Student(key="00123", student_number=123))
        assert str(error) == (
            "leerling '00123', veld 'student_number': verwacht een id als tekst "
            "(voorloopnullen zijn gegevens: '00123') (ontvangen: int)"
        )
        assert error.message_in("en") == (
            "student '00123', field 'student_number': expected an identifier as a string "
            "(leading zeros are data: '00123') (got int)"
        )


def test_an_identifier_a_spreadsheet_made_a_number_of_is_refused_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.Student(key="1.23E+11"))
        assert str(error).startswith("leerling '1.23E+11', veld 'key': verwacht een id als tekst")
        assert "spreadsheetprogramma" in error.detail
        assert "exporteer de kolom als tekst" in error.detail
        assert "export the column as text" in error.message_in("en")


def test_a_bad_email_is_refused_in_dutch_without_the_address() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.Student(key="00123", email="daan.berg.school.nl"))
        assert str(error) == (
            "leerling '00123', veld 'email': verwacht een e-mailadres zoals naam@school.nl"
        )
        assert "daan" not in str(error)
        assert "daan" not in error.message_in("en")
        assert error.message_in("en").endswith("expected an e-mail address like name@school.nl")


def test_a_bad_brin_is_refused_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.School(brin="9ZX"))
        assert str(error) == "school, veld 'brin': verwacht een BRIN4-code zoals 99ZX"
        hinted = _refusal(lambda: ek.School(brin="99ZX10"))
        assert "BRIN6-code met een vestigingsnummer" in str(hinted)
        assert "the school is its first 4" in hinted.message_in("en")
        location = _refusal(lambda: ek.Location(key="L1", brin6="99ZX"))
        assert str(location).startswith("vestiging 'L1', veld 'brin6': verwacht een BRIN6-code")


def test_an_unknown_group_kind_is_refused_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.Group(key="1HA", kind="werkgroep"))
        assert str(error) == (
            "groep '1HA', veld 'kind': verwacht een van de volgende: homeroom (stamgroep, klas, "
            "basisgroep); teaching (lesgroep, cluster, clustergroep); composite "
            "(samengestelde groep, samengesteld)"
        )
        assert error.message_in("en").startswith("group '1HA', field 'kind': expected one of ")


def test_records_of_a_kind_the_roster_does_not_provide_are_refused_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(
            lambda: ek.Roster(
                groups=[ek.Group(key="1HA")],
                students=[ek.Student(key="00123")],
                provides={"student": None},
            )
        )
        assert str(error).startswith(
            "roster, veld 'provides': verwacht dat elke soort met records ook geleverd wordt"
        )
        assert "1 groep meegegeven" in str(error)
        assert "add 'group': None" in error.message_in("en")


def test_a_roster_refusal_of_its_own_arguments_is_dutch() -> None:
    with ek.use_language("nl"):
        unknown = _refusal(lambda: ek.Roster(students=[], provides={"student": ["bsn"]}))
        assert unknown.detail == "onbekend: bsn"
        assert unknown.expected.startswith("velden van een leerling (key, student_number, ")
        places = _refusal(
            lambda: ek.Roster(students=[ek.Student(key="1")], provenance={"student": [4, 9]})
        )
        assert places.detail == "2 plaatsen voor 1 record"
        assert places.message_in("en").endswith(
            "expected one place per student record (2 places for 1 record)"
        )
        wrong = _refusal(lambda: ek.Roster(staff=[ek.Student(key="1")]))  # type: ignore[list-item]
        assert str(wrong) == (
            "roster, veld 'staff': verwacht records van het type Staff (ontvangen: Student)"
        )


def test_a_refused_link_keeps_the_links_own_message_in_either_language() -> None:
    """The part of a link that is wrong is said in the language it is shown in, not made."""
    error = _refusal(lambda: ek.Guardian(key="v7", students=[(123, "moeder")]))
    assert error.message_in("nl") == (
        "ouder/verzorger 'v7', veld 'students': verwacht een id als tekst "
        "(voorloopnullen zijn gegevens: '00123') (in veld 'student')"
    )
    assert error.message_in("en").endswith("(leading zeros are data: '00123') (in 'student')")


def test_from_dict_and_evolve_refuse_an_unknown_field_in_dutch() -> None:
    with ek.use_language("nl"):
        error = _refusal(lambda: ek.Student(key="00123").evolve(bsn="123456782"))
        assert error.expected.startswith("een veld van een leerling (key, student_number, ")
        assert "123456782" not in str(error)
        missing = _refusal(lambda: ek.Staff.from_dict({"last_name": "Jansen"}))
        assert str(missing) == "medewerker, veld 'key': verwacht een id dat niet leeg is"


def test_set_language_makes_every_refusal_dutch() -> None:
    ek.set_language("nl")
    try:
        error = _refusal(lambda: ek.GuardianLink("00123", receives_mail="misschien"))
        assert str(error) == (
            "koppeling ouder-leerling, veld 'receives_mail': verwacht ja of nee "
            "(ja/nee, true/false, 1/0)"
        )
    finally:
        ek.set_language("en")
    assert str(error).endswith("expected yes or no (ja/nee, true/false, 1/0)")


def test_valid_values_make_no_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Converters run for every record: a value that passes must not build a message."""

    def no_message(*args: object, **kwargs: object) -> None:
        raise AssertionError("a message was made for a valid value")

    for module in (_values, _records, _roster):
        monkeypatch.setattr(module, "msg", no_message)
    student = ek.Student(
        key="00123",
        student_number="4567",
        email="Daan@School.nl",
        birth_date="04-03-2013",
        gender="M",
        groups=["1HA", "1HA.wi"],
        archived=0,
    )
    roster = ek.Roster(
        school=ek.School(brin="99zx", school_year="2025/2026", reference_date="2025-10-01"),
        locations=[ek.Location(key="99ZX10", brin6="99zx10")],
        groups=[ek.Group(key="1HA", kind="stamgroep")],
        students=[student, student.evolve(key="00124")],
        staff=[ek.Staff(key="m1", groups=[("1HA", "mentor")])],
        guardians=[ek.Guardian(key="v7", students=[("00123", "moeder", "ja", "nee")])],
        provides=dict.fromkeys(ek.ENTITY_KINDS) | {"student": ["email"]},
        provenance={"student": [2, 3]},
        scope=ek.Scope(locations={"99ZX10"}),
    )
    assert ek.Student.from_dict(student.to_dict()) == student
    assert len(roster.students) == 2


def test_every_model_message_is_used_by_the_model() -> None:
    ids = tomllib.loads(MODEL_MESSAGES.read_text(encoding="utf-8"))
    code = "\n".join(path.read_text(encoding="utf-8") for path in MODEL.glob("*.py"))
    used = set(re.findall(r"""\bmsg\(\s*["']([^"']+)["']""", code))
    assert sorted(set(ids) - used) == []
