"""XSD validation of the 1C documents against the schemas shipped in ``ffd12/xml/schemas``.

The schemas describe the **current** FFD 1.2 form (spec/onec-xml.md §4, §6): a legacy document
that :func:`ffd12.xml.read_check_package` still reads (with warnings) fails validation here. The
schema to use is chosen by the root element.

>>> [str(i) for i in validate(b'<RequestKMResult Checking="True"/>')]
["line 1: Element 'RequestKMResult': The attribute 'CheckingResult' is required but missing."]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Final

from lxml import etree

from ffd12.errors import XmlError
from ffd12.xml.safe import parse_xml

__all__ = ["SCHEMAS", "SchemaIssue", "schema_path", "validate"]

SCHEMAS: Final = ("CheckPackage", "RequestKM", "RequestKMResult", "ProcessingKMResult")


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaIssue:
    """One schema error: the line of the document and libxml2's message."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def schema_path(name: str) -> str:
    """File system path of the XSD for a document root (package data)."""
    if name not in SCHEMAS:
        raise XmlError(
            f"could not validate: no schema for root element {name[:40]!r}; known: {', '.join(SCHEMAS)}"
        )
    return str(files("ffd12.xml").joinpath("schemas", f"{name}.xsd"))


@functools.cache
def _schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(schema_path(name), parser))


def validate(data: bytes | str) -> list[SchemaIssue]:
    """Schema errors of a 1C document with their line numbers; an empty list when it is valid.

    Raises :class:`~ffd12.errors.XmlError` when the document cannot be parsed at all (malformed,
    hostile, too large) or its root element has no schema.
    """
    root = parse_xml(data)
    schema = _schema(str(root.tag))
    if schema.validate(root.getroottree()):
        return []
    log: Any = schema.error_log
    return [SchemaIssue(line=e.line or None, message=e.message) for e in log]
