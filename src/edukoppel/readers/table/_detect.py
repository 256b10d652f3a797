"""Loading a source into bytes, and telling what a file really is before anything parses it.

Every refusal (a PDF renamed ``.csv``, an EDEXML file, an encrypted workbook, a zip bomb) is
raised here, from the first bytes and the zip directory, so that no dependency ever sees a
file it would choke on.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from pathlib import PurePath
from typing import BinaryIO, Literal

from edukoppel._i18n import Message, msg
from edukoppel.exceptions import (
    EncryptedFileError,
    FileTooLargeError,
    MalformedFileError,
    UnsupportedFormatError,
)
from edukoppel.readers._issues import Collector
from edukoppel.readers.table._table import TableFormat

__all__ = ["ZIP_FAILURES", "Source", "head_text", "load_source", "sniff"]

ZIP_FAILURES: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,  # damaged deflate data: not an OSError
    OSError,
    ValueError,
    EOFError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method zipfile does not know
)
"""What :mod:`zipfile` raises for a damaged or unusual archive."""

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

_SUFFIX_FORMATS: dict[str, TableFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsm",
    ".xls": "xls",
    ".ods": "ods",
}
_WORKBOOKS = frozenset({"xlsx", "xlsm", "xls", "ods"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_READ_CHUNK = 1 << 24
_SAVE_AS = msg("advice.save-as")
_SAVE_AS_AGAIN = msg("advice.save-as-again")

# Magic numbers of files people attach by mistake.
_MAGIC: list[tuple[bytes, Message]] = [
    (b"%PDF", msg("what.pdf")),
    (b"\x89PNG", msg("what.png")),
    (b"\xff\xd8\xff", msg("what.jpeg")),
    (b"GIF8", msg("what.gif")),
    (b"\x1f\x8b", msg("what.gzip")),
    (b"Rar!", msg("what.rar")),
    (b"7z\xbc\xaf", msg("what.7z")),
    (b"{\\rtf", msg("what.rtf")),
]
_EDEXML = re.compile(r"<(?:[\w.-]+:)?EDEX[\s>/]|edustandaard\.nl/edex|EDEXML", re.IGNORECASE)


def _mib(size: int) -> Message:
    """A size in MiB with one decimal (``4.8 MiB``; ``4,8 MiB`` in Dutch)."""
    whole, _, tenth = f"{size / 2**20:.1f}".partition(".")
    return msg("size.mib", whole=whole, tenth=tenth)


def load_source(
    source: Source, *, name: str | None, max_bytes: int
) -> tuple[bytes, str, TableFormat | None]:
    """Read ``source`` into bytes (at most ``max_bytes``) and say what to call it.

    Returns:
        The bytes, the file name for messages, and the format its name suggests.
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        display = name or PurePath(path).name
        size = os.stat(path).st_size
        if size > max_bytes:
            raise FileTooLargeError(
                msg("refusal.file-too-large", size=_mib(size), limit=_mib(max_bytes)),
                file=display,
            )
        with open(path, "rb") as handle:
            data = _read_limited(handle, max_bytes)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        display = name or "<bytes>"
    elif hasattr(source, "read"):
        display = name or PurePath(str(getattr(source, "name", "<stream>"))).name
        data = _read_limited(source, max_bytes)
    else:
        problem = (
            f"read_table reads a path, bytes or a binary file object, not {type(source).__name__}"
        )
        raise TypeError(problem)
    if len(data) > max_bytes:
        raise FileTooLargeError(
            msg("refusal.file-too-large.read", limit=_mib(max_bytes)), file=display
        )
    suffix = PurePath(display).suffix.lower()
    return data, display, _SUFFIX_FORMATS.get(suffix)


def _read_limited(handle: BinaryIO, max_bytes: int) -> bytes:
    """Read a binary stream to its end, but never more than ``max_bytes + 1`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk: object = handle.read(min(_READ_CHUNK, max_bytes + 1 - total))
        if isinstance(chunk, str):
            problem = "read_table needs a binary file object: open the file with open(path, 'rb')"
            raise TypeError(problem)
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            problem = f"the file object's read() returned {type(chunk).__name__}, not bytes"
            raise TypeError(problem)
        if not chunk:
            break
        chunks.append(bytes(chunk))
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _blank(data: bytes) -> bool:
    """Nothing but byte order marks, white space and NUL bytes."""
    stripped = data.strip(b" \t\r\n\x00\x1a").removeprefix(b"\xef\xbb\xbf")
    for bom in (b"\xff\xfe", b"\xfe\xff"):
        stripped = stripped.removeprefix(bom)
    return not stripped.strip(b" \t\r\n\x00")


def _describe(kind: TableFormat) -> Message:
    return msg("what.csv") if kind == "csv" else msg("what.workbook", kind=kind.upper())


def sniff(
    data: bytes,
    *,
    file: str,
    declared: TableFormat | None,
    suffix: TableFormat | None,
    max_bytes: int,
    collector: Collector,
) -> TableFormat:
    """Tell what ``data`` really is, refusing what we do not read.

    Args:
        data: The whole file.
        file: Its name, for messages.
        declared: The ``format=`` the caller gave, if any.
        suffix: The format the file name suggests, if any.
        max_bytes: The limit on what a zip archive may decompress to.
        collector: Where a ``format-mismatch`` warning goes.

    Returns:
        The format to read it as.
    """
    if _blank(data[:4096]) and _blank(data):
        raise MalformedFileError(msg("refusal.empty-file"), file=file)
    kind = content_kind(data, file=file, max_bytes=max_bytes)
    if declared is not None:
        if (declared == "csv") != (kind == "csv"):
            raise UnsupportedFormatError(
                msg("refusal.format-contradicts", declared=declared, what=_describe(kind)),
                file=file,
            )
        if declared != kind:
            collector.add(
                "format-mismatch",
                msg(
                    "format-mismatch.given",
                    declared=declared,
                    what=_describe(kind),
                    kind=kind.upper(),
                ),
            )
    elif suffix is not None and suffix != kind:
        collector.add(
            "format-mismatch",
            msg(
                "format-mismatch.name",
                suffix=suffix.upper(),
                what=_describe(kind),
                kind=kind.upper(),
            ),
        )
    return kind


def content_kind(data: bytes, *, file: str, max_bytes: int) -> TableFormat:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UnsupportedFormatError(msg("refusal.not-a-table", what=what), file=file)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, file=file, max_bytes=max_bytes)
    if data.startswith(_OLE_MAGIC):
        return _ole_kind(data, file=file)
    _refuse_markup(data, file=file)
    return "csv"


def head_text(head: bytes) -> str:
    """The first bytes as text, enough to look at markup (UTF-16 with or without a BOM too).

    Examples:
        >>> head_text("<EDEX/>".encode("utf-16"))
        '<EDEX/>'
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if len(head) >= 4 and head[1] == 0 and head[3] == 0:
        return head.decode("utf-16-le", errors="replace")
    if len(head) >= 4 and head[0] == 0 and head[2] == 0:
        return head.decode("utf-16-be", errors="replace")
    return head.decode("latin-1").removeprefix("\xef\xbb\xbf")


