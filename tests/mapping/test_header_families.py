"""Classes of header that real exports share, each mapped by one rule rather than one alias.

Each test is an export's shape the shipped catalogue must map: abbreviated words (``lln.nr``,
``Geb. dat.``, ``Yr Group``), a thing named by its name or code (``School Name``,
``Locatienaam``), a numbered series of class columns, a cell listing several classes, a
header that names its values' format in brackets, a guardians file's own plain ``ID``.
"""

from __future__ import annotations

import pytest

import edukoppel as ek
from edukoppel.mapping import ColumnMapping
from edukoppel.model import EntityKind
from edukoppel.readers import Table

NUMBERS = ["100345", "100346", "100347", "100348", "100349", "100350"]
SURNAMES = ["Berg", "Bakker", "Visser", "Jansen", "Smit", "Vos"]


def _match(columns: dict[str, list[str]], entity: EntityKind = "student") -> ColumnMapping:
    names = list(columns)
    depth = max(len(values) for values in columns.values())
    rows = [[values[index % len(values)] for values in columns.values()] for index in range(depth)]
    return ek.match_columns(Table.from_rows(names, rows), entity=entity, preset=False)


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("Leerl. nr", NUMBERS, "student.key"),
        ("Adno", NUMBERS, "student.key"),
        ("Vnm lln", ["Daan", "Zoë"], "student.first_name"),
        ("Fname", ["Daan", "Zoë"], "student.first_name"),
        ("Achtern. lln", SURNAMES, "student.last_name"),
        ("Gebr.naam", ["dberg", "zbakker"], "student.username"),
        ("Yr", ["7", "8"], "student.year"),
        ("Reg Group", ["7RED", "8BLU"], "student.homeroom"),
        ("Tel. nr. ouder", ["0612345678", "0687654321"], "guardian[1].phone"),
    ],
)
def test_abbreviated_words_are_read_written_out(
    header: str, values: list[str], target: str
) -> None:
    """Dutch and English exports shorten words (lln, vnm, achtern, geb, dat, gebr, yr, reg)."""
    columns = {"Nummer": NUMBERS, header: values} if target != "student.key" else {header: values}
    assert _match(columns).targets.get(header) == target


def test_an_alias_written_out_the_same_as_another_still_matches_exactly() -> None:
    """A header "DOB" is an exact alias, though it compares alike with "Date of Birth"."""
    match = _match({"Nummer": NUMBERS, "DOB": ["04-03-2012"]})["DOB"]
    assert (match.confidence, match.evidence[0]) == (1.0, "exact alias 'DOB'")


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("School Name", ["Kowhai Primary School"], "student", "student.location"),
        ("Building_Name", ["North Campus", "Main Building"], "student", "student.location"),
        ("Locatienaam", ["Hoofdgebouw", "Dependance"], "student", "student.location"),
        ("school_name", ["Maple Grove Elementary"], "staff", "staff.locations"),
        ("classroom_name", ["Brown Math 5A", "Singh Math 6B"], "staff", "staff.groups"),
    ],
)
def test_a_school_or_class_named_by_its_name_or_code_is_that_field(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    assert _match({"Last Name": SURNAMES, header: values}, entity).targets[header] == target


def test_a_name_suffix_does_not_make_a_person_field_of_a_reference() -> None:
    """Only a field that refers to a thing (a school, a class) is named by that thing's name."""
    mapping = _match({"Student ID": NUMBERS, "Student Name": ["Daan Berg", "Zoë Bakker"]})
    assert mapping["Student Name"].target is None


def test_a_numbered_series_of_class_columns_holds_teaching_groups() -> None:
    """A row has one homeroom: "Class 1", "Class 2" are its lesgroepen; "Form" is the class."""
    mapping = _match(
        {
            "ID": NUMBERS,
            "Surname": SURNAMES,
            "Form": ["7A", "7B"],
            "Class 1": ["7A/En3", "7B/Ma2"],
            "Class 2": ["7A/Sc1", "7B/Hi1"],
        }
    )
    assert mapping.targets["Form"] == "student.homeroom"
    assert mapping.targets["Class 1"] == mapping.targets["Class 2"] == "student.groups"


def test_a_single_numbered_class_column_is_still_the_homeroom() -> None:
    mapping = _match({"ID": NUMBERS, "Surname": SURNAMES, "Klas 1": ["1HA", "1HB"]})
    assert mapping.targets["Klas 1"] == "student.homeroom"


def test_a_class_column_whose_cells_list_several_classes_holds_groups() -> None:
    mapping = _match(
        {
            "Username": ["s20481", "mlopez"],
            "Last Name": SURNAMES,
            "Class": ["Period 2 Science", "Period 2 Science,Period 5 Lab"],
        }
    )
    assert mapping.targets["Class"] == "student.groups"


def test_a_header_that_names_its_values_format_in_brackets_is_that_field() -> None:
    """A "Username (Email)" column of e-mail addresses is the e-mail; of logins, the username."""
    emails = {"Last Name": SURNAMES, "Username (Email)": ["rpatel@x.example.org", "l@x.nl"]}
    assert _match(emails, "staff").targets["Username (Email)"] == "staff.email"
    logins = {"Last Name": SURNAMES, "Username (Email)": ["rpatel", "lkim"]}
    assert _match(logins, "staff").targets["Username (Email)"] == "staff.username"


def test_a_guardians_file_plain_id_is_the_guardians_key_and_a_pupil_number_its_child() -> None:
    zermelo = _match(
        {
            "Code": ["ouder3101", "ouder3102"],
            "Achternaam": SURNAMES,
            "Pupil ID": NUMBERS,
        },
        "guardian",
    )
    assert zermelo.targets == {
        "Code": "guardian.key",
        "Achternaam": "guardian.last_name",
        "Pupil ID": "guardian.students",
    }
    firefly = _match({"ID": ["P40211", "P40212"], "Surname": SURNAMES}, "guardian")
    assert firefly.targets["ID"] == "guardian.key"


def test_on_a_pupil_row_a_plain_id_stays_the_pupils_and_no_column_is_its_childs() -> None:
    mapping = _match(
        {
            "ID": NUMBERS,
            "Surname": SURNAMES,
            "Student IDs": NUMBERS,
            "Parent ID": ["P1", "P2", "P3", "P4", "P5", "P6"],
        }
    )
    assert mapping.targets["ID"] == "student.key"
    assert mapping.targets["Parent ID"] == "guardian[1].key"
    assert "Student IDs" not in mapping.targets
    assert not [c for m in mapping for c in m.candidates if c.target.endswith(".students")]


def test_an_account_type_is_a_staff_members_function_not_the_rows_kind() -> None:
    staff = _match({"Last Name": SURNAMES, "Account Type": ["Teacher", "Administrator"]}, "staff")
    assert staff.targets["Account Type"] == "staff.roles"
    pupils = _match({"ID": NUMBERS, "Surname": SURNAMES, "Account Type": ["Student"]})
    assert "Account Type" not in pupils.targets


def test_a_numbered_relationship_on_a_pupil_row_is_that_guardians() -> None:
    """Wonde: parent_email1, relationship1 belong to contact 1."""
    mapping = _match(
        {
            "id": NUMBERS,
            "surname": SURNAMES,
            "parent_email1": ["k.murphy@mail.example.com", "t.osei@mail.example.com"],
            "relationship1": ["Mother", "Father"],
            "relationship2": ["Father", "Aunt"],
        }
    )
    assert mapping.targets["relationship1"] == "guardian[1].relation"
    assert mapping.targets["relationship2"] == "guardian[2].relation"


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Stamboeknummer", "student.key"),  # Flemish (Informat) pupil number
        ("Intern nummer", "student.key"),  # Smartschool's internal number
        ("Admission No", "student.key"),  # UK MIS (SIMS, Arbor): the school's pupil number
        ("Klasgroep", "student.homeroom"),  # Flemish class group
    ],
)
def test_flemish_and_uk_school_numbers_and_classes(header: str, target: str) -> None:
    values = ["1HA", "2VB"] if target.endswith("homeroom") else NUMBERS
    columns = {"Achternaam": SURNAMES, header: values}
    if not target.endswith(".key"):
        columns["Leerlingnummer"] = NUMBERS
    assert _match(columns).targets[header] == target


def test_a_guardians_column_is_whose_word_beside_any_name_of_the_field() -> None:
    """UK exports write "Contact 1 Forename", "Carer Email": whose it is, and the field."""
    mapping = _match(
        {
            "Pupil ID": NUMBERS,
            "Surname": SURNAMES,
            "Contact 1 Forename": ["Anna", "Piet"],
            "Contact 1 Surname": ["Berg", "Vos"],
            "Contact 1 Mobile": ["07700 900123", "07700 900456"],
            "Contact 2 Forename": ["Kees", "Mira"],
            "Carer Email": ["c@mail.example.com", "d@mail.example.com"],
        }
    )
    assert mapping.targets == {
        "Pupil ID": "student.key",
        "Surname": "student.last_name",
        "Contact 1 Forename": "guardian[1].first_name",
        "Contact 1 Surname": "guardian[1].last_name",
        "Contact 1 Mobile": "guardian[1].phone",
        "Contact 2 Forename": "guardian[2].first_name",
        "Carer Email": "guardian[1].email",
    }
    assert mapping["Contact 1 Forename"].evidence[0] == "alias 'Forename' with 'contact'"


def test_whose_word_never_makes_a_pupils_own_name_a_guardians() -> None:
    mapping = _match(
        {"ID": NUMBERS, "Achternaam": SURNAMES, "Roepnaam leerling ouder": ["Daan", "Zoë"]}
    )
    assert "Roepnaam leerling ouder" not in mapping.targets


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("Leerlingachternaam", SURNAMES, "student.last_name"),  # Dutch compound
        ("Leerlinggeboortedatum", ["04-03-2012", "11-12-2011"], "student.birth_date"),
        ("School Email Address", ["d@school.example.nl", "z@school.example.nl"], "student.email"),
        ("Ouderemail", ["o@mail.example.nl", "p@mail.example.nl"], "guardian[1].email"),
        ("Verzorgernaam", ["Vos", "Jansen"], "guardian[1].last_name"),
        ("Contact 2 Mobile Number", ["07700 900123", "07700 900456"], "guardian[2].phone"),
        ("NC Year", ["7", "8"], "student.year"),
    ],
)
def test_compounds_and_filler_words_name_the_field(
    header: str, values: list[str], target: str
) -> None:
    """A kind word glued to an alias, or "Address" / "Number" after one, adds nothing."""
    assert _match({"Leerlingnummer": NUMBERS, header: values}).targets.get(header) == target


def test_a_glued_kind_word_needs_a_whole_alias_after_it() -> None:
    mapping = _match({"Leerlingnummer": NUMBERS, "Studentenraad": ["ja", "nee"]})
    assert "Studentenraad" not in mapping.targets


def test_whose_word_in_brackets_makes_the_column_a_guardians_never_the_pupils() -> None:
    """A guardian e-mail taken for the pupil's is the worst guess: "E-mail (ouder)" is not."""
    mapping = _match(
        {
            "Leerlingnummer": NUMBERS,
            "E-mail": ["d@leerling.example.nl", "z@leerling.example.nl"],
            "E-mail (ouder)": ["o@mail.example.nl", "p@mail.example.nl"],
            "Telefoon (ouder 2)": ["0612345678", "0687654321"],
        }
    )
    assert mapping.targets["E-mail"] == "student.email"
    assert mapping.targets["E-mail (ouder)"] == "guardian[1].email"
    assert mapping.targets["Telefoon (ouder 2)"] == "guardian[2].phone"
    alone = _match({"Leerlingnummer": NUMBERS, "E-mail (ouder)": ["o@mail.example.nl"]})
    assert alone.targets.get("E-mail (ouder)") != "student.email"


def test_a_header_that_is_a_name_of_one_field_abbreviates_no_other() -> None:
    """``School`` is a name of the location; it is no short form of ``Schoolmail``.

    With ``Vestiging`` taking the location, ``School`` once fell to the pupil's e-mail
    address as an "abbreviation of alias 'Schoolmail'".
    """
    mapping = _match(
        {"Stamnr": NUMBERS, "Vestiging": ["Hoofdgebouw"], "School": [""], "Naam": SURNAMES}
    )
    (match,) = [m for m in mapping if m.column == "School"]
    assert match.target != "student.email"
    assert all("abbreviation" not in " ".join(c.evidence) for c in match.candidates)


GUIDS = [f"5f1c2a9e-0b7d-4c3e-9a61-2d8e4f7b1c{n:02d}" for n in range(6)]


def test_an_id_column_takes_the_key_and_the_schools_number_steps_aside() -> None:
    """Informat: the GUID ``persoonId`` is the key, ``stamnr`` (also a number) the number."""
    mapping = _match({"Stamnr": NUMBERS, "Student ID": GUIDS, "Achternaam": SURNAMES})
    assert mapping.targets["Student ID"] == "student.key"
    assert mapping.targets["Stamnr"] == "student.student_number"


def test_two_columns_equally_sure_to_be_the_key_leave_it_unmapped() -> None:
    """A wrong key archives a school: between two id columns, the user decides."""
    mapping = _match({"Student ID": NUMBERS, "Pupil ID": GUIDS, "Achternaam": SURNAMES})
    assert "student.key" not in mapping.targets.values()
    for column in ("Student ID", "Pupil ID"):
        assert mapping[column].evidence[0].startswith("a tie on student.key")
        assert mapping[column].candidates[0].target == "student.key"
    assert "student.key" in mapping.missing
    assert any("'Pupil ID', 'Student ID'" in note for note in mapping.notes)


