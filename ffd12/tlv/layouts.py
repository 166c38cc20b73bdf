"""The byte layouts of FFD TLV as ``construct`` declarations — the normative reading of spec §1.

These Structs are the reference: the tests parse and build every value type with them and check
that the hand-tuned loop in :mod:`ffd12.tlv.codec` (needed for the speed target in bench/tlv.py)
produces and accepts exactly the same bytes.

>>> HEADER.parse(bytes.fromhex("ec045d00"))["tag"]
1260
>>> fvln(5).parse(bytes.fromhex("0215cd5b07"))
Container(point=2, mantissa=123456789)
"""

from __future__ import annotations

from typing import Any

from construct import Bytes, BytesInteger, GreedyBytes, GreedyString, Int8ul, Int16ul, Int32ul, Struct, this

__all__ = ["BYTE", "BYTES", "HEADER", "STRING", "TLV", "UINT16", "UINT32", "UNIXTIME", "fvln", "vln"]

# §1.1 every requisite: tag (u16 LE) | length (u16 LE) | value
HEADER = Struct("tag" / Int16ul, "length" / Int16ul)
TLV = Struct("tag" / Int16ul, "length" / Int16ul, "value" / Bytes(this.length))

# §1.2 byte («целое», 1 байт), also 1-byte bit masks
BYTE = Int8ul
# §1.2 uint16 LE
UINT16 = Int16ul
# §1.2 uint32 LE, also 4-byte bit masks
UINT32 = Int32ul
# §1.2 unixtime: uint32 LE seconds since 1970-01-01, local wall-clock time written as UTC
UNIXTIME = Int32ul
# §1.2 string: CP866 bytes, no terminator
STRING = GreedyString("cp866")
# §1.2 byte array: raw bytes
BYTES = GreedyBytes


def vln(length: int) -> Any:
    """§1.2 VLN: unsigned little-endian integer of ``length`` bytes (money in kopecks)."""
    return BytesInteger(length, swapped=True)


def fvln(length: int) -> Any:
    """§1.2 FVLN: point position byte, then an unsigned LE mantissa of ``length - 1`` bytes."""
    return Struct("point" / Int8ul, "mantissa" / BytesInteger(length - 1, swapped=True))
