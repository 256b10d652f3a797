"""SqlStore's tables: one per entity kind, link tables, the run log, the tenant and the version.

The schema is written out here, column by column, rather than derived from the model: it is a
documented interface that host applications query and join (docs/sql.md lists every table and
column), and it changes only through a numbered, forward upgrade (:data:`UPGRADES`). A test
checks that every data field of the model has its column or link table, so a new field in the
model cannot be forgotten here.

This module imports SQLAlchemy; :mod:`edukoppel.adapters._sql` imports it only when a store
is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import sqlalchemy as sa

from edukoppel.model import ENTITY_KINDS, EntityKind

__all__ = [
    "LINKS",
    "SCALARS",
    "SCHEMA_VERSION",
    "UPGRADES",
    "Link",
    "Schema",
    "UtcDateTime",
]

#: The version of the schema this edukoppel writes. Raise it with every schema change, and
#: add the step from the version before to :data:`UPGRADES`.
SCHEMA_VERSION = 2

_TEXT = sa.Text
_DATE = sa.Date

#: The columns of each kind's table that hold one field each, in the model's field order.
SCALARS: dict[EntityKind, tuple[tuple[str, Any], ...]] = {
    "location": (("key", _TEXT), ("name", _TEXT), ("brin6", _TEXT)),
    "group": (
        ("key", _TEXT),
        ("name", _TEXT),
        ("kind", _TEXT),
        ("year", _TEXT),
        ("location", _TEXT),
        ("subject", _TEXT),
        ("school_year", _TEXT),
    ),
    "student": (
        ("key", _TEXT),
        ("student_number", _TEXT),
        ("eckid", _TEXT),
        ("username", _TEXT),
        ("email", _TEXT),
        ("first_name", _TEXT),
        ("given_names", _TEXT),
        ("initials", _TEXT),
        ("infix", _TEXT),
        ("last_name", _TEXT),
        ("birth_date", _DATE),
        ("gender", _TEXT),
        ("year", _TEXT),
        ("program", _TEXT),
        ("location", _TEXT),
        ("homeroom", _TEXT),
        ("start_date", _DATE),
        ("end_date", _DATE),
    ),
    "staff": (
        ("key", _TEXT),
        ("abbreviation", _TEXT),
        ("eckid", _TEXT),
        ("username", _TEXT),
        ("email", _TEXT),
        ("first_name", _TEXT),
        ("initials", _TEXT),
        ("infix", _TEXT),
        ("last_name", _TEXT),
        ("gender", _TEXT),
        ("start_date", _DATE),
        ("end_date", _DATE),
    ),
    "guardian": (
        ("key", _TEXT),
        ("first_name", _TEXT),
        ("initials", _TEXT),
        ("infix", _TEXT),
        ("last_name", _TEXT),
        ("email", _TEXT),
        ("phone", _TEXT),
        ("gender", _TEXT),
    ),
}


@attrs.frozen
class Link:
    """A field that holds a set of links, kept in a table of its own.

    Attributes:
        field: The record's field (``groups``).
        table: The table's name without the prefix (``student_group``).
        owner: The column that holds the owning record's key (``student_key``).
        columns: The columns of one link, in the order of the link's values: one column
            for a set of keys, or the link class's fields (``GroupRole``: group, role).
        ordered: Whether the table numbers the links (a ``position`` column in the
            primary key), for links that have no natural key.
    """

    field: str
    table: str
    owner: str
    columns: tuple[tuple[str, Any], ...]
    ordered: bool = False


#: The link tables of each kind.
LINKS: dict[EntityKind, tuple[Link, ...]] = {
    "location": (),
    "group": (),
    "student": (Link("groups", "student_group", "student_key", (("group_key", _TEXT),)),),
    "staff": (
        Link("roles", "staff_role", "staff_key", (("role", _TEXT),)),
        Link("groups", "staff_group", "staff_key", (("group_key", _TEXT), ("role", _TEXT))),
        Link("mentees", "staff_mentee", "staff_key", (("student_key", _TEXT),)),
        Link("locations", "staff_location", "staff_key", (("location_key", _TEXT),)),
    ),
    "guardian": (
        Link(
            "students",
            "guardian_student",
            "guardian_key",
            (
                ("student_key", _TEXT),
                ("relation", _TEXT),
                ("legal_authority", sa.Boolean),
                ("receives_mail", sa.Boolean),
            ),
            ordered=True,
        ),
    ),
}

# Reverse lookups a host makes ("who is in group 1HA", "whose parent is this"), per link table.
_LOOKUPS = {
    "student_group": "group_key",
    "staff_group": "group_key",
    "staff_mentee": "student_key",
    "staff_location": "location_key",
    "guardian_student": "student_key",
}


class UtcDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A moment, stored in UTC, read back as an aware datetime in UTC.

    PostgreSQL keeps it as ``timestamp with time zone``; SQLite, which has no time zones, as
    UTC text (``2025-09-01 07:00:00.000000``). A naive datetime is taken to be UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


class Schema:
    """The tables of one prefix, as SQLAlchemy Core ``Table`` objects in their own MetaData.

    Every table has a ``tenant`` column first in its primary key: many schools share the
    tables, and every statement of a store names its tenant.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.metadata = sa.MetaData()
        p, m = prefix, self.metadata
        self.version = sa.Table(
            f"{p}schema",
            m,
            sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("applied_at", UtcDateTime, nullable=False),
            sa.Column("edukoppel", sa.Text, nullable=False),
        )
        self.tenant = sa.Table(
            f"{p}tenant",
            m,
            sa.Column("tenant", sa.Text, primary_key=True),
            sa.Column("store_id", sa.Text, nullable=False),
            sa.Column("revision", sa.BigInteger, nullable=False),
            sa.Column("created_at", UtcDateTime, nullable=False),
        )
        tenant_fk = sa.ForeignKeyConstraint(["tenant"], [self.tenant.c.tenant])
        self.school = sa.Table(
            f"{p}school",
            m,
            sa.Column("tenant", sa.Text, primary_key=True),
            sa.Column("brin", sa.Text),
            sa.Column("name", sa.Text),
            sa.Column("school_year", sa.Text),
            sa.Column("reference_date", sa.Date),
            tenant_fk,
        )
        self.records: dict[EntityKind, sa.Table] = {}
        self.links: dict[str, sa.Table] = {}
        for kind in ENTITY_KINDS:
            scalars = SCALARS[kind]
            table = sa.Table(
                f"{p}{kind}",
                m,
                sa.Column("tenant", sa.Text, primary_key=True),
                *(
                    sa.Column(name, type_, primary_key=name == "key", nullable=name != "key")
                    for name, type_ in scalars
                ),
                sa.Column("origin", sa.Text),
                sa.Column("archived", sa.Boolean, nullable=False),
                sa.ForeignKeyConstraint(["tenant"], [self.tenant.c.tenant]),
            )
            self.records[kind] = table
            for link in LINKS[kind]:
                position = (
                    (sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),)
                    if link.ordered
                    else ()
                )
                columns = [
                    sa.Column(name, type_, primary_key=not link.ordered, nullable=link.ordered)
                    for name, type_ in link.columns
                ]
                if link.ordered:
                    columns[0].nullable = False
                linked = sa.Table(
                    f"{p}{link.table}",
                    m,
                    sa.Column("tenant", sa.Text, primary_key=True),
                    sa.Column(link.owner, sa.Text, primary_key=True),
                    *position,
                    *columns,
                    # A record's links follow it when its key changes, and go with it if a
                    # host deletes it (edukoppel itself never deletes a record).
                    sa.ForeignKeyConstraint(
                        ["tenant", link.owner],
                        [table.c.tenant, table.c.key],
                        onupdate="CASCADE",
                        ondelete="CASCADE",
                    ),
                )
                lookup = _LOOKUPS.get(link.table)
                if lookup is not None:
                    sa.Index(f"{p}{link.table}_ix", linked.c.tenant, linked.c[lookup])
                self.links[link.table] = linked
        self.run = sa.Table(
            f"{p}run",
            m,
            sa.Column("tenant", sa.Text, primary_key=True),
            sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("description", sa.Text),
            sa.Column("started_at", UtcDateTime, nullable=False),
            sa.Column("finished_at", UtcDateTime, nullable=False),
            sa.Column("outcome", sa.Text, nullable=False),
            sa.Column("changes", sa.Integer, nullable=False),
            sa.Column("problems", sa.Integer, nullable=False),
            # Version 2: the policy as JSON text (SyncPolicy.to_dict(defaults=True)); NULL
            # for runs logged before.
            sa.Column("policy", sa.Text),
            sa.ForeignKeyConstraint(["tenant"], [self.tenant.c.tenant]),
        )
        run_fk = (["tenant", "run_number"], [self.run.c.tenant, self.run.c.number])
        self.run_count = sa.Table(
            f"{p}run_count",
            m,
            sa.Column("tenant", sa.Text, primary_key=True),
            sa.Column("run_number", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("entity", sa.Text, primary_key=True),
            sa.Column("action", sa.Text, primary_key=True),
            sa.Column("count", sa.Integer, nullable=False),
            sa.ForeignKeyConstraint(*run_fk, ondelete="CASCADE"),
        )
        self.run_code = sa.Table(
            f"{p}run_code",
            m,
            sa.Column("tenant", sa.Text, primary_key=True),
            sa.Column("run_number", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("field", sa.Text, primary_key=True),
            sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("code", sa.Text, nullable=False),
            sa.ForeignKeyConstraint(*run_fk, ondelete="CASCADE"),
        )
        self.run_problem = sa.Table(
            f"{p}run_problem",
            m,
            sa.Column("tenant", sa.Text, primary_key=True),
            sa.Column("run_number", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("code", sa.Text, nullable=False),
            sa.Column("message", sa.Text, nullable=False),
            sa.Column("entity", sa.Text),
            sa.Column("key", sa.Text),
            sa.ForeignKeyConstraint(*run_fk, ondelete="CASCADE"),
        )
        self.run_issue = sa.Table(  # version 2
            f"{p}run_issue",
            m,
            sa.Column("tenant", sa.Text, primary_key=True),
            sa.Column("run_number", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("severity", sa.Text, primary_key=True),
            sa.Column("code", sa.Text, primary_key=True),
            sa.Column("count", sa.Integer, nullable=False),
            sa.ForeignKeyConstraint(*run_fk, ondelete="CASCADE"),
        )

    @property
    def names(self) -> list[str]:
        """Every table's name, in the order of docs/sql.md."""
        return list(self.metadata.tables)


def _add_run_policy_and_issues(connection: sa.Connection, schema: Schema) -> None:
    """Version 2: the run log keeps each run's policy and its issue counts.

    Runs logged before have no policy (NULL) and no issue counts.
    """
    quote = connection.dialect.identifier_preparer.quote
    column = schema.run.c.policy
    kind = column.type.compile(dialect=connection.dialect)
    connection.exec_driver_sql(
        f"ALTER TABLE {quote(schema.run.name)} ADD COLUMN {quote(column.name)} {kind}"
    )
    schema.run_issue.create(connection)


#: Forward upgrades: ``UPGRADES[n](connection, schema)`` takes a database of version ``n - 1``
#: to version ``n``, inside the transaction that records version ``n``. An upgrade may add
#: tables, columns and indexes of this store; it never drops or rewrites a host's data, and
#: there are no downgrades. docs/sql.md lists what each version changed.
UPGRADES: dict[int, Callable[[sa.Connection, Schema], None]] = {2: _add_run_policy_and_issues}
