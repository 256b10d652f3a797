"""The hardened, streaming pass over an EDEXML file or a UWLR response: elements to plain rows.

One ``lxml.etree.iterparse`` pass, filtered to the elements that carry records; every record
element is turned into a row of plain strings and then freed with its preceding siblings, so
memory follows the rows, not the file. Elements are matched by local name (any namespace, any
prefix, bare or inside a SOAP envelope) and their children in any order; empty elements are
absent. Nothing is resolved: no DTD, no entity, no network, no other file. A document that
declares a DOCTYPE or an entity is refused outright, before any of its content is read.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

import attrs

from edukoppel._i18n import msg
from edukoppel._optional import import_optional
from edukoppel.exceptions import MalformedFileError, UnsupportedFormatError
from edukoppel.readers.edexml._sniff import declares_doctype, first_element, head_text

__all__ = ["DATA_ROOTS", "Parsed", "parse"]

#: The elements whose children are the EDEXML structure (school, groepen, leerlingen...).
DATA_ROOTS = frozenset(
    {
        "EDEX",
        "leerlinggegevens",
        "leerlinggegevens-structuur",
        "leerlinggegevens-leerlingen",
        "leerlinggegevens-leerkrachten",
        "leerlinggegevensantwoord",
    }
)
_NO_DATA = ("geengegevens", "geenwijzigingen")
_CONTAINERS = ("vestigingen", "groepen", "leerlingen", "leerkrachten", "subgroepen")
# Only the elements that carry records, and only their end: one event per pupil. Groups and
# vestigingen are read at the end of their container (a pupil's references share their names).
_TAGS = [
    f"{{*}}{name}"
    for name in (*DATA_ROOTS, *_NO_DATA, "school", "leerling", "leerkracht", *_CONTAINERS, "Fault")
]

#: Pupil children read as text, and the row position each goes to.
PUPIL_TEXT = {
    "achternaam": 0,
    "voorvoegsel": 1,
    "tussenvoegsel": 1,  # the pre-1.0 name; no 1.x or 2.x file has it, but old exports might
    "voornamen": 2,
    "voorletters-1": 3,
    "voorletters": 3,
    "roepnaam": 4,
    "geboortedatum": 5,
    "geslacht": 6,
    "jaargroep": 7,
    "gebruikersnaam": 8,
    "emailadres": 9,
    "instroomdatum": 10,
    "uitstroomdatum": 11,
}
PUPIL_WIDTH = 12
#: Teacher children read as text.
TEACHER_TEXT = {
    "achternaam": 0,
    "voorvoegsel": 1,
    "tussenvoegsel": 1,
    "voorletters-1": 2,
    "voorletters": 2,
    "roepnaam": 3,
    "gebruikersnaam": 4,
    "emailadres": 5,
}
TEACHER_WIDTH = 6
_SCHOOL_TEXT = (
    "schooljaar",
    "peildatum",
    "brincode",
    "dependancecode",
    "schoolkey",
    "instellingsnummer",
    "aanmaakdatum",
    "auteur",
    "xsdversie",
)
#: Elements that exist from EDEXML 2.0 on (reference section 10, P4).
ELEMENTS_SINCE_20 = frozenset(
    {
        "voornamen",
        "bsn",
        "bsn_ondwnr-4",
        "emailadres",
        "gebruikersnaam",
        "rijksregisternummer",
        "postnummerbe",
        "start_ondw_jgr3",
        "fotourl",
        "samengestelde_groepen",
        "vestiging",
        "rol",
        "rolomschrijving",
    }
)


#: A pupil row: the text fields (PUPIL_TEXT), then these.
KEY, ECKID, HOMEROOM, GROUPS, LOCATION, LINE = range(PUPIL_WIDTH, PUPIL_WIDTH + 6)
PUPIL_ROW = PUPIL_WIDTH + 6
_REFERENCES = {
    "groep": HOMEROOM,
    "samengestelde_groepen": GROUPS,
    "subgroepen": GROUPS,
    "vestiging": LOCATION,
}
_IGNORED = -1
_FEATURE = -2


@attrs.define
class Teacher:
    """One ``leerkracht``: texts, general roles, and (group, role or None) links."""

    key: str | None
    eckid: str | None
    texts: list[str | None]
    roles: list[str]
    links: list[tuple[str, str | None]]
    line: int


@attrs.define
class GroupRow:
    """One ``groep`` (homeroom) or ``samengestelde_groep`` / UWLR 1.0 ``subgroep``."""

    key: str | None
    name: str | None
    year: str | None
    homeroom: bool
    line: int


@attrs.define
class Parsed:
    """Everything the pass found, as plain values."""

    root: str
    namespace: str
    school: dict[str, str] = attrs.field(factory=dict)
    locations: list[tuple[str | None, str | None, int]] = attrs.field(factory=list)
    groups: list[GroupRow] = attrs.field(factory=list)
    pupils: list[list[Any]] = attrs.field(factory=list)
    pupil_codes: dict[str, int] = attrs.field(factory=dict)
    teachers: list[Teacher] = attrs.field(factory=list)
    containers: set[str] = attrs.field(factory=set)
    no_data: str | None = None
    features: set[str] = attrs.field(factory=set)
    long_keys: bool = False


def _text(element: Any) -> str | None:
    text = element.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def _key(element: Any) -> str | None:
    key = element.get("key")
    if key is None:
        return None
    return key.strip() or None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag[tag.rfind("}") + 1 :]


def _free(element: Any) -> None:
    """Free an element that has been read, and the siblings read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _refuse_non_xml(head: bytes, file: str) -> None:
    text = head_text(head).lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        if declares_doctype(text):
            raise MalformedFileError(msg("edexml.refusal.doctype"), file=file)
        return
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise UnsupportedFormatError(msg("edexml.refusal.zip"), file=file)
    if not head.strip():
        raise MalformedFileError(msg("edexml.refusal.empty"), file=file)
    raise UnsupportedFormatError(msg("edexml.refusal.not-xml"), file=file)


