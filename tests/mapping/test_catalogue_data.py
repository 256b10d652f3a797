"""The matcher's data has the shape the matcher needs: fields.toml, the presets, the corpus.

These tests read the TOML files only (no matcher code), so a new alias, preset or header set
that breaks a rule fails here with the file and the name in the message.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

import edukoppel as ek

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ROOT / "src" / "edukoppel" / "mapping" / "fields.toml"
PRESETS = sorted((ROOT / "src" / "edukoppel" / "mapping" / "presets").glob("*.toml"))
CORPUS = sorted((ROOT / "tests" / "mapping" / "corpus").glob("*.toml"))
KINDS = ("student", "staff", "guardian", "group", "location")
TARGET = re.compile(r"^(?P<kind>[a-z]+)(\[(?P<number>[1-9])\])?\.(?P<field>_?[a-z][a-z0-9_]*)$")
# Words that say a column on a pupil row is a guardian's (see the header of fields.toml).
GUARDIAN_WORDS = (
    "ouder", "verzorger", "voogd", "parent", "guardian", "contact",
    "eltern", "erzieher", "ezb", "erziehungsberecht", "sorgeberecht",  # German
)  # fmt: skip


def compact(text: str) -> str:
    """A name as the comparisons see it: no accents, case folded, only letters and digits."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^0-9a-z]+", "", plain.casefold())


def load(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def header_comment() -> list[str]:
    """The comment lines at the top of fields.toml (the format's definition)."""
    lines = []
    for line in FIELDS.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return lines


def header_types() -> set[str]:
    """The value types the header of fields.toml lists under ``type = "..."``."""
    text, reading = [], False
    for line in header_comment():
        if line.startswith('type = "..."'):
            reading = True
        elif line.startswith("required"):
            break
        if reading:
            text.append(line)
    listed = " ".join(text).partition(":")[2]
    return {name for name in re.split(r"[\s,]+", listed) if name}


def row_only_fields() -> set[str]:
    """The row-only fields (``student._role``, ``guardian.relation``) fields.toml's header names."""
    text = "\n".join(header_comment()).partition("Row-only fields")[2].partition("\n#\n")[0]
    return set(re.findall(r"\b((?:student|staff|guardian)\.[a-z_]+)\b", text))


def known_fields() -> set[str]:
    real = {f"{kind}.{field}" for kind in KINDS for field in ek.data_fields(kind)}
    return real | row_only_fields()


def check_target(target: object, where: str) -> None:
    assert isinstance(target, str), f"{where}: target {target!r} is not text"
    if target == "":
        return
    found = TARGET.match(target)
    assert found, f"{where}: {target!r} is not kind.field (or kind[n].field)"
    name = f"{found['kind']}.{found['field']}"
    assert name in known_fields(), f"{where}: {target!r} names no field"
    if found["number"] is not None:
        assert found["kind"] == "guardian", f"{where}: only guardians are numbered ({target!r})"


def shared_aliases() -> set[tuple[str, str]]:
    """(kind.field, alias) written on a line that says ``# shared with ...``: deliberate."""
    shared, table = set(), ""
    for line in FIELDS.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^\[([a-z]+\.[_a-z0-9]+)\]", line)
        if heading:
            table = heading[1]
        code, _, comment = line.partition("#")
        if "shared with" in comment:
            shared.update((table, compact(alias)) for alias in re.findall(r'"([^"]*)"', code))
    return shared


CATALOGUE = load(FIELDS)


# -- fields.toml -----------------------------------------------------------------------------


def test_the_header_defines_the_types_and_the_row_only_fields() -> None:
    assert {"identifier", "name", "email", "date", "group", "relation"} <= header_types()
    assert row_only_fields() == {
        "student._role",
        "staff._role",
        "student._mentor",
        "guardian.relation",
    }


def test_every_field_of_every_kind_has_an_entry() -> None:
    assert set(CATALOGUE) == set(KINDS)
    entries = {f"{kind}.{field}" for kind, fields in CATALOGUE.items() for field in fields}
    missing = known_fields() - entries
    unknown = entries - known_fields()
    assert not missing, f"fields.toml has no entry for {sorted(missing)}"
    assert not unknown, f"fields.toml has entries for fields that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize(
    ("kind", "field"), [(k, f) for k, fields in CATALOGUE.items() for f in fields]
)
def test_a_field_entry_has_a_known_type_and_a_clean_shape(kind: str, field: str) -> None:
    entry = CATALOGUE[kind][field]
    where = f"fields.toml [{kind}.{field}]"
    assert set(entry) <= {
        "type",
        "required",
        "aliases",
        "avoid",
        "multi",
        "own_aliases",
        "fallback",
    }, where
    assert set(entry.get("fallback", [])) <= set(entry.get("aliases", [])), where
    assert entry.get("type") in header_types(), f"{where}: unknown type {entry.get('type')!r}"
    assert isinstance(entry.get("required", False), bool), where
    assert isinstance(entry.get("multi", False), bool), where
    aliases = entry.get("aliases", [])
    assert aliases, f"{where}: no aliases"
    assert all(isinstance(a, str) and compact(a) for a in aliases), where
    forms = [compact(alias) for alias in aliases]
    twice = {form for form in forms if forms.count(form) > 1}
    assert not twice, f"{where}: an alias is written twice: {sorted(twice)}"
    own = entry.get("own_aliases", [])
    assert all(isinstance(a, str) and compact(a) for a in own), where
    both = {compact(alias) for alias in own} & set(forms)
    assert not both, f"{where}: an alias is both an alias and an own alias: {sorted(both)}"


