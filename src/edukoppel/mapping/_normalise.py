"""Header names as a matcher sees them: case, accents, punctuation and decoration taken off.

Exports write one field in many ways (``E-mailadres``, ``[EMAIL]``, ``email_str``,
``Loginaccount.Naam``, ``Tussenv.``, ``E-mail ouder/verzorger 1``). :func:`normalise` turns a
header into a :class:`Header`: its words, a compact form without spaces or hyphens, the
number that tells guardian 1 from guardian 2, and the last part of a dotted path.
"""

from __future__ import annotations

import functools
import re

import attrs

from edukoppel.mapping._words import LETTERS, strip_accents
from edukoppel.mapping._words import words as word_lists

__all__ = ["Header", "compact", "normalise", "words"]

# Type suffixes some systems add to every column (``stamnr_str``): not part of the name.
_TYPE_SUFFIXES = frozenset({"str", "string", "txt", "text", "int", "integer", "varchar", "nr_str"})
# Words after which a number counts guardian 1, guardian 2 or lesgroep 1, lesgroep 2.
_NUMBERED = (
    "ouder", "verzorger", "voogd", "parent", "guardian", "contact", "contactpersoon",
    "lesgroep", "groep", "cluster", "vak", "mentor", "klas", "telefoon", "tel", "email",
    "mail", "adres", "telefoonnummer", "mobiel", "relatie", "relation", "relationship",
    "coaccount", "eltern", "erzieher", "ezb", "erziehungsberechtigte", "erziehungsberechtigter",
    "sorgeberechtigte", "sorgeberechtigter",
)  # fmt: skip
# Abbreviations school exports write for a whole word (``lln.nr``, ``Geb. dat.``, ``DOB``,
# ``Yr Group``): a header and an alias are compared with them written out, so one alias
# covers its abbreviated spellings. Only words that mean one thing in a header are here.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "lln": ("leerling",), "ll": ("leerling",), "leerl": ("leerling",),
    "gebr": ("gebruikers",), "vnm": ("voornaam",), "vnaam": ("voornaam",),
    "achtern": ("achternaam",), "anaam": ("achternaam",),
    "geb": ("geboorte",), "dat": ("datum",), "gebdat": ("geboorte", "datum"),
    "gebdatum": ("geboorte", "datum"), "nr": ("nummer",), "nmr": ("nummer",),
    "tel": ("telefoon",), "mob": ("mobiel",), "adr": ("adres",),
    "dob": ("date", "of", "birth"), "yr": ("year",), "grp": ("group",),
    "reg": ("registration",), "adno": ("admission", "number"), "no": ("number",),
    "fname": ("first", "name"), "lname": ("last", "name"), "afd": ("afdeling",),
    "stu": ("student",), "addr": ("address",), "uid": ("id",),
    "pref": ("preferred",),  # Brightspace's pref_first_name
    "nname": ("nachname",), "vname": ("vorname",),  # German databases (diklabu's NNAME)
    "register": ("registration",),  # the UK's register class: the registration class
}  # fmt: skip
_GLUED_NUMBER = re.compile(rf"\b({'|'.join(_NUMBERED)})(\d)\b")
# Any word of four letters or more with 1, 2 or 3 glued on counts too: "nachname1",
# "VORNERZ2" (not a 4 or a 6, which name a code: BRIN4, BRIN6).
_GLUED_DIGIT = re.compile(r"\b([a-z]{4,})([1-3])\b")
_ID_ENDS = (("id",), ("id", "nummer"), ("id", "number"))
_PARENTHESES = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
# Words that mark a column as required or optional, not what it holds.
_MARKER_WORDS = frozenset({"required", "verplicht", "optional", "optioneel", "mandatory"})
_MARKERS = re.compile(r"[*:]+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CO_ACCOUNT = re.compile(r"\bco[-_ ]account", re.IGNORECASE)  # Smartschool's "Co-account 1"
_SLASHED = re.compile(r"([^\W\d_]{2,})\s*/\s*([^\W\d_]{2,})")  # "School/Building": either
# camelCase, and a person's number glued inside it (School Stream's "Contact1FirstName").
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[a-z])(?=[1-3][A-Z][a-z])|(?<=[a-z][1-3])(?=[A-Z][a-z])"
)
_POSSESSIVE = re.compile(r"(?<=\w)['’`]s\b")  # "Contact's Email": the s says whose
# German gender-inclusive endings: "Schüler/in", "Lehrer*innen", "Schüler:in", "Lehrer/-in".
_GENDERED = re.compile(r"(?<=[^\W\d_]{3})[/*:]-?in(?:nen)?\b")


