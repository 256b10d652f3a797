"""The EDEXML / UWLR reader: official samples, mapping, hardening, refusals, safeguards."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.exceptions import MalformedFileError, UnsupportedFormatError

ROOT = Path(__file__).resolve().parents[2]
# ../shared next to the repository; a git worktree one level deeper looks one level up too.
SAMPLES = next(
    (
        folder / "shared" / "edexml-samples"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "edexml-samples").is_dir()
    ),
    ROOT.parent / "shared" / "edexml-samples",
)
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/ is not there")


def edex(body: str, *, school: str | None = None, root: str = "EDEX", attrs: str = "") -> bytes:
    header = (
        school
        if school is not None
        else "<school><schooljaar>2025-2026</schooljaar><peildatum>2025-10-01</peildatum>"
        "<brincode>99ZX</brincode><dependancecode>10</dependancecode></school>"
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><{root}{attrs}>{header}{body}</{root}>'.encode()


PUPILS = (
    '<groepen><groep key="1A"><naam>1A</naam><jaargroep>11</jaargroep></groep>'
    '<samengestelde_groep key="wi1"><naam>Wiskunde</naam></samengestelde_groep></groepen>'
    '<leerlingen><leerling key="00123" eckid="https://ketenid.nl/201703/ab">'
    "<achternaam>Berg</achternaam><voorvoegsel>van den</voorvoegsel>"
    "<voorletters-1>D</voorletters-1><roepnaam>Daan</roepnaam>"
    "<geboortedatum>2012-03-04</geboortedatum><geslacht>1</geslacht>"
    '<groep key="1A"/><samengestelde_groepen><samengestelde_groep key="wi1"/>'
    "</samengestelde_groepen><emailadres>Daan@School.NL</emailadres></leerling>"
    '<leerling key="00124"><roepnaam>Zoë</roepnaam><geslacht>2</geslacht>'
    "<jaargroep>12</jaargroep></leerling></leerlingen>"
    '<leerkrachten><leerkracht key="m42"><achternaam>Jansen</achternaam>'
    "<rol>DIR</rol><rolomschrijving>Zorgcoördinator</rolomschrijving>"
    '<groepen><groep key="1A"><rol>LRK</rol></groep><samengestelde_groep key="wi1"/>'
    "</groepen></leerkracht></leerkrachten>"
)


# -- official samples -----------------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize(
    ("path", "version", "counts"),
    [
        ("edexml-2.0/EDEXML.Voorbeeld.1.03.xml", "EDEXML 1.03", (3, 5, 3)),
        ("edexml-2.0/EDEXML.Voorbeeld.2.0.xml", "EDEXML 2.0", (3, 8, 3)),
        ("edexml-2.0/EDEXML.Voorbeeld.2.0-Vla.xml", "EDEXML 2.0", (3, 7, 3)),
        ("edexml-2.0/EDEXML.Voorbeeld.LVS_toevoeging.xml", "EDEXML 2.0", (1, 0, 0)),
        ("edexml-2.1/EDEXML.Voorbeeld.2.1.xml", "EDEXML 2.1", (3, 8, 3)),
        ("edexml-2.1/EDEXML.Voorbeeld.2.1-Vla.xml", "EDEXML 2.1", (3, 7, 3)),
    ],
)
def test_official_examples_read_with_the_expected_counts(
    path: str, version: str, counts: tuple[int, int, int]
) -> None:
    """Every official example reads without an error, with its pupils, groups and teachers."""
    result = ek.read(SAMPLES / path)
    assert "edexml" == result.format
    assert result.mapping is None
    assert result.table is None
    assert result.report.valid, str(result.report)
    roster = result.roster
    assert counts == (len(roster.students), len(roster.groups), len(roster.staff))
    assert version == result.report.detected["version"]
    assert "guardian" not in roster.provides


@needs_samples
def test_official_21_example_maps_to_the_model() -> None:
    """Names, roles per group, vestigingen, eckid and the leaver of the 2.1 example."""
    roster = ek.read(SAMPLES / "edexml-2.1/EDEXML.Voorbeeld.2.1.xml").roster
    wimpie = roster.students["00001"]
    assert ("Wimpie", None, "male", "4") == (
        wimpie.first_name,
        wimpie.last_name,
        wimpie.gender,
        wimpie.year,
    )
    assert ("GRP4B", ("sg1", "sg2"), "VH") == (wimpie.homeroom, wimpie.groups, wimpie.location)
    assert wimpie.eckid is not None
    assert wimpie.eckid.startswith("https://id.school/")
    hof = roster.students["12345"]
    assert ("van 't", "Hof", True) == (hof.infix, hof.last_name, hof.archived)
    assert ("tal",) == roster.staff["LK1"].roles
    lia = roster.staff["LK3"]
    assert {("GRP4A", "owa"), ("GRP4A", "sta")} == {(g.group, g.role) for g in lia.groups}
    assert frozenset({"VH", "VB", "99ZZ00"}) == roster.scope.locations
    assert ek.School(brin="99ZZ", school_year="2014-2015", reference_date="2014-10-01") == (
        roster.school
    )


# -- mapping --------------------------------------------------------------------------------


def test_mapping_of_a_small_vo_file() -> None:
    """Names in three parts, VO jaargroep 11-16 as leerjaar, the group's year as fallback."""
    result = ek.read_edexml(edex(PUPILS), name="EDEX.XML")
    roster = result.roster
    daan, zoe = roster.students["00123"], roster.students["00124"]
    assert "Daan van den Berg" == daan.display_name
    assert ("1", "1A", ("wi1",), "99ZX10") == (daan.year, daan.homeroom, daan.groups, daan.location)
    assert "daan@school.nl" == daan.email
    assert ("Zoë", None, "female", "2") == (zoe.first_name, zoe.last_name, zoe.gender, zoe.year)
    groups = roster.groups
    assert ("homeroom", "1", "2025-2026") == (
        groups["1A"].kind,
        groups["1A"].year,
        groups["1A"].school_year,
    )
    assert "composite" == groups["wi1"].kind
    jansen = roster.staff["m42"]
    assert ("dir", "zorgcoördinator") == jansen.roles
    assert {("1A", "lrk"), ("wi1", "docent")} == {(g.group, g.role) for g in jansen.groups}
    assert ek.Scope(locations={"99ZX10"}, school_year="2025-2026") == roster.scope
    summary = result.report.by_code("edexml-school")[0].message
    assert "99ZX10" in summary
    assert "2025-2026" in summary
    assert {"school": "99ZX", "location": "99ZX10", "school_year": "2025-2026"}.items() <= (
        result.report.detected.items()
    )


