"""Whole columns validated at once: the fast path from a parsed table to records.

The record constructors validate one value at a time, which costs microseconds per record:
more than parsing the file. :func:`validate_columns` does the same validation for a whole
polars frame with polars expressions, and the records are then made without running the
converters again.

The frame holds the values of one entity kind, one column per field, named as the field
(``key``, ``last_name``, ``birth_date``...; ``origin`` and ``archived`` too). Columns are
text (``String``), as a reader has them. Besides that:

* dates may also be ``Date`` or ``Datetime`` columns;
* sets of keys (``groups``, ``mentees``, ``locations``, ``roles``) and links (a staff
  member's ``groups``, a guardian's ``students``) are a ``List(String)`` column, one list per
  record, taken as the constructor takes a list; or a ``String`` column of keys joined by
  ``separator`` (``","`` by default), where blank pieces (a trailing separator) are left out;
* links may also be ``List(Struct)`` columns whose fields are fields of the link
  (``group``, ``role``; ``student``, ``relation``, ``legal_authority``, ``receives_mail``),
  taken as the constructor takes dicts;
* ``archived`` is ``Boolean`` (or an integer column of 0 and 1).

A value is accepted by :func:`validate_columns` exactly when the record's constructor accepts
it, and becomes the value the constructor would make of it; a value it refuses is refused with
the constructor's own explanation (``expected`` and ``detail``, catalog messages), never the
value itself. A column's type that cannot hold the field (numbers for an identifier) is
refused as a whole, as misuse. Most cells are decided in polars. The field's converter itself
decides a cell that polars would refuse (so that the explanation is the constructor's own) and
one with a character polars' Unicode tables may see otherwise than Python's: outside Latin
(U+0000-U+024F), where Unicode versions add digits and case pairs, or a Latin one this polars
cases differently than this Python (compared once per process). Dutch names with diacritics
stay in polars.

Speed: validating is about as fast as ``frame.rows()``; making the records about twice that
(``python -m benchmarks records``: 200k students with 17 fields, 2.7x ``frame.rows()`` in
all, against 13x for a constructor per row).

Internal API, for readers and stores (not exported from ``edukoppel.model``):
:func:`trusted_records` makes records from a frame that :func:`validate_columns` cleaned, or
that holds exactly such values (a store's own table), without validating again. Its contract
is that of :func:`edukoppel.model._records.trusted`: every value must be what the field's
converter would return for it, and nothing checks that; only sets of keys and links may be
lists in any order, with duplicates, as in a cleaned frame (the records sort them). Records
made so are equal, hash-equal and in every way the same as the constructor's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from edukoppel._i18n import Message, msg
from edukoppel.exceptions import InvalidValueError
from edukoppel.model import _values as v
from edukoppel.model._records import (
    _GROUP_KINDS,
    ENTITY_KINDS,
    EntityKind,
    GroupRole,
    GuardianLink,
    Record,
    paused_gc,
    record_class,
    trusted_maker,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    import polars as pl

    _Exprs: TypeAlias = tuple[pl.Expr, pl.Expr]

__all__ = ["CellRefusal", "ColumnCheck", "records_frame", "trusted_records", "validate_columns"]

#: What ``str.strip()`` strips: every character for which ``str.isspace()`` is true. polars'
#: own ``strip_chars()`` leaves \x1c-\x1f; a test keeps this equal to Python's definition.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_CLASS = "".join(f"\\x{{{ord(char):X}}}" for char in WHITESPACE)
# The regular expressions of _values.py as polars (Rust) regular expressions. \s is spelled
# out (Rust's \s leaves \x1c-\x1f out); \d is 0-9, which is what Python's \d means on every
# text that polars decides (see _unsafe).
_SPACE = f"[{_SPACE_CLASS}]"
_DAMAGED = r"^[+-]?[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+$|^[0-9]+[.,]0+$"
_EMAIL = f"^[^@{_SPACE_CLASS}]+@[^@{_SPACE_CLASS}]+\\.[^@{_SPACE_CLASS}]+$"
_BRIN6 = r"^[0-9]{2}[A-Z0-9]{2}[0-9]{2}$"
_SCHOOL_YEAR = f"^{_SPACE}*([0-9]{{4}}){_SPACE}*[-/]{_SPACE}*([0-9]{{4}}){_SPACE}*$"
_DATE_ISO = r"^[0-9]{4}(-[0-9]{2}-|/[0-9]{2}/|\.[0-9]{2}\.)[0-9]{2}$"  # no backreferences in Rust
_DATE_DMY = r"^[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}$"
_DATE_COMPACT = r"^(19|20)[0-9]{6}$"
# A time of day after a date, as _values.parse_date reads one: hh:mm[:ss[.fff]], a zone.
_CLOCK = r"[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?"
_ZONE = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)"
_TIME_OF_DAY = f"{_CLOCK}{_ZONE}?$"
_ZONED_TIME = f"{_CLOCK}{_ZONE}$"
_MIDNIGHT = f"[T ]00:00(:00([.,]0+)?)?{_ZONE}?$"
#: Where polars' and Python's Unicode tables are compared (Latin: ASCII up to Latin
#: Extended-B, what Dutch names and addresses are written in).
_COMPARED = 0x250

_PERSON = {"first_name": "text", "initials": "text", "infix": "text", "last_name": "text"}
_BOOKKEEPING = {"origin": "text", "archived": "archived"}
#: The rule of every field of every kind (a test keeps these equal to the record classes).
RULES: dict[EntityKind, dict[str, str]] = {
    "location": {"key": "key", "name": "text", "brin6": "brin6", **_BOOKKEEPING},
    "group": {
        "key": "key",
        "name": "text",
        "kind": "group_kind",
        "year": "text",
        "location": "identifier",
        "subject": "text",
        "school_year": "school_year",
        **_BOOKKEEPING,
    },
    "student": {
        "key": "key",
        "student_number": "identifier",
        "eckid": "identifier",
        "username": "text",
        "email": "email",
        "first_name": "text",
        "given_names": "text",
        "initials": "text",
        "infix": "text",
        "last_name": "text",
        "birth_date": "date",
        "gender": "gender",
        "year": "text",
        "program": "text",
        "location": "identifier",
        "homeroom": "identifier",
        "groups": "identifiers",
        "start_date": "date",
        "end_date": "date",
        **_BOOKKEEPING,
    },
    "staff": {
        "key": "key",
        "abbreviation": "text",
        "eckid": "identifier",
        "username": "text",
        "email": "email",
        **_PERSON,
        "gender": "gender",
        "roles": "roles",
        "groups": "group_roles",
        "mentees": "identifiers",
        "locations": "identifiers",
        "start_date": "date",
        "end_date": "date",
        **_BOOKKEEPING,
    },
    "guardian": {
        "key": "key",
        **_PERSON,
        "email": "email",
        "phone": "text",
        "gender": "gender",
        "students": "guardian_links",
        **_BOOKKEEPING,
    },
}
#: The link class of each link rule, and the rule of each of the link's fields.
LINKS: dict[str, tuple[type[Any], dict[str, str]]] = {
    "group_roles": (GroupRole, {"group": "key", "role": "role"}),
    "guardian_links": (
        GuardianLink,
        {
            "student": "key",
            "relation": "text",
            "legal_authority": "yes_no",
            "receives_mail": "yes_no",
        },
    ),
}
_SETS = {"identifiers", "roles"}


@attrs.frozen
class CellRefusal:
    """A value :func:`validate_columns` refused: where, and why, never the value itself.

    Attributes:
        row: The 0-based index of the row in the frame.
        field: The field (the column).
        expected: What the field expects, as the constructor says it (a catalog message).
        detail: What was wrong with the value, if more can be said.
    """

    row: int
    field: str
    expected: str | Message
    detail: str | Message = ""

    def error(self, kind: EntityKind, key: str | None = None) -> InvalidValueError:
        """The error the constructor raises for this value (``key``: the row's key, if any).

        Examples:
            >>> import polars as pl
            >>> check = validate_columns("student", pl.DataFrame({"key": ["1.23E+11"]}))
            >>> print(check.refusals[0].error("student"))
            student, field 'key': expected an identifier as text (it looks like a number ...)
        """
        return InvalidValueError(
            entity=kind, key=key, field=self.field, expected=self.expected, detail=self.detail
        )


@attrs.frozen(eq=False)
class ColumnCheck:
    """What :func:`validate_columns` made of a frame: the clean values and the refusals.

    Attributes:
        kind: The entity kind.
        frame: The frame with every value as the record holds it: text stripped (``None``
            for blank), e-mail lower-cased, dates as ``Date``, codes canonical. Sets of keys
            are ``List(String)`` of their members (stripped, without blanks, in the source's
            order; empty or null for none), links ``List(Struct)`` with every field of the
            link: the record sorts them and drops duplicates. A refused value is ``None``;
            the other values of its row are kept.
        refusals: One per refused value, by row and then in the order of the record's
            fields, so that a row's first refusal is the error its constructor would raise.
    """

    kind: EntityKind
    frame: pl.DataFrame
    refusals: tuple[CellRefusal, ...]

    @property
    def refused_rows(self) -> tuple[int, ...]:
        """The rows with at least one refused value, ascending."""
        return tuple(sorted({refusal.row for refusal in self.refusals}))

    @property
    def accepted_rows(self) -> list[int]:
        """The rows without a refused value: those :meth:`to_records` makes records of."""
        refused = set(self.refused_rows)
        return [row for row in range(self.frame.height) if row not in refused]

    def to_records(self) -> list[Record]:
        """The records of the rows without a refused value, in order, not validated again.

        Examples:
            >>> import polars as pl
            >>> frame = pl.DataFrame({"key": [" 00123 ", "1.23E+11"], "gender": ["V", "M"]})
            >>> check = validate_columns("student", frame)
            >>> [(s.key, s.gender) for s in check.to_records()], check.accepted_rows
            ([('00123', 'female')], [0])
        """
        frame = self.frame
        if self.refusals:
            import polars as pl

            frame = frame.filter(~pl.int_range(pl.len()).is_in(self.refused_rows))
        return trusted_records(self.kind, frame)


def validate_columns(kind: EntityKind, frame: pl.DataFrame, *, separator: str = ",") -> ColumnCheck:
    """Validate and normalise whole columns of one entity kind, as the constructor would.

    Args:
        kind: The entity kind of the rows (``"student"``, ...).
        frame: One column per field, named as the field (see the module docs for the column
            types); ``key`` is required, the other fields may be left out.
        separator: What joins the keys in a ``String`` column of a set or of links.

    Raises:
        InvalidValueError: A column is not a field of ``kind``, the ``key`` column is
            missing, or a column's type cannot hold the field (a number column for an
            identifier): the columns are wrong, not a value.

    Examples:
        >>> import polars as pl
        >>> frame = pl.DataFrame({
        ...     "key": ["00123", "00124"],
        ...     "birth_date": ["04-03-2012", "31-02-2012"],
        ...     "email": ["Daan@School.NL", None],
        ...     "groups": ["1HA, 1HA.wi", ""],
        ... })
        >>> check = validate_columns("student", frame)
        >>> check.frame.row(0)
        ('00123', datetime.date(2012, 3, 4), 'daan@school.nl', ['1HA', '1HA.wi'])
        >>> [(r.row, r.field, str(r.detail)) for r in check.refusals]
        [(1, 'birth_date', 'that day does not exist')]
    """
    import polars as pl

    if kind not in RULES:
        raise InvalidValueError(
            entity="columns",
            key=None,
            field="kind",
            expected=msg("invalid.provides-unknown-kind", kinds=ENTITY_KINDS),
            detail=msg("invalid.provides-unknown-kind.detail", kind=kind),
        )
    rules = RULES[kind]
    cls = record_class(kind)
    for name in frame.columns:
        if name not in rules:
            raise InvalidValueError(
                entity=kind,
                key=None,
                field=name,
                expected=msg("invalid.field-of", kind=kind, fields=", ".join(rules)),
            )
    if "key" not in frame.columns:
        raise InvalidValueError(
            entity=kind, key=None, field="key", expected=msg("invalid.identifier-empty")
        )
    if not separator:
        raise ValueError("separator must not be empty")
    # Two passes: text stripped (and joined keys split) once, then every rule on that.
    prepared, checks = [], []
    for name, dtype in frame.schema.items():
        prepare, check = _column(kind, name, rules[name], dtype, separator)
        prepared.append(prepare.alias(name))
        checks += [check[0].alias(name), check[1].alias(f"{name}\x00undecided")]
    out = frame.lazy().select(prepared).collect().lazy().select(checks).collect()
    converters = {field.name: field.converter for field in attrs.fields(cls)}
    columns: list[pl.Series] = []
    refusals: list[CellRefusal] = []
    for name in frame.columns:
        column = out.get_column(name)
        rows = out.get_column(f"{name}\x00undecided").arg_true()
        if len(rows):
            column = _decide_in_python(
                column,
                frame.get_column(name),
                rows,
                rule=rules[name],
                converter=converters[name],
                separator=separator,
                refusals=refusals,
            )
        columns.append(column)
    order = {name: index for index, name in enumerate(rules)}
    refusals.sort(key=lambda refusal: (refusal.row, order[refusal.field]))
    return ColumnCheck(kind=kind, frame=pl.DataFrame(columns), refusals=tuple(refusals))


def trusted_records(kind: EntityKind, frame: pl.DataFrame) -> list[Record]:
    """Records from a frame of clean values, without validating them (internal API).

    The columns are fields of ``kind`` (others get their default) and every value is what
    the field's converter returns, as in :attr:`ColumnCheck.frame` (``key`` never null),
    except that a set of keys may be any list of its members (or ``None`` for none), and
    links a list of dicts of the link's fields: they are sorted and made unique here.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> frame = pl.DataFrame({"key": ["1"], "birth_date": [dt.date(2012, 3, 4)]})
        >>> trusted_records("student", frame)[0].birth_date
        datetime.date(2012, 3, 4)
    """
    rules = RULES[kind]
    adapters: dict[str, Callable[[Any], Any]] = {}
    for name in frame.columns:
        rule = rules[name]
        if rule in _SETS:
            adapters[name] = _as_set
        elif rule in LINKS:
            adapters[name] = _links_adapter(LINKS[rule][0])
    make = trusted_maker(record_class(kind), frame.columns, adapters)
    with paused_gc():
        # Column by column: polars makes the Python values of a column far faster than
        # those of a row, and the lists of a List column fastest with the collector paused.
        return make(zip(*(column.to_list() for column in frame.iter_columns()), strict=True))


def _as_set(value: list[str] | None) -> tuple[str, ...]:
    return tuple(sorted(set(value))) if value else ()


def _links_adapter(link: type[Any]) -> Callable[[list[dict[str, Any]] | None], tuple[Any, ...]]:
    make = trusted_maker(link, [field.name for field in attrs.fields(link)])

    def adapt(items: list[dict[str, Any]] | None) -> tuple[Any, ...]:
        if not items:
            return ()
        return tuple(sorted(set(make([tuple(item.values()) for item in items]))))

    return adapt


# ---------------------------------------------------------------------------------------------
# polars: per column, what to prepare, and then its clean values and which cells Python decides
# ---------------------------------------------------------------------------------------------
#
# A cell's clean value only counts where polars decides it: the cells it leaves to Python get
# the converter's value instead (see _decide_in_python), so no rule masks its clean values.


def _expected_of(rule: str, dtype: pl.DataType | None = None) -> Message:
    """What the constructor says a field expects when given a value of the column's type."""
    import polars as pl

    inner = dtype.inner if isinstance(dtype, pl.List) else dtype
    if rule in ("key", "identifier", "identifiers", "roles"):
        if inner is not None and (inner.is_numeric() or inner == pl.Boolean):
            return msg("invalid.identifier-number")  # as for a number: its zeros are gone
        return msg("invalid.identifier-as-string")
    if rule == "date":
        return msg("invalid.date-as-string")
    if rule == "archived":
        return msg("invalid.archived")
    return msg("invalid.text-as-string")


