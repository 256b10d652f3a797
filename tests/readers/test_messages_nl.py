"""The readers' issues and refusals in Dutch, and the same issue in English on request."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import edukoppel as ek
from edukoppel._i18n import Message
from edukoppel.readers._issues import MAX_ISSUES_PER_CODE

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _only(table: ek.Table, code: str) -> ek.Issue:
    (issue,) = table.report.by_code(code)
    return issue


def test_mojibake_in_dutch_and_in_english() -> None:
    data = "id;naam\n1;ZoÃ«\n2;Anna\n".encode()
    with ek.use_language("nl"):
        table = ek.read_table(data, name="export.csv")
        issue = _only(table, "mojibake")
        assert issue.message.startswith("'Ã«' (bedoeld: 'ë') is hoe een letter met een accent")
        assert "exporteer opnieuw als UTF-8" in issue.message
        assert str(issue).startswith("export.csv, rij 2, kolom 'naam': 'Ã«' (bedoeld: 'ë')")
        assert issue.message_in("en").startswith("'Ã«' (meant: 'ë') is how an accented letter")
        assert "Zo" not in issue.message  # the name itself is in no language's message
    assert issue.message.startswith("'Ã«' (meant: 'ë')")  # outside the block: English again


def test_ragged_rows_in_dutch() -> None:
    data = b"id;naam;klas\n1;Anna;1a\n2;Bram\n3;Cas;1b;extra\n"
    with ek.use_language("nl"):
        table = ek.read_table(data, name="scheef.csv")
        short, long = sorted(table.report.by_code("ragged-row"), key=lambda issue: issue.row or 0)
        assert short.message == (
            "de rij heeft 2 waarden waar de koptekst er 3 heeft: "
            "de ontbrekende cellen worden als leeg gelezen"
        )
        assert long.message.startswith(
            "de rij heeft meer waarden dan de 3 kolommen van de koptekst (4 waarden): een "
            "waarde bevat waarschijnlijk het scheidingsteken ';' zonder aanhalingstekens"
        )
        delimiter = _only(table, "delimiter-detected")
        assert delimiter.message.startswith("scheidingsteken puntkomma (';'): 3 kolommen op")
    assert short.message_in("en") == (
        "the row has 2 values where the header has 3: the missing cells are read as empty"
    )
    assert long.message_in("en").startswith("the row has values beyond the header's 3 columns")


def test_a_plural_follows_the_count_in_both_languages() -> None:
    table = ek.read_table(b"id\n1\n2;x\n", name="smal.csv", delimiter=";")
    (issue,) = table.report.by_code("ragged-row")
    assert "beyond the header's 1 column (2 values)" in issue.message_in("en")
    assert "dan de 1 kolom van de koptekst (2 waarden)" in issue.message_in("nl")


def test_example_row_in_dutch() -> None:
    data = b"Leerlingnummer;Roepnaam;Klas\nVoorbeeld;Jan;1a\n00123;Anna;1a\n"
    with ek.use_language("nl"):
        table = ek.read_table(data, name="sjabloon.csv")
        issue = _only(table, "example-row")
        assert issue.message == (
            "de rij lijkt op de voorbeeldrij van het sjabloon (een cel zegt 'voorbeeld') en is "
            "weggelaten. Verwijder de rij uit het bestand, of geef skip_example_rows=False op "
            "om hem te houden"
        )
    assert table.column("Leerlingnummer") == ["00123"]
    assert issue.message_in("en").startswith(
        "the row looks like the template's example (a cell says 'voorbeeld' (example))"
    )


def test_damaged_identifier_in_dutch() -> None:
    data = b"Leerlingnummer;Roepnaam\n1,23E+11;Anna\n00124;Bram\n"
    with ek.use_language("nl"):
        table = ek.read_table(data, name="excel.csv")
        issue = _only(table, "damaged-identifier")
        assert issue.severity == "error"
        assert issue.message.startswith(
            "een getal in wetenschappelijke notatie (1,23E+11): Excel heeft een lang getal"
        )
        assert "opgemaakt als Tekst" in issue.message
        encoding = _only(table, "encoding-detected")
        assert encoding.message == "codering utf-8: alleen ASCII, in elke codering hetzelfde"
    assert issue.message_in("en").startswith("a number in scientific notation (1,23E+11)")


def test_the_closing_issue_of_a_capped_code_in_dutch() -> None:
    rows = "".join(f"{n};1,{n}E+11\n" for n in range(MAX_ISSUES_PER_CODE + 3))
    with ek.use_language("nl"):
        table = ek.read_table(f"nr;id\n{rows}".encode(), name="veel.csv")
        closing = table.report.by_code("damaged-identifier")[-1]
        assert closing.row is None
        assert closing.message == (
            f"en nog 3 rijen met dit probleem (alleen de eerste {MAX_ISSUES_PER_CODE} "
            "worden getoond)"
        )
    assert closing.message_in("en") == (
        f"and 3 more rows with this problem (only the first {MAX_ISSUES_PER_CODE} are listed)"
    )


def test_every_issue_a_reader_writes_is_a_catalog_message() -> None:
    data = (
        "sep=;\r\nLeerlingen\r\nLeerlingnummer;Roepnaam;;Geboortedatum;Roepnaam\r\n"
        "00123;ZoÃ«;;03-05-2010;x\r\n;;;;\r\n124;Daan;;2009-11-14;y;z\r\nTotaal: 2;;;;\r\n"
    ).encode()
    table = ek.read_table(data, name="alles.csv")
    assert len(table.report.codes) >= 6
    for issue in table.report:
        assert isinstance(issue.text, Message), issue
        assert issue.message_in("nl") != issue.message_in("en"), issue
        again = ek.Issue.from_dict(issue.to_dict())
        assert again.message_in("nl") == issue.message_in("nl")


def test_encrypted_workbook_refusal_in_dutch() -> None:
    data = OLE + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50
    with ek.use_language("nl"), pytest.raises(ek.EncryptedFileError) as caught:
        ek.read_table(data, name="geheim.xlsx")
    error = caught.value
    assert error.message_in("nl").startswith(
        "geheim.xlsx: de werkmap kan alleen met een wachtwoord worden geopend: kies in Excel "
        "Bestand > Info > Werkmap beveiligen > Versleutelen met wachtwoord"
    )
    assert error.message_in("en").startswith(
        "geheim.xlsx: the workbook is protected with a password to open it"
    )
    with ek.use_language("nl"):
        assert str(error) == error.message_in("nl")
        assert error.reason.startswith("de werkmap")


def test_encrypted_ods_refusal_in_dutch(make_ods: Callable[..., bytes]) -> None:
    data = make_ods({"Blad1": [["id"], ["1"]]}, encrypted=True)
    with ek.use_language("nl"), pytest.raises(ek.EncryptedFileError) as caught:
        ek.read_table(data, name="geheim.ods")
    with ek.use_language("nl"):  # rendered when shown, in the language of that moment
        assert "(Bestand > Eigenschappen > Beveiliging)" in str(caught.value)
    assert "(File > Properties > Security)" in str(caught.value)


def test_a_pdf_renamed_csv_is_refused_in_dutch() -> None:
    with ek.use_language("nl"), pytest.raises(ek.UnsupportedFormatError) as caught:
        ek.read_table(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", name="leerlingen.csv")
    error = caught.value
    with ek.use_language("nl"):
        assert str(error) == (
            "leerlingen.csv: dit is een PDF-document, geen CSV-bestand of spreadsheet: vraag de "
            "lijst aan als CSV of Excel (.xlsx)"
        )
    assert str(error) == (
        "leerlingen.csv: this is a PDF document, not a CSV file or a spreadsheet: ask for the "
        "list as CSV or Excel (.xlsx)"
    )


def test_sizes_and_sheet_refusals_in_dutch(make_xlsx: Callable[..., bytes]) -> None:
    with pytest.raises(ek.FileTooLargeError) as too_large:
        ek.read_table(b"id;naam\n" + b"1;a\n" * 300_000, max_bytes=1_000_000)
    assert too_large.value.message_in("nl") == (
        "<bytes>: het bestand is groter dan de grens van 1,0 MiB "
        "(verhoog max_bytes= als het echt zo groot is)"
    )
    assert "the limit of 1.0 MiB" in too_large.value.message_in("en")
    workbook = make_xlsx({"Leerlingen": [["id"], ["1"]], "Medewerkers": [["id"], ["2"]]})
    with pytest.raises(ek.ReaderError) as no_sheet:
        ek.read_table(workbook, sheet=5)
    assert no_sheet.value.message_in("nl") == (
        "<bytes>: sheet=5: de werkmap heeft 2 bladen, genummerd vanaf 0: "
        "'Leerlingen', 'Medewerkers'"
    )
    assert no_sheet.value.message_in("en") == (
        "<bytes>: sheet=5: the workbook has 2 sheets, numbered from 0: 'Leerlingen', 'Medewerkers'"
    )