def test_the_vestiging_is_the_location_and_a_school_column_only_without_one() -> None:
    """A location is a vestiging: ``School`` (a fallback name) gives way to ``Vestiging``."""
    both = _match(
        {
            "Leerlingnummer": NUMBERS,
            "school": ["Sint-Jozefcollege", "Sint-Jozefcollege"],
            "vestiging": ["Campus Noord", "Campus Zuid"],
        }
    )
    assert both.targets["vestiging"] == "student.location"
    assert "school" not in both.targets
    alone = _match({"Leerlingnummer": NUMBERS, "School": ["Maple Grove Elementary"]})
    assert alone.targets["School"] == "student.location"
    staff = _match({"Last Name": SURNAMES, "School": ["Maple"], "Site": ["North"]}, "staff")
    assert staff.targets["Site"] == "staff.locations"


def test_a_person_word_names_the_rows_own_person() -> None:
    """Informat's ``persoonId``/``personId``: a person word before an alias, any kind."""
    pupils = _match({"persoonId": GUIDS, "Person Email": ["d@x.example.nl"], "naam": SURNAMES})
    assert pupils.targets["persoonId"] == "student.key"
    assert pupils.targets["Person Email"] == "student.email"
    staff = _match({"personId": GUIDS, "Achternaam": SURNAMES}, "staff")
    assert staff.targets["personId"] == "staff.key"


def test_a_guardians_file_calls_its_guardian_a_relatie() -> None:
    """Informat's relaties: ``relatieId`` is the guardian's key, ``type`` the relation."""
    mapping = _match(
        {
            "pRelatie": NUMBERS,
            "relatieId": GUIDS,
            "type": ["Moeder", "Plusvader"],
            "Achternaam": SURNAMES,
        },
        "guardian",
    )
    assert mapping.targets["relatieId"] == "guardian.key"
    assert mapping.targets["type"] == "guardian.relation"
    assert "pRelatie" not in mapping.targets


def test_a_database_pointer_is_the_pupils_number_and_never_the_key() -> None:
    """Informat's ``pPersoon`` is an integer its documentation says a migration may change."""
    mapping = _match({"pPersoon": NUMBERS, "persoonId": GUIDS, "naam": SURNAMES})
    assert mapping.targets["pPersoon"] == "student.student_number"
    assert mapping.targets["persoonId"] == "student.key"
    alone = _match({"p_persoon": NUMBERS, "Achternaam": SURNAMES})
    assert "student.key" not in alone.targets.values()
    assert alone["p_persoon"].candidates[0].target == "student.key"
    assert "pInschr" not in _match({"pInschr": NUMBERS, "Achternaam": SURNAMES}).targets


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("emails", ["d@x.example.nl"], "student", "student.email"),
        ("emailadressen", ["d@x.example.nl"], "staff", "staff.email"),
        ("E-mails", [""], "student", "student.email"),  # no values to go by
    ],
)
def test_a_plural_of_an_email_or_phone_alias_is_that_field(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    """Informat's nested ``emails``, ``emailadressen``: the list's first is the address."""
    assert _match({"Achternaam": SURNAMES, header: values}, entity).targets[header] == target


def test_a_slash_between_two_words_names_either() -> None:
    """Jupiter Grades: ``School/Building Code`` is the school's or the building's code."""
    mapping = _match({"Last Name": SURNAMES, "School/Building Code": ["04", "05"]}, "staff")
    assert mapping.targets["School/Building Code"] == "staff.locations"


def test_a_bare_name_beside_one_half_of_a_name_is_the_other_half() -> None:
    """Flemish ``naam`` + ``voornaam``; Smartschool's ``name`` + ``surname``."""
    flemish = _match({"Stamnr": NUMBERS, "naam": SURNAMES, "voornaam": ["Lotte", "Jonas"]})
    assert flemish.targets["naam"] == "student.last_name"
    english = _match({"Stamnr": NUMBERS, "name": ["Lotte", "Jonas"], "surname": SURNAMES})
    assert english.targets["name"] == "student.first_name"
    guardians = _match(
        {
            "Stamnr": NUMBERS,
            "naam": SURNAMES,
            "voornaam": ["Lotte", "Jonas"],
            "naam_coaccount1": ["Peeters", "Wouters"],
            "voornaam_coaccount1": ["Els", "Koen"],
        }
    )
    assert guardians.targets["naam_coaccount1"] == "guardian[1].last_name"
    assert guardians.targets["naam"] == "student.last_name"
    # A bare name with both halves beside it, or neither, is a full name: no field.
    full = _match({"ID": NUMBERS, "Name": ["Dana Whitfield"], "Email": ["d@x.example.org"]})
    assert "Name" not in full.targets
    both = _match(
        {"ID": NUMBERS, "Name": ["Dana Whitfield"], "First Name": ["Dana"], "Last Name": SURNAMES}
    )
    assert "Name" not in both.targets


def test_smartschool_co_accounts_are_the_pupils_guardians() -> None:
    mapping = _match(
        {
            "stamboeknummer": NUMBERS,
            "surname": SURNAMES,
            "type_coaccount1": ["Moeder", "Vader"],
            "email_coaccount1": ["els@mail.example.be", "koen@mail.example.be"],
            "mobielnummer_coaccount2": ["0478123456", "0496654321"],
        }
    )
    assert mapping.targets["type_coaccount1"] == "guardian[1].relation"
    assert mapping.targets["email_coaccount1"] == "guardian[1].email"
    assert mapping.targets["mobielnummer_coaccount2"] == "guardian[2].phone"


def test_a_title_of_forms_of_address_is_no_job_title() -> None:
    """A pK-12 ``title`` of Mr, Ms. is a form of address; Clever's of functions is the roles."""
    address = _match({"Last Name": SURNAMES, "title": ["Ms.", "Mr.", "Dr"]}, "staff")
    assert "title" not in address.targets
    job = _match({"Last Name": SURNAMES, "Title": ["Teacher", "Principal"]}, "staff")
    assert job.targets["Title"] == "staff.roles"


def test_a_date_written_year_first_with_slashes_is_a_date() -> None:
    mapping = _match({"Last Name": SURNAMES, "Hired_Date": ["2021/08/16", "2019/01/07"]}, "staff")
    assert mapping.targets["Hired_Date"] == "staff.start_date"


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        # Flemish (Informat, Smartschool, LeerID): the official structure and year, the
        # department, the staff member's office.
        ("Administratieve groep", ["1e lj A", "3e lj ASO"], "student", "student.program"),
        ("afdCode", ["1A", "2LAT"], "student", "student.program"),
        ("hoofdAmbt", ["Leraar", "Directeur"], "staff", "staff.roles"),
        ("Job Role", ["Teacher", "Teaching Assistant"], "staff", "staff.roles"),  # UK MIS
        ("Employment Start Date", ["2019-09-01"], "staff", "staff.start_date"),  # UK MIS
        # US SIS: the advisory teacher, a birthday, a section's own grade level.
        ("Advisor", ["jsmith", "mlopez"], "student", "student._mentor"),
        ("Birthday", ["2011-05-23", "2009-12-02"], "student", "student.birth_date"),
        ("sectionGradeLevel", ["7", "6"], "group", "group.year"),
    ],
)
def test_school_system_families_vocabulary(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    columns = {"Stamnr": NUMBERS, "Achternaam": SURNAMES, header: values}
    if entity == "group":
        columns = {"sectionId": ["MATH7-03", "ELA6-01"], header: values}
    assert _match(columns, entity).targets[header] == target


def test_a_state_id_is_the_pupils_number_beside_the_schools_own_id() -> None:
    """US SIS: the state's id is the key only when the file has no id of its own."""
    both = _match({"studentId": NUMBERS, "studentStateId": GUIDS, "lastName": SURNAMES})
    assert both.targets["studentId"] == "student.key"
    assert both.targets["studentStateId"] == "student.student_number"
    alone = _match({"State Student ID": NUMBERS, "Last Name": SURNAMES})
    assert alone.targets["State Student ID"] == "student.key"


def test_the_districts_local_id_is_the_key_beside_the_states() -> None:
    """US state reporting (CEDS, Ed-Fi): LASID is the district's own id, SASID the state's."""
    for local, state in (("local_id", "state_id"), ("LASID", "SASID")):
        mapping = _match({state: NUMBERS, local: NUMBERS[::-1], "last_name": SURNAMES})
        assert mapping.targets[local] == "student.key"
        assert mapping.targets[state] == "student.student_number"


def test_a_login_with_capitals_is_still_a_username() -> None:
    """TT Rockstars, Studies Weekly: ``JackT24``, ``MilaJ`` (logins compare without case)."""
    mapping = _match({"Student ID": NUMBERS, "Username": ["JackT24", "AishaK24", "MilaJ"]})
    assert mapping.targets["Username"] == "student.username"


def test_a_upn_is_the_uk_pupil_number_or_microsofts_login_by_its_values() -> None:
    """UK MIS (SIMS, Arbor, Bromcom): the DfE's Unique Pupil Number; Microsoft: a login."""
    upns = ["A123456789012", "B987654321098", "C111122223333"]
    uk = _match({"UPN": upns, "Surname": SURNAMES, "Forename": ["Amy", "Ben"]})
    assert uk.targets["UPN"] == "student.key"
    logins = ["d.berg@school.example.nl", "z.bakker@school.example.nl"]
    microsoft = _match({"Student ID": NUMBERS, "UPN": logins, "Surname": SURNAMES})
    assert microsoft.targets["UPN"] == "student.username"


def test_a_library_systems_patron_is_the_rows_person() -> None:
    """Sierra, Follett Destiny, Aura: ``Patron First Name``, the patron's ``Barcode``."""
    mapping = _match(
        {
            "Barcode": NUMBERS,
            "Patron First Name": ["Amy", "Ben"],
            "Patron Last Name": SURNAMES,
            "SiteShortName": ["NHS", "SMS"],
        }
    )
    assert mapping.targets == {
        "Barcode": "student.key",
        "Patron First Name": "student.first_name",
        "Patron Last Name": "student.last_name",
        "SiteShortName": "student.location",
    }


def test_a_number_column_steps_aside_for_an_id_column_of_any_kind() -> None:
    """Clever, PowerSchool: ``Teacher_id`` is the key, ``Teacher_number`` the school's number."""
    clever = _match(
        {"Teacher_id": NUMBERS, "Teacher_number": GUIDS, "Last_name": SURNAMES}, "staff"
    )
    assert clever.targets["Teacher_id"] == "staff.key"
    assert "Teacher_number" not in clever.targets
    # An exact "ID" against a normalised "Student_ID": no evidence of which is the key.
    tied = _match({"ID": NUMBERS, "Student_ID": GUIDS, "Achternaam": SURNAMES})
    assert "student.key" not in tied.targets.values()


def test_a_fallback_name_gives_way_to_the_fields_main_name() -> None:
    """The preferred name over the legal one (UK, AU, NZ); the opleiding over its crebo code;
    the school's own number over the state's (US SIS)."""
    uk = _match(
        {
            "UPN": ["A123456789012", "B987654321098", "C111122223333"],
            "Legal Surname": SURNAMES,
            "Preferred Surname": SURNAMES,
            "Preferred Forename": ["Amy", "Ben"],
        }
    )
    assert uk.targets["Preferred Surname"] == "student.last_name"
    assert "Legal Surname" not in uk.targets
    legal = _match({"Adno": NUMBERS, "Legal Surname": SURNAMES}, "student")
    assert legal.targets["Legal Surname"] == "student.last_name"
    mbo = _match(
        {
            "Deelnemernummer": NUMBERS,
            "Opleiding": ["Verzorgende IG", "Kok"],
            "Crebo": ["25491", "25180"],
            "Leerweg": ["BOL", "BBL"],
        }
    )
    assert mbo.targets["Opleiding"] == "student.program"
    assert "Crebo" not in mbo.targets
    assert "Leerweg" not in mbo.targets
    campus = _match(
        {"personID": GUIDS, "studentNumber": NUMBERS, "stateID": NUMBERS, "lastName": SURNAMES}
    )
    assert campus.targets["studentNumber"] == "student.student_number"
    assert "stateID" not in campus.targets


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("Reg", ["7RED", "8BLU"], "student.homeroom"),  # SIMS: the registration group
        ("Registration Form", ["7RED", "8BLU"], "student.homeroom"),  # Arbor
        ("Form Class", ["9AB", "10CD"], "student.homeroom"),  # New Zealand (KAMAR)
        ("Home Group", ["7A", "8B"], "student.homeroom"),  # Australia (Victoria)
        ("Roll Class", ["7A", "8B"], "student.homeroom"),  # Australia (NSW, Sentral)
        ("NSN", ["123456789", "987654321"], "student.key"),  # NZ National Student Number
        ("Perm ID", NUMBERS, "student.key"),  # Aeries: the permanent id
        ("Student Code", ["ABC0001", "ABC0002"], "student.key"),  # Australia (Compass)
        ("Preferred Name", ["Amy", "Ben"], "student.first_name"),  # AU, NZ
        ("STU-EMAIL", ["a@s.example.us"], "student.email"),  # Skyward: stu is student
        ("Leerkracht", ["Jansen", "de Vries"], "student._mentor"),  # ParnasSys: the teacher
    ],
)
def test_uk_australian_new_zealand_us_and_dutch_primary_vocabulary(
    header: str, values: list[str], target: str
) -> None:
    columns = {"Surname": SURNAMES, header: values}
    if not target.endswith(".key"):
        columns["Pupil ID"] = NUMBERS
    assert _match(columns).targets.get(header) == target


def test_smartschool_writes_co_account_with_a_hyphen_too() -> None:
    mapping = _match(
        {
            "Stamboeknummer": NUMBERS,
            "Co-account 1 e-mail": ["els@mail.example.be"],
            "Co-account 2 voornaam": ["An", "Jan"],  # beside it, as Smartschool writes both
            "Co-account 2 naam": ["Peeters", "Wouters"],
        }
    )
    assert mapping.targets["Co-account 1 e-mail"] == "guardian[1].email"
    assert mapping.targets["Co-account 2 naam"] == "guardian[2].last_name"


