"""Validation and normalisation of single values at the model boundary."""

from __future__ import annotations

import datetime as dt

import pytest

import edukoppel as ek

# -- identifiers ------------------------------------------------------------------------------


def test_identifier_keeps_leading_zeros_and_is_stripped() -> None:
    """An identifier stays a string: surrounding spaces go, leading zeros stay."""
    student = ek.Student(key=" 00123 ", student_number="0042", eckid=" 0099 ")

    assert ("00123", "0042", "0099") == (student.key, student.student_number, student.eckid)


def test_identifier_text_that_is_not_a_number_is_kept() -> None:
    """Identifiers with letters, dots or dashes that are not damaged numbers are kept as is."""
    student = ek.Student(key="2025.001-A", student_number="ab.12")

    assert ("2025.001-A", "ab.12") == (student.key, student.student_number)


@pytest.mark.parametrize("value", [123, 123.0, 1.23e11, True])
def test_identifier_given_as_a_number_is_refused(value: object) -> None:
    """An int, float or bool key is refused: its leading zeros may already be gone."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key=value)

    assert ("student", "key") == (caught.value.entity, caught.value.field)
    assert "string" in caught.value.expected
    assert "leading zeros" in str(caught.value)


def test_optional_identifier_given_as_a_number_names_the_record() -> None:
    """A numeric student_number is refused with the record's key and the field in the error."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="00123", student_number=42)

    error = caught.value
    assert ("student", "00123", "student_number") == (error.entity, error.key, error.field)
    assert "got int" in str(error)


@pytest.mark.parametrize("value", ["1.23E+11", "1,23E+11", "1.23e11", "123.0", "00123.00", "4E5"])
def test_identifier_damaged_by_a_spreadsheet_is_refused(value: str) -> None:
    """Scientific notation and a trailing .0 are damage to report, not identifiers to keep."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="00123", student_number=value)

    assert "student_number" == caught.value.field
    assert "spreadsheet" in caught.value.detail
    assert "export the column as text" in str(caught.value)


def test_damaged_key_is_refused() -> None:
    """A damaged key itself is refused as damage, not kept as a key."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="1.23E+11")

    assert ("student", "key") == (caught.value.entity, caught.value.field)
    assert "spreadsheet" in caught.value.detail


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_key_is_refused(value: object) -> None:
    """Every record needs a non-empty key."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key=value)

    assert "a non-empty identifier" == caught.value.expected


def test_empty_optional_values_become_none() -> None:
    """Blank text, identifiers, e-mails and dates are no value (None), not an empty string."""
    student = ek.Student(
        key="1", student_number="  ", email="", first_name=" ", birth_date="", gender=" "
    )

    expected = (None, None, None, None, None)
    actual = (
        student.student_number,
        student.email,
        student.first_name,
        student.birth_date,
        student.gender,
    )
    assert expected == actual


def test_text_is_stripped() -> None:
    """Free text loses surrounding whitespace and keeps inner spaces."""
    student = ek.Student(key="1", first_name="  Daan ", infix=" van der ", last_name="Berg\t")

    assert ("Daan", "van der", "Berg") == (student.first_name, student.infix, student.last_name)


def test_text_given_as_a_number_is_refused() -> None:
    """A name given as a number is refused, naming the field and the type."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="1", first_name=7)

    assert ("first_name", "got int") == (caught.value.field, caught.value.detail)


def test_invalid_value_error_is_a_value_error_and_an_edukoppel_error() -> None:
    """Callers can catch a model error as ValueError or as EdukoppelError."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key=1)

    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, ek.EdukoppelError)


# -- personal data stays out of error messages ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", "31-02-2010"),
        ("birth_date", "geboren 12 mei 2010"),
        ("email", "daan.berg@@school"),
        ("gender", "zeg ik niet"),
    ],
)
def test_error_does_not_repeat_a_personal_value(field: str, value: str) -> None:
    """The error names entity, key, field and what was expected, but not the personal value."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="001", **{field: value})

    message = str(caught.value)
    assert message.startswith(f"student '001', field {field!r}: expected ")
    assert value not in message
    assert value not in repr(caught.value.args)


# -- e-mail -----------------------------------------------------------------------------------


