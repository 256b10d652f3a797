"""Every message in English and Dutch: the catalog is complete, consistent and used."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import edukoppel as ek
from edukoppel._i18n import LANGUAGES, Message, catalog, msg

SRC = Path(ek.__file__).parent
_FORMATTER = string.Formatter()


def _fields(template: str) -> set[tuple[str, str]]:
    """The parameters a template uses, with the parameter a `noun=` spec refers to."""
    used: set[tuple[str, str]] = set()
    for _, name, spec, _ in _FORMATTER.parse(template):
        if name is None:
            continue
        used.add((name, ""))
        if spec and spec.startswith("noun="):
            used.add((spec[5:], ""))
    return used


def _sources() -> dict[Path, str]:
    """The package's code, doctest examples left out (they show a host's own issues)."""
    sources = {}
    for path in SRC.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        code = [line for line in lines if not line.lstrip().startswith((">>>", "..."))]
        sources[path] = "\n".join(code)
    return sources


def test_every_message_has_an_english_and_a_dutch_text() -> None:
    for message_id, texts in catalog().items():
        assert set(texts) == set(LANGUAGES), message_id
        for language in LANGUAGES:
            assert texts[language].strip(), (message_id, language)


def test_both_texts_of_a_message_use_the_same_parameters() -> None:
    for message_id, texts in catalog().items():
        assert _fields(texts["en"]) == _fields(texts["nl"]), message_id


def test_the_dutch_texts_are_translations() -> None:
    """A Dutch text equal to the English one is allowed only for the few neutral ones."""
    neutral = {"identity.eckid", "noun.school", "noun.roster", "report.and"}
    same = {
        message_id
        for message_id, texts in catalog().items()
        if texts["en"] == texts["nl"] and not re.fullmatch(r"[{}\w:!=|.() '-]*", texts["en"])
    }
    assert same <= neutral


def test_every_message_id_in_the_code_is_in_the_catalog() -> None:
    missing = []
    for path, text in _sources().items():
        for message_id in re.findall(r"""\bmsg\(\s*["']([^"'{}]+)["']""", text):
            if message_id not in catalog():
                missing.append(f"{path.name}: {message_id}")
    assert missing == []


def _codes_in_the_code() -> set[str]:
    codes: set[str] = set()
    patterns = [
        r"""\bcode=["']([a-z0-9-]+)["']""",
        r"""collector\.add\(\s*["']([a-z0-9-]+)["']""",
        r"""\.add\(\s*\n?\s*["']([a-z][a-z0-9]*-[a-z0-9-]+)["']""",
    ]
    for text in _sources().values():
        for pattern in patterns:
            codes.update(re.findall(pattern, text))
    return codes


def test_every_issue_and_block_code_has_both_texts() -> None:
    """Each stable code has catalog messages (`code` or `code.variant`) in both languages."""
    ids = set(catalog())
    # A run log's store-error problem carries the store's own error text (already rendered).
    codes = _codes_in_the_code() - {"store-error"}
    assert {"duplicate-key", "archive-share", "empty-source", "ambiguous-match"} <= codes
    without = sorted(
        code for code in codes if code not in ids and not any(i.startswith(f"{code}.") for i in ids)
    )
    assert without == []


def test_no_literal_english_message_is_left_in_an_issue_or_a_block_reason() -> None:
    """Issues and block reasons made by edukoppel take a catalog message, not an f-string."""
    offenders = []
    for path, text in _sources().items():
        for match in re.finditer(r"""\b(?:Issue|BlockReason)\((?:[^()]|\([^()]*\))*\)""", text):
            call = match.group(0)
            if re.search(r"""message=\(?\s*f?["']""", call):
                offenders.append(f"{path.name}: {call[:60]}")
    assert offenders == []


# -- choosing the language -----------------------------------------------------------------


@pytest.fixture
def dutch() -> object:
    ek.set_language("nl")
    yield
    ek.set_language("en")


def _blocked_plan() -> ek.Changeset:
    store = ek.Roster(
        school=ek.School(brin="99ZX", school_year="2025-2026"),
        students=[ek.Student(key=f"{n:05d}", origin="las") for n in range(20)],
        source="store",
    )
    incoming = ek.Roster(
        school=ek.School(brin="99ZX", school_year="2026-2027"),
        students=[ek.Student(key="00001")],
        source="las",
    )
    return ek.plan(store, incoming)


def test_set_language_switches_every_message_of_a_plan(dutch: object) -> None:
    text = str(_blocked_plan())
    assert "GEBLOKKEERD" in text
    assert "Deze synchronisatie zou 19 van de 20 actieve leerlingen" in text
    assert "De bron is voor schooljaar 2026-2027" in text
    assert "95%" in text


def test_a_message_can_be_rendered_in_either_language_per_call() -> None:
    changeset = _blocked_plan()
    reason = changeset.blocked[0]
    assert reason.message_in("nl").startswith("De bron is voor schooljaar")
    assert reason.message_in("en").startswith("The source is for school year")
    assert changeset.render("nl").startswith("Wijzigingen vanuit 'las'")
    with ek.use_language("nl"):
        assert ek.get_language() == "nl"
        assert reason.message.startswith("De bron")
    assert ek.get_language() == "en"


def test_refusals_are_dutch_too(dutch: object) -> None:
    with pytest.raises(ek.BlockedPlanError) as blocked:
        ek.apply(_blocked_plan(), ek.MemoryStore())
    assert "het plan is geblokkeerd en niet bevestigd" in str(blocked.value)
    with pytest.raises(ek.InvalidValueError) as invalid:
        ek.Student(key="00123", birth_date="31-02-2010")
    assert str(invalid.value).startswith("leerling '00123', veld 'birth_date': verwacht")
    error = ek.EncryptedFileError(msg("apply.stale"), file="a.xlsx", sheet="Blad1", row=3)
    assert str(error) == (
        "a.xlsx, blad 'Blad1', rij 3: de opslag is gewijzigd sinds dit plan is gemaakt; "
        "maak een nieuw plan"
    )
    assert error.message_in("en").startswith("a.xlsx, sheet 'Blad1', row 3: the store")


def test_reports_in_dutch(dutch: object) -> None:
    report = ek.Report(
        [
            ek.Issue(code="blank-row", message=msg("report.none"), severity="info", row=4),
            ek.Issue(code="x", message="a host's own text stays as it is", severity="warning"),
        ]
    )
    assert str(report).splitlines() == [
        "1 waarschuwing en 1 opmerking",
        "  a host's own text stays as it is [x]",
        "  rij 4: geen meldingen [blank-row]",
    ]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="en, nl"):
        ek.set_language("de")  # type: ignore[arg-type]


def test_messages_survive_json_and_render_in_either_language_after() -> None:
    changeset = _blocked_plan()
    again = ek.Changeset.from_json(changeset.to_json())
    assert again == changeset
    assert again.render("nl") == changeset.render("nl")
    assert isinstance(again.blocked[0].text, Message)


# -- plurals and counts ----------------------------------------------------------------------


def test_report_headline_counts_by_severity() -> None:
    def headline(*severities: str) -> str:
        issues = [ek.Issue(code="c", message="m", severity=s) for s in severities]  # type: ignore[arg-type]
        return str(ek.Report(issues)).splitlines()[0]

    assert headline() == "no issues"
    assert headline("info", "info", "info") == "3 notes (no errors or warnings)"
    assert headline("error") == "1 error"
    assert headline("error", "warning", "warning", "info") == "1 error, 2 warnings and 1 note"


def test_counts_are_in_words_without_parenthesised_plurals() -> None:
    changeset = _blocked_plan()
    assert "(s)" not in str(changeset)
    one = ek.Table.from_rows(["a"], [["1"]])
    assert "1 row x 1 column," in repr(one)