def test_combination_group_takes_the_pupils_own_jaargroep() -> None:
    """A 'C' group: each pupil's own jaargroep first, and no year from the group itself."""
    body = (
        '<groepen><groep key="34"><naam>Groep 3/4</naam><jaargroep>C</jaargroep></groep>'
        "</groepen><leerlingen>"
        '<leerling key="1"><roepnaam>A</roepnaam><jaargroep>3</jaargroep><groep key="34"/>'
        '</leerling><leerling key="2"><roepnaam>B</roepnaam><groep key="34"/></leerling>'
        "</leerlingen>"
    )
    roster = ek.read_edexml(edex(body)).roster
    assert "C" == roster.groups["34"].year
    assert ("3", None) == (roster.students["1"].year, roster.students["2"].year)


def test_empty_elements_are_absent_and_old_names_are_understood() -> None:
    """`<voorvoegsel/>` is no value; the pre-1.0 `tussenvoegsel` still gives the infix."""
    body = (
        '<leerlingen><leerling key="1"><achternaam>Berg</achternaam><voorvoegsel/>'
        '<roepnaam> </roepnaam></leerling><leerling key="2"><achternaam>Vries</achternaam>'
        "<tussenvoegsel>de</tussenvoegsel></leerling></leerlingen>"
    )
    roster = ek.read_edexml(edex(body)).roster
    assert (None, None) == (roster.students["1"].infix, roster.students["1"].first_name)
    assert "de" == roster.students["2"].infix


