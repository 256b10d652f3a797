"""Presets: known export layouts (Numo, Magister, Microsoft SDS, OneRoster) as data.

Each ``presets/*.toml`` file names a layout's columns exactly as it writes them and the field
each maps to. A table whose header is (nearly all) one layout's is recognised without a word
from the user; the mapping then says which preset it used.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files

import attrs

from edukoppel.exceptions import MappingError
from edukoppel.mapping._catalogue import Target
from edukoppel.mapping._normalise import compact
from edukoppel.model import ENTITY_KINDS, EntityKind

__all__ = ["Preset", "detect", "preset", "presets"]

_MIN_COLUMNS = 3
_SHARE_OF_PRESET = 0.6  # of the preset's columns the table must have
_SHARE_OF_TABLE = 0.8  # of the table's columns the preset must know


@attrs.frozen
class Preset:
    """A known layout: its name, title, where it is documented, and its columns' fields.

    ``values`` holds, per column, what the layout's values mean (``{"rol": {"docent":
    "staff"}}``): for a role column, which kind a row is.
    """

    name: str
    title: str
    entity: EntityKind
    columns: Mapping[str, str | None]
    source: str = ""
    values: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    # The columns and their values by compact header, the first column of a form winning:
    # detect() asks every preset about every column of every file read.
    _targets: Mapping[str, str | None] = attrs.field(init=False, eq=False, repr=False)
    _meanings: Mapping[str, Mapping[str, str]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        targets: dict[str, str | None] = {}
        for column, target in self.columns.items():
            targets.setdefault(compact(column), target)
        meanings: dict[str, Mapping[str, str]] = {}
        for column, table in self.values.items():
            lowered = {value.strip().lower(): meaning for value, meaning in table.items()}
            meanings.setdefault(compact(column), lowered)
        object.__setattr__(self, "_targets", targets)
        object.__setattr__(self, "_meanings", meanings)

    def values_of(self, header: str) -> Mapping[str, str]:
        """What this column's values mean, in lower case (empty if the preset says nothing)."""
        return dict(self._meanings.get(compact(header), {}))

    def target_of(self, header: str) -> tuple[bool, str | None]:
        """Whether the preset knows this header, and its field (``None``: no field)."""
        wanted = compact(header)
        return wanted in self._targets, self._targets.get(wanted)


@cache
def presets() -> tuple[Preset, ...]:
    """Every preset that ships with edukoppel, by name."""
    folder = files("edukoppel.mapping").joinpath("presets")
    found = []
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if not item.name.endswith(".toml"):
            continue
        data = tomllib.loads(item.read_text(encoding="utf-8"))
        entity = data.get("entity", "student")
        if entity not in ENTITY_KINDS:
            raise MappingError(f"preset {item.name}: unknown entity {entity!r}")
        columns: dict[str, str | None] = {}
        for column, target in dict(data.get("columns") or {}).items():
            columns[column] = str(Target.parse(target)) if target else None
        found.append(
            Preset(
                name=data.get("name", item.name.removesuffix(".toml")),
                title=data.get("title", ""),
                entity=entity,
                columns=columns,
                source=data.get("source", ""),
                values={
                    str(column): {str(value): str(meaning) for value, meaning in table.items()}
                    for column, table in dict(data.get("values") or {}).items()
                },
            )
        )
    return tuple(found)


def preset(name: str) -> Preset:
    """The preset with this name (``numo-inleesbestand``); the error lists the names."""
    for candidate in presets():
        if candidate.name == name:
            return candidate
    names = ", ".join(p.name for p in presets()) or "(none)"
    raise MappingError(f"there is no preset {name!r}; the presets are {names}")


def detect(
    header: Sequence[str],
    entity: EntityKind | None = None,
    *,
    among: Sequence[Preset] | None = None,
) -> Preset | None:
    """The preset whose layout this header is, or ``None`` when none fits well.

    A table fits a preset when it has most of the preset's columns and the preset knows
    nearly all of the table's; of several, the one that knows most of it wins.
    """
    named = [column for column in header if column.strip()]
    if len(named) < _MIN_COLUMNS:
        return None
    best: tuple[float, Preset] | None = None
    for candidate in presets() if among is None else among:
        if entity is not None and candidate.entity != entity:
            continue
        known = sum(1 for column in named if candidate.target_of(column)[0])
        if known < _MIN_COLUMNS:
            continue
        of_preset = known / len(candidate.columns)
        of_table = known / len(named)
        if of_preset >= _SHARE_OF_PRESET and of_table >= _SHARE_OF_TABLE:
            score = of_table + of_preset
            if best is None or score > best[0]:
                best = (score, candidate)
    return None if best is None else best[1]