def _column(
    kind: EntityKind, name: str, rule: str, dtype: pl.DataType, separator: str
) -> tuple[pl.Expr, _Exprs]:
    """The prepared column, and the (clean, undecided) expressions on the prepared column."""
    import polars as pl

    column = pl.col(name)
    if rule == "archived":
        if dtype == pl.Boolean:
            return column, (column, column.is_null())
        if dtype.is_integer() or dtype == pl.Null:
            number = column.cast(pl.Int64)
            flag = pl.when(number == 1).then(True).when(number == 0).then(False)
            return flag, (column, column.is_null())
    elif rule == "date" and dtype == pl.Date:
        return column, (column, pl.lit(False))
    elif rule == "date" and isinstance(dtype, pl.Datetime):
        return column.dt.date(), (column, pl.lit(False))
    elif rule in _SETS or rule in LINKS:
        element = pl.element()
        if dtype in (pl.String, pl.Null):
            # Split, stripped, blank pieces left out; never null.
            pieces = column.cast(pl.String).fill_null("").str.split(separator)
            stripped = element.str.strip_chars(WHITESPACE)
            prepared = pieces.list.eval(stripped).list.eval(element.filter(element != ""))
            return prepared, _list(rule, column)
        if isinstance(dtype, pl.List) and dtype.inner in (pl.String, pl.Null):
            items = column.cast(pl.List(pl.String))
            return items.list.eval(_stripped(element)), _list(rule, column, blanks=True)
        if rule in LINKS and isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
            return column, _struct_links(kind, name, rule, dtype.inner, column)
    elif dtype in (pl.String, pl.Null):
        return _stripped(column.cast(pl.String)), _scalar(rule, column)
    raise InvalidValueError(
        entity=kind,
        key=None,
        field=name,
        expected=_expected_of(rule, dtype),
        detail=msg("invalid.got-type", type=str(dtype)),
    )