def test_version_is_sniffed_from_the_content_not_from_xsdversie() -> None:
    """A 1.03-looking file that claims nothing is 1.03 and does not provide 2.0 fields."""
    body = '<leerlingen><leerling key="1"><achternaam>Berg</achternaam></leerling></leerlingen>'
    old = "<school><schooljaar>2005-2006</schooljaar><brincode>99ZX</brincode></school>"
    result = ek.read_edexml(edex(body, school=old))
    assert "EDEXML 1.03" == result.report.detected["version"]
    assert "email" not in result.roster.provides["student"]
    assert "eckid" not in result.roster.provides["student"]
    eck = (
        '<leerlingen><leerling key="1" eckid="x"><achternaam>B</achternaam></leerling></leerlingen>'
    )
    school = "<school><schooljaar>2025-2026</schooljaar><xsdversie>1.03</xsdversie></school>"
    assert "EDEXML 2.1" == ek.read_edexml(edex(eck, school=school)).report.detected["version"]


def test_dangling_references_and_dummy_keys_are_reported_not_fatal() -> None:
    """A pupil's groep pointing nowhere or at a samengestelde groep, a '#' key: issues."""
    body = (
        '<groepen><samengestelde_groep key="sg"><naam>x</naam></samengestelde_groep></groepen>'
        '<leerlingen><leerling key="#001"><achternaam>A</achternaam><groep key="nope"/>'
        '</leerling><leerling key="2"><achternaam>B</achternaam><groep key="sg"/>'
        '<samengestelde_groepen><samengestelde_groep key="gone"/></samengestelde_groepen>'
        "</leerling></leerlingen>"
        '<leerkrachten><leerkracht key="t"><achternaam>C</achternaam><groepen>'
        '<groep key="zz"/></groepen></leerkracht></leerkrachten>'
    )
    result = ek.read_edexml(edex(body), name="x.xml")
    roster = result.roster
    assert (None, None, ()) == (
        roster.students["#001"].homeroom,
        roster.students["2"].homeroom,
        roster.students["2"].groups,
    )
    dangling = result.report.by_code("edexml-dangling-reference")
    assert [("student", "homeroom"), ("student", "homeroom"), ("student", "groups"),
            ("staff", "groups")] == [(i.entity, i.field) for i in dangling]  # fmt: skip
    assert all(issue.row for issue in dangling)
    assert 1 == len(result.report.by_code("edexml-unstable-key"))


def test_a_value_the_model_refuses_is_reported_without_the_value() -> None:
    """A bad e-mail address and a bad date: the record is kept, the value is not shown."""
    body = (
        '<leerlingen><leerling key="1"><achternaam>Berg</achternaam>'
        "<geboortedatum>2012-02-31</geboortedatum><emailadres>nope-at-all</emailadres>"
        "</leerling></leerlingen>"
    )
    result = ek.read_edexml(edex(body), name="x.xml")
    issues = result.report.by_code("edexml-invalid-value")
    assert {"birth_date", "email"} == {issue.field for issue in issues}
    assert all(
        "nope-at-all" not in str(issue) and "2012-02-31" not in str(issue) for issue in issues
    )
    assert "Berg" == result.roster.students["1"].last_name


def test_vendor_extensions_are_skipped() -> None:
    """`toevoegingen` with an unknown xsi:type, even with EDEXML-like names inside, are skipped."""
    body = (
        '<leerlingen><leerling key="1"><achternaam>Berg</achternaam><toevoegingen>'
        '<blok xsi:type="VolgsysteemVOType"><code>x</code><groep key="fake"/></blok>'
        "</toevoegingen></leerling></leerlingen>"
    )
    attrs = ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    result = ek.read_edexml(edex(body, attrs=attrs))
    assert result.report.valid
    assert result.roster.students["1"].homeroom is None


@pytest.mark.parametrize(
    ("end", "archived"),
    [("2025-09-30", True), ("2025-10-01", True), ("2025-10-02", False), (None, False)],
)
def test_leaver_boundary(end: str | None, archived: bool) -> None:
    """An uitstroomdatum on or before the peildatum (2025-10-01) means not active."""
    element = f"<uitstroomdatum>{end}</uitstroomdatum>" if end else ""
    body = (
        f'<leerlingen><leerling key="1"><achternaam>A</achternaam>{element}</leerling></leerlingen>'
    )
    assert archived == ek.read_edexml(edex(body)).roster.students["1"].archived