def test_a_staff_file_reads_uk_legal_and_preferred_names_and_the_flemish_stamboeknummer() -> None:
    sims = _match(
        {
            "stamboeknummer": ["10234567890", "10987654321"],
            "Legal Surname": SURNAMES,
            "Legal Forename": ["Amy", "Ben"],
            "Email_Addr": ["a@s.example.org"],
        },
        "staff",
    )
    assert sims.targets == {
        "stamboeknummer": "staff.key",
        "Legal Surname": "staff.last_name",
        "Legal Forename": "staff.first_name",
        "Email_Addr": "staff.email",
    }


def test_a_pupils_relatie_is_its_guardian_and_a_primary_contact_the_first() -> None:
    """Informat, Wisa, Eduarte, ParnasSys call guardians relaties; Arbor a primary contact."""
    mapping = _match(
        {
            "Leerlingnummer": NUMBERS,
            "Relatie 1 e-mail": ["els@mail.example.nl"],
            "Relatie 2 type": ["Vader", "Moeder"],
            "Primary contact phone": ["07700 900123", "07700 900456"],
        }
    )
    assert mapping.targets["Relatie 1 e-mail"] == "guardian[1].email"
    assert mapping.targets["Relatie 2 type"] == "guardian[2].relation"
    assert mapping.targets["Primary contact phone"] == "guardian[1].phone"


def test_a_systems_name_before_a_login_is_that_systems_login() -> None:
    """LeerID, Google, Smartschool: ``LeerID Gebruikersnaam``; never a password or a bank."""
    mapping = _match(
        {
            "Stamnummer": NUMBERS,
            "LeerID Gebruikersnaam": ["lotte.peeters7", "jonas.wouters2"],
            "LeerID Wachtwoord": ["x7Pq2", "k9Lm4"],
            "Vorige gebruikersnaam": ["lpeeters", "jwouters"],
        }
    )
    assert mapping.targets["LeerID Gebruikersnaam"] == "student.username"
    assert "LeerID Wachtwoord" not in mapping.targets
    assert "Vorige gebruikersnaam" not in mapping.targets
    staff = _match({"Last Name": SURNAMES, "Bank Account": ["NL91ABNA0417164300"]}, "staff")
    assert "Bank Account" not in staff.targets


def test_a_location_beside_a_street_and_a_postal_code_is_the_town() -> None:
    """Smartschool's account fields: ``location`` is the address's town, not the school's."""
    address = {"street": ["Kerkstraat"], "postalCode": ["2800"], "location": ["Mechelen"]}
    smartschool = _match({"stamboeknummer": NUMBERS, **address})
    assert "location" not in smartschool.targets
    # Magister's list names the town CITY, and its LOCATION is the school's location.
    magister = _match({"STAMNR": NUMBERS, **address, "CITY": ["Mechelen"]})
    assert magister.targets["location"] == "student.location"


def test_mbo_and_primary_school_words_for_the_rows_person() -> None:
    """Eduarte's deelnemer is the pupil; a primary school's leerkracht the staff member."""
    mbo = _match({"Deelnemernummer": NUMBERS, "Deelnemer e-mail": ["d@roc.example.nl"]})
    assert mbo.targets["Deelnemer e-mail"] == "student.email"
    staff = _match({"Achternaam": SURNAMES, "Leerkracht e-mail": ["j@school.example.nl"]}, "staff")
    assert staff.targets["Leerkracht e-mail"] == "staff.email"


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("Vorname", ["Lena", "Jonas"], "student.first_name"),
        ("Nachname", SURNAMES, "student.last_name"),
        ("Familienname", SURNAMES, "student.last_name"),
        ("Geburtsdatum", ["12.03.2010", "01.11.2009"], "student.birth_date"),
        ("Geschlecht", ["w", "m"], "student.gender"),
        ("Klasse", ["3A", "4B"], "student.homeroom"),
        ("Kurs", ["M1", "E2"], "student.groups"),
        ("Anmeldename", ["lena.huber", "jonas.gruber"], "student.username"),
        ("Benutzername", ["lena.huber", "jonas.gruber"], "student.username"),
        ("Mailadresse", ["lena@schule.example.at"], "student.email"),
        ("Schülerkennzahl", ["20100312", "20091101"], "student.key"),
    ],
)
def test_german_austrian_and_swiss_school_tools_vocabulary(
    header: str, values: list[str], target: str
) -> None:
    """Sokrates, SchILD, MNS Pro write the German words for a pupil's fields."""
    columns = {"Nummer": NUMBERS, header: values} if target != "student.key" else {header: values}
    assert _match(columns).targets.get(header) == target


def test_a_german_staff_file_reads_its_names_and_login() -> None:
    staff = _match(
        {
            "Personalnummer": NUMBERS,
            "Nachname": SURNAMES,
            "Vorname": ["Eva"],
            "Anmeldename": ["eh"],
        },
        "staff",
    )
    assert staff.targets == {
        "Personalnummer": "staff.key",
        "Nachname": "staff.last_name",
        "Vorname": "staff.first_name",
        "Anmeldename": "staff.username",
    }


def test_the_instelling_is_the_school_and_duos_vestigingscode_a_brin6_by_its_values() -> None:
    """Flemish instellingsnummer: the school as a whole (a fallback name of the location)."""
    pupils = _match({"Stamboeknummer": NUMBERS, "Instellingsnummer": ["048512", "111"]})
    assert pupils.targets["Instellingsnummer"] == "student.location"
    both = _match(
        {"Stamboeknummer": NUMBERS, "Instellingsnummer": ["048512"], "Vestiging": ["HLM"]}
    )
    assert both.targets["Vestiging"] == "student.location"
    assert "Instellingsnummer" not in both.targets
    duo = _match(
        {"VESTIGINGSCODE": ["12AB00", "12AB01"], "NAAM_VESTIGING": ["De Linde", "Het Anker"]},
        "location",
    )
    assert duo.targets == {"VESTIGINGSCODE": "location.brin6", "NAAM_VESTIGING": "location.name"}
    own_codes = _match({"Vestigingscode": ["01", "02"], "Naam": ["De Linde"]}, "location")
    assert own_codes.targets["Vestigingscode"] == "location.key"


def test_the_birth_name_is_the_surname_only_when_no_other_is_given() -> None:
    """Eduarte's Geboortenaam and Voorvoegsels geboortenaam; a married name comes first."""
    birth = {"Geboortenaam": SURNAMES, "Voorvoegsels geboortenaam": ["van", "de"]}
    alone = _match({"Personeelsnummer": NUMBERS, **birth}, "staff")
    assert alone.targets["Geboortenaam"] == "staff.last_name"
    assert alone.targets["Voorvoegsels geboortenaam"] == "staff.infix"
    both = _match(
        {"Personeelsnummer": NUMBERS, "Achternaam": SURNAMES, "Tussenvoegsel": ["van"], **birth},
        "staff",
    )
    assert both.targets["Achternaam"] == "staff.last_name"
    assert both.targets["Tussenvoegsel"] == "staff.infix"
    assert "Geboortenaam" not in both.targets


def test_a_library_card_number_is_the_key_only_without_an_id_and_a_branch_the_location() -> None:
    """Koha's borrowers import: cardnumber, branchcode."""
    koha = _match({"cardnumber": NUMBERS, "surname": SURNAMES, "branchcode": ["MAIN", "WEST"]})
    assert koha.targets["cardnumber"] == "student.key"
    assert koha.targets["branchcode"] == "student.location"
    beside = _match({"Student ID": ["S1", "S2"], "Card Number": NUMBERS, "Surname": SURNAMES})
    assert beside.targets["Student ID"] == "student.key"
    assert beside.targets.get("Card Number") != "student.key"


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("major", ["Biology", "History"], "student.program"),
        ("class_level", ["freshman", "senior", "junior"], "student.year"),
        ("registration_date", ["2024-09-01", "2023-09-04"], "student.start_date"),
        ("counselor", ["Ms. Lopez", "Mr. Smith"], "student._mentor"),
        ("Cohort", ["2027A", "2028B"], "student.groups"),
        ("preposition", ["van", "de"], "student.infix"),  # Ziber: the tussenvoegsel
    ],
)
def test_us_higher_education_and_english_renderings_of_dutch_fields(
    header: str, values: list[str], target: str
) -> None:
    assert _match({"student_id": NUMBERS, header: values}).targets.get(header) == target


def test_a_degree_is_the_programme_only_without_a_major() -> None:
    alone = _match({"student_id": NUMBERS, "degree": ["Bachelor's", "Master's"]})
    assert alone.targets["degree"] == "student.program"
    both = _match({"student_id": NUMBERS, "major": ["Biology"], "degree": ["Bachelor's"]})
    assert both.targets["major"] == "student.program"
    assert "degree" not in both.targets


def test_a_kind_word_after_primary_or_a_child_prefix_names_the_rows_own_person() -> None:
    """Amplify's Primary Student ID, NHS Mavis's CHILD_* columns."""
    amplify = _match(
        {
            "Primary Student ID": NUMBERS,
            "Last Name": SURNAMES,
            "Date of Birth (DOB)": ["14-Mar-17", "02-Nov-16"],
        }
    )
    assert amplify.targets["Primary Student ID"] == "student.key"
    assert amplify.targets["Date of Birth (DOB)"] == "student.birth_date"
    staff = _match({"Primary Staff ID": NUMBERS, "Last Name": SURNAMES}, "staff")
    assert staff.targets["Primary Staff ID"] == "staff.key"
    mavis = _match(
        {
            "CHILD_LAST_NAME": SURNAMES,
            "CHILD_DATE_OF_BIRTH": ["14/03/2013", "2012-11-02"],
            "CHILD_YEAR_GROUP": ["8", "9"],
            "CHILD_GENDER": ["Female", "Male"],
        }
    )
    assert mavis.targets == {
        "CHILD_LAST_NAME": "student.last_name",
        "CHILD_DATE_OF_BIRTH": "student.birth_date",
        "CHILD_YEAR_GROUP": "student.year",
        "CHILD_GENDER": "student.gender",
    }


@pytest.mark.parametrize(
    ("official", "call"),
    [
        ("VOORNAAM", "ROEPNAAM"),  # Wisa
        ("Vorname", "Rufname"),  # German
        ("CHILD_FIRST_NAME", "CHILD_PREFERRED_FIRST_NAME"),  # NHS Mavis
        ("First Name", "Preferred Name"),  # Australia, New Zealand
    ],
)
def test_a_first_name_beside_a_call_name_is_the_official_given_names(
    official: str, call: str
) -> None:
    """Beside a roepnaam, the voornaam is the official given names; both stay unmapped else."""
    mapping = _match({"Nummer": NUMBERS, official: ["Johanna Maria"], call: ["Anna"]})
    assert mapping.targets[official] == "student.given_names"
    assert mapping.targets[call] == "student.first_name"
    alone = _match({"Nummer": NUMBERS, official: ["Anna"]})
    assert alone.targets[official] == "student.first_name"


def test_a_call_name_of_a_guardian_leaves_the_pupils_first_name_alone() -> None:
    mapping = _match({"Nummer": NUMBERS, "Voornaam": ["Anna"], "Roepnaam ouder": ["Els"]})
    assert mapping.targets["Voornaam"] == "student.first_name"


def test_of_two_columns_as_sure_the_one_that_names_the_rows_kind_wins() -> None:
    """Share911: ``Student First Name`` and a bare ``First Name`` in one file."""
    mapping = _match(
        {
            "Student ID": NUMBERS,
            "Student First Name": ["Daan"],
            "Student Last Name": SURNAMES,
            "First Name": ["Els"],
            "Last Name": ["Vos"],
        }
    )
    assert mapping.targets["Student First Name"] == "student.first_name"
    assert mapping.targets["Student Last Name"] == "student.last_name"
    assert "First Name" not in mapping.targets
    assert "Last Name" not in mapping.targets
    # Neither names the kind: as sure, so neither is chosen.
    plain = _match({"Student ID": NUMBERS, "Klas": ["1A"], "Stamgroep": ["1A"]})
    assert "Klas" not in plain.targets
    assert "Stamgroep" not in plain.targets


def test_an_english_guardians_name_in_one_column_is_a_full_name_no_field() -> None:
    """Mavis's PARENT_1_NAME: "Sam Parent" is no surname, nor is a Dutch "Naam ouder" alone
    (session 24: a klaslijst's "Naam ouder" holds "Eva de Vries"); beside the guardian's first
    name it is the surname (test_a_bare_name_without_a_first_name_beside_it_is_a_full_name)."""
    mapping = _match(
        {
            "Nummer": NUMBERS,
            "PARENT_1_NAME": ["Sam Parent"],
            "Guardian Name": ["Jo Smith"],
            "PARENT_1_EMAIL": ["sam@example.com"],
        }
    )
    assert "PARENT_1_NAME" not in mapping.targets
    assert "Guardian Name" not in mapping.targets
    assert mapping.targets["PARENT_1_EMAIL"] == "guardian[1].email"
    dutch = _match({"Nummer": NUMBERS, "Naam ouder": ["de Vries"]})
    assert "Naam ouder" not in dutch.targets
    named = _match({"Nummer": NUMBERS, "Naam ouder": ["de Vries"], "Voornaam ouder": ["Eva"]})
    assert named.targets["Naam ouder"] == "guardian[1].last_name"


def test_a_staff_files_role_column_that_names_no_pupil_holds_the_functions() -> None:
    """Amplify's staff User Type (Teacher, Specialist); a mixed file's role tells kinds apart."""
    amplify = _match({"Staff ID": NUMBERS, "User Type": ["Teacher", "Specialist"]}, "staff")
    assert amplify.targets["User Type"] == "staff.roles"
    mixed = _match({"Staff ID": NUMBERS, "User Type": ["docent", "leerling"]}, "staff")
    assert mixed.targets["User Type"] == "staff._role"


