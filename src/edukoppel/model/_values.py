"""Validation and normalisation of untrusted values at the model boundary.

Each ``*_converter(field)`` returns a converter for one field. A converter returns the clean
value or raises :class:`_Invalid`; the record class turns that into an
:class:`~edukoppel.InvalidValueError` naming the entity, the record's key and the field.
Nothing is coerced silently: an identifier given as a number is refused (its leading zeros
are already gone), a date that does not exist is refused.

What a refusal says is a catalog message (``messages/model.toml``, English and Dutch), made
only when a value is refused: converters run for every record, so a value that passes costs
no message. A refusal never repeats the value (it may be personal data), at most its type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from edukoppel._i18n import Message, msg

__all__ = [
    "Gender",
    "GroupKind",
    "normalise_brin4",
    "normalise_brin6",
    "normalise_school_year",
]

Gender = Literal["male", "female", "other", "unknown"]
GroupKind = Literal["homeroom", "teaching", "composite"]

T = TypeVar("T")


class _Invalid(Exception):
    """A converter's refusal: the field, what it expects and why (catalog messages)."""

    def __init__(self, field: str, expected: str | Message, detail: str | Message = "") -> None:
        self.field = field
        self.expected = expected
        self.detail = detail
        super().__init__(field, expected, detail)


_DAMAGED_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?[eE][+-]?\d+$|^\d+[.,]0+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BRIN4 = re.compile(r"^[0-9]{2}[A-Z0-9]{2}$")
_BRIN6 = re.compile(r"^[0-9]{2}[A-Z0-9]{2}[0-9]{2}$")
_SCHOOL_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{4})\s*$")
# A date may carry a time of day, as spreadsheets and APIs write one ("2013-03-04 13:45",
# "2013-03-04T00:00:00Z"). A local time is cut off, as from a datetime; a moment in a time
# zone only at midnight: "2013-03-03T23:00:00Z" is 4 March in Amsterdam, 3 March in London.
_TIME_OF_DAY = r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?"
_DATE_DMY = re.compile(rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){_TIME_OF_DAY}$")
_DATE_ISO = re.compile(rf"^(\d{{4}})([-/.])(\d{{2}})\2(\d{{2}}){_TIME_OF_DAY}$")
# ISO 8601's basic layout, as US state reporting writes a date (20130304). Only from 1900 to
# 2099: then a DDMMYYYY or MMDDYYYY date, whose third and fourth digits are 19 or 20, never
# reads as a month, so no date is read the wrong way round.
_DATE_COMPACT = re.compile(rf"^((?:19|20)\d{{2}})(\d{{2}})(\d{{2}}){_TIME_OF_DAY}$")

