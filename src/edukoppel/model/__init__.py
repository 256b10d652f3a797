"""The canonical roster model: records, their links, and the Roster that holds them."""

from edukoppel.model._columns import CellRefusal, ColumnCheck, validate_columns
from edukoppel.model._records import (
    ENTITY_KINDS,
    EntityKind,
    Group,
    GroupRole,
    Guardian,
    GuardianLink,
    Location,
    Record,
    School,
    Staff,
    Student,
    data_fields,
    record_class,
)
from edukoppel.model._roster import ROSTER_ARGUMENTS, Collection, Roster, Scope
from edukoppel.model._values import Gender, GroupKind

__all__ = [
    "ENTITY_KINDS",
    "ROSTER_ARGUMENTS",
    "CellRefusal",
    "Collection",
    "ColumnCheck",
    "EntityKind",
    "Gender",
    "Group",
    "GroupKind",
    "GroupRole",
    "Guardian",
    "GuardianLink",
    "Location",
    "Record",
    "Roster",
    "School",
    "Scope",
    "Staff",
    "Student",
    "data_fields",
    "record_class",
    "validate_columns",
]
