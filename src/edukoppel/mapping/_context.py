"""What a table's other headers say about a column's name.

``Naam`` beside ``Voornaam`` is the other half of a name; ``Voornaam`` beside ``Roepnaam`` the
official given names; ``Preferred Surname`` beside ``Surname`` a variant; ``Classes`` beside
a class word the several groups a row has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from edukoppel.mapping._catalogue import OWNER_WORDS, FieldSpec
from edukoppel.mapping._headers import KIND_WORDS, kind_prefix
from edukoppel.mapping._mapping import ACCEPT, Scored
from edukoppel.mapping._normalise import Header
from edukoppel.model import EntityKind

__all__ = [
    "HeaderContext",
    "cap_full_names",
    "score_beside",
]

# "Naam" beside "Voornaam" (Flemish and Dutch: Informat, Smartschool, Wisa), "Name" beside
# "Surname": a bare name header is the other half of a name the file splits in two. So is
# French "Nom" beside "Prénom" (Catalan "Nom" beside "Cognoms": the first name) and Romanian
# "Nume" beside "Prenume".
_BARE_NAMES = frozenset({"naam", "name", "nom", "nume"})
_PAIR_SCORE = 0.9
# A bare name that is a surname beside a first name (French "Nom", German "Name"), and
# otherwise the person's full name in one cell (F-teXpress's "Nom": "Jean Dupont").
# Italian "Nome" and Spanish "Nombre" are first names beside a surname, and the full name
# alone (Portuguese "Nome"); Indonesian and Malay "Nama" is the full name.
_FULL_NAMES = _BARE_NAMES | {"nome", "nombre", "nama"}
_FULL_NAME_SCORE = 0.6  # below ACCEPT: a suggestion only
_NAME_FIELDS = frozenset({"first_name", "last_name"})
_FIRST_NAME_FIELDS = frozenset({"first_name", "given_names"})


@attrs.frozen
class HeaderContext:
    """What the other headers of a table say about each column's name."""

    halves: dict[int, tuple[str, bool, str]]  # "Naam" beside "Voornaam": the other half
    official: dict[int, str]  # "Voornaam" beside "Roepnaam": the official given names
    preferred: frozenset[int]  # "Preferred Surname" beside "Surname": a variant
    singulars: dict[str, str]  # the one-word class names ("class"), for their plurals

    @classmethod
    def of(
        cls, headers: Sequence[Header], specs: Sequence[FieldSpec], entity: EntityKind
    ) -> HeaderContext:
        singulars = {
            form: alias
            for spec in specs
            if spec.type == "group" and spec.kind == entity
            for alias, form, words, _ in spec.forms
            if " " not in words
        }
        return cls(
            halves=_name_halves(headers, specs, entity),
            official=_official_first_names(headers, specs, entity),
            preferred=_preferred_surnames(headers, entity),
            singulars=singulars,
        )


def score_beside(
    scored: tuple[float, str],
    spec: FieldSpec,
    header: Header,
    position: int,
    *,
    own: bool,
    context: HeaderContext,
) -> tuple[float, str] | None:
    """A column's score for a field given the table's other headers; None: not this field."""
    score, why = scored
    if own and position in context.preferred:
        return None  # beside a plain surname, a preferred one is a variant of it: no field
    if own and position in context.official:
        if spec.name == "first_name":
            return None  # beside a call name, a plain first name is the official one
        if spec.name == "given_names" and why != "avoid":
            score, why = max((score, why), (_PAIR_SCORE, context.official[position]))
    if spec.type == "groups" and own and why != "avoid":
        word = _plural_of(header, context.singulars)
        if word is not None and score < _PLURAL_SCORE:
            score, why = _PLURAL_SCORE, f"plural of the class word {word!r}: groups"
    half = context.halves.get(position)
    if half and half[0] == spec.name and half[1] == own and why != "avoid":
        score, why = max((score, why), (_PAIR_SCORE, half[2]))
    return score, why


# "Classes", "Courses": the plural of a word for one class names the several a row has.
_PLURAL_ENDS = ("s", "es")
_PLURAL_SCORE = 0.9


# A plural reference word after a class word: "Class Names", "Class Codes" list classes.
_PLURAL_REFERENCES = frozenset({"names", "codes", "ids"})


def _plural_of(header: Header, singulars: Mapping[str, str]) -> str | None:
    """The class word (a one-word name of the homeroom) a header is the English plural of.

    Examples:
        >>> from edukoppel.mapping._normalise import normalise
        >>> _plural_of(normalise("Classes"), {"class": "Class"})
        'Class'
        >>> _plural_of(normalise("Class"), {"class": "Class"}) is None
        True
        >>> _plural_of(normalise("Class Names"), {"class": "Class"})
        'Class'
    """
    if (
        len(header.words) == 2
        and header.words[0] in singulars
        and header.words[1] in _PLURAL_REFERENCES
    ):
        return singulars[header.words[0]]  # "Class Names": the classes by their names
    if len(header.words) != 1 or header.compact in singulars:
        return None
    for end in _PLURAL_ENDS:
        stem = header.compact[: -len(end)]
        if header.compact.endswith(end) and stem in singulars:
            return singulars[stem]
    return None


