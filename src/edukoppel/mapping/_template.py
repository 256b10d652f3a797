"""Import templates: the file an admin fills in, with the headers edukoppel maps at 1.0.

KIC hands out a "voorbeeld bestand" for klassen, leerlingen and medewerkers, with an example
first row; Numo's template has an "Opleidingen" tab listing the allowed values. A template
written here has the expected headers (Dutch by default), required ones marked with ``*``,
one example row that the reader drops by itself when the admin forgets to, and in XLSX every
column formatted as Text (so Excel keeps leading zeros), drop-down lists for fields with
allowed values, and a second sheet with those values.
"""

from __future__ import annotations

import csv
import io
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import attrs

from edukoppel._optional import import_optional
from edukoppel.exceptions import MappingError
from edukoppel.mapping._catalogue import Target, catalogue
from edukoppel.mapping._presets import preset as find_preset
from edukoppel.model import ENTITY_KINDS, EntityKind
from edukoppel.readers.table._finish import column_letter

__all__ = ["TemplateColumn", "template_columns", "write_template"]

TemplateLanguage = Literal["nl", "en"]
_EXAMPLE = {"nl": "voorbeeld: {value}", "en": "example: {value}"}
_LISTS_SHEET = {"nl": "Keuzelijsten", "en": "Lists"}
_DATA_SHEET = {
    "student": {"nl": "Leerlingen", "en": "Students"},
    "staff": {"nl": "Medewerkers", "en": "Staff"},
    "guardian": {"nl": "Ouders", "en": "Parents"},
    "group": {"nl": "Klassen", "en": "Classes"},
    "location": {"nl": "Vestigingen", "en": "Locations"},
}
_REQUIRED_NOTE = {"nl": "Verplicht", "en": "Required"}
_LAST_ROW = 1_048_575  # Excel's last row, 0-based


@attrs.frozen
class TemplateColumn:
    """One column of a template: its header, the field it maps to, and its example value."""

    header: str
    target: str | None
    required: bool = False
    example: str = ""
    choices: tuple[str, ...] = ()


@cache
def _data() -> dict[str, Any]:
    text = files("edukoppel.mapping").joinpath("templates.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def template_columns(
    entity: EntityKind = "student",
    *,
    language: TemplateLanguage = "nl",
    preset: str | None = None,
    required: Iterable[str] = (),
    choices: Mapping[str, Sequence[str]] | None = None,
) -> list[TemplateColumn]:
    """The columns a template of ``entity`` has (or a preset's layout), in order.

    Examples:
        >>> [column.header for column in template_columns("group")]
        ['Klascode *', 'Klasnaam', 'Soort groep', 'Leerjaar']
        >>> template_columns("group", language="en")[2].choices
        ('homeroom', 'teaching', 'composite')
    """
    if entity not in ENTITY_KINDS:
        raise MappingError(f"there is no template for {entity!r}; the kinds are {ENTITY_KINDS}")
    if language not in _EXAMPLE:
        raise MappingError(f"templates are written in 'nl' or 'en', not {language!r}")
    fields = catalogue()
    wanted = {_target(name, entity) for name in required}
    lists = {
        target: tuple(values.get(language, ())) for target, values in _data()["choices"].items()
    }
    lists |= {_target(name, entity): tuple(values) for name, values in (choices or {}).items()}
    if preset is not None:
        layout = find_preset(preset)
        rows = [(header, target, "") for header, target in layout.columns.items()]
    else:
        rows = [
            (entry[language], f"{entity}.{entry['field']}", entry["example"])
            for entry in _data()[entity]
        ]
    columns = []
    for header, target, example in rows:
        spec = fields.spec(target) if target else None
        is_required = bool(spec and spec.required) or target in wanted
        columns.append(
            TemplateColumn(
                header=f"{header} *" if is_required else header,
                target=target,
                required=is_required,
                example=example,
                choices=lists.get(target or "", ()),
            )
        )
    return columns


def _target(name: str, entity: EntityKind) -> str:
    target = name if "." in name else f"{entity}.{name}"
    if catalogue().spec(target) is None:
        raise MappingError(f"{target!r} is not a field edukoppel knows")
    return str(Target.parse(target))