def _stripped(text: pl.Expr) -> pl.Expr:
    """Stripped as ``str.strip()`` strips; blank becomes null."""
    import polars as pl

    stripped = text.str.strip_chars(WHITESPACE)
    return pl.when(stripped != "").then(stripped)


@functools.cache
def _unsafe_pattern() -> str:
    """A regular expression of the characters polars may treat otherwise than Python.

    Those outside Latin, where Unicode versions add digits and case pairs, and those in it
    that this polars upper- or lower-cases differently than this Python, or that Python
    takes for a digit. Case mapping is per character in both (the context rule of Greek
    final sigma is outside Latin), so text without these maps the same in both.
    """
    import polars as pl

    chars = [chr(code) for code in range(_COMPARED)]
    series = pl.Series(chars)
    lower, upper = series.str.to_lowercase().to_list(), series.str.to_uppercase().to_list()
    safe = [
        ord(char)
        for char, low, up in zip(chars, lower, upper, strict=True)
        if char.lower() == low and char.upper() == up and (char.isascii() or not char.isdecimal())
    ]
    ranges: list[list[int]] = []
    for code in safe:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[^" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges) + "]"


def _unsafe(text: pl.Expr) -> pl.Expr:
    """Whether the text has a character polars may treat otherwise than Python."""
    return text.str.contains(_unsafe_pattern())