def test_each_kind_requires_its_key() -> None:
    for kind in KINDS:
        assert CATALOGUE[kind]["key"].get("required") is True, kind
    assert CATALOGUE["student"]["last_name"].get("required") is True
    assert CATALOGUE["staff"]["last_name"].get("required") is True


def test_no_alias_is_under_two_fields_of_one_kind_unless_marked_shared() -> None:
    shared = shared_aliases()
    for kind, fields in CATALOGUE.items():
        owners: dict[str, list[str]] = defaultdict(list)
        for field, entry in fields.items():
            for alias in entry.get("aliases", []):
                owners[compact(alias)].append(f"{kind}.{field}")
        for form, targets in owners.items():
            if len(targets) > 1:
                unmarked = [t for t in targets if (t, form) not in shared]
                assert not unmarked, (
                    f"alias {form!r} is under {targets}; mark each line '# shared with ...' "
                    "if that is deliberate"
                )


def test_an_avoid_word_never_blocks_its_own_aliases() -> None:
    """The matcher drops a header that contains an avoid word, so it must not be in an alias."""
    for kind, fields in CATALOGUE.items():
        for field, entry in fields.items():
            names = [*entry.get("aliases", []), field.strip("_").replace("_", " ")]
            for word in map(compact, entry.get("avoid", [])):
                assert word, f"{kind}.{field}: an empty avoid word"
                blocked = [name for name in names if word in compact(name)]
                assert not blocked, f"{kind}.{field}: avoid {word!r} blocks its alias {blocked}"


def test_guardian_aliases_say_whose_value_it_is() -> None:
    """On a pupil row, a plain "E-mailadres" is the pupil's; a guardian's column says so."""
    student = {compact(a) for entry in CATALOGUE["student"].values() for a in entry["aliases"]}
    for field, entry in CATALOGUE["guardian"].items():
        for alias in entry["aliases"]:
            form = compact(alias)
            assert form not in student, f"guardian.{field}: {alias!r} is also a student alias"
            # The children a guardian has are named by the child; a relation to the pupil
            # is a guardian's by its very name.
            if field not in {"students", "relation"}:
                assert any(word in form for word in GUARDIAN_WORDS), (
                    f"guardian.{field}: {alias!r} does not say it is a guardian's"
                )


