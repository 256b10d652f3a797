"""Finding the header row, and recognising template example rows and totals rows.

These are heuristics on the first and last rows of a table. Each one is documented in
``docs/reading.md`` with what it looks at, so that a surprising choice can be understood and
overridden (``header_row=``, ``skip_example_rows=False``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from edukoppel._i18n import Message, msg

__all__ = [
    "HEADER_SEARCH_ROWS",
    "clearly_a_header",
    "example_reason",
    "find_header",
    "is_totals_row",
    "keyword_score",
    "looks_like_data",
    "sheet_header",
]

HEADER_SEARCH_ROWS = 30
"""The header is looked for among the first this many non-empty rows."""

# Words that appear in the headers of Dutch (and some English) roster exports. A row that
# contains several of them is almost surely the header.
_KEYWORDS = frozenset(
    """
    leerling leerlingnummer leerlingnr llnr stamnummer stamnr nummer id bsn pgn onderwijsnummer
    naam achternaam voornaam voornamen roepnaam voorletters tussenvoegsel tussenvoegsels
    voorvoegsel geslacht geboortedatum gebdatum geboorteplaats klas klassen groep groepen
    jaarlaag leerjaar stamgroep lesgroep mentor email e-mail emailadres e-mailadres mail
    telefoon telefoonnummer mobiel adres straat huisnummer postcode woonplaats plaats
    ouder ouders verzorger medewerker medewerkers docent afkorting code functie rol
    school brin locatie vestiging schooljaar startdatum einddatum opleiding profiel
    student firstname lastname surname name gender birthdate class grade teacher username
    gebruikersnaam wachtwoord
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[a-z0-9@-]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_NUMBER_LIKE = re.compile(r"^[\s+-]*[\d.,/:\s-]+(?:[eE][+-]?\d+)?$")
_TOTALS = re.compile(
    r"^\s*(?:(?:eind|sub)?(?:totaal|totalen|total|totals)\b|(?:aantal|som|sum|count)\b[^\d:]*[:\d])",
    re.IGNORECASE,
)
# The word must open the cell, as a label ("Voorbeeld", "(voorbeeld)", "Voorbeeld: ...",
# "VOORBEELD - verwijderen"); inside a value it is data: "Het Voorbeeld College", an address
# at "leerling.voorbeeld.nl", "example@school.nl".
_EXAMPLE_WORD = re.compile(
    r"^[\W_]*(?:voorbeeld|bijvoorbeeld|bijv\.|example|sample)(?=$|[\s):;,!*\]\u2013-])",
    re.IGNORECASE,
)
_INSTRUCTION_TOKENS = frozenset(
    {
        "verplicht",
        "(verplicht)",
        "optioneel",
        "(optioneel)",
        "niet verplicht",
        "facultatief",
        "required",
        "optional",
        "dd-mm-jjjj",
        "dd-mm-yyyy",
        "jjjj-mm-dd",
        "yyyy-mm-dd",
        "dd/mm/jjjj",
        "dd/mm/yyyy",
        "tekst",
        "getal",
        "datum",
        "ja/nee",
        "j/n",
        "m/v",
        "m/v/x",
        "v/m",
    }
)
_PLACEHOLDER_NAMES = frozenset({"jan", "jansen", "piet", "puk", "pietje", "jantje", "test"})
# Jan Jansen is also a real (and common) name: a row of placeholder names is an example only
# with a sign that nobody real is meant: a made-up number (1234, 0000, 99999) or a name no
# pupil has (Pietje Puk, Test).
_UNREAL_NAMES = frozenset({"puk", "pietje", "jantje", "test"})
_MADE_UP_NUMBER = re.compile(r"^(?:0?1234\d*|(\d)\1{3,})$")
_MAX_HEADER_CELL = 80


def keyword_score(cells: Sequence[str]) -> int:
    """How many cells name a roster column (``leerlingnummer``, ``roepnaam``, ``klas``...)."""
    score = 0
    for cell in cells:
        words = set(_WORD.findall(cell.lower().replace("_", " ")))
        if words & _KEYWORDS or cell.strip().lower().replace(" ", "") in _KEYWORDS:
            score += 1
    return score