def test_email_is_lower_cased_and_stripped() -> None:
    """E-mail addresses are compared without case, so they are stored lower-cased."""
    student = ek.Student(key="1", email="  Daan.Berg@School.NL ")

    assert "daan.berg@school.nl" == student.email


@pytest.mark.parametrize("value", ["daan", "daan@school", "daan berg@school.nl", "@school.nl"])
def test_invalid_email_is_refused(value: str) -> None:
    """Text that is not an e-mail address is refused, saying what an address looks like."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Staff(key="m1", email=value)

    assert ("staff", "m1", "email") == (caught.value.entity, caught.value.key, caught.value.field)
    assert "name@school.nl" in caught.value.expected


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2011, 3, 4),
        dt.datetime(2011, 3, 4, 13, 45),
        "2011-03-04",
        "04-03-2011",
        "04/03/2011",
        "4-3-2011",
        " 04-03-2011 ",
        "2011/03/04",
        "2011-03-04 13:45",
        "2011-03-04T00:00:00Z",
        "20110304",
    ],
)
def test_date_is_read_from_dates_and_dutch_or_iso_text(value: object) -> None:
    """Dates come from date, datetime, ISO text, DD-MM-YYYY, DD/MM/YYYY and YYYYMMDD."""
    student = ek.Student(key="1", birth_date=value)

    assert dt.date(2011, 3, 4) == student.birth_date
    assert type(student.birth_date) is dt.date


@pytest.mark.parametrize("value", ["2011-02-30", "31-04-2011", "29/02/2011", "00-01-2011"])
def test_impossible_date_is_refused(value: str) -> None:
    """A day that does not exist is refused as such."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="1", start_date=value)

    assert ("start_date", "that day does not exist") == (caught.value.field, caught.value.detail)


@pytest.mark.parametrize("value", ["4 maart 2011", "2011/3/4", "04032011", "21110304", "03-2011"])
def test_unreadable_date_is_refused(value: str) -> None:
    """Text in no supported date format is refused, listing the accepted formats."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="1", end_date=value)

    assert "end_date" == caught.value.field
    assert "YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY or YYYYMMDD" in caught.value.expected


def test_date_given_as_a_number_is_refused() -> None:
    """A spreadsheet serial number is not a date."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Student(key="1", birth_date=40606)

    assert "birth_date" == caught.value.field


# -- gender -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("M", "male"),
        ("V", "female"),
        ("X", "other"),
        ("m", "male"),
        ("v", "female"),
        ("man", "male"),
        ("vrouw", "female"),
        ("jongen", "male"),
        ("meisje", "female"),
        ("0", "unknown"),
        ("1", "male"),
        ("2", "female"),
        ("9", "unknown"),
        (0, "unknown"),
        (1, "male"),
        (2, "female"),
        (9, "unknown"),
        ("MAN", "male"),
        ("VROUW", "female"),
        ("ONBEKEND", "unknown"),
        ("male", "male"),
        ("female", "female"),
        ("other", "other"),
        ("unknown", "unknown"),
        ("W", "female"),
        ("D", "other"),
        ("weiblich", "female"),
        ("Männlich", "male"),
        ("divers", "other"),
        ("Mädchen", "female"),
        ("Herr", "male"),
        ("fille", "female"),
        ("M.", "male"),
        ("MME", "female"),
        ("Mlle", "female"),
        ("K", "female"),
        ("jente", "female"),
        ("Gutt", "male"),
        ("flicka", "female"),
        ("pige", "female"),
        ("tyttö", "female"),
        ("maschio", "male"),
        ("femenino", "female"),
        ("kobieta", "female"),
        ("Not known", "unknown"),
        ("NOT_SPECIFIED", "unknown"),
        ("Gender X", "other"),
    ],
)
def test_gender_codes_of_every_source(value: object, expected: str) -> None:
    """M/V/X, man/vrouw, jongen/meisje, EDEXML 0/1/2/9, Somtoday MAN/VROUW, German m/w/d.

    And the words of French (garçon/fille, a civilité), Nordic (K, jente/gutt), Italian, Spanish and
    Polish exports, and English ones' longer words.
    """
    assert expected == ek.Student(key="1", gender=value).gender