def _either(text: str) -> tuple[str, ...]:
    """The two names a header gives with a slash between two words, compact.

    Examples:
        >>> _either("School/Building Code"), _either("M/V"), _either("Naam")
        (('schoolcode', 'buildingcode'), (), ())
    """
    if text.count("/") != 1:
        return ()
    match = _SLASHED.search(text)
    if match is None:
        return ()
    head, tail = text[: match.start()], text[match.end() :]
    return tuple(compact(f"{head} {word} {tail}") for word in match.groups())


def words(text: str) -> tuple[str, ...]:
    """The lower-case, accent-free words of a text (camelCase split, punctuation dropped).

    Examples:
        >>> words("E-mailadres Ouder/Verzorger")
        ('e', 'mailadres', 'ouder', 'verzorger')
        >>> words("sourcedId"), words("Contact’s Email")
        (('sourced', 'id'), ('contact', 'email'))
        >>> words("Contact1FirstName")
        ('contact', '1', 'first', 'name')
        >>> words("Schüler/in E-Mail"), words("Lehrer*innen"), words("Fødselsdato")
        (('schuler', 'e', 'mail'), ('lehrer',), ('fodselsdato',))
    """
    split = _CAMEL.sub(" ", strip_accents(_GENDERED.sub("", _POSSESSIVE.sub("", text))))
    return tuple(word for word in _NON_WORD.split(split.casefold().translate(LETTERS)) if word)


def compact(text: str) -> str:
    """The words run together: ``E-mail adres`` and ``Emailadres`` are both ``emailadres``."""
    return "".join(words(text))


@attrs.frozen
class Header:
    """A header as the matcher compares it.

    Attributes:
        raw: The header as the file writes it.
        words: Its words, decoration removed (brackets, ``*``, type suffixes, the number).
        compact: The words run together.
        number: The number that counts repeated columns (``ouder 2`` → 2), or ``None``.
        last: The compact form of the last part of a dotted path (``Loginaccount.Naam`` →
            ``naam``), or ``None`` when there is no path.
        note: Words in parentheses, taken out of the name (``Geboortedatum (dd-mm-jjjj)``).
        alternatives: Other names the header gives in brackets or parentheses, compact
            (``First name [givenName]`` → ``givenname``; ``ILT code (opleiding)`` →
            ``opleiding``), and the end of a dotted path.
        shortened: Whether the header abbreviates a word (``lln``, ``geb``): its words are
            then written out, and it is itself no shorter form of a longer alias.
    """

    raw: str
    words: tuple[str, ...]
    compact: str
    number: int | None = None
    last: str | None = None
    note: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    shortened: bool = False


def _without_id_qualifiers(found: list[str]) -> list[str]:
    """An id's words without those that only say which id it is (``Datenbank-ID``: ``id``).

    Examples:
        >>> _without_id_qualifiers(["eindeutige", "schuler", "id"])
        ['schuler', 'id']
        >>> _without_id_qualifiers(["org", "defined", "id"]), _without_id_qualifiers(["org", "id"])
        (['id'], ['org', 'id'])
    """
    if len(found) < 2 or not any(tuple(found[-len(end) :]) == end for end in _ID_ENDS):
        return found
    qualifiers = word_lists().id_qualifiers
    kept: list[str] = []
    index = 0
    while index < len(found):
        pair = "".join(found[index : index + 2])
        if index + 1 < len(found) and pair in qualifiers and found[index + 1] != "id":
            index += 2
        elif found[index] in qualifiers:
            index += 1
        else:
            kept.append(found[index])
            index += 1
    return kept


def _parents(found: list[str]) -> list[str]:
    """A mother's or a father's column as a guardian's, numbered: the mother is guardian 1.

    Examples:
        >>> _parents(["mut", "nachname"]), _parents(["father", "email"]), _parents(["vater"])
        (['parent', '1', 'nachname'], ['parent', '2', 'email'], ['vater'])
    """
    parents = word_lists().parents
    if len(found) < 2 or any(word.isdigit() for word in found):
        return found
    which = [index for index, word in enumerate(found) if word in parents]
    if len(which) != 1:
        return found
    index = which[0]
    return [*found[:index], "parent", str(parents[found[index]]), *found[index + 1 :]]


# A numbered tutor is a guardian (Spanish "Primer tutor"), never a pupil's mentor.
_TUTORS = frozenset({"tutor", "tutora", "tutore"})


@functools.cache
def _ordinal_guardian_words() -> frozenset[str]:
    """The words of a guardian an ordinal before them numbers: the catalogue's, and a tutor."""
    from edukoppel.mapping._catalogue import OWNER_WORDS  # it reads headers with normalise

    return OWNER_WORDS | _TUTORS | {"contactpersoon", "caregiver"}