# -- session 21, round 2: sets 6 and 7 --------------------------------------------------------


def test_a_globally_unique_id_takes_the_key_before_another_id() -> None:
    """BBS-Verwaltung checks the GUID first and the Import-ID second."""
    guids = [f"5D1E2A44-90B3-4C1E-8F7A-2B6C9D0E1F2{digit}" for digit in range(6)]
    ids = [f"S-{number}" for number in NUMBERS]
    mapping = _match({"GUID": guids, "Import-ID": ids, "Nachname": SURNAMES})
    assert mapping.targets["GUID"] == "student.key"
    assert mapping.targets.get("Import-ID") != "student.key"
    staff = _match({"uuid": guids, "Lehrer-Nr": ids}, "staff")
    assert staff.targets["uuid"] == "staff.key"
    # Beside an id that names the row's kind, a bare uuid is no surer (a tie, see below).
    assert "uuid" not in _match({"uuid": guids, "Lehrer-ID": ids}, "staff").targets


def test_a_user_accounts_id_steps_aside_for_the_persons_number() -> None:
    """Raet's [User ID] beside its [Dossiernummer]; a lone "User ID" is still the key."""
    raet = _match({"[Dossiernummer]": NUMBERS, "[User ID]": ["jdevries", "pbakker"]}, "staff")
    assert raet.targets["[Dossiernummer]"] == "staff.key"
    assert "[User ID]" not in raet.targets
    alone = _match({"User ID": NUMBERS, "Surname": SURNAMES}, "staff")
    assert alone.targets["User ID"] == "staff.key"


def test_a_states_number_is_the_key_only_without_the_schools_own() -> None:
    """PowerSchool's State_StudentNumber alone is the key; beside a SIS number, the number."""
    alone = _match({"State_StudentNumber": NUMBERS, "Last_Name": SURNAMES})
    assert alone.targets["State_StudentNumber"] == "student.key"
    both = _match({"SIS Student Number": NUMBERS, "State Student Number": ["9001", "9002"]})
    assert both.targets["SIS Student Number"] == "student.key"
    assert both.targets["State Student Number"] == "student.student_number"


def test_an_id_number_is_an_id_not_a_number() -> None:
    """Edusight's id_number beside student_id: two ids as sure, so no key is guessed."""
    ids = [f"S-{number}" for number in NUMBERS]
    mapping = _match({"id_number": NUMBERS, "student_id": ids})
    assert "student.key" not in mapping.targets.values()
    teachers = _match({"id_number": NUMBERS, "last_name": SURNAMES}, "staff")
    assert teachers.targets["id_number"] == "staff.key"


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Erzieher1_Vorname", "guardian[1].first_name"),
        ("Erzieher2_E_Mail", "guardian[2].email"),
        ("Erzieher1_Telefon_Privat", "guardian[1].phone"),
        ("Erzieher2_Art", "guardian[2].relation"),
        ("Ezb1_Nachname", "guardian[1].last_name"),
        ("Ezb2_Telefon", "guardian[2].phone"),
        ("VornameEltern1", "guardian[1].first_name"),
        ("TelefonEltern2", "guardian[2].phone"),
        ("ArtEltern1", "guardian[1].relation"),
    ],
)
def test_german_guardian_words_say_whose_column_it_is(header: str, target: str) -> None:
    """SchoolExpert's Erzieher1_*, Schüler Online's Ezb1_*, sPlan's *Eltern1."""
    field = target.rpartition(".")[2]
    value = {"email": "eva@example.de", "phone": "0511 123456"}.get(field, "x")
    mapping = _match({"Nummer": NUMBERS, "Vorname": ["Lena"], header: [value]})
    assert mapping.targets.get(header) == target
    assert mapping.targets["Vorname"] == "student.first_name"


def test_a_german_guardians_file_reads_its_own_words() -> None:
    """itslearning's Erziehungsberechtigte: "Eltern: Vorname"; Magellan's TelefonPrivat."""
    mapping = _match(
        {
            "Eltern: ID": NUMBERS,
            "Eltern: Vorname": ["Eva"],
            "Eltern: Nachname": SURNAMES,
            "TelefonPrivat": ["0511 123456"],
        },
        "guardian",
    )
    assert mapping.targets == {
        "Eltern: ID": "guardian.key",
        "Eltern: Vorname": "guardian.first_name",
        "Eltern: Nachname": "guardian.last_name",
        "TelefonPrivat": "guardian.phone",
    }


@pytest.mark.parametrize(
    ("header", "entity", "target"),
    [
        ("Aufnahmedatum", "student", "student.start_date"),
        ("ZugangAm", "student", "student.start_date"),
        ("Entlassungsdatum", "student", "student.end_date"),
        ("AbgangAm", "student", "student.end_date"),
        ("DatEntlassung", "student", "student.end_date"),
        ("ZugangDatum", "staff", "staff.start_date"),
        ("Eintritt", "staff", "staff.start_date"),
        ("Austritt", "staff", "staff.end_date"),
        ("Abgang_am", "staff", "staff.end_date"),
    ],
)
def test_german_words_for_the_day_of_joining_and_leaving(
    header: str, entity: EntityKind, target: str
) -> None:
    """Magellan's Zugang/Abgang, WinSchool's Aufnahme/Entlassung, IBIS' Eintritt/Austritt."""
    key = "Nummer" if entity == "student" else "Personalnummer"
    mapping = _match({key: NUMBERS, header: ["01.08.2023", "31.07.2025"]}, entity)
    assert mapping.targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("Kürzel", ["HOF", "KRA"], "staff", "staff.abbreviation"),
        ("Kuerzel", ["HOF", "KRA"], "staff", "staff.abbreviation"),
        ("Amtsbezeichnung", ["StR", "OStR"], "staff", "staff.roles"),
        ("Personalnr", NUMBERS, "staff", "staff.key"),
        ("Zuname", SURNAMES, "staff", "staff.last_name"),
        ("Klassenleitung", ["Frau Lang"], "student", "student._mentor"),
        ("Ausbildungsrichtung", ["Technik"], "student", "student.program"),
        ("Kursname", ["M-GK1"], "group", "group.name"),
        ("Fach", ["Mathematik"], "group", "group.subject"),
    ],
)
def test_more_german_school_tool_words(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    key = {"student": "Nummer", "staff": "Personalnummer", "group": "Kursid"}[entity]
    columns = {header: values} if target.endswith(".key") else {key: NUMBERS, header: values}
    assert _match(columns, entity).targets.get(header) == target


def test_a_german_gender_inclusive_ending_is_no_part_of_the_name() -> None:
    """edoo.sys "Schüler/in E-Mail"; "Lehrer*innen", "Schüler:in"."""
    mapping = _match({"Nummer": NUMBERS, "Schüler/in E-Mail": ["lena@schule.example.de"]})
    assert mapping.targets["Schüler/in E-Mail"] == "student.email"
    staff = _match({"Personalnummer": NUMBERS, "Lehrer:in E-Mail": ["eh@schule.de"]}, "staff")
    assert staff.targets["Lehrer:in E-Mail"] == "staff.email"


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("Förnamn", ["Elsa"], "student", "student.first_name"),
        ("Efternamn", ["Lind"], "student", "student.last_name"),
        ("E-postadress", ["elsa@skola.example.se"], "student", "student.email"),
        ("Externt ID", NUMBERS, "student", "student.key"),
        ("Namn", ["7A"], "group", "group.name"),
        ("Namn", ["Norra skolan"], "location", "location.name"),
    ],
)
def test_swedish_school_tools_vocabulary(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    """Unikum, Elevspel: Swedish names of the fields."""
    key = {"student": "Elevnummer", "group": "Externt ID", "location": "Externt ID"}[entity]
    columns = {header: values} if target.endswith(".key") else {key: NUMBERS, header: values}
    assert _match(columns, entity).targets.get(header) == target


def test_a_staff_members_official_first_name_beside_a_call_name_is_no_field() -> None:
    """Raet and ParnasSys: [Roepnaam] is the first name, [Voornaam] the official ones."""
    mapping = _match(
        {"[Personeelsnummer]": NUMBERS, "[Roepnaam]": ["Anna"], "[Voornaam]": ["Johanna"]}, "staff"
    )
    assert mapping.targets["[Roepnaam]"] == "staff.first_name"
    assert "[Voornaam]" not in mapping.targets
    parents = _match({"ID": NUMBERS, "FirstName": ["Els"], "Surname": SURNAMES}, "guardian")
    assert parents.targets["FirstName"] == "guardian.first_name"


def test_a_column_that_names_the_rows_kind_beats_a_bare_exact_alias() -> None:
    """NWEA: "Student Email" is the pupil's; a bare "Email Address" is the instructor's."""
    mapping = _match(
        {
            "Student ID": NUMBERS,
            "Email Address": ["j.rivera@district.example.org"],
            "User Name": ["j.rivera@district.example.org"],
            "Student Email": ["ana@students.example.org"],
            "Student User Name": ["ana.lopez"],
        }
    )
    assert mapping.targets["Student Email"] == "student.email"
    assert mapping.targets["Student User Name"] == "student.username"
    assert "Email Address" not in mapping.targets
    assert "User Name" not in mapping.targets


def test_a_login_after_a_schools_or_a_persons_word_is_not_the_rows_login() -> None:
    """Big Universe's school_username and teacher_username are other records' logins."""
    mapping = _match(
        {"unique_id": NUMBERS, "school_username": ["oakhill"], "teacher_username": ["msmith"]}
    )
    assert "school_username" not in mapping.targets
    assert "teacher_username" not in mapping.targets
    system = _match({"Nummer": NUMBERS, "LeerID Gebruikersnaam": ["dberg"]})
    assert system.targets["LeerID Gebruikersnaam"] == "student.username"


def test_a_description_is_the_name_only_when_no_column_names_it() -> None:
    """Basispoort's groep: naam and omschrijving; a lone Omschrijving is still the name."""
    both = _match({"Code": ["5A"], "naam": ["Groep 5a"], "omschrijving": ["Juf Els"]}, "group")
    assert both.targets["naam"] == "group.name"
    assert both.targets.get("omschrijving") != "group.name"
    alone = _match({"Code": ["5A"], "Omschrijving": ["Groep 5a"]}, "group")
    assert alone.targets["Omschrijving"] == "group.name"


def test_an_internal_id_is_the_schools_own_id() -> None:
    """PrimaryLeap's student_internal_id, as the Dutch "Intern nummer"."""
    mapping = _match({"student_internal_id": NUMBERS, "parent_internal_id": ["P1", "P2"]})
    assert mapping.targets["student_internal_id"] == "student.key"
    assert mapping.targets.get("parent_internal_id") != "student.key"


def test_the_own_name_is_the_surname_only_when_no_other_is_given() -> None:
    """Raet's [Eigen naam] (the birth name, as Geboortenaam) beside no other surname."""
    raet = _match({"[Personeelsnummer]": NUMBERS, "[Eigen naam]": SURNAMES}, "staff")
    assert raet.targets["[Eigen naam]"] == "staff.last_name"
    both = _match(
        {"Personeelsnummer": NUMBERS, "Eigen naam": SURNAMES, "Achternaam": SURNAMES}, "staff"
    )
    assert both.targets["Achternaam"] == "staff.last_name"
    assert "Eigen naam" not in both.targets


# -- session 22: glued, truncated and qualified headers (words.toml) -----------------------


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("VORNAMESCH", ["Lena", "Jonas"], "student.first_name"),
        ("VORNAMEERZ", ["Petra", "Klaus"], "guardian[1].first_name"),
        ("TELEFONERZ", ["0211 123456", "0211 654321"], "guardian[1].phone"),
        ("VORNERZ2", ["Petra", "Klaus"], "guardian[2].first_name"),  # Vorname cut short
        ("TELERZ2", ["0211 123456", "0211 654321"], "guardian[2].phone"),
    ],
)
def test_a_field_name_glued_to_a_word_for_whose_it_is_is_read_apart(
    header: str, values: list[str], target: str
) -> None:
    """IBIS' dBase names glue Sch(üler) and Erz(ieher) to the field, cut at ten letters."""
    mapping = _match({"GUID": NUMBERS, header: values})
    assert mapping.targets.get(header) == target
    assert "glued to" in mapping[header].evidence[0]


def test_a_teachers_glued_l_is_read_on_a_staff_row() -> None:
    staff = _match({"Personalnummer": NUMBERS, "LEMAIL": ["a.berg@schule.de"]}, "staff")
    assert staff.targets["LEMAIL"] == "staff.email"
    assert "glued to 'l'" in staff["LEMAIL"].evidence[0]


@pytest.mark.parametrize("header", ["STRERZ2", "PLZERZ", "FOERDERSCH", "NAMEERZ2", "GUIDSCH"])
def test_a_glued_header_whose_rest_names_no_one_field_stays_unmapped(header: str) -> None:
    """STR (Straße), PLZ, FOERDER name no person field; NAME is no German surname alone; a
    glued header never takes a key."""
    mapping = _match({"Nummer": NUMBERS, header: ["x1", "x2"]})
    assert header not in mapping.targets


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("MutNachname", "guardian[1].last_name"),
        ("VatVorname", "guardian[2].first_name"),
        ("Father Email", "guardian[2].email"),
    ],
)
def test_a_mothers_column_is_guardian_1_and_a_fathers_guardian_2(header: str, target: str) -> None:
    values = ["p@example.org"] if "Email" in header else ["Petra", "Klaus"]
    assert _match({"Nummer": NUMBERS, header: values}).targets.get(header) == target
    # A word that only starts like one is no guardian's: the mother tongue.
    assert "Muttersprache" not in _match({"Nummer": NUMBERS, "Muttersprache": ["de"]}).targets


