"""Mapping profiles and presets: decisions remembered, known layouts recognised."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.mapping._catalogue import Catalogue
from edukoppel.mapping._match import match_columns
from edukoppel.mapping._presets import Preset, detect
from edukoppel.mapping._profile import Profile
from edukoppel.readers import Table


def _export(*extra: str) -> Table:
    columns = ["Nr", "Roepnaam", "Achternaam", "Opmerking", *extra]
    return Table.from_rows(columns, [["00123", "Daan", "Berg", "", *([""] * len(extra))]])


def test_a_saved_profile_maps_the_next_export_without_questions(
    small: Catalogue, tmp_path: Path
) -> None:
    first = match_columns(
        _export(), overrides={"Nr": "student.key", "Opmerking": None}, catalogue_=small
    )
    path = first.save(tmp_path / "leerlingen.toml")

    again = match_columns(_export(), profile=path, catalogue_=small)

    assert (
        again.targets
        == first.targets
        == {
            "Nr": "student.key",
            "Roepnaam": "student.first_name",
            "Achternaam": "student.last_name",
        }
    )
    assert again["Nr"].evidence == ("profile 'leerlingen.toml'",)
    assert again["Opmerking"].target is None
    assert again["Opmerking"].evidence == ("profile 'leerlingen.toml'",)
    text = path.read_text(encoding="utf-8")
    assert '"Nr" = "student.key"' in text
    assert '"Opmerking" = ""' in text


def test_a_profile_says_which_columns_changed(small: Catalogue) -> None:
    profile = Profile("student", {"Nr": "student.key", "Klas oud": "student.homeroom"})

    mapping = match_columns(_export("Klas"), profile=profile, catalogue_=small)

    assert mapping.targets["Nr"] == "student.key"
    assert mapping.targets["Klas"] == "student.homeroom"
    assert "the profile's column 'Klas oud' is not in the file" in mapping.notes
    assert "column 'Klas' is new: matched automatically" in mapping.notes


def test_a_profile_whose_key_column_is_gone_is_refused(small: Catalogue) -> None:
    """Never map the identifier to something else because the export changed."""
    profile = Profile("student", {"Leerling ID": "student.key", "Achternaam": "student.last_name"})

    with pytest.raises(ek.EdukoppelError) as caught:
        match_columns(_export(), profile=profile, catalogue_=small)

    message = str(caught.value)
    assert "maps column 'Leerling ID' to student.key, but the file has no such column" in message
    assert "new: 'Nr', 'Roepnaam', 'Opmerking'" in message
    assert isinstance(caught.value, ValueError)


def test_a_profile_for_other_rows_is_refused(small: Catalogue) -> None:
    with pytest.raises(ek.EdukoppelError, match="for staff rows, not student rows"):
        match_columns(_export(), profile=Profile("staff", {}), entity="student", catalogue_=small)


def test_profile_files_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text('format = "something else"\n', encoding="utf-8")
    with pytest.raises(ek.EdukoppelError, match="not an edukoppel mapping profile"):
        Profile.load(bad)
    with pytest.raises(ek.EdukoppelError, match="cannot read the mapping profile"):
        Profile.load(tmp_path / "missing.toml")
    bad.write_text(
        'format = "edukoppel.mapping-profile"\nversion = 1\nentity = "student"\n'
        '[columns]\n"Nr" = "leerling.nummer"\n',
        encoding="utf-8",
    )
    with pytest.raises(ek.EdukoppelError, match="column 'Nr'"):
        Profile.load(bad)


_TARGETS = st.sampled_from(
    [None, "student.key", "student.last_name", "guardian[2].email", "student.groups"]
)


@given(
    st.dictionaries(st.text(min_size=1, max_size=30), _TARGETS, max_size=8),
    st.sampled_from(["toml", "json"]),
)
def test_a_profile_round_trips(columns: dict[str, str | None], form: str) -> None:
    """Any column names (quotes, accents, emoji, backslashes) survive a save and a load."""
    profile = Profile("student", columns)
    text = profile.to_toml() if form == "toml" else profile.to_json()
    assert Profile.from_text(text) == profile


def test_a_known_layout_is_recognised_and_named(small: Catalogue) -> None:
    numo = Preset(
        name="numo-test",
        title="Numo",
        entity="student",
        columns={
            "achternaam": "student.last_name",
            "voornaam": "student.first_name",
            "gebruikersnaam": "student.username",
            "klas": "student.homeroom",
            "wachtwoord": None,
        },
    )
    header = ["Achternaam", "Voornaam", "Gebruikersnaam", "Klas", "Wachtwoord"]
    assert detect(header, among=[numo]) is numo
    assert detect(["Achternaam", "Voornaam", "Iets", "Anders", "Nog"], among=[numo]) is None
