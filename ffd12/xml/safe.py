"""Safe XML parsing for documents that come from outside (1C, a file, a socket).

The parser never resolves entities, never loads a DTD, never touches the network, refuses any
document that declares a DOCTYPE or an ENTITY (billion laughs, XXE), caps the input size and the
nesting depth. Everything that goes wrong is an :class:`~ffd12.errors.XmlError` with a line number.

>>> parse_xml(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>').tag
Traceback (most recent call last):
...
ffd12.errors.XmlError: could not read XML: a DOCTYPE or ENTITY declaration is not allowed (line 1)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree

from ffd12.errors import XmlError

__all__ = ["MAX_DEPTH", "MAX_XML_BYTES", "XmlWarning", "line_of", "parse_xml"]

log = logging.getLogger("ffd12.xml")

MAX_XML_BYTES: Final = 8 * 1024 * 1024
"""Largest document accepted: a 1C CheckPackage of a few thousand lines is well under 1 MiB."""

MAX_DEPTH: Final = 16
"""Deepest nesting accepted: 1C documents are 4 levels deep."""

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>", re.DOTALL)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlWarning:
    """Something read but converted or dropped: where (``Positions[2].VATRate``), line, what."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path} (line {self.line})" if self.line else self.path
        return f"{where}: {self.message}" if where else self.message


def line_of(element: etree._Element) -> int | None:
    """The source line of an element, when the parser recorded one."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _to_utf8(data: bytes, warnings: list[XmlWarning]) -> bytes:
    declared = _DECLARED_ENCODING.match(data)
    name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or name not in ("utf-8", "utf8"):
        return data  # lxml decodes what the document declares
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # 1C 2.x samples declare UTF-8 but are written in cp1251 (spec §0, S-25)
        warnings.append(XmlWarning(path="", line=None, message="not UTF-8 as declared; read as cp1251"))
        return data.decode("cp1251", errors="replace").encode("utf-8")
    return data


def parse_xml(data: bytes | str, *, warnings: list[XmlWarning] | None = None) -> etree._Element:
    """Parse untrusted XML into a tree, or raise :class:`XmlError`. Appends to ``warnings``."""
    sink: list[XmlWarning] = [] if warnings is None else warnings
    if isinstance(data, str):
        raw = _DECLARATION.sub(b"", data.encode("utf-8"), count=1)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise XmlError(f"could not read XML: expected bytes or str, got {type(data).__name__}")
    if len(raw) > MAX_XML_BYTES:
        raise XmlError(f"could not read XML: {len(raw)} bytes is over the {MAX_XML_BYTES}-byte limit")
    found = _FORBIDDEN.search(raw)
    if found is not None:
        line = raw.count(b"\n", 0, found.start()) + 1
        raise XmlError("could not read XML: a DOCTYPE or ENTITY declaration is not allowed", line=line)
    raw = _to_utf8(raw, sink)
    try:
        tree = etree.fromstring(raw, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"could not read XML: {exc.msg}", line=exc.lineno) from None
    except (ValueError, LookupError) as exc:  # unknown encoding name and the like
        raise XmlError(f"could not read XML: {exc}") from None
    info: Any = tree.docinfo
    if info.doctype or info.internalDTD is not None:
        raise XmlError("could not read XML: a DOCTYPE or ENTITY declaration is not allowed", line=1)
    root = tree.getroot()
    for element in root.iter():
        if not isinstance(element.tag, str):  # an entity reference left unresolved
            raise XmlError("could not read XML: entity references are not allowed", line=line_of(element))
    _check_depth(root)
    return root


def _check_depth(root: etree._Element) -> None:
    stack: list[tuple[etree._Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise XmlError(f"could not read XML: nested deeper than {MAX_DEPTH}", line=line_of(element))
        stack.extend((child, depth + 1) for child in element)
