"""Gender codes whose meaning depends on the convention a column follows.

The model reads ``M`` as male, as Dutch, English, German, French, Italian and Portuguese
exports write it. A Spanish export writes ``H``/``M`` (hombre, mujer) or ``V``/``M`` (varón,
mujer), a Catalan one ``H``/``D`` (home, dona): read code by code, every girl would be a boy.
The whole column tells which convention it follows: an ``H`` is no code in any other one, and
a ``V`` beside an ``M`` under a Spanish header (``Sexo``, ``Género``) is a varón.
"""

from __future__ import annotations

from collections.abc import Iterable

from edukoppel.mapping._normalise import normalise

__all__ = ["iberian_codes"]

# Codes that say nothing of which convention a column follows (unknown, other, blank).
_NEUTRAL = frozenset({"", "x", "o", "u", "0", "9", "nb", "ns", "nc"})
_HOMBRE = {"h": "male", "m": "female", "d": "female"}  # Spanish H/M, Catalan H/D
_VARON = {"v": "male", "m": "female"}  # Spanish V/M
_SPANISH_HEADERS = frozenset({"sexo", "genero"})


def iberian_codes(header: str, codes: Iterable[str]) -> dict[str, str] | None:
    """The Spanish or Catalan reading of a gender column's codes, or None for the usual one.

    ``codes`` are the column's distinct values. The reading maps each code, lower-case, to
    the model's gender.

    Examples:
        >>> iberian_codes("Sexo", ["H", "M"])
        {'h': 'male', 'm': 'female'}
        >>> iberian_codes("Sexe", ["H", "D", ""])
        {'h': 'male', 'd': 'female'}
        >>> iberian_codes("Sexo", ["V", "M"])
        {'v': 'male', 'm': 'female'}
        >>> iberian_codes("Geslacht", ["V", "M"]) is None  # Dutch: vrouw, man
        True
        >>> iberian_codes("Sexo", ["M", "F"]) is None  # masculino, femenino
        True
    """
    found = {code.strip().casefold() for code in codes} - _NEUTRAL
    if "h" in found and found <= _HOMBRE.keys():
        return {code: _HOMBRE[code] for code in sorted(found, key="hmd".index)}
    spanish = normalise(header).compact in _SPANISH_HEADERS
    if spanish and found == {"v", "m"}:
        return dict(_VARON)
    return None
