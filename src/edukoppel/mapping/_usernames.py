"""Usernames by a rule, for records that have none: unique, deterministic, never changed.

Numo requires a unique username for every pupil; Zien! makes one from the employee number,
the e-mail address, or the first and last name in lower case; Moodle appends a number when a
username is taken. :func:`make_usernames` does this once, for every host: a username a record
already has (in the file, or in the store) is kept, and a new one is made from the rule, with
accents folded and spaces removed, and a number appended when it is taken.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from edukoppel._i18n import msg
from edukoppel.exceptions import MappingError
from edukoppel.model import ROSTER_ARGUMENTS, EntityKind, Record, Roster, data_fields
from edukoppel.report import Issue, Report

__all__ = ["RULES", "make_usernames", "username_from"]

RULES: Mapping[str, str] = {
    "first.last": "{first_name}.{infix_last_name}",
    "firstlast": "{first_name}{infix_last_name}",
    "initial.last": "{first_name:.1}.{infix_last_name}",
    "key": "{key}",
    "email": "{email}",
    "email-local": "{email_local}",
}
"""Named rules: ``first.last`` (``jan.vandermeer``), ``firstlast``, ``initial.last``
(``j.vandermeer``), ``key`` (the leerlingnummer or employee number), ``email``, and
``email-local`` (the part of the e-mail address before the ``@``)."""

_NOT_ALLOWED = re.compile(r"[^a-z0-9._@-]+")
_MAX_LENGTH = 64


def _fold(value: object) -> str:
    """A value as a username part: accents folded, lower case, no spaces or odd characters."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NOT_ALLOWED.sub("", text.casefold().replace("ß", "ss"))


def _parts(record: Record) -> dict[str, str]:
    values = {
        field: _fold(getattr(record, field))
        for field in data_fields(record.entity)
        if isinstance(getattr(record, field), str)
    }
    values["key"] = _fold(record.key)
    infix = values.get("infix", "")
    values["infix_last_name"] = infix + values.get("last_name", "")
    email = values.get("email", "")
    values["email_local"] = email.partition("@")[0]
    return values


def _pattern(rule: str) -> str:
    pattern = RULES.get(rule, rule)
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(pattern) if name]
    except ValueError as error:
        raise MappingError(f"username rule {rule!r}: {error}") from None
    if not fields:
        names = ", ".join(RULES)
        raise MappingError(
            f"username rule {rule!r} names no field: give a pattern such as "
            f"'{{first_name}}.{{last_name}}' or one of {names}"
        )
    return pattern


def username_from(record: Record, rule: str) -> str:
    """The username a rule makes of a record, before it is made unique (``""``: nothing).

    Examples:
        >>> import edukoppel as ek
        >>> zoe = ek.Student(key="00123", first_name="Zoë", infix="van der", last_name="Berg")
        >>> username_from(zoe, "first.last"), username_from(zoe, "initial.last")
        ('zoe.vanderberg', 'z.vanderberg')
        >>> username_from(zoe, "{last_name}{key}")
        'berg00123'
    """
    pattern = _pattern(rule)
    values = _parts(record)
    try:
        made = pattern.format_map(_Missing(values))
    except (ValueError, IndexError) as error:
        raise MappingError(f"username rule {rule!r}: {error}") from None
    made = made.strip("._-")
    # A part that was empty leaves its separator behind ("jan." for a pupil without a last
    # name): such a username says less than the rule promised, so it is not made.
    needed = [name for _, name, _, _ in string.Formatter().parse(pattern) if name]
    if any(not values.get(name.split(".")[0].split("[")[0]) for name in needed):
        return ""
    return made[:_MAX_LENGTH]


class _Missing(dict[str, str]):
    """Fields a record does not have format as empty, so the rule can tell."""

    def __missing__(self, key: str) -> str:
        if key not in _KNOWN_PLACEHOLDERS:
            raise MappingError(
                f"username rule: {{{key}}} is no field; use e.g. {{first_name}}, "
                f"{{last_name}}, {{infix_last_name}}, {{key}}, {{email_local}}"
            )
        return ""


