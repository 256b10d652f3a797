"""The result of matching: a ColumnMapping of ColumnMatches, and the scores that decide it.

A column maps to its best field from ``ACCEPT`` on, to a key only from ``ACCEPT_KEY``; weaker
candidates from ``SUGGEST`` on are listed as suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from edukoppel.exceptions import MappingError
from edukoppel.mapping._catalogue import Catalogue, Target, catalogue
from edukoppel.mapping._profile import Profile
from edukoppel.mapping._valuemap import ValueMap
from edukoppel.model import EntityKind

if TYPE_CHECKING:
    import polars as pl


__all__ = [
    "ACCEPT",
    "ACCEPT_KEY",
    "RELATED_WEIGHT",
    "SUGGEST",
    "TIE",
    "Candidate",
    "ColumnMapping",
    "ColumnMatch",
    "Pick",
    "Scored",
    "missing_required",
    "required_fields",
]

ACCEPT = 0.80
"""A column is mapped to its best field only with at least this confidence."""
ACCEPT_KEY = 0.95
"""The record's key needs more: a wrong key column makes the next sync archive everyone."""
SUGGEST = 0.40
"""Candidates from this score on are listed as suggestions."""
TIE = 0.005
"""Two scores this close are one score: neither has more evidence."""


RELATED_WEIGHT = 0.97
"""A related kind's field (a guardian's, on a pupil row) scores this much of the row's own:
on a tie the column is the pupil's."""


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
            >>> from edukoppel.mapping import match_columns
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
            >>> from edukoppel.mapping import match_columns
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
        missing = missing_required(fields, self.entity, self.required, mapped)
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


def missing_required(
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


def required_fields(
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


Scored = list[tuple[float, Target, tuple[str, ...]]]


Pick = tuple[float, Target, tuple[str, ...]]
