"""From a table and its column mapping to a Roster: one record per row, every bad cell reported.

Each row becomes a record of the mapping's kind; a pupil row's guardian columns become guardians
linked to the pupil, and its class and lesgroep cells become groups. A cell the model refuses is
a report issue at its file, row and column, with the row's key but never the value; the
``on_bad_cell`` option decides whether the row is kept without that value (the default),
skipped, or fails the read. The roster *provides* exactly the mapped fields, so a column the
file does not have never clears anything.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

from edukoppel._i18n import Message, msg
from edukoppel.exceptions import InvalidValueError, MappingError
from edukoppel.mapping._catalogue import Target, catalogue
from edukoppel.mapping._presets import preset
from edukoppel.mapping._school import school_from_title
from edukoppel.mapping._valuemap import ValueMap, fold, fold_expression
from edukoppel.mapping._values import role_words
from edukoppel.model import (
    ROSTER_ARGUMENTS,
    EntityKind,
    Group,
    GroupKind,
    GroupRole,
    Guardian,
    GuardianLink,
    Record,
    Roster,
    Staff,
    data_fields,
    record_class,
)
from edukoppel.model._records import trusted_maker
from edukoppel.report import Issue, Report

if TYPE_CHECKING:
    import polars as pl

    from edukoppel.mapping._mapping import ColumnMapping
    from edukoppel.model._columns import CellRefusal
    from edukoppel.readers import Table

__all__ = ["BadCell", "to_roster"]

BadCell = Literal["keep", "skip", "fail"]
_BATCH_ROWS = 10_000
ROW_NUMBERS = "__rows__"
_MAX_PER_COLUMN = 50  # refused cells listed per column and code; the rest are counted
_LIST_FIELDS = frozenset({"groups", "roles", "mentees", "locations"})
_GENDER_CODES = 20  # distinct values a gender column's convention is judged on


class _Columns:
    """Which table positions feed which field of the row's record and of its guardians."""

    def __init__(self, mapping: ColumnMapping) -> None:
        self.own: dict[str, list[int]] = defaultdict(list)
        self.row_only: dict[str, list[int]] = defaultdict(list)  # _role, _mentor
        self.guardians: dict[int, dict[str, int]] = defaultdict(dict)
        self.names: dict[int, str] = {}
        for match in mapping:
            if match.target is None:
                continue
            target = Target.parse(match.target)
            self.names[match.position] = match.column
            if target.kind == mapping.entity:
                stored = target.field in data_fields(target.kind)
                fields = self.own if stored else self.row_only
                fields[target.field].append(match.position)
            elif target.kind == "guardian":
                self.guardians[target.number or 1][target.field] = match.position

    def for_kind(self, kind: EntityKind) -> _Columns:
        """The same columns for rows of another kind: the fields both kinds have, by name."""
        other = _Columns.__new__(_Columns)
        wanted = set(data_fields(kind))
        other.own = defaultdict(list, {f: p for f, p in self.own.items() if f in wanted})
        other.row_only = defaultdict(list)
        other.guardians = defaultdict(dict)
        other.names = self.names
        return other