@pytest.mark.parametrize(
    "header",
    ["Datenbank-ID", "Schulinterne ID", "eindeutige Schüler-ID", "Schüler_Stamm_ID",
     "org_defined_id", "Interne ID-Nummer"],
)  # fmt: skip
def test_a_word_that_says_which_id_before_an_id_leaves_the_id(header: str) -> None:
    assert _match({header: NUMBERS, "Nachname": SURNAMES}).targets.get(header) == "student.key"


def test_an_organisations_id_is_not_the_rows_id() -> None:
    """Only org_defined_id reads as the id: a bare Org ID is an organisation's."""
    assert _match({"Org ID": NUMBERS, "Nachname": SURNAMES}).targets.get("Org ID") is None


def test_a_digit_glued_to_a_word_counts_the_person() -> None:
    """SVWS' nachname1, email1 (person 1) and nachname2 (a second person: no field)."""
    mapping = _match(
        {"Erzieher-ID": NUMBERS, "nachname1": SURNAMES, "nachname2": SURNAMES}, "guardian"
    )
    assert mapping.targets.get("nachname1") == "guardian.last_name"
    assert "nachname2" not in mapping.targets


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("Jahrgangsstufe.Kurzform", ["7", "8"], "student", "student.year"),
        ("Klassenbezeichnung", ["Klasse 7a", "Klasse 8b"], "group", "group.name"),
        ("Klassenart", ["Stammklasse", "Kurs"], "group", "group.kind"),
    ],
)
def test_a_things_name_with_a_word_for_its_form_or_after_its_kind_is_the_field(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    """A short or long form (Kurzform), or the class's word before Bezeichnung and Art."""
    columns = {"Kennung": NUMBERS, header: values}
    assert _match(columns, entity).targets.get(header) == target


def test_the_rows_kind_word_abbreviates_no_longer_name() -> None:
    """A class file's Klasse (the class taking a course) is not its Klassenstufe."""
    mapping = _match({"Kursid": NUMBERS, "Klasse": ["7a", "8b"]}, "group")
    assert mapping.targets.get("Klasse") is None


def test_an_account_id_after_a_kind_word_steps_aside_for_the_persons_id() -> None:
    """Blackbaud's StudentID beside StudentUserID: the account's id is no tie for the key."""
    users = [str(200345 + index) for index in range(6)]
    mapping = _match({"StudentID": NUMBERS, "StudentUserID": users, "LastName": SURNAMES})
    assert mapping.targets.get("StudentID") == "student.key"
    assert mapping.targets.get("StudentUserID") != "student.key"


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Fornavn", "student.first_name"),
        ("Etternavn", "student.last_name"),
        ("Fødselsdato", "student.birth_date"),
        ("PRENOM", "student.first_name"),
        ("Date de naissance", "student.birth_date"),
    ],
)
def test_norwegian_danish_and_french_person_words(header: str, target: str) -> None:
    values = ["04-03-2012"] if target.endswith("birth_date") else ["Ola", "Kari"]
    assert _match({"Nummer": NUMBERS, header: values}).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "entity", "target"),
    [
        ("subgroepen", "student", "student.groups"),
        ("Zusatzgruppen", "student", "student.groups"),
        ("subgroepen", "staff", "staff.groups"),
    ],
)
def test_a_compound_ending_in_a_plural_group_word_is_groups(
    header: str, entity: EntityKind, target: str
) -> None:
    assert _match({"Nummer": NUMBERS, header: ["5A-en", "5A-wi"]}, entity).targets[header] == target


def test_a_personnel_group_is_no_teaching_group() -> None:
    mapping = _match({"Personeelsnummer": NUMBERS, "personeelsgroepen": ["OP", "OOP"]}, "staff")
    assert "personeelsgroepen" not in mapping.targets


@pytest.mark.parametrize("header", ["Kind-ID", "Kind-Nr.", "Child ID"])
def test_a_childs_id_in_a_guardians_file_is_its_pupil(header: str) -> None:
    mapping = _match({"Eltern-ID": NUMBERS, header: ["100345", "100346"]}, "guardian")
    assert mapping.targets.get(header) == "guardian.students"


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Förnamn för förälder", "guardian.first_name"),
        ("Efternamn för förälder", "guardian.last_name"),
        ("E-postadress för förälder", "guardian.email"),
    ],
)
def test_a_field_then_whose_after_a_preposition_is_that_persons(header: str, target: str) -> None:
    """Skola24's guardians file: the field, "för" (of), then the guardian's word."""
    values = ["p@example.org"] if "post" in header else ["Anna", "Lind"]
    mapping = _match({"Vårdnadshavare-ID": NUMBERS, header: values}, "guardian")
    assert mapping.targets.get(header) == target


def test_the_rows_kind_word_after_an_alias_names_the_rows_field() -> None:
    """German "E-Mail-Adresse Schüler:in", as "Schüler E-Mail" before it."""
    mapping = _match({"Nummer": NUMBERS, "E-Mail-Adresse Schüler:in": ["l.b@schule.de"]})
    assert mapping.targets["E-Mail-Adresse Schüler:in"] == "student.email"


@pytest.mark.parametrize("header", ["UID", "Student UID"])
def test_a_uid_is_an_id(header: str) -> None:
    assert _match({header: NUMBERS, "Surname": SURNAMES}).targets.get(header) == "student.key"


@pytest.mark.parametrize(
    ("values", "target"), [(["1", "2"], "student.year"), (["2024", "2025-2026"], None)]
)
def test_a_school_year_of_year_levels_is_the_year_group(
    values: list[str], target: str | None
) -> None:
    """The values decide: year levels are the year group, calendar years no field."""
    mapping = _match({"Student ID": NUMBERS, "School year": values})
    assert mapping.targets.get("School year") == target


def test_the_french_national_pupil_id_and_school_code() -> None:
    """INE (Identifiant National Élève) as the NSN; UAI/RNE (a school's code) as a BRIN6."""
    mapping = _match({"INE": NUMBERS, "RNE": ["0751234A", "0691234K"], "NOM": SURNAMES})
    assert mapping.targets["INE"] == "student.key"
    assert mapping.targets["RNE"] == "student.location"


def _values_for(target: str) -> list[str]:
    """Sample values that suit a field, for the language-family tests below."""
    field = target.rpartition(".")[2]
    return {
        "key": NUMBERS,
        "birth_date": ["04-03-2012", "19-10-2011"],
        "gender": ["M", "F"],
        "email": ["l.berg@school.example", "s.vos@school.example"],
        "username": ["lberg", "svos"],
        "homeroom": ["4A", "3B"],
        "groups": ["4latin", "ESP2"],
        "year": ["4", "3"],
        "location": ["Lycée Victor Hugo", "Collège Jean Moulin"],
        "locations": ["Lycée Victor Hugo", "Collège Jean Moulin"],
        "phone": ["+39 333 1234567", "+39 347 7654321"],
    }.get(field, ["Anna", "Lind"])


def _language_mapping(header: str, target: str) -> ColumnMapping:
    entity: EntityKind = target.partition(".")[0].partition("[")[0]  # type: ignore[assignment]
    if target.startswith("guardian["):
        entity = "student"
    key = {"student": "ID", "staff": "Staff ID", "guardian": "Guardian ID"}[entity]
    columns = (
        {header: _values_for(target)}
        if target.endswith(".key")
        else {key: NUMBERS, header: _values_for(target)}
    )
    return _match(columns, entity)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Division", "student.homeroom"),  # a collège's class (c2i-annu)
        ("classe", "student.homeroom"),
        ("Courriel", "student.email"),
        ("Genre", "student.gender"),
        ("Civilité", "student.gender"),
        ("date naiss.", "student.birth_date"),
        ("groupes", "student.groups"),
        ("matricule", "student.key"),
        ("Année", "student.year"),
        ("Établissement", "student.location"),
        ("Prénom", "staff.first_name"),
        ("Nom de famille", "staff.last_name"),  # a bare "Nom": only beside a first name
        ("Nom du responsable", "guardian.last_name"),
        ("Prénom responsable 1", "guardian[1].first_name"),
    ],
)
def test_french_school_words(header: str, target: str) -> None:
    """French and Belgian exports (Gepi, SACoche, ScoDoc, ProEco): whole vocabulary."""
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Klassetrinn", "student.year"),
        ("Årskurs", "student.year"),
        ("Klassenavn", "student.homeroom"),
        ("Klass", "student.homeroom"),
        ("Användarnamn", "student.username"),
        ("Brukernavn", "student.username"),
        ("Skole", "student.location"),
        ("Skola", "staff.locations"),
        ("Lånernummer", "student.key"),
        ("Elevnummer", "student.key"),
        ("Grupp", "student.groups"),
        ("Kjønn", "staff.gender"),
        ("Fornavn", "staff.first_name"),
        ("Etternavn", "staff.last_name"),
    ],
)
def test_norwegian_swedish_and_danish_school_words(header: str, target: str) -> None:
    """Nordic exports (VOKAL, WIS Skole, Bibsyst, UTV, Skoltavlan): class, year, school."""
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Cognome", "student.last_name"),
        ("Classe", "student.homeroom"),
        ("Sesso", "student.gender"),
        ("Data di nascita", "student.birth_date"),
        ("Scuola", "student.location"),
        ("COGNOME TUTORE *", "guardian.last_name"),
        ("EMAIL TUTORE", "guardian.email"),
        ("CELLULARE", "guardian.phone"),
        ("Apellidos", "student.last_name"),
        ("Usuario", "student.username"),
        ("Grupo", "student.homeroom"),
        ("Cod centro", "student.location"),
        ("Etunimi", "student.first_name"),
        ("Sukunimi", "student.last_name"),
    ],
)
def test_italian_spanish_and_finnish_school_words(header: str, target: str) -> None:
    """Italian (Nuvola: the tutore is a guardian), Spanish (EducaMadrid), Finnish."""
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize("year", ["Année scolaire", "Anno scolastico"])
def test_a_school_year_in_french_or_italian_is_no_year_group(year: str) -> None:
    mapping = _match({"ID": NUMBERS, year: ["2024-2025"]})
    assert year not in mapping.targets


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Personnummer", ["20110412-1234", "20101129-5678"]),  # Sweden
        ("Fødselsnummer", ["12031344556", "01111255667"]),  # Norway
        ("CODICE FISCALE ALUNNO", ["BNCLRA12C45F205X", "VRDMTT11H08L219K"]),  # Italy
    ],
)
def test_a_national_identity_number_is_no_key_nor_a_pupils_number(
    header: str, values: list[str]
) -> None:
    """As the catalogue's bsn: a national identity number is opt-in, never guessed."""
    for entity in ("student", "staff"):
        alone = _match({header: values, "Fornavn": ["Ola", "Kari"]}, entity)
        beside = _match({"ID": NUMBERS, header: values, "Fornavn": ["Ola", "Kari"]}, entity)
        assert header not in alone.targets
        assert header not in beside.targets


@pytest.mark.parametrize(
    ("entity", "call", "first", "preferred"),
    [
        ("student", "Preffered Name", "student.given_names", "student.first_name"),
        ("staff", "Preffered Name", None, "staff.first_name"),
        ("guardian", "Preferred Name", "guardian.first_name", None),
    ],
)
def test_a_call_name_misspelt_or_beside_a_guardians_first_name(
    entity: EntityKind, call: str, first: str | None, preferred: str | None
) -> None:
    """Gibbon's "Preffered Name" is a call name; a guardian's names stay as written."""
    mapping = _match({"ID": NUMBERS, "Surname": SURNAMES, "First Name": [""], call: [""]}, entity)
    assert mapping.targets.get("First Name") == first
    assert mapping.targets.get(call) == preferred


def test_a_word_in_brackets_after_another_fields_name_qualifies_that_field() -> None:
    """Gibbon's "Phone 1 (Type)" is the phone's type (Mobile), not the guardian's relation."""
    mapping = _match(
        {"Guardian ID": NUMBERS, "Phone 1": ["0612345678"], "Phone 1 (Type)": ["Mobile"]},
        "guardian",
    )
    assert "Phone 1 (Type)" not in mapping.targets
    assert mapping.targets["Phone 1"] == "guardian.phone"
    named = _match({"ID": NUMBERS, "Username (Email)": ["l.berg@school.example"]})
    assert named.targets["Username (Email)"] == "student.email"


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Contact1FirstName", "guardian[1].first_name"),
        ("Contact2LastName", "guardian[2].last_name"),
        ("Parent2Email", "guardian[2].email"),
    ],
)
def test_a_persons_number_glued_inside_a_camel_case_header_counts_the_person(
    header: str, target: str
) -> None:
    """School Stream's ``Contact1FirstName``, as ``Contact 1 First Name``."""
    values = ["p@example.org"] if "Email" in header else ["Anna"]
    assert _match({"StudentID": NUMBERS, header: values}).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("user_given_name", "student.first_name"),
        ("user_family_name", "student.last_name"),
        ("user_email", "student.email"),
        ("user_gender", "student.gender"),
    ],
)
def test_the_word_user_before_a_field_names_the_rows_person(header: str, target: str) -> None:
    """KidsLoop's ``user_given_name``: the user is the row's person, as "person" is."""
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "entity", "values", "target"),
    [
        ("role_name", "student", ["Learner", "Instructor"], "student._role"),
        ("Primary Role", "student", ["Student", "Teacher"], "student._role"),
        ("role_name", "staff", ["Instructor", "Student"], "staff._role"),
        ("Primary Role", "staff", ["Teacher", "Support Staff"], "staff.roles"),
    ],
)
def test_a_role_name_or_primary_role_is_the_role(
    header: str, entity: EntityKind, values: list[str], target: str
) -> None:
    """Brightspace's ``role_name``, Gibbon's ``Primary Role``: the row's kind, or functions."""
    key = "ID" if entity == "student" else "Staff ID"
    assert _match({key: NUMBERS, header: values}, entity).targets.get(header) == target


