"""The Changeset: typed, frozen change records and what blocks them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

import attrs

from edukoppel._i18n import Language, Message, msg, render
from edukoppel.exceptions import EdukoppelError
from edukoppel.model import (
    ENTITY_KINDS,
    EntityKind,
    GroupRole,
    GuardianLink,
    Record,
    Roster,
    School,
    record_class,
)
from edukoppel.report import Issue
from edukoppel.sync._policy import SyncPolicy

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "Add",
    "Archive",
    "BlockReason",
    "Change",
    "ChangeAction",
    "Changeset",
    "FieldChange",
    "Restore",
    "Update",
]

ChangeAction = Literal["add", "update", "restore", "archive"]
_FORMAT_VERSION = 1


@attrs.frozen
class FieldChange:
    """One field of one record changes from ``old`` to ``new``."""

    field: str
    old: Any
    new: Any


@attrs.frozen(kw_only=True)
class Add:
    """A record the store does not have yet. The store marks it as owned by the sync's source."""

    action: ClassVar[ChangeAction] = "add"
    entity: EntityKind
    key: str
    record: Record


@attrs.frozen(kw_only=True)
class Update:
    """A stored record whose provided fields differ; ``changes`` lists each field.

    When records are matched by something other than their key (``username``, ``email``,
    ``eckid``), a changed key is a field change of ``"key"``; ``key`` is the *stored* key, so
    a store looks the record up by ``key`` and, when ``new_values`` holds a ``"key"``, moves
    it to the new key.

    Examples:
        >>> import edukoppel as ek
        >>> update = ek.Update(entity="student", key="00123", changes=(
        ...     ek.FieldChange("last_name", "Berg", "Berg-Çelik"),))
        >>> stored = ek.Student(key="00123", last_name="Berg", origin="las")
        >>> stored.evolve(**update.new_values).last_name
        'Berg-Çelik'
    """

    action: ClassVar[ChangeAction] = "update"
    entity: EntityKind
    key: str
    changes: tuple[FieldChange, ...]

    @property
    def new_values(self) -> dict[str, Any]:
        """The new value of every changed field, by field name."""
        return {change.field: change.new for change in self.changes}


@attrs.frozen(kw_only=True)
class Restore:
    """An archived record that came back (the same person): un-archive it and apply ``changes``."""

    action: ClassVar[ChangeAction] = "restore"
    entity: EntityKind
    key: str
    changes: tuple[FieldChange, ...] = ()

    @property
    def new_values(self) -> dict[str, Any]:
        """The new value of every changed field, by field name (may include ``"key"``)."""
        return {change.field: change.new for change in self.changes}


@attrs.frozen(kw_only=True)
class Archive:
    """A stored record that is no longer in the source, inside its scope. Never a deletion."""

    action: ClassVar[ChangeAction] = "archive"
    entity: EntityKind
    key: str


Change = Add | Update | Restore | Archive
_CHANGE_CLASSES: dict[str, type[Change]] = {
    "add": Add,
    "update": Update,
    "restore": Restore,
    "archive": Archive,
}


@attrs.frozen(kw_only=True)
class BlockReason:
    """Why a safeguard blocked the plan, in words a school administrator can act on.

    Attributes:
        code: Stable code to acknowledge in :func:`edukoppel.apply` (``archive-share``,
            ``school-mismatch``, ``school-year-mismatch``, ``empty-source``, ``duplicate-key``,
            ``update-share``).
        message: What is wrong and what to check.
        entity: The entity kind it concerns, if one.
        keys: The record keys it concerns (for duplicate keys), if any.
    """

    code: str
    text: str | Message = attrs.field(alias="message")
    entity: EntityKind | None = None
    keys: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """What is wrong and what to check, in the current language."""
        return render(self.text)

    def message_in(self, language: Language) -> str:
        """The message in ``language`` (``"en"`` or ``"nl"``)."""
        return render(self.text, language)

    def render(self, language: Language | None = None) -> str:
        """The message and its code, in ``language``."""
        return f"{render(self.text, language)} [{self.code}]"

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """The reason as plain data (for JSON); :meth:`from_dict` reads it back."""
        data: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "entity": self.entity,
            "keys": list(self.keys),
        }
        if isinstance(self.text, Message):
            data["template"] = self.text.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockReason:
        """The reason :meth:`to_dict` made."""
        template = data.get("template")
        return cls(
            code=data["code"],
            message=Message.from_dict(template) if template else data["message"],
            entity=data.get("entity"),
            keys=tuple(data.get("keys") or ()),
        )


def _summary_counts(changes: tuple[Change, ...]) -> dict[EntityKind, dict[ChangeAction, int]]:
    counts: dict[EntityKind, dict[ChangeAction, int]] = {
        kind: dict.fromkeys(get_args(ChangeAction), 0) for kind in ENTITY_KINDS
    }
    for change in changes:
        counts[change.entity][change.action] += 1
    return counts