def to_roster(
    table: Table,
    mapping: ColumnMapping,
    *,
    source: str | None = None,
    on_bad_cell: BadCell = "keep",
    values: ValueMap | None = None,
) -> tuple[Roster, Report]:
    """The roster a table holds under a mapping, and the report of what was wrong in it.

    Args:
        table: The table, from :func:`edukoppel.read_table`.
        mapping: Its column mapping, from :func:`edukoppel.match_columns`.
        source: The roster's source name (default: the file's name).
        on_bad_cell: ``"keep"`` the row without the refused value (and warn), ``"skip"``
            the row (an error issue), or ``"fail"`` the read (``MappingError``).
        values: Value maps (koppeltabellen) to translate source values with; a value a
            map does not know is kept and reported (``unknown-value``).

    Raises:
        MappingError: No column gives the records a key (no key, username or e-mail
            column), several columns tie for the key, or a bad cell with
            ``on_bad_cell="fail"``.
    """
    entity = mapping.entity
    columns = _Columns(mapping)
    report = Report(detected=dict(table.report.detected))
    report.extend(table.report.issues)
    key_from = _key_field(columns, entity)
    tied = dict(mapping.ties).get(f"{entity}.key")
    if key_from != "key" and tied:
        # Several columns are each as sure to be the identifier: a username would be a key
        # nobody chose, so the host picks one (a wrong key archives a school).
        raise MappingError(
            msg(
                "mapping.key-tie",
                kind=entity,
                columns=", ".join(repr(column) for column in tied),
                first=tied[0],
            )
        )
    if key_from is None:
        raise MappingError(
            msg("mapping.no-key", kind=entity, missing=", ".join(mapping.missing) or "-")
        )
    if key_from != "key":
        report.add(
            Issue(
                code="key-from-username" if key_from == "username" else "key-from-email",
                severity="info",
                file=table.file,
                sheet=table.sheet,
                entity=entity,
                message=msg(f"key-from-{key_from}", kind=entity),
            )
        )
    own_rows: Table = table
    other_rows: dict[EntityKind, Table] = {}
    if columns.row_only.get("_role"):
        own_rows, other_rows = _split_by_role(table, mapping, columns, report)
    unknown = _Unknown()
    builder = _Builder(
        own_rows,
        columns,
        entity=entity,
        key_from=key_from,
        report=report,
        on_bad_cell=on_bad_cell,
        values=values,
        unknown=unknown,
    )
    records, places = builder.build()
    provided = sorted(({*columns.own, "key"} - set(builder.unreadable)) & set(data_fields(entity)))
    collections: dict[str, list[Any]] = {ROSTER_ARGUMENTS[entity]: records}
    provides: dict[EntityKind, list[str] | None] = {entity: provided}
    provenance: dict[EntityKind, list[object]] = {entity: places}
    if entity == "student":
        groups = _groups(records, columns)
        if groups is not None:
            collections["groups"] = groups
            provides["group"] = ["kind"]
        guardians = builder.guardians
        if columns.guardians:
            collections["guardians"] = list(guardians.values())
            fields = {field for fields in columns.guardians.values() for field in fields}
            provides["guardian"] = sorted(
                ({*fields, "students"} & set(data_fields("guardian"))) - {"key"}
            )
    for kind, rows in other_rows.items():
        _add_rows_of_kind(
            kind,
            rows,
            columns,
            key_from=key_from,
            report=report,
            on_bad_cell=on_bad_cell,
            collections=collections,
            provides=provides,
            provenance=provenance,
            values=values,
            unknown=unknown,
            mapped_as=entity,
        )
    if entity == "student" and columns.row_only.get("_mentor"):
        _mentors(
            own_rows,
            records,
            places,
            columns=columns,
            collections=collections,
            provides=provides,
            report=report,
        )
    unknown.report(report, table, entity)
    for kind in (entity, *other_rows):
        members = collections[ROSTER_ARGUMENTS[kind]]
        _duplicate_usernames(members, provenance[kind], kind, table, report)
        _missing_values(
            members, provenance[kind], kind, mapping=mapping, table=table, report=report
        )
    _numbers_for_identifiers(table, mapping, report)
    school, found = school_from_title(table.preamble, file=table.file, sheet=table.sheet)
    report.extend(found)
    roster = Roster(
        school=school,
        source=source or table.file,
        provides=provides,
        provenance=provenance,
        **collections,  # type: ignore[arg-type]
    )
    return roster, report


def _add_rows_of_kind(
    kind: EntityKind,
    rows: Table,
    columns: _Columns,
    *,
    key_from: str,
    report: Report,
    on_bad_cell: BadCell,
    collections: dict[str, list[Any]],
    provides: dict[EntityKind, list[str] | None],
    provenance: dict[EntityKind, list[object]],
    values: ValueMap | None,
    unknown: _Unknown,
    mapped_as: EntityKind,
) -> None:
    """The rows of a mixed file that are of another kind (a pupil file's teachers)."""
    own = columns.for_kind(kind)
    part = _Builder(
        rows,
        own,
        entity=kind,
        key_from=key_from,
        report=report,
        on_bad_cell=on_bad_cell,
        values=values,
        unknown=unknown,
        mapped_as=mapped_as,
    )
    records, places = part.build()
    fields = {*own.own, "key"}
    if kind == "staff":
        records, extra = _staff_roles(records, places, rows, columns, part)
        fields |= extra
        if extra and "groups" in collections:
            known = {group.key for group in collections["groups"]}
            named = {role.group for s in records if isinstance(s, Staff) for role in s.groups}
            collections["groups"] += [
                Group(key=key, kind="homeroom") for key in sorted(named - known)
            ]
    collections[ROSTER_ARGUMENTS[kind]] = records
    provides[kind] = sorted(fields & set(data_fields(kind)))
    provenance[kind] = places