def _scalar(rule: str, text: pl.Expr) -> _Exprs:
    """The clean value of stripped text (null for blank), and whether Python must decide."""
    import polars as pl

    present = text.is_not_null()
    if rule == "text":
        return text, pl.lit(False)
    if rule == "role":
        role = text.fill_null("docent")
        return role.str.to_lowercase(), _unsafe(role)
    if rule in ("identifier", "key"):
        undecided = present & (text.str.contains(_DAMAGED) | _unsafe(text))
        if rule == "key":
            undecided = undecided | ~present
    elif rule == "email":
        undecided = present & (~text.str.contains(_EMAIL) | _unsafe(text))
        text = text.str.to_lowercase()
    elif rule in ("gender", "group_kind", "yes_no"):
        table: dict[str, Any] = (
            dict(v._GENDERS)
            if rule == "gender"
            else dict(_GROUP_KINDS)
            if rule == "group_kind"
            else dict.fromkeys(v._YES, True) | dict.fromkeys(v._NO, False)
        )
        dtype = pl.Boolean if rule == "yes_no" else pl.String
        mapped = text.str.to_lowercase().replace_strict(table, default=None, return_dtype=dtype)
        undecided = present & (mapped.is_null() | _unsafe(text))
        text = mapped
    elif rule == "brin6":
        text = text.str.to_uppercase()
        undecided = present & (~text.str.contains(_BRIN6) | _unsafe(text))
    elif rule == "school_year":
        years = text.str.extract_groups(_SCHOOL_YEAR)
        first, second = years.struct.field("1"), years.struct.field("2")
        follows = second.cast(pl.Int32) == first.cast(pl.Int32) + 1
        undecided = present & (~follows.fill_null(False) | _unsafe(text))
        text = pl.concat_str(first, pl.lit("-"), second)
    elif rule == "date":
        # The layouts are told apart by their shape, as parse_date does; polars (chrono)
        # parses the digits and refuses days that do not exist, but takes the year 0.
        # A time of day is cut off; Python decides (refuses) one in a zone but midnight.
        day = text.str.replace(_TIME_OF_DAY, "")
        off_midnight = text.str.contains(_ZONED_TIME) & ~text.str.contains(_MIDNIGHT)
        iso = pl.when(day.str.contains(_DATE_ISO)).then(day).str.replace_all("[/.]", "-")
        dmy = pl.when(day.str.contains(_DATE_DMY)).then(day).str.replace_all("[/.]", "-")
        compact = pl.when(day.str.contains(_DATE_COMPACT)).then(day)
        date = pl.coalesce(
            iso.str.to_date("%Y-%m-%d", strict=False),
            dmy.str.to_date("%d-%m-%Y", strict=False),
            compact.str.to_date("%Y%m%d", strict=False),
        )
        undecided = present & (date.is_null() | (date.dt.year() < 1) | off_midnight | _unsafe(text))
        text = date
    else:  # pragma: no cover - RULES and this function are kept together
        raise AssertionError(rule)
    return text, undecided.fill_null(False)


