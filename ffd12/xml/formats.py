"""The ``xml`` format of ``ffd12 convert``: 1C CheckPackage ⇄ the FFD 1.2 receipt document.

Reading goes CheckPackage → :class:`~ffd12.model.Receipt` → FFD 1.2 rules → ``Tlv(3|31, …)``; a
receipt that breaks a rule is refused with a :class:`~ffd12.errors.ValidationError` listing every
violation, unless checking was switched off with :func:`set_checking` (what ``--no-check`` is
for). Writing goes the other way through :func:`ffd12.tlv.receipt.from_tlv`. Conversions of older
1C forms are logged as warnings on the ``ffd12.xml`` logger.
"""

from __future__ import annotations

import logging

from ffd12.errors import Violation
from ffd12.rules import check, validate
from ffd12.tlv.formats import Format, register_format
from ffd12.tlv.nodes import Tlv
from ffd12.tlv.receipt import from_tlv, to_tlv
from ffd12.xml.read_check import read_check_package
from ffd12.xml.write_check import write_check_package

__all__ = ["XML_FORMAT", "check_document", "checking", "read_xml", "set_checking", "write_xml"]

log = logging.getLogger("ffd12.xml")

_state = {"check": True}


def set_checking(enabled: bool) -> None:
    """Whether :func:`read_xml` (and so ``ffd12 convert`` from ``.xml``) refuses invalid receipts."""
    _state["check"] = enabled


def checking() -> bool:
    return _state["check"]


def check_document(doc: Tlv) -> list[Violation]:
    """FFD 1.2 violations of a receipt document of any source format (3 or 31)."""
    return check(from_tlv(doc))


def read_xml(data: bytes, *, check_rules: bool | None = None) -> Tlv:
    """CheckPackage bytes → receipt document; refuses an invalid receipt unless told not to."""
    receipt, warnings = read_check_package(data)
    for warning in warnings:
        log.warning("CheckPackage converted: %s", warning)
    if checking() if check_rules is None else check_rules:
        validate(receipt)
    return to_tlv(receipt)


def write_xml(doc: Tlv) -> bytes:
    """Receipt document → CheckPackage bytes (current FFD 1.2 form)."""
    return write_check_package(from_tlv(doc))


XML_FORMAT = Format(
    name="xml", extensions=(".xml",), read=read_xml, write=write_xml, description="1C CheckPackage XML"
)
register_format(XML_FORMAT)