def _open(source: str | os.PathLike[str] | bytes | BinaryIO) -> tuple[Any, bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return io.BytesIO(data), data[:4096]
    if isinstance(source, str | os.PathLike):
        # libxml2 reads a named file itself, faster than through a Python file object.
        with open(source, "rb") as peek:
            return _Named(os.fspath(source)), peek.read(4096)
    handle = source
    head = handle.read(4096)
    if not isinstance(head, bytes):
        raise TypeError("read_edexml() takes a binary file object (open the file with 'rb')")
    return _Rejoined(head, handle), head


class _Named(str):
    """A file name for lxml to open, with the ``close()`` that parse() calls on streams."""

    __slots__ = ()

    def close(self) -> None:
        """Nothing to close: lxml closes the file it opened."""


class _Rejoined(io.RawIOBase):
    """The bytes already read for the head, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if isinstance(self._rest, io.BufferedReader | io.FileIO):
            self._rest.close()
        super().close()


def parse(source: str | os.PathLike[str] | bytes | BinaryIO, *, file: str) -> Parsed:
    """One hardened pass over the source: its school header, groups, pupils and teachers.

    Raises:
        UnsupportedFormatError: Not XML (a zip, an EDEX2000 text file), an XML document that
            is neither EDEXML nor UWLR, or a SOAP fault instead of data.
        MalformedFileError: A DOCTYPE or entity declaration, or XML that is not well-formed.
    """
    etree = import_optional("lxml.etree", extra="edexml", purpose="reading EDEXML")
    stream, head = _open(source)
    try:
        _refuse_non_xml(head, file)
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            return _walk(events, head, file)
        except etree.XMLSyntaxError as error:
            line, column = error.position if error.position else (0, 0)
            raise MalformedFileError(
                msg("edexml.refusal.not-well-formed", line=line, column=column), file=file
            ) from None
    finally:
        stream.close()


def _walk(events: Iterator[tuple[str, Any]], head: bytes, file: str) -> Parsed:
    parsed: Parsed | None = None
    checked = False
    names: dict[str, str] = {}
    trusted: Any = object()  # the container of the last record, known to be a data root's
    for _event, element in events:
        if not checked:
            _refuse_doctype(element, file)
            checked = True
        parent = element.getparent()
        if parent is trusted and parsed is not None:
            # The hot path: the next pupil (or teacher) in the same container.
            tag = element.tag
            name = names.get(tag) or names.setdefault(tag, _local(tag))
            if name == "leerling":
                parsed.pupils.append(_pupil(element, parsed))
                _free(element)
                continue
            up = _local(parent.tag)
        else:
            name = _local(element.tag)
            up = _local(parent.tag) if parent is not None else ""
        if name == "Fault":
            codes = [_text(child) for child in element if _local(child.tag) == "faultcode"]
            raise UnsupportedFormatError(
                msg("edexml.refusal.soap-fault", code=codes[0] if codes else "-"), file=file
            )
        if parsed is None:
            parsed = _data_root(element)
            if parsed is None:
                if name in _NO_DATA:
                    return Parsed(root=name, namespace="", no_data=name)
                continue
        if up in _CONTAINERS:
            grand = parent.getparent()
            if grand is None or _local(grand.tag) not in DATA_ROOTS:
                continue  # a reference inside a record, or a vendor's block reusing a name
            trusted = parent
        elif up not in DATA_ROOTS and name not in DATA_ROOTS:
            continue
        _take(name, up, element, parsed)
    if parsed is None:
        root = getattr(events, "root", None)
        if root is not None:
            _refuse_doctype(root, file)
        shown = _local(root.tag) if root is not None else first_element(head_text(head)) or "-"
        raise UnsupportedFormatError(msg("edexml.refusal.other-xml", root=shown), file=file)
    if "peildatum" in parsed.school or "instellingsnummer" in parsed.school:
        parsed.features.add("school-2.0")
    return parsed


def _data_root(element: Any) -> Parsed | None:
    """The Parsed of the nearest data root around ``element`` (None: not inside one)."""
    node = element
    while node is not None:
        tag = node.tag
        if _local(tag) in DATA_ROOTS:
            namespace = tag[1 : tag.index("}")] if tag.startswith("{") else ""
            return Parsed(root=_local(tag), namespace=namespace)
        node = node.getparent()
    return None


def _take(name: str, up: str, element: Any, parsed: Parsed) -> None:
    """Read one record element (or a container's records) into ``parsed``, then free it."""
    if name == "leerling":
        parsed.pupils.append(_pupil(element, parsed))
        _free(element)
    elif name == "leerkracht":
        parsed.teachers.append(_teacher(element, parsed))
        _free(element)
    elif name in ("groepen", "subgroepen") and up in DATA_ROOTS:
        parsed.containers.add("groepen")
        for child in element:
            local = _local(child.tag)
            if local in ("groep", "samengestelde_groep", "subgroep"):
                parsed.groups.append(_group(child, local, parsed))
        _free(element)
    elif name == "vestigingen" and up in DATA_ROOTS:
        parsed.containers.add(name)
        parsed.features.add("vestigingen")
        for child in element:
            if _local(child.tag) == "vestiging":
                parsed.locations.append((_key(child), _child_text(child, "naam"), _line(child)))
        _free(element)
    elif name == "school" and up in DATA_ROOTS:
        for child in element:
            local = _local(child.tag)
            if local in _SCHOOL_TEXT:
                value = _text(child)
                if value is not None:
                    parsed.school[local] = value
            elif local == "toevoegingen":
                parsed.features.add("toevoegingen")
        _free(element)
    elif name in _CONTAINERS and up in DATA_ROOTS:
        parsed.containers.add(name)
    elif name in _NO_DATA:
        parsed.no_data = name


def _refuse_doctype(element: Any, file: str) -> None:
    info = element.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.system_url or info.public_id:
        raise MalformedFileError(msg("edexml.refusal.doctype"), file=file)


def _line(element: Any) -> int:
    line: int | None = element.sourceline
    return line or 0


def _child_text(element: Any, wanted: str) -> str | None:
    for child in element:
        if _local(child.tag) == wanted:
            return _text(child)
    return None


def _note_key(key: str | None, parsed: Parsed) -> str | None:
    if key is not None and len(key) > 64:
        parsed.long_keys = True
    return key


def _group(element: Any, name: str, parsed: Parsed) -> GroupRow:
    if name == "samengestelde_groep":
        parsed.features.add("samengestelde_groep")
    group_name = year = None
    for child in element:
        local = _local(child.tag)
        if local == "naam":
            group_name = _text(child)
        elif local == "jaargroep":
            year = _text(child)
        elif local in ("omschrijving", "toevoegingen"):
            parsed.features.add(local)
    return GroupRow(
        key=_note_key(_key(element), parsed),
        name=group_name,
        year=year,
        homeroom=name == "groep",
        line=_line(element),
    )


def _pupil_code(tag: str, parsed: Parsed) -> int:
    """What a pupil's child is: a text position, a reference, a feature or nothing to read."""
    local = _local(tag)
    code = PUPIL_TEXT.get(local, _REFERENCES.get(local, _IGNORED))
    if code == _IGNORED and local in ELEMENTS_SINCE_20:
        code = _FEATURE
    if isinstance(tag, str):
        parsed.pupil_codes[tag] = code
    return code


def _pupil(element: Any, parsed: Parsed) -> list[Any]:
    """A pupil row (see KEY, ECKID...): texts as found, references by key, the line."""
    row: list[Any] = [None] * PUPIL_ROW
    codes = parsed.pupil_codes
    for child in element:
        tag = child.tag
        code = codes.get(tag)
        if code is None:
            code = _pupil_code(tag, parsed)
        if code < PUPIL_WIDTH:
            if code >= 0:
                row[code] = child.text
            elif code == _FEATURE:
                parsed.features.add(_local(tag))
        elif code == GROUPS:
            row[GROUPS] = [link.get("key") for link in child]
        else:
            row[code] = child.get("key")
    row[KEY] = element.get("key")
    row[ECKID] = element.get("eckid")
    row[LINE] = element.sourceline
    return row


def _roles(element: Any) -> list[str]:
    roles = []
    for child in element:
        local = _local(child.tag)
        if local in ("rol", "rolomschrijving"):
            text = _text(child)
            if text is not None:
                roles.append(text)
    return roles


def _teacher(element: Any, parsed: Parsed) -> Teacher:
    texts: list[str | None] = [None] * TEACHER_WIDTH
    roles: list[str] = []
    links: list[tuple[str, str | None]] = []
    seen = parsed.features
    for child in element:
        local = _local(child.tag)
        position = TEACHER_TEXT.get(local)
        if position is not None:
            texts[position] = child.text
            if local in ELEMENTS_SINCE_20:
                seen.add(local)
        elif local in ("rol", "rolomschrijving"):
            seen.add(local)
            text = _text(child)
            if text is not None:
                roles.append(text)
                if text.upper() == "TAL":
                    seen.add("TAL")
        elif local == "groepen":
            for link in child:
                key = _key(link)
                if key is None:
                    continue
                if _local(link.tag) == "samengestelde_groep":
                    seen.add("samengestelde_groep")
                link_roles = _roles(link)
                if link_roles:
                    seen.add("rol")
                    if any(role.upper() == "TAL" for role in link_roles):
                        seen.add("TAL")
                links.extend((key, role) for role in link_roles or [None])  # type: ignore[list-item]
        elif local == "toevoegingen":
            seen.add("toevoegingen")
    eckid = element.get("eckid")
    if eckid is not None:
        seen.add("eckid")
    return Teacher(
        key=_note_key(_key(element), parsed),
        eckid=eckid,
        texts=texts,
        roles=roles,
        links=links,
        line=_line(element),
    )