def test_aanmaakdatum_is_the_reference_date_without_a_peildatum() -> None:
    """Without a peildatum, the day of aanmaakdatum (a dateTime, zone or not) is used."""
    school = (
        "<school><schooljaar>2025-2026</schooljaar><brincode>99ZX</brincode>"
        "<aanmaakdatum>2025-11-03T14:33:33Z</aanmaakdatum></school>"
    )
    body = '<leerlingen><leerling key="1"><achternaam>A</achternaam></leerling></leerlingen>'
    roster = ek.read_edexml(edex(body, school=school)).roster
    assert roster.school is not None
    assert dt.date(2025, 11, 3) == roster.school.reference_date
    assert frozenset({"99ZX00"}) == roster.scope.locations


# -- any order, any prefix, UWLR -------------------------------------------------------------

UWLR2 = "http://www.edustandaard.nl/leerresultaten/2/leerlinggegevens"


def _prefixed(xml: bytes, prefix: str) -> bytes:
    """The same document in the UWLR namespace, with `prefix` (empty: default namespace)."""
    text = xml.decode().replace('<?xml version="1.0" encoding="UTF-8"?>', "")
    text = text.replace("<EDEX>", "<leerlinggegevens>").replace("</EDEX>", "</leerlinggegevens>")
    if prefix:
        text = re.sub(r"<(/?)([a-z])", rf"<\1{prefix}:\2", text)
    declaration = f'xmlns{":" + prefix if prefix else ""}="{UWLR2}"'
    root = f"{prefix}:leerlinggegevens" if prefix else "leerlinggegevens"
    text = text.replace(f"<{root}>", f"<{root} {declaration}>", 1)
    return (
        '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
        f'<s:Body><x:leerlinggegevens_antwoord xmlns:x="{UWLR2}">{text}'
        "</x:leerlinggegevens_antwoord></s:Body></s:Envelope>"
    ).encode()


def _shuffled(xml: bytes, seed: int) -> bytes:
    from lxml import etree

    tree = etree.fromstring(xml)
    rng = random.Random(seed)
    for element in tree.iter():
        children = list(element)
        rng.shuffle(children)
        element[:] = children
    return bytes(etree.tostring(tree))


def _records(result: ek.ReadResult) -> dict[str, list[str]]:
    roster = result.roster
    kinds: tuple[ek.EntityKind, ...] = ("location", "group", "student", "staff")
    return {kind: sorted(map(repr, roster.records(kind))) for kind in kinds}


@given(prefix=st.sampled_from(["", "le", "leer", "ns0"]), seed=st.integers(0, 10_000))
def test_any_element_order_and_any_prefix_read_the_same(prefix: str, seed: int) -> None:
    """Shuffled children and a UWLR SOAP envelope with any prefix give the same records."""
    plain = ek.read_edexml(edex(PUPILS))
    shuffled = _shuffled(edex(PUPILS), seed)
    assert _records(plain) == _records(ek.read_edexml(shuffled))
    uwlr = ek.read_edexml(_prefixed(edex(PUPILS), prefix))
    assert _records(plain) == _records(uwlr)
    assert uwlr.report.detected["version"].startswith("UWLR 2")


@pytest.mark.parametrize("answer", ["geengegevens", "geenwijzigingen"])
def test_uwlr_no_data_is_not_an_error_and_archives_nothing(answer: str) -> None:
    """`geengegevens` / `geenwijzigingen`: an empty roster that provides nothing."""
    xml = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        f'<leerlinggegevens_antwoord xmlns="{UWLR2}"><{answer}/></leerlinggegevens_antwoord>'
        "</s:Body></s:Envelope>"
    ).encode()
    result = ek.read(xml, name="antwoord.xml")
    assert result.report.valid
    assert ["edexml-no-data"] == result.report.codes
    assert {} == dict(result.roster.provides)
    current = ek.Roster(students=[ek.Student(key="1")], source="import")
    assert all(not isinstance(c, ek.Archive) for c in ek.plan(current, result.roster).changes)


