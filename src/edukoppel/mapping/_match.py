"""match_columns(): each column of a table to a canonical field, scored, explained, one to one.

For every column and every field the row's kind may hold, a score in [0, 1] is built from the
header (an exact alias, the same alias once case, accents and decoration are off, a path end,
an abbreviation, a fuzzy likeness) and weighed by what the values look like. Columns then get
fields best score first, one column per field (several for a field that allows it, and one
per guardian for numbered guardian columns). A column whose best score is weak stays unmapped,
with its candidates as suggestions: a wrong mapping is worse than none, and an identifier
needs near certainty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from edukoppel.exceptions import MappingError
from edukoppel.mapping import _presets
from edukoppel.mapping._catalogue import (
    GERMAN_GUARDIAN_WORDS,
    NORDIC_GUARDIAN_WORDS,
    OWNER_WORDS,
    RELATED,
    ROMANCE_GUARDIAN_WORDS,
    Catalogue,
    FieldSpec,
    Target,
    catalogue,
)
from edukoppel.mapping._normalise import Header, normalise
from edukoppel.mapping._presets import Preset, detect
from edukoppel.mapping._profile import Profile
from edukoppel.mapping._valuemap import ValueMap
from edukoppel.mapping._values import ValueProfile, fit
from edukoppel.mapping._values import profile as value_profile
from edukoppel.mapping._words import words as word_lists
from edukoppel.model import EntityKind

if TYPE_CHECKING:
    import polars as pl

    from edukoppel.readers import Table

__all__ = ["ACCEPT", "ACCEPT_KEY", "Candidate", "ColumnMapping", "ColumnMatch", "match_columns"]

ACCEPT = 0.80
"""A column is mapped to its best field only with at least this confidence."""
ACCEPT_KEY = 0.95
"""The record's key needs more: a wrong key column makes the next sync archive everyone."""
SUGGEST = 0.40
"""Candidates from this score on are listed as suggestions."""
_MAX_SUGGESTIONS = 3
_FUZZY_FLOOR = 70  # below this, two names only share letters
_RELATED = 0.97
# Fields whose value names another thing (a school, a class, a programme): "School Name",
# "Locatiecode", "classroom_name" name that thing by its name or code, and so the field.
_REFERENCE_TYPES = frozenset({"location", "locations", "group", "groups", "program"})
_REFERENCE_SUFFIXES = (
    "name", "naam", "code", "id", "omschrijving", "description", "shortname", "afkorting",
    "names", "namen",  # "Kursnamen": the courses by their names
)  # fmt: skip
# Value kinds a header may name in brackets as the values' format: "Username (Email)".
_FORMAT_TYPES = frozenset({"email", "date", "eckid", "brin6"})
# Fields that name a thing (a class, a year, a programme, a school) and may be followed by a
# word for which form of its name a column holds (words.toml's form_words: "Kurzform").
_FORM_TYPES = frozenset({"group", "groups", "year", "program", "location", "locations"})
# German compounds join a word to the next with an -n- or -s- ("Klasse" + "n" + "bezeichnung").
_LINKS = ("", "n", "s", "en")
_FALLBACK = 0.92  # a fallback name of a field (``School`` for a vestiging) scores 92%
_FALLBACK_NOTE = "a fallback name: another column may name it better"
_LISTED = 0.1  # from this share of cells that list several groups, a class column is groups


@attrs.frozen
class Candidate:
    """A field a column might map to, with its score and why.

    Attributes:
        target: ``kind.field`` (``guardian[2].email`` for the second guardian's).
        score: The confidence in [0, 1].
        evidence: Why, in words: ``exact alias 'Roepnaam'``, ``values: 100% e-mail``.
    """

    target: str
    score: float
    evidence: tuple[str, ...]


@attrs.frozen
class ColumnMatch:
    """What one column of the table maps to.

    Attributes:
        column: The column's name in the table (its unique name).
        position: Its 0-based position.
        target: The field it maps to, ``None`` when it stays unmapped.
        confidence: The score of that mapping (of the best candidate when unmapped).
        evidence: Why.
        candidates: The other fields it might be, best first (suggestions).
    """

    column: str
    position: int
    target: str | None
    confidence: float
    evidence: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()

    @property
    def mapped(self) -> bool:
        """Whether the column maps to a field."""
        return self.target is not None


