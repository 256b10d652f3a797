"""The word lists the matcher reads glued, shortened and qualified headers with (``words.toml``)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files

import attrs

__all__ = ["Words", "words"]


@attrs.frozen
class Words:
    """The sections of ``words.toml``.

    Attributes:
        id_qualifiers: Words before ``ID`` that say which id, not whose (``Datenbank-ID``).
        glued_suffixes, glued_prefixes: Short forms glued to a field's name, and the kind of
            person each names (``sch``: a pupil, ``erz``: a guardian, ``l``: a teacher).
        parents: The words for a mother (guardian 1) and a father (guardian 2), by word.
        form_words: Words after a thing's name that say which form of it (``Kurzform``).
        group_plurals: Plurals of a group word that end a compound (``Zusatzgruppen``).
        whose_links: Prepositions and articles before a word for whose (``för``, ``van de``).
        external_ids: Words that say an id is another system's (``extern``), and the id
            words they go with (``id``, ``key``).
        value_families: Per person field, the words that name its family (``nacim``: a
            birth date), which values of its kind confirm.
    """

    id_qualifiers: frozenset[str]
    glued_suffixes: dict[str, str]
    glued_prefixes: dict[str, str]
    parents: dict[str, int]
    form_words: frozenset[str]
    group_plurals: tuple[str, ...]
    whose_links: frozenset[str]
    value_families: dict[str, tuple[str, ...]]
    external_ids: tuple[frozenset[str], frozenset[str]]


@cache
def words() -> Words:
    """The word lists that ship with edukoppel (``edukoppel/mapping/words.toml``).

    Examples:
        >>> words().parents["mutter"], words().glued_suffixes["erz"]
        (1, 'guardian')
    """
    text = files("edukoppel.mapping").joinpath("words.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    parents = dict.fromkeys(data["parents"]["mother"], 1)
    parents.update(dict.fromkeys(data["parents"]["father"], 2))
    return Words(
        id_qualifiers=frozenset(data["id_qualifiers"]["words"]),
        glued_suffixes=dict(data["glued"]["suffixes"]),
        glued_prefixes=dict(data["glued"]["prefixes"]),
        parents=parents,
        form_words=frozenset(data["form_words"]["words"]),
        group_plurals=tuple(data["group_plurals"]["words"]),
        whose_links=frozenset(data["whose_links"]["words"]),
        external_ids=(
            frozenset(data["external_ids"]["words"]),
            frozenset(data["external_ids"]["ids"]),
        ),
        value_families={field: tuple(found) for field, found in data["value_families"].items()},
    )
