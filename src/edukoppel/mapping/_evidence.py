"""What a column's values say: a header's score weighed by them, and what they confirm alone.

Values never map a column on their own. They lower a header's score when they do not fit its
field, confirm a word of a field's family (``Nacimiento`` of dates), and suggest a field for
a column whose header names none.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from edukoppel.mapping._catalogue import OWNER_WORDS, FieldSpec
from edukoppel.mapping._headers import KIND_WORDS, target_for
from edukoppel.mapping._mapping import SUGGEST, Candidate, Pick, Scored
from edukoppel.mapping._normalise import Header
from edukoppel.mapping._values import ValueProfile, fit
from edukoppel.mapping._words import words as word_lists
from edukoppel.model import EntityKind

__all__ = [
    "no_pupil_roles",
    "value_suggestions",
    "weigh",
    "with_family",
    "with_guardian_values",
]


def weigh(score: float, spec: FieldSpec, values: ValueProfile) -> tuple[float, str | None]:
    """The header score weighed by what the values look like; and a note on the values."""
    if values.filled == 0:
        return score * 0.97, None
    if spec.type in _CLASS_TYPES and values.share("character") >= 0.8:
        # Italy's section A, EdVal's class line 3: a homeroom "A" would put the A classes
        # of every year in one class.
        return score * 0.4, "values are single characters: a class's letter, not the class"
    suits = fit(spec.type, values)
    if suits >= 0.8:
        factor = 1.0
    elif suits >= 0.4:
        factor = 0.95
    elif suits >= 0.15:
        factor = 0.8
    else:
        factor = 0.4
    note = f"values fit {spec.type}" if suits >= 0.8 else None
    if suits < 0.15:
        note = f"values do not look like {spec.type}"
        if score >= _NAMED and spec.type not in _IDENTIFYING and _unfamiliar(values):
            # "Kjønn" of jente/gutt, "Year Group" of Y07: the header names the field
            # exactly, and the values are of no kind that would say it is another.
            return score * _UNFAMILIAR, f"values unfamiliar for {spec.type}, the header names it"
    return score * factor, note


# A header that names a field exactly or once normalised (``Kjønn``, ``Year Group``) is
# believed over values of no telling kind (codes of another language), at the least it maps.
_NAMED = 0.98
_UNFAMILIAR = 0.85
# A date or a gender code the model cannot read is then a bad cell in every row: such a
# column provides nothing (see _convert's column-unreadable), so it clears nothing. Never
# a field that identifies a person: a number, a login or an e-mail column of odd values
# must not become the file's only key, nor the username or e-mail a key is made from.
_IDENTIFYING = frozenset({"identifier", "username", "email", "eckid"})


def _unfamiliar(values: ValueProfile) -> bool:
    """Whether values are of no kind that names a field on its own (an e-mail, a date...).

    Examples:
        >>> from edukoppel.mapping._values import profile as value_profile
        >>> _unfamiliar(value_profile(["jente", "gutt"])), _unfamiliar(value_profile(["a@b.nl"]))
        (True, False)
        >>> _unfamiliar(value_profile(["Mr", "Ms"]))
        False
    """
    kinds = (*_TELLING_KINDS, "honorific")
    return all(values.share(kind) < 0.8 for kind in kinds)


_CLASS_TYPES = frozenset({"group", "groups"})


# Value kinds so distinctive that a column full of them is that kind and no other field.
_TELLING_KINDS = ("email", "date", "eckid", "brin6", "upn", "phone")
# Value kinds that name a field of the same type on their own (never enough to map it).
_VALUE_ONLY = ("email", "date", "eckid", "brin6")


def value_suggestions(
    values: ValueProfile, specs: Sequence[FieldSpec], entity: EntityKind
) -> list[Candidate]:
    """Fields a column's values point to although its header names none (never mapped)."""
    suggestions = []
    for kind in _VALUE_ONLY:
        if values.filled and values.share(kind) >= 0.9:
            for spec in specs:
                if spec.type == kind and spec.kind == entity:
                    label = f"values: {values.share(kind):.0%} look like {kind}"
                    suggestions.append(Candidate(spec.target, SUGGEST, (label,)))
    return suggestions