def _list(rule: str, column: pl.Expr, *, blanks: bool = False) -> _Exprs:
    """A prepared list column of keys: the clean list and whether Python decides the cell.

    ``blanks``: the lists may hold blank (null) items, which a set leaves out and a link
    refuses.
    """
    import polars as pl

    element = pl.element()
    risky = element.str.contains(_DAMAGED) | _unsafe(element)
    if rule in LINKS:
        # Each key is a link to it, with the link's other fields at their default.
        link, fields = LINKS[rule]
        first, *others = attrs.fields(link)
        struct = pl.struct(
            element.alias(first.name),
            *(
                pl.lit(field.default, dtype=_link_dtype(fields[field.name])).alias(field.name)
                for field in others
            ),
        )
        if blanks:
            risky = risky | element.is_null()
        undecided = column.list.eval(risky.fill_null(True)).list.any()
        return column.list.eval(struct), undecided.fill_null(False)
    undecided = column.list.eval(risky.fill_null(False)).list.any().fill_null(False)
    if blanks:
        column = column.list.drop_nulls()
    if rule == "roles":
        column = column.list.eval(element.str.to_lowercase())
    return column, undecided


def _link_dtype(rule: str) -> type[pl.DataType]:
    import polars as pl

    return pl.Boolean if rule == "yes_no" else pl.String


