"""MemoryStore: the reference store, in memory. Tests, notebooks and small tools use it."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import attrs

from edukoppel._i18n import msg
from edukoppel.exceptions import StalePlanError, StoreError
from edukoppel.model import ENTITY_KINDS, ROSTER_ARGUMENTS, EntityKind, Record, Roster, School
from edukoppel.sync import Add, Archive, Changeset, Restore, SyncRun, Update

__all__ = ["MemoryStore"]


class MemoryStore:
    """A store that keeps everything in memory; applies changesets all or nothing.

    Args:
        roster: Records to start with, kept as they are (origin and archived flag included).

    Examples:
        >>> import edukoppel as ek
        >>> store = ek.MemoryStore()
        >>> incoming = ek.Roster(students=[ek.Student(key="00123", last_name="Jansen")],
        ...                      source="las")
        >>> changeset = ek.plan(store.snapshot(), incoming)
        >>> print(ek.apply(changeset, store, description="first import"))  # doctest: +ELLIPSIS
        #1 ... 'las': applied, 1 change
        >>> store.snapshot().students["00123"].origin
        'las'
    """

    def __init__(self, roster: Roster | None = None) -> None:
        self._records: dict[EntityKind, dict[str, Record]] = {kind: {} for kind in ENTITY_KINDS}
        self._school: School | None = None
        self._runs: list[SyncRun] = []
        self._instance = uuid.uuid4().hex[:12]
        self._counter = itertools.count(1)
        self._revision = f"memory:{self._instance}:0"
        if roster is not None:
            for kind in ENTITY_KINDS:
                collection = roster.records(kind)
                if collection.duplicate_keys:
                    raise StoreError(
                        msg("store.duplicate-keys", kind=kind, keys=collection.duplicate_keys)
                    )
                self._records[kind] = dict(collection.by_key())
            self._school = roster.school
            self._bump()

    def _bump(self) -> None:
        self._revision = f"memory:{self._instance}:{next(self._counter)}"

    def revision(self) -> str:
        """Changes with every applied changeset."""
        return self._revision

    def snapshot(self) -> Roster:
        """Everything held, archived records included."""
        records: dict[str, Any] = {
            ROSTER_ARGUMENTS[kind]: list(self._records[kind].values()) for kind in ENTITY_KINDS
        }
        return Roster(
            school=self._school, source="memory-store", revision=self._revision, **records
        )

    def apply_changes(self, changeset: Changeset) -> None:
        """Apply every change or none (changes are made on copies, then swapped in)."""
        if changeset.base != self._revision:
            raise StalePlanError(
                "the store changed since this plan was made; plan again",
                expected=changeset.base,
                actual=self._revision,
            )
        touched: dict[EntityKind, dict[str, Record]] = {}

        def table(kind: EntityKind) -> dict[str, Record]:
            if kind not in touched:
                touched[kind] = dict(self._records[kind])
            return touched[kind]

        source = changeset.source
        for change in changeset.changes:
            records = table(change.entity)
            if isinstance(change, Add):
                if change.key in records:
                    raise StoreError(msg("store.key-exists", kind=change.entity, key=change.key))
                records[change.key] = attrs.evolve(change.record, origin=source, archived=False)
                continue
            stored = records.get(change.key)
            if stored is None:
                raise StoreError(
                    msg(f"store.no-record.{change.action}", kind=change.entity, key=change.key)
                )
            if isinstance(change, Archive):
                records[change.key] = attrs.evolve(stored, archived=True)
                continue
            assert isinstance(change, Update | Restore)
            values = {fc.field: fc.new for fc in change.changes}
            updated = attrs.evolve(stored, **values, origin=source, archived=False)
            if updated.key != change.key:
                if updated.key in records:
                    raise StoreError(
                        msg(
                            "store.new-key-exists",
                            kind=change.entity,
                            key=change.key,
                            new=updated.key,
                        )
                    )
                del records[change.key]
            records[updated.key] = updated
        self._records.update(touched)
        if changeset.school is not None:
            self._school = changeset.school
        self._bump()

    def record_run(self, run: SyncRun) -> SyncRun:
        """Append a run to the log, numbered from 1."""
        numbered = attrs.evolve(run, number=len(self._runs) + 1)
        self._runs.append(numbered)
        return numbered

    def runs(self) -> list[SyncRun]:
        """The run log, oldest first."""
        return list(self._runs)

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(self._records[kind])} {kind}" for kind in ENTITY_KINDS)
        return f"<MemoryStore {counts}>"