def _key_field(columns: _Columns, entity: EntityKind) -> str | None:
    for field in ("key", "username", "email"):
        if field in columns.own:
            return field
    return None


# From this share of a column's filled cells refused, the column provides nothing.
_UNREADABLE = 0.9


class _Unknown:
    """Values a value map did not know: per field and column, each value and its rows.

    Values are told apart as the map compares them (case and spaces aside), each shown as
    it first occurs.
    """

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], dict[str, tuple[str, list[int]]]] = defaultdict(dict)

    def note(self, target: str, column: str, value: str, row: int) -> None:
        known = self.found[(target, column)]
        known.setdefault(fold(value), (value.strip(), []))[1].append(row)

    def find(
        self,
        frame: pl.DataFrame,
        target: str,
        column: str,
        values: ValueMap,
        table: Table,
        *,
        cells: pl.Expr | None = None,
    ) -> None:
        """The unknown values of one column, with their rows (found in polars).

        ``cells``: the values to judge, when not the column itself (a set's items).
        """
        import polars as pl

        judged = frame.with_columns(pl.Series(ROW_NUMBERS, table.row_numbers))
        if cells is not None:
            judged = judged.select(cells.alias(column), ROW_NUMBERS).explode(column)
        cells = pl.col(column)
        hits = (
            judged.filter(cells.is_not_null() & values.unknown(target, cells))
            .group_by(fold_expression(cells).alias("folded"), maintain_order=True)
            .agg(cells.first().str.strip_chars().alias("shown"), pl.col(ROW_NUMBERS))
        )
        known = self.found[(target, column)]
        for folded, shown, rows in hits.iter_rows():
            known.setdefault(folded, (shown, []))[1].extend(rows)

    def report(self, report: Report, table: Table, entity: EntityKind) -> None:
        for (target, column), by_value in self.found.items():
            for value, rows in by_value.values():
                report.add(
                    Issue(
                        code="unknown-value",
                        severity="warning",
                        file=table.file,
                        sheet=table.sheet,
                        row=min(rows),
                        column=column,
                        entity=entity,
                        field=target,
                        message=msg(
                            "unknown-value",
                            value=value,
                            field=target,
                            count=len(rows),
                            rows=tuple(sorted(rows)),
                        ),
                    )
                )