def _refuse_markup(data: bytes, *, file: str) -> None:
    original = head_text(data[:4096])
    text = original.lstrip("\ufeff \t\r\n").lower()
    if not text.startswith("<"):
        return
    if _EDEXML.search(original):
        raise UnsupportedFormatError(msg("refusal.edexml"), file=file)
    if "urn:schemas-microsoft-com:office:spreadsheet" in text:
        raise UnsupportedFormatError(msg("refusal.excel-2003-xml", advice=_SAVE_AS), file=file)
    if text.startswith(("<!doctype html", "<html")) or "<table" in text or "<html" in text:
        raise UnsupportedFormatError(msg("refusal.html", advice=_SAVE_AS), file=file)
    if text.startswith("<?xml"):
        raise UnsupportedFormatError(msg("refusal.xml"), file=file)


def _zip_kind(data: bytes, *, file: str, max_bytes: int) -> TableFormat:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_FAILURES:
        raise MalformedFileError(
            msg("refusal.damaged-zip", advice=_SAVE_AS_AGAIN), file=file
        ) from None
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > max_bytes:
            raise FileTooLargeError(
                msg("refusal.zip-too-large", size=_mib(total), limit=_mib(max_bytes)),
                file=file,
            )
        names = {info.filename for info in infos}
        if any(info.flag_bits & 0x1 for info in infos):
            raise EncryptedFileError(msg("refusal.zip-password"), file=file)
        if "mimetype" in names:
            mimetype = _read_small(archive, "mimetype", file=file).strip()
            if mimetype == _ODS_MIMETYPE:
                manifest = (
                    _read_small(archive, "META-INF/manifest.xml", file=file)
                    if "META-INF/manifest.xml" in names
                    else b""
                )
                if b"encryption-data" in manifest:
                    raise EncryptedFileError(msg("refusal.ods-password"), file=file)
                return "ods"
            if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                raise UnsupportedFormatError(
                    msg("refusal.opendocument-not-a-spreadsheet"), file=file
                )
        if "[Content_Types].xml" in names:
            if "xl/workbook.xml" in names:
                types = _read_small(archive, "[Content_Types].xml", file=file)
                return "xlsm" if b"macroEnabled" in types else "xlsx"
            if "xl/workbook.bin" in names:
                raise UnsupportedFormatError(msg("refusal.xlsb", advice=_SAVE_AS), file=file)
            if any(name.startswith("word/") for name in names):
                what = msg("what.word")
            elif any(name.startswith("ppt/") for name in names):
                what = msg("what.powerpoint")
            else:
                what = msg("what.other-office")
            raise UnsupportedFormatError(msg("refusal.not-a-spreadsheet", what=what), file=file)
    raise UnsupportedFormatError(msg("refusal.zip-not-a-workbook", count=len(names)), file=file)


def _read_small(archive: zipfile.ZipFile, member: str, *, file: str) -> bytes:
    """Read a small zip member whole (the sizes were checked against the limit already)."""
    try:
        return archive.read(member)
    except ZIP_FAILURES:
        raise MalformedFileError(
            msg("refusal.damaged-part", part=member, advice=_SAVE_AS_AGAIN), file=file
        ) from None


def _ole_kind(data: bytes, *, file: str) -> Literal["xls"]:
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptionInfo") or has("EncryptedPackage"):
        raise EncryptedFileError(msg("refusal.xls-password"), file=file)
    if has("Workbook") or has("Book"):
        return "xls"
    if has("WordDocument"):
        raise UnsupportedFormatError(
            msg("refusal.not-a-spreadsheet", what=msg("what.word-doc")), file=file
        )
    raise UnsupportedFormatError(msg("refusal.old-office-file"), file=file)
