"""Finding a text file's encoding and turning it into UTF-8 bytes for the CSV parser.

The order: a byte order mark (UTF-8, UTF-16 LE/BE, UTF-32); UTF-16 without a mark, told by
its NUL bytes; plain ASCII; strict UTF-8; otherwise Windows-1252, which is what Excel and
Notepad call "ANSI" on a Dutch or English Windows. Five byte values have no character in
Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D); they are read as the Latin-1 control characters
that Windows itself maps them to, and reported as ``unknown-encoding``.

UTF-8 files are not decoded in Python at all: the head is checked here, and the parser
(polars) validates the rest, raising :class:`NotUtf8` so that the caller can fall back.
"""

from __future__ import annotations

import codecs
import re
import threading

import attrs

from edukoppel._i18n import Message, msg
from edukoppel.report import Severity

__all__ = ["Decoded", "NotUtf8", "decode_head", "detect", "fallback", "line_of"]

_CHUNK = 1 << 20  # decoding a chunk that stays in the cache is twice as fast
_HEAD = 1 << 15
# Windows-1252's characters for 0x80-0x9F where they differ from Latin-1.
_CP1252_C1 = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_CP1252_TABLE = str.maketrans({chr(byte): char for byte, char in _CP1252_C1.items()})

ANSI = "windows-1252"
_GIVEN = msg("encoding-detected.given")