UPNS = ["A123456789012", "H801200001001", "K100200300400", "M900800700600"]


def test_the_only_pupil_number_of_a_file_without_a_key_is_the_key() -> None:
    """A column that may be the key or the pupil's number, alone in its file, is the key.

    Sparx's ``MIS/External ID`` (the UPN, for UK schools) is its file's only id.
    """
    mapping = _match({"First name": ["Daan", "Zoë"], "MIS/External ID": UPNS})
    assert mapping.targets["MIS/External ID"] == "student.key"
    assert "the file's only pupil number" in mapping["MIS/External ID"].evidence[-1]
    assert "student.key" not in mapping.missing


def test_a_pupil_number_beside_the_key_stays_the_pupil_number() -> None:
    """With an id column beside it, the number keeps its own field."""
    mapping = _match({"Student ID": NUMBERS[:4], "MIS/External ID": UPNS})
    assert mapping.targets["Student ID"] == "student.key"
    assert mapping.targets["MIS/External ID"] == "student.student_number"


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Kjønn", ["jente", "gutt"]),
        ("Kön", ["flicka", "pojke"]),
        ("Sexe", ["garçon", "fille"]),
        ("Geschlecht", ["Junge", "Mädchen"]),
        ("Sesso", ["maschio", "femmina"]),
        ("Gender", ["Female", "Male", "Not known"]),
    ],
)
def test_a_gender_column_in_the_words_of_its_language(header: str, values: list[str]) -> None:
    """The values count as gender codes in the words a record accepts (jente, G, Mädchen)."""
    mapping = _match({"Nummer": NUMBERS, header: values})
    assert mapping.targets.get(header) == "student.gender"
    assert "values fit gender" in mapping[header].evidence


def test_a_date_column_of_yyyymmdd_is_a_date_and_an_id_column_of_them_the_key() -> None:
    """US state reporting writes dates as 20130304; eight-digit numbers stay an id's values."""
    mapping = _match(
        {
            "Student ID": ["20100312", "20091101", "20110230"],
            "Date of Birth": ["20180415", "20191102", "20171231"],
        }
    )
    assert mapping.targets == {"Student ID": "student.key", "Date of Birth": "student.birth_date"}
    assert "values fit date" in mapping["Date of Birth"].evidence


# -- session 23, round 5: what generalises to tools never seen -------------------------------

DATES = ["12-03-2013", "01-11-2012", "23-06-2013"]
EMAILS = ["daan@school.example", "zoe@school.example", "mila@school.example"]


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("Kjønn", ["J", "G"], "student", "student.gender"),  # Norwegian jente, gutt
        ("Sexe", ["Fém.", "Masc."], "student", "student.gender"),
        ("geschlecht", ["3", "4"], "staff", "staff.gender"),  # SVWS' gender codes
        ("Date of Birth", ["2018年4月15日", "2019年11月2日"], "student", "student.birth_date"),
        ("grade", ["cours préparatoire", "cours moyen"], "group", "group.year"),
    ],
)
def test_an_exact_header_is_believed_over_values_of_no_telling_kind(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    """Values of another language's codes do not veto a header that names the field exactly."""
    key = {"student": "Student ID", "staff": "Staff ID", "group": "Class ID"}[entity]
    mapping = _match({key: NUMBERS[:2], header: values}, entity)
    assert mapping.targets.get(header) == target
    assert "the header names it" in mapping[header].evidence[-1]


def test_values_of_a_telling_kind_still_veto_an_exact_header() -> None:
    """A "Geslacht" column of e-mail addresses is no gender, however exact its name."""
    assert _match({"Student ID": NUMBERS[:3], "Geslacht": EMAILS})["Geslacht"].target is None


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("Nacimiento", DATES, "student.birth_date"),  # Spanish: birth
        ("datum_geboortedatum", DATES, "student.birth_date"),
        ("Fecha ingreso", DATES, "student.start_date"),  # Spanish: entry
        ("DatumEinschl", DATES, "student.start_date"),  # German: Einschulung
        ("admitted", DATES, "student.start_date"),
        ("privateMail", EMAILS, "student.email"),
        ("mailAcademique", EMAILS, "student.email"),
        ("genero", ["M", "F"], "student.gender"),
        ("Niveau", ["CP", "CE2", "CM1"], "student.year"),  # French primary levels
        ("NCyearActual", ["R", "4", "9"], "student.year"),
        ("Standing year level", ["Grade 11", "2nd Year"], "student.year"),
        ("Schulklasse", ["3A", "4B"], "student.homeroom"),
        ("GruppeBezeichnung", ["5a", "6b"], "student.homeroom"),
    ],
)
def test_a_family_word_with_values_of_its_kind_decides_a_weak_header(
    header: str, values: list[str], target: str
) -> None:
    """A word of a field's family (birth, ingreso, mail, niveau, klasse) and its kind's values."""
    mapping = _match({"Student ID": NUMBERS[:3], header: values})
    assert mapping.targets.get(header) == target, mapping[header]


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Nacimiento", ["Madrid", "Sevilla"]),  # a birthplace: the values are no dates
        ("Kolom7", EMAILS),  # values alone: no family word
        ("PupilPremiumFYStartDate", DATES),  # the start of something else
        ("Tutor Email Address", EMAILS),  # another person's address
        ("Niveau", ["3A", "4B"]),  # class codes are no year levels
        ("Maths Grades", ["7", "8", "6"]),  # a plural of a family word: marks, not a year group
    ],
)
def test_a_family_word_or_values_alone_map_nothing(header: str, values: list[str]) -> None:
    assert _match({"Student ID": NUMBERS[:3], header: values})[header].target is None


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("Type", ["Student", "Teacher"], "student", "student._role"),
        ("organization_role_name", ["Student", "Teacher"], "student", "student._role"),
        ("Kontotyp", ["Schüler*in", "Lehrkraft"], "student", "student._role"),
        ("profil", ["professeur", "directeur"], "staff", "staff.roles"),
        ("personalTyp", ["LEHRKRAFT"], "staff", "staff.roles"),
        ("Account Type", ["Student"], "student", None),  # tells no rows apart
        ("Type", ["A", "B"], "student", None),  # no role words
    ],
)
def test_a_role_word_with_role_values_is_the_role(
    header: str, values: list[str], entity: EntityKind, target: str | None
) -> None:
    key = "Student ID" if entity == "student" else "Staff ID"
    assert _match({key: NUMBERS[:2], header: values}, entity).targets.get(header) == target


def test_spanish_and_german_parents_words() -> None:
    """``Madre`` is guardian 1, ``Padre`` guardian 2 (as mother and father); ``Elternteil 1``."""
    mapping = _match(
        {
            "Student ID": NUMBERS[:2],
            "Email Madre": ["m@example.es", "n@example.es"],
            "Telefono Padre": ["612345678", "699112233"],
            "E-Mail-Adresse Elternteil 2": ["e@example.de", "f@example.de"],
        }
    )
    assert mapping.targets.get("Email Madre") == "guardian[1].email"
    assert mapping.targets.get("Telefono Padre") == "guardian[2].phone"
    assert mapping.targets.get("E-Mail-Adresse Elternteil 2") == "guardian[2].email"


@pytest.mark.parametrize(
    ("header", "target"),
    [("Nom Elève", "student.last_name"), ("Prénom Elève", "student.first_name")],
)
def test_a_pupil_word_after_a_field_in_french_or_spanish(header: str, target: str) -> None:
    assert _match({"Student ID": NUMBERS[:2], header: ["Berg", "Bakker"]}).targets[header] == target


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("Classes", ["7A, 7B", "8C"], "student", "student.groups"),  # plural of a class word
        ("Class name", ["7A Maths", "8C Science"], "staff", "staff.groups"),  # no homeroom
        ("Kursnamen", ["Mathe 1", "Deutsch 2"], "student", "student.groups"),
        ("Zusatzgruppen", ["ÜFA1", "ÜFA1+ÜFA2"], "student", "student.groups"),
        ("Learner Register Class", ["7A", "RB"], "student", "student.homeroom"),
    ],
)
def test_class_words_plurals_and_codes(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    key = "Student ID" if entity == "student" else "Staff ID"
    assert _match({key: NUMBERS[:2], header: values}, entity).targets.get(header) == target


@pytest.mark.parametrize("header", ["externKey", "KeyExtern", "EksternID", "Import-ID"])
def test_another_systems_id_is_the_pupils_number_never_the_key(header: str) -> None:
    mapping = _match({"Student ID": NUMBERS[:2], header: ["X-100", "X-101"]})
    assert mapping.targets.get(header) == "student.student_number"
    assert mapping.targets["Student ID"] == "student.key"


def test_a_preferred_surname_beside_a_plain_one_leaves_the_plain_one_the_last_name() -> None:
    mapping = _match(
        {"Staff ID": NUMBERS[:2], "Surname": SURNAMES[:2], "Preferred Surname": SURNAMES[:2]},
        "staff",
    )
    assert mapping.targets.get("Surname") == "staff.last_name"
    assert "Preferred Surname" not in mapping.targets


@pytest.mark.parametrize(
    ("columns", "header", "target"),
    [
        ({"pref_first_name": ["Daan", "Zoë"]}, "pref_first_name", "student.first_name"),
        ({"ULN": ["1234567890", "2345678901"]}, "ULN", "student.student_number"),
        # An empty column of a template (Ziber's): as sure as the pupil's own id would be.
        ({"parent_1_id": ["", ""]}, "parent_1_id", "guardian[1].key"),
    ],
)
def test_short_words_national_numbers_and_a_guardians_id(
    columns: dict[str, list[str]], header: str, target: str
) -> None:
    """``pref`` is preferred; England's ULN a nation's number; a parent's id its key."""
    assert _match({"Student ID": NUMBERS[:2], **columns}).targets.get(header) == target


def test_an_id_alias_followed_by_number_is_that_id() -> None:
    assert _match({"UPN number": UPNS[:2], "Surname": SURNAMES[:2]}).targets["UPN number"] == (
        "student.key"
    )


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("Wunschlogin", ["mue", "schm"], "staff.username"),  # linuxmuster.net
        ("Inlognummer", ["r0123456", "r0123457"], "staff.username"),
        ("Logins", ["12", "7"], None),  # a count of logins
        ("Last login", ["2024-01-02", "2024-02-03"], None),  # when, not who
        ("Login type", ["sso", "sso", "local", "sso", "sso", "local"], None),  # no one's
    ],
)
def test_a_login_word_with_logins_of_letters_is_the_username(
    header: str, values: list[str], target: str | None
) -> None:
    mapping = _match({"Staff ID": NUMBERS[:2], header: values}, "staff")
    assert mapping.targets.get(header) == target


@pytest.mark.parametrize("header", ["Student Number", "Username", "Email"])
def test_an_identifying_column_of_odd_values_is_never_believed_on_its_name(header: str) -> None:
    """An exact ``Student Number`` of values no id has (names shifted into it): no key, nor
    a login or an address a key would be made from."""
    mapping = _match({header: ["Zoë Noël", "Noël Çelik"], "Surname": SURNAMES[:2]})
    assert header not in mapping.targets


@pytest.mark.parametrize(
    ("columns", "header", "target"),
    [
        # Alone, a bare name holds the full name in one cell: neither half.
        ({"Fiche": NUMBERS[:2], "Nom": ["Jean Dupont", "Awa Diallo"]}, "Nom", None),
        ({"Leerlingnr": NUMBERS[:2], "Naam ouder": ["Eva de Vries", "Ali Kaya"]},
         "Naam ouder", None),
        # Beside a first name of the same person, it is the surname.
        ({"Fiche": NUMBERS[:2], "Nom": SURNAMES[:2], "Prénom": ["Jean", "Awa"]},
         "Nom", "student.last_name"),
        ({"Leerlingnr": NUMBERS[:2], "Naam ouder": SURNAMES[:2], "Voornaam ouder": ["Eva", "Ali"]},
         "Naam ouder", "guardian[1].last_name"),
        # A first name under a header no rule of names knows still counts: the scores decide.
        ({"Fiche": NUMBERS[:2], "Nom": SURNAMES[:2], "Prénom élève": ["Jean", "Awa"]},
         "Nom", "student.last_name"),
        # The pupil's first name is no guardian's: "Naam ouder" beside it is a full name.
        ({"Leerlingnr": NUMBERS[:2], "Voornaam": ["Daan", "Zoë"], "Naam ouder": ["Eva de Vries"]},
         "Naam ouder", None),
    ],
)  # fmt: skip
def test_a_bare_name_without_a_first_name_beside_it_is_a_full_name(
    columns: dict[str, list[str]], header: str, target: str | None
) -> None:
    """F-teXpress's ``Nom`` alone holds "Jean Dupont": mapped to the surname, every full name
    would land there. It stays a suggestion, and says why."""
    mapping = _match(columns)
    assert mapping.targets.get(header) == target
    if target is None:
        assert "perhaps the full name in one cell" in "; ".join(
            "; ".join(candidate.evidence) for candidate in mapping[header].candidates
        )


@pytest.mark.parametrize(
    ("header", "values"),
    [("section", ["A", "C", "B"]), ("Klas", ["A", "B", "C"]), ("Class id", ["A", "3", "B"])],
)
def test_a_class_column_of_single_characters_is_no_class(header: str, values: list[str]) -> None:
    """Italy's ``section`` of A, C beside the year, EdVal's class line: a homeroom ``A`` would
    join the A classes of every year in one class."""
    mapping = _match({"Student ID": NUMBERS[:4], "year": ["1", "3"], header: values})
    assert header not in mapping.targets
    assert _match({"Student ID": NUMBERS[:2], header: ["3A", "1C"]}).targets[header] in (
        "student.homeroom",
        "student.groups",
    )