# A header word of a field's family, confirmed by values of the field's kind: above ACCEPT,
# below any name of a field (a normalised alias scores 0.98, an abbreviation 0.85).
_FAMILY = 0.84
# Per field type, the value kind that must fill a column for its family word to decide it
# (and the kind that must not: a year level is no class code).
_FAMILY_VALUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "date": ("date_read", ()),  # dates the model reads: never a bad cell in every row
    "email": ("email", ()),
    "gender": ("gender", ()),
    "year": ("year", ()),
    "group": ("group", ("year",)),
    "role": ("role", ()),
    "location": ("school", ()),
    "locations": ("school", ()),
    "roles": ("role", ()),
    # A login of letters (mue, r0123456), not a count of logins nor the last one's date.
    "username": ("username", ("digits", "date")),
}
_FAMILY_SHARE = 0.9
# A school file dates many things (a consent, an exam, funding): a date family word decides
# only where it comes first (see _dated_first).
_DATE_FIELDS = frozenset({"birth_date", "start_date", "end_date"})
_DATE_WORDS = frozenset({"date", "datum", "fecha", "data", "dato", "datetime"})


def _dated_first(header: Header, entity: EntityKind) -> bool:
    """Whether a header's first word names a date's family (after a kind's or a date word).

    A word before it says what else is dated (a premium, a consent).

    Examples:
        >>> from edukoppel.mapping._normalise import normalise
        >>> _dated_first(normalise("Fecha ingreso"), "student")
        True
        >>> _dated_first(normalise("PupilPremiumFYStartDate"), "student")
        False
    """
    kind_words = KIND_WORDS.get(entity, frozenset())
    rest = [word for word in header.words if word not in kind_words]
    while rest and rest[0] in _DATE_WORDS:
        rest = rest[1:]
    if not rest:
        return False
    first = attrs.evolve(header, words=(rest[0],), compact=rest[0], alternatives=())
    return bool(_family_words(first) & _DATE_FIELDS)


# Words that say a column is another person's than the row's (on top of the other kinds').
_OTHERS = frozenset({"mentor", "tutor", "coach", "counselor", "counsellor", "advisor"})


def _family_words(header: Header) -> set[str]:
    """The fields whose family a header's words name (words.toml's value_families).

    Examples:
        >>> from edukoppel.mapping._normalise import normalise
        >>> sorted(_family_words(normalise("Fecha nacimiento")))
        ['birth_date']
        >>> sorted(_family_words(normalise("NCyearActual"))), _family_words(normalise("Info"))
        (['year'], set())
        >>> _family_words(normalise("Maths Grades"))  # a plural names several things: marks
        set()
    """
    found = set()
    for field, stems in word_lists().value_families.items():
        for stem in stems:
            if any(
                word == stem
                or (len(stem) >= 5 and stem in word)
                or (len(stem) == 4 and (word.startswith(stem) or word.endswith(stem)))
                for word in header.words
                if word not in (stem + "s", stem + "es")  # "Grades" are marks, not a year
            ):
                found.add(field)
                break
    return found