class _Builder:
    def __init__(
        self,
        table: Table,
        columns: _Columns,
        *,
        entity: EntityKind,
        key_from: str,
        report: Report,
        on_bad_cell: BadCell,
        values: ValueMap | None = None,
        unknown: _Unknown | None = None,
        mapped_as: EntityKind | None = None,
    ) -> None:
        self.values = values
        self.unknown = unknown if unknown is not None else _Unknown()
        self.mapped_as = mapped_as or entity  # the kind the columns are mapped to
        self.table = table
        self.columns = columns
        self.entity = entity
        self.key_from = key_from
        self.report = report
        self.on_bad_cell = on_bad_cell
        self.guardians: dict[str, Guardian] = {}
        self.cls = record_class(entity)
        self._shown: Counter[tuple[str, str]] = Counter()  # refusals seen per code and column
        self._refused: Counter[str] = Counter()  # refused cells per field (not the key)
        self.unreadable: list[str] = []  # fields whose column the model could not read

    def _issue(
        self,
        code: str,
        message: Message,
        *,
        row: int | None,
        column: str | None,
        key: str | None,
        severity: Literal["error", "warning", "info"] = "warning",
    ) -> None:
        self.report.add(
            Issue(
                code=code,
                severity=severity,
                file=self.table.file,
                sheet=self.table.sheet,
                row=row,
                column=column,
                entity=self.entity,
                key=key,
                message=message,
            )
        )

    def build(self) -> tuple[list[Record], list[object]]:
        """The records, validated a column at a time (``validate_columns``), and their rows."""
        import polars as pl

        from edukoppel.model._columns import trusted_records, validate_columns

        table, names = self.table, self.table.unique_columns
        source = table.to_polars()
        exprs: list[pl.Expr] = []
        for field, positions in self.columns.own.items():
            cells = [pl.col(names[position]) for position in positions]
            if field in _LIST_FIELDS:
                joined = [cell.str.replace_all(r"\s*[;|]\s*", ",") for cell in cells]
                combined = pl.concat_str(joined, separator=",")
                target = f"{self.mapped_as}.{field}"
                if self.values is not None and target in self.values:
                    # A set's values are translated one by one: "HAVO3A; HAVO3B".
                    items = combined.str.split(",")
                    column = names[positions[0]]
                    self.unknown.find(source, target, column, self.values, table, cells=items)
                    translated = self.values.expression(target, pl.element())
                    combined = items.list.eval(translated.fill_null("")).list.join(",")
                exprs.append(combined.alias(field))
            elif self.values is not None and f"{self.mapped_as}.{field}" in self.values:
                target = f"{self.mapped_as}.{field}"
                self.unknown.find(source, target, names[positions[0]], self.values, table)
                exprs.append(self.values.expression(target, cells[0]).alias(field))
            elif field == "gender":
                exprs.append(self._gender(source, names[positions[0]]).alias(field))
            else:
                exprs.append(cells[0].alias(field))
        if self.key_from != "key":
            key = pl.col(names[self.columns.own[self.key_from][0]])
            if self.key_from == "email":
                key = key.str.strip_chars().str.to_lowercase()
            exprs.append(key.alias("key"))
        selected = source.select(exprs)
        numbers = table.row_numbers
        records: list[Record] = []
        kept: list[int] = []
        # In batches, so that the validated columns of only one batch are alive at a time.
        for start in range(0, selected.height, _BATCH_ROWS):
            check = validate_columns(self.entity, selected.slice(start, _BATCH_ROWS), separator=",")
            keys: list[str | None] = check.frame.get_column("key").to_list()
            dropped = self._report_refusals(check.refusals, numbers, keys, offset=start)
            frame = check.frame
            if dropped:
                frame = frame.filter(~pl.int_range(pl.len()).is_in(sorted(dropped)))
            records += trusted_records(self.entity, frame)
            kept += [start + i for i in range(check.frame.height) if i not in dropped]
            del check, frame
        self._report_more()
        self.unreadable = self._unreadable(selected)
        places: list[object] = [numbers[index] for index in kept]
        if self.entity == "student" and self.columns.guardians:
            rows = table.rows
            for index, record in zip(kept, records, strict=True):
                self._guardians(rows[index], record.key, numbers[index])
        return records, places

    def _gender(self, source: pl.DataFrame, column: str) -> pl.Expr:
        """The gender column, read as Spanish or Catalan when its codes say so (see _gender)."""
        import polars as pl

        from edukoppel.mapping._gender import iberian_codes

        cell = pl.col(column)
        codes = source.select(cell.unique().head(_GENDER_CODES)).to_series().to_list()
        reading = iberian_codes(self.table.columns[self._position("gender")] or column, codes)
        if reading is None:
            return cell
        said = ", ".join(f"{code.upper()} {gender}" for code, gender in reading.items())
        message = msg("gender-codes-iberian", column=column, reading=said)
        self._issue("gender-codes-iberian", message, row=None, column=column, key=None,
                    severity="info")  # fmt: skip
        return cell.str.strip_chars().str.to_lowercase().replace(reading)

    def _report_refusals(
        self,
        refusals: Sequence[CellRefusal],
        numbers: Sequence[int],
        keys: Sequence[str | None],
        *,
        offset: int,
    ) -> set[int]:
        """An issue per refused cell (so many per column); the batch's rows to leave out.

        ``refusals`` and ``keys`` are the batch's, which starts at row ``offset``.
        """
        dropped: set[int] = set()
        shown = self._shown
        for refusal in refusals:
            row, field = numbers[offset + refusal.row], refusal.field
            column = self._column_of(self.key_from if field == "key" else field)
            key = keys[refusal.row]
            if field == "key":
                dropped.add(refusal.row)
                # One row fetched, not every row turned into Python tuples for one empty key.
                cell = self.table[offset + refusal.row][self._position(self.key_from)]
                blank = not cell.strip()
                code, message, severity = (
                    ("missing-key", msg("missing-key", kind=self.entity), "error")
                    if blank
                    else ("invalid-value", _invalid("invalid-value.skipped", refusal), "error")
                )
            elif self.on_bad_cell == "fail":
                raise MappingError(
                    msg(
                        "mapping.bad-cell-fail",
                        file=self.table.file,
                        row=row,
                        column=column or field,
                        expected=refusal.expected,
                    )
                )
            elif self.on_bad_cell == "skip":
                dropped.add(refusal.row)
                code, message, severity = (
                    "invalid-value",
                    _invalid("invalid-value.skipped", refusal),
                    "error",
                )
            else:
                code, message, severity = (
                    "invalid-value",
                    _invalid("invalid-value.kept", refusal),
                    "warning",
                )
                self._refused[field] += 1
            shown[(code, column or field)] += 1
            if shown[(code, column or field)] <= _MAX_PER_COLUMN:
                self._issue(code, message, row=row, column=column, key=key, severity=severity)  # type: ignore[arg-type]
        return dropped

    def _unreadable(self, selected: pl.DataFrame) -> list[str]:
        """The fields of which (nearly) every filled cell was refused: they provide nothing.

        A column mapped on its name whose values the model cannot read (Greek
        ``αγόρι``/``κορίτσι`` in a ``Gender`` column, dates in a layout it does not read)
        would otherwise clear that field of every record in the store. Each gets one issue.
        """
        import polars as pl

        # Only the columns with a refused cell are counted: none, in a clean file.
        counted = [
            pl.col(field).str.strip_chars().str.len_chars().gt(0).sum()
            for field in self._refused
            if field in selected.columns
        ]
        filled: dict[str, int] = selected.select(counted).row(0, named=True) if counted else {}
        found = []
        for field, count in filled.items():
            refused = self._refused[field]
            if count and refused >= _UNREADABLE * count:
                found.append(field)
                column = self._column_of(field)
                message = msg("column-unreadable", column=column or field, field=field)
                self._issue("column-unreadable", message, row=None, column=column, key=None)
        return found

    def _report_more(self) -> None:
        """One issue per column and code for the refusals past the listed ones."""
        for (code, column), count in self._shown.items():
            if count > _MAX_PER_COLUMN:
                more = msg("invalid-value.more", count=count - _MAX_PER_COLUMN)
                self._issue(code, more, row=None, column=column, key=None)

    def translated(self, target: str, cell: str, position: int, row: int) -> str | None:
        """A cell through the value map (an unknown value is kept, and noted)."""
        if self.values is None or target not in self.values:
            return cell.strip() or None
        known, meaning = self.values.translate(target, cell)
        if not known:
            self.unknown.note(target, self.columns.names[position], cell, row)
        return (meaning or "").strip() or None

    def _position(self, field: str) -> int:
        return self.columns.own[field][0]

    def _column_of(self, field: str) -> str | None:
        positions = self.columns.own.get(field)
        return self.columns.names[positions[0]] if positions else None

    def _guardians(self, cells: Sequence[str], pupil: str, row: int) -> None:
        for number, fields in sorted(self.columns.guardians.items()):
            values = {
                field: self.translated(f"guardian.{field}", cells[position], position, row)
                for field, position in fields.items()
                if field in data_fields("guardian") and field not in ("key", "students")
            }
            given_key = cells[fields["key"]].strip() if "key" in fields else ""
            if not given_key and not any(values.values()):
                continue  # no second parent on this row
            email = values.get("email")
            key = given_key or (email.lower() if email else f"{pupil}-{number}")
            relation = (
                self.translated(
                    "guardian.relation", cells[fields["relation"]], fields["relation"], row
                )
                if "relation" in fields
                else None
            )
            link = GuardianLink(pupil, relation=relation)
            known = self.guardians.get(key)
            try:
                if known is not None:
                    self.guardians[key] = known.evolve(students=(*known.students, link))
                else:
                    self.guardians[key] = Guardian.from_dict(
                        {"key": key, "students": [link], **values}
                    )
            except InvalidValueError as error:
                column = self.columns.names.get(fields.get(error.field, -1))
                message = _invalid("invalid-value.guardian", error)
                self._issue("invalid-value", message, row=row, column=column, key=pupil)


