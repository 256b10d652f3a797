"""SqlStore: a host application's roster in SQLite or PostgreSQL, on SQLAlchemy Core.

This module stays light: ``import edukoppel`` does not import SQLAlchemy. Opening a store
does (``pip install 'edukoppel[sql]'``, or ``edukoppel[postgresql]`` for the driver too).
docs/sql.md documents the schema, tenancy, upgrades, concurrency and the log.
"""

from __future__ import annotations

import re
from types import TracebackType
from typing import TYPE_CHECKING, get_args

from edukoppel._i18n import msg
from edukoppel._optional import import_optional
from edukoppel.exceptions import StoreError
from edukoppel.model import ENTITY_KINDS
from edukoppel.report import Severity

if TYPE_CHECKING:
    import polars as pl
    import sqlalchemy

    from edukoppel.adapters._sql_backend import Backend
    from edukoppel.model import Roster
    from edukoppel.sync import Changeset, SyncRun

__all__ = ["DEFAULT_TENANT", "SqlStore"]

#: The tenant of a store opened without ``tenant=``: a one-school host needs no other.
DEFAULT_TENANT = "default"
_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SEVERITY_COLUMNS: dict[str, Severity] = {"errors": "error", "warnings": "warning", "notes": "info"}


def _checked_tenant(tenant: object) -> str:
    if not isinstance(tenant, str) or not tenant or tenant != tenant.strip():
        raise StoreError(msg("sql.bad-tenant", tenant=tenant))
    return tenant