_GENDERS: dict[str, Gender] = {
    # M/V/X as in Dutch registrations, man/vrouw, jongen/meisje, English words,
    # EDEXML 0/1/2/9, Somtoday MAN/VROUW/ONBEKEND, and German exports' m/w/d
    # (männlich, weiblich, divers). Compared lower-case: add a code in lower case.
    "m": "male", "man": "male", "jongen": "male", "male": "male", "1": "male",
    "v": "female", "vrouw": "female", "meisje": "female", "female": "female", "f": "female",
    "2": "female", "w": "female", "weiblich": "female", "männlich": "male", "maennlich": "male",
    "d": "other",
    "x": "other", "anders": "other", "other": "other", "o": "other", "divers": "other",
    "onbekend": "unknown", "unknown": "unknown", "0": "unknown", "9": "unknown", "u": "unknown",
    "niet gespecificeerd": "unknown", "onbepaald": "unknown",
    # English exports' longer words.
    "not known": "unknown", "not specified": "unknown", "not_specified": "unknown",
    "prefer not to say": "unknown", "gender x": "other", "non-binary": "other",
    "nonbinary": "other",
    # German: Junge/Mädchen, and a form of address as the gender (Herr, Frau).
    "junge": "male", "mädchen": "female", "maedchen": "female", "herr": "male", "frau": "female",
    # French: garçon/fille, homme/femme, masculin/féminin, and a civilité (M., Mme, Mlle).
    # Not G: a garçon in French, a girl in English (B/G).
    "garçon": "male", "garcon": "male", "fille": "female", "homme": "male",
    "femme": "female", "masculin": "male", "féminin": "female", "feminin": "female",
    "m.": "male", "mme": "female", "mlle": "female",
    # Nordic: K for kvinne/kvinna/kvinde; gutt/jente, pojke/flicka, dreng/pige; Finnish too.
    "k": "female", "mann": "male", "kvinne": "female", "gutt": "male", "jente": "female",
    "kvinna": "female", "pojke": "male", "flicka": "female", "mand": "male",
    "kvinde": "female", "dreng": "male", "pige": "female", "mies": "male", "nainen": "female",
    "poika": "male", "tyttö": "female",
    # Italian, Spanish, Portuguese, Polish (K: kobieta). Not Spanish H/M (hombre/mujer): there
    # M is a woman, everywhere else a man.
    "maschio": "male", "femmina": "female", "masculino": "male", "femenino": "female",
    "feminino": "female", "hombre": "male", "mujer": "female", "niño": "male", "niña": "female",
    "mężczyzna": "male", "kobieta": "female",
    # More of Europe's words, with and without their accents (session 24). Not the single
    # letters of Turkish (E, erkek), Indonesian (L, P) or Hungarian (F is a férfi, a man).
    "chłopiec": "male", "chlopiec": "male", "dziewczynka": "female",  # Polish
    "muž": "male", "muz": "male", "žena": "female", "zena": "female",  # Czech, Slovak
    "chlapec": "male", "dívka": "female", "divka": "female", "dievča": "female",
    "dievca": "female",
    "férfi": "male", "ferfi": "male", "nő": "female", "fiú": "male", "fiu": "male",  # Hungarian
    "lány": "female", "lany": "female",
    "erkek": "male", "kız": "female", "kiz": "female", "kadın": "female",  # Turkish
    "kadin": "female",
    "mees": "male", "naine": "female",  # Estonian
    "vīrietis": "male", "virietis": "male", "sieviete": "female",  # Latvian
    "vyras": "male", "moteris": "female",  # Lithuanian
    "muški": "male", "muski": "male", "ženski": "female", "zenski": "female",  # Croatian
    "ž": "female",
    "bărbat": "male", "barbat": "male", "femeie": "female", "băiat": "male",  # Romanian
    "baiat": "male", "fată": "female",
    "home": "male", "dona": "female", "noi": "male", "noia": "female",  # Catalan
    "varón": "male", "varon": "male",  # Spanish
    "gizona": "male", "emakumea": "female", "mutila": "male", "neska": "female",  # Basque
    "homem": "male", "mulher": "female", "menino": "male", "menina": "female",  # Portuguese
    "ragazzo": "male", "ragazza": "female",  # Italian
    "manlik": "male", "vroulik": "female", "seun": "male", "dogter": "female",  # Afrikaans
    "gwryw": "male", "benyw": "female",  # Welsh
    "fireann": "male", "baineann": "female",  # Irish
    "karl": "male", "kona": "female", "kk": "male", "kvk": "female",  # Icelandic
    "laki-laki": "male", "perempuan": "female",  # Indonesian, Malay
}  # fmt: skip


def gender_codes() -> frozenset[str]:
    """Every gender code a record accepts, lower-case (the column matcher's evidence too).

    Examples:
        >>> {"v", "jente", "mme"} <= gender_codes()
        True
    """
    return frozenset(_GENDERS)


#: The words of a yes/no field, lower-case (shared with the column validation).
_YES = frozenset({"ja", "j", "yes", "y", "true", "waar", "1"})
_NO = frozenset({"nee", "n", "no", "false", "onwaar", "0"})


def _got(value: object) -> Message:
    """The detail of a value of the wrong type: its type's name, never the value."""
    return msg("invalid.got-type", type=type(value).__name__)


def _text_expected() -> Message:
    return msg("invalid.text-as-string")


