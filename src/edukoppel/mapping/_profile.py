"""Mapping profiles: an admin's decisions, saved as a small file and reused next year.

A profile is a reviewable TOML (or JSON) file that says, per column header, which field it maps
to (``""``: left unmapped on purpose)::

    # edukoppel mapping profile
    format = "edukoppel.mapping-profile"
    version = 1
    entity = "student"

    [columns]
    "Leerlingnummer" = "student.key"
    "Roepnaam" = "student.first_name"
    "Opmerking" = ""

    [values."student.program"]     # value maps (koppeltabellen), optional
    "HAVO" = "havo"
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from edukoppel.exceptions import MappingError
from edukoppel.mapping._catalogue import Target
from edukoppel.mapping._valuemap import ValueMap, _tables
from edukoppel.model import ENTITY_KINDS, EntityKind

__all__ = ["Profile"]

_FORMAT = "edukoppel.mapping-profile"
_VERSION = 1


@attrs.frozen
class Profile:
    """Saved mapping decisions: per column header, a field (``None``: left unmapped).

    Examples:
        >>> profile = Profile("student", {"Nr": "student.key", "Opmerking": None})
        >>> Profile.from_text(profile.to_toml()) == profile
        True
    """

    entity: EntityKind
    columns: Mapping[str, str | None]
    name: str = attrs.field(default="profile", eq=False)
    values: ValueMap | None = attrs.field(default=None, kw_only=True)

    def to_toml(self) -> str:
        """The profile as TOML text (what :meth:`save` writes for a ``.toml`` path)."""
        lines = [
            "# edukoppel mapping profile: which field each column maps to ('' = unmapped).",
            "# Review it like code; edukoppel refuses it when the file's key column changed.",
            f"format = {_toml_string(_FORMAT)}",
            f"version = {_VERSION}",
            f"entity = {_toml_string(self.entity)}",
            "",
            "[columns]",
        ]
        for column, target in self.columns.items():
            lines.append(f"{_toml_string(column)} = {_toml_string(target or '')}")
        text = "\n".join(lines) + "\n"
        if self.values is not None and self.values.tables:
            text += "\n" + values_toml(self.values.tables, header=False)
        return text

    def to_json(self) -> str:
        """The profile as JSON text."""
        document: dict[str, Any] = {
            "format": _FORMAT,
            "version": _VERSION,
            "entity": self.entity,
            "columns": {column: target or "" for column, target in self.columns.items()},
        }
        if self.values is not None and self.values.tables:
            document["values"] = {
                field: {source: meaning or "" for source, meaning in table.items()}
                for field, table in self.values.tables.items()
            }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def save(self, path: str | Path) -> Path:
        """Write the profile: JSON for a ``.json`` path, else TOML. Returns the path."""
        target = Path(path)
        text = self.to_json() if target.suffix.lower() == ".json" else self.to_toml()
        target.write_text(text, encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> Profile:
        """Read a profile that :meth:`save` wrote (or an admin edited)."""
        source = Path(path)
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as error:
            raise MappingError(f"cannot read the mapping profile {source}: {error}") from None
        return cls.from_text(text, name=source.name)

    @classmethod
    def from_text(cls, text: str, *, name: str = "profile") -> Profile:
        """A profile from TOML or JSON text."""
        try:
            document = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError) as error:
            raise MappingError(f"{name}: not a mapping profile ({error})") from None
        if document.get("format") != _FORMAT or document.get("version") != _VERSION:
            raise MappingError(f"{name}: not an edukoppel mapping profile of version {_VERSION}")
        entity = document.get("entity")
        if entity not in ENTITY_KINDS:
            raise MappingError(f"{name}: entity must be one of {', '.join(ENTITY_KINDS)}")
        columns: dict[str, str | None] = {}
        for column, given in dict(document.get("columns") or {}).items():
            if not isinstance(given, str):
                raise MappingError(f"{name}: column {column!r} must map to a field name or ''")
            try:
                columns[str(column)] = str(Target.parse(given)) if given else None
            except ValueError as error:
                raise MappingError(f"{name}: column {column!r}: {error}") from None
        tables = document.get("values")
        values = None
        if tables:
            if not isinstance(tables, dict):
                raise MappingError(f'{name}: expected [values."field"] tables')
            values = ValueMap(_tables(tables, name=name))
        return cls(entity, columns, name=name, values=values)


def values_toml(tables: Mapping[str, Mapping[str, str | None]], *, header: bool = True) -> str:
    """Value maps as TOML: a ``[values."field"]`` table per field (``""``: no value)."""
    lines = (
        ["# edukoppel value map (koppeltabel): source value = your value ('' = no value)."]
        if header
        else []
    )
    for field, table in tables.items():
        if lines:
            lines.append("")
        lines.append(f"[values.{_toml_string(field)}]")
        lines.extend(
            f"{_toml_string(source)} = {_toml_string(meaning or '')}"
            for source, meaning in table.items()
        )
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return (
        '"'
        + "".join(
            f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char
            for char in escaped
        )
        + '"'
    )