def test_a_bare_guid_beside_an_id_that_names_the_row_kind_leaves_the_key_to_the_user() -> None:
    """NYC's exam registrations: ``StudentID`` is the pupil's, the bare ``GUID`` the row's;
    another system's bare GUID may be the person's. Neither is sure: a tie, no key."""
    named = _match({"GUID": GUIDS, "StudentID": NUMBERS, "LastName": SURNAMES})
    assert "GUID" not in named.targets
    assert "StudentID" not in named.targets
    assert named.ties == (("student.key", ("GUID", "StudentID")),)
    # Beside a number, or an id that names nobody, the GUID still holds the key.
    for other in ("Leerlingnummer", "Import-ID"):
        plain = _match({"GUID": GUIDS, other: NUMBERS, "Achternaam": SURNAMES})
        assert plain.targets["GUID"] == "student.key"


# -- session 24, round 6: the core vocabulary of the languages of Europe (words.toml) -------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Imię", "student.first_name"),  # Polish
        ("Nazwisko", "student.last_name"),
        ("Data urodzenia", "student.birth_date"),
        ("Płeć", "student.gender"),
        ("Klasa", "student.homeroom"),
        ("Identyfikator ucznia", "student.key"),
        ("Nazwa użytkownika", "student.username"),
        ("Imię matki", "guardian[1].first_name"),
        ("Nazwisko ojca", "guardian[2].last_name"),
        ("Email rodzica", "guardian.email"),
        ("Jméno", "student.first_name"),  # Czech
        ("Příjmení", "student.last_name"),
        ("Datum narození", "student.birth_date"),
        ("Pohlaví", "student.gender"),
        ("Třída", "student.homeroom"),
        ("Ročník", "student.year"),
        ("Uživatelské jméno", "student.username"),
        ("E-mail rodiče", "guardian.email"),
        ("Meno", "student.first_name"),  # Slovak
        ("Priezvisko", "student.last_name"),
        ("Dátum narodenia", "student.birth_date"),
        ("Trieda", "student.homeroom"),
        ("Priezvisko rodiča", "guardian.last_name"),
    ],
)
def test_west_slavic_school_words(header: str, target: str) -> None:
    """Polish, Czech and Slovak exports: names, dates, class, and whose (ucznia, rodiče)."""
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Vezetéknév", "student.last_name"),  # Hungarian
        ("Keresztnév", "student.first_name"),
        ("Születési dátum", "student.birth_date"),
        ("Neme", "student.gender"),
        ("Nem", "student.gender"),
        ("Osztály", "student.homeroom"),
        ("Évfolyam", "student.year"),
        ("Oktatási azonosító", "student.key"),
        ("Szülő e-mail címe", "guardian.email"),
        ("Etunimet", "student.given_names"),  # Finnish
        ("Kutsumanimi", "student.first_name"),
        ("Luokka", "student.homeroom"),
        ("Huoltajan puhelin", "guardian.phone"),
        ("Eesnimi", "student.first_name"),  # Estonian
        ("Perekonnanimi", "student.last_name"),
        ("Sünniaeg", "student.birth_date"),
        ("Lapsevanema e-post", "guardian.email"),
    ],
)
def test_hungarian_finnish_and_estonian_school_words(header: str, target: str) -> None:
    """Uralic exports: Hungarian (KRÉTA's kind of names), Finnish and Estonian ones."""
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Vārds", "student.first_name"),  # Latvian
        ("Uzvārds", "student.last_name"),
        ("Dzimšanas datums", "student.birth_date"),
        ("Vardas", "student.first_name"),  # Lithuanian
        ("Pavardė", "student.last_name"),
        ("Gimimo data", "student.birth_date"),
        ("Klasė", "student.homeroom"),
        ("Ime", "student.first_name"),  # Croatian, Bosnian, Serbian, Slovenian
        ("Prezime", "student.last_name"),
        ("Priimek", "student.last_name"),
        ("Datum rođenja", "student.birth_date"),
        ("Spol", "student.gender"),
        ("Ime roditelja", "guardian.first_name"),
        ("Prenume", "student.first_name"),  # Romanian
        ("Data nașterii", "student.birth_date"),
        ("Clasa", "student.homeroom"),
        ("Email părinte", "guardian.email"),
    ],
)
def test_baltic_south_slavic_and_romanian_school_words(header: str, target: str) -> None:
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Primer apellido", "student.last_name"),  # Spanish
        ("Curso", "student.year"),
        ("NIA", "student.key"),
        ("Fecha de alta", "student.start_date"),
        ("Fecha de baja", "student.end_date"),
        ("Cognoms", "student.last_name"),  # Catalan
        ("Data de naixement", "student.birth_date"),
        ("Correu electrònic", "student.email"),
        ("Usuari", "student.username"),
        ("Curs", "student.year"),
        ("Grup", "student.homeroom"),
        ("Correu pare", "guardian[2].email"),
        ("Apelidos", "student.last_name"),  # Galician
        ("Data de nacemento", "student.birth_date"),
        ("Izena", "student.first_name"),  # Basque
        ("Abizena", "student.last_name"),
        ("Jaiotze data", "student.birth_date"),
        ("Taldea", "student.homeroom"),
        ("Sobrenome", "student.last_name"),  # Portuguese
        ("Primeiro nome", "student.first_name"),
        ("Data de nascimento", "student.birth_date"),
        ("Turma", "student.homeroom"),
        ("Série", "student.year"),
        ("Número de matrícula", "student.key"),
        ("Email do responsável", "guardian.email"),
    ],
)
def test_iberian_school_words(header: str, target: str) -> None:
    """Spanish, Catalan, Galician, Basque and Portuguese (Portugal, Brazil) exports."""
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Céadainm", "student.first_name"),  # Irish
        ("Sloinne", "student.last_name"),
        ("Dáta breithe", "student.birth_date"),
        ("Enw cyntaf", "student.first_name"),  # Welsh
        ("Cyfenw", "student.last_name"),
        ("Dyddiad geni", "student.birth_date"),
        ("Dosbarth", "student.homeroom"),
        ("Blwyddyn", "student.year"),
        ("E-bost rhiant", "guardian.email"),
        ("Isem", "student.first_name"),  # Maltese
        ("Kunjom", "student.last_name"),
        ("Fornafn", "student.first_name"),  # Icelandic
        ("Eftirnafn", "student.last_name"),
        ("Noemnaam", "student.first_name"),  # Afrikaans
        ("Graad", "student.year"),
        ("Ouer e-pos", "guardian.email"),
    ],
)
def test_celtic_maltese_icelandic_and_afrikaans_school_words(header: str, target: str) -> None:
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Adı", "student.first_name"),  # Turkish: a dotless ı compares as an i
        ("Soyadı", "student.last_name"),
        ("SOYADI", "student.last_name"),
        ("Doğum Tarihi", "student.birth_date"),
        ("Cinsiyet", "student.gender"),
        ("Sınıf", "student.homeroom"),
        ("Öğrenci No", "student.key"),
        ("Veli Telefon", "guardian.phone"),
        ("NISN", "student.key"),  # Indonesian and Malay
        ("Tanggal Lahir", "student.birth_date"),
        ("Jenis Kelamin", "student.gender"),
        ("Kelas", "student.homeroom"),
        ("Nama depan", "student.first_name"),
        ("Nama belakang", "student.last_name"),
    ],
)
def test_turkish_indonesian_and_malay_school_words(header: str, target: str) -> None:
    assert _language_mapping(header, target).targets.get(header) == target


@pytest.mark.parametrize(
    "header",
    [
        "Imię i nazwisko",
        "Hasło",
        "Celé jméno",
        "Heslo",
        "Teljes név",
        "Jelszó",
        "Segundo apellido",
        "Nombre completo",
        "Contraseña",
        "Segon cognom",
        "Bigarren abizena",
        "Nome completo",
        "Senha",
        "Koko nimi",
        "Salasana",
        "Ad Soyad",
        "Nama lengkap",
        "Vollständiger Name",
        "Passwort",
        "Mot de passe",
        "Volledige naam",
        "Full Name",
    ],
)
def test_a_full_name_a_second_surname_or_a_password_is_no_field(header: str) -> None:
    """Such a header holds no field: it never takes a name or a login beside the others."""
    mapping = _match(
        {"ID": NUMBERS, "Vorname": ["Anna", "Jan"], "Nachname": SURNAMES, header: ["Anna Berg"]}
    )
    assert header not in mapping.targets


@pytest.mark.parametrize(
    ("columns", "header", "target"),
    [
        ({"Nom": ["Anna", "Jan"], "Cognoms": SURNAMES}, "Nom", "student.first_name"),  # Catalan
        ({"Nom": SURNAMES, "Prénom": ["Anna", "Jan"]}, "Nom", "student.last_name"),  # French
        ({"Nume": SURNAMES, "Prenume": ["Ana", "Ion"]}, "Nume", "student.last_name"),
        ({"Nome": ["Anna", "Luca"], "Cognome": SURNAMES}, "Nome", "student.first_name"),
        ({"Nome": ["Ana Souza", "João Silva"], "Turma": ["5A"]}, "Nome", None),  # Portuguese
        ({"Nombre": ["Ana Pérez García"], "Curso": ["1"]}, "Nombre", None),
        ({"Nama": ["Budi Santoso", "Siti Rahma"], "Kelas": ["7A"]}, "Nama", None),
        (  # Nuvola: the tutore's name beside the tutore's surname
            {"NOME TUTORE": ["Anna"], "COGNOME TUTORE *": SURNAMES},
            "NOME TUTORE",
            "guardian[1].first_name",
        ),
    ],
)
def test_a_bare_name_of_more_languages_is_the_other_half_or_the_full_name(
    columns: dict[str, list[str]], header: str, target: str | None
) -> None:
    """Catalan "Nom" is a first name, French "Nom" a surname: the other half decides."""
    assert _match({"ID": NUMBERS, **columns}).targets.get(header) == target


@pytest.mark.parametrize("header", ["PESEL", "Rodné číslo", "Isikukood", "Henkilötunnus"])
def test_a_national_identity_number_of_more_languages_is_no_id(header: str) -> None:
    mapping = _match({header: ["85010112345", "90020254321"], "Nazwisko": SURNAMES})
    assert header not in mapping.targets


def test_a_staff_and_a_guardians_file_read_the_languages_words_too() -> None:
    staff = _match({"ID": NUMBERS, "Imię": ["Anna"], "Nazwisko": SURNAMES, "Hasło": ["x"]}, "staff")
    assert staff.targets == {
        "ID": "staff.key", "Imię": "staff.first_name", "Nazwisko": "staff.last_name"
    }  # fmt: skip
    guardians = _match({"ID": NUMBERS, "Sukunimi": SURNAMES, "Puhelin": ["040 123"]}, "guardian")
    assert guardians.targets["Puhelin"] == "guardian.phone"


@pytest.mark.parametrize(
    ("columns", "entity", "header", "target"),
    [
        ({"Admission no|Student": NUMBERS}, "student", "Admission no|Student", "student.key"),
        (
            {"Employee number|Employee": NUMBERS, "First name|Employee": ["Anna"]},
            "staff",
            "Employee number|Employee",
            "staff.key",
        ),
        (
            {"ID": NUMBERS, "Email|Guardian": ["a.berg@example.com"]},
            "student",
            "Email|Guardian",
            "guardian[1].email",
        ),
    ],
)
def test_a_tables_name_after_a_pipe_says_whose_the_field_is(
    columns: dict[str, list[str]], entity: EntityKind, header: str, target: str
) -> None:
    """Fedena's "field|table" headers read as the field with whose in brackets."""
    assert _match(columns, entity).targets.get(header) == target


@pytest.mark.parametrize(
    ("header", "entity", "target"),
    [
        ("BOARDER PK", "student", "student.key"),  # a boarding school's pupil, its primary key
        ("STAFF PK", "staff", "staff.key"),
        ("teacher_localid", "staff", "staff.key"),  # the district's own id of any person
        ("parent_localid", "guardian", "guardian.key"),
    ],
)
def test_a_primary_key_or_a_local_id_of_any_kind_is_its_key(
    header: str, entity: EntityKind, target: str
) -> None:
    assert (
        _match({header: NUMBERS, "First name": ["Anna", "Jan"]}, entity).targets[header] == target
    )


@pytest.mark.parametrize(
    ("header", "entity", "values", "target"),
    [
        ("Joining date|Employee", "staff", ["02/22/2019", "01-07-2021"], "staff.start_date"),
        ("Date of Joining", "student", ["02/22/2019"], "student.start_date"),
        ("First Attendance", "student", ["2019-02-04"], "student.start_date"),
        ("Employee Position Name", "staff", ["Senior Teacher", "Librarian"], "staff.roles"),
        ("Designation", "staff", ["Senior Teacher", "Librarian"], "staff.roles"),
        ("Preferred Family Name", "student", SURNAMES, "student.last_name"),
    ],
)
def test_more_english_wordings_of_a_start_a_position_and_a_surname(
    header: str, entity: EntityKind, values: list[str], target: str
) -> None:
    """Indian English (Fedena's joining date, designation), New Zealand's (EnterNOW)."""
    key = "ID" if entity == "student" else "Staff ID"
    assert _match({key: NUMBERS, header: values}, entity).targets.get(header) == target


def test_a_class_word_with_a_plural_reference_lists_the_groups() -> None:
    mapping = _match({"ID": NUMBERS, "Class Names": ["4latin", "ESP2"]})
    assert mapping.targets.get("Class Names") == "student.groups"


