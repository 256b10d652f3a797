"""How well a header names a field, from its words alone.

An exact alias, the same alias once case, accents and decoration are off, an alias after the
row's kind's word or in brackets, a thing named by its name or code, a glued German short
form read apart, an abbreviation, a fuzzy likeness: each scores a little below the one before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import attrs

from edukoppel.mapping._catalogue import (
    GERMAN_GUARDIAN_WORDS,
    NORDIC_GUARDIAN_WORDS,
    OWNER_WORDS,
    RELATED,
    ROMANCE_GUARDIAN_WORDS,
    FieldSpec,
    Target,
)
from edukoppel.mapping._normalise import Header, normalise
from edukoppel.mapping._values import ValueProfile, fit
from edukoppel.mapping._words import words as word_lists
from edukoppel.model import EntityKind

__all__ = [
    "ADDRESS_WORDS",
    "FORMAT_TYPES",
    "KIND_WORDS",
    "PERSON_WORDS",
    "POINTER_EVIDENCE",
    "REFERENCE_TYPES",
    "TOWN_WORDS",
    "glued_vocabulary",
    "header_score",
    "kind_prefix",
    "read_apart",
    "target_for",
    "unglued",
    "whose_linked",
    "year_levels",
]

_FUZZY_FLOOR = 70  # below this, two names only share letters


# Fields whose value names another thing (a school, a class, a programme): "School Name",
# "Locatiecode", "classroom_name" name that thing by its name or code, and so the field.
REFERENCE_TYPES = frozenset({"location", "locations", "group", "groups", "program"})
_REFERENCE_SUFFIXES = (
    "name", "naam", "code", "id", "omschrijving", "description", "shortname", "afkorting",
    "names", "namen",  # "Kursnamen": the courses by their names
)  # fmt: skip
# Value kinds a header may name in brackets as the values' format: "Username (Email)".
FORMAT_TYPES = frozenset({"email", "date", "eckid", "brin6"})
# Fields that name a thing (a class, a year, a programme, a school) and may be followed by a
# word for which form of its name a column holds (words.toml's form_words: "Kurzform").
_FORM_TYPES = frozenset({"group", "groups", "year", "program", "location", "locations"})
# German compounds join a word to the next with an -n- or -s- ("Klasse" + "n" + "bezeichnung").
_LINKS = ("", "n", "s", "en")
_FALLBACK = 0.92  # a fallback name of a field (``School`` for a vestiging) scores 92%
_FALLBACK_NOTE = "a fallback name: another column may name it better"


#: Words that name a kind: before an alias of that kind's field, they add nothing.
#: A person word (``persoon``, ``person``; a library system's ``patron``, ``borrower``,
#: ``lener``) names the row's person whatever its kind (Informat's ``persoonId``, Sierra's
#: ``Patron First Name``); Flemish and Dutch systems call a guardian a ``relatie``.
PERSON_WORDS = frozenset({"persoon", "person", "patron", "borrower", "lener", "user"})
KIND_WORDS: dict[str, frozenset[str]] = {
    # MBO (Eduarte) calls its pupil a deelnemer, adult education a cursist; health and
    # childcare systems (NHS Mavis: CHILD_FIRST_NAME) a child; German tools a Schüler.
    "student": frozenset(
        {"leerling", "student", "pupil", "learner", "lln", "deelnemer", "cursist", "scholier"}
        | {"child", "schuler", "schueler", "elev", "elever"}  # Swedish, Norwegian, Danish
        # French, Spanish, Portuguese, Italian, Finnish: "Nom Elève", "Email alumno".
        | {"eleve", "eleves", "alumno", "alumna", "alumnos", "estudiante", "estudiantes"}
        | {"aluno", "aluna", "alunno", "alunni", "studente", "oppilas"}
        | PERSON_WORDS
        | word_lists().kind_words("student")  # words.toml's languages: "Imię ucznia"
    ),
    "staff": frozenset(
        {"docent", "teacher", "educator", "staff", "medewerker", "employee", "instructor"}
        | {"leerkracht", "leraar", "werknemer", "personeelslid", "lehrer", "mitarbeiter"}
        | {"lehrkraft", "enseignant", "professeur", "profesor", "docente", "insegnante"}
        | {"larare", "opettaja"}
        | PERSON_WORDS
        | word_lists().kind_words("staff")
    ),
    "guardian": frozenset(
        {"ouder", "verzorger", "parent", "guardian", "contact", "relatie", *PERSON_WORDS}
        | GERMAN_GUARDIAN_WORDS
        | NORDIC_GUARDIAN_WORDS
        | ROMANCE_GUARDIAN_WORDS
        | word_lists().kind_words("guardian")
    ),
    # A class list's own columns: "sectionGradeLevel", "Class Subject", "Groep naam".
    "group": frozenset(
        {"section", "class", "klas", "groep", "lesgroep", "cluster", "group"}
        | {"klasse", "klassen", "gruppe", "kurs"}  # German: Klassenbezeichnung, Kursart
    ),
}
# Informat's pointers: ``pPersoon``, ``p_persoon``, ``pRelatie`` are a person's number in the
# database, which its documentation says may change in a migration (its GUIDs do not). So a
# pointer is the pupil's number, and never the key (only a suggestion for it).
_POINTER = re.compile(r"^p(?:_[a-z]|[A-Z])")
_POINTER_SCORE = 0.9
# The names of a login that a system's name may come before (not "Account": a bank's).
_LOGINS = frozenset(
    {"gebruikersnaam", "username", "login", "loginnaam", "inlognaam", "loginname", "loginid"}
)
# Words after which a town, not a school's location, is named: an address's columns.
ADDRESS_WORDS = frozenset(
    {"street", "straat", "postalcode", "postcode", "zip", "zipcode", "huisnummer", "streetnr"}
)
TOWN_WORDS = frozenset({"location", "city", "town", "plaats", "woonplaats"})
# Plural forms of an e-mail or phone alias (``emails``, ``E-mailadressen``, ``Phones``): a
# list of them, whose first is the field.
_PLURALS = ("s", "en", "sen")
_LISTS = frozenset({"email", "phone"})


_PRIMARY = frozenset({"primary", "main", "hoofd"})
# Words that name a school or a kind of person, never a system whose login a header names.
_NOT_SYSTEMS = frozenset(
    {"school", "schule", "vestiging", "district", "class", "klas"}
    | {word for kind in ("student", "staff", "guardian") for word in KIND_WORDS[kind]}
)


# Words that add nothing after an alias of a field of this type: "School Email Address",
# "Mobile Number".
_FILLERS: dict[str, tuple[str, ...]] = {
    "email": ("address", "adres"),
    "phone": ("number", "nummer"),
    "identifier": ("number", "nummer"),  # "UPN number", "Barcode number"
    # A staff member's dates of the employment: DUO's "Einddatum arbeidsrelatie".
    "date": ("arbeidsrelatie", "dienstverband", "aanstelling", "employment", "contract"),
}


def kind_prefix(header: Header, kind_words: frozenset[str]) -> tuple[str | None, str | None]:
    """A word of ``kind_words`` that starts a header, and what follows it (compact).

    Examples:
        >>> kind_prefix(normalise("Student Email"), frozenset({"student"}))
        ('student', 'email')
        >>> kind_prefix(normalise("Leerlingvoornaam"), frozenset({"leerling"}))
        ('leerling', 'voornaam')
        >>> kind_prefix(normalise("Voornaam"), frozenset({"leerling"}))
        (None, None)
        >>> kind_prefix(normalise("Primary Student ID"), frozenset({"student"}))
        ('student', 'id')
    """
    if not header.words:
        return None, None
    if header.words[0] in _PRIMARY and len(header.words) > 2 and header.words[1] in kind_words:
        # "Primary Student ID" (Amplify): the student's main id, the row's own.
        header = attrs.evolve(header, words=header.words[1:])
    first = header.words[0]
    if first in kind_words:
        return (first, "".join(header.words[1:])) if len(header.words) > 1 else (None, None)
    for word in _longest_first(kind_words):
        if first.startswith(word) and len(first) >= len(word) + 3:
            return word, header.compact[len(word) :]
    return None, None


@functools.cache
def _longest_first(kind_words: frozenset[str]) -> tuple[str, ...]:
    """The longest word first: "Klassenbezeichnung" is "klassen" + "bezeichnung", not "klas"."""
    return tuple(sorted(kind_words, key=lambda kind: (-len(kind), kind)))


def header_score(
    header: Header, spec: FieldSpec, *, own: bool = True, known: bool = False
) -> tuple[float, str]:
    """How well a header names a field, from its aliases alone; and why.

    ``own``: whether the field is of the row's own kind; a related kind's field (a
    guardian's, on a pupil row) is named only by its aliases, never by its bare field name.
    ``known``: the header is itself a name of some field (``School``), so it abbreviates no
    other field's longer name (``Schoolmail``).
    """
    from rapidfuzz import fuzz

    if _POINTER.match(header.raw.strip()):
        return _pointer_score(header, spec, own=own)
    # An avoid word in brackets counts too: "E-mail (ouder)" is no pupil's address.
    said = (header.compact, *header.alternatives)
    if any(word in form for word in spec.avoided for form in said):
        return 0.0, "avoid"
    best, why = 0.0, ""
    raw = header.raw.strip().casefold()
    spaced = " ".join(header.words)
    # "Student Gender" in a pupil file, "Teacher Email" in a staff file: the row's own kind
    # named before an alias, as a word or glued to it (Dutch: "Leerlingvoornaam").
    fillers = _FILLERS.get(spec.type, ())
    kind_word, unprefixed = _kind_named(header, KIND_WORDS.get(spec.kind, frozenset()))
    # "LeerID Gebruikersnaam", "Google Username": the login of a system the file names (in
    # one or two words before the alias).
    # Not after a word that names a kind or a school (Big Universe's ``school_username``,
    # ``teacher_username``: another record's login, not a system's).
    unqualified = {
        "".join(header.words[k:])
        for k in (1, 2)
        if len(header.words) > k and not _NOT_SYSTEMS & set(header.words[:k])
    }
    if not own:
        unprefixed = None
    if not own and spec.owned:
        best, why = _owned_score(header, spec, fillers)
    for alias, form, alias_words, implicit in spec.forms:
        if implicit and not own:
            continue
        if form == header.compact:
            for written, marked in ((raw, ""), (raw.rstrip("* ").rstrip(), ", marked required")):
                same, own_only = spec.exact.get(written, ("", False))
                if same and (own or not own_only):
                    if same in spec.fallback:
                        return _FALLBACK, f"exact alias {same!r}{marked}, {_FALLBACK_NOTE}"
                    return 1.0, f"exact alias {same!r}{marked}"
            score, reason = 0.98, f"normalised alias {alias!r}"
        elif form == unprefixed:
            score, reason = 0.95, f"alias {alias!r} after {kind_word!r}"
        elif any(header.compact == form + filler for filler in fillers):
            score, reason = 0.95, f"alias {alias!r} with {header.words[-1]!r}"
        elif form in header.alternatives and not (known and spec.type not in FORMAT_TYPES):
            # Not after another field's name: "Phone 1 (Type)" is the phone's type, not a
            # relation's; but "Username (Email)" may say what the values are.
            score, reason = 0.9, f"names alias {alias!r} in brackets or a path"
        elif spec.type in _LISTS and any(header.compact == form + end for end in _PLURALS):
            score, reason = 0.9, f"plural of alias {alias!r}"
        elif (shaped := _shape_score(header, spec, alias, form, own=own)) is not None:
            score, reason = shaped
        elif form in _LOGINS and form in unqualified:
            score, reason = 0.85, f"alias {alias!r} after a system's name: its login"
        elif (
            len(header.compact) >= 4
            and not header.shortened
            and not known
            and form.startswith(header.compact)
            and len(header.compact) * 2 >= len(form)
            and " " not in alias_words
        ):
            score, reason = 0.85, f"abbreviation of alias {alias!r}"
        elif len(header.words) == 2 and header.words[::-1] == tuple(alias_words.split()):
            # French, Spanish, Italian: the thing before its kind ("ID Parent", "ID Classe").
            score, reason = 0.95, f"alias {alias!r} in another order"
        else:
            similarity = max(
                fuzz.ratio(header.compact, form), fuzz.token_sort_ratio(spaced, alias_words)
            )
            if similarity < _FUZZY_FLOOR:
                continue
            score = 0.9 * similarity / 100
            reason = f"looks like alias {alias!r} ({similarity:.0f}%)"
        if alias in spec.fallback:
            score, reason = score * _FALLBACK, f"{reason}, {_FALLBACK_NOTE}"
        if score > best:
            best, why = score, reason
    return best, why


def _kind_named(header: Header, kind_words: frozenset[str]) -> tuple[str | None, str | None]:
    """A word of the kind's before an alias (see :func:`kind_prefix`), or after it.

    Examples:
        >>> _kind_named(normalise("Förnamn förälder"), frozenset({"foralder"}))
        ('foralder', 'fornamn')
    """
    kind_word, rest = kind_prefix(header, kind_words)
    if kind_word is None and len(header.words) > 1 and header.words[-1] in kind_words:
        # "Förnamn förälder" in a guardians file, "Vorname Schüler": the kind after the alias
        return header.words[-1], "".join(header.words[:-1])
    return kind_word, rest


def _shape_score(
    header: Header, spec: FieldSpec, alias: str, form: str, *, own: bool
) -> tuple[float, str] | None:
    """A header shaped as a thing's alias with more words: a name or code, a form, a plural.

    ``School Name``, ``Jahrgangsstufe.Kurzform``, ``Zusatzgruppen``; and a guardians file's
    ``Kind-ID``. None when the header has no such shape for this alias.
    """
    if spec.type in REFERENCE_TYPES:
        if any(
            other == form + suffix
            for other in header.alternatives
            for suffix in _REFERENCE_SUFFIXES
        ):
            return 0.85, f"names alias {alias!r} by its name or code, as an alternative"
        if any(header.compact == form + suffix for suffix in _REFERENCE_SUFFIXES):
            return 0.9, f"names alias {alias!r} by its name or code"
    if spec.type == "groups" and _group_compound(header.compact, form):
        return 0.85, f"a compound ending in the plural {alias!r}: groups"
    if own and spec.name == "student_number" and _external_id(header):
        return 0.9, "another system's id of the pupil: its number from outside"
    if own and spec.name == "students" and _child_id(header):
        return 0.9, "a child's id or number: the guardian's pupil"
    if spec.type in _FORM_TYPES and _with_form_word(header.compact, form):
        return 0.9, f"alias {alias!r} with a word for its form"
    return None


def _group_compound(compact: str, form: str) -> bool:
    """Whether a header is a compound ending in the plural of a group word (``Zusatzgruppen``).

    Examples:
        >>> _group_compound("subgroepen", "groepen"), _group_compound("gruppen", "gruppen")
        (True, False)
    """
    return (
        form in word_lists().group_plurals
        and compact.endswith(form)
        and len(compact) >= len(form) + 3
    )


# A child's id or number, in a guardians file (``Kind-ID``, ``Kind-Nr.``, ``Child ID``).
_CHILD_WORDS = frozenset({"kind", "child", "schuler", "schueler", "leerling", "elev"})
_ID_WORDS = frozenset({"id", "nummer", "number", "code"})


def _external_id(header: Header) -> bool:
    """Whether a header names another system's id (``externKey``, ``Import-ID``).

    Examples:
        >>> _external_id(normalise("KeyExtern")), _external_id(normalise("EksternID"))
        (True, True)
        >>> _external_id(normalise("Extern")), _external_id(normalise("Student ID"))
        (False, False)
    """
    outside, ids = word_lists().external_ids
    compact = header.compact
    return any(compact in (word + end, end + word) for word in outside for end in ids)


def _child_id(header: Header) -> bool:
    """Whether a header names a child's id or number (in a guardians file: its pupil).

    Examples:
        >>> _child_id(normalise("Kind-Nr.")), _child_id(normalise("Kind-ID"))
        (True, True)
        >>> _child_id(normalise("Kind")), _child_id(normalise("Ouder-ID"))
        (False, False)
    """
    return (
        len(header.words) == 2 and header.words[0] in _CHILD_WORDS and header.words[1] in _ID_WORDS
    )


# The words for whose a value is: a guardian's, or any kind's (built once, not per header).
_WHOSE_WORDS = OWNER_WORDS | {word for words in KIND_WORDS.values() for word in words}


def whose_linked(header: Header) -> Header | None:
    """A header without the preposition before a word for whose (``Förnamn för förälder``).

    Examples:
        >>> whose_linked(normalise("Förnamn för förälder")).words
        ('fornamn', 'foralder')
        >>> whose_linked(normalise("Date of Birth")) is None
        True
    """
    links = word_lists().whose_links
    kept = list(header.words)
    index = 1
    changed = False
    while index < len(kept) - 1:
        end = index
        while end < len(kept) - 1 and kept[end] in links:
            end += 1
        if end > index and kept[end] in _WHOSE_WORDS:
            del kept[index:end]
            changed = True
        index += 1
    if not changed:
        return None
    return attrs.evolve(header, words=tuple(kept), compact="".join(kept))


def _with_form_word(compact: str, form: str) -> bool:
    """Whether a header is an alias followed by a word for its form (``KlasseKurzform``).

    Examples:
        >>> _with_form_word("jahrgangsstufekurzform", "jahrgangsstufe")
        True
        >>> _with_form_word("klassenbezeichnung", "klasse"), _with_form_word("klassen", "klasse")
        (True, False)
    """
    if not compact.startswith(form):
        return False
    rest = compact[len(form) :]
    forms = word_lists().form_words
    return any(rest.startswith(link) and rest[len(link) :] in forms for link in _LINKS)


def unglued(
    header: Header, vocabulary: Mapping[str, str], entity: EntityKind
) -> tuple[Header, str] | None:
    """A header glued from a person field's name and a word for whose it is, read apart.

    ``VORNAMESCH`` is the pupil's Vorname, ``TELEFONERZ`` a guardian's Telefon,
    ``VORNERZ2`` guardian 2's Vorname cut short, ``LEMAIL`` a teacher's E-mail (the short
    forms in words.toml). The name part must be a person field's name (``vocabulary``:
    compact form to field) or the start, four letters or more, of one field's names only.
    Only for a kind the row holds (its own, or a related one: a pupil row's guardians).

    Returns the header read apart (the kind's word first, as ``Schüler Vorname``) and how.
    """
    if len(header.words) != 1 or header.compact in vocabulary:
        return None
    word = header.words[0]
    found = word_lists()
    kinds = {entity, *RELATED.get(entity, ())}
    splits = [
        (word[: -len(short)], short, kind)
        for short, kind in found.glued_suffixes.items()
        if word.endswith(short)
    ] + [
        (word[len(short) :], short, kind)
        for short, kind in found.glued_prefixes.items()
        if word.startswith(short)
    ]
    for rest, short, kind in sorted(splits, key=lambda item: -len(item[1])):
        if kind not in kinds or len(rest) < 3:
            continue
        full = "".join(normalise(rest).words)  # "tel": "telefoon"
        if full not in vocabulary:
            starts = {vocabulary[form] for form in vocabulary if form.startswith(rest)}
            if len(rest) < 4 or len(starts) != 1:
                continue
            full = min(form for form in vocabulary if form.startswith(rest))
        kind_word = _GLUED_KIND_WORDS[kind]
        read = attrs.evolve(
            header, words=(kind_word, full), compact=kind_word + full, alternatives=()
        )
        return read, f"read as {full!r} glued to {short!r} ({kind_word})"
    return None


# The person fields a glued header may name; never a key: a wrong key archives everyone.
_GLUED_FIELDS = frozenset(
    {"first_name", "initials", "infix", "last_name", "email", "gender", "phone", "username"}
)
_GLUED = 0.97  # a header read apart scores a little below one written apart


def glued_vocabulary(specs: Sequence[FieldSpec]) -> dict[str, str]:
    """The names of the person fields a glued header may name: compact form to field."""
    vocabulary: dict[str, str] = {}
    for spec in specs:
        if spec.name in _GLUED_FIELDS:
            for form in (*(form for _, form, _, _ in spec.forms), *(f for _, f in spec.owned)):
                vocabulary.setdefault(form, spec.name)
    return vocabulary


def read_apart(
    scored: tuple[float, str], glued: tuple[Header, str] | None, spec: FieldSpec, *, own: bool
) -> tuple[float, str]:
    """A header's score for a field, or its glued reading's when that names it better."""
    score, why = scored
    if glued is None or spec.name not in _GLUED_FIELDS or why == "avoid":
        return scored
    apart, apart_why = header_score(glued[0], spec, own=own)
    if apart_why != "avoid" and apart * _GLUED > score:
        return apart * _GLUED, f"{apart_why}, {glued[1]}"
    return scored


def year_levels(
    scored: tuple[float, str], header: Header, spec: FieldSpec, values: ValueProfile
) -> tuple[float, str]:
    """A "School year" column that holds year levels (``1``, ``year 4``) is the year group.

    The year field avoids the word school (a school year is ``2024-2025``); the values
    decide: year levels make it the year group, calendar years leave it out.

    Examples:
        >>> from edukoppel.mapping._values import profile as value_profile
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> year = catalogue().spec("student.year")
        >>> year_levels((0.0, "avoid"), normalise("School year"), year, value_profile(["7"]))
        (0.9, "alias 'Year' after 'school', and the values are year levels")
        >>> year_levels((0.0, "avoid"), normalise("School year"), year, value_profile(["2025"]))
        (0.0, 'avoid')
    """
    if scored[1] != "avoid" or spec.type != "year" or header.words[:1] != ("school",):
        return scored
    rest = "".join(header.words[1:])
    aliases = [alias for alias, form, _, _ in spec.forms if form == rest]
    if not aliases or not values.filled or fit(spec.type, values) < 0.8:
        return scored
    return 0.9, f"alias {aliases[0]!r} after 'school', and the values are year levels"


# The word a glued header is read with for each kind (one KIND_WORDS and OWNER_WORDS know).
_GLUED_KIND_WORDS: dict[str, str] = {
    "student": "schuler",
    "guardian": "erzieher",
    "staff": "lehrer",
}


def _owned_score(header: Header, spec: FieldSpec, fillers: Sequence[str]) -> tuple[float, str]:
    """A guardian's column on a pupil row: whose it is, and a name of the field.

    ``Contact 1 Forename``, ``Tussenvoegsel verzorger``, ``Ouderemail``.
    """
    owner = [word for word in (*header.words, *header.note) if word in OWNER_WORDS]
    # "Primary contact name" (Arbor): the first contact, which is guardian 1 by default.
    rest = "".join(
        word for word in header.words if word not in OWNER_WORDS and word not in _PRIMARY
    )
    if not owner:
        glued, rest_glued = kind_prefix(header, OWNER_WORDS)
        owner, rest = ([glued], rest_glued or "") if glued else ([], rest)
    for alias, form in spec.owned:
        if owner and rest in (form, *(form + filler for filler in fillers)):
            return 0.95, f"alias {alias!r} with {owner[0]!r}"
    return 0.0, ""


POINTER_EVIDENCE = "a database pointer to the row's person ('p' + its kind)"


def _pointer_score(header: Header, spec: FieldSpec, *, own: bool) -> tuple[float, str]:
    """An Informat pointer (``pPersoon``): the row's number in the database, or nothing.

    Examples:
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> number = catalogue().spec("student.student_number")
        >>> _pointer_score(normalise("pPersoon"), number, own=True)[0]
        0.9
        >>> _pointer_score(normalise("pInschr"), number, own=True)
        (0.0, 'avoid')
    """
    pointed = header.words[1:] if header.words[:1] == ("p",) else header.words
    whose = KIND_WORDS.get(spec.kind, frozenset())
    if own and spec.name in ("key", "student_number") and "".join(pointed) in whose:
        return _POINTER_SCORE, POINTER_EVIDENCE
    return 0.0, "avoid"


def target_for(
    spec: FieldSpec, header: Header, entity: EntityKind, *, series: bool = False
) -> Target | None:
    """Which target a header gives a field: guardian 2's e-mail, or None when it cannot be.

    ``series``: the table numbers this header (``Class 1``, ``Class 2``), or its cells list
    several groups (``2A Science, 5B Lab``). A row has one homeroom, so such class columns
    hold its teaching groups.

    Examples:
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> klas = catalogue().spec("student.homeroom")
        >>> str(target_for(klas, normalise("Klas 2"), "student", series=True))
        'student.groups'
    """
    if spec.kind != entity:  # a related kind's column on this row: number them (1 by default)
        return Target(spec.kind, spec.name, header.number or 1)
    if series and spec.type == "group":
        return Target(spec.kind, "groups")
    if header.number is not None and header.number > 1 and not spec.multi:
        return None  # "E-mail 2" of a pupil: a second address, not the field
    return Target(spec.kind, spec.name)