def _label_like(cell: str) -> bool:
    text = cell.strip()
    return bool(text) and len(text) <= _MAX_HEADER_CELL and not _NUMBER_LIKE.match(text)


def looks_like_data(cells: Sequence[str]) -> bool:
    """Whether a row taken as the header looks like a record instead: a missing header.

    It starts with a number (a student number), or it names no roster column and holds a
    number, a date or an e-mail address.

    Examples:
        >>> looks_like_data(["00123", "Daan", "Berg", "1HA"])
        True
        >>> looks_like_data(["Stamnr", "Roepnaam", "Achternaam", "Klas"])
        False
        >>> looks_like_data(["naam", "2023", "2024"])  # a header may name years
        False
        >>> looks_like_data(["Anna", "de Vries", "anna@school.nl"])
        True
        >>> looks_like_data(["00123", "Anna", "Groep 5"])  # a value may hold a roster word
        True
    """
    filled = _filled(cells)
    if len(filled) < 2:
        return False
    if _NUMBER_LIKE.match(filled[0].strip()):
        return True  # a header does not start with a number; a record may (a student number)
    return keyword_score(filled) == 0 and any(
        _NUMBER_LIKE.match(cell.strip()) or _EMAIL.match(cell.strip()) for cell in filled
    )


def _header_like(cells: Sequence[str]) -> bool:
    """Whether filled cells can be a header: all labels, or mostly labels naming roster columns.

    A header may have a few cells that are not labels (a year such as ``2024``, a long
    question in a consent column) when it names at least two roster columns.
    """
    others = sum(not _label_like(cell) for cell in cells)
    return others == 0 or (others * 3 <= len(cells) and keyword_score(cells) >= 2)


def _filled(cells: Sequence[str]) -> list[str]:
    return [cell for cell in cells if cell.strip()]


def clearly_a_header(cells: Sequence[str]) -> bool:
    """Whether a row can only be a header: all labels, two of them naming roster columns.

    This is the evidence needed when the row stands alone: the header of an export that
    selected nobody, under its title, is the only row that its delimiter splits.

    Examples:
        >>> clearly_a_header(["Leerlingnummer", "Roepnaam", "Achternaam", "Klas"])
        True
        >>> clearly_a_header(["Jansen", " Anna"])  # a name with a comma in a one-column file
        False
        >>> clearly_a_header(["Naam", "klas 2024"])  # a label may hold a number
        True
        >>> clearly_a_header(["Naam", "2024"])
        False
    """
    filled = _filled(cells)
    return all(_label_like(cell) for cell in filled) and keyword_score(filled) >= 2


def find_header(rows: Sequence[Sequence[str]]) -> int:
    """The index in ``rows`` of the header row.

    The header is the first row with at least two non-empty cells that all look like labels
    (not numbers or dates), which fills at least half as many cells as the rows under it, and
    which is not followed closely by a row naming clearly more roster columns. Title and
    instruction rows above it (one long cell, or a few cells) are skipped. A file with a single
    column uses its first non-empty row.

    Examples:
        >>> find_header([["Leerlingen 2024"], [], ["id", "naam"], ["001", "Anna"]])
        2
    """
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    filled = [len(_filled(row)) for row in rows]
    first_nonempty = next((i for i in range(len(rows)) if filled[i]), 0)
    if max(filled[:limit], default=0) <= 1:
        return first_nonempty
    candidates: list[int] = []
    for index in range(limit):
        cells = _filled(rows[index])
        if len(cells) < 2 or not _header_like(cells):
            continue
        below = [count for count in filled[index + 1 : index + 11] if count]
        typical = Counter(below).most_common(1)[0][0] if below else len(cells)
        if len(cells) * 2 >= typical:
            candidates.append(index)
    if not candidates:
        return first_nonempty
    best = candidates[0]
    best_score = keyword_score(rows[best])
    for index in candidates[1:]:
        if index - candidates[0] > 5:
            break
        score = keyword_score(rows[index])
        # A row with values in it ("Groep; 7; Schooljaar; 2024-2025") gives way to a row of
        # labels that names roster columns too: that one is the header.
        relaxed_best = not all(_label_like(cell) for cell in _filled(rows[best]))
        strict = all(_label_like(cell) for cell in _filled(rows[index]))
        if score >= best_score + 2 or (relaxed_best and strict and score >= 2):
            best, best_score = index, score
    return best