def with_family(
    scored: Scored,
    header: Header,
    values: ValueProfile,
    specs: Sequence[FieldSpec],
    entity: EntityKind,
) -> Scored:
    """A weak header's candidates, with the field its words and its values both name.

    ``Nacimiento`` of dates is the birth date, ``mailAcademique`` of e-mail addresses the
    e-mail, ``Niveau`` of year levels the year group: a word of the field's family (not a
    name of the field) and values unmistakably of its kind. Neither alone maps a column; a
    family word of two fields of one kind (a start and an end) decides nothing; never a key,
    and only the row's own person's (not beside a guardian's or a mentor's word).
    """
    others = (
        OWNER_WORDS
        | _OTHERS
        | {word for kind, found in KIND_WORDS.items() if kind not in (entity, "group")
           for word in found}
    ) - KIND_WORDS.get(entity, frozenset())  # fmt: skip
    if not values.filled or others & {*header.words, *header.note}:
        return scored
    named = _family_words(header)
    if named & _DATE_FIELDS and not _dated_first(header, entity):
        named -= _DATE_FIELDS  # "PupilPremiumFYStartDate": the start of something else
    picks: dict[str, Pick] = {}
    for spec in specs:
        if spec.kind != entity or spec.name not in named or spec.type not in _FAMILY_VALUES:
            continue
        if entity == "staff" and (spec.name == "_role") == no_pupil_roles(values):
            continue  # a staff file's roles name no pupil: the staff members' functions
        if spec.name == "_role" and not 0 < values.share("pupil_role") < 1:
            continue  # "Account Type" of only "Student": it tells no rows apart
        kind, not_kinds = _FAMILY_VALUES[spec.type]
        if values.share(kind) < _FAMILY_SHARE or any(
            values.share(other) >= 0.5 for other in not_kinds
        ):
            continue
        if spec.type == "username" and values.filled >= 5 and values.distinct < _FAMILY_SHARE:
            continue  # logins are one per person: "Login type" of repeated words is none
        said = (header.compact, *header.alternatives)
        target = target_for(spec, header, entity)
        if target is None or any(word in form for word in spec.avoided for form in said):
            continue
        why = (
            f"a word of the {spec.name} family in the header",
            f"values: {values.share(kind):.0%} look like {kind}",
        )
        picks.setdefault(spec.type, (_FAMILY, target, why))
        if picks[spec.type][1] != target:
            picks[spec.type] = (0.0, target, why)  # a start and an end: which, the words say
    found = [pick for pick in picks.values() if pick[0] > 0]
    if not found:
        return scored
    chosen = {pick[1] for pick in found}
    return [item for item in scored if item[1] not in chosen] + found


# A column of relatives (Mutter, Vater; MADRE, PADRE, NONNA) under a header that names no field
# is a guardian's relation: below a name of the field, above ACCEPT.
_RELATIVES_SHARE = 0.8


def with_guardian_values(
    scored: Scored,
    header: Header,
    values: ValueProfile,
    specs: Sequence[FieldSpec],
    entity: EntityKind,
) -> Scored:
    """A weak header's candidates, with a guardian's field its values name.

    IBIS' ``ART`` of Mutter and Vater on a pupil row, Nuvola's ``RUOLO DEL TUTORE`` of MADRE,
    PADRE, NONNA in a guardians file: the relation of the guardian (numbered as the header
    numbers it, 1 by default), whatever the header calls it. A guardian's column of phone
    numbers (iSchool's ``parent_contact``) is the guardian's phone.

    Examples:
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> from edukoppel.mapping._normalise import normalise
        >>> from edukoppel.mapping._values import profile
        >>> specs = catalogue().for_entity("student")
        >>> art, relatives = normalise("ART"), profile(["Mutter", "Vater"])
        >>> found = with_guardian_values([], art, relatives, specs, "student")
        >>> str(found[0][1]), found[0][0]
        ('guardian[1].relation', 0.84)
    """
    if not values.filled:
        return scored
    if values.share("relative") >= _RELATIVES_SHARE:
        name, why = "relation", f"values: {values.share('relative'):.0%} name a guardian's relation"
    elif values.share("phone") >= _FAMILY_SHARE and OWNER_WORDS & {*header.words, *header.note}:
        # "parent_contact", "Contact ouder" of phone numbers: the guardian's phone
        name, why = "phone", f"a guardian's column, values: {values.share('phone'):.0%} phone"
    else:
        return scored
    for spec in specs:
        if spec.kind == "guardian" and spec.name == name:
            target = target_for(spec, header, entity)
            if target is None:
                return scored
            return [item for item in scored if item[1] != target] + [(_FAMILY, target, (why,))]
    return scored


def no_pupil_roles(values: ValueProfile) -> bool:
    """Whether a filled role column names no pupil: it cannot tell a mixed file's rows apart.

    Examples:
        >>> from edukoppel.mapping._values import profile as value_profile
        >>> no_pupil_roles(value_profile(["Teacher", "Specialist"]))
        True
        >>> no_pupil_roles(value_profile(["docent", "leerling"]))
        False
    """
    return values.filled > 0 and values.share("pupil_role") == 0