@pytest.mark.parametrize("value", ["Q", "3", 3, "mannelijk?", "H", "G", "mujeres"])
def test_unknown_gender_code_is_refused(value: object) -> None:
    """An unknown code is refused and the accepted codes are listed."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Guardian(key="v1", gender=value)

    assert ("guardian", "v1", "gender") == (
        caught.value.entity,
        caught.value.key,
        caught.value.field,
    )
    assert "man/vrouw" in caught.value.expected
    assert "M" in caught.value.expected


# -- BRIN and school year ---------------------------------------------------------------------


def test_brin4_is_upper_cased() -> None:
    """A BRIN4 is two digits and two letters or digits, stored upper-cased."""
    assert "99ZX" == ek.School(brin=" 99zx ").brin


def test_brin6_given_as_brin4_gets_a_hint() -> None:
    """A BRIN6 where a BRIN4 belongs is refused with a hint that the school is its first 4."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.School(brin="99ZX10")

    assert ("school", None, "brin") == (caught.value.entity, caught.value.key, caught.value.field)
    assert "BRIN4" in caught.value.expected
    assert "BRIN6" in caught.value.expected
    assert "first 4" in caught.value.expected


@pytest.mark.parametrize("value", ["9ZX", "99ZXY", "ZX99", "99-ZX"])
def test_malformed_brin4_is_refused_without_a_brin6_hint(value: str) -> None:
    """Malformed BRIN4 codes are refused, and the BRIN6 hint is only given for a BRIN6."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.School(brin=value)

    assert "a BRIN4 code like 99ZX" == caught.value.expected


def test_brin6_is_upper_cased() -> None:
    """A location's BRIN6 is a BRIN4 plus a two-digit location number, upper-cased."""
    assert "99ZX10" == ek.Location(key="99ZX10", brin6="99zx10").brin6


@pytest.mark.parametrize("value", ["99ZX", "99ZX1", "99ZXAB", "99ZX100"])
def test_malformed_brin6_is_refused(value: str) -> None:
    """A BRIN6 must be exactly a BRIN4 and two digits."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Location(key="L1", brin6=value)

    assert ("location", "L1", "brin6") == (
        caught.value.entity,
        caught.value.key,
        caught.value.field,
    )
    assert "99ZX10" in caught.value.expected


@pytest.mark.parametrize("value", ["2025-2026", "2025/2026", " 2025 / 2026 ", "2025 - 2026"])
def test_school_year_is_normalised(value: str) -> None:
    """School years are written YYYY-YYYY, whether given with a dash or a slash."""
    assert "2025-2026" == ek.School(school_year=value).school_year


@pytest.mark.parametrize("value", ["2025-2027", "2026-2025", "2025-2025", "2025", "25-26"])
def test_school_year_that_is_not_two_consecutive_years_is_refused(value: str) -> None:
    """The second year must follow the first."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.Group(key="1HA", school_year=value)

    assert ("group", "1HA", "school_year") == (
        caught.value.entity,
        caught.value.key,
        caught.value.field,
    )
    assert "a school year like 2025-2026" == caught.value.expected


def test_school_reference_date_is_a_date() -> None:
    """The school's peildatum is read like any other date."""
    assert dt.date(2025, 10, 1) == ek.School(reference_date="01-10-2025").reference_date


# -- yes/no in links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ja", True),
        ("Nee", False),
        ("J", True),
        ("n", False),
        ("yes", True),
        ("no", False),
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("waar", True),
        ("onwaar", False),
        (True, True),
        (False, False),
        (None, None),
        ("", None),
    ],
)
def test_yes_no_values(value: object, expected: bool | None) -> None:
    """Yes/no flags read Dutch and English words and 1/0."""
    assert expected == ek.GuardianLink("001", receives_mail=value).receives_mail


def test_unknown_yes_no_value_is_refused() -> None:
    """A word that is neither yes nor no is refused."""
    with pytest.raises(ek.InvalidValueError) as caught:
        ek.GuardianLink("001", legal_authority="misschien")

    assert ("guardian link", "legal_authority") == (caught.value.entity, caught.value.field)
    assert "ja/nee" in caught.value.expected
