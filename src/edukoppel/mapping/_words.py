"""The word lists the matcher reads glued, shortened and qualified headers with (``words.toml``)."""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib.resources import files

import attrs

__all__ = ["LETTERS", "Words", "plain", "strip_accents", "words"]

# Letters no accent stripping takes apart (Norwegian and Danish ø, æ; French œ; Polish ł;
# Croatian đ; Icelandic þ, ð; Turkish dotless ı): written out, so "Fødselsdato" is one word,
# not "f" and "dselsdato", and "Soyadı" compares as "SOYADI" does.
LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th", "ð": "d", "ħ": "h"}
)


def plain(word: str) -> str:
    """A word as the matcher compares it: lower case, without accents.

    Examples:
        >>> plain("Płeć"), plain("Öğrenci"), plain("Faðir")
        ('plec', 'ogrenci', 'fadir')
    """
    return strip_accents(word).casefold().translate(LETTERS)


def strip_accents(text: str) -> str:
    """A text without its combining accents (``é`` is ``e``; ``ø`` stays: see ``LETTERS``).

    Examples:
        >>> strip_accents("Élève Øya")
        'Eleve Øya'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@attrs.frozen
class Words:
    """The sections of ``words.toml``.

    Attributes:
        id_qualifiers: Words before ``ID`` that say which id, not whose (``Datenbank-ID``).
        glued_suffixes, glued_prefixes: Short forms glued to a field's name, and the kind of
            person each names (``sch``: a pupil, ``erz``: a guardian, ``l``: a teacher).
        parents: The words for a mother (guardian 1) and a father (guardian 2), by word.
        ordinals: The words for first and second (1, 2), which number the guardian after them.
        relatives: The words of a guardian's relation to a pupil, the parents' among them.
        current_words: Words before a field's name that say "the one now" (``Huidige klas``).
        form_words: Words after a thing's name that say which form of it (``Kurzform``).
        group_plurals: Plurals of a group word that end a compound (``Zusatzgruppen``).
        whose_links: Prepositions and articles before a word for whose (``för``, ``van de``).
        external_ids: Words that say an id is another system's (``extern``), and the id
            words they go with (``id``, ``key``).
        value_families: Per person field, the words that name its family (``nacim``: a
            birth date), which values of its kind confirm.
        languages: Per language, per list (``first_name``, ``no_field``, ``student``, ...),
            its words as written (``Imię``, ``Hasło``, ``ucznia``).
    """

    id_qualifiers: frozenset[str]
    glued_suffixes: dict[str, str]
    glued_prefixes: dict[str, str]
    parents: dict[str, int]
    ordinals: dict[str, int]
    current_words: frozenset[str]
    relatives: frozenset[str]
    form_words: frozenset[str]
    group_plurals: tuple[str, ...]
    whose_links: frozenset[str]
    value_families: dict[str, tuple[str, ...]]
    external_ids: tuple[frozenset[str], frozenset[str]]
    languages: dict[str, dict[str, tuple[str, ...]]]

    def vocabulary(self, name: str) -> tuple[str, ...]:
        """One list of every language, in the file's order (``vocabulary("last_name")``).

        Examples:
            >>> {"Nazwisko", "Příjmení", "Vezetéknév"} <= set(words().vocabulary("last_name"))
            True
        """
        return tuple(word for found in self.languages.values() for word in found.get(name, ()))

    def kind_words(self, kind: str) -> frozenset[str]:
        """The words of every language for a kind of person, compared form (``ucznia``).

        Examples:
            >>> {"uczen", "zaka", "ogrenci"} <= words().kind_words("student")
            True
        """
        return frozenset(plain(word) for word in self.vocabulary(kind))


def _families(data: dict[str, list[str] | str]) -> dict[str, tuple[str, ...]]:
    """Per field, its family words; a field given another's name has that one's words.

    Examples:
        >>> _families({"location": ["school"], "locations": "location"})
        {'location': ('school',), 'locations': ('school',)}
    """
    return {
        field: tuple(data[found] if isinstance(found, str) else found)
        for field, found in data.items()
    }


@cache
def words() -> Words:
    """The word lists that ship with edukoppel (``edukoppel/mapping/words.toml``).

    Examples:
        >>> words().parents["mutter"], words().glued_suffixes["erz"]
        (1, 'guardian')
    """
    text = files("edukoppel.mapping").joinpath("words.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    languages = {
        language: {name: tuple(found) for name, found in lists.items()}
        for language, lists in data["languages"].items()
    }
    mothers = [
        *data["parents"]["mother"],
        *(plain(word) for found in languages.values() for word in found.get("mother", ())),
    ]
    fathers = [
        *data["parents"]["father"],
        *(plain(word) for found in languages.values() for word in found.get("father", ())),
    ]
    parents = dict.fromkeys(mothers, 1)
    parents.update(dict.fromkeys(fathers, 2))
    return Words(
        id_qualifiers=frozenset(data["id_qualifiers"]["words"]),
        glued_suffixes=dict(data["glued"]["suffixes"]),
        glued_prefixes=dict(data["glued"]["prefixes"]),
        parents=parents,
        ordinals={
            **dict.fromkeys(data["ordinals"]["first"], 1),
            **dict.fromkeys(data["ordinals"]["second"], 2),
        },
        current_words=frozenset(data["current_words"]["words"]),
        relatives=frozenset(plain(word) for word in (*data["relatives"]["words"], *parents)),
        form_words=frozenset(data["form_words"]["words"]),
        group_plurals=tuple(data["group_plurals"]["words"]),
        whose_links=frozenset(data["whose_links"]["words"]),
        external_ids=(
            frozenset(data["external_ids"]["words"]),
            frozenset(data["external_ids"]["ids"]),
        ),
        value_families=_families(data["value_families"]),
        languages=languages,
    )