def _identifier_expected() -> Message:
    return msg("invalid.identifier-as-string")


def _date_expected() -> Message:
    return msg("invalid.date-as-string")


def _clean_text(
    value: object, field: str, *, expected: Callable[[], Message] = _text_expected
) -> str | None:
    # `expected` makes the message only when the value is refused.
    if value is None:
        return None
    if type(value) is not str:
        if isinstance(value, str):
            value = str(value)
        else:
            raise _Invalid(field, expected(), _got(value))
    text = value.strip()
    return text or None


def text_converter(field: str) -> Callable[[object], str | None]:
    """Optional free text: stripped, empty becomes None."""

    def convert(value: object) -> str | None:
        if type(value) is str and value and not value[0].isspace() and not value[-1].isspace():
            return value
        return _clean_text(value, field)

    return convert


def _check_identifier(text: str, field: str) -> str:
    if ("e" in text or "E" in text or "." in text or "," in text) and _DAMAGED_NUMBER.match(text):
        raise _Invalid(
            field, msg("invalid.identifier-as-text"), msg("invalid.identifier-spreadsheet-damage")
        )
    return text


def identifier_converter(field: str) -> Callable[[object], str | None]:
    """Optional identifier: a string, stripped, leading zeros kept, never a number."""

    def convert(value: object) -> str | None:
        if isinstance(value, bool | int | float):
            raise _Invalid(field, msg("invalid.identifier-number"), _got(value))
        text = _clean_text(value, field, expected=_identifier_expected)
        return None if text is None else _check_identifier(text, field)

    return convert


def key_converter(field: str = "key") -> Callable[[object], str]:
    """A required identifier."""
    optional = identifier_converter(field)

    def convert(value: object) -> str:
        text = optional(value)
        if text is None:
            raise _Invalid(field, msg("invalid.identifier-empty"))
        return text

    return convert


def identifiers_converter(field: str) -> Callable[[object], tuple[str, ...]]:
    """A set of identifiers, stored as a sorted tuple without duplicates."""
    one = identifier_converter(field)

    def convert(value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str | bytes):
            raise _Invalid(field, msg("invalid.identifiers-single-string"))
        if not isinstance(value, Iterable):
            raise _Invalid(field, msg("invalid.identifiers"), _got(value))
        return tuple(sorted({text for text in map(one, value) if text is not None}))

    return convert


def email_converter(field: str) -> Callable[[object], str | None]:
    """An e-mail address, lower-cased so that comparisons ignore case."""

    def convert(value: object) -> str | None:
        text = _clean_text(value, field)
        if text is None:
            return None
        if not _EMAIL.match(text):
            raise _Invalid(field, msg("invalid.email"))
        return text.lower()

    return convert


def gender_converter(field: str) -> Callable[[object], Gender | None]:
    """A gender code from any source (M/V/X, man/vrouw, EDEXML 0/1/2/9, Somtoday MAN/VROUW)."""
    accepted = ", ".join(sorted({code.upper() for code in _GENDERS if len(code) <= 2}))

    def convert(value: object) -> Gender | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = _clean_text(value, field)
        if text is None:
            return None
        gender = _GENDERS.get(text.lower())
        if gender is None:
            raise _Invalid(field, msg("invalid.gender", codes=accepted))
        return gender

    return convert