# The name a person goes by (Dutch roepnaam, German Rufname, English preferred name), and a
# plain first name: beside a call name, the plain one is the official first name(s).
# Swedish "Tilltalsnamn", Finnish "Kutsumanimi", Danish "Kaldenavn": the name one is called by.
# Not a nickname: beside a First Name (Genesis, Edusight, Informat) it is no field.
_CALL_NAMES = frozenset(
    {"roepnaam", "rufname", "preferredfirstname", "preferredforename", "preferredname", "knownas",
     "tilltalsnamn", "kutsumanimi", "kaldenavn"}
)  # fmt: skip
_CALL_NAME_SIMILARITY = 90  # "prefferedname" is 96% "preferredname"
_PLAIN_FIRST_NAMES = frozenset(
    {"voornaam", "vorname", "firstname", "forename", "givenname", "first", "fornamn", "fornavn",
     "etunimi"}
)  # fmt: skip


def _official_first_names(
    headers: Sequence[Header], specs: Sequence[FieldSpec], entity: EntityKind
) -> dict[int, str]:
    """Plain first-name headers beside a call name of the same person: the given names.

    ``VOORNAAM`` beside ``ROEPNAAM`` (Wisa), ``CHILD_FIRST_NAME`` beside
    ``CHILD_PREFERRED_FIRST_NAME`` (Mavis): the voornaam is then the official given names,
    the roepnaam the first name. A kind without a given-names field (staff: Raet's
    ``[Voornaam]`` beside ``[Roepnaam]``) leaves the official names unmapped. Never a
    guardian's column, nor a guardian's own row.

    Examples:
        >>> from edukoppel.mapping._normalise import normalise
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> specs = catalogue().for_entity("student")
        >>> heads = [normalise(h) for h in ("Voornaam", "Roepnaam")]
        >>> _official_first_names(heads, specs, "student")
        {0: "'Voornaam' beside a call name: the official given names"}
        >>> _official_first_names(heads, catalogue().for_entity("staff"), "staff")
        {0: "'Voornaam' beside a call name: the official given names"}
    """
    from rapidfuzz import fuzz

    kind_words = KIND_WORDS.get(entity, frozenset())

    def rest(header: Header) -> str | None:
        if any(word in OWNER_WORDS for word in (*header.words, *header.note)):
            return None
        word, unprefixed = kind_prefix(header, kind_words)
        return unprefixed if word else header.compact

    forms = [rest(header) for header in headers]
    # A call name as written, or misspelt (Gibbon's "Preffered Name").
    called = [
        position
        for position, form in enumerate(forms)
        if form and any(fuzz.ratio(form, name) >= _CALL_NAME_SIMILARITY for name in _CALL_NAMES)
    ]
    plain = [position for position, form in enumerate(forms) if form in _PLAIN_FIRST_NAMES]
    if not called or not plain:
        return {}
    if entity == "guardian":
        # A parents file's First Name beside a Preferred Name: its names as written (a
        # letter's), and a guardian has no given names to put the first name in.
        return {
            position: f"{headers[position].raw!r} beside a first name: a guardian's as written"
            for position in called
        }
    return {
        position: f"{headers[position].raw!r} beside a call name: the official given names"
        for position in plain
    }


_PLAIN_SURNAMES = frozenset({"lastname", "surname", "familyname", "achternaam", "nachname"})
_PREFERRED = frozenset({"preferred", "known", "called"})


def _preferred_surnames(headers: Sequence[Header], entity: EntityKind) -> frozenset[int]:
    """Preferred surnames beside a plain one of the same person: the plain one is the name.

    SIMON's ``Preferred Surname`` beside ``Surname``, Brightspace's ``pref_last_name``
    beside ``last_name``: the plain one is the last name, not a tie between them.

    Examples:
        >>> from edukoppel.mapping._normalise import normalise
        >>> heads = [normalise(h) for h in ("Surname", "Preferred Surname")]
        >>> sorted(_preferred_surnames(heads, "staff"))
        [1]
        >>> sorted(_preferred_surnames(heads[1:], "staff"))
        []
    """
    kind_words = KIND_WORDS.get(entity, frozenset())

    def rest(header: Header) -> tuple[bool, str]:
        words = [word for word in header.words if word not in kind_words]
        said = [word for word in words if word not in _PREFERRED]
        return len(said) < len(words), "".join(said)

    forms = [rest(header) for header in headers]
    if not any(not marked and form in _PLAIN_SURNAMES for marked, form in forms):
        return frozenset()
    return frozenset(
        position
        for position, (marked, form) in enumerate(forms)
        if marked and form in _PLAIN_SURNAMES
    )


