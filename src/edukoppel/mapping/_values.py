"""What a column's values look like: evidence for or against a field, beside its header.

:func:`profile` reads a sample of a column once and says, per value kind, the share of the
filled cells that look like it (e-mail addresses, dates, gender codes, class codes, leerjaar,
BRIN6, ECK iD, phone numbers, yes/no, usernames, names, identifiers). :func:`fit` turns that
into how well the column suits a field type, from 0 (the values contradict the field) to 1.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

import attrs

from edukoppel.mapping._words import plain
from edukoppel.mapping._words import words as word_lists
from edukoppel.model import EntityKind
from edukoppel.model._values import gender_codes

__all__ = ["SAMPLE_SIZE", "ValueProfile", "fit", "profile"]

SAMPLE_SIZE = 500
"""How many filled cells of a column are looked at (from the top)."""

_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE),
    # 04-03-2012, 4/3/12, 2012-03-04, 2021/08/16, 2012.03.04, with a time or not; a month
    # written as a word: 14-Mar-17, 4 mrt 2012, 14 March 2017.
    "date": re.compile(
        r"^(\d{1,2}[-/.]\d{1,2}[-/.](\d{2}|\d{4})|\d{4}([-/.])\d{1,2}\3\d{1,2}"
        r"|\d{1,2}[-/ .](jan|feb|mar|mrt|apr|may|mei|jun|jul|aug|sep|oct|okt|nov|dec)[a-z]*\.?"
        r"[-/ .](\d{2}|\d{4}))"
        r"([ T]\d{1,2}:\d{2}(:\d{2})?)?$",
        re.IGNORECASE,
    ),
    # 20130304: ISO's basic layout, as the records read it (1900 to 2099). Not telling: a
    # column of eight-digit pupil numbers looks the same. It fits a date field its header names.
    "compact_date": re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$"),
    # The dates the model reads (edukoppel.model's parse_date): DD-MM-YYYY and YYYY-MM-DD,
    # with "-", "/" or ".", with a time or not; YYYYMMDD from 1900 to 2099.
    "date_read": re.compile(
        r"^(\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}([-/.])\d{2}\2\d{2})([ T]\d{1,2}:\d{2}(:\d{2})?)?$"
        r"|^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$"
    ),
    # Mr, Ms., Mevr., Dhr., Dr: a form of address, which no field of the catalogue holds.
    "honorific": re.compile(r"^(mr|mrs|ms|miss|mx|dr|prof|sir|dhr|mevr|mw)\.?$", re.IGNORECASE),
    # The codes a record accepts, but not EDEXML's digits: a column of 1s and 2s is no
    # evidence of a gender.
    "gender": re.compile(
        "^({})$".format(
            "|".join(
                re.escape(code)
                for code in sorted(gender_codes(), key=lambda code: (-len(code), code))
                if not code.isdigit()
            )
        ),
        re.IGNORECASE,
    ),
    # 1HA, H2A, 3havo2, 4h.maatA, 2V_lo, B1c, 5VWO-B, Period 2 Science, ÜFA1: a short code or
    # name with digits and letters (of any language).
    "group": re.compile(r"^(?=.*\d)(?=.*[^\W\d_])[^\W_][\w.\-/ ]{0,23}$", re.IGNORECASE),
    # Several of them in one cell: "1HA; 2VB", "3havo2|3havo3", "Period 2 Science,Period 5 Lab",
    # "ÜFA1+ÜFA2".
    "group_list": re.compile(
        r"^(?=.*\d)(?=.*[^\W\d_])"
        r"[^\W_][\w.\-/ ]{0,23}(\s*[;,|+]\s*[^\W_][\w.\-/ ]{0,23})+$",
        re.IGNORECASE,
    ),
    # 3, groep 5, leerjaar 2, Grade 4, Year 7, Y07, 3rd, 2nd Year; K, KG, PK (kindergarten,
    # pre-k), R (England's reception year); a US college's class level (freshman ... senior);
    # France's primary levels (CP, CE1, CE2, CM1, CM2).
    "year": re.compile(
        r"^((groep|leerjaar|jaar|klas|grade|year|yr|gr|y)\.?\s*)?(0?[1-9]|1[0-3])(e|de|st|nd|rd|th)?"
        r"(\s+(year|grade))?$"
        r"|^(k|kg|pk|tk|r|pre-?k|kindergarten|reception|freshman|sophomore|junior|senior"
        r"|cp|ce1|ce2|cm1|cm2)$",
        re.IGNORECASE,
    ),
    "brin6": re.compile(r"^\d{2}[a-z]{2}\d{2}$", re.IGNORECASE),
    # The DfE's Unique Pupil Number (England, Wales): a check letter, 11 digits, and a digit
    # (a letter for a temporary one).
    "upn": re.compile(r"^[a-z]\d{11}[0-9a-z]$", re.IGNORECASE),
    "brin4": re.compile(r"^\d{2}[a-z]{2}$", re.IGNORECASE),
    # A school as a file names it: a BRIN (12AB, 12AB00) or a name with a school's word in it
    # (Middle School, OH HIGH SCHOOL, Lycée Pasteur, Basisschool De Regenboog).
    "school": re.compile(
        r"^(\d{2}[a-z]{2}(\d{2})?"
        r"|.*\b(school|schule|college|lyceum|lyc[eé]e|gymnasium|academy|acad[eé]mie|elementary"
        r"|basisschool|[eé]cole|escuela|scuola|liceo|istituto|escola|skola|skole|koulu)\b.*)$",
        re.IGNORECASE,
    ),
    "eckid": re.compile(r"^https?://(id\.)?ketenid\.nl/", re.IGNORECASE),
    "phone": re.compile(r"^(\+|00)?[\d\s\-()]{9,16}$"),
    "bool": re.compile(r"^(ja|nee|j|n|yes|no|y|true|false|waar|onwaar|0|1|x)$", re.IGNORECASE),
    # jdevries, s20481, JackT24, MilaJ: logins are compared without case, so capitals occur.
    "username": re.compile(r"^[a-z0-9][a-z0-9._\-]*[a-z0-9]$", re.IGNORECASE),
    "name": re.compile(r"^[^\d@/\\:;]{1,60}$"),
    "identifier": re.compile(r"^[0-9a-z][0-9a-z\-_. ]{0,39}$", re.IGNORECASE),
    # Several of them in one cell: "00123, 00999" (a guardian's children).
    "identifier_list": re.compile(
        r"^[0-9a-z][0-9a-z\-_.]{0,39}(\s*[;,|]\s*[0-9a-z][0-9a-z\-_.]{0,39})+$", re.IGNORECASE
    ),
    "digits": re.compile(r"^\d+$"),
    # 1, 7, 31: a number of three digits at most, as a class list counts its pupils.
    "short_number": re.compile(r"^\d{1,3}$"),
    # A, C, 3: one letter or digit, a class's section or timetable line rather than a class.
    "character": re.compile(r"^[^\W_]$"),
    "number": re.compile(r"^\d+([.,]\d+)?$"),
}


@cache
def role_words() -> dict[str, EntityKind]:
    """Role values and the kind of row each means (``mapping/roles.toml``).

    Examples:
        >>> role_words()["leerling"], role_words()["docent"]
        ('student', 'staff')
    """
    text = files("edukoppel.mapping").joinpath("roles.toml").read_text(encoding="utf-8")
    return {
        word: kind  # type: ignore[misc]
        for kind, words in tomllib.loads(text).items()
        for word in words
    }


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """The value kinds, with ``pupil_role`` and ``role`` (roles.toml's words).

    ``pupil_role``: a role value that says a row is a pupil's; ``role``: any role value.
    (A role column of a staff file that names no pupil says what each staff member does.)
    """
    pupils = [word for word, kind in role_words().items() if kind == "student"]
    pupil_role = re.compile(rf"^({'|'.join(map(re.escape, pupils))})$", re.IGNORECASE)
    role = re.compile(rf"^({'|'.join(map(re.escape, role_words()))})$", re.IGNORECASE)
    return {**_PATTERNS, "pupil_role": pupil_role, "role": role}


@attrs.frozen
class ValueProfile:
    """The share of a column's filled sample cells that look like each value kind.

    Attributes:
        filled: How many filled cells were looked at (0: the column is empty).
        shares: Per value kind (``email``, ``date``, ...), the share of them in [0, 1].
        distinct: The share of distinct values among them.
    """

    filled: int
    shares: dict[str, float] = attrs.field(eq=False)
    distinct: float

    def share(self, kind: str) -> float:
        """The share of cells that look like ``kind``."""
        return self.shares.get(kind, 0.0)


def profile(values: Sequence[str]) -> ValueProfile:
    """How a column's values look, from up to :data:`SAMPLE_SIZE` filled cells.

    Examples:
        >>> p = profile(["daan@school.nl", "Zoe@School.NL", ""])
        >>> p.filled, p.share("email")
        (2, 1.0)
    """
    sample: list[str] = []
    for value in values:
        text = value.strip()
        if text:
            sample.append(text)
            if len(sample) == SAMPLE_SIZE:
                break
    if not sample:
        return ValueProfile(filled=0, shares={}, distinct=0.0)
    count = len(sample)
    shares = {
        kind: sum(1 for text in sample if pattern.match(text)) / count
        for kind, pattern in _patterns().items()
    }
    shares["relative"] = _relatives_share(sample)
    return ValueProfile(filled=count, shares=shares, distinct=len(set(sample)) / count)


_FEW = 50  # a column of relatives holds a handful of words: more distinct values are none


def _relatives_share(sample: Sequence[str]) -> float:
    """The share of cells that name a guardian's relation (Mutter, MADRE, oma).

    Examples:
        >>> _relatives_share(["Mutter", "Vater", "Tante Eva"])
        0.6666666666666666
    """
    counts: dict[str, int] = {}
    for text in sample:
        counts[text] = counts.get(text, 0) + 1
        if len(counts) > _FEW:
            return 0.0
    relatives = word_lists().relatives
    return sum(n for text, n in counts.items() if plain(text) in relatives) / len(sample)


# Per field type: (the value kinds that fit, the share above which they count as a fit, and
# whether values of *other* telling kinds contradict the field).
_EXPECT: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "date": ("date", "compact_date"),
    "gender": ("gender",),
    "year": ("year",),
    "group": ("group", "digits"),
    "groups": ("group", "group_list", "digits"),
    "brin6": ("brin6",),
    "location": ("brin6", "group", "name", "digits"),
    "locations": ("brin6", "group", "name", "digits"),
    "eckid": ("eckid",),
    "phone": ("phone",),
    "bool": ("bool",),
    "username": ("username", "email"),
    "identifier": ("identifier", "upn"),
    # The children a guardian is linked to: their numbers ("100345", "2019045, 2019077").
    "relation": ("identifier", "identifier_list", "digits"),
    # A programme is a name (havo, "Verzorgende IG") or a code (ILT 0300, crebo 25491).
    "program": ("name", "digits", "group", "identifier"),
}
# Value kinds so distinctive that a column full of them is that and nothing else.
_TELLING = ("email", "date", "eckid", "brin6", "upn")


def fit(kind_of_field: str, values: ValueProfile) -> float:
    """How well a column's values suit a field of this type, in [0, 1]; 0.5 means no evidence.

    A column of e-mail addresses fits an ``email`` field (1.0) and contradicts a ``date`` or a
    ``name`` field (0.0). Free text (names, programs, relations) takes almost anything.

    Examples:
        >>> emails = profile(["a@b.nl", "c@d.nl"])
        >>> fit("email", emails), fit("date", emails), fit("name", emails)
        (1.0, 0.0, 0.0)
    """
    if values.filled == 0:
        return 0.5
    if values.share("honorific") >= 0.8:  # "Title": Mr, Ms. is no job title, nor a name
        return 0.0
    expected = _EXPECT.get(kind_of_field)
    telling = max(_TELLING, key=values.share)
    strongly = values.share(telling) >= 0.8
    if expected is None:  # free text: names, programs, roles, relations
        if strongly or values.share("digits") >= 0.9:
            return 0.0
        return 0.5 + 0.5 * values.share("name")
    share = max(values.share(kind) for kind in expected)
    if strongly and telling not in expected:
        return 0.0
    if kind_of_field == "identifier":
        # An id column is nearly all distinct; a class or a gender column is not.
        return share * min(1.0, values.distinct * 1.25) if values.filled >= 5 else share
    return share