def parse_date(value: object, field: str) -> dt.date | None:
    """A date from a date, a datetime, or text: YYYY-MM-DD, DD-MM-YYYY, YYYYMMDD.

    The first two with ``-``, ``/`` or ``.``; YYYYMMDD from 1900 to 2099.

    The text may end in a time of day (``04-03-2013 13:45``), which is cut off; a time in a
    time zone (``2013-03-04T00:00:00Z``) only at midnight, as another could be another day.

    Examples:
        >>> parse_date("2013/03/04", "birth_date"), parse_date("4-3-2013 00:00", "birth_date")
        (datetime.date(2013, 3, 4), datetime.date(2013, 3, 4))
        >>> parse_date("20130304", "birth_date")
        datetime.date(2013, 3, 4)
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _clean_text(value, field, expected=_date_expected)
    if text is None:
        return None
    if match := _DATE_ISO.match(text):
        (year, _, month, day), time = match.groups()[:4], match.groups()[4:]
    elif match := _DATE_DMY.match(text):
        (day, month, year), time = match.groups()[:3], match.groups()[3:]
    elif match := _DATE_COMPACT.match(text):
        (year, month, day), time = match.groups()[:3], match.groups()[3:]
    else:
        raise _Invalid(field, msg("invalid.date"))
    *clock, zone = time
    if zone is not None and any(part is not None and int(part) for part in clock):
        raise _Invalid(field, msg("invalid.date"), msg("invalid.date-zoned-time"))
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise _Invalid(field, msg("invalid.date"), msg("invalid.day-does-not-exist")) from None


def date_converter(field: str) -> Callable[[object], dt.date | None]:
    """An optional date (see :func:`parse_date`)."""

    def convert(value: object) -> dt.date | None:
        return parse_date(value, field)

    return convert


def bool_converter(field: str) -> Callable[[object], bool | None]:
    """An optional yes/no: True/False, ja/nee, yes/no, 1/0, waar/onwaar."""
    truthy, falsy = _YES, _NO

    def convert(value: object) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        text = _clean_text(value, field)
        if text is None:
            return None
        lowered = text.lower()
        if lowered in truthy:
            return True
        if lowered in falsy:
            return False
        raise _Invalid(field, msg("invalid.yes-no"))

    return convert


def choice_converter(field: str, choices: dict[str, T]) -> Callable[[object], T | None]:
    """One of a fixed set of values, given in any case (the error lists every accepted word)."""
    words: dict[str, list[str]] = {}
    for word, value in choices.items():
        words.setdefault(str(value), [])
        if word != str(value):
            words[str(value)].append(word)
    accepted = "; ".join(
        f"{value} ({', '.join(synonyms)})" if synonyms else value
        for value, synonyms in words.items()
    )

    def convert(value: object) -> T | None:
        text = _clean_text(value, field)
        if text is None:
            return None
        try:
            return choices[text.lower()]
        except KeyError:
            raise _Invalid(field, msg("invalid.one-of", choices=accepted)) from None

    return convert


def normalise_brin4(value: object, field: str = "brin") -> str | None:
    """A BRIN4 school code: two digits and two letters or digits, upper-cased ('99ZX').

    Examples:
        >>> normalise_brin4(" 99zx ")
        '99ZX'
    """
    text = _clean_text(value, field)
    if text is None:
        return None
    upper = text.upper()
    if not _BRIN4.match(upper):
        if _BRIN6.match(upper):
            raise _Invalid(field, msg("invalid.brin4-got-brin6"))
        raise _Invalid(field, msg("invalid.brin4"))
    return upper


def normalise_brin6(value: object, field: str = "brin6") -> str | None:
    """A BRIN6 location code: a BRIN4 and a two-digit location number ('99ZX10').

    Examples:
        >>> normalise_brin6("99zx10")
        '99ZX10'
    """
    text = _clean_text(value, field)
    if text is None:
        return None
    upper = text.upper()
    if not _BRIN6.match(upper):
        raise _Invalid(field, msg("invalid.brin6"))
    return upper


def normalise_school_year(value: object, field: str = "school_year") -> str | None:
    """A school year as 'YYYY-YYYY' (accepts 'YYYY/YYYY'); the years must follow each other.

    Examples:
        >>> normalise_school_year("2025/2026")
        '2025-2026'
    """
    text = _clean_text(value, field)
    if text is None:
        return None
    match = _SCHOOL_YEAR.match(text)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise _Invalid(field, msg("invalid.school-year"))
    return f"{match.group(1)}-{match.group(2)}"


def converter_for(function: Callable[[Any, str], T], field: str) -> Callable[[object], T]:
    """Bind a ``(value, field)`` normaliser to one field."""

    def convert(value: object) -> T:
        return function(value, field)

    return convert