def _ordinal_guardians(found: list[str]) -> list[str]:
    """A guardian numbered by an ordinal word before it, as by a digit after it.

    Examples:
        >>> _ordinal_guardians(["second", "parent", "email"])
        ['parent', '2', 'email']
        >>> _ordinal_guardians(["nombre", "primer", "tutor"])
        ['nombre', 'parent', '1']
        >>> _ordinal_guardians(["primer", "apellido"])
        ['primer', 'apellido']
    """
    lists = word_lists()
    if any(word.isdigit() for word in found) or not lists.ordinals.keys() & set(found):
        return found
    guardians = _ordinal_guardian_words()
    which = [
        index
        for index, word in enumerate(found[:-1])
        if word in lists.ordinals and found[index + 1] in guardians
    ]
    if len(which) != 1:
        return found
    index = which[0]
    guardian = "parent" if found[index + 1] in _TUTORS else found[index + 1]
    number = str(lists.ordinals[found[index]])
    return [*found[:index], guardian, number, *found[index + 2 :]]


# Fedena's "field|table" ("Admission no|Student", "First name|Guardian"): the table's name
# after a pipe says whose the field is, as a word in brackets would.
_TABLE_SUFFIX = re.compile(r"(?<=\w)\s*\|\s*([^\W\d_]+)\s*$")


def normalise(header: str) -> Header:
    """A header's words, compact form, count number and path end.

    Examples:
        >>> h = normalise("E-mailadres ouder/verzorger 2")
        >>> h.compact, h.number
        ('emailadresouderverzorger', 2)
        >>> normalise("[EMAIL]").compact, normalise("stamnr_str").compact
        ('email', 'stamnr')
        >>> normalise("Loginaccount.Naam").last
        'naam'
        >>> normalise("Geboortedatum (dd-mm-jjjj) *").compact
        'geboortedatum'
        >>> normalise("Geb. dat.").compact, normalise("lln.nr").compact, normalise("DOB").compact
        ('geboortedatum', 'leerlingnummer', 'dateofbirth')
        >>> normalise("Employee number|Employee").compact, normalise("Email|Student").note
        ('employeenumber', ('student',))
        >>> normalise("Huidige klas").compact, normalise("Current").compact
        ('klas', 'current')
    """
    text = _GENDERED.sub("", _CO_ACCOUNT.sub("coaccount", header.strip()))
    text = _TABLE_SUFFIX.sub(r" (\1)", text)
    note: list[str] = []

    asides: list[str] = []

    def aside(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        found = [word for word in words(inner) if word not in _MARKER_WORDS]
        note.extend(found)
        if found:
            asides.append("".join(found))
        return " "

    stripped = _PARENTHESES.sub(aside, text)
    if not [word for word in words(stripped) if word not in _MARKER_WORDS]:
        # "[EMAIL]", "(naam)": the whole header is in brackets
        stripped, note, asides = text.replace("[", " ").replace("]", " "), [], []
        stripped = stripped.replace("(", " ").replace(")", " ")
    stripped = _MARKERS.sub(" ", stripped)
    last = None
    if "." in stripped and not stripped.rstrip().endswith("."):
        parts = [part for part in stripped.split(".") if words(part)]
        if len(parts) > 1 and all(len(words(part)) >= 1 for part in parts):
            last = compact(parts[-1])
    found = [word for word in words(stripped) if word not in _MARKER_WORDS] or list(words(stripped))
    while len(found) > 1 and found[-1] in _TYPE_SUFFIXES:
        found.pop()
    joined = _GLUED_DIGIT.sub(r"\1 \2", _GLUED_NUMBER.sub(r"\1 \2", " ".join(found)))
    written = joined.split()
    found = [full for word in written for full in _ABBREVIATIONS.get(word, (word,))]
    while len(found) > 1 and found[0] in word_lists().current_words:
        found.pop(0)  # "Huidige klas", "Werkelijke datum uitschrijving": the field itself
    found = _ordinal_guardians(_parents(_without_id_qualifiers(found)))
    number = None
    digits = [index for index, word in enumerate(found) if word.isdigit() and len(word) == 1]
    if len(digits) == 1 and len(found) > 1 and found[digits[0]] != "0":
        number = int(found.pop(digits[0]))
    counted = [word for word in note if word.isdigit() and len(word) == 1 and word != "0"]
    if number is None and len(counted) == 1:  # "Telefoon (ouder 2)"
        number = int(counted[0])
    whole = "".join(found)
    last = last if last and last != whole else None
    others = [form for form in (*asides, last, *_either(stripped)) if form and form != whole]
    return Header(
        raw=header,
        words=tuple(found),
        compact=whole,
        number=number,
        last=last,
        note=tuple(note),
        alternatives=tuple(dict.fromkeys(others)),
        shortened=found != written,
    )