def _struct_links(
    kind: EntityKind, name: str, rule: str, inner: pl.Struct, column: pl.Expr
) -> _Exprs:
    """A list of structs: each struct field validated by its link field's rule."""
    import polars as pl

    link, fields = LINKS[rule]
    given = {field.name: field.dtype for field in inner.fields}
    for field_name, dtype in given.items():
        if field_name not in fields:
            raise InvalidValueError(
                entity=kind,
                key=None,
                field=name,
                expected=msg("invalid.field-of", kind=link.__name__, fields=", ".join(fields)),
                detail=msg("invalid.in-link-field", field=field_name),
            )
        allowed = [pl.String, pl.Null]
        if fields[field_name] == "yes_no":
            allowed.append(pl.Boolean)
        if dtype not in allowed:
            raise InvalidValueError(
                entity=kind,
                key=None,
                field=name,
                expected=_expected_of(fields[field_name]),
                detail=msg("invalid.got-type", type=str(dtype)),
            )
    first = attrs.fields(link)[0].name
    if first not in given:
        raise InvalidValueError(
            entity=kind,
            key=None,
            field=name,
            expected=msg("invalid.identifier-empty"),
            detail=msg("invalid.in-link-field", field=first),
        )
    element = pl.element()
    values: list[pl.Expr] = []
    undecided = element.is_null()
    for field in attrs.fields(link):
        field_rule = fields[field.name]
        if field.name not in given:
            values.append(pl.lit(field.default, dtype=_link_dtype(field_rule)).alias(field.name))
            continue
        value = element.struct.field(field.name)
        if given[field.name] == pl.Boolean:
            values.append(value.alias(field.name))
            continue
        clean, unsure = _scalar(field_rule, _stripped(value.cast(pl.String)))
        values.append(clean.alias(field.name))
        undecided = undecided | unsure
    clean_list = column.list.eval(pl.struct(values))
    return clean_list, column.list.eval(undecided.fill_null(True)).list.any().fill_null(False)