def _invalid(message_id: str, error: InvalidValueError | CellRefusal) -> Message:
    """An issue's message for a refused cell: what was expected, never the value."""
    if isinstance(error, InvalidValueError):
        expected, detail = error.expected_message, error.detail_message
    else:
        expected, detail = error.expected, error.detail
    return msg(
        message_id,
        expected=expected,
        detail=msg("invalid-value.detail", detail=detail) if detail else "",
    )


def _groups(records: Sequence[Record], columns: _Columns) -> list[Group] | None:
    """The klassen and lesgroepen the pupils name, as groups (None: no group column)."""
    if "homeroom" not in columns.own and "groups" not in columns.own:
        return None
    kinds: dict[str, GroupKind] = {}
    for record in records:
        for group in getattr(record, "groups", ()):
            kinds.setdefault(group, "teaching")
        homeroom = getattr(record, "homeroom", None)
        if homeroom:
            kinds[homeroom] = "homeroom"
    return [Group(key=key, kind=kind) for key, kind in sorted(kinds.items())]


def _split_by_role(
    table: Table, mapping: ColumnMapping, columns: _Columns, report: Report
) -> tuple[Table, dict[EntityKind, Table]]:
    """A mixed file's rows by kind: its own kind, and pupils or staff beside it.

    An empty role is a row of the mapping's kind. A value that means neither pupil nor staff
    (a parent in a OneRoster users file) is left out with a note; a value in no list is left
    out with an error, never guessed.
    """
    position = columns.row_only["_role"][0]
    column = columns.names[position]
    meanings = dict(role_words())
    if mapping.preset is not None:
        meanings |= preset(mapping.preset).values_of(column)  # type: ignore[arg-type]
    values = [cell.strip().lower() for cell in table.column(table.unique_columns[position])]
    by_kind: dict[str, list[int]] = defaultdict(list)
    unknown: dict[str, list[int]] = defaultdict(list)
    numbers = table.row_numbers
    for index, value in enumerate(values):
        kind = meanings.get(value, mapping.entity) if value else mapping.entity
        if value and value not in meanings:
            unknown[value].append(index)
        else:
            by_kind[kind].append(index)
    for value, rows in sorted(unknown.items()):
        message = msg("unknown-role", value=value, count=len(rows))
        for index in rows[:_MAX_PER_COLUMN]:
            report.add(
                Issue(
                    code="unknown-role",
                    severity="error",
                    file=table.file,
                    sheet=table.sheet,
                    row=numbers[index],
                    column=column,
                    entity=mapping.entity,
                    message=message,
                )
            )
    for meaning, rows in sorted(by_kind.items()):
        if meaning not in ("student", "staff"):
            report.add(
                Issue(
                    code="rows-of-another-kind",
                    severity="info",
                    file=table.file,
                    sheet=table.sheet,
                    column=column,
                    entity=mapping.entity,
                    message=msg("rows-of-another-kind", kind=meaning, count=len(rows)),
                )
            )
    own = by_kind.get(mapping.entity, [])
    own_rows = table if len(own) == len(table) else table.take(own)
    others: dict[EntityKind, Table] = {
        kind: table.take(rows)  # type: ignore[misc]
        for kind, rows in sorted(by_kind.items())
        if kind in ("student", "staff") and kind != mapping.entity and rows
    }
    return own_rows, others


