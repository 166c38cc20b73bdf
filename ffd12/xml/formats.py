"""The ``xml`` format of ``ffd12 convert``: 1C CheckPackage ⇄ the FFD 1.2 receipt document.

Reading goes CheckPackage → :class:`~ffd12.model.Receipt` → ``Tlv(3|31, …)``; ``ffd12 convert``
checks the FFD 1.2 rules on the document whatever format it came from (``--no-check`` skips
that). Writing goes the other way through :func:`ffd12.tlv.receipt.from_tlv`. Conversions of older
1C forms are logged as warnings on the ``ffd12.xml`` logger.
"""

from __future__ import annotations

import logging

from ffd12.tlv.formats import Format, register_format
from ffd12.tlv.nodes import Tlv
from ffd12.tlv.receipt import from_tlv, to_tlv
from ffd12.xml.read_check import read_check_package
from ffd12.xml.write_check import write_check_package

__all__ = ["XML_FORMAT", "read_xml", "write_xml"]

log = logging.getLogger("ffd12.xml")


def read_xml(data: bytes) -> Tlv:
    """CheckPackage bytes → receipt document (the caller decides whether to check the rules)."""
    receipt, warnings = read_check_package(data)
    for warning in warnings:
        log.warning("CheckPackage converted: %s", warning)
    return to_tlv(receipt)


def write_xml(doc: Tlv) -> bytes:
    """Receipt document → CheckPackage bytes (current FFD 1.2 form)."""
    return write_check_package(from_tlv(doc))


XML_FORMAT = Format(
    name="xml", extensions=(".xml",), read=read_xml, write=write_xml, description="1C CheckPackage XML"
)
register_format(XML_FORMAT)
