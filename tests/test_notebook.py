"""What a notebook shows: rich HTML for the objects people look at, and DataFrames of them."""

from __future__ import annotations

import polars as pl

import edukoppel as ek

EXPORT = (
    "Leerlingnummer;Roepnaam;Achternaam;Klas;Geboortedatum;E-mail toestemming\n"
    "00123;Zoë;<b>Çelik</b>;1HA;31-02-2012;ja\n"
    "00124;Daan;Berg;1HB;04-03-2012;nee\n"
).encode()


def test_rich_html_for_the_roster_table_mapping_and_report() -> None:
    result = ek.read(EXPORT, name="leerlingen.csv")
    roster_html = result.roster._repr_html_()
    assert "<table" in roster_html
    assert "students" in roster_html or "student" in roster_html
    assert "&lt;b&gt;Çelik&lt;/b&gt;" in roster_html  # values are escaped, never markup
    assert "<b>" not in roster_html
    assert "None" not in roster_html  # no wall of empty fields
    assert result.table is not None
    assert "00124" in result.table._repr_html_()
    assert result.mapping is not None
    mapping_html = result.mapping._repr_html_()
    assert "student.key" in mapping_html
    assert "unmapped" in mapping_html
    report_html = result.report._repr_html_()
    assert "invalid-value" in report_html
    assert "1 warning" in report_html


def test_a_blocked_changeset_shows_its_reasons_first_in_red() -> None:
    store = ek.Roster(
        students=[ek.Student(key=str(n), origin="import") for n in range(40)], source="import"
    )
    changeset = ek.plan(store, ek.Roster(students=[ek.Student(key="1")], source="import"))
    shown = changeset._repr_html_()
    assert shown.index("Blocked") < shown.index("Changeset:")
    assert "archive-share" in shown
    assert "#c0392b" in shown  # the error colour


def test_roster_to_polars_gives_typed_columns() -> None:
    result = ek.read(EXPORT, name="leerlingen.csv")
    frame = result.roster.to_polars("student")
    assert frame.schema["birth_date"] == pl.Date
    assert frame.schema["groups"] == pl.List(pl.String)
    assert frame.filter(pl.col("homeroom") == "1HB").get_column("key").to_list() == ["00124"]
    staff = ek.Roster(staff=[ek.Staff(key="m1", groups=[("1HA", "mentor")])]).to_polars("staff")
    assert staff.get_column("groups").to_list() == [[{"group": "1HA", "role": "mentor"}]]


def test_a_changeset_frame_names_the_people_beside_their_keys() -> None:
    old = ek.Roster(
        students=[ek.Student(key="1", first_name="Zoë", last_name="Çelik", homeroom="1HA",
                             origin="import")],
        source="import",
    )  # fmt: skip
    new = ek.Roster(
        students=[
            ek.Student(key="1", first_name="Zoë", last_name="Çelik", homeroom="1HB"),
            ek.Student(key="2", first_name="Sem", last_name="Bos"),
        ],
        source="import",
    )
    frame = ek.plan(old, new).to_polars(names=[old, new])
    moved = frame.filter(pl.col("field") == "homeroom").select("name", "old", "new").rows()
    assert moved == [("Zoë Çelik", "1HA", "1HB")]
    assert set(frame.filter(pl.col("action") == "add").get_column("name")) == {"Sem Bos"}
    assert "name" not in ek.plan(old, new).to_polars().columns
