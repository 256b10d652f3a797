"""match_columns(): scored, explained, one-to-one, and never sure where it should not be."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.mapping._catalogue import Catalogue, Target
from edukoppel.mapping._match import ACCEPT_KEY, match_columns
from edukoppel.mapping._normalise import normalise
from edukoppel.readers import Table

PUPILS = {
    "Leerlingnummer": ["00123", "00124", "00125", "00126", "00127", "00128"],
    "Roepnaam": ["Daan", "Zoë", "Noah", "Sem", "Fleur", "Anaïs"],
    "Tussenv.": ["van der", "", "", "de", "", "in 't"],
    "Achternaam": ["Berg", "Çelik", "Bakker", "Vries", "Visser", "Veld"],
    "E-mailadres": [f"l{n}@leerling.voorbeeld.nl" for n in range(6)],
    "Klas": ["1HA", "1HA", "1HB", "2VA", "2VA", "1HB"],
    "Geboortedatum": ["04-03-2012", "11-12-2011", "01-01-2012", "30-06-2011", "", "2-2-2012"],
}


def _table(columns: dict[str, list[str]]) -> Table:
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    return Table.from_rows(names, rows)


def test_a_pupil_export_maps_with_evidence(small: Catalogue) -> None:
    mapping = match_columns(_table(PUPILS), catalogue_=small)

    assert mapping.targets == {
        "Leerlingnummer": "student.key",
        "Roepnaam": "student.first_name",
        "Tussenv.": "student.infix",
        "Achternaam": "student.last_name",
        "E-mailadres": "student.email",
        "Klas": "student.homeroom",
        "Geboortedatum": "student.birth_date",
    }
    assert mapping.missing == ()
    key = mapping["Leerlingnummer"]
    assert key.confidence == 1.0
    assert key.evidence[0] == "exact alias 'Leerlingnummer'"
    assert mapping["Tussenv."].evidence[0] == "normalised alias 'Tussenv'"
    assert "values fit email" in mapping["E-mailadres"].evidence
    assert "Leerlingnummer" in str(mapping)
    frame = mapping.to_polars()
    assert frame.columns == ["column", "target", "confidence", "evidence", "suggestions"]


def test_a_consent_column_is_not_the_email(small: Catalogue) -> None:
    """The worst guess in the field: "E-mail toestemming" (ja/nee) mapped to e-mail."""
    table = _table({**PUPILS, "E-mail toestemming": ["ja", "nee", "ja", "ja", "nee", "ja"]})

    mapping = match_columns(table, catalogue_=small)

    assert mapping["E-mail toestemming"].target is None
    assert mapping.targets["E-mailadres"] == "student.email"


def test_numbered_guardian_columns_are_guardians_one_and_two(small: Catalogue) -> None:
    table = _table(
        {
            **PUPILS,
            "E-mailadres ouder/verzorger 1": [f"o{n}@example.nl" for n in range(6)],
            "E-mailadres ouder/verzorger 2": [f"p{n}@example.nl" for n in range(6)],
        }
    )

    mapping = match_columns(table, catalogue_=small)

    assert mapping.targets["E-mailadres ouder/verzorger 1"] == "guardian[1].email"
    assert mapping.targets["E-mailadres ouder/verzorger 2"] == "guardian[2].email"
    assert mapping.targets["E-mailadres"] == "student.email"


def test_one_field_gets_one_column_unless_it_is_multi(small: Catalogue) -> None:
    table = _table(
        {
            "Leerlingnummer": ["1", "2", "3"],
            "Achternaam": ["Berg", "Bakker", "Visser"],
            "Klas": ["1HA", "1HB", "1HA"],
            "Stamgroep": ["1HA", "1HB", "1HA"],
            "Lesgroep 1": ["1HA.wi", "1HB.wi", "1HA.wi"],
            "Lesgroep 2": ["1HA.en", "1HB.en", "1HA.en"],
        }
    )

    mapping = match_columns(table, catalogue_=small)

    # Two columns as sure to be the homeroom: neither is picked by its name, both are left
    # for the user, with the field as the best suggestion.
    homerooms = [m.column for m in mapping if m.target == "student.homeroom"]
    assert homerooms == []
    assert mapping["Klas"].evidence[0].startswith("a tie on student.homeroom")
    assert mapping["Stamgroep"].evidence == mapping["Klas"].evidence
    assert any("student.homeroom" in note for note in mapping.notes)
    assert mapping.targets["Lesgroep 1"] == mapping.targets["Lesgroep 2"] == "student.groups"
    surer = match_columns(
        _table({"Leerlingnummer": ["1", "2"], "Klas": ["1A", "1B"], "Stamgroepen": ["1A", "1B"]}),
        catalogue_=small,
    )
    assert surer.targets["Klas"] == "student.homeroom"
    assert "went to another column" in surer["Stamgroepen"].evidence[0]


def test_the_key_needs_near_certainty(small: Catalogue) -> None:
    """A header that only looks like a key alias leaves the key unmapped, with a suggestion."""
    table = _table({"Leerlingnumer": ["1", "2", "3"], "Achternaam": ["A", "B", "C"]})

    mapping = match_columns(table, catalogue_=small)

    match = mapping["Leerlingnumer"]
    assert match.target is None
    assert match.candidates[0].target == "student.key"
    assert match.confidence < ACCEPT_KEY
    assert mapping.missing == ("student.key",)


def test_values_that_contradict_the_field_veto_it(small: Catalogue) -> None:
    """A "Geboortedatum" column of e-mail addresses is not a birth date."""
    table = _table(
        {
            "Leerlingnummer": ["1", "2", "3"],
            "Achternaam": ["A", "B", "C"],
            "Geboortedatum": ["a@b.nl", "c@d.nl", "e@f.nl"],
        }
    )

    match = match_columns(table, catalogue_=small)["Geboortedatum"]

    assert match.target is None
    assert "values do not look like date" in match.candidates[0].evidence


def test_a_column_nobody_names_gets_value_suggestions(small: Catalogue) -> None:
    table = _table({"Leerlingnummer": ["1", "2"], "Kolom7": ["a@b.nl", "c@d.nl"]})

    match = match_columns(table, catalogue_=small)["Kolom7"]

    assert match.target is None
    assert match.candidates[0].target == "student.email"
    assert "look like email" in match.candidates[0].evidence[0]


def test_overrides_win_and_take_the_field_from_other_columns(small: Catalogue) -> None:
    mapping = match_columns(
        _table(PUPILS),
        overrides={"Roepnaam": "student.last_name", "Achternaam": None},
        catalogue_=small,
    )

    assert mapping.targets["Roepnaam"] == "student.last_name"
    assert "Achternaam" not in mapping.targets
    assert mapping["Roepnaam"].evidence == ("set by hand",)
    with pytest.raises(ek.ColumnNotFoundError):
        mapping.with_overrides({"Bestaat niet": None}, catalogue_=small)
    with pytest.raises(ek.EdukoppelError, match="not a field"):
        mapping.with_overrides({"Klas": "student.klas"}, catalogue_=small)


def test_a_file_without_a_key_column_is_fine_with_a_username(small: Catalogue) -> None:
    """Numo's inleesbestand has no id: the username stands in, so the key is not missing."""
    table = _table({"Achternaam": ["Berg"], "Roepnaam": ["Daan"], "Gebruikersnaam": ["daan.berg"]})

    assert match_columns(table, catalogue_=small).missing == ()