def test_uwlr_10_subgroups_and_gender_codes() -> None:
    """UWLR 1.0: subgroepen are composite groups, geslacht 3 ('vastgesteld onbekend') unknown."""
    ns = "http://www.edustandaard.nl/leerresultaten/1/leerlinggegevens"
    xml = (
        f'<leerlinggegevensantwoord xmlns="{ns}"><leerlinggegevens>'
        "<school><schooljaar>2025-2026</schooljaar><brincode>99ZX</brincode></school>"
        '<groepen><groep key="g"><naam>1a</naam><jaargroep>3</jaargroep></groep></groepen>'
        '<subgroepen><subgroep key="s"><naam>plus</naam></subgroep></subgroepen>'
        '<leerlingen><leerling key="1"><achternaam>A</achternaam><geslacht>3</geslacht>'
        '<groep key="g"/><subgroepen><subgroep key="s"/></subgroepen></leerling></leerlingen>'
        "</leerlinggegevens></leerlinggegevensantwoord>"
    ).encode()
    result = ek.read_edexml(xml)
    pupil = result.roster.students["1"]
    assert ("unknown", "g", ("s",)) == (pupil.gender, pupil.homeroom, pupil.groups)
    assert "composite" == result.roster.groups["s"].kind
    assert "UWLR 1.0" == result.report.detected["version"]


# -- hardening ------------------------------------------------------------------------------

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE EDEX [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<EDEX><school><schooljaar>2025-2026</schooljaar></school><leerlingen><leerling key="1">
<achternaam>&lol9;</achternaam></leerling></leerlingen></EDEX>"""


def test_billion_laughs_is_refused() -> None:
    """Entity declarations are refused before any content is read."""
    with pytest.raises(MalformedFileError, match="DOCTYPE") as caught:
        ek.read(LAUGHS, name="bom.xml")
    assert "bom.xml" == caught.value.file


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    """An entity that points at a local file: refused, and its content appears nowhere."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711", encoding="utf-8")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE EDEX [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        "<EDEX><school><schooljaar>2025-2026</schooljaar></school><leerlingen>"
        '<leerling key="1"><achternaam>&x;</achternaam></leerling></leerlingen></EDEX>'
    ).encode()
    path = tmp_path / "school.xml"
    path.write_bytes(xml)
    with pytest.raises(MalformedFileError) as caught:
        ek.read(path)
    assert "TOP-SECRET" not in str(caught.value)


def test_external_dtd_is_refused_unloaded(tmp_path: Path) -> None:
    """A DOCTYPE with an external DTD (that would define an entity) is refused; not loaded."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY name "FROM-THE-DTD">', encoding="utf-8")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE EDEX SYSTEM "{dtd.as_uri()}"><EDEX><school>'
        "<schooljaar>2025-2026</schooljaar></school><leerlingen><leerling key='1'>"
        "<achternaam>&name;</achternaam></leerling></leerlingen></EDEX>"
    ).encode()
    with pytest.raises(MalformedFileError, match="DOCTYPE") as caught:
        ek.read_edexml(xml)
    assert "FROM-THE-DTD" not in str(caught.value)


def test_not_well_formed_xml_is_located() -> None:
    """A cut-off file: a MalformedFileError with the line, not lxml's traceback."""
    with pytest.raises(MalformedFileError, match=r"line \d+, column \d+") as caught:
        ek.read_edexml(edex(PUPILS)[:300], name="EDEX.XML")
    assert "EDEX.XML" == caught.value.file


# -- refusals -------------------------------------------------------------------------------


def test_other_xml_is_refused_with_its_root_element() -> None:
    """An XML document that is not EDEXML says what it is."""
    with pytest.raises(UnsupportedFormatError, match="root element <rss>"):
        ek.read(b"<?xml version='1.0'?><rss><channel/></rss>", name="school.xml")


