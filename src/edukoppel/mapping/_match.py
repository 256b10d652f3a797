"""match_columns(): each column of a table to a canonical field, scored, explained, one to one.

For every column and every field the row's kind may hold, a score in [0, 1] is built from the
header (an exact alias, the same alias once case, accents and decoration are off, a path end,
an abbreviation, a fuzzy likeness) and weighed by what the values look like. Columns then get
fields best score first, one column per field (several for a field that allows it, and one
per guardian for numbered guardian columns). A column whose best score is weak stays unmapped,
with its candidates as suggestions: a wrong mapping is worse than none, and an identifier
needs near certainty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from edukoppel.exceptions import MappingError
from edukoppel.mapping import _presets
from edukoppel.mapping._assign import Decision, Tie, assign, bare_id_columns, qualified_columns
from edukoppel.mapping._catalogue import Catalogue, FieldSpec, Target, catalogue
from edukoppel.mapping._context import HeaderContext, cap_full_names, score_beside
from edukoppel.mapping._evidence import (
    no_pupil_roles,
    value_suggestions,
    weigh,
    with_family,
    with_guardian_values,
)
from edukoppel.mapping._headers import (
    ADDRESS_WORDS,
    FORMAT_TYPES,
    KIND_WORDS,
    REFERENCE_TYPES,
    TOWN_WORDS,
    glued_vocabulary,
    header_score,
    read_apart,
    target_for,
    unglued,
    whose_linked,
    year_levels,
)
from edukoppel.mapping._mapping import (
    ACCEPT,
    ACCEPT_KEY,
    RELATED_WEIGHT,
    SUGGEST,
    TIE,
    Candidate,
    ColumnMapping,
    ColumnMatch,
    Scored,
    missing_required,
    required_fields,
)
from edukoppel.mapping._normalise import normalise
from edukoppel.mapping._presets import Preset, detect
from edukoppel.mapping._profile import Profile
from edukoppel.mapping._values import ValueProfile
from edukoppel.mapping._values import profile as value_profile
from edukoppel.model import EntityKind

if TYPE_CHECKING:
    from edukoppel.readers import Table


__all__ = ["match_columns"]


_MAX_SUGGESTIONS = 3


_LISTED = 0.1  # from this share of cells that list several groups, a class column is groups


def match_columns(
    table: Table,
    *,
    entity: EntityKind | None = None,
    preset: str | Literal[False] | None = None,
    profile: str | Path | Profile | None = None,
    overrides: Mapping[str, str | None] | None = None,
    required: Sequence[str | Sequence[str]] | None = None,
    catalogue_: Catalogue | None = None,
) -> ColumnMapping:
    """Map each column of a table to a canonical field, with a confidence and the evidence.

    Decisions are taken in this order, each over the one before: the automatic match, a
    preset (a known layout, recognised from the header), a saved profile, your overrides.

    Args:
        table: From :func:`edukoppel.read_table`.
        entity: What a row holds: ``student`` (with its guardians' columns), ``staff``,
            ``guardian``, ``group`` or ``location``. Default: the recognised preset's, else
            ``student``.
        preset: A preset's name to use, ``False`` for none; default: recognise it.
        profile: A saved mapping profile (a path, or a :class:`Profile`) to apply.
        overrides: Columns mapped by hand: ``{"Nr": "student.key", "Opmerking": None}``.
        required: The fields your application needs, beside the catalogue's own: a field
            (``"username"``, ``"student.homeroom"``), or a tuple of alternatives of which one
            must be mapped (``("email", "username")``). Unmapped ones are in ``missing``.
        catalogue_: Another field catalogue (tests); default: the one that ships.

    Raises:
        MappingError: The profile maps the key to a column the file no longer has (the
            export changed: map it again rather than guess), or names another entity.

    Returns:
        The mapping: per column the field or none, the confidence, the evidence and the
        runner-up candidates, plus the required fields left unmapped.

    Examples:
        >>> from edukoppel.readers import Table
        >>> table = Table.from_rows(
        ...     ["Leerlingnummer", "Roepnaam", "Tussenv.", "Achternaam", "E-mail toestemming"],
        ...     [["00123", "Daan", "van der", "Berg", "ja"]],
        ... )
        >>> mapping = match_columns(table)
        >>> mapping.targets["Leerlingnummer"], mapping.targets["Tussenv."]
        ('student.key', 'student.infix')
        >>> "E-mail toestemming" in mapping.unmapped
        True
    """
    fields = catalogue_ or catalogue()
    names = table.unique_columns
    layout = None
    if preset is None:
        layout = detect(table.columns, entity)
    elif preset is not False:
        layout = _presets.preset(preset)
    detected_note = None
    profiles = _profiles(table)
    if entity is None and layout is None and profile is None:
        entity, detected_note = _detect_entity(table, fields, profiles)
    entity = entity or (layout.entity if layout else "student")
    saved = profile if isinstance(profile, Profile) or profile is None else Profile.load(profile)
    fixed, notes = _decisions(names, table.columns, layout, saved, entity)
    specs = fields.for_entity(entity)
    if not specs:
        raise MappingError(f"the field catalogue has no fields for {entity!r}")
    candidates, suggestions = _score(table, specs, entity, profiles)
    compared = {position: normalise(name).compact for position, name in enumerate(names)}
    chosen, tied = assign(
        candidates, fields, fixed, compared, qualified_columns(table, entity),
        bare_ids=bare_id_columns(table, profiles), row_key=_row_key(fields, entity),
    )  # fmt: skip
    columns = [
        _column_match(name, position, scored=candidates[position],
                      suggestions=suggestions[position], pick=chosen.get(position),
                      decided=fixed.get(position), tie=_tie_text(tied.get(position), names))
        for position, name in enumerate(names)
    ]  # fmt: skip
    notes.extend(
        dict.fromkeys(f"no column chosen for {_tie_text(tie, names)}" for tie in tied.values())
    )
    mapped = {m.target for m in columns if m.target is not None}
    wanted = required_fields(required, entity, fields)
    if detected_note is not None:
        notes.insert(0, detected_note)
    mapping = ColumnMapping(
        entity=entity,
        columns=tuple(columns),
        missing=missing_required(fields, entity, wanted, mapped),
        preset=layout.name if layout else None,
        notes=tuple(notes),
        required=wanted,
        ties=tuple(
            dict.fromkeys(
                (target, tuple(names[position] for position in positions))
                for target, positions in tied.values()
            )
        ),
    )
    if overrides:
        mapping = mapping.with_overrides(overrides, catalogue_=fields)
    return mapping


_PROFILE_ROWS = 20_000  # rows a column's values are judged on (its first 500 filled cells)
_KINDS_TO_DETECT: tuple[EntityKind, ...] = ("student", "staff", "guardian", "group", "location")


def _detect_entity(
    table: Table, fields: Catalogue, profiles: Sequence[ValueProfile]
) -> tuple[EntityKind, str | None]:
    """Which kind a table's rows hold, from its header.

    A pupil file is the default. Another kind wins when a column is its key by its own name
    (``Medewerkernummer``, ``Oudernummer``, ``Klascode``) and its fields take more of the
    columns than a pupil's do (each field counted once).
    """
    totals: dict[EntityKind, float] = {}
    keys: dict[EntityKind, str] = {}
    for kind in _KINDS_TO_DETECT:
        specs = [spec for spec in fields.for_entity(kind) if spec.kind == kind]
        candidates, _ = _score(table, specs, kind, profiles)
        best: dict[str, float] = {}
        for position, scored in candidates.items():
            if not scored or scored[0][0] < ACCEPT:
                continue
            score, target, _why = scored[0]
            best[str(target)] = max(best.get(str(target), 0.0), score)
            if target.field == "key" and score >= ACCEPT_KEY and kind not in keys:
                keys[kind] = table.unique_columns[position]
        totals[kind] = sum(best.values())
    others = [kind for kind in _KINDS_TO_DETECT[1:] if kind in keys]
    winner = max(others, key=lambda kind: totals[kind], default=None)
    if winner is None or totals[winner] <= totals["student"]:
        return "student", None
    return winner, f"rows hold {winner} records: {keys[winner]!r} is their key"


def _profiles(table: Table) -> list[ValueProfile]:
    """What each column's values look like, from the first rows (a sample is enough)."""
    head = table.head(_PROFILE_ROWS)
    return [value_profile(head.column(position)) for position in range(table.width)]


def _score(
    table: Table,
    specs: Sequence[FieldSpec],
    entity: EntityKind,
    profiles: Sequence[ValueProfile] | None = None,
) -> tuple[dict[int, Scored], dict[int, list[Candidate]]]:
    """Per column, every field it might be with its weighed score (best first)."""
    candidates: dict[int, Scored] = {}
    suggestions: dict[int, list[Candidate]] = {}
    profiles = _profiles(table) if profiles is None else profiles
    headers = [
        normalise(table.columns[position] or name)
        for position, name in enumerate(table.unique_columns)
    ]
    numbers: dict[str, set[int]] = {}
    for header in headers:
        if header.number is not None:
            numbers.setdefault(header.compact, set()).add(header.number)
    plural = {spec.kind: spec for spec in specs if spec.name == "groups" and spec.multi}
    names = {form for spec in specs for _, form, _, _ in spec.forms}
    vocabulary = glued_vocabulary(specs)
    # A header that is a name of some field, or the word for the row's kind ("Klasse" in a
    # class file), is no shortened form of a longer name ("Klassenstufe").
    known = names | KIND_WORDS.get(entity, frozenset())
    context = HeaderContext.of(headers, specs, entity)
    # Smartschool's "location" beside "street" and "postalCode" is the town of the address.
    # (Magister's LOCATION beside a CITY is the school's location: the CITY is the town.)
    towns = [header for header in headers if header.compact in TOWN_WORDS]
    addressed = sum(header.compact in ADDRESS_WORDS for header in headers) >= 2 and len(towns) == 1
    for position, header in enumerate(headers):
        values = profiles[position]
        series = entity in plural and (
            len(numbers.get(header.compact, ())) > 1 or values.share("group_list") >= _LISTED
        )
        scored: Scored = []
        header = whose_linked(header) or header  # noqa: PLW2901 (the header as it reads)
        glued = unglued(header, vocabulary, entity)
        for spec in specs:
            target = target_for(spec, header, entity, series=series)
            if target is None:
                continue
            own = spec.kind == entity
            if addressed and header.compact in TOWN_WORDS and spec.type in REFERENCE_TYPES:
                continue
            score, why = year_levels(
                read_apart(
                    header_score(header, spec, own=own, known=header.compact in known),
                    glued,
                    spec,
                    own=own,
                ),
                header,
                spec,
                values,
            )
            if spec.name == "_role" and entity == "staff" and no_pupil_roles(values):
                continue  # Teacher, Specialist: the staff members' functions, not row kinds
            beside = score_beside((score, why), spec, header, position, own=own, context=context)
            if beside is None:
                continue
            score, why = beside
            if score < SUGGEST or why == "avoid":
                continue
            judged = plural.get(target.kind, spec) if target.field == "groups" else spec
            weighed, note = weigh(score, judged, values)
            if (
                spec.type in FORMAT_TYPES
                and why.startswith("names alias")
                and values.share(spec.type) >= 0.9
            ):
                # "Username (Email)" full of e-mail addresses: the brackets say what the
                # values are, and they are; that beats the name outside the brackets.
                weighed, note = max(weighed, 0.99), f"values are {spec.type}, as named"
            if not own:
                weighed *= RELATED_WEIGHT  # on a tie, a pupil row's column is the pupil's
            scored.append((weighed, target, (why, note) if note else (why,)))
        if not scored or max(item[0] for item in scored) < ACCEPT:
            scored = with_family(scored, header, values, specs, entity)
            scored = with_guardian_values(scored, header, values, specs, entity)
        scored.sort(key=lambda item: (-item[0], str(item[1])))
        both = not series and len(header.alternatives) > 1  # "Grupp/Klass": either name
        candidates[position] = _one_class_is_the_homeroom(scored) if both else scored
        suggestions[position] = [] if scored else value_suggestions(values, specs, entity)
    cap_full_names(candidates, headers)
    return candidates, suggestions


_ONE_CLASS = 0.99  # a homeroom's rival, the teaching groups, steps just below it


def _one_class_is_the_homeroom(scored: Scored) -> Scored:
    """One class a cell, under a header that names the homeroom and the groups alike.

    Primus' ``Grupp/Klass`` of 6A, 9C: the homeroom, which a pupil has one of, rather than
    the field the alphabet puts first.

    Examples:
        >>> from edukoppel.mapping._catalogue import Target
        >>> groups, homeroom = Target("student", "groups"), Target("student", "homeroom")
        >>> both = [(0.9, groups, ()), (0.9, homeroom, ())]
        >>> [str(target) for _, target, _ in _one_class_is_the_homeroom(both)]
        ['student.homeroom', 'student.groups']
    """
    if len(scored) < 2:
        return scored
    (first, one, why), (second, other, rival) = scored[0], scored[1]
    fields = {one.field, other.field}
    if fields != {"groups", "homeroom"} or one.kind != other.kind or first - second > TIE:
        return scored
    if one.field == "homeroom":
        return [(first, one, why), (second * _ONE_CLASS, other, rival), *scored[2:]]
    return [(second, other, rival), (first * _ONE_CLASS, one, why), *scored[2:]]


def _row_key(fields: Catalogue, entity: EntityKind) -> Target | None:
    """The key of the row's kind, if the catalogue has one (``student.key``)."""
    target = Target(entity, "key")
    return target if fields.spec(target) is not None else None


def _tie_text(tie: Tie | None, names: Sequence[str]) -> str | None:
    """``student.key: as sure as another column ('Student ID', 'Pupil ID'); ...``."""
    if tie is None:
        return None
    target, positions = tie
    columns = ", ".join(repr(names[position]) for position in positions)
    return f"{target}: as sure as another column ({columns}); map one by hand"


def _column_match(
    name: str,
    position: int,
    *,
    scored: Scored,
    suggestions: list[Candidate],
    pick: tuple[float, Target, tuple[str, ...]] | None,
    decided: Decision | None,
    tie: str | None = None,
) -> ColumnMatch:
    """The match of one column, with its runner-ups as suggestions."""
    if decided is not None and decided[0] is None:  # a preset or profile: no field
        others = [Candidate(str(t), round(s, 3), e) for s, t, e in scored][:_MAX_SUGGESTIONS]
        return ColumnMatch(name, position, None, 1.0, decided[1], tuple(others))
    others = [
        Candidate(str(target), round(score, 3), evidence)
        for score, target, evidence in scored
        if pick is None or target != pick[1]
    ]
    others.extend(suggestions)
    others = [c for c in others if c.score >= SUGGEST][:_MAX_SUGGESTIONS]
    if pick is not None:
        score, target, evidence = pick
        return ColumnMatch(name, position, str(target), round(score, 3), evidence, tuple(others))
    best = scored[0][0] if scored else 0.0
    why = (f"a tie on {tie}",) if tie else _why_unmapped(scored)
    return ColumnMatch(name, position, None, round(best, 3), why, tuple(others))


def _why_unmapped(scored: Sequence[tuple[float, Target, tuple[str, ...]]]) -> tuple[str, ...]:
    if not scored:
        return ("no field's name looks like this header",)
    score, target, _ = scored[0]
    threshold = ACCEPT_KEY if target.field == "key" else ACCEPT
    if score < threshold:
        return (f"not sure enough: best {target} at {score:.2f}, needs {threshold:.2f}",)
    return (f"{target} went to another column with more evidence",)


def _decisions(
    names: Sequence[str],
    headers: Sequence[str],
    layout: Preset | None,
    saved: Profile | None,
    entity: EntityKind,
) -> tuple[dict[int, Decision], list[str]]:
    """The columns a preset or a profile decides, by position; and notes on what changed."""
    fixed: dict[int, Decision] = {}
    notes: list[str] = []
    if layout is not None:
        for position, header in enumerate(headers):
            known, target = layout.target_of(header)
            if known:
                parsed = Target.parse(target) if target else None
                fixed[position] = (parsed, (f"preset {layout.name!r}",))
    if saved is not None:
        if saved.entity != entity:
            raise MappingError(
                f"the profile {saved.name!r} is for {saved.entity} rows, not {entity} rows"
            )
        position_of = {name: position for position, name in enumerate(names)}
        gone = [column for column in saved.columns if column not in position_of]
        new = [name for name in names if name not in saved.columns]
        for column in gone:
            target = saved.columns[column]
            if target is not None and Target.parse(target).field == "key":
                raise MappingError(
                    f"the profile {saved.name!r} maps column {column!r} to {target}, but the "
                    f"file has no such column (columns gone: {', '.join(map(repr, gone))}; new: "
                    f"{', '.join(map(repr, new)) or 'none'}). The export changed: map the key "
                    "by hand and save a new profile, rather than let edukoppel guess"
                )
            notes.append(f"the profile's column {column!r} is not in the file")
        notes.extend(f"column {name!r} is new: matched automatically" for name in new)
        for column, target in saved.columns.items():
            if column in position_of:
                parsed = Target.parse(target) if target else None
                fixed[position_of[column]] = (parsed, (f"profile {saved.name!r}",))
    return fixed, notes