@attrs.frozen(kw_only=True)
class Changeset:
    """The outcome of :func:`edukoppel.plan`: what a sync would change, and whether it may.

    Changes are ordered so that a store can apply them front to back with referential
    integrity: additions, restores and updates of locations, then groups, students, staff,
    guardians; then archives in the reverse order (people leave their groups before the
    groups go). Within a kind, records are in key order, so the same inputs in any order
    give the same changeset.

    Attributes:
        source: The source whose records this sync adds, updates and archives.
        base: The fingerprint of the stored state the plan was made against; applying it to
            a store that has changed since is refused.
        changes: The change records.
        blocked: The safeguards that block this plan; empty when it may be applied.
        issues: Conflicts and other per-record notes (ambiguous matches, records left out by
            the policy, records owned by another source).
        school: The school record the store should hold after this sync, when it changes.
        policy: The policy the plan was made with (:func:`edukoppel.apply` logs it).
    """

    source: str
    base: str
    changes: tuple[Change, ...] = ()
    blocked: tuple[BlockReason, ...] = ()
    issues: tuple[Issue, ...] = ()
    school: School | None = None
    policy: SyncPolicy | None = None

    def _repr_html_(self) -> str:
        from edukoppel._html import changeset_html

        return changeset_html(self)

    @property
    def is_blocked(self) -> bool:
        """True when a safeguard blocks the plan."""
        return bool(self.blocked)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to change (a blocked plan may still have changes)."""
        return not self.changes and self.school is None

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of(self, entity: EntityKind, action: ChangeAction | None = None) -> list[Change]:
        """The changes of one entity kind, optionally of one action."""
        return [
            change
            for change in self.changes
            if change.entity == entity and (action is None or change.action == action)
        ]

    def as_tuples(self) -> list[tuple[ChangeAction, EntityKind, str]]:
        """``(action, entity, key)`` per change, for terse assertions.

        Examples:
            >>> import edukoppel as ek
            >>> current = ek.Roster(students=[ek.Student(key="1", origin="x")], source="x")
            >>> incoming = ek.Roster(students=[ek.Student(key="2")], source="x")
            >>> ek.plan(current, incoming).as_tuples()
            [('add', 'student', '2'), ('archive', 'student', '1')]
        """
        return [(change.action, change.entity, change.key) for change in self.changes]

    def summary(self) -> dict[EntityKind, dict[ChangeAction, int]]:
        """Counts per entity kind and action, for every kind (zeros included)."""
        return _summary_counts(self.changes)

    def render(self, language: Language | None = None) -> str:
        """A readable summary in ``language``: counts per kind, block reasons, issues."""
        count = len(self.changes)
        lines = [msg("changeset.header", source=self.source, count=count).render(language)]
        for kind, counts in self.summary().items():
            if any(counts.values()):
                numbers = ", ".join(
                    msg(f"changeset.action.{action}", count=n).render(language)
                    for action, n in counts.items()
                    if n
                )
                line = msg("changeset.counts", kind=kind, numbers=numbers).render(language)
                lines.append(f"  {line}")
        if self.school is not None:
            school = f"{self.school.brin} {self.school.school_year or ''}".strip()
            lines.append("  " + msg("changeset.school", school=school).render(language))
        if self.blocked:
            lines.append(msg("changeset.blocked").render(language))
            lines.extend(f"  - {reason.render(language)}" for reason in self.blocked)
        if self.issues:
            lines.append(msg("changeset.issues", count=len(self.issues)).render(language))
            lines.extend(f"  - {issue.render(language)}" for issue in self.issues[:20])
            if len(self.issues) > 20:
                more = len(self.issues) - 20
                lines.append("  " + msg("changeset.more", count=more).render(language))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_polars(self, *, names: Roster | Iterable[Roster] = ()) -> pl.DataFrame:
        """One row per field change: ``action, entity, key, field, old, new`` (as text).

        An addition gives a row per field with a value; an archive gives one row with no
        field. With ``names`` (the store's snapshot, the incoming roster, or both), a
        ``name`` column after ``key`` holds each record's display name (a group's or a
        location's name), so "which pupils changed class" needs no join.

        Examples:
            >>> import edukoppel as ek
            >>> old = ek.Roster(students=[ek.Student(key="1", first_name="Zoë",
            ...                 last_name="Çelik", homeroom="1HA", origin="import")],
            ...                 source="import")
            >>> new = ek.Roster(students=[ek.Student(key="1", first_name="Zoë",
            ...                 last_name="Çelik", homeroom="1HB")], source="import")
            >>> ek.plan(old, new).to_polars(names=old).rows()
            [('update', 'student', '1', 'Zoë Çelik', 'homeroom', '1HA', '1HB')]
        """
        import polars as pl

        frame = self._changes_frame()
        rosters = [names] if isinstance(names, Roster) else list(names)
        if not rosters:
            return frame
        found: dict[tuple[str, str], str | None] = {}
        for change in self.changes:
            if (change.entity, change.key) in found:
                continue
            record = change.record if isinstance(change, Add) else None
            for roster in rosters:
                if record is None:
                    record = roster.records(change.entity).get(change.key)
            found[(change.entity, change.key)] = getattr(
                record, "display_name", getattr(record, "name", None)
            )
        named = [found.get((entity, key)) for entity, key in frame.select("entity", "key").rows()]
        return frame.insert_column(3, pl.Series("name", named, dtype=pl.String))

    def _changes_frame(self) -> pl.DataFrame:
        import polars as pl

        rows: list[tuple[str, str, str, str | None, str | None, str | None]] = []
        for change in self.changes:
            if isinstance(change, Add):
                record = change.record
                for field in attrs.fields(type(record)):
                    if field.metadata.get("bookkeeping"):
                        continue
                    value = _text(getattr(record, field.name))
                    if value is not None:
                        rows.append(("add", change.entity, change.key, field.name, None, value))
            elif isinstance(change, Archive):
                rows.append(("archive", change.entity, change.key, None, None, None))
            else:
                if not change.changes:
                    rows.append((change.action, change.entity, change.key, None, None, None))
                for fc in change.changes:
                    rows.append(
                        (
                            change.action,
                            change.entity,
                            change.key,
                            fc.field,
                            _text(fc.old),
                            _text(fc.new),
                        )
                    )
        schema = dict.fromkeys(("action", "entity", "key", "field", "old", "new"), pl.String)
        return pl.DataFrame(rows, schema=schema, orient="row")

    # -- JSON ----------------------------------------------------------------------------------

    def to_json(self, *, indent: int | None = None) -> str:
        """Serialise losslessly; :meth:`from_json` gives back an equal changeset."""
        document = {
            "format": "edukoppel.changeset",
            "version": _FORMAT_VERSION,
            "source": self.source,
            "base": self.base,
            "school": None if self.school is None else _encode(attrs.asdict(self.school)),
            "changes": [_encode_change(change) for change in self.changes],
            "blocked": [reason.to_dict() for reason in self.blocked],
            "issues": [issue.to_dict() for issue in self.issues],
            "policy": None if self.policy is None else self.policy.to_dict(),
        }
        return json.dumps(document, ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Changeset:
        """Read a changeset written by :meth:`to_json`."""
        try:
            document = json.loads(text)
            if not isinstance(document, dict):
                raise ValueError("not an edukoppel changeset document")
            if document.get("format") != "edukoppel.changeset":
                raise ValueError("not an edukoppel changeset document")
            if document.get("version") != _FORMAT_VERSION:
                raise ValueError(f"unsupported changeset version {document.get('version')!r}")
            policy = document.get("policy")  # older documents have none
            return cls(
                source=document["source"],
                base=document["base"],
                school=None if document["school"] is None else School(**document["school"]),
                changes=tuple(_decode_change(item) for item in document["changes"]),
                blocked=tuple(BlockReason.from_dict(item) for item in document["blocked"]),
                issues=tuple(Issue.from_dict(item) for item in document["issues"]),
                policy=None if policy is None else SyncPolicy.from_dict(policy),
            )
        except EdukoppelError:
            raise
        except (ValueError, KeyError, TypeError) as error:
            raise EdukoppelError(f"cannot read changeset JSON: {error}") from None


def _text(value: Any) -> str | None:
    """A value as preview text; no value (None or an empty set) is null, not a word."""
    if value is None or value == ():
        return None
    if isinstance(value, tuple):
        return ", ".join(_link_text(item) for item in value)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _link_text(value: Any) -> str:
    if isinstance(value, GroupRole):
        return f"{value.group} ({value.role})"
    if isinstance(value, GuardianLink):
        details = [
            f"{label}: {'?' if flag is None else ('ja' if flag else 'nee')}"
            for label, flag in (("gezag", value.legal_authority), ("post", value.receives_mail))
        ]
        return f"{value.student} ({value.relation or '?'}, {', '.join(details)})"
    return str(value)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if attrs.has(type(value)):
        return _encode(attrs.asdict(value, recurse=False))
    return value


def _decode_value(entity: EntityKind, field: str, value: Any) -> Any:
    converter: Any = attrs.fields_dict(record_class(entity))[field].converter
    return value if converter is None else converter(value)


def _encode_change(change: Change) -> dict[str, Any]:
    item: dict[str, Any] = {"action": change.action, "entity": change.entity, "key": change.key}
    if isinstance(change, Add):
        item["record"] = _encode(attrs.asdict(change.record, recurse=False))
    elif isinstance(change, Update | Restore):
        item["changes"] = [[fc.field, _encode(fc.old), _encode(fc.new)] for fc in change.changes]
    return item


def _decode_change(item: dict[str, Any]) -> Change:
    entity: EntityKind = item["entity"]
    action = item["action"]
    if action not in _CHANGE_CLASSES or entity not in ENTITY_KINDS:
        raise ValueError(f"unknown change {action!r} of {entity!r}")
    if action == "add":
        return Add(entity=entity, key=item["key"], record=record_class(entity)(**item["record"]))
    if action == "archive":
        return Archive(entity=entity, key=item["key"])
    changes = tuple(
        FieldChange(field, _decode_value(entity, field, old), _decode_value(entity, field, new))
        for field, old, new in item["changes"]
    )
    if action == "update":
        return Update(entity=entity, key=item["key"], changes=changes)
    return Restore(entity=entity, key=item["key"], changes=changes)