def test_required_fields_left_unmapped_are_listed(small: Catalogue) -> None:
    table = _table({"Roepnaam": ["Daan"], "Klas": ["1HA"]})

    assert match_columns(table, catalogue_=small).missing == (
        "student.key",
        "student.last_name",
    )


@pytest.mark.parametrize(
    ("header", "compact", "number"),
    [
        ("E-mailadres ouder/verzorger 2", "emailadresouderverzorger", 2),
        ("[EMAIL]", "email", None),
        ("stamnr_str", "stamnr", None),
        ("Ouder1 e-mail", "ouderemail", 1),
        ("BRIN6", "brin6", None),
        ("Achternaam *", "achternaam", None),
        ("Geboortedatum (dd-mm-jjjj)", "geboortedatum", None),
        ("Leerling.Achternaam", "leerlingachternaam", None),
    ],
)
def test_headers_are_normalised(header: str, compact: str, number: int | None) -> None:
    normalised = normalise(header)
    assert (normalised.compact, normalised.number) == (compact, number)


def test_targets_parse_and_print() -> None:
    assert str(Target.parse("guardian[2].email")) == "guardian[2].email"
    with pytest.raises(ValueError, match="not a field target"):
        Target.parse("leerling.naam")


def _accented(text: str, flags: list[bool]) -> str:
    """Put an accent on some vowels (a header written by a system that adds them)."""
    out = []
    for char, flag in zip(text, flags + [False] * len(text), strict=False):
        accented = flag and char in "aeiou"
        out.append(unicodedata.normalize("NFC", char + "\u0301") if accented else char)
    return "".join(out)


@given(
    order=st.permutations(list(PUPILS)),
    cases=st.lists(st.sampled_from(["lower", "upper", "title", "same"]), min_size=7, max_size=7),
    accents=st.lists(st.booleans(), min_size=20, max_size=20),
)
def test_order_case_and_accents_do_not_change_the_mapping(
    order: list[str], cases: list[str], accents: list[bool]
) -> None:
    """Any permutation, case change or accent change of a known header set maps the same."""
    from tests.mapping.conftest import SMALL

    small = Catalogue.from_toml(SMALL)
    expected = match_columns(_table(PUPILS), catalogue_=small).targets
    renamed: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, case in zip(order, cases, strict=True):
        changed = {"lower": name.lower(), "upper": name.upper(), "title": name.title()}.get(
            case, name
        )
        changed = _accented(changed, accents)
        renamed[changed] = PUPILS[name]
        names[changed] = name
    mapping = match_columns(_table(renamed), catalogue_=small)
    assert {names[column]: target for column, target in mapping.targets.items()} == expected


def test_a_host_declares_its_own_required_fields_with_alternatives() -> None:
    """Numo needs achternaam, voornaam, gebruikersnaam, klas, opleiding, and an e-mail or..."""
    table = Table.from_rows(
        ["Achternaam", "Voornaam", "Gebruikersnaam", "Klas"], [["Berg", "Anna", "aberg", "1HA"]]
    )
    numo = ["last_name", "first_name", "username", "homeroom", "student.program"]
    mapping = ek.match_columns(table, required=[*numo, ("email", "student_number")])

    assert mapping.missing == ("student.program", "student.email | student.student_number")
    assert mapping.required[-1] == ("student.email", "student.student_number")
    with_email = mapping.with_overrides({"Klas": "student.email"})
    assert "student.email | student.student_number" not in with_email.missing

    result = ek.read(
        b"Achternaam;Voornaam;Gebruikersnaam\nBerg;Anna;aberg\n",
        name="numo.csv",
        required=numo,
    )
    unmapped = {issue.field for issue in result.report.by_code("required-field-unmapped")}
    assert unmapped == {"student.homeroom", "student.program"}


def test_a_required_field_that_does_not_exist_is_refused_with_the_fields() -> None:
    table = Table.from_rows(["Achternaam"], [["Berg"]])
    with pytest.raises(ek.MappingError, match=r"'student\.klas' is not a field.*homeroom"):
        ek.match_columns(table, required=["klas"])