def _staff_roles(
    records: list[Record],
    places: Sequence[object],
    rows: Table,
    columns: _Columns,
    builder: _Builder,
) -> tuple[list[Record], set[str]]:
    """Staff rows of a mixed file: the role cell is their role, and their klas a group role.

    An empty role on a staff row (a staff file's default kind) is ``docent``. A value map
    for the role column (``student._role``) says what each role is called in the host.
    """
    names = rows.unique_columns
    position = columns.row_only["_role"][0]
    target = f"{builder.mapped_as}._role"
    roles = [
        (builder.translated(target, cell, position, row) or "").lower()
        for cell, row in zip(rows.column(names[position]), rows.row_numbers, strict=True)
    ]
    homeroom = columns.own.get("homeroom")
    groups = [cell.strip() for cell in rows.column(names[homeroom[0]])] if homeroom else None
    index_of = {number: index for index, number in enumerate(rows.row_numbers)}
    updated: list[Record] = []
    for record, place in zip(records, places, strict=True):
        index = index_of[place]  # type: ignore[index]
        role = roles[index] or "docent"
        changes: dict[str, object] = {"roles": (role,)}
        if groups is not None and groups[index]:
            changes["groups"] = (GroupRole(groups[index], role),)
        updated.append(record.evolve(**changes))
    return updated, {"roles"} | ({"groups"} if groups is not None else set())