_LANGUAGE_LISTS = frozenset(
    {"first_name", "given_names", "last_name", "birth_date", "gender", "email", "username",
     "homeroom", "year", "school", "site", "pupil_number", "start_date", "end_date", "phone",
     "mentor", "program", "relation", "abbreviation", "no_field", "national_id", "student",
     "staff", "guardian", "mother", "father"}
)  # fmt: skip


def test_every_language_table_holds_known_lists_of_whole_words() -> None:
    """words.toml's languages: known list names; a kind's and a parent's words are one word."""
    from edukoppel.mapping._normalise import normalise
    from edukoppel.mapping._words import words

    found = words()
    for language, lists in found.languages.items():
        assert set(lists) <= _LANGUAGE_LISTS, language
        for name in ("student", "staff", "guardian", "mother", "father"):
            for word in lists.get(name, ()):
                assert len(normalise(word).words) == 1, (language, name, word)
    mothers = {word for word, which in found.parents.items() if which == 1}
    assert not {word for word, which in found.parents.items() if which == 2} & mothers


def test_no_header_that_names_no_field_is_inside_a_name_or_login_alias() -> None:
    """A no-field header is an avoid word of the name fields: it must not hide an alias."""
    from edukoppel.mapping._catalogue import catalogue
    from edukoppel.mapping._normalise import compact
    from edukoppel.mapping._words import words

    no_field = {compact(word) for word in words().vocabulary("no_field")}
    national = {compact(word) for word in words().vocabulary("national_id")}
    for spec in catalogue().fields.values():
        forms = {form for _, form, _, _ in spec.forms}
        if spec.type in ("name", "username"):
            assert not {(a, f) for a in no_field for f in forms if a in f}, spec.target
        if spec.type == "identifier":
            assert not {(a, f) for a in national for f in forms if a in f}, spec.target


# -- session 25, round 7: rules from sets 15-17 once they were no longer blind --------------


@pytest.mark.parametrize("header", ["Nr", "Nummer", "numéro", "Reference number", "Referenz-ID"])
def test_a_files_only_bare_number_is_the_key_of_its_rows(header: str) -> None:
    """linuxmuster's ``Nr``, SACoche's ``numéro``, a hogeschool's ``Nummer``: nothing but a
    number, and the file's only id column. A staff file's is the staff members' key."""
    columns = {header: NUMBERS, "Achternaam": SURNAMES, "Voornaam": ["Daan", "Zoë"]}
    assert _match(columns).targets.get(header) == "student.key"
    assert _match(columns, entity="staff").targets.get(header) == "staff.key"


@pytest.mark.parametrize(
    "columns",
    [
        # A class list counts its pupils 1, 2, 3: no stable id.
        {"Nummer": [str(n) for n in range(1, 25)], "Achternaam": SURNAMES},
        # Beside the pupil's own number or key, a bare "nr" is something else (a house number).
        {"Leerlingnummer": NUMBERS, "nr": ["12", "7", "113"], "Achternaam": SURNAMES},
        {"p_persoon": NUMBERS, "nr": ["12A", "7"], "Achternaam": SURNAMES},
        # Two bare numbers: which is the pupil's, nothing says.
        {"Nr": NUMBERS, "Nummer": ["A-1", "A-2"], "Achternaam": SURNAMES},
    ],
)
def test_a_bare_number_is_no_key_beside_another_id_or_over_a_class_lists_counts(
    columns: dict[str, list[str]],
) -> None:
    mapping = _match(columns)
    bare = [column for column in columns if column.casefold() in ("nr", "nummer")]
    assert not [column for column in bare if mapping.targets.get(column) == "student.key"]


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("SecondParentEmail", ["eva@example.nl"], "guardian[2].email"),  # EarlyTree
        ("SecondParentFirstName", ["Eva", "Ali"], "guardian[2].first_name"),
        ("Tweede ouder e-mail", ["eva@example.nl"], "guardian[2].email"),
        ("Primer apellido Segundo tutor", SURNAMES, "guardian[2].last_name"),  # Séneca
        ("Parent First Name", ["Eva", "Ali"], "guardian[1].first_name"),  # "first": a name
        ("Primer apellido", SURNAMES, "student.last_name"),  # Spanish: a first surname
    ],
)
def test_an_ordinal_before_a_guardians_word_numbers_the_guardian(
    header: str, values: list[str], target: str
) -> None:
    assert _match({"Leerlingnummer": NUMBERS, header: values}).targets.get(header) == target


def test_a_numbered_tutor_is_a_guardian_never_the_mentor() -> None:
    """Séneca: ``Nombre Primer tutor`` beside ``Primer apellido Primer tutor`` is guardian 1's."""
    mapping = _match(
        {"Nº Id. Escolar": NUMBERS, "Primer apellido Primer tutor": SURNAMES,
         "Nombre Primer tutor": ["Ana", "Luis"], "Sexo Segundo tutor": ["H", "M"]}
    )  # fmt: skip
    assert mapping.targets["Primer apellido Primer tutor"] == "guardian[1].last_name"
    assert mapping.targets["Nombre Primer tutor"] == "guardian[1].first_name"
    assert mapping.targets["Sexo Segundo tutor"] == "guardian[2].gender"
    assert "student._mentor" not in mapping.targets.values()


def test_a_swedish_call_name_beside_the_first_names_makes_them_the_given_names() -> None:
    """Primus: ``Förnamn`` (Anna Maria) beside ``Tilltalsnamn`` (Maria), as Wisa's
    VOORNAAM beside ROEPNAAM."""
    mapping = _match({"Elevnummer": NUMBERS, "Förnamn": ["Anna Maria"], "Tilltalsnamn": ["Maria"]})
    assert mapping.targets["Förnamn"] == "student.given_names"
    assert mapping.targets["Tilltalsnamn"] == "student.first_name"


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("School Level", ["Middle School", "Upper School"], "student", "student.location"),
        ("Organisatienummer school", ["12AB", "07XY"], "staff", "staff.locations"),  # DUO
        ("School Level", ["Junior School", "All School"], "staff", "staff.locations"),
        # A school word over levels, or a previous school's names: no location.
        ("School Level", ["1", "2", "3"], "student", None),
        ("Vorige school", ["Basisschool De Regenboog", "OBS Het Anker"], "student", None),
    ],
)
def test_a_schools_word_over_school_names_or_brin_codes_is_the_location(
    header: str, values: list[str], entity: EntityKind, target: str | None
) -> None:
    key = "Leerlingnummer" if entity == "student" else "Personeelsnummer"
    assert _match({key: NUMBERS, header: values}, entity=entity).targets.get(header) == target


def test_a_german_account_type_of_gender_inclusive_roles_tells_pupils_from_teachers() -> None:
    """Sdui's ``Accounttyp`` of Schüler/in and Lehrer/in: the row's kind, read as such."""
    data = (
        "Vorname;Nachname;Accounttyp;E-Mail\n"
        "Anna;Berg;Schüler/in;anna@schule.example\n"
        "Jan;Jansen;Lehrer/in;jan@schule.example\n"
    ).encode()
    result = ek.read(data, name="sdui.csv")
    assert result.mapping is not None
    assert result.mapping.targets["Accounttyp"] == "student._role"
    assert [s.first_name for s in result.roster.students] == ["Anna"]
    assert [s.first_name for s in result.roster.staff] == ["Jan"]


@pytest.mark.parametrize(
    ("columns", "header", "target"),
    [
        ({"ID Étudiant": ["STU001", "STU002"], "Nom": SURNAMES[:2], "Prénom": ["Jean", "Awa"]},
         "ID Étudiant", "student.key"),
        ({"ID Étudiant": ["STU001"], "ID Parent": ["PAR001"]}, "ID Parent", "guardian[1].key"),
        ({"Leerlingnummer": NUMBERS, "Huidige klas": ["3A", "4B"]}, "Huidige klas",
         "student.homeroom"),
        # DUO's mbo layout: the opleiding followed, and the actual date of leaving.
        ({"Leerlingnummer": NUMBERS, "Gevolgde opleiding": ["25187"], "Leerweg": ["BOL"]},
         "Gevolgde opleiding", "student.program"),
        ({"Leerlingnummer": NUMBERS, "Werkelijke datum uitschrijving": ["31-07-2024"]},
         "Werkelijke datum uitschrijving", "student.end_date"),
    ],
)  # fmt: skip
def test_a_french_student_an_id_before_its_kind_and_the_current_one(
    columns: dict[str, list[str]], header: str, target: str
) -> None:
    assert _match(columns).targets.get(header) == target


def test_the_opleiding_followed_leaves_the_leerweg_unmapped() -> None:
    mapping = _match(
        {"Leerlingnummer": NUMBERS, "Gevolgde opleiding": ["25187"], "Leerweg": ["BOL", "BBL"]}
    )
    assert "Leerweg" not in mapping.targets


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("Né(e) le", ["13/04/2012"], "student", "student.birth_date"),  # PRONOTE
        ("Fecha di nacementu", ["2013-04-12"], "student", "student.birth_date"),  # Papiamento
        ("Zweig", ["Technik", "Wirtschaft"], "student", "student.program"),
        ("Studijní obor", ["Informační technologie"], "student", "student.program"),
        ("Filière", ["Générale", "Technologique"], "student", "student.program"),
        ("Ohjelma", ["Tietotekniikka"], "student", "student.program"),
        ("Parentesco", ["Madre", "Padre"], "guardian", "guardian.relation"),
        ("Gondviselő rokonsági foka", ["Anya", "Apa"], "guardian", "guardian.relation"),
        ("Gondviselő telefonszáma", ["+36 30 123 4567"], "guardian", "guardian.phone"),
        ("Ročník", ["1", "7"], "group", "group.year"),  # EduPage's classes
    ],
)
def test_more_words_of_the_languages_programmes_relations_and_a_groups_year(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    key = {"student": "Leerlingnummer", "guardian": "Oudernummer", "group": "Klascode"}[entity]
    keys = NUMBERS if entity != "group" else ["1A", "7B"]
    assert _match({key: keys, header: values}, entity=entity).targets.get(header) == target


@pytest.mark.parametrize(
    ("columns", "header", "target"),
    [
        # IBIS: a pupil row's ART of Mutter and Vater; Nuvola: a guardians file's role of them.
        ({"Schülernummer": NUMBERS, "ART": ["Mutter", "Vater"]}, "ART", "guardian[1].relation"),
        ({"Oudernummer": NUMBERS, "RUOLO DEL TUTORE *": ["MADRE", "PADRE", "NONNA"]},
         "RUOLO DEL TUTORE *", "guardian.relation"),
        # iSchool: a parent's contact of phone numbers is the guardian's phone.
        ({"Leerlingnummer": NUMBERS, "parent_contact": ["+243 812 000 111", "+243 990 000 222"]},
         "parent_contact", "guardian[1].phone"),
        # A column of relatives' words under a header that names another field keeps it.
        ({"Leerlingnummer": NUMBERS, "ART": ["Regulier", "Gast"]}, "ART", None),
    ],
)  # fmt: skip
def test_a_guardians_relatives_or_phone_numbers_name_the_field_a_weak_header_does_not(
    columns: dict[str, list[str]], header: str, target: str | None
) -> None:
    entity: EntityKind = "guardian" if "Oudernummer" in columns else "student"
    assert _match(columns, entity=entity).targets.get(header) == target


def test_a_header_naming_the_class_and_the_groups_over_one_class_a_cell_is_the_homeroom() -> None:
    """Primus' ``Grupp/Klass`` of 6A, 9C: a pupil has one homeroom; a plural (``Class Names``)
    or a list in a cell still says groups."""
    assert _match({"Elevnummer": NUMBERS, "Grupp/Klass": ["6A", "9C"]}).targets["Grupp/Klass"] == (
        "student.homeroom"
    )
    listed = _match({"Elevnummer": NUMBERS, "Grupp/Klass": ["6A, 6B", "9C; 9D"]})
    assert listed.targets.get("Grupp/Klass") == "student.groups"


@pytest.mark.parametrize(
    ("header", "values", "entity", "target"),
    [
        ("NNAME", SURNAMES, "student", "student.last_name"),  # diklabu
        ("VNAME", ["Daan", "Zoë"], "student", "student.first_name"),
        ("Einddatum arbeidsrelatie", ["31-07-2024"], "staff", "staff.end_date"),  # DUO
        ("Einde dienstverband", ["31-07-2024"], "staff", "staff.end_date"),
        ("Signatur", ["ANLA", "PEJO"], "staff", "staff.abbreviation"),  # Skola24
        ("Skolans namn", ["Björkskolan"], "staff", "staff.locations"),
        ("Cod Meccanografico", ["VIIC81200X"], "student", "student.location"),  # Spaggiari
        ("InternalCode", ["CH-0042", "CH-0107"], "student", "student.key"),  # EarlyTree
        ("Other ID", ["2031457", "2029981"], "student", "student.key"),  # the only id
    ],
)
def test_german_abbreviations_employment_dates_and_more_school_words(
    header: str, values: list[str], entity: EntityKind, target: str
) -> None:
    columns = {header: values, "Achternaam": SURNAMES[:2], "Voornaam": ["Daan", "Zoë"]}
    if header in ("NNAME", "VNAME"):
        columns = {"Schülernummer": NUMBERS, header: values}
    elif not target.endswith(".key"):
        columns = {"Personeelsnummer" if entity == "staff" else "Leerlingnummer": NUMBERS,
                   header: values}  # fmt: skip
    assert _match(columns, entity=entity).targets.get(header) == target


def test_a_title_of_job_titles_is_the_roles_and_a_bare_title_is_none() -> None:
    """Most files' ``Title`` is a form of address (Gibbon, SIMON): only roles in it say roles."""
    bare = ek.match_columns(Table.from_rows(["Staff ID", "Title"], []), entity="staff")
    assert "Title" not in bare.targets
