"""Is this an XML document, and what is its first element? From the first bytes, without lxml.

``ek.read`` asks every format's sniffer about every source, so this stays cheap: a few
regular expressions over at most 4096 bytes.
"""

from __future__ import annotations

import re

from edukoppel.readers.table._detect import head_text

__all__ = ["declares_doctype", "first_element", "head_text", "sniff"]

_PROLOG = re.compile(r"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*", re.DOTALL)
_ELEMENT = re.compile(r"<(?:([\w.-]+):)?([\w.-]+)")


def first_element(text: str) -> str | None:
    """The local name of the first element after the XML declaration and comments.

    ``None`` when the text is not markup, or when a DOCTYPE comes first (the caller refuses
    those: they are how entity attacks start).

    Examples:
        >>> first_element('<?xml version="1.0"?><!-- x --><s:Envelope xmlns:s="...">')
        'Envelope'
    """
    text = text.lstrip("\ufeff")
    prolog = _PROLOG.match(text)
    rest = text[prolog.end() if prolog else 0 :]
    match = _ELEMENT.match(rest)
    return match.group(2) if match else None


def declares_doctype(text: str) -> bool:
    r"""Whether a DOCTYPE follows the XML declaration (where XML allows it, before the root).

    Examples:
        >>> declares_doctype('<?xml version="1.0"?>\n<!DOCTYPE EDEX [<!ENTITY a "b">]><EDEX/>')
        True
    """
    text = text.lstrip("\ufeff")
    prolog = _PROLOG.match(text)
    return text[prolog.end() if prolog else 0 :].startswith("<!DOCTYPE")


def sniff(head: bytes, name: str | None) -> bool:
    r"""Claim every XML document except what the table reader explains better (HTML, Excel 2003).

    The EDEXML reader then reads EDEXML and UWLR, and refuses any other XML document with a
    message that names its root element.

    Examples:
        >>> sniff(b'<?xml version="1.0"?><EDEX><school/></EDEX>', "school.xml")
        True
        >>> sniff(b"<html><table></table></html>", "lijst.xls"), sniff(b"id;naam\n", None)
        (False, False)
    """
    text = head_text(head).lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return False
    lowered = text.lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return False
    return not (
        lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered or "<table" in lowered
    )