def _mentors(
    rows: Table,
    records: Sequence[Record],
    places: Sequence[object],
    *,
    columns: _Columns,
    collections: dict[str, list[Any]],
    provides: dict[EntityKind, list[str] | None],
    report: Report,
) -> None:
    """A pupil row's mentor columns: the mentor's ``mentees`` include the pupil.

    In a file that also has staff rows (Numo's ``rol``), a mentor is found among them by key,
    abbreviation or username, and a mentor who is not there is reported. In a pupil file the
    mentor column's values are the staff members' keys, and the staff provide only their
    mentees, so nothing else about a staff member is ever cleared.
    """
    import polars as pl

    names = rows.unique_columns
    # Per mentor value, its pupils' keys and rows: in polars, since a pupil file has one row
    # per pupil and only a handful of mentors.
    pupils = pl.DataFrame(
        {"key": [record.key for record in records], "row": places},
        schema={"key": pl.String, "row": pl.Int64},
    )
    mentor_cells = [pl.col(names[position]) for position in columns.row_only["_mentor"]]
    grouped = (
        rows.to_polars(row_numbers="__row__")
        .select(
            pl.col("__row__").alias("row"),
            pl.concat_str(mentor_cells, separator=",")
            .str.replace_all(r"[;|]", ",")
            .str.split(",")
            .alias("mentor"),
        )
        .explode("mentor")
        .with_columns(pl.col("mentor").str.strip_chars())
        .filter(pl.col("mentor").is_not_null() & (pl.col("mentor") != ""))
        .join(pupils, on="row", how="inner")
        .group_by("mentor", maintain_order=True)
        .agg(pl.col("key"), pl.col("row"))
    )
    mentees: dict[str, set[str]] = {}
    rows_of: dict[str, list[int]] = {}
    for value, keys, numbers in grouped.iter_rows():
        mentees[value] = set(keys)
        rows_of[value] = numbers
    mentor_column = columns.names[columns.row_only["_mentor"][0]]

    def issue(code: str, message: Message, row: int | None, severity: str = "warning") -> None:
        report.add(
            Issue(
                code=code,
                severity=severity,  # type: ignore[arg-type]
                file=rows.file,
                sheet=rows.sheet,
                row=row,
                column=mentor_column,
                entity="staff",
                message=message,
            )
        )

    staff: list[Staff] | None = collections.get("staff")
    if staff is not None:
        known: dict[str, str] = {}
        for member in staff:
            for name in (member.key, member.abbreviation, member.username):
                if name:
                    known.setdefault(name.lower(), member.key)
        found: dict[str, set[str]] = defaultdict(set)
        for value, keys in sorted(mentees.items()):
            key = known.get(value.lower())
            if key is None:
                for row in rows_of[value][:_MAX_PER_COLUMN]:
                    issue("mentor-not-found", msg("mentor-not-found"), row)
            else:
                found[key] |= keys
        collections["staff"] = [
            member.evolve(mentees=tuple(sorted(found.get(member.key, ())))) for member in staff
        ]
        provides["staff"] = sorted({*(provides.get("staff") or ()), "mentees"})
        return
    mentors: list[Staff] = []
    make = trusted_maker(Staff, ("key", "mentees"))
    for value, keys in sorted(mentees.items()):
        try:
            key = Staff(key=value).key  # the mentor's code, checked as a key
        except InvalidValueError as error:
            for row in rows_of[value][:_MAX_PER_COLUMN]:
                issue("invalid-value", _invalid("invalid-value.kept", error), row)
            continue
        # The pupils' keys are checked already: sorted and unique is what the field holds.
        mentors += make([(key, tuple(sorted(keys)))])
    collections["staff"] = mentors
    provides["staff"] = ["key", "mentees"]
    issue("mentor-as-staff-key", msg("mentor-as-staff-key", count=len(mentors)), None, "info")