def write_template(
    entity: EntityKind,
    path: str | os.PathLike[str],
    *,
    format: Literal["xlsx", "csv"] | None = None,
    language: TemplateLanguage = "nl",
    preset: str | None = None,
    required: Iterable[str] = (),
    choices: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write an import template for ``entity`` (``student``, ``staff``, ``group``...).

    Args:
        entity: What one row holds.
        path: Where to write it.
        format: ``"xlsx"`` or ``"csv"``; default: from the path's suffix (``.xlsx``).
        language: The headers' language: ``"nl"`` (as school admins read them) or ``"en"``.
        preset: A preset's layout instead (``numo-inleesbestand``): its headers exactly.
        required: Your own required fields, marked like the catalogue's (``*``).
        choices: Allowed values per field, for drop-down lists and the second sheet
            (``{"program": ["havo", "vwo"]}``: Numo's "Opleidingen" tab).

    Returns:
        The path written.

    Examples:
        >>> import pathlib, tempfile
        >>> path = write_template("group", pathlib.Path(tempfile.mkdtemp()) / "klassen.csv")
        >>> path.read_text(encoding="utf-8-sig").splitlines()
        ['Klascode *;Klasnaam;Soort groep;Leerjaar', 'voorbeeld: 1HA;Klas 1HA;homeroom;1']
    """
    target = Path(path)
    kind = format or ("csv" if target.suffix.lower() == ".csv" else "xlsx")
    if kind not in ("xlsx", "csv"):
        raise MappingError(f"templates are written as 'xlsx' or 'csv', not {kind!r}")
    columns = template_columns(
        entity, language=language, preset=preset, required=required, choices=choices
    )
    if kind == "csv":
        _write_csv(columns, target, language)
    else:
        _write_xlsx(columns, target, language, entity)
    return target


def _example_row(columns: Sequence[TemplateColumn], language: str) -> list[str]:
    """The example row: the first filled cell says it is an example, so a reader drops it."""
    row = [column.example for column in columns]
    first = next((index for index, value in enumerate(row) if value), None)
    if first is None:
        return [_EXAMPLE[language].format(value="").rstrip(": "), *row[1:]]
    row[first] = _EXAMPLE[language].format(value=row[first])
    return row


def _write_csv(columns: Sequence[TemplateColumn], path: Path, language: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    writer.writerow(_example_row(columns, language))
    # UTF-8 with a byte order mark: Excel opens it with the accents right.
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def _write_xlsx(
    columns: Sequence[TemplateColumn], path: Path, language: str, entity: EntityKind
) -> None:
    xlsxwriter = import_optional(
        "xlsxwriter", extra="spreadsheets", purpose="writing XLSX import templates"
    )
    workbook = xlsxwriter.Workbook(str(path))
    try:
        text = workbook.add_format({"num_format": "@"})
        header = workbook.add_format({"bold": True, "num_format": "@", "bg_color": "#DDEBF7"})
        example = workbook.add_format({"italic": True, "font_color": "#808080", "num_format": "@"})
        sheet = workbook.add_worksheet(_DATA_SHEET[entity][language])
        listed = [column for column in columns if column.choices]
        lists = workbook.add_worksheet(_LISTS_SHEET[language]) if listed else None
        for index, column in enumerate(columns):
            width = max(len(column.header), len(column.example), 10) + 2
            sheet.set_column(index, index, width, text)  # Text: Excel keeps leading zeros
            sheet.write_string(0, index, column.header, header)
            if column.required:
                sheet.write_comment(0, index, _REQUIRED_NOTE[language])
        for index, value in enumerate(_example_row(columns, language)):
            sheet.write_string(1, index, value, example)
        sheet.freeze_panes(1, 0)
        if lists is not None:
            for position, column in enumerate(listed):
                lists.write_string(0, position, column.header.rstrip(" *"), header)
                for row, value in enumerate(column.choices, start=1):
                    lists.write_string(row, position, value, text)
                letter = column_letter(position)
                source = f"='{lists.name}'!${letter}$2:${letter}${len(column.choices) + 1}"
                index = columns.index(column)
                sheet.data_validation(
                    2, index, _LAST_ROW, index, {"validate": "list", "source": source}
                )
    finally:
        workbook.close()
