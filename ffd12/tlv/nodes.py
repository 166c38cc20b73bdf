"""TLV tree nodes: one requisite (:class:`Tlv`) and an ordered list of them (:class:`TlvList`).

A fiscal document is a tree: the document itself is one STLV whose tag is its form code
(3 = кассовый чек) and whose value is a :class:`TlvList` of requisites; a предмет расчета (1059)
is again an STLV, and so on. The Python type of a value follows the dictionary type of its tag:

========================  =====================================================
FFD type                  Python value
========================  =====================================================
byte, uint16, uint32      ``int`` (bit masks too)
VLN                       ``int`` (money in kopecks)
FVLN                      ``decimal.Decimal`` (its exponent is kept)
string                    ``str`` (CP866 on the wire)
unixtime                  naive ``datetime.datetime`` — local time written as UTC
byte array                ``bytes``
STLV                      :class:`TlvList`
unknown tag               ``bytes`` (raw; survives a decode → encode round trip)
========================  =====================================================

>>> doc = Tlv(3, TlvList([Tlv(1054, 1), Tlv(1020, 15000)]))
>>> doc.value.value(1020)
15000
>>> doc.value.get(1031) is None
True
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

__all__ = ["Tlv", "TlvList", "TlvValue"]

TlvValue: TypeAlias = "int | Decimal | str | _dt.datetime | bytes | TlvList"


@dataclass(frozen=True, slots=True)
class Tlv:
    """One requisite: a tag number and its typed value (see the module docstring for types)."""

    tag: int
    value: TlvValue

    @property
    def children(self) -> TlvList:
        """The nested requisites of an STLV; an empty list for any other value."""
        return self.value if isinstance(self.value, TlvList) else _EMPTY

    def get(self, tag: int) -> Tlv | None:
        """First child with ``tag`` (STLV only), e.g. ``item.get(1260)``."""
        return self.children.get(tag)


class TlvList(tuple[Tlv, ...]):
    """An immutable, ordered list of requisites; repeated tags are simply repeated entries.

    It is a tuple underneath: ``len``, iteration, indexing and ``==`` work as for a tuple
    (a slice is a plain tuple).
    """

    __slots__ = ()

    def __new__(cls, items: Iterable[Tlv] = ()) -> TlvList:
        return super().__new__(cls, items)

    def get(self, tag: int) -> Tlv | None:
        """The first requisite with ``tag``, or None."""
        for item in self:
            if item.tag == tag:
                return item
        return None

    def get_all(self, tag: int) -> list[Tlv]:
        """Every requisite with ``tag``, in document order (e.g. all 1059 items)."""
        return [item for item in self if item.tag == tag]

    def value(self, tag: int, default: TlvValue | None = None) -> TlvValue | None:
        """The value of the first requisite with ``tag``, or ``default``."""
        for item in self:
            if item.tag == tag:
                return item.value
        return default

    def __repr__(self) -> str:
        return f"TlvList({list(self)!r})"


_EMPTY = TlvList()