_KNOWN_PLACEHOLDERS = frozenset(
    {
        *(field for kind in ("student", "staff", "guardian") for field in data_fields(kind)),
        "infix_last_name",
        "email_local",
    }
)


def make_usernames(
    roster: Roster,
    rule: str,
    *,
    current: Roster | None = None,
    kinds: Iterable[EntityKind] = ("student",),
) -> tuple[Roster, Report]:
    """Give every record without a username one made by ``rule``; keep every existing one.

    Args:
        roster: The incoming roster (from :func:`edukoppel.read`).
        rule: A named rule (see :data:`RULES`: ``first.last``, ``key``, ``email``...) or
            a pattern of fields, ``{first_name}.{last_name}``, whose values are folded to
            lower case without accents, spaces or other characters than ``a-z0-9._-@``;
            ``{first_name:.1}`` takes the first letter.
        current: What the store holds (``store.snapshot()``): a record whose key is there
            with a username keeps that username, and no new username takes one of those.
        kinds: The kinds to give usernames (pupils by default; ``("student", "staff")``).

    Returns:
        The roster with the usernames filled in (it now provides ``username`` for those
        kinds), and a report: how many were made (``username-made``), each one that needed
        a number to be unique (``username-numbered``), and each record the rule could make
        nothing of (``username-not-made``: a part of the rule was empty).

    The result depends only on the inputs: records are named in key order, so the same
    export and store give the same usernames every time, in any row order. Clashes are
    solved as Moodle does: ``jan.jansen``, ``jan.jansen2``, ``jan.jansen3``.

    Examples:
        >>> import edukoppel as ek
        >>> pupils = ek.Roster(students=[
        ...     ek.Student(key="2", first_name="Jan", last_name="Jansen"),
        ...     ek.Student(key="1", first_name="Jan", last_name="Jansen"),
        ...     ek.Student(key="3", first_name="Eva", last_name="Dijk", username="eva"),
        ... ])
        >>> named, report = make_usernames(pupils, "first.last")
        >>> [(s.key, s.username) for s in named.students]
        [('2', 'jan.jansen2'), ('1', 'jan.jansen'), ('3', 'eva')]
    """
    _pattern(rule)
    report = Report()
    collections: dict[str, list[Any]] = {}
    provides = dict(roster.provides)
    for kind in kinds:
        if kind not in ("student", "staff", "guardian"):
            raise MappingError(f"{kind!r} records have no username")
        records = list(roster.records(kind))
        stored = {
            record.key: record.username
            for record in (current.records(kind) if current is not None else ())
            if getattr(record, "username", None)
        }
        taken = {name.casefold() for name in stored.values()}
        taken |= {r.username.casefold() for r in records if getattr(r, "username", None)}
        chosen: dict[str, str] = {}
        made = 0
        for record in sorted(records, key=lambda r: r.key):
            if getattr(record, "username", None) or record.key in chosen:
                continue
            if record.key in stored:
                chosen[record.key] = stored[record.key]
                continue
            base = username_from(record, rule)
            if not base:
                report.add(_issue("username-not-made", kind, record.key, rule=rule))
                continue
            name, number = base, 1
            while name.casefold() in taken:
                number += 1
                name = f"{base}{number}"
            if number > 1:
                report.add(_issue("username-numbered", kind, record.key, number=number))
            taken.add(name.casefold())
            chosen[record.key] = name
            made += 1
        if made:
            report.add(
                Issue(
                    code="username-made",
                    severity="info",
                    entity=kind,
                    message=msg("username-made", count=made, kind=kind, rule=rule),
                )
            )
        collections[ROSTER_ARGUMENTS[kind]] = [
            record.evolve(username=chosen[record.key])
            if not getattr(record, "username", None) and record.key in chosen
            else record
            for record in records
        ]
        fields = provides.get(kind)
        if fields is not None:
            provides[kind] = frozenset({*fields, "username"})
    return roster.evolve(provides=provides, **collections), report


def _issue(code: str, kind: EntityKind, key: str, **params: object) -> Issue:
    return Issue(
        code=code,
        severity="warning" if code == "username-not-made" else "info",
        entity=kind,
        key=key,
        message=msg(code, kind=kind, **params),
    )
