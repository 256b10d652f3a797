"""Columns to fields, one to one: the keys first by rank, then the best score first.

Two columns equally sure to be one field leave it unmapped (a tie, with the field as a
suggestion): a wrong mapping is worse than none, and a wrong key archives everyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from edukoppel.mapping._catalogue import Catalogue, Target
from edukoppel.mapping._headers import KIND_WORDS, PERSON_WORDS, POINTER_EVIDENCE, kind_prefix
from edukoppel.mapping._mapping import ACCEPT, ACCEPT_KEY, RELATED_WEIGHT, TIE, Pick
from edukoppel.mapping._normalise import normalise
from edukoppel.mapping._values import ValueProfile
from edukoppel.model import EntityKind

if TYPE_CHECKING:
    from edukoppel.readers import Table


__all__ = [
    "Decision",
    "Tie",
    "assign",
    "bare_id_columns",
    "qualified_columns",
]

Decision = tuple["Target | None", tuple[str, ...]]


Tie = tuple[str, tuple[int, ...]]  # the field, and the columns (positions) as sure to be it
# A column that names the row's kind (``Student Email``) scores a little below a bare alias
# (``Email Address``) for naming more than the field: within this gap, the one that names
# the row's kind is the row's, and the bare one another person's (NWEA: the instructor's).
_QUALIFIED_GAP = 0.05
# Two key columns this close are equally sure: an exact alias (``ID``) against a normalised
# one (``TeacherNumber``) or one after a kind word (``persoonId``) is no evidence of which
# holds the key.
_KEY_TIE = 0.05
# A header that names a number (``Teacher_number``, ``Stamnr``, ``Leerlingnummer``) is the
# school's number for its people: an id column beside it (``Teacher_id``) holds the key.
_NUMBER_ENDS = ("nummer", "number", "nr", "num")
# "ID number" (Moodle's idnumber, Edusight's id_number) names an id, not a number.
_ID_NUMBERS = ("idnumber", "idnummer", "idnr")
# A globally unique id (``GUID``, ``uuid``, ``GUIDExtern``) is what a system that issues them
# identifies its people by: it holds the key before any other id column (BBS-Verwaltung
# checks the GUID first, the Import-ID second; Somtoday's uuid beside its leerlingnummer).
_GLOBAL_IDS = ("guid", "uuid")
# The id of a user account (``User ID``, ``Login ID``): the key only when the file names
# neither the person's id nor its number (Raet's [User ID] beside its [Dossiernummer]).
_ACCOUNT_IDS = frozenset({"userid", "loginid", "accountid", "gebruikerid", "benutzerid"})


def _key_rank(name: str, options: int, outside: frozenset[str] = frozenset()) -> int:
    """Which column of several sure key columns takes the key: the lowest rank.

    0 a globally unique id, 1 another id, 2 a number sure to be nothing but the key, 3 a
    column that may also be another field (the pupil's number), 4 a number given from
    outside the school (``outside``: a state's, a nation's), 5 a user account's id.

    Examples:
        >>> [_key_rank(name, 1) for name in ("guid", "studentid", "dossiernummer", "userid")]
        [0, 1, 2, 5]
        >>> _key_rank("idnumber", 1), _key_rank("leerlingnummer", 2), _key_rank("studentuserid", 1)
        (1, 3, 5)
        >>> _key_rank("statestudentnumber", 2, frozenset({"statestudentnumber"}))
        4
    """
    if name.endswith(tuple(_ACCOUNT_IDS)):  # "StudentUserID" too: the account's id
        return 5
    if name in outside:
        return 4
    if name.startswith(_GLOBAL_IDS) or name.endswith(_GLOBAL_IDS):
        return 0
    number = name.endswith(_NUMBER_ENDS) and not name.endswith(_ID_NUMBERS)
    if options == 1:
        return 2 if number else 1
    return 3


def qualified_columns(table: Table, entity: EntityKind) -> frozenset[int]:
    """The columns whose header names the row's kind (``Student First Name``, ``Leerlingnr``).

    Examples:
        >>> from edukoppel.readers import Table
        >>> table = Table.from_rows(["Student First Name", "First Name"], [])
        >>> sorted(qualified_columns(table, "student"))
        [0]
    """
    kind_words = KIND_WORDS.get(entity, frozenset()) - PERSON_WORDS
    found = set()
    for position, name in enumerate(table.unique_columns):
        header = normalise(table.columns[position] or name)
        if kind_words & set(header.words) or kind_prefix(header, kind_words)[0] is not None:
            found.add(position)
    return frozenset(found)


# The words of a header that is nothing but an id or a number, and the qualifiers beside them
# that name no kind and no other field ("Reference number", "Identifiant unique", "ID Code").
_BARE_ID_WORDS = frozenset(
    {"id", "nr", "nummer", "number", "no", "num", "numero", "identifier", "identifiant",
     "identificador", "identificativo", "kennung", "kennnummer"}
)  # fmt: skip
_BARE_ID_QUALIFIERS = frozenset(
    {"code", "ref", "reference", "referenz", "referentie", "unique", "uniek", "eindeutig",
     "unico", "internal", "intern", "interne", "other", "andere"}
)  # fmt: skip
# A code that says it is the file's own (EarlyTree's "InternalCode") is an id too.
_OWN_CODES = frozenset({"internal", "intern", "interne", "unique", "uniek", "eindeutig"})
# A column of numbers this short, mostly, counts a class list's pupils (1, 2, ... 31): no key.
_COUNTED = 0.5


def bare_id_columns(table: Table, profiles: Sequence[ValueProfile]) -> frozenset[int]:
    """The columns whose header is only an id or a number word, and whose values may be ids.

    Examples:
        >>> from edukoppel.readers import Table
        >>> from edukoppel.mapping._values import profile
        >>> table = Table.from_rows(["Nummer", "Naam", "nr"], [["20912345", "Daan", "7"]])
        >>> sorted(bare_id_columns(table, [profile(table.column(i)) for i in range(3)]))
        [0]
    """
    found = set()
    for position, name in enumerate(table.unique_columns):
        words = set(normalise(table.columns[position] or name).words)
        named = words & _BARE_ID_WORDS or ("code" in words and words & _OWN_CODES)
        if not named or not words <= _BARE_ID_WORDS | _BARE_ID_QUALIFIERS:
            continue
        values = profiles[position]
        if values.filled and (
            values.share("identifier") < 0.9 or values.share("short_number") >= _COUNTED
        ):
            continue
        found.add(position)
    return frozenset(found)


def assign(
    candidates: Mapping[int, Sequence[Pick]],
    fields: Catalogue,
    fixed: Mapping[int, Decision] | None = None,
    names: Mapping[int, str] | None = None,
    qualified: frozenset[int] = frozenset(),
    *,
    bare_ids: frozenset[int] = frozenset(),
    row_key: Target | None = None,
) -> tuple[dict[int, Pick], dict[int, Tie]]:
    """Decided columns first, then best score first, one column per target (or several).

    Returns the chosen field per column, and per column left out of a tie the field and
    the columns that tie for it. Two rules
    decide between columns that name one single-valued field:

    - **The key**: an id column (``persoonId``, ``Student_id``, ``Teacher_id``) takes it
      before a number column (``stamnr``, ``Student_number``, ``Teacher_number``: a header
      that names a number, or a sure pupil's number too): the school's number is the key
      only when no id column is there. Two columns that are
      equally sure to be the key, with no number among them to step aside, leave the key
      unmapped: a wrong key column makes the next sync archive everyone.
    - **Any other field**: the better score wins (a fallback name such as ``School`` scores
      below the vestiging's own names); two equal scores leave both columns unmapped, with
      the field as a suggestion, rather than let the columns' names decide; unless exactly
      one of them names the row's kind (``Student First Name`` beside ``First Name``, in
      ``qualified``): that one is the row's, the other may still take another field. The
      same when the bare one scores higher by less than ``_QUALIFIED_GAP`` (an exact
      ``Email Address`` against ``Student Email``, an alias after the kind's word).

    ``bare_ids``: the columns whose header is nothing but an id or a number (``Nummer``,
    ``numéro``, ``Referenz-ID``), and ``row_key`` the key of the row's kind: one such column
    is the key when nothing else is (see :func:`_lone_bare_id_is_key`).
    """
    chosen: dict[int, Pick] = {}
    tied: dict[int, Tie] = {}
    taken: set[Target] = set()
    for position, (decided, why) in (fixed or {}).items():
        if decided is not None:
            chosen[position] = (1.0, decided, why)
            taken.add(decided)
    free = {position: scored for position, scored in candidates.items() if position not in chosen}
    free = {position: scored for position, scored in free.items() if position not in (fixed or {})}
    # Ties never depend on the columns' order: a column with fewer sure options goes first
    # (``Student_id`` takes the key before ``Student_number``, which can also be the
    # student_number), then the header's name decides.
    options = {
        position: sum(1 for score, _, _ in scored if score >= ACCEPT)
        for position, scored in candidates.items()
    }
    label = names or {}
    outside = frozenset(
        normalise(alias).compact
        for spec in fields.fields.values()
        if spec.name == "student_number"
        for alias in spec.fallback
    )
    _assign_keys(free, options, label, chosen, tied, taken, outside)
    ranked: list[tuple[float, int, Target, tuple[str, ...]]] = [
        (score, position, target, evidence)
        for position, scored in free.items()
        for score, target, evidence in scored
    ]
    ranked.sort(key=lambda item: (-item[0], options[item[1]], label.get(item[1], ""), str(item[2])))
    for index, (score, position, target, evidence) in enumerate(ranked):
        if score < ACCEPT:
            break  # sorted: nothing after this is sure enough
        if position in chosen or position in tied or target.field == "key":
            continue
        spec = fields.spec(target)
        multi = bool(spec and spec.multi)
        if target in taken and not multi:
            continue
        if not multi and position not in qualified and any(
            rival >= score - _QUALIFIED_GAP and aim == target and other in qualified
            and other not in chosen and other not in tied and free[other][0][1] == target
            for rival, other, aim, _ in ranked[index + 1 :]
        ):  # fmt: skip
            continue  # "Student Email" beside "Email Address": the row's is the named one
        rivals = [] if multi else [
            other
            for rival, other, aim, _ in ranked[index + 1 :]
            if rival >= score - TIE and aim == target and other not in chosen
            and other not in tied and other != position and options[other] == options[position]
        ]  # fmt: skip
        named = [other for other in (position, *rivals) if other in qualified]
        if rivals and len(named) == 1:
            if named[0] != position:
                continue  # the qualified rival, further down, takes it
            rivals = []
        if rivals:
            for loser in (position, *rivals):
                tied[loser] = (str(target), (position, *rivals))
            taken.add(target)
            continue
        chosen[position] = (score, target, evidence)
        taken.add(target)
    _only_number_is_key(chosen, tied, candidates, fixed or {})
    _lone_bare_id_is_key(chosen, tied, candidates, bare_ids, row_key)
    return chosen, tied


# A bare id's key candidate must be its best, or this close to it.
_BARE_ID_GAP = 0.1


def _lone_bare_id_is_key(
    chosen: dict[int, Pick],
    tied: Mapping[int, Tie],
    candidates: Mapping[int, Sequence[Pick]],
    bare_ids: frozenset[int],
    row_key: Target | None,
) -> None:
    """A file's one column headed by a bare ``Nummer`` or ``ID`` is the key of its rows.

    ``Nr``, ``Nummer``, ``numéro``, ``Referenz-ID`` name no kind, so they score below the
    key's threshold. But in a file of pupils whose only id column is that one, with no other
    column chosen or tied for the key, it is the pupils' number (linuxmuster's ``Nr``,
    SACoche's ``numéro``, a hogeschool's ``Nummer``), even when no alias of the key looks like
    it (``Reference number`` in a staff file). Not beside a column chosen as the
    pupil's number (Informat's ``nr`` is then the house number), not when it went to another
    field, nor when two such columns are there, nor (see ``bare_ids``) over a class list's
    counts.
    """
    if len(bare_ids) != 1 or row_key is None:
        return
    (position,) = bare_ids
    if position in chosen or position in tied:
        return
    if any(
        pick[1].field in ("key", "student_number") and pick[1].number is None
        for pick in chosen.values()
    ) or any(tie[0] == str(row_key) for tie in tied.values()):
        return  # the key, or the pupil's number: a bare "nr" beside it is something else
    scored = candidates.get(position, ())
    top = scored[0][0] if scored else 0.0
    found = [
        (score, evidence)
        for score, target, evidence in scored
        if target == row_key and score >= top - _BARE_ID_GAP
    ]
    if not found and any(target.field != "key" for _, target, _ in scored):
        return  # another field's name ("ID Code": a teacher's code)
    score, evidence = found[0] if found else (0.0, ("a bare id or number",))
    why = (*evidence, "the file's only id column, and no other column is the key")
    chosen[position] = (max(score, ACCEPT_KEY), row_key, why)


def _only_number_is_key(
    chosen: dict[int, Pick],
    tied: Mapping[int, Tie],
    candidates: Mapping[int, Sequence[Pick]],
    fixed: Mapping[int, Decision],
) -> None:
    """The pupil's number holds the key when it is the file's only id of the pupil.

    A number the school gives each pupil is stable and unique: with no column sure to be the
    key, and none tied for it, the one column chosen as the pupil's number is the key
    (Sparx's ``MIS/External ID``, which may be either), if the key was among its candidates.
    A key left unmapped would otherwise be made from the username or the e-mail address. Not
    a database pointer (Informat's ``pPersoon``), which a migration may change.
    """
    numbers = [
        position
        for position, (_, target, _) in chosen.items()
        if target.field == "student_number" and position not in fixed
    ]
    if len(numbers) != 1:
        return
    position = numbers[0]
    score, target, _ = chosen[position]
    key = attrs.evolve(target, field="key")
    if any(pick[1] == key for pick in chosen.values()) or any(
        tie[0] == str(key) for tie in tied.values()
    ):
        return
    for candidate_score, candidate, evidence in candidates[position]:
        pointer = POINTER_EVIDENCE in evidence
        if candidate == key and candidate_score >= min(score, ACCEPT) and not pointer:
            why = (*evidence, "the file's only pupil number, and no other column is the key")
            chosen[position] = (candidate_score, key, why)
            return


def _assign_keys(  # noqa: PLR0917 (the assignment's state, shared with assign)
    free: Mapping[int, Sequence[Pick]],
    options: Mapping[int, int],
    names: Mapping[int, str],
    chosen: dict[int, Pick],
    tied: dict[int, Tie],
    taken: set[Target],
    outside: frozenset[str] = frozenset(),
) -> None:
    """Each key (the row's, guardian 1's, ...) to the one column sure to be it, if one.

    ``outside``: the names of a number given from outside the school (a state's), which
    holds the key only when no column of the school's own does.
    """
    contenders: dict[Target, list[tuple[float, int, tuple[str, ...]]]] = {}
    for position, scored in free.items():
        top = scored[0][0] if scored else 0.0
        for score, target, evidence in scored:
            # A column that names another field better is no key column. A related kind's
            # key ("parent_1_id" on a pupil row) is as sure before the nudge that makes a
            # pupil row's column the pupil's on a tie (RELATED_WEIGHT).
            sure = ACCEPT_KEY * (RELATED_WEIGHT if target.number is not None else 1.0)
            if target.field == "key" and score >= max(sure, top - TIE):
                contenders.setdefault(target, []).append((score, position, evidence))
    for target in sorted(contenders, key=str):
        if target in taken:
            continue
        pool = [item for item in contenders[target] if item[1] not in chosen]
        ranks = {
            item[1]: _key_rank(names.get(item[1], ""), options[item[1]], outside) for item in pool
        }
        _bare_global_id_steps_aside(ranks, names, target.kind)
        first = min(ranks.values(), default=0)
        # A number steps aside for an id, an account's id for both (see _key_rank).
        field = [item for item in pool if ranks[item[1]] == first]
        field.sort(key=lambda item: (-item[0], names.get(item[1], "")))
        if not field:
            continue
        best = field[0]
        rivals = [item for item in field[1:] if item[0] >= best[0] - _KEY_TIE]
        if rivals:
            for item in (best, *rivals):
                tied[item[1]] = (str(target), tuple(other[1] for other in (best, *rivals)))
            taken.add(target)
            continue
        chosen[best[1]] = (best[0], target, best[2])
        taken.add(target)


def _bare_global_id_steps_aside(ranks: dict[int, int], names: Mapping[int, str], kind: str) -> None:
    """A bare ``GUID`` beside a ``StudentID`` may be the row's record's id: neither is sure.

    A globally unique id holds the key before any other id (see :func:`_key_rank`). But one
    that names nobody (``GUID``, ``uuid``) beside an id that names the row's kind may be the
    id of the row itself (NYC's exam registrations: the registration's ``GUID`` beside the
    pupil's ``StudentID``), or the person's (a system that issues GUIDs to people). Both then
    rank alike, so two sure columns tie and the key is left for the user to choose.

    Examples:
        >>> ranks = {0: 0, 1: 3}
        >>> _bare_global_id_steps_aside(ranks, {0: "guid", 1: "studentid"}, "student")
        >>> ranks
        {0: 3, 1: 3}
    """
    whose = {word + "id" for word in KIND_WORDS.get(kind, frozenset()) - PERSON_WORDS}
    named = [ranks[position] for position in ranks if names.get(position, "") in whose]
    if not named:
        return
    for position in ranks:
        if names.get(position, "") in _GLOBAL_IDS:
            ranks[position] = min(named)