# ---------------------------------------------------------------------------------------------
# Python: the converter decides the cells polars could not
# ---------------------------------------------------------------------------------------------


def _decide_in_python(
    clean: pl.Series,
    raw: pl.Series,
    rows: pl.Series,
    *,
    rule: str,
    converter: Callable[[object], Any],
    separator: str,
    refusals: list[CellRefusal],
) -> pl.Series:
    """Run the field's converter on the raw cells at ``rows``; put what it makes in place."""
    import polars as pl

    values: list[Any] = []
    split = (rule in _SETS or rule in LINKS) and raw.dtype in (pl.String, pl.Null)
    for row, given in zip(rows.to_list(), raw.gather(rows).to_list(), strict=True):
        value: object = given
        if split and given is not None:
            value = [piece for piece in given.split(separator) if piece.strip()]
        try:
            value = converter(value)
        except v._Invalid as refused:
            refusals.append(CellRefusal(row, refused.field, refused.expected, refused.detail))
            value = None
        values.append(_frame_value(rule, value))
    # Series.scatter cannot put lists or structs: gather the decided values into place.
    where = pl.repeat(None, len(clean), dtype=pl.UInt32, eager=True).scatter(
        rows, pl.int_range(len(rows), dtype=pl.UInt32, eager=True)
    )
    decided = pl.Series(values, dtype=clean.dtype).gather(where)
    return clean.zip_with(where.is_null(), decided)


def _frame_value(rule: str, value: Any) -> Any:
    if value is None:
        return None
    if rule in _SETS:
        return list(value)
    if rule in LINKS:
        return [attrs.asdict(link) for link in value]
    return value


def records_frame(
    kind: EntityKind, records: Sequence[Record], *, fields: Sequence[str] | None = None
) -> pl.DataFrame:
    """Records as a polars DataFrame: a column per field, typed as the record holds it.

    Text is ``String``, dates ``Date``, the archived flag ``Boolean``, sets of keys
    ``List(String)`` and links ``List(Struct)`` with the link's fields. The converse of
    :func:`validate_columns` (whose frame :func:`trusted_records` turns into records).

    Examples:
        >>> import edukoppel as ek
        >>> frame = records_frame("student", [ek.Student(key="1", birth_date="2012-03-04")])
        >>> frame.select("key", "birth_date", "groups").dtypes
        [String, Date, List(String)]
    """
    import polars as pl

    rules = RULES[kind]
    chosen = list(rules) if fields is None else ["key", *(f for f in fields if f != "key")]
    unknown = [field for field in chosen if field not in rules]
    if unknown:
        raise InvalidValueError(
            entity=kind,
            key=None,
            field=unknown[0],
            expected=msg("invalid.field-of", kind=kind, fields=", ".join(rules)),
        )
    columns: dict[str, pl.Series] = {}
    for field in chosen:
        rule = rules[field]
        values = [getattr(record, field) for record in records]
        if rule == "date":
            columns[field] = pl.Series(field, values, dtype=pl.Date)
        elif rule == "archived":
            columns[field] = pl.Series(field, values, dtype=pl.Boolean)
        elif rule in _SETS or rule == "identifiers":
            columns[field] = pl.Series(field, [list(v) for v in values], dtype=pl.List(pl.String))
        elif rule in LINKS:
            link_fields = LINKS[rule][1]
            struct = pl.Struct(
                {name: _link_dtype(link_rule)() for name, link_rule in link_fields.items()}
            )
            rows = [
                [{name: getattr(item, name) for name in link_fields} for item in value]
                for value in values
            ]
            columns[field] = pl.Series(field, rows, dtype=pl.List(struct))
        else:
            columns[field] = pl.Series(field, values, dtype=pl.String)
    return pl.DataFrame(columns)
