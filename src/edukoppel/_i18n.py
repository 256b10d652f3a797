"""Messages in English and Dutch: one catalog, chosen per process or per call.

Every report issue, block reason and refusal that edukoppel writes is a :class:`Message`: a
catalog id and its parameters, rendered when it is shown, in the language the host chose.
The stable codes (``duplicate-key``, ``mojibake``) never change with the language.

The catalog is the ``messages/*.toml`` files in this package: one table per message id with
an ``en`` and an ``nl`` text. Texts are ``str.format`` templates with a few extra format specs:

* ``{n:|row|rows}``: the word for the count ``n`` (``row`` when ``n`` is 1, else ``rows``);
* ``{kind:noun}``, ``{kind:nouns}``, ``{kind:noun=n}``: the name of an entity kind
  (``student`` / ``leerling``), singular, plural, or by the count ``n``;
* ``{share:pct}``: a fraction as a percentage (``57%``, ``12.5%``; ``12,5%`` in Dutch);
* a list or tuple parameter becomes ``a, b, c and 3 more`` (``en nog 3``).

Examples:
    >>> import edukoppel as ek
    >>> message = msg("left-out-by-policy", count=2, kind="student",
    ...               reason=msg("policy.not-active", day="2025-10-01"))
    >>> message.render("en")
    '2 students left out: not active on 2025-10-01'
    >>> with ek.use_language("nl"):
    ...     str(message)
    '2 leerlingen weggelaten: niet actief op 2025-10-01'
"""

from __future__ import annotations

import contextlib
import contextvars
import string
import tomllib
from collections.abc import Iterator, Mapping
from fractions import Fraction
from importlib.resources import files
from typing import Any, Literal, get_args

import attrs

__all__ = [
    "LANGUAGES",
    "Language",
    "Message",
    "catalog",
    "get_language",
    "msg",
    "render",
    "set_language",
    "use_language",
    "where",
]

Language = Literal["en", "nl"]
#: The languages every message has a text in.
LANGUAGES: tuple[Language, ...] = get_args(Language)

_MAX_LISTED = 10
_process_language: list[Language] = ["en"]
_block_language: contextvars.ContextVar[Language | None] = contextvars.ContextVar(
    "edukoppel_language", default=None
)
_catalog: dict[str, dict[str, str]] = {}


def _check(language: object) -> Language:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def set_language(language: Language) -> None:
    """Choose the language of every message for the whole process: ``"en"`` or ``"nl"``.

    The admins who read these messages are usually Dutch; a host application sets this once
    at start-up. :func:`use_language` overrides it for a block, and the ``render`` methods
    take a ``language=`` for one call.

    Examples:
        >>> import edukoppel as ek
        >>> ek.set_language("nl")
        >>> ek.get_language()
        'nl'
        >>> ek.set_language("en")
    """
    _process_language[0] = _check(language)


def get_language() -> Language:
    """The language messages are rendered in here and now."""
    return _block_language.get() or _process_language[0]


@contextlib.contextmanager
def use_language(language: Language) -> Iterator[None]:
    """Render messages in ``language`` inside a ``with`` block (per thread and task).

    Examples:
        >>> import edukoppel as ek
        >>> with ek.use_language("nl"):
        ...     print(ek.Report())
        geen meldingen
    """
    token = _block_language.set(_check(language))
    try:
        yield
    finally:
        _block_language.reset(token)


def catalog() -> Mapping[str, Mapping[str, str]]:
    """Every message id with its text per language (loaded once, on first use).

    The catalog is every ``*.toml`` file in the package's ``messages`` folder (one per part
    of the library); an id defined twice is an error.
    """
    if not _catalog:
        loaded: dict[str, dict[str, str]] = {}
        folder = files("edukoppel").joinpath("messages")
        for part in sorted(folder.iterdir(), key=lambda item: item.name):
            if not part.name.endswith(".toml"):
                continue
            entries = tomllib.loads(part.read_text(encoding="utf-8"))
            twice = sorted(set(entries) & set(loaded))
            if twice:
                raise RuntimeError(f"messages/{part.name} defines {', '.join(twice)} again")
            loaded.update(entries)
        _catalog.update(loaded)
    return _catalog


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return tuple(_freeze(item) for item in items)
    return value