def _missing_values(
    records: Sequence[Record],
    places: Sequence[object],
    kind: EntityKind,
    *,
    mapping: ColumnMapping,
    table: Table,
    report: Report,
) -> None:
    """Rows whose required field (the catalogue's or the host's) is mapped but empty."""
    mapped = set(mapping.targets.values())
    wanted: list[tuple[str, ...]] = [
        (spec.name,) for spec in catalogue().required(kind) if spec.name != "key"
    ]
    wanted += [
        tuple(Target.parse(choice).field for choice in choices)
        for choices in mapping.required
        if all(Target.parse(choice).kind == mapping.entity for choice in choices)
    ]
    for choices in wanted:
        fields = data_fields(kind)
        present = [f for f in choices if f"{mapping.entity}.{f}" in mapped and f in fields]
        if not present:
            continue  # not mapped: reported as required-field-unmapped
        # A field's empty values (None, "", ()) are all false; its values never are.
        values = attrgetter(*present)
        several = len(present) > 1
        empty = [
            (place, record.key)
            for record, place in zip(records, places, strict=True)
            if not (any(values(record)) if several else values(record))
        ]
        column = mapping.column_of(f"{mapping.entity}.{present[0]}")
        label = " | ".join(f"{kind}.{field}" for field in choices)
        message = msg("missing-required-value", kind=kind, field=label)
        for place, key in empty[:_MAX_PER_COLUMN]:
            report.add(
                Issue(
                    code="missing-required-value",
                    severity="warning",
                    file=table.file,
                    sheet=table.sheet,
                    row=place,  # type: ignore[arg-type]
                    column=column,
                    entity=kind,
                    key=key,
                    field=label,
                    message=message,
                )
            )
        if len(empty) > _MAX_PER_COLUMN:
            more = msg("missing-required-value.more", count=len(empty) - _MAX_PER_COLUMN)
            report.add(
                Issue(
                    code="missing-required-value",
                    severity="warning",
                    file=table.file,
                    sheet=table.sheet,
                    column=column,
                    entity=kind,
                    field=label,
                    message=more,
                )
            )


def _numbers_for_identifiers(table: Table, mapping: ColumnMapping, report: Report) -> None:
    """An identifier column that the workbook stored as numbers, in several widths.

    A number cannot start with 0, so when every id of such a column was saved as a number,
    no value shows the zeros that were lost and the reader's own check sees nothing. Mixed
    widths are the trace left: the shorter ids probably had leading zeros.
    """
    import polars as pl

    if not table.numeric_cells:
        return
    flagged = {issue.column for issue in report.issues if issue.code == "leading-zeros-lost"}
    for match in mapping:
        numbers = table.numeric_cells.get(match.column, 0)
        spec = catalogue().spec(match.target) if match.target else None
        if not numbers or spec is None or spec.type != "identifier" or match.column in flagged:
            continue
        frame = table.to_polars(row_numbers="row").select(
            "row", pl.col(match.column).str.strip_chars().alias("value")
        )
        digits = frame.filter(pl.col("value").str.contains(r"^\d+$")).with_columns(
            pl.col("value").str.len_bytes().alias("width")
        )
        if numbers * 2 < digits.height or digits.height < 2:
            continue  # mostly text: the reader's own check judges it
        widest, narrowest = digits.get_column("width").max(), digits.get_column("width").min()
        if not isinstance(widest, int) or not isinstance(narrowest, int) or widest == narrowest:
            continue
        short = digits.filter(pl.col("width") < widest)
        is_key = match.target == f"{mapping.entity}.key"
        message = msg("leading-zeros-lost.numbers", width=widest, shortest=narrowest)
        for row, value in short.head(_MAX_PER_COLUMN).select("row", "value").iter_rows():
            report.add(
                Issue(
                    code="leading-zeros-lost",
                    severity="warning",
                    file=table.file,
                    sheet=table.sheet,
                    row=row,
                    column=match.column,
                    entity=mapping.entity,
                    key=value if is_key else None,
                    message=message,
                )
            )
        if short.height > _MAX_PER_COLUMN:
            report.add(
                Issue(
                    code="leading-zeros-lost",
                    severity="warning",
                    file=table.file,
                    sheet=table.sheet,
                    column=match.column,
                    entity=mapping.entity,
                    message=msg("leading-zeros-lost.more", count=short.height - _MAX_PER_COLUMN),
                )
            )


def _duplicate_usernames(
    records: Sequence[Record],
    places: Sequence[object],
    entity: EntityKind,
    table: Table,
    report: Report,
) -> None:
    """Numo requires unique usernames: two records with one username, with every row."""
    usernames = [(getattr(r, "username", None) or "").casefold() for r in records]
    counts = Counter(name for name in usernames if name)
    for username, count in sorted(counts.items()):
        if count < 2:
            continue
        rows = tuple(
            getattr(place, "row", place)
            for place, name in zip(places, usernames, strict=True)
            if name == username
        )
        report.add(
            Issue(
                code="duplicate-username",
                severity="error",
                file=table.file,
                sheet=table.sheet,
                entity=entity,
                field="username",
                message=msg("duplicate-username", count=count, rows=rows),
            )
        )
