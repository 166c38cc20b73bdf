"""The receipt model in FFD vocabulary: pure, frozen, slotted, keyword-only data (layer 1).

No I/O and no serialization here: ``ffd12.tlv`` and ``ffd12.xml`` map these objects to bytes and
XML, ``ffd12.rules`` checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IndustryRequisite"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndustryRequisite:
    """Отраслевой реквизит: 1260 on an item, 1261 on a receipt (tags 1262–1265).

    ``foiv`` (1262) is the 3-digit authority id, e.g. "030"; ``doc_date`` (1263) the date of the
    foundation document as written in FFD, «ДД.ММ.ГГГГ», e.g. "21.11.2023"; ``doc_number`` (1264)
    its number, e.g. "1944"; ``value`` (1265) the requisite itself, e.g.
    "UUID=<reqId>&Time=<reqTimestamp>" in permissive mode. Formats and lengths are checked by
    ``ffd12.rules`` and by the TLV encoder, not here.
    """

    foiv: str
    doc_date: str
    doc_number: str
    value: str