def _name_halves(
    headers: Sequence[Header], specs: Sequence[FieldSpec], entity: EntityKind
) -> dict[int, tuple[str, bool, str]]:
    """Bare ``Naam``/``Name`` headers that are the other half of a name split in two.

    Per such column: the field it is (``last_name`` beside a first name, ``first_name``
    beside a surname), whether it is the row's own (not a guardian's), and why. A bare name
    beside both halves, or neither, is a full name: no field.

    Examples:
        >>> from edukoppel.mapping._normalise import normalise
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> specs = catalogue().for_entity("student")
        >>> heads = [normalise(h) for h in ("naam", "voornaam", "naam_coaccount1", "Name")]
        >>> sorted(_name_halves(heads, specs, "student").items())[0]
        (0, ('last_name', True, "'naam' beside a first name: the other half"))
    """
    forms = {
        spec.name: {form for _, form, _, _ in spec.forms}
        for spec in specs
        if spec.kind == entity and spec.name in ("first_name", "last_name")
    }
    if len(forms) < 2:
        return {}

    parts = [_whose_and_rest(header) for header in headers]
    halves: dict[int, tuple[str, bool, str]] = {}
    for position, (whose, rest) in enumerate(parts):
        if rest not in _BARE_NAMES:
            continue
        beside = {
            field
            for other, (owner, name) in enumerate(parts)
            if other != position and owner == whose
            for field, known in forms.items()
            if name in known
        }
        if len(beside) == 1:
            (other_half,) = beside
            field = "last_name" if other_half == "first_name" else "first_name"
            said = "a first name" if other_half == "first_name" else "a surname"
            halves[position] = (field, len(whose) == 1, f"{rest!r} beside {said}: the other half")
    return halves


def _whose_and_rest(header: Header) -> tuple[tuple[str, ...], str]:
    """Whose a name header is (its owner words and number), and the name it says (compact).

    Examples:
        >>> from edukoppel.mapping._normalise import normalise
        >>> _whose_and_rest(normalise("Naam ouder 2")), _whose_and_rest(normalise("Nom"))
        ((('ouder', '2'), 'naam'), (('',), 'nom'))
    """
    owner = tuple(sorted(word for word in header.words if word in OWNER_WORDS))
    rest = "".join(word for word in header.words if word not in OWNER_WORDS)
    return (*owner, str(header.number or "")), rest


def cap_full_names(candidates: Mapping[int, Scored], headers: Sequence[Header]) -> None:
    """A bare name with no first name beside it, or beside both halves, is a full name.

    ``Nom`` is a surname beside a ``Prénom``, and ``Naam ouder`` a guardian's beside a
    ``Voornaam ouder``; alone they hold ``Jean Dupont`` in one cell, which is neither half.
    Such a column's name fields drop below ``ACCEPT`` (suggestions only), so its full names
    never land in the surname. Judged on the scores: the first name is any column sure
    enough to be that person's first name (``Prénom usuel`` too), whatever its header.

    Examples:
        >>> from edukoppel.mapping._catalogue import Target
        >>> from edukoppel.mapping._normalise import normalise
        >>> surname = (0.97, Target("student", "last_name"), ("exact alias 'Nom'",))
        >>> alone = {0: [surname], 1: []}
        >>> cap_full_names(alone, [normalise("Nom"), normalise("Classe")])
        >>> alone[0][0][:2]
        (0.6, Target(kind='student', field='last_name', number=None))
    """
    sure: dict[tuple[str, int | None], dict[str, set[int]]] = {}
    for position, scored in candidates.items():
        for score, target, _ in scored:
            if score >= ACCEPT and target.field in (*_NAME_FIELDS, *_FIRST_NAME_FIELDS):
                half = "first" if target.field in _FIRST_NAME_FIELDS else "last"
                person = sure.setdefault((target.kind, target.number), {})
                person.setdefault(half, set()).add(position)
    for position, scored in candidates.items():
        if _whose_and_rest(headers[position])[1] not in _FULL_NAMES:
            continue
        for index, (score, target, why) in enumerate(scored):
            if target.field not in _NAME_FIELDS or score <= _FULL_NAME_SCORE:
                continue
            person = sure.get((target.kind, target.number), {})
            halves = {half for half, where in person.items() if where - {position}}
            if len(halves) == 1:
                continue  # the other half of a name split in two
            said = "no first name" if not halves else "a first name and a surname"
            scored[index] = (
                _FULL_NAME_SCORE,
                target,
                (*why, f"{said} beside it: perhaps the full name in one cell"),
            )
        scored.sort(key=lambda item: (-item[0], str(item[1])))