def test_student_fields_avoid_the_guardian_words() -> None:
    for field, entry in CATALOGUE["student"].items():
        if field in {"student_number", "eckid"}:
            continue
        avoided = {compact(word) for word in entry.get("avoid", [])}
        assert {"ouder", "verzorger"} & avoided, f"student.{field} does not avoid guardian words"


# -- presets ---------------------------------------------------------------------------------


def test_there_are_presets() -> None:
    assert len(PRESETS) >= 10


@pytest.mark.parametrize("path", PRESETS, ids=lambda path: path.stem)
def test_a_preset_has_the_format(path: Path) -> None:
    data = load(path)
    where = f"presets/{path.name}"
    assert set(data) <= {"name", "title", "source", "entity", "delimiter", "columns", "values"}
    assert data.get("name") == path.stem, f"{where}: name must be the file's name"
    assert data.get("title"), f"{where}: needs a title"
    assert data.get("source"), f"{where}: needs a source"
    assert data.get("entity") in KINDS, f"{where}: unknown entity {data.get('entity')!r}"
    if "delimiter" in data:
        assert data["delimiter"] in {",", ";", "\t", "|"}, where
    columns = data.get("columns", {})
    assert len(columns) >= 2, f"{where}: too few columns"
    for column, target in columns.items():
        check_target(target, f"{where} column {column!r}")
        if target:
            assert target.partition(".")[0] in {data["entity"], "guardian"}, (
                f"{where} column {column!r}: {target!r} is not of the preset's entity"
            )
    forms = [compact(column) for column in columns]
    assert len(set(forms)) == len(forms), f"{where}: a column is written twice"
    for column, codes in data.get("values", {}).items():
        assert column in columns, f"{where} [values]: {column!r} is not a column"
        assert isinstance(codes, dict), f"{where} [values] {column!r}: code = meaning"
        assert codes, f"{where} [values] {column!r}: no codes"


def test_preset_names_and_titles_are_unique() -> None:
    names = [load(path)["name"] for path in PRESETS]
    titles = [compact(load(path)["title"]) for path in PRESETS]
    assert len(set(names)) == len(names)
    assert len(set(titles)) == len(titles)


# -- corpus ----------------------------------------------------------------------------------


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 25
    tools = {compact(load(path)["tool"]) for path in CORPUS}
    assert len(tools) == len(CORPUS), "two corpus files name the same tool"


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_a_corpus_header_set_has_the_format(path: Path) -> None:
    data = load(path)
    where = f"corpus/{path.name}"
    assert set(data) <= {"tool", "source", "entity", "columns", "values"}, where
    assert data.get("tool"), f"{where}: needs a tool"
    assert data.get("source"), f"{where}: needs a source"
    assert data.get("entity") in KINDS, f"{where}: unknown entity {data.get('entity')!r}"
    columns = data.get("columns", {})
    assert len(columns) >= 4, f"{where}: a header set needs at least 4 columns"
    for column, target in columns.items():
        check_target(target, f"{where} column {column!r}")
    for column, samples in data.get("values", {}).items():
        assert column in columns, f"{where} [values]: {column!r} is not a column"
        assert isinstance(samples, list), f"{where} [values] {column!r}: a list"
        assert 1 <= len(samples) <= 3, f"{where} [values] {column!r}: 1 to 3 sample values"
        assert all(isinstance(sample, str) for sample in samples), where


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_no_corpus_tool_is_also_a_preset(path: Path) -> None:
    """The corpus measures the matcher on layouts it does not know by name."""
    data = load(path)
    header = {compact(column) for column in data["columns"]}
    for preset_path in PRESETS:
        preset = load(preset_path)
        assert compact(data["tool"]) not in {compact(preset["name"]), compact(preset["title"])}
        known = {compact(column) for column in preset["columns"]}
        shared = len(header & known)
        assert not (shared >= 0.8 * len(header) and shared >= 0.6 * len(known)), (
            f"corpus/{path.name} is the layout of preset {preset['name']!r}"
        )
