"""The field catalogue: every canonical field with the names exports give it (``fields.toml``)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import attrs

from edukoppel.mapping._normalise import compact, normalise
from edukoppel.mapping._words import Words, words
from edukoppel.model import ENTITY_KINDS, EntityKind, data_fields

__all__ = [
    "NORDIC_GUARDIAN_WORDS",
    "RELATED",
    "ROMANCE_GUARDIAN_WORDS",
    "ROW_FIELDS",
    "TYPES",
    "Catalogue",
    "FieldSpec",
    "Target",
    "catalogue",
]

TYPES = frozenset(
    {
        "identifier", "text", "name", "email", "date", "gender", "year", "group", "groups",
        "location", "locations", "username", "bool", "phone", "eckid", "brin6", "role",
        "roles", "program", "relation",
    }
)  # fmt: skip
#: Fields that are read from a row but not stored as a field of its record: the row's kind
#: and mentor (``_role``, ``_mentor``), and a guardian's relation to the pupil on the row,
#: which is stored on the link (``GuardianLink.relation``).
ROW_FIELDS: Mapping[EntityKind, frozenset[str]] = {
    "student": frozenset({"_role", "_mentor"}),
    "staff": frozenset({"_role"}),
    "guardian": frozenset({"relation"}),
}
#: The other kinds whose columns a row of a kind may carry (a pupil row: its guardians).
RELATED: Mapping[EntityKind, tuple[EntityKind, ...]] = {"student": ("guardian",)}


_PERSON_FIELDS = frozenset(
    {"first_name", "initials", "infix", "last_name", "email", "gender", "phone", "username",
     "eckid"}
)  # fmt: skip
_PUPIL_WORDS = frozenset(
    {"leerling", "leerlingen", "student", "students", "pupil", "lln", "kind", "child"}
)
#: German words for a pupil's guardians (``Erzieher1_Vorname``, ``Ezb1_Telefon``,
#: ``NameEltern1``): parents, educators, those with custody or care.
GERMAN_GUARDIAN_WORDS = frozenset(
    {"eltern", "elternteil", "elternteile", "erzieher", "ezb", "erziehungsberechtigte",
     "erziehungsberechtigter", "erziehungsberechtigten", "sorgeberechtigte",
     "sorgeberechtigter", "sorgeberechtigten"}
)  # fmt: skip
#: Swedish, Norwegian and Danish words for a pupil's guardians (``Förnamn för förälder``).
NORDIC_GUARDIAN_WORDS = frozenset(
    {"foralder", "foraldrar", "vardnadshavare", "foresatt", "foresatte"}
)
#: French, Italian and Spanish words for a pupil's guardians (``Nom du responsable``,
#: ``COGNOME TUTORE``): the one responsible, the tutor (Italian: the legal guardian), a parent.
ROMANCE_GUARDIAN_WORDS = frozenset(
    {"responsable", "responsables", "tutore", "tutori", "genitore", "genitori"}
)
#: Words that say a column on a pupil row is a guardian's (``Contact 1 Forename``).
OWNER_WORDS = frozenset(
    {"ouder", "ouders", "verzorger", "verzorgers", "voogd", "parent", "parents", "guardian",
     "guardians", "contact", "carer", "carers",
     "coaccount", "coaccounts",  # Smartschool: a parent's co-account on the pupil's account
     "relatie",  # Informat, Wisa, Eduarte, ParnasSys: a pupil's relaties are its guardians
     # German: Eltern, Erzieher, Erziehungsberechtigte (Ezb), Sorgeberechtigte.
     *GERMAN_GUARDIAN_WORDS, *NORDIC_GUARDIAN_WORDS, *ROMANCE_GUARDIAN_WORDS}
) | words().kind_words("guardian")  # fmt: skip

#: Where each list of words.toml's languages goes: (kind, field, which list of the field).
#: A school's word is a location only without a vestiging (a fallback, as "School").
_VOCABULARY: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    **{
        field: (("student", field, "aliases"),)
        for field in ("first_name", "given_names", "last_name", "birth_date", "gender", "email",
                      "username", "homeroom")
    },
    "year": (("student", "year", "aliases"), ("group", "year", "aliases")),
    "site": (("student", "location", "aliases"), ("staff", "locations", "aliases")),
    "school": (
        ("student", "location", "aliases"), ("student", "location", "fallback"),
        ("staff", "locations", "aliases"), ("staff", "locations", "fallback"),
    ),
    "pupil_number": (("student", "key", "aliases"), ("student", "student_number", "aliases")),
    "start_date": (("student", "start_date", "aliases"), ("staff", "start_date", "aliases")),
    "end_date": (("student", "end_date", "aliases"), ("staff", "end_date", "aliases")),
    "phone": (("guardian", "phone", "own_aliases"),),
    "mentor": (("student", "_mentor", "aliases"),),
    "program": (("student", "program", "aliases"),),
    "relation": (("guardian", "relation", "aliases"),),
    "abbreviation": (("staff", "abbreviation", "aliases"),),
    "national_id": tuple(
        (kind, field, "avoid")
        for kind, field in (("student", "key"), ("student", "student_number"),
                            ("staff", "key"), ("guardian", "key"))
    ),
}  # fmt: skip
#: The types of field a no-field header (a full name, a password) must never take.
_NO_FIELD_TYPES = frozenset({"name", "username"})


def with_vocabulary(data: Mapping[str, Any], found: Words) -> dict[str, Any]:
    """The fields of a ``fields.toml`` with the words of every language added to them.

    Examples:
        >>> merged = with_vocabulary(tomllib.loads(_fields_text()), words())
        >>> "Nazwisko" in merged["student"]["last_name"]["aliases"]
        True
        >>> "Hasło" in merged["staff"]["username"]["avoid"]
        True
    """
    merged = {kind: {name: dict(entry) for name, entry in fields.items()}
              for kind, fields in data.items()}  # fmt: skip
    for name, places in _VOCABULARY.items():
        for kind, field, which in places:
            entry = merged[kind][field]
            known = {word.casefold() for word in entry.get(which, ())}
            added = [word for word in found.vocabulary(name) if word.casefold() not in known]
            entry[which] = [*entry.get(which, ()), *dict.fromkeys(added)]
    no_field = found.vocabulary("no_field")
    for fields in merged.values():
        for entry in fields.values():
            if entry.get("type") in _NO_FIELD_TYPES:
                entry["avoid"] = [*entry.get("avoid", ()), *no_field]
    return merged


@attrs.frozen(order=True)
class Target:
    """Where a column goes: a field of a kind, and which one of several (guardian 2).

    Examples:
        >>> str(Target("guardian", "email", 2)), str(Target("student", "email"))
        ('guardian[2].email', 'student.email')
        >>> Target.parse("guardian[2].email") == Target("guardian", "email", 2)
        True
    """

    kind: EntityKind
    field: str
    number: int | None = None

    def __str__(self) -> str:
        count = f"[{self.number}]" if self.number is not None else ""
        return f"{self.kind}{count}.{self.field}"

    @classmethod
    def parse(cls, text: str) -> Target:
        """A target from its text (``student.email``, ``guardian[2].email``)."""
        head, _, field = text.strip().partition(".")
        number = None
        if head.endswith("]") and "[" in head:
            head, _, count = head[:-1].partition("[")
            number = int(count)
        if head not in ENTITY_KINDS or not field:
            raise ValueError(f"not a field target: {text!r} (write e.g. 'student.last_name')")
        return cls(head, field, number)


@attrs.frozen
class FieldSpec:
    """One field of the catalogue, with its aliases in compared form.

    Attributes:
        kind, name: The entity kind and the field (``student``, ``last_name``).
        type: What its values look like (see ``fields.toml``).
        required: Whether a roster of this kind needs it.
        aliases: The header names exports give it.
        avoid: Words that, in a header, mean it is not this field.
        multi: Whether several columns may map to it.
        own_aliases: Header names that count only on a row of this kind: a guardians
            file's plain ``ID`` is the guardian's key, a pupil file's is the pupil's.
        fallback: Aliases that name the field only when no column names it better
            (``School`` is the pupil's location, unless a ``Vestiging`` column is there).
        owned: For a related kind's person field (a guardian's first name, on a pupil row):
            ``(alias, compact form)`` of the names that, beside a word that says whose it
            is (``ouder``, ``Contact 1``), name this field: ``Forename`` in ``Contact 1
            Forename``. Set by :meth:`Catalogue.for_entity`.
    """

    kind: EntityKind
    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    multi: bool = False
    own_aliases: tuple[str, ...] = ()
    fallback: frozenset[str] = frozenset()
    owned: tuple[tuple[str, str], ...] = ()
    forms: tuple[tuple[str, str, str, bool], ...] = attrs.field(init=False, eq=False, repr=False)
    exact: Mapping[str, tuple[str, bool]] = attrs.field(init=False, eq=False, repr=False)
    avoided: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    """The avoid words in compact form."""

    def __attrs_post_init__(self) -> None:
        # (alias, compact form, words joined by spaces, implicit) per alias; the field's own
        # name and its own_aliases are implicit, used only for a row of its own kind.
        implicit = self.name.strip("_").replace("_", " ")
        # ``exact``: each alias as written (case folded), since two aliases can compare alike
        # ("DOB", "Date of Birth") and keep one form.
        forms = []
        seen: set[str] = set()
        exact: dict[str, tuple[str, bool]] = {}
        for alias, own_only in [
            *((alias, False) for alias in self.aliases),
            *((alias, True) for alias in (*self.own_aliases, implicit)),
        ]:
            if alias != implicit:  # the field's own name is a name, not a written alias
                exact.setdefault(alias.strip().casefold(), (alias, own_only))
            header = normalise(alias)
            if header.compact and header.compact not in seen:
                seen.add(header.compact)
                forms.append((alias, header.compact, " ".join(header.words), own_only))
        object.__setattr__(self, "forms", tuple(forms))
        object.__setattr__(self, "exact", exact)
        object.__setattr__(
            self, "avoided", tuple(form for form in map(compact, self.avoid) if form)
        )

    @property
    def target(self) -> str:
        """``kind.name``."""
        return f"{self.kind}.{self.name}"


@attrs.frozen
class Catalogue:
    """Every field the matcher can map a column to, by ``kind.field``."""

    fields: Mapping[str, FieldSpec]
    # for_entity's answers: it is asked once per entity kind for every file read, and builds
    # a few hundred specs (with their normalised aliases) each time.
    _by_entity: dict[EntityKind, tuple[FieldSpec, ...]] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )

    @classmethod
    def from_toml(cls, text: str) -> Catalogue:
        """A catalogue from the text of a ``fields.toml``."""
        return cls.from_dict(tomllib.loads(text))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalogue:
        """A catalogue from ``{kind: {field: {type, required, aliases, avoid, multi, ...}}}``."""
        fields: dict[str, FieldSpec] = {}
        for kind, entries in data.items():
            if kind not in ENTITY_KINDS:
                raise ValueError(f"fields.toml: unknown entity kind {kind!r}")
            known = set(data_fields(kind)) | ROW_FIELDS.get(kind, frozenset())
            for name, entry in entries.items():
                if name not in known:
                    raise ValueError(f"fields.toml: {kind} has no field {name!r}")
                if entry.get("type") not in TYPES:
                    raise ValueError(f"fields.toml: {kind}.{name} has no known type")
                spec = FieldSpec(
                    kind=kind,
                    name=name,
                    type=entry["type"],
                    required=bool(entry.get("required", False)),
                    aliases=tuple(entry.get("aliases", ())),
                    avoid=tuple(entry.get("avoid", ())),
                    multi=bool(entry.get("multi", False)),
                    own_aliases=tuple(entry.get("own_aliases", ())),
                    fallback=frozenset(entry.get("fallback", ())),
                )
                if not spec.fallback <= set(spec.aliases):
                    raise ValueError(f"fields.toml: {spec.target}: a fallback name is no alias")
                fields[spec.target] = spec
        return cls(fields)

    def for_entity(self, entity: EntityKind) -> list[FieldSpec]:
        """The fields a row of ``entity`` may hold: its own, then its related kinds'.

        A staff member's or a guardian's own row also answers to the names a pupil's field
        has (``Achternaam``, ``E-mailadres``), except names that say they are a pupil's.
        """
        if entity not in self._by_entity:
            self._by_entity[entity] = tuple(self._specs_for(entity))
        return list(self._by_entity[entity])

    def _specs_for(self, entity: EntityKind) -> list[FieldSpec]:
        own = [spec for spec in self.fields.values() if spec.kind == entity]
        if entity in ("staff", "guardian"):
            own = [self._with_person_names(spec) for spec in own]
        # A related kind's link back to the row (a guardian's children) is the row itself.
        related = [
            self._with_owned_names(spec)
            for kind in RELATED.get(entity, ())
            for spec in self.fields.values()
            if spec.kind == kind and spec.type != "relation"
        ]
        return [*own, *related]

    def _with_owned_names(self, spec: FieldSpec) -> FieldSpec:
        """A guardian's person field with the names it has beside a word that says whose.

        Those are its own aliases without that word (``Telefoon`` of ``Telefoon ouder``), the
        names a guardians file gives it (``Telefono``: "Telefono Madre" is the mother's) and
        the pupil field's aliases (``Forename``, ``Tussenvoegsel``), except a pupil's own.
        """
        if spec.name not in _PERSON_FIELDS and spec.name != "relation":
            return spec
        pupil = self.fields.get(f"student.{spec.name}")
        names = [*spec.aliases, *spec.own_aliases, *(pupil.aliases if pupil else ())]
        owned: dict[str, str] = {}
        for alias in names:
            found = [word for word in normalise(alias).words if word not in OWNER_WORDS]
            if found and not _PUPIL_WORDS & set(found):
                owned.setdefault("".join(found), alias)
        return attrs.evolve(spec, owned=tuple((alias, form) for form, alias in owned.items()))

    def _with_person_names(self, spec: FieldSpec) -> FieldSpec:
        pupil = self.fields.get(f"student.{spec.name}")
        if pupil is None or spec.name not in _PERSON_FIELDS:
            return spec
        extra = [
            alias
            for alias in pupil.aliases
            if not _PUPIL_WORDS & set(normalise(alias).words) and alias not in spec.aliases
        ]
        return attrs.evolve(spec, aliases=(*spec.aliases, *extra))

    def required(self, entity: EntityKind) -> list[FieldSpec]:
        """The required fields of ``entity`` itself."""
        return [spec for spec in self.fields.values() if spec.kind == entity and spec.required]

    def spec(self, target: Target | str) -> FieldSpec | None:
        """The field a target names (``guardian[2].email`` is ``guardian.email``)."""
        target = target if isinstance(target, Target) else Target.parse(target)
        return self.fields.get(f"{target.kind}.{target.field}")


def _fields_text() -> str:
    return files("edukoppel.mapping").joinpath("fields.toml").read_text(encoding="utf-8")


@cache
def catalogue() -> Catalogue:
    """The catalogue that ships with edukoppel: ``fields.toml``, with ``words.toml``'s languages."""
    return Catalogue.from_dict(with_vocabulary(tomllib.loads(_fields_text()), words()))