def _frozen_params(params: Any) -> tuple[tuple[str, Any], ...]:
    items = params.items() if isinstance(params, Mapping) else params
    return tuple(sorted((str(name), _freeze(value)) for name, value in items))


@attrs.frozen
class Message:
    """A catalog message and its parameters, rendered in the language asked for.

    Parameters are plain values (text, numbers, lists of text) or other messages, so a
    message serialises to JSON and back (:meth:`to_dict`, :meth:`from_dict`).
    """

    id: str
    params: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_frozen_params)

    def render(self, language: Language | None = None) -> str:
        """The text in ``language`` (default: :func:`get_language`)."""
        chosen = _check(language) if language is not None else get_language()
        entry = catalog().get(self.id)
        if entry is None:
            raise KeyError(f"no message {self.id!r} in edukoppel's catalog")
        return _Formatter(chosen, dict(self.params)).format(entry[chosen])

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """The id and parameters as plain data (for JSON)."""
        return {"id": self.id, "params": {name: _plain(value) for name, value in self.params}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        """The message :meth:`to_dict` made."""
        return cls(
            str(data["id"]),
            {name: _unplain(value) for name, value in dict(data.get("params") or {}).items()},
        )


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$message": value.to_dict()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Fraction):
        return {"$fraction": [value.numerator, value.denominator]}
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict) and "$message" in value:
        return Message.from_dict(value["$message"])
    if isinstance(value, dict) and "$fraction" in value:
        numerator, denominator = value["$fraction"]
        return Fraction(numerator, denominator)
    if isinstance(value, list):
        return tuple(_unplain(item) for item in value)
    return value


def msg(id: str, /, **params: Any) -> Message:
    """A :class:`Message` with keyword parameters: ``msg("report.errors", count=2)``."""
    return Message(id, params)


def where(
    *,
    file: str | None,
    sheet: str | None,
    row: int | None,
    column: str | None,
    language: Language | None = None,
) -> list[str]:
    """The parts of a location in a file, as a person says them: ``["l.csv", "row 3"]``."""
    parts = [file] if file else []
    if sheet:
        parts.append(msg("where.sheet", sheet=sheet).render(language))
    if row is not None:
        parts.append(msg("where.row", row=row).render(language))
    if column is not None:
        parts.append(msg("where.column", column=column).render(language))
    return parts


def render(text: str | Message, language: Language | None = None) -> str:
    """A message rendered in ``language``; plain text (a host's own message) as it is."""
    return text if isinstance(text, str) else text.render(language)


class _Formatter(string.Formatter):
    def __init__(self, language: Language, params: dict[str, Any]) -> None:
        self.language = language
        self.params = params

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        return self.params[str(key)]

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("|"):
            one, _, many = format_spec[1:].partition("|")
            return one if value == 1 else many
        if format_spec in ("noun", "nouns") or format_spec.startswith("noun="):
            one, _, many = catalog()[f"noun.{value}"][self.language].partition("|")
            if format_spec == "noun":
                return one
            if format_spec == "nouns":
                return many
            return one if self.params[format_spec[5:]] == 1 else many
        if format_spec == "pct":
            return _percent(value, self.language)
        return self._text(value, format_spec)

    def _text(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message):
            return value.render(self.language)
        if isinstance(value, tuple):
            # Items that are messages of their own may hold commas: "; " between them.
            separator = "; " if any(isinstance(item, Message) for item in value) else ", "
            shown = [self._text(item, "") for item in value[:_MAX_LISTED]]
            more = len(value) - _MAX_LISTED
            if more > 0:
                word = catalog()["word.and-more"][self.language]
                return separator.join(shown) + " " + word.format(count=more)
            return separator.join(shown)
        return format(value, format_spec)


def _percent(value: Any, language: Language) -> str:
    """A share as a percentage: whole when exact, else with one or two decimals.

    Never rounded so that it looks equal to a limit it exceeds: 10.01% is not shown as 10%.
    """
    share = Fraction(value) if not isinstance(value, float) else Fraction(str(value))
    percent = share * 100
    if percent.denominator == 1:
        text = str(percent.numerator)
    else:
        text = f"{float(percent):.1f}"
        if text.endswith(".0"):
            text = f"{float(percent):.2f}"
    if language == "nl":
        text = text.replace(".", ",")
    return f"{text}%"