def test_edex2000_text_and_zip_are_refused_saying_what_they_are() -> None:
    """EDEX2000 fixed-width text and a zip: by ek.read and by read_edexml."""
    lines = [
        "01SCHOOL    12AB    HET BAKEN                 20240901",
        "02LEERLING  000001  JANSEN                    20100503",
        "02LEERLING  000002  DE VRIES                  20091114",
        "02LEERLING  000003  BAKKER                    20100228",
    ]
    text = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    with pytest.raises(UnsupportedFormatError, match="EDEX2000"):
        ek.read(text, name="EDEXLL.TXT")
    with pytest.raises(UnsupportedFormatError, match="EDEX2000"):
        ek.read_edexml(text, name="EDEXLL.TXT")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("EDEX.XML", edex(PUPILS))
    with pytest.raises(UnsupportedFormatError, match="zip archive"):
        ek.read_edexml(buffer.getvalue(), name="export.zip")
    with pytest.raises(UnsupportedFormatError, match="zip archive"):
        ek.read(buffer.getvalue(), name="export.zip")


def test_mapping_options_do_not_apply_to_edexml() -> None:
    """ek.read(..., overrides=...) on an EDEXML file is misuse, said plainly."""
    with pytest.raises(TypeError, match="needs no column mapping"):
        ek.read(edex(PUPILS), name="EDEX.XML", overrides={"x": None})


def test_read_from_a_path_and_a_stream(tmp_path: Path) -> None:
    """Paths and binary streams read the same as bytes, with the file name in the report."""
    path = tmp_path / "EDEX.XML"
    path.write_bytes(edex(PUPILS))
    from_path = ek.read(path, source_name="las")
    with path.open("rb") as handle:
        from_stream = ek.read_edexml(handle, source_name="las")
    assert from_path.roster == from_stream.roster
    assert "las" == from_path.roster.source
    assert "EDEX.XML" == from_path.report.issues[-1].file


# -- safeguards -----------------------------------------------------------------------------


def _store_roster(location: str, year: str = "2025-2026") -> ek.Roster:
    return ek.Roster(
        school=ek.School(brin="99ZX", school_year=year),
        students=[ek.Student(key="x1", last_name="Elders", location=location, origin="las")],
        source="las",
    )


def test_a_file_of_one_location_never_archives_another() -> None:
    """A file of 99ZX10 leaves the pupils of 99ZX11 alone; its own absent pupils archive."""
    incoming = ek.read_edexml(edex(PUPILS), source_name="las").roster
    elsewhere = ek.plan(_store_roster("99ZX11"), incoming, policy=ek.SyncPolicy())
    assert not [c for c in elsewhere.changes if isinstance(c, ek.Archive)]
    here = ek.plan(_store_roster("99ZX10"), incoming, policy=ek.SyncPolicy())
    assert [("student", "x1")] == [
        (c.entity, c.key) for c in here.changes if isinstance(c, ek.Archive)
    ]


def test_another_school_year_or_school_blocks_the_plan() -> None:
    """Cito's confirmation step: a file of another school year or school is blocked."""
    incoming = ek.read_edexml(edex(PUPILS), source_name="las").roster
    last_year = ek.plan(_store_roster("99ZX10", "2024-2025"), incoming)
    assert "school-year-mismatch" in [reason.code for reason in last_year.blocked]
    other = ek.Roster(school=ek.School(brin="99AA", school_year="2025-2026"), source="las")
    assert "school-mismatch" in [reason.code for reason in ek.plan(other, incoming).blocked]


def test_guardians_are_never_archived_by_an_edexml_sync() -> None:
    """EDEXML provides no guardians, so the store's guardians are left alone."""
    incoming = ek.read_edexml(edex(PUPILS), source_name="las").roster
    current = ek.Roster(
        guardians=[ek.Guardian(key="v1", last_name="Berg", students=[ek.GuardianLink("00123")])],
        source="las",
    )
    changes = ek.plan(current, incoming).changes
    assert not [c for c in changes if c.entity == "guardian"]