class NotUtf8(Exception):
    """The data is not valid UTF-8 at ``position`` (a byte offset)."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


@attrs.frozen
class Note:
    """An issue found while decoding: code, severity, message, line."""

    code: str
    severity: Severity
    message: Message
    line: int | None = None


@attrs.frozen
class Decoded:
    """Text as UTF-8 bytes, starting at ``start`` (after a byte order mark).

    Attributes:
        data: UTF-8 bytes (the original bytes when the file is UTF-8 already).
        start: Where the text starts in ``data``.
        encoding: The encoding's name for people and the report.
        reason: Why this encoding (for the ``encoding-detected`` issue).
        verified: ``data`` is known to be valid UTF-8; otherwise the parser must check.
        given: The caller named the encoding (so do not fall back to another one).
        notes: Problems found while decoding (``unknown-encoding``).
    """

    data: bytes
    start: int
    encoding: str
    reason: Message
    verified: bool
    given: bool = False
    notes: tuple[Note, ...] = ()


def _line_breaks(data: bytes, start: int, end: int) -> int:
    """Line breaks in ``data[start:end]``: LF, CRLF, and a CR on its own (old Mac files)."""
    lone_crs = data.count(b"\r", start, end) - data.count(b"\r\n", start, end)
    return data.count(b"\n", start, end) + max(lone_crs, 0)


def line_of(data: bytes, position: int, start: int = 0) -> int:
    """The 1-based line number of byte ``position``."""
    return _line_breaks(data, start, position) + 1


def _transcode(data: bytes, start: int, encoding: str) -> bytes:
    r"""Decode ``data[start:]`` strictly and encode it as UTF-8, a chunk at a time.

    Raises:
        UnicodeDecodeError: With ``start`` and ``end`` counted from ``data[start:]``, as a
            decode of the whole text would count them (not from the chunk's start).

    Examples:
        >>> _transcode(b"ab\xe9", 1, "cp1252")
        b'b\xc3\xa9'
        >>> try:
        ...     _transcode(b"a" * (_CHUNK + 5) + b"\x81", 2, "cp1252")
        ... except UnicodeDecodeError as error:
        ...     print(error.start - _CHUNK, error.object[error.start])
        3 129
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    view = memoryview(data)
    parts = []
    offset = start
    try:
        for offset in range(start, len(data), _CHUNK):
            parts.append(decoder.decode(view[offset : offset + _CHUNK]).encode("utf-8"))
        offset = len(data)
        parts.append(decoder.decode(b"", True).encode("utf-8"))
    except UnicodeDecodeError as error:
        # The error counts from the chunk, with the bytes the decoder held back in front.
        chunk = min(_CHUNK, len(data) - offset)
        first = offset - (len(error.object) - chunk) - start
        text = bytes(view[start:])  # a copy, on this path only
        raise UnicodeDecodeError(
            error.encoding, text, first + error.start, first + error.end, error.reason
        ) from None
    return b"".join(parts)


def _transcode_lenient(
    data: bytes, start: int, encoding: str, label: str, *, reason: Message, given: bool
) -> Decoded:
    """Decode with replacement characters, and report where the first bad byte was."""
    try:
        return Decoded(
            _transcode(data, start, encoding), 0, label, reason, verified=True, given=given
        )
    except UnicodeDecodeError as error:
        line = line_of(data, start + error.start, start)
        text = data[start:].decode(encoding, errors="replace")
        note = Note(
            "unknown-encoding",
            "warning",
            msg("unknown-encoding.replaced", encoding=label),
            line,
        )
        return Decoded(
            text.encode("utf-8"), 0, label, reason, verified=True, given=given, notes=(note,)
        )


def _ansi(data: bytes, start: int, reason: Message) -> Decoded:
    try:
        converted = _transcode(data, start, "cp1252")
    except UnicodeDecodeError as error:
        line = line_of(data, start + error.start, start)
        byte = data[start + error.start]
        text = data[start:].decode("latin-1").translate(_CP1252_TABLE)
        note = Note(
            "unknown-encoding",
            "warning",
            msg("unknown-encoding.windows-1252", byte=byte),
            line,
        )
        return Decoded(text.encode("utf-8"), 0, ANSI, reason, verified=True, notes=(note,))
    return Decoded(converted, 0, ANSI, reason, verified=True)


# What valid UTF-8 in a roster decodes to: accented, Turkish, Polish... letters, Greek and
# Cyrillic, and typographic punctuation (’ “ ” – €). Bytes of a Windows-1252 file that are
# valid UTF-8 by chance mostly decode to something else (C1 controls, IPA, Hangul).
_LETTERS_AND_PUNCTUATION = re.compile("[\u00c0-\u024f\u0370-\u04ff\u2010-\u201f\u20ac]")
_STRAY_HANDLER = "edukoppel-stray-cp1252"
_strays = threading.local()
_MAX_STRAY_NOTES = 50
_MIXED = msg("mixed-encoding")


def _decode_stray_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """A codecs error handler: bytes that are not UTF-8 are read as Windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    positions: list[int] | None = getattr(_strays, "positions", None)
    if positions is not None:
        positions.append(error.start)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("latin-1").translate(_CP1252_TABLE), error.end


codecs.register_error(_STRAY_HANDLER, _decode_stray_as_cp1252)


def _mostly_utf8(data: bytes, start: int, position: int) -> bool:
    """Whether text with a byte that is not UTF-8 at ``position`` is UTF-8 all the same.

    Judged on the 32 KiB either side of the bad byte: at least two valid UTF-8 letters (or
    typographic marks), and at least twice as many as bad bytes, mean a UTF-8 file with stray
    bytes (two exports pieced together, a cut-off character). In a Windows-1252 file, accented
    letters are almost never valid UTF-8; the few that are by chance ("Ã©", or an accent
    before a no-break space) do not outnumber the rest twice over.
    """
    first = max(start, position - _HEAD)
    while first < position and 0x80 <= data[first] < 0xC0:
        first += 1  # do not start inside a character
    window = data[first : position + _HEAD].decode("utf-8", errors="replace")
    bad = window.count("\ufffd")
    valid = len(_LETTERS_AND_PUNCTUATION.findall(window))
    return valid >= 2 and valid >= 2 * bad


def _utf8_with_strays(data: bytes, start: int, label: str, reason: Message) -> Decoded:
    """Decode as UTF-8, reading the bytes that are not UTF-8 as Windows-1252, and report them."""
    _strays.positions = []
    try:
        text = data[start:].decode("utf-8", errors=_STRAY_HANDLER)
        positions: list[int] = _strays.positions
    finally:
        del _strays.positions
    notes: list[Note] = []
    line, last = 1, start
    for position in positions:
        line += _line_breaks(data, last, start + position)
        last = start + position
        if notes and notes[-1].line == line:
            continue
        if len(notes) == _MAX_STRAY_NOTES:
            break
        notes.append(Note("mixed-encoding", "warning", _MIXED, line))
    reason = msg("encoding-detected.strays", reason=reason, count=len(positions))
    return Decoded(text.encode("utf-8"), 0, label, reason, verified=True, notes=tuple(notes))


def _utf16_without_bom(head: bytes) -> str | None:
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even = head[0 : pairs * 2 : 2].count(0)
    odd = head[1 : pairs * 2 : 2].count(0)
    if odd * 10 >= pairs * 3 and even * 20 < pairs:
        return "utf-16-le"
    if even * 10 >= pairs * 3 and odd * 20 < pairs:
        return "utf-16-be"
    return None


def detect(data: bytes, given: str | None) -> Decoded:
    """Choose the encoding of ``data`` (or use ``given``) and start decoding it."""
    if given is not None:
        name = codecs.lookup(given).name
        if name in ("utf-8", "utf-8-sig"):
            start = 3 if data.startswith(codecs.BOM_UTF8) else 0
            return Decoded(data, start, "utf-8", _GIVEN, verified=False, given=True)
        label = ANSI if name == "cp1252" else name
        start = 0
        if name.startswith("utf-16") and data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            start = 2 if name != "utf-16" else 0
        elif name in ("utf-16", "utf-32"):
            # Without a byte order mark Python's decoder refuses; Windows writes little-endian.
            name = f"{name}-le"
        return _transcode_lenient(data, start, name, label, reason=_GIVEN, given=True)
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8-sig", ""),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    )
    for bom, label, codec in boms:
        if data.startswith(bom):
            if not codec:
                return Decoded(
                    data,
                    len(bom),
                    label,
                    msg("encoding-detected.utf-8-bom"),
                    verified=data.isascii(),
                )
            reason = msg(
                "encoding-detected.bom-unicode-text"
                if label == "utf-16-le"
                else "encoding-detected.bom"
            )
            return _transcode_lenient(data, len(bom), codec, label, reason=reason, given=False)
    wide = _utf16_without_bom(data[:4096])
    if wide is not None:
        return _transcode_lenient(
            data,
            0,
            wide,
            wide,
            reason=msg("encoding-detected.utf-16-no-bom"),
            given=False,
        )
    if data.isascii():
        return Decoded(data, 0, "utf-8", msg("encoding-detected.ascii"), True)
    head = data[:_HEAD]
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=len(head) == len(data))
    except UnicodeDecodeError as error:
        if _mostly_utf8(data, 0, error.start):
            return _utf8_with_strays(data, 0, "utf-8", msg("encoding-detected.utf-8-no-bom"))
        return _ansi(data, 0, _not_utf8_reason(data, error.start))
    return Decoded(data, 0, "utf-8", msg("encoding-detected.valid-utf-8"), verified=False)


def _not_utf8_reason(data: bytes, position: int) -> Message:
    return msg("encoding-detected.not-utf-8", line=line_of(data, position))


def fallback(decoded: Decoded, position: int) -> Decoded:
    """After the parser found invalid UTF-8 at ``position``.

    With ``encoding="utf-8"`` given, such bytes are replaced (and reported). A file with a
    UTF-8 byte order mark, or with valid multi-byte UTF-8 around the bad byte, stays UTF-8 and
    its stray bytes are read as Windows-1252 (and reported). Otherwise it is Windows-1252.
    """
    data = decoded.data
    if decoded.given:
        return _transcode_lenient(
            data, decoded.start, "utf-8", "utf-8", reason=decoded.reason, given=True
        )
    if decoded.encoding == "utf-8-sig" or _mostly_utf8(data, decoded.start, position):
        return _utf8_with_strays(data, decoded.start, decoded.encoding, decoded.reason)
    return _ansi(data, decoded.start, _not_utf8_reason(data, position))


def decode_head(data: bytes, start: int) -> tuple[str, int]:
    """Decode about 32 KiB of UTF-8 text from ``start``, ending on a line break.

    Returns:
        The text and the byte offset where it ends.

    Raises:
        NotUtf8: The head is not valid UTF-8.
    """
    end = min(len(data), start + _HEAD)
    if end < len(data):
        cut = data.rfind(b"\n", start, end)
        if cut >= start:
            end = cut + 1
        else:
            following = data.find(b"\n", end)
            end = len(data) if following == -1 else following + 1
    try:
        return data[start:end].decode("utf-8"), end
    except UnicodeDecodeError as error:
        raise NotUtf8(start + error.start) from None


def locate_invalid_utf8(data: bytes, start: int) -> int | None:
    """The offset of the first byte that is not UTF-8, or ``None`` if all of it is."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(data)
    for offset in range(start, len(data), _CHUNK):
        chunk = view[offset : offset + _CHUNK]
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            # The decoder put the bytes it held back from the last chunk in front.
            return offset + error.start - (len(error.object) - len(chunk))
    try:
        decoder.decode(b"", True)
    except UnicodeDecodeError as error:
        return len(data) - len(error.object) + error.start
    return None