def sheet_header(
    head: Sequence[Sequence[str]], header_row: int | None, *, file: str, sheet: str
) -> tuple[int, str]:
    """The header's index among a sheet's first rows, and whether it was ``given`` or found.

    Raises:
        MalformedFileError: The rows are empty.
        ReaderError: ``header_row`` lies below them.
    """
    from edukoppel.exceptions import MalformedFileError, ReaderError

    if not any(any(cell.strip() for cell in row) for row in head):
        raise MalformedFileError(msg("refusal.empty-sheet"), file=file, sheet=sheet)
    if header_row is None:
        return find_header(head[: HEADER_SEARCH_ROWS * 2]), "detected"
    if header_row > len(head):
        raise ReaderError(
            msg("refusal.header-row-below-the-sheet", header_row=header_row, last=len(head)),
            file=file,
            sheet=sheet,
        )
    return header_row - 1, "given"


def example_reason(cells: Sequence[str], header: Sequence[str]) -> Message | None:
    """Why a row right under the header looks like a template's example row, or ``None``.

    Examples:
        >>> print(example_reason(["Voorbeeld", "Jan", "01-01-2010"], ["", "roepnaam", "geboren"]))
        a cell says 'voorbeeld' (example)
        >>> example_reason(["1234", "Anna", "01-01-2010"], ["id", "roepnaam", "geboren"]) is None
        True
        >>> example_reason(["1234", "anna@leerling.voorbeeld.nl"], ["id", "e-mail"]) is None
        True
    """
    filled = [cell.strip().lower() for cell in cells if cell.strip()]
    if not filled:
        return None
    if any(_EXAMPLE_WORD.match(cell) for cell in filled):
        return msg("example-row.says-example")
    instructions = sum(cell in _INSTRUCTION_TOKENS for cell in filled)
    if instructions >= 2 and instructions * 2 >= len(filled):
        return msg("example-row.instructions")
    echoes = sum(
        1
        for cell, name in zip(cells, header, strict=False)
        if cell.strip() and cell.strip().lower() == name.strip().lower()
    )
    if echoes >= 2:
        return msg("example-row.column-names")
    placeholders = {cell for cell in filled if cell in _PLACEHOLDER_NAMES}
    unreal = placeholders & _UNREAL_NAMES or any(_MADE_UP_NUMBER.match(cell) for cell in filled)
    if len(placeholders) >= 2 and unreal:
        return msg("example-row.placeholders")
    return None


def is_totals_row(cells: Sequence[str], *, is_last: bool) -> bool:
    """Whether a row at the bottom of a table is a totals row, not a person.

    A row whose first filled cell starts with ``Totaal`` or ``Total``, or with ``Aantal``,
    ``Som``, ``Sum`` or ``Count`` followed by a colon or a number; or, as the very last row,
    one lone number (not in the first column) under a table of three or more columns.

    Examples:
        >>> is_totals_row(["Totaal: 523 leerlingen", "", ""], is_last=True)
        True
        >>> is_totals_row(["", "", "523"], is_last=True)
        True
        >>> is_totals_row(["001", "Anna", "1a"], is_last=True)
        False
        >>> is_totals_row(["Som", "Anna", "1a"], is_last=True)
        False
    """
    filled = _filled(cells)
    if not filled:
        return False
    if _TOTALS.match(filled[0]):
        return True
    return (
        is_last
        and len(filled) == 1
        and len(cells) >= 3
        and not cells[0].strip()
        and bool(re.fullmatch(r"\s*\d+(?:[.,]\d+)?\s*", filled[0]))
    )
