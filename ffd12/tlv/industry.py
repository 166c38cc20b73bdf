"""Отраслевой реквизит ⇄ TLV: 1260 (предмет расчета) / 1261 (чек) with 1262–1265 (spec §3).

>>> from ffd12.model import IndustryRequisite
>>> req = IndustryRequisite(foiv="030", doc_date="21.11.2023", doc_number="1944",
...                         value="UUID=0d3a9b5e-6f1c-4c9e-9a47-2b8f3c1d5e70&Time=1723181059685")
>>> len(encode([to_tlv(req)]))
97
>>> from_tlv(to_tlv(req, tag=1261)) == req
True
"""

from __future__ import annotations

from ffd12.errors import TlvError
from ffd12.model import IndustryRequisite
from ffd12.tlv.codec import encode
from ffd12.tlv.nodes import Tlv, TlvList
from ffd12.tlv.tags import TAGS

__all__ = ["TAG_INDUSTRY_ITEM", "TAG_INDUSTRY_RECEIPT", "from_tlv", "to_tlv"]

TAG_INDUSTRY_ITEM = 1260
TAG_INDUSTRY_RECEIPT = 1261
_FOIV, _DATE, _NUMBER, _VALUE = 1262, 1263, 1264, 1265
_FIELDS = ((_FOIV, "foiv"), (_DATE, "doc_date"), (_NUMBER, "doc_number"), (_VALUE, "value"))


def _check_tag(tag: int) -> None:
    if tag not in (TAG_INDUSTRY_ITEM, TAG_INDUSTRY_RECEIPT):
        raise TlvError(
            f"could not use tag {tag} for an industry requisite: expected 1260 or 1261", path=str(tag)
        )


def to_tlv(req: IndustryRequisite, *, tag: int = TAG_INDUSTRY_ITEM) -> Tlv:
    """Build STLV 1260 (or 1261) from ``req``; every length limit is checked (TlvError).

    1263 must be exactly «ДД.ММ.ГГГГ» long (10 characters): a fixed-length field is never padded
    here, because a padded date would be a wrong date. The whole STLV must fit
    :data:`ffd12.tlv.tags.INDUSTRY_STLV_MAX` (unverified, see spec §3 open point 1).
    """
    _check_tag(tag)
    fixed = TAGS[_DATE].fixed_len
    if len(req.doc_date) != fixed:
        raise TlvError(
            f"could not build tag {_DATE}: expected a {fixed}-character date ДД.ММ.ГГГГ, "
            f"got {req.doc_date!r}",
            path=f"{tag}/{_DATE}",
        )
    node = Tlv(tag, TlvList(Tlv(number, getattr(req, field)) for number, field in _FIELDS))
    encode([node])  # the one place that knows every limit; raises TlvError with the tag path
    return node


def from_tlv(t: Tlv) -> IndustryRequisite:
    """Read STLV 1260/1261 into an :class:`~ffd12.model.IndustryRequisite` (all four children needed)."""
    _check_tag(t.tag)
    if not isinstance(t.value, TlvList):
        raise TlvError(
            f"could not read tag {t.tag}: expected STLV, got {type(t.value).__name__}", path=str(t.tag)
        )
    values: dict[str, str] = {}
    for number, field in _FIELDS:
        found = t.value.value(number)
        if found is None:
            raise TlvError(f"could not read tag {t.tag}: child {number} is missing", path=f"{t.tag}/{number}")
        if not isinstance(found, str):
            raise TlvError(
                f"could not read tag {number}: expected str, got {type(found).__name__}",
                path=f"{t.tag}/{number}",
            )
        values[field] = found
    return IndustryRequisite(**values)