@attrs.frozen
class ColumnMapping:
    """The columns of a table, each mapped to a canonical field or left unmapped.

    Attributes:
        entity: The kind a row holds (``student``).
        columns: One :class:`ColumnMatch` per table column, in table order.
        missing: Required fields no column maps to (``student.last_name``; alternatives of
            which none is mapped as ``student.email | student.username``).
        preset: The known layout recognised from the header, if one.
        required: The host's own required fields, beside the catalogue's (``required=``):
            each a tuple of alternatives, one of which must be mapped.
        ties: Fields no column was chosen for because several were as sure to be it: each
            the field and those columns (``("student.key", ("Student ID", "Pupil ID"))``).
    """

    entity: EntityKind
    columns: tuple[ColumnMatch, ...]
    missing: tuple[str, ...] = ()
    preset: str | None = None
    notes: tuple[str, ...] = ()
    required: tuple[tuple[str, ...], ...] = ()
    ties: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def _repr_html_(self) -> str:
        from edukoppel._html import mapping_html

        return mapping_html(self)

    def profile(
        self,
        *,
        name: str = "profile",
        values: ValueMap | Mapping[str, Mapping[str, str | None]] | None = None,
    ) -> Profile:
        """The mapping's decisions as a :class:`Profile` (every column, mapped or not).

        ``values`` are value maps (koppeltabellen) to keep in the profile beside them.
        """
        kept = values if isinstance(values, ValueMap) or values is None else ValueMap(values)
        columns = {m.column: m.target for m in self.columns}
        return Profile(self.entity, columns, name=name, values=kept)

    def save(
        self,
        path: str | Path,
        *,
        values: ValueMap | Mapping[str, Mapping[str, str | None]] | None = None,
    ) -> Path:
        """Save the decisions as a profile (TOML, or JSON for a ``.json`` path) for next time.

        ``values`` (value maps) are saved in the profile too, and ``ek.read(profile=...)``
        applies them.

        Examples:
            >>> from edukoppel.readers import Table
            >>> table = Table.from_rows(["Nr", "Achternaam"], [["00123", "Berg"]])
            >>> mapping = match_columns(table, overrides={"Nr": "student.key"})
            >>> path = mapping.save("mapping.toml")  # doctest: +SKIP
            >>> match_columns(table, profile=path).targets  # doctest: +SKIP
            {'Nr': 'student.key', 'Achternaam': 'student.last_name'}
        """
        return self.profile(name=Path(path).name, values=values).save(path)

    def __iter__(self) -> Iterator[ColumnMatch]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, column: str) -> ColumnMatch:
        for match in self.columns:
            if match.column == column:
                return match
        from edukoppel.exceptions import ColumnNotFoundError

        raise ColumnNotFoundError(column, columns=[match.column for match in self.columns])

    @property
    def targets(self) -> dict[str, str]:
        """Mapped columns and their fields: ``{"Roepnaam": "student.first_name", ...}``."""
        return {m.column: m.target for m in self.columns if m.target is not None}

    @property
    def unmapped(self) -> tuple[str, ...]:
        """The columns that map to no field."""
        return tuple(m.column for m in self.columns if m.target is None)

    def column_of(self, target: str) -> str | None:
        """The column mapped to a field (the first, for a multi-column field)."""
        for match in self.columns:
            if match.target == target:
                return match.column
        return None

    def with_overrides(
        self, overrides: Mapping[str, str | None], *, catalogue_: Catalogue | None = None
    ) -> ColumnMapping:
        """A copy with some columns mapped by hand (``None``: leave the column unmapped).

        A field given to a column by hand is taken away from any other column that had it.

        Examples:
            >>> from edukoppel.readers import Table
            >>> table = Table.from_rows(["Nr", "Naam"], [["00123", "Berg"]])
            >>> mapping = match_columns(table).with_overrides(
            ...     {"Nr": "student.key", "Naam": "student.last_name"})
            >>> mapping.targets
            {'Nr': 'student.key', 'Naam': 'student.last_name'}
        """
        fields = catalogue_ or catalogue()
        names = {m.column for m in self.columns}
        unknown = sorted(set(overrides) - names)
        if unknown:
            from edukoppel.exceptions import ColumnNotFoundError

            raise ColumnNotFoundError(unknown[0], columns=[m.column for m in self.columns])
        chosen: dict[str, str | None] = {}
        for column, given in overrides.items():
            if given is not None:
                parsed = Target.parse(given)
                if fields.spec(parsed) is None:
                    raise MappingError(f"{given!r} is not a field edukoppel knows")
            chosen[column] = None if given is None else str(parsed)
        taken = {target for target in chosen.values() if target is not None}
        columns = []
        for match in self.columns:
            if match.column in chosen:
                columns.append(
                    attrs.evolve(
                        match,
                        target=chosen[match.column],
                        confidence=1.0,
                        evidence=("set by hand",),
                    )
                )
            elif match.target in taken and not _multi(fields, match.target):
                columns.append(attrs.evolve(match, target=None, evidence=("field set by hand",)))
            else:
                columns.append(match)
        mapped = {m.target for m in columns if m.target is not None}
        missing = _missing(fields, self.entity, self.required, mapped)
        return attrs.evolve(self, columns=tuple(columns), missing=missing)

    def to_polars(self) -> pl.DataFrame:
        """One row per column: ``column, target, confidence, evidence, suggestions``."""
        import polars as pl

        return pl.DataFrame(
            {
                "column": [m.column for m in self.columns],
                "target": [m.target for m in self.columns],
                "confidence": [round(m.confidence, 3) for m in self.columns],
                "evidence": ["; ".join(m.evidence) for m in self.columns],
                "suggestions": [
                    ", ".join(f"{c.target} ({c.score:.2f})" for c in m.candidates)
                    for m in self.columns
                ],
            },
            schema={
                "column": pl.String,
                "target": pl.String,
                "confidence": pl.Float64,
                "evidence": pl.String,
                "suggestions": pl.String,
            },
        )

    def __str__(self) -> str:
        width = max([len(m.column) for m in self.columns] + [6])
        lines = [
            f"ColumnMapping of {len(self.columns)} columns to {self.entity} fields"
            + (f" (preset {self.preset!r})" if self.preset else "")
        ]
        for m in self.columns:
            if m.target is not None:
                what = f"-> {m.target}  {m.confidence:.2f}  {'; '.join(m.evidence)}"
            else:
                hint = ", ".join(f"{c.target} {c.score:.2f}" for c in m.candidates)
                what = "   (unmapped)" + (f"  suggestions: {hint}" if hint else "")
            lines.append(f"  {m.column.ljust(width)} {what}")
        if self.missing:
            lines.append(f"  required, not mapped: {', '.join(self.missing)}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


def _multi(fields: Catalogue, target: str | None) -> bool:
    spec = fields.spec(target) if target is not None else None
    return bool(spec and spec.multi)


def _missing(
    fields: Catalogue,
    entity: EntityKind,
    required: Sequence[tuple[str, ...]],
    mapped: set[str],
) -> tuple[str, ...]:
    """The required fields (the catalogue's, then the host's) that no column maps to."""
    own = _key_ok(
        (spec.target for spec in fields.required(entity) if spec.target not in mapped), mapped
    )
    extra = [
        " | ".join(choices)
        for choices in required
        if not any(choice in mapped for choice in choices) and " | ".join(choices) not in own
    ]
    return (*own, *extra)


def _required_fields(
    required: Sequence[str | Sequence[str]] | None, entity: EntityKind, fields: Catalogue
) -> tuple[tuple[str, ...], ...]:
    """A host's ``required=`` as targets: ``"last_name"`` or ``("email", "username")``."""
    result: list[tuple[str, ...]] = []
    for item in required or ():
        choices = (item,) if isinstance(item, str) else tuple(item)
        targets = []
        for choice in choices:
            target = choice if "." in choice else f"{entity}.{choice}"
            if fields.spec(target) is None:
                known = ", ".join(
                    spec.name for spec in fields.for_entity(entity) if spec.kind == entity
                )
                raise MappingError(
                    f"required={choice!r}: {target!r} is not a field edukoppel knows; the "
                    f"{entity} fields are {known}"
                )
            targets.append(str(Target.parse(target)))
        if targets:
            result.append(tuple(targets))
    return tuple(result)


def _key_ok(missing: Iterable[str], mapped: set[str]) -> tuple[str, ...]:
    """A file without a key column is fine when a username or an e-mail can stand in."""
    result = []
    for target in missing:
        kind, _, field = target.partition(".")
        if field == "key" and ({f"{kind}.username", f"{kind}.email"} & mapped):
            continue
        result.append(target)
    return tuple(result)


# -- scoring ---------------------------------------------------------------------------------


#: Words that name a kind: before an alias of that kind's field, they add nothing.
#: A person word (``persoon``, ``person``; a library system's ``patron``, ``borrower``,
#: ``lener``) names the row's person whatever its kind (Informat's ``persoonId``, Sierra's
#: ``Patron First Name``); Flemish and Dutch systems call a guardian a ``relatie``.
_PERSON_WORDS = frozenset({"persoon", "person", "patron", "borrower", "lener", "user"})
_KIND_WORDS: dict[str, frozenset[str]] = {
    # MBO (Eduarte) calls its pupil a deelnemer, adult education a cursist; health and
    # childcare systems (NHS Mavis: CHILD_FIRST_NAME) a child; German tools a Schüler.
    "student": frozenset(
        {"leerling", "student", "pupil", "learner", "lln", "deelnemer", "cursist", "scholier"}
        | {"child", "schuler", "schueler", "elev", "elever"}  # Swedish, Norwegian, Danish
        # French, Spanish, Portuguese, Italian, Finnish: "Nom Elève", "Email alumno".
        | {"eleve", "eleves", "alumno", "alumna", "alumnos", "estudiante", "estudiantes"}
        | {"aluno", "aluna", "alunno", "alunni", "studente", "oppilas"}
        | _PERSON_WORDS
    ),
    "staff": frozenset(
        {"docent", "teacher", "educator", "staff", "medewerker", "employee", "instructor"}
        | {"leerkracht", "leraar", "werknemer", "personeelslid", "lehrer", "mitarbeiter"}
        | {"lehrkraft", "enseignant", "professeur", "profesor", "docente", "insegnante"}
        | {"larare", "opettaja"}
        | _PERSON_WORDS
    ),
    "guardian": frozenset(
        {"ouder", "verzorger", "parent", "guardian", "contact", "relatie", *_PERSON_WORDS}
        | GERMAN_GUARDIAN_WORDS
        | NORDIC_GUARDIAN_WORDS
        | ROMANCE_GUARDIAN_WORDS
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
_ADDRESS = frozenset(
    {"street", "straat", "postalcode", "postcode", "zip", "zipcode", "huisnummer", "streetnr"}
)
_TOWNS = frozenset({"location", "city", "town", "plaats", "woonplaats"})
# Plural forms of an e-mail or phone alias (``emails``, ``E-mailadressen``, ``Phones``): a
# list of them, whose first is the field.
_PLURALS = ("s", "en", "sen")
_LISTS = frozenset({"email", "phone"})
# "Naam" beside "Voornaam" (Flemish and Dutch: Informat, Smartschool, Wisa), "Name" beside
# "Surname": a bare name header is the other half of a name the file splits in two.
_BARE_NAMES = frozenset({"naam", "name"})
_PAIR_SCORE = 0.9
_PRIMARY = frozenset({"primary", "main", "hoofd"})
# Words that name a school or a kind of person, never a system whose login a header names.
_NOT_SYSTEMS = frozenset(
    {"school", "schule", "vestiging", "district", "class", "klas"}
    | {word for kind in ("student", "staff", "guardian") for word in _KIND_WORDS[kind]}
)


# Words that add nothing after an alias of a field of this type: "School Email Address",
# "Mobile Number".
_FILLERS: dict[str, tuple[str, ...]] = {
    "email": ("address", "adres"),
    "phone": ("number", "nummer"),
    "identifier": ("number", "nummer"),  # "UPN number", "Barcode number"
}


def _before(header: Header, kind_words: frozenset[str]) -> tuple[str | None, str | None]:
    """A word of ``kind_words`` that starts a header, and what follows it (compact).

    Examples:
        >>> _before(normalise("Student Email"), frozenset({"student"}))
        ('student', 'email')
        >>> _before(normalise("Leerlingvoornaam"), frozenset({"leerling"}))
        ('leerling', 'voornaam')
        >>> _before(normalise("Voornaam"), frozenset({"leerling"}))
        (None, None)
        >>> _before(normalise("Primary Student ID"), frozenset({"student"}))
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
    # The longest word first: "Klassenbezeichnung" is "klassen" + "bezeichnung", not "klas" + ...
    for word in sorted(kind_words, key=lambda kind: (-len(kind), kind)):
        if first.startswith(word) and len(first) >= len(word) + 3:
            return word, header.compact[len(word) :]
    return None, None


def _header_score(
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
    kind_word, unprefixed = _kind_named(header, _KIND_WORDS.get(spec.kind, frozenset()))
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
        elif form in header.alternatives and not (known and spec.type not in _FORMAT_TYPES):
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
    """A word of the kind's before an alias (see :func:`_before`), or after it.

    Examples:
        >>> _kind_named(normalise("Förnamn förälder"), frozenset({"foralder"}))
        ('foralder', 'fornamn')
    """
    kind_word, rest = _before(header, kind_words)
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
    if spec.type in _REFERENCE_TYPES:
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
_WHOSE_WORDS = OWNER_WORDS | {word for words in _KIND_WORDS.values() for word in words}


def _whose_linked(header: Header) -> Header | None:
    """A header without the preposition before a word for whose (``Förnamn för förälder``).

    Examples:
        >>> _whose_linked(normalise("Förnamn för förälder")).words
        ('fornamn', 'foralder')
        >>> _whose_linked(normalise("Date of Birth")) is None
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


def _unglued(
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


def _glued_vocabulary(specs: Sequence[FieldSpec]) -> dict[str, str]:
    """The names of the person fields a glued header may name: compact form to field."""
    vocabulary: dict[str, str] = {}
    for spec in specs:
        if spec.name in _GLUED_FIELDS:
            for form in (*(form for _, form, _, _ in spec.forms), *(f for _, f in spec.owned)):
                vocabulary.setdefault(form, spec.name)
    return vocabulary


def _read_apart(
    scored: tuple[float, str], glued: tuple[Header, str] | None, spec: FieldSpec, *, own: bool
) -> tuple[float, str]:
    """A header's score for a field, or its glued reading's when that names it better."""
    score, why = scored
    if glued is None or spec.name not in _GLUED_FIELDS or why == "avoid":
        return scored
    apart, apart_why = _header_score(glued[0], spec, own=own)
    if apart_why != "avoid" and apart * _GLUED > score:
        return apart * _GLUED, f"{apart_why}, {glued[1]}"
    return scored


def _year_levels(
    scored: tuple[float, str], header: Header, spec: FieldSpec, values: ValueProfile
) -> tuple[float, str]:
    """A "School year" column that holds year levels (``1``, ``year 4``) is the year group.

    The year field avoids the word school (a school year is ``2024-2025``); the values
    decide: year levels make it the year group, calendar years leave it out.

    Examples:
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> year = catalogue().spec("student.year")
        >>> _year_levels((0.0, "avoid"), normalise("School year"), year, value_profile(["7"]))
        (0.9, "alias 'Year' after 'school', and the values are year levels")
        >>> _year_levels((0.0, "avoid"), normalise("School year"), year, value_profile(["2025"]))
        (0.0, 'avoid')
    """
    if scored[1] != "avoid" or spec.type != "year" or header.words[:1] != ("school",):
        return scored
    rest = "".join(header.words[1:])
    aliases = [alias for alias, form, _, _ in spec.forms if form == rest]
    if not aliases or not values.filled or fit(spec.type, values) < 0.8:
        return scored
    return 0.9, f"alias {aliases[0]!r} after 'school', and the values are year levels"


# The word a glued header is read with for each kind (one _KIND_WORDS and OWNER_WORDS know).
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
        glued, rest_glued = _before(header, OWNER_WORDS)
        owner, rest = ([glued], rest_glued or "") if glued else ([], rest)
    for alias, form in spec.owned:
        if owner and rest in (form, *(form + filler for filler in fillers)):
            return 0.95, f"alias {alias!r} with {owner[0]!r}"
    return 0.0, ""


_POINTER_EVIDENCE = "a database pointer to the row's person ('p' + its kind)"


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
    whose = _KIND_WORDS.get(spec.kind, frozenset())
    if own and spec.name in ("key", "student_number") and "".join(pointed) in whose:
        return _POINTER_SCORE, _POINTER_EVIDENCE
    return 0.0, "avoid"


def _weigh(score: float, spec: FieldSpec, values: ValueProfile) -> tuple[float, str | None]:
    """The header score weighed by what the values look like; and a note on the values."""
    if values.filled == 0:
        return score * 0.97, None
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
        >>> _unfamiliar(value_profile(["jente", "gutt"])), _unfamiliar(value_profile(["a@b.nl"]))
        (True, False)
        >>> _unfamiliar(value_profile(["Mr", "Ms"]))
        False
    """
    kinds = (*_TELLING_KINDS, "honorific")
    return all(values.share(kind) < 0.8 for kind in kinds)


# Value kinds so distinctive that a column full of them is that kind and no other field.
_TELLING_KINDS = ("email", "date", "eckid", "brin6", "upn", "phone")
# Value kinds that name a field of the same type on their own (never enough to map it).
_VALUE_ONLY = ("email", "date", "eckid", "brin6")


def _value_suggestions(
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


def _target(
    spec: FieldSpec, header: Header, entity: EntityKind, *, series: bool = False
) -> Target | None:
    """Which target a header gives a field: guardian 2's e-mail, or None when it cannot be.

    ``series``: the table numbers this header (``Class 1``, ``Class 2``), or its cells list
    several groups (``2A Science, 5B Lab``). A row has one homeroom, so such class columns
    hold its teaching groups.

    Examples:
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> klas = catalogue().spec("student.homeroom")
        >>> str(_target(klas, normalise("Klas 2"), "student", series=True))
        'student.groups'
    """
    if spec.kind != entity:  # a related kind's column on this row: number them (1 by default)
        return Target(spec.kind, spec.name, header.number or 1)
    if series and spec.type == "group":
        return Target(spec.kind, "groups")
    if header.number is not None and header.number > 1 and not spec.multi:
        return None  # "E-mail 2" of a pupil: a second address, not the field
    return Target(spec.kind, spec.name)


def match_columns(
    table: Table,
    *,
    entity: EntityKind | None = None,
    preset: str | Literal[False] | None = None,
    profile: str | Path | Profile | None = None,
    overrides: Mapping[str, str | None] | None = None,
    required: Sequence[str | Sequence[str]] | None = None,
    catalogue_: Catalogue | None = None,
) -> ColumnMapping:
    """Map each column of a table to a canonical field, with a confidence and the evidence.

    Decisions are taken in this order, each over the one before: the automatic match, a
    preset (a known layout, recognised from the header), a saved profile, your overrides.

    Args:
        table: From :func:`edukoppel.read_table`.
        entity: What a row holds: ``student`` (with its guardians' columns), ``staff``,
            ``guardian``, ``group`` or ``location``. Default: the recognised preset's, else
            ``student``.
        preset: A preset's name to use, ``False`` for none; default: recognise it.
        profile: A saved mapping profile (a path, or a :class:`Profile`) to apply.
        overrides: Columns mapped by hand: ``{"Nr": "student.key", "Opmerking": None}``.
        required: The fields your application needs, beside the catalogue's own: a field
            (``"username"``, ``"student.homeroom"``), or a tuple of alternatives of which one
            must be mapped (``("email", "username")``). Unmapped ones are in ``missing``.
        catalogue_: Another field catalogue (tests); default: the one that ships.

    Raises:
        MappingError: The profile maps the key to a column the file no longer has (the
            export changed: map it again rather than guess), or names another entity.

    Returns:
        The mapping: per column the field or none, the confidence, the evidence and the
        runner-up candidates, plus the required fields left unmapped.

    Examples:
        >>> from edukoppel.readers import Table
        >>> table = Table.from_rows(
        ...     ["Leerlingnummer", "Roepnaam", "Tussenv.", "Achternaam", "E-mail toestemming"],
        ...     [["00123", "Daan", "van der", "Berg", "ja"]],
        ... )
        >>> mapping = match_columns(table)
        >>> mapping.targets["Leerlingnummer"], mapping.targets["Tussenv."]
        ('student.key', 'student.infix')
        >>> "E-mail toestemming" in mapping.unmapped
        True
    """
    fields = catalogue_ or catalogue()
    names = table.unique_columns
    layout = None
    if preset is None:
        layout = detect(table.columns, entity)
    elif preset is not False:
        layout = _presets.preset(preset)
    detected_note = None
    profiles = _profiles(table)
    if entity is None and layout is None and profile is None:
        entity, detected_note = _detect_entity(table, fields, profiles)
    entity = entity or (layout.entity if layout else "student")
    saved = profile if isinstance(profile, Profile) or profile is None else Profile.load(profile)
    fixed, notes = _decisions(names, table.columns, layout, saved, entity)
    specs = fields.for_entity(entity)
    if not specs:
        raise MappingError(f"the field catalogue has no fields for {entity!r}")
    candidates, suggestions = _score(table, specs, entity, profiles)
    compared = {position: normalise(name).compact for position, name in enumerate(names)}
    chosen, tied = _assign(candidates, fields, fixed, compared, _qualified(table, entity))
    columns = [
        _column_match(name, position, scored=candidates[position],
                      suggestions=suggestions[position], pick=chosen.get(position),
                      decided=fixed.get(position), tie=_tie_text(tied.get(position), names))
        for position, name in enumerate(names)
    ]  # fmt: skip
    notes.extend(
        dict.fromkeys(f"no column chosen for {_tie_text(tie, names)}" for tie in tied.values())
    )
    mapped = {m.target for m in columns if m.target is not None}
    wanted = _required_fields(required, entity, fields)
    if detected_note is not None:
        notes.insert(0, detected_note)
    mapping = ColumnMapping(
        entity=entity,
        columns=tuple(columns),
        missing=_missing(fields, entity, wanted, mapped),
        preset=layout.name if layout else None,
        notes=tuple(notes),
        required=wanted,
        ties=tuple(
            dict.fromkeys(
                (target, tuple(names[position] for position in positions))
                for target, positions in tied.values()
            )
        ),
    )
    if overrides:
        mapping = mapping.with_overrides(overrides, catalogue_=fields)
    return mapping


Scored = list[tuple[float, Target, tuple[str, ...]]]
_PROFILE_ROWS = 20_000  # rows a column's values are judged on (its first 500 filled cells)
_KINDS_TO_DETECT: tuple[EntityKind, ...] = ("student", "staff", "guardian", "group", "location")


def _detect_entity(
    table: Table, fields: Catalogue, profiles: Sequence[ValueProfile]
) -> tuple[EntityKind, str | None]:
    """Which kind a table's rows hold, from its header.

    A pupil file is the default. Another kind wins when a column is its key by its own name
    (``Medewerkernummer``, ``Oudernummer``, ``Klascode``) and its fields take more of the
    columns than a pupil's do (each field counted once).
    """
    totals: dict[EntityKind, float] = {}
    keys: dict[EntityKind, str] = {}
    for kind in _KINDS_TO_DETECT:
        specs = [spec for spec in fields.for_entity(kind) if spec.kind == kind]
        candidates, _ = _score(table, specs, kind, profiles)
        best: dict[str, float] = {}
        for position, scored in candidates.items():
            if not scored or scored[0][0] < ACCEPT:
                continue
            score, target, _why = scored[0]
            best[str(target)] = max(best.get(str(target), 0.0), score)
            if target.field == "key" and score >= ACCEPT_KEY and kind not in keys:
                keys[kind] = table.unique_columns[position]
        totals[kind] = sum(best.values())
    others = [kind for kind in _KINDS_TO_DETECT[1:] if kind in keys]
    winner = max(others, key=lambda kind: totals[kind], default=None)
    if winner is None or totals[winner] <= totals["student"]:
        return "student", None
    return winner, f"rows hold {winner} records: {keys[winner]!r} is their key"


def _profiles(table: Table) -> list[ValueProfile]:
    """What each column's values look like, from the first rows (a sample is enough)."""
    head = table.head(_PROFILE_ROWS)
    return [value_profile(head.column(position)) for position in range(table.width)]


def _score(
    table: Table,
    specs: Sequence[FieldSpec],
    entity: EntityKind,
    profiles: Sequence[ValueProfile] | None = None,
) -> tuple[dict[int, Scored], dict[int, list[Candidate]]]:
    """Per column, every field it might be with its weighed score (best first)."""
    candidates: dict[int, Scored] = {}
    suggestions: dict[int, list[Candidate]] = {}
    profiles = _profiles(table) if profiles is None else profiles
    headers = [
        normalise(table.columns[position] or name)
        for position, name in enumerate(table.unique_columns)
    ]
    numbers: dict[str, set[int]] = {}
    for header in headers:
        if header.number is not None:
            numbers.setdefault(header.compact, set()).add(header.number)
    plural = {spec.kind: spec for spec in specs if spec.name == "groups" and spec.multi}
    names = {form for spec in specs for _, form, _, _ in spec.forms}
    vocabulary = _glued_vocabulary(specs)
    # A header that is a name of some field, or the word for the row's kind ("Klasse" in a
    # class file), is no shortened form of a longer name ("Klassenstufe").
    known = names | _KIND_WORDS.get(entity, frozenset())
    context = _Context.of(headers, specs, entity)
    # Smartschool's "location" beside "street" and "postalCode" is the town of the address.
    # (Magister's LOCATION beside a CITY is the school's location: the CITY is the town.)
    towns = [header for header in headers if header.compact in _TOWNS]
    addressed = sum(header.compact in _ADDRESS for header in headers) >= 2 and len(towns) == 1
    for position, header in enumerate(headers):
        values = profiles[position]
        series = entity in plural and (
            len(numbers.get(header.compact, ())) > 1 or values.share("group_list") >= _LISTED
        )
        scored: Scored = []
        header = _whose_linked(header) or header  # noqa: PLW2901 (the header as it reads)
        glued = _unglued(header, vocabulary, entity)
        for spec in specs:
            target = _target(spec, header, entity, series=series)
            if target is None:
                continue
            own = spec.kind == entity
            if addressed and header.compact in _TOWNS and spec.type in _REFERENCE_TYPES:
                continue
            score, why = _year_levels(
                _read_apart(
                    _header_score(header, spec, own=own, known=header.compact in known),
                    glued,
                    spec,
                    own=own,
                ),
                header,
                spec,
                values,
            )
            if spec.name == "_role" and entity == "staff" and _no_pupil_roles(values):
                continue  # Teacher, Specialist: the staff members' functions, not row kinds
            beside = _beside((score, why), spec, header, position, own=own, context=context)
            if beside is None:
                continue
            score, why = beside
            if score < SUGGEST or why == "avoid":
                continue
            judged = plural.get(target.kind, spec) if target.field == "groups" else spec
            weighed, note = _weigh(score, judged, values)
            if (
                spec.type in _FORMAT_TYPES
                and why.startswith("names alias")
                and values.share(spec.type) >= 0.9
            ):
                # "Username (Email)" full of e-mail addresses: the brackets say what the
                # values are, and they are; that beats the name outside the brackets.
                weighed, note = max(weighed, 0.99), f"values are {spec.type}, as named"
            if not own:
                weighed *= _RELATED  # on a tie, a pupil row's column is the pupil's
            scored.append((weighed, target, (why, note) if note else (why,)))
        if not scored or max(item[0] for item in scored) < ACCEPT:
            scored = _with_family(scored, header, values, specs, entity)
        scored.sort(key=lambda item: (-item[0], str(item[1])))
        candidates[position] = scored
        suggestions[position] = [] if scored else _value_suggestions(values, specs, entity)
    return candidates, suggestions


@attrs.frozen
class _Context:
    """What the other headers of a table say about each column's name."""

    halves: dict[int, tuple[str, bool, str]]  # "Naam" beside "Voornaam": the other half
    official: dict[int, str]  # "Voornaam" beside "Roepnaam": the official given names
    preferred: frozenset[int]  # "Preferred Surname" beside "Surname": a variant
    singulars: dict[str, str]  # the one-word class names ("class"), for their plurals

    @classmethod
    def of(
        cls, headers: Sequence[Header], specs: Sequence[FieldSpec], entity: EntityKind
    ) -> _Context:
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


def _beside(
    scored: tuple[float, str],
    spec: FieldSpec,
    header: Header,
    position: int,
    *,
    own: bool,
    context: _Context,
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
        >>> _dated_first(normalise("Fecha ingreso"), "student")
        True
        >>> _dated_first(normalise("PupilPremiumFYStartDate"), "student")
        False
    """
    kind_words = _KIND_WORDS.get(entity, frozenset())
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


def _with_family(
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
        | {word for kind, found in _KIND_WORDS.items() if kind not in (entity, "group")
           for word in found}
    ) - _KIND_WORDS.get(entity, frozenset())  # fmt: skip
    if not values.filled or others & {*header.words, *header.note}:
        return scored
    named = _family_words(header)
    if named & _DATE_FIELDS and not _dated_first(header, entity):
        named -= _DATE_FIELDS  # "PupilPremiumFYStartDate": the start of something else
    picks: dict[str, Pick] = {}
    for spec in specs:
        if spec.kind != entity or spec.name not in named or spec.type not in _FAMILY_VALUES:
            continue
        if entity == "staff" and (spec.name == "_role") == _no_pupil_roles(values):
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
        target = _target(spec, header, entity)
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


# "Classes", "Courses": the plural of a word for one class names the several a row has.
_PLURAL_ENDS = ("s", "es")
_PLURAL_SCORE = 0.9


def _plural_of(header: Header, singulars: Mapping[str, str]) -> str | None:
    """The class word (a one-word name of the homeroom) a header is the English plural of.

    Examples:
        >>> _plural_of(normalise("Classes"), {"class": "Class"})
        'Class'
        >>> _plural_of(normalise("Class"), {"class": "Class"}) is None
        True
    """
    if len(header.words) != 1 or header.compact in singulars:
        return None
    for end in _PLURAL_ENDS:
        stem = header.compact[: -len(end)]
        if header.compact.endswith(end) and stem in singulars:
            return singulars[stem]
    return None


def _no_pupil_roles(values: ValueProfile) -> bool:
    """Whether a filled role column names no pupil: it cannot tell a mixed file's rows apart.

    Examples:
        >>> _no_pupil_roles(value_profile(["Teacher", "Specialist"]))
        True
        >>> _no_pupil_roles(value_profile(["docent", "leerling"]))
        False
    """
    return values.filled > 0 and values.share("pupil_role") == 0


def _tie_text(tie: Tie | None, names: Sequence[str]) -> str | None:
    """``student.key: as sure as another column ('Student ID', 'Pupil ID'); ...``."""
    if tie is None:
        return None
    target, positions = tie
    columns = ", ".join(repr(names[position]) for position in positions)
    return f"{target}: as sure as another column ({columns}); map one by hand"


# The name a person goes by (Dutch roepnaam, German Rufname, English preferred name), and a
# plain first name: beside a call name, the plain one is the official first name(s).
_CALL_NAMES = frozenset(
    {"roepnaam", "rufname", "preferredfirstname", "preferredforename", "preferredname", "knownas"}
)
_CALL_NAME_SIMILARITY = 90  # "prefferedname" is 96% "preferredname"
_PLAIN_FIRST_NAMES = frozenset(
    {"voornaam", "vorname", "firstname", "forename", "givenname", "first"}
)


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
        >>> from edukoppel.mapping._catalogue import catalogue
        >>> specs = catalogue().for_entity("student")
        >>> heads = [normalise(h) for h in ("Voornaam", "Roepnaam")]
        >>> _official_first_names(heads, specs, "student")
        {0: "'Voornaam' beside a call name: the official given names"}
        >>> _official_first_names(heads, catalogue().for_entity("staff"), "staff")
        {0: "'Voornaam' beside a call name: the official given names"}
    """
    from rapidfuzz import fuzz

    kind_words = _KIND_WORDS.get(entity, frozenset())

    def rest(header: Header) -> str | None:
        if any(word in OWNER_WORDS for word in (*header.words, *header.note)):
            return None
        word, unprefixed = _before(header, kind_words)
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
        >>> heads = [normalise(h) for h in ("Surname", "Preferred Surname")]
        >>> sorted(_preferred_surnames(heads, "staff"))
        [1]
        >>> sorted(_preferred_surnames(heads[1:], "staff"))
        []
    """
    kind_words = _KIND_WORDS.get(entity, frozenset())

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

    def split(header: Header) -> tuple[tuple[str, ...], str]:
        owner = tuple(sorted(word for word in header.words if word in OWNER_WORDS))
        rest = "".join(word for word in header.words if word not in OWNER_WORDS)
        return (*owner, str(header.number or "")), rest

    parts = [split(header) for header in headers]
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


def _column_match(
    name: str,
    position: int,
    *,
    scored: Scored,
    suggestions: list[Candidate],
    pick: tuple[float, Target, tuple[str, ...]] | None,
    decided: Decision | None,
    tie: str | None = None,
) -> ColumnMatch:
    """The match of one column, with its runner-ups as suggestions."""
    if decided is not None and decided[0] is None:  # a preset or profile: no field
        others = [Candidate(str(t), round(s, 3), e) for s, t, e in scored][:_MAX_SUGGESTIONS]
        return ColumnMatch(name, position, None, 1.0, decided[1], tuple(others))
    others = [
        Candidate(str(target), round(score, 3), evidence)
        for score, target, evidence in scored
        if pick is None or target != pick[1]
    ]
    others.extend(suggestions)
    others = [c for c in others if c.score >= SUGGEST][:_MAX_SUGGESTIONS]
    if pick is not None:
        score, target, evidence = pick
        return ColumnMatch(name, position, str(target), round(score, 3), evidence, tuple(others))
    best = scored[0][0] if scored else 0.0
    why = (f"a tie on {tie}",) if tie else _why_unmapped(scored)
    return ColumnMatch(name, position, None, round(best, 3), why, tuple(others))


def _why_unmapped(scored: Sequence[tuple[float, Target, tuple[str, ...]]]) -> tuple[str, ...]:
    if not scored:
        return ("no field's name looks like this header",)
    score, target, _ = scored[0]
    threshold = ACCEPT_KEY if target.field == "key" else ACCEPT
    if score < threshold:
        return (f"not sure enough: best {target} at {score:.2f}, needs {threshold:.2f}",)
    return (f"{target} went to another column with more evidence",)


Decision = tuple["Target | None", tuple[str, ...]]


def _decisions(
    names: Sequence[str],
    headers: Sequence[str],
    layout: Preset | None,
    saved: Profile | None,
    entity: EntityKind,
) -> tuple[dict[int, Decision], list[str]]:
    """The columns a preset or a profile decides, by position; and notes on what changed."""
    fixed: dict[int, Decision] = {}
    notes: list[str] = []
    if layout is not None:
        for position, header in enumerate(headers):
            known, target = layout.target_of(header)
            if known:
                parsed = Target.parse(target) if target else None
                fixed[position] = (parsed, (f"preset {layout.name!r}",))
    if saved is not None:
        if saved.entity != entity:
            raise MappingError(
                f"the profile {saved.name!r} is for {saved.entity} rows, not {entity} rows"
            )
        position_of = {name: position for position, name in enumerate(names)}
        gone = [column for column in saved.columns if column not in position_of]
        new = [name for name in names if name not in saved.columns]
        for column in gone:
            target = saved.columns[column]
            if target is not None and Target.parse(target).field == "key":
                raise MappingError(
                    f"the profile {saved.name!r} maps column {column!r} to {target}, but the "
                    f"file has no such column (columns gone: {', '.join(map(repr, gone))}; new: "
                    f"{', '.join(map(repr, new)) or 'none'}). The export changed: map the key "
                    "by hand and save a new profile, rather than let edukoppel guess"
                )
            notes.append(f"the profile's column {column!r} is not in the file")
        notes.extend(f"column {name!r} is new: matched automatically" for name in new)
        for column, target in saved.columns.items():
            if column in position_of:
                parsed = Target.parse(target) if target else None
                fixed[position_of[column]] = (parsed, (f"profile {saved.name!r}",))
    return fixed, notes


Pick = tuple[float, Target, tuple[str, ...]]
Tie = tuple[str, tuple[int, ...]]  # the field, and the columns (positions) as sure to be it
_TIE = 0.005  # two scores this close are one score: neither column has more evidence
# A column that names the row's kind (``Student Email``) scores a little below a bare alias
# (``Email Address``) for naming more than the field: within this gap, the one that names
# the row's kind is the row's, and the bare one another person's (NWEA: the instructor's).
_QUALIFIED_GAP = 0.05
# Two key columns this close are equally sure: an exact alias (``ID``) against a normalised
# one (``TeacherNumber``) or one after a kind word (``persoonId``) is no evidence of which
# holds the key.
_KEY_TIE = 0.05
# A header that names a number (``Teacher_number``, ``Stamnr``, ``Leerlingnummer``) is the
# school's number for its people: an id column beside it (``Teacher_id``) holds the key.
_NUMBER_ENDS = ("nummer", "number", "nr", "num")
# "ID number" (Moodle's idnumber, Edusight's id_number) names an id, not a number.
_ID_NUMBERS = ("idnumber", "idnummer", "idnr")
# A globally unique id (``GUID``, ``uuid``, ``GUIDExtern``) is what a system that issues them
# identifies its people by: it holds the key before any other id column (BBS-Verwaltung
# checks the GUID first, the Import-ID second; Somtoday's uuid beside its leerlingnummer).
_GLOBAL_IDS = ("guid", "uuid")
# The id of a user account (``User ID``, ``Login ID``): the key only when the file names
# neither the person's id nor its number (Raet's [User ID] beside its [Dossiernummer]).
_ACCOUNT_IDS = frozenset({"userid", "loginid", "accountid", "gebruikerid", "benutzerid"})


def _key_rank(name: str, options: int, outside: frozenset[str] = frozenset()) -> int:
    """Which column of several sure key columns takes the key: the lowest rank.

    0 a globally unique id, 1 another id, 2 a number sure to be nothing but the key, 3 a
    column that may also be another field (the pupil's number), 4 a number given from
    outside the school (``outside``: a state's, a nation's), 5 a user account's id.

    Examples:
        >>> [_key_rank(name, 1) for name in ("guid", "studentid", "dossiernummer", "userid")]
        [0, 1, 2, 5]
        >>> _key_rank("idnumber", 1), _key_rank("leerlingnummer", 2), _key_rank("studentuserid", 1)
        (1, 3, 5)
        >>> _key_rank("statestudentnumber", 2, frozenset({"statestudentnumber"}))
        4
    """
    if name.endswith(tuple(_ACCOUNT_IDS)):  # "StudentUserID" too: the account's id
        return 5
    if name in outside:
        return 4
    if name.startswith(_GLOBAL_IDS) or name.endswith(_GLOBAL_IDS):
        return 0
    number = name.endswith(_NUMBER_ENDS) and not name.endswith(_ID_NUMBERS)
    if options == 1:
        return 2 if number else 1
    return 3


def _qualified(table: Table, entity: EntityKind) -> frozenset[int]:
    """The columns whose header names the row's kind (``Student First Name``, ``Leerlingnr``).

    Examples:
        >>> from edukoppel.readers import Table
        >>> sorted(_qualified(Table.from_rows(["Student First Name", "First Name"], []), "student"))
        [0]
    """
    kind_words = _KIND_WORDS.get(entity, frozenset()) - _PERSON_WORDS
    found = set()
    for position, name in enumerate(table.unique_columns):
        header = normalise(table.columns[position] or name)
        if kind_words & set(header.words) or _before(header, kind_words)[0] is not None:
            found.add(position)
    return frozenset(found)


def _assign(
    candidates: Mapping[int, Sequence[Pick]],
    fields: Catalogue,
    fixed: Mapping[int, Decision] | None = None,
    names: Mapping[int, str] | None = None,
    qualified: frozenset[int] = frozenset(),
) -> tuple[dict[int, Pick], dict[int, Tie]]:
    """Decided columns first, then best score first, one column per target (or several).

    Returns the chosen field per column, and per column left out of a tie the field and
    the columns that tie for it. Two rules
    decide between columns that name one single-valued field:

    - **The key**: an id column (``persoonId``, ``Student_id``, ``Teacher_id``) takes it
      before a number column (``stamnr``, ``Student_number``, ``Teacher_number``: a header
      that names a number, or a sure pupil's number too): the school's number is the key
      only when no id column is there. Two columns that are
      equally sure to be the key, with no number among them to step aside, leave the key
      unmapped: a wrong key column makes the next sync archive everyone.
    - **Any other field**: the better score wins (a fallback name such as ``School`` scores
      below the vestiging's own names); two equal scores leave both columns unmapped, with
      the field as a suggestion, rather than let the columns' names decide; unless exactly
      one of them names the row's kind (``Student First Name`` beside ``First Name``, in
      ``qualified``): that one is the row's, the other may still take another field. The
      same when the bare one scores higher by less than ``_QUALIFIED_GAP`` (an exact
      ``Email Address`` against ``Student Email``, an alias after the kind's word).
    """
    chosen: dict[int, Pick] = {}
    tied: dict[int, Tie] = {}
    taken: set[Target] = set()
    for position, (decided, why) in (fixed or {}).items():
        if decided is not None:
            chosen[position] = (1.0, decided, why)
            taken.add(decided)
    free = {position: scored for position, scored in candidates.items() if position not in chosen}
    free = {position: scored for position, scored in free.items() if position not in (fixed or {})}
    # Ties never depend on the columns' order: a column with fewer sure options goes first
    # (``Student_id`` takes the key before ``Student_number``, which can also be the
    # student_number), then the header's name decides.
    options = {
        position: sum(1 for score, _, _ in scored if score >= ACCEPT)
        for position, scored in candidates.items()
    }
    label = names or {}
    outside = frozenset(
        normalise(alias).compact
        for spec in fields.fields.values()
        if spec.name == "student_number"
        for alias in spec.fallback
    )
    _assign_keys(free, options, label, chosen, tied, taken, outside)
    ranked: list[tuple[float, int, Target, tuple[str, ...]]] = [
        (score, position, target, evidence)
        for position, scored in free.items()
        for score, target, evidence in scored
    ]
    ranked.sort(key=lambda item: (-item[0], options[item[1]], label.get(item[1], ""), str(item[2])))
    for index, (score, position, target, evidence) in enumerate(ranked):
        if score < ACCEPT:
            break  # sorted: nothing after this is sure enough
        if position in chosen or position in tied or target.field == "key":
            continue
        spec = fields.spec(target)
        multi = bool(spec and spec.multi)
        if target in taken and not multi:
            continue
        if not multi and position not in qualified and any(
            rival >= score - _QUALIFIED_GAP and aim == target and other in qualified
            and other not in chosen and other not in tied and free[other][0][1] == target
            for rival, other, aim, _ in ranked[index + 1 :]
        ):  # fmt: skip
            continue  # "Student Email" beside "Email Address": the row's is the named one
        rivals = [] if multi else [
            other
            for rival, other, aim, _ in ranked[index + 1 :]
            if rival >= score - _TIE and aim == target and other not in chosen
            and other not in tied and other != position and options[other] == options[position]
        ]  # fmt: skip
        named = [other for other in (position, *rivals) if other in qualified]
        if rivals and len(named) == 1:
            if named[0] != position:
                continue  # the qualified rival, further down, takes it
            rivals = []
        if rivals:
            for loser in (position, *rivals):
                tied[loser] = (str(target), (position, *rivals))
            taken.add(target)
            continue
        chosen[position] = (score, target, evidence)
        taken.add(target)
    _only_number_is_key(chosen, tied, candidates, fixed or {})
    return chosen, tied


def _only_number_is_key(
    chosen: dict[int, Pick],
    tied: Mapping[int, Tie],
    candidates: Mapping[int, Sequence[Pick]],
    fixed: Mapping[int, Decision],
) -> None:
    """The pupil's number holds the key when it is the file's only id of the pupil.

    A number the school gives each pupil is stable and unique: with no column sure to be the
    key, and none tied for it, the one column chosen as the pupil's number is the key
    (Sparx's ``MIS/External ID``, which may be either), if the key was among its candidates.
    A key left unmapped would otherwise be made from the username or the e-mail address. Not
    a database pointer (Informat's ``pPersoon``), which a migration may change.
    """
    numbers = [
        position
        for position, (_, target, _) in chosen.items()
        if target.field == "student_number" and position not in fixed
    ]
    if len(numbers) != 1:
        return
    position = numbers[0]
    score, target, _ = chosen[position]
    key = attrs.evolve(target, field="key")
    if any(pick[1] == key for pick in chosen.values()) or any(
        tie[0] == str(key) for tie in tied.values()
    ):
        return
    for candidate_score, candidate, evidence in candidates[position]:
        pointer = _POINTER_EVIDENCE in evidence
        if candidate == key and candidate_score >= min(score, ACCEPT) and not pointer:
            why = (*evidence, "the file's only pupil number, and no other column is the key")
            chosen[position] = (candidate_score, key, why)
            return


def _assign_keys(  # noqa: PLR0917 (the assignment's state, shared with _assign)
    free: Mapping[int, Sequence[Pick]],
    options: Mapping[int, int],
    names: Mapping[int, str],
    chosen: dict[int, Pick],
    tied: dict[int, Tie],
    taken: set[Target],
    outside: frozenset[str] = frozenset(),
) -> None:
    """Each key (the row's, guardian 1's, ...) to the one column sure to be it, if one.

    ``outside``: the names of a number given from outside the school (a state's), which
    holds the key only when no column of the school's own does.
    """
    contenders: dict[Target, list[tuple[float, int, tuple[str, ...]]]] = {}
    for position, scored in free.items():
        top = scored[0][0] if scored else 0.0
        for score, target, evidence in scored:
            # A column that names another field better is no key column. A related kind's
            # key ("parent_1_id" on a pupil row) is as sure before the nudge that makes a
            # pupil row's column the pupil's on a tie (_RELATED).
            sure = ACCEPT_KEY * (_RELATED if target.number is not None else 1.0)
            if target.field == "key" and score >= max(sure, top - _TIE):
                contenders.setdefault(target, []).append((score, position, evidence))
    for target in sorted(contenders, key=str):
        if target in taken:
            continue
        pool = [item for item in contenders[target] if item[1] not in chosen]
        ranks = {
            item[1]: _key_rank(names.get(item[1], ""), options[item[1]], outside) for item in pool
        }
        first = min(ranks.values(), default=0)
        # A number steps aside for an id, an account's id for both (see _key_rank).
        field = [item for item in pool if ranks[item[1]] == first]
        field.sort(key=lambda item: (-item[0], names.get(item[1], "")))
        if not field:
            continue
        best = field[0]
        rivals = [item for item in field[1:] if item[0] >= best[0] - _KEY_TIE]
        if rivals:
            for item in (best, *rivals):
                tied[item[1]] = (str(target), tuple(other[1] for other in (best, *rivals)))
            taken.add(target)
            continue
        chosen[best[1]] = (best[0], target, best[2])
        taken.add(target)