def _backend(
    url: str | sqlalchemy.URL, *, tenant: str, prefix: object, create: bool = True
) -> Backend:
    """The backend, after checking the prefix and that SQLAlchemy and the driver are there."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise StoreError(msg("sql.bad-prefix", prefix=prefix, rule=msg("sql.prefix-rule")))
    import_optional("sqlalchemy", extra="sql", purpose="SqlStore")
    if str(url).startswith("postgresql"):
        import_optional("psycopg", extra="postgresql", purpose="SqlStore on PostgreSQL")
    from edukoppel.adapters._sql_backend import Backend

    return Backend(url, tenant=tenant, prefix=prefix, create=create)


class SqlStore:
    """A store in a SQL database: SQLite (the embedded default) or PostgreSQL.

    It creates its own tables, named with ``prefix``, in the database the URL names (the
    host application's own database is fine: it never touches a table it did not create),
    and keeps them at the schema version this edukoppel writes, upgrading older ones forward.
    One table per entity kind with a column per field, link tables for the links, the origin
    and archived flag as columns: a host can query and join them (docs/sql.md).

    Many schools (tenants) can share one database: every row carries its tenant, and a store
    reads and writes only its own tenant's rows. Applying a changeset is one transaction
    that first locks the tenant, so of two applies of plans made against the same snapshot
    one is applied and the other refused as stale; a process that dies halfway leaves
    nothing behind. Archived records are kept, never deleted.

    Args:
        url: A SQLAlchemy URL: ``sqlite:///school.db`` (a file, made when it does not exist;
            ``sqlite://`` is a database in memory) or
            ``postgresql+psycopg://user:password@host/database``.
        tenant: Whose records these are (a school, by a name of the host's choosing);
            default ``"default"``.
        prefix: What every table name starts with (``ek_student``): lower-case letters,
            digits and ``_``.

    Raises:
        MissingDependencyError: SQLAlchemy (or the PostgreSQL driver) is not installed.
        StoreError: The database cannot be opened, holds tables by this store's names that
            it did not create, or has a newer schema version than this edukoppel knows.

    Examples:
        >>> import edukoppel as ek
        >>> store = ek.SqlStore("sqlite://")  # in memory; "sqlite:///school.db" for a file
        >>> incoming = ek.Roster(students=[ek.Student(key="00123", last_name="Jansen")],
        ...                      source="las")
        >>> print(ek.apply(ek.plan(store.snapshot(), incoming), store))  # doctest: +ELLIPSIS
        #1 ... 'las': applied, 1 change
        >>> store.snapshot().students["00123"].origin
        'las'
        >>> store.close()
    """

    def __init__(
        self, url: str | sqlalchemy.URL, *, tenant: str | None = None, prefix: str = "ek_"
    ) -> None:
        given = _checked_tenant(DEFAULT_TENANT if tenant is None else tenant)
        self._backend: Backend = _backend(url, tenant=given, prefix=prefix)

    # -- tenants ---------------------------------------------------------------------------------

    @classmethod
    def tenants(cls, url: str | sqlalchemy.URL, *, prefix: str = "ek_") -> list[str]:
        """The tenants (schools) whose records the database holds under ``prefix``, sorted.

        No table is created: a database without this store's tables has no tenants.

        Examples:
            >>> import edukoppel as ek, tempfile, pathlib
            >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'vendor.db'}"
            >>> for school in ("99ZX", "12AB"):
            ...     ek.SqlStore(url, tenant=school).close()
            >>> ek.SqlStore.tenants(url)
            ['12AB', '99ZX']
        """
        backend = _backend(url, tenant=DEFAULT_TENANT, prefix=prefix, create=False)
        try:
            return backend.tenants()
        finally:
            backend.close()

    @classmethod
    def delete_tenant(
        cls, url: str | sqlalchemy.URL, tenant: str, *, confirm: str, prefix: str = "ek_"
    ) -> dict[str, int]:
        """Delete one tenant entirely: its records, links, school, sync log and tenant row.

        One transaction, after any apply for that tenant has finished; other tenants' rows
        are never read or changed. This is the one thing SqlStore deletes, so it asks for
        ``confirm``: the tenant's name again. A store opened for the tenant afterwards
        starts empty, with a new store id (plans made before are stale there).

        Args:
            url: The database.
            tenant: The tenant to delete.
            confirm: ``tenant`` again, to show that deleting it is meant.
            prefix: The prefix of the store's tables.

        Returns:
            How many rows were deleted, per table.

        Raises:
            StoreError: ``confirm`` is not ``tenant``, or the database has no such tenant;
                nothing was deleted.

        Examples:
            >>> import edukoppel as ek, tempfile, pathlib
            >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'vendor.db'}"
            >>> with ek.SqlStore(url, tenant="12AB") as store:
            ...     _ = ek.apply(ek.plan(store.snapshot(), ek.Roster(
            ...         students=[ek.Student(key="1")], source="las")), store)
            >>> ek.SqlStore.delete_tenant(url, "12AB", confirm="12AB")["ek_student"]
            1
            >>> ek.SqlStore.tenants(url)
            []
        """
        name = _checked_tenant(tenant)
        if confirm != name:
            raise StoreError(msg("sql.delete-unconfirmed", tenant=name, confirm=confirm))
        backend = _backend(url, tenant=name, prefix=prefix, create=False)
        try:
            return backend.delete_tenant(name)
        finally:
            backend.close()

    # -- facts -----------------------------------------------------------------------------------

    @property
    def tenant(self) -> str:
        """Whose records this store holds."""
        return self._backend.tenant

    @property
    def prefix(self) -> str:
        """What the names of this store's tables start with."""
        return self._backend.schema.prefix

    @property
    def url(self) -> str:
        """The database, with its password hidden."""
        return self._backend.where

    @property
    def tables(self) -> list[str]:
        """The names of this store's tables (as docs/sql.md lists them)."""
        return self._backend.schema.names

    @property
    def schema_version(self) -> int:
        """The schema version of the database (the version this edukoppel writes)."""
        return self._backend.schema_version

    # -- the Store protocol ----------------------------------------------------------------------

    def snapshot(self) -> Roster:
        """The tenant's roster, archived records included, read in one transaction."""
        return self._backend.snapshot()

    def revision(self) -> str:
        """``sql:<store id>:<counter>``: the counter moves with every applied changeset.

        The store id is made when the tenant is first opened, so a plan made against
        another database or tenant is stale here.
        """
        return self._backend.revision()

    def apply_changes(self, changeset: Changeset) -> None:
        """Apply every change or none, in one transaction that holds the tenant's lock.

        Raises:
            StalePlanError: The tenant changed since the plan was made (a concurrent apply
                included); nothing was written.
            StoreError: A change cannot be applied, or the database refused; nothing was
                written.
        """
        self._backend.apply_changes(changeset)

    def record_run(self, run: SyncRun) -> SyncRun:
        """Append a run to the tenant's log, numbered from 1; return the numbered run."""
        return self._backend.record_run(run)

    def apply_and_record(self, changeset: Changeset, run: SyncRun) -> SyncRun:
        """Apply every change and log ``run`` in one transaction: both or neither.

        :func:`edukoppel.apply` uses this, so that a crash can never leave changes applied
        without their run in the log. Raises as :meth:`apply_changes`.
        """
        return self._backend.apply_and_record(changeset, run)

    def runs(self) -> list[SyncRun]:
        """The tenant's run log, oldest first."""
        return self._backend.runs()

    def runs_frame(self) -> pl.DataFrame:
        """The run log as a polars DataFrame: one row per run, no personal data.

        Columns: ``number``, ``source``, ``description``, ``started_at`` and ``finished_at``
        (UTC), ``outcome``, ``changes`` (the total), one count per entity kind and action
        (``student_add``, ``student_update``, ..., ``guardian_archive``), ``blocked`` and
        ``acknowledged`` (lists of codes), ``problems`` (how many), ``errors``,
        ``warnings`` and ``notes`` (how many issues of each severity), ``issues`` (a list of
        ``{severity, code, count}``) and ``policy`` (the policy as JSON text, null for runs
        logged before schema version 2).
        """
        import json

        import polars as pl

        from edukoppel.sync import ChangeAction

        actions = get_args(ChangeAction)
        runs = self.runs()
        counts = {
            f"{kind}_{action}": [run.counts.get(kind, {}).get(action, 0) for run in runs]
            for kind in ENTITY_KINDS
            for action in actions
        }
        return pl.DataFrame(
            {
                "number": [run.number for run in runs],
                "source": [run.source for run in runs],
                "description": [run.description for run in runs],
                "started_at": [run.started_at for run in runs],
                "finished_at": [run.finished_at for run in runs],
                "outcome": [run.outcome for run in runs],
                "changes": [run.total for run in runs],
                **counts,
                "blocked": [list(run.blocked) for run in runs],
                "acknowledged": [list(run.acknowledged) for run in runs],
                "problems": [len(run.problems) for run in runs],
                **{
                    column: [run.issues_by_severity.get(severity, 0) for run in runs]
                    for column, severity in _SEVERITY_COLUMNS.items()
                },
                "issues": [
                    [
                        {"severity": severity, "code": code, "count": count}
                        for severity, codes in run.issue_counts.items()
                        for code, count in codes.items()
                    ]
                    for run in runs
                ],
                "policy": [
                    None if run.policy is None else json.dumps(run.policy, sort_keys=True)
                    for run in runs
                ],
            },
            schema={
                "number": pl.Int64,
                "source": pl.String,
                "description": pl.String,
                "started_at": pl.Datetime("us", "UTC"),
                "finished_at": pl.Datetime("us", "UTC"),
                "outcome": pl.String,
                "changes": pl.Int64,
                **dict.fromkeys(counts, pl.Int64),
                "blocked": pl.List(pl.String),
                "acknowledged": pl.List(pl.String),
                "problems": pl.Int64,
                **dict.fromkeys(_SEVERITY_COLUMNS, pl.Int64),
                "issues": pl.List(
                    pl.Struct({"severity": pl.String, "code": pl.String, "count": pl.Int64})
                ),
                "policy": pl.String,
            },
        )

    # -- lifetime --------------------------------------------------------------------------------

    def close(self) -> None:
        """Let go of the database (its connections close with the last store that uses it)."""
        self._backend.close()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SqlStore {self.url} tenant={self.tenant!r} prefix={self.prefix!r}>"
