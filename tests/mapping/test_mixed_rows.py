"""One row, several entities: Numo's ``rol`` (pupils and teachers in one file) and mentors."""

from __future__ import annotations

import edukoppel as ek

NUMO = (
    b"achternaam;voornaam;gebruikersnaam;klas;opleiding;wachtwoord;e-mailadres;rol\n"
    b"Berg;Anna;aberg;1HA;havo;geheim1;anna@school.nl;\n"
    b"Bakker;Bram;bbakker;1HA;havo;geheim2;;Leerling\n"
    b"Jansen;Jan;jjansen;1HA;;;jan@school.nl;docent\n"
    b"Visser;Vera;vvisser;;;;vera@school.nl;Mentor\n"
)


def test_numo_rows_with_a_teacher_role_become_staff_members() -> None:
    result = ek.read(NUMO, name="inleesbestand.csv")
    roster = result.roster

    assert result.mapping is not None
    assert result.mapping.preset == "numo-inleesbestand"
    assert list(roster.students.keys()) == ["aberg", "bbakker"]
    assert list(roster.staff.keys()) == ["jjansen", "vvisser"]
    jan = roster.staff["jjansen"]
    assert (jan.first_name, jan.last_name, jan.email) == ("Jan", "Jansen", "jan@school.nl")
    assert jan.roles == ("docent",)
    assert jan.groups == (ek.GroupRole("1HA", "docent"),)
    assert roster.staff["vvisser"].roles == ("mentor",)
    assert roster.staff["vvisser"].groups == ()
    assert roster.provides["staff"] == {
        "key", "username", "email", "first_name", "last_name", "roles", "groups",
    }  # fmt: skip
    assert "program" not in roster.provides["staff"]  # opleiding is a pupil's, not a teacher's
    assert roster.staff.where("jjansen") == (4,)
    assert result.report.valid


def test_a_role_in_no_list_leaves_the_row_out_with_an_error_never_a_guess() -> None:
    data = NUMO + b"Smit;Sam;ssmit;1HB;;;;docnet\n"
    result = ek.read(data, name="inleesbestand.csv")

    assert "ssmit" not in result.roster.students
    assert "ssmit" not in result.roster.staff
    [unknown] = result.report.by_code("unknown-role")
    assert (unknown.severity, unknown.row, unknown.column) == ("error", 6, "rol")
    assert "'docnet'" in unknown.message


def test_the_preset_values_say_what_a_role_means() -> None:
    """A preset's [values] table is read: OneRoster's 'aide' is staff, its 'parent' no pupil."""
    header = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,"
    header += "userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,"
    header += "grades,password\n"
    rows = [
        "s1,active,,true,org1,student,anna,,Anna,Berg,,001,,,,p1,07,\n",
        "t1,active,,true,org1,aide,vera,,Vera,Visser,,,,,,,,\n",
        "p1,active,,true,org1,parent,piet,,Piet,Berg,,,,,,s1,,\n",
    ]
    result = ek.read((header + "".join(rows)).encode(), name="users.csv")

    assert result.mapping is not None
    assert result.mapping.preset == "oneroster-v1.1-users"
    assert list(result.roster.students.keys()) == ["s1"]
    assert list(result.roster.staff.keys()) == ["t1"]
    assert result.roster.staff["t1"].roles == ("aide",)
    [other] = result.report.by_code("rows-of-another-kind")
    assert other.severity == "info"
    assert "1 row" in other.message


def test_a_mentor_column_makes_the_mentors_staff_who_provide_only_their_mentees() -> None:
    data = (
        b"Leerlingnummer;Achternaam;Klas;Mentor\n"
        b"00123;Berg;1HA;JAN\n"
        b"00124;Bakker;1HA;JAN, VIS\n"
        b"00125;Smit;1HB;\n"
    )
    result = ek.read(data, name="leerlingen.csv")
    roster = result.roster

    assert result.mapping is not None
    assert result.mapping.targets["Mentor"] == "student._mentor"
    assert {member.key: member.mentees for member in roster.staff} == {
        "JAN": ("00123", "00124"),
        "VIS": ("00124",),
    }
    assert roster.provides["staff"] == {"key", "mentees"}
    assert "mentor-as-staff-key" in result.report.codes

    # A sync never clears what the pupil file does not say about a staff member.
    jansen = ek.Staff(key="JAN", last_name="Jansen", email="jan@school.nl", origin="import")
    store = ek.MemoryStore(ek.Roster(staff=[jansen]))
    ek.apply(ek.plan(store.snapshot(), roster), store)
    jan = store.snapshot().staff["JAN"]
    assert (jan.last_name, jan.email, jan.mentees) == (
        "Jansen",
        "jan@school.nl",
        ("00123", "00124"),
    )


def test_in_a_mixed_file_a_mentor_is_found_among_its_staff_or_reported() -> None:
    data = (
        b"gebruikersnaam;achternaam;klas;rol;mentor\n"
        b"aberg;Berg;1HA;;jjansen\n"
        b"bbakker;Bakker;1HA;;JJANSEN\n"
        b"csmit;Smit;1HB;;Onbekend Persoon\n"
        b"jjansen;Jansen;1HA;docent;\n"
    )
    result = ek.read(data, name="inleesbestand.csv")

    assert result.roster.staff["jjansen"].mentees == ("aberg", "bbakker")
    assert result.roster.provides["staff"] >= {"mentees", "roles"}
    [lost] = result.report.by_code("mentor-not-found")
    assert (lost.row, lost.column) == (4, "mentor")
    assert "Onbekend" not in str(result.report)  # a mentor's name is personal data