def test_a_stepwise_uwlr_answer_provides_only_what_it_carries() -> None:
    """`leerlinggegevens-leerlingen` (school + pupils): no groups provided, none reported."""
    xml = (
        f'<x:leerlingen_antwoord xmlns:x="{UWLR2}"><x:leerlinggegevens-leerlingen>'
        "<x:school><x:schooljaar>2025-2026</x:schooljaar><x:brincode>99ZX</x:brincode></x:school>"
        '<x:leerlingen><x:leerling key="1"><x:achternaam>A</x:achternaam><x:groep key="1A"/>'
        "</x:leerling></x:leerlingen></x:leerlinggegevens-leerlingen></x:leerlingen_antwoord>"
    ).encode()
    result = ek.read_edexml(xml)
    assert {"location", "student"} == set(result.roster.provides)
    assert "homeroom" not in result.roster.provides["student"]
    assert not result.report.by_code("edexml-dangling-reference")


class _OpenedWatch:
    """A named pipe that notices when anything opens it for reading.

    A thread keeps trying to open the pipe's writing end without blocking, which succeeds
    only while a reader has it open: then it writes ``content`` (so a parser that opened it
    goes on) and records that the file was opened.
    """

    def __init__(self, path: Path, content: bytes) -> None:
        import os
        import threading

        os.mkfifo(path)
        self.uri = path.as_uri()
        self.path = path
        self.content = content
        self.opened = False
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        import os
        import time

        while self.running:
            try:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.002)
                continue
            self.opened = True
            try:
                os.write(descriptor, self.content)
            except BrokenPipeError:
                pass  # the reader closed its end before reading all: opened is what counts
            finally:
                os.close(descriptor)

    def stop(self) -> bool:
        self.running = False
        self.thread.join()
        return self.opened


def _entity_document(padding: int, dtd: str, entity: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!--{"x" * padding}-->'
        f'<!DOCTYPE EDEX SYSTEM "{dtd}" [<!ENTITY e SYSTEM "{entity}">]>'
        "<EDEX><school><schooljaar>2025-2026</schooljaar></school><leerlingen>"
        '<leerling key="1"><achternaam>&e;</achternaam></leerling></leerlingen></EDEX>'
    ).encode()


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("padding", [0, 5000], ids=["short-prolog", "doctype-after-4k"])
def test_external_dtds_and_entities_are_never_opened(padding: int, tmp_path: Path) -> None:
    """An external DTD and an external entity: refused, and neither file is ever opened.

    With a long comment first, the DOCTYPE is beyond the first 4096 bytes and the parser's
    own report of it (not the quick look at the head) refuses the file.
    """
    dtd = _OpenedWatch(tmp_path / "evil.dtd", b'<!ENTITY d "FROM-DTD">')
    entity = _OpenedWatch(tmp_path / "secret.txt", b"TOP-SECRET")
    try:
        with pytest.raises(MalformedFileError, match="DOCTYPE"):
            ek.read(_entity_document(padding, dtd.uri, entity.uri), name="school.xml")
    finally:
        opened = (dtd.stop(), entity.stop())
    assert (False, False) == opened


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
def test_the_open_watch_sees_a_parser_that_loads(tmp_path: Path) -> None:
    """The watch above can fail: a parser told to load DTDs and entities opens both."""
    from lxml import etree

    dtd = _OpenedWatch(tmp_path / "evil.dtd", b'<!ENTITY d "FROM-DTD">')
    entity = _OpenedWatch(tmp_path / "secret.txt", b"TOP-SECRET")
    try:
        parser = etree.XMLParser(load_dtd=True, resolve_entities=True)
        tree = etree.fromstring(_entity_document(0, dtd.uri, entity.uri), parser)
    finally:
        opened = (dtd.stop(), entity.stop())
    assert (True, True) == opened
    assert b"TOP-SECRET" in etree.tostring(tree)


def test_without_a_reference_date_every_pupil_is_active_and_a_warning_says_so() -> None:
    """No peildatum, no aanmaakdatum: an uitstroomdatum cannot be judged."""
    school = "<school><schooljaar>2025-2026</schooljaar><brincode>99ZX</brincode></school>"
    body = (
        '<leerlingen><leerling key="1"><achternaam>A</achternaam>'
        "<uitstroomdatum>2020-07-31</uitstroomdatum></leerling></leerlingen>"
    )
    result = ek.read_edexml(edex(body, school=school))
    assert not result.roster.students["1"].archived
    assert ["edexml-no-reference-date"] == [issue.code for issue in result.report.warnings]
