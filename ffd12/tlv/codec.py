"""FFD TLV encode/decode (spec §1): bytes ⇄ a tree of :class:`~ffd12.tlv.nodes.Tlv`.

The layouts are those declared with ``construct`` in :mod:`ffd12.tlv.layouts`; this module walks
them with ``struct``/``int.from_bytes`` in one loop because a 100-item receipt must decode within
3× a bare ``struct`` walk (bench/tlv.py). The tests check both readings agree byte for byte. For
the same reason the loop reads the commonest types inline and shares one node between identical
short scalar TLVs (nodes are immutable; the table of shared nodes is bounded).

Decoding is strict and bounded: every error is a :class:`~ffd12.errors.TlvError` naming the tag
path (``3/1059[3]/1260/1265``: ``[i]`` is the 0-based occurrence among siblings, always written for
1059, otherwise only when ``i > 0``) and the absolute byte offset. Nesting is capped at
:data:`MAX_DEPTH`; values longer than the dictionary allows are refused, so a hostile 64 KiB buffer
costs at most one pass over its bytes.

>>> decode(bytes.fromhex("3604 0100 03".replace(" ", "")))[0]
Tlv(tag=1078, value=b'\\x03')
>>> encode([Tlv(1020, 132)]).hex(" ")
'fc 03 01 00 84'
"""

from __future__ import annotations

import datetime as _dt
import re
import struct
from codecs import charmap_decode as _charmap_decode
from codecs import charmap_encode as _charmap_encode
from collections.abc import Callable, Iterable
from decimal import Decimal
from encodings.cp866 import decoding_table as _CP866_TABLE
from encodings.cp866 import encoding_map as _CP866_ENCODING

from ffd12.errors import TlvError
from ffd12.tlv.nodes import Tlv, TlvList, TlvValue
from ffd12.tlv.tags import TAGS, TagType

__all__ = ["MAX_DEPTH", "decode", "encode"]

#: Deepest STLV nesting accepted (a document, 1059, 1260, … needs 3; spec has no limit).
MAX_DEPTH = 8
#: Items are addressed by position in error paths even when first (``1059[0]``).
_ALWAYS_INDEXED = frozenset({1059})
#: Control bytes that never occur in FFD text; GS (0x1D, in КМ), TAB, LF and CR are allowed.
_BAD_TEXT_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1c\x1e\x1f]")

_HEADER = struct.Struct("<HH")  # layouts.HEADER, §1.1
_EPOCH = _dt.datetime(1970, 1, 1)
_SECOND = _dt.timedelta(seconds=1)
_U32_MAX = 0xFFFFFFFF
_FVLN_DIGITS_MAX = 20  # a mantissa of at most 7 bytes has 17 digits; refuse 1E+999999999 before int()


class _Bad(Exception):
    """A value that does not fit its type; the loop turns it into a TlvError with path/offset."""


# ---------------------------------------------------------------- decoding of scalar values

def _d_byte(buf: bytes, start: int, end: int) -> int:
    return buf[start]


def _d_uint(buf: bytes, start: int, end: int) -> int:
    return int.from_bytes(buf[start:end], "little")


def _d_fvln(buf: bytes, start: int, end: int) -> Decimal:
    mantissa = int.from_bytes(buf[start + 1 : end], "little")
    return Decimal(mantissa).scaleb(-buf[start])


def _bad_text(text: str, start: int) -> str:
    bad = _BAD_TEXT_CHARS.search(text)
    at = start + (bad.start() if bad else 0)
    return f"could not decode CP866 text: control byte 0x{ord(bad.group()) if bad else 0:02X} at {at}"


def _d_string(buf: bytes, start: int, end: int) -> str:
    text: str = _charmap_decode(buf[start:end], "strict", _CP866_TABLE)[0]
    if not text.isprintable() and _BAD_TEXT_CHARS.search(text):
        raise _Bad(_bad_text(text, start))
    return text


def _d_fixed_string(buf: bytes, start: int, end: int) -> str:
    return _d_string(buf, start, end).rstrip(" ")


def _d_unixtime(buf: bytes, start: int, end: int) -> _dt.datetime:
    return _EPOCH + int.from_bytes(buf[start:end], "little") * _SECOND


def _d_bytes(buf: bytes, start: int, end: int) -> bytes:
    return buf[start:end]


# ---------------------------------------------------------------- encoding of scalar values

def _need_int(value: object, what: str) -> int:
    if not isinstance(value, int):
        raise _Bad(f"could not encode {what}: expected int, got {type(value).__name__}")
    if value < 0:
        raise _Bad(f"could not encode {what}: expected a non-negative int, got {value}")
    return value


def _e_byte(value: TlvValue) -> bytes:
    number = _need_int(value, "byte")
    if number > 0xFF:
        raise _Bad(f"could not encode byte: expected 0..255, got {number}")
    return bytes((number,))


def _e_uint16(value: TlvValue) -> bytes:
    number = _need_int(value, "uint16")
    if number > 0xFFFF:
        raise _Bad(f"could not encode uint16: expected 0..65535, got {number}")
    return number.to_bytes(2, "little")


def _e_uint32(value: TlvValue) -> bytes:
    number = _need_int(value, "uint32")
    if number > _U32_MAX:
        raise _Bad(f"could not encode uint32: expected 0..4294967295, got {number}")
    return number.to_bytes(4, "little")


def _e_vln(value: TlvValue) -> bytes:
    number = _need_int(value, "VLN")
    return number.to_bytes(max(1, (number.bit_length() + 7) // 8), "little")


def _e_fvln(value: TlvValue) -> bytes:
    if isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise _Bad(f"could not encode FVLN: expected Decimal, got {type(value).__name__}")
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise _Bad(f"could not encode FVLN: expected a finite number, got {value}")
    if sign and any(digits):
        raise _Bad(f"could not encode FVLN: expected a non-negative number, got {value}")
    if value.adjusted() > _FVLN_DIGITS_MAX:
        raise _Bad(f"could not encode FVLN: expected at most {_FVLN_DIGITS_MAX} digits, got {value}")
    if exponent >= 0:
        point, mantissa = 0, int(value)
    else:
        point, mantissa = -exponent, int("".join(map(str, digits)) or "0")
    if point > 0xFF:
        raise _Bad(f"could not encode FVLN: expected at most 255 decimals, got {point}")
    return bytes((point,)) + mantissa.to_bytes(max(1, (mantissa.bit_length() + 7) // 8), "little")


def _no_cp866(value: str, exc: UnicodeEncodeError) -> _Bad:
    return _Bad(f"could not encode string: {value[exc.start]!r} at {exc.start} has no CP866 code")


def _e_string(value: TlvValue) -> bytes:
    if not isinstance(value, str):
        raise _Bad(f"could not encode string: expected str, got {type(value).__name__}")
    bad = _BAD_TEXT_CHARS.search(value)
    if bad is not None:
        raise _Bad(f"could not encode string: control character {bad.group()!r} at {bad.start()}")
    try:
        return value.encode("cp866")
    except UnicodeEncodeError as exc:
        raise _no_cp866(value, exc) from None


def _e_unixtime(value: TlvValue) -> bytes:
    if not isinstance(value, _dt.datetime):
        raise _Bad(f"could not encode unixtime: expected datetime, got {type(value).__name__}")
    seconds = (value.replace(tzinfo=None, microsecond=0) - _EPOCH) // _SECOND
    if not 0 <= seconds <= _U32_MAX:
        raise _Bad(f"could not encode unixtime: {value} is outside 1970..2106")
    return seconds.to_bytes(4, "little")


def _e_bytes(value: TlvValue) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _Bad(f"could not encode byte array: expected bytes, got {type(value).__name__}")
    return bytes(value)


# ---------------------------------------------------------------- the plan: one row per known tag

_Decoder = Callable[[bytes, int, int], TlvValue]
_Encoder = Callable[[TlvValue], bytes]

# type → (min length, decoder, encoder); STLV is handled by the walk itself.
_BY_TYPE: dict[TagType, tuple[int, _Decoder | None, _Encoder | None]] = {
    TagType.BYTE: (1, _d_byte, _e_byte),
    TagType.UINT16: (2, _d_uint, _e_uint16),
    TagType.UINT32: (4, _d_uint, _e_uint32),
    TagType.VLN: (1, _d_uint, _e_vln),
    TagType.FVLN: (2, _d_fvln, _e_fvln),
    TagType.STRING: (0, _d_string, _e_string),
    TagType.UNIXTIME: (4, _d_unixtime, _e_unixtime),
    TagType.BYTES: (0, _d_bytes, _e_bytes),
    TagType.STLV: (0, None, None),
}

# tag → (min length, max length, decoder or None for STLV, encoder, pad to fixed length with spaces)
_Plan = tuple[int, int, _Decoder | None, _Encoder | None, int]


def _plan_row(tag: int) -> _Plan:
    info = TAGS[tag]
    min_len, decoder, encoder = _BY_TYPE[info.type]
    pad = 0
    if info.fixed_len is not None:
        min_len = info.fixed_len
        if info.type is TagType.STRING:
            decoder, pad = _d_fixed_string, info.fixed_len
    return (min_len, info.max_len, decoder, encoder, pad)


_PLAN: dict[int, _Plan] = {tag: _plan_row(tag) for tag in TAGS}
# The decode loop's view of the plan: (min length, max length, way, decoder). ``way`` lets the loop
# read the commonest types inline (a function call costs as much as the typing itself).
_CALL, _NEST, _BYTE, _UINT, _TEXT, _VLN = range(6)
_WAYS: dict[_Decoder | None, int] = {None: _NEST, _d_byte: _BYTE, _d_uint: _UINT, _d_string: _TEXT}
_DECODE_PLAN: dict[int, tuple[int, int, int, _Decoder | None]] = {
    tag: (row[0], row[1], _WAYS.get(row[2], _CALL), row[2]) for tag, row in _PLAN.items()
}
# Tlv is frozen: the decode loop fills the two slots directly, which is what its __init__ does.
_new_node = object.__new__
_set_tag = Tlv.__dict__["tag"].__set__
_set_value = Tlv.__dict__["value"].__set__
_new_list = tuple.__new__
# The encode loop's view: (min length, max length, way, encoder, pad to this length with spaces).
_ENCODE_WAYS: dict[_Encoder | None, int] = {None: _NEST, _e_byte: _BYTE, _e_vln: _VLN, _e_string: _TEXT}
_ENCODE_PLAN: dict[int, tuple[int, int, int, _Encoder | None, int]] = {
    tag: (row[0], row[1], _ENCODE_WAYS.get(row[3], _CALL), row[3], row[4]) for tag, row in _PLAN.items()
}
# Short scalar requisites repeat a lot (VAT rate, flags, 1262 "030", 1263 date…): nodes are
# immutable, so one decoded node is shared by every identical TLV (key: its whole bytes). Bounded.
_INTERN_LEN = 16
_INTERN_SIZE = 4096
_INTERNED: dict[bytes, Tlv] = {}


def _segment(tag: int, siblings: list[Tlv] | Iterable[Tlv]) -> str:
    index = sum(1 for item in siblings if item.tag == tag)
    return f"{tag}[{index}]" if index or tag in _ALWAYS_INDEXED else str(tag)


def _nest(error: TlvError, segment: str) -> TlvError:
    path = f"{segment}/{error.path}" if error.path else segment
    return TlvError(error.reason, path=path, offset=error.offset)


# ---------------------------------------------------------------- decode

def decode(data: bytes | bytearray | memoryview) -> TlvList:
    """Read a sequence of TLVs (e.g. one whole document, tag 3) into a typed tree."""
    buf = bytes(data)
    return _decode_list(buf, 0, len(buf), 1)


def _decode_list(buf: bytes, pos: int, end: int, depth: int) -> TlvList:
    items: list[Tlv] = []
    append = items.append
    unpack = _HEADER.unpack_from
    plan = _DECODE_PLAN.get
    interned = _INTERNED.get
    from_bytes = int.from_bytes
    while pos < end:
        if end - pos < 4:
            raise TlvError(f"truncated TLV header: expected 4 bytes, got {end - pos}", offset=pos)
        tag, length = unpack(buf, pos)
        start = pos + 4
        stop = start + length
        if stop > end:
            raise TlvError(
                f"length runs past the buffer: tag {tag} announces {length} bytes, {end - start} left",
                path=_segment(tag, items),
                offset=pos,
            )
        if length <= _INTERN_LEN:
            key = buf[pos:stop]
            node = interned(key)
            if node is not None:
                append(node)
                pos = stop
                continue
        row = plan(tag)
        value: TlvValue
        if row is None:
            value = buf[start:stop]
        else:
            min_len, max_len, way, decoder = row
            if not min_len <= length <= max_len:
                raise TlvError(
                    f"bad length for tag {tag}: expected {min_len}..{max_len} bytes, got {length}",
                    path=_segment(tag, items),
                    offset=pos,
                )
            if way == _BYTE:
                value = buf[start]
            elif way == _UINT:
                value = from_bytes(buf[start:stop], "little")
            elif way == _TEXT:
                value = _charmap_decode(buf[start:stop], "strict", _CP866_TABLE)[0]
                if not value.isprintable() and _BAD_TEXT_CHARS.search(value):
                    raise TlvError(_bad_text(value, start), path=_segment(tag, items), offset=start)
            elif way == _NEST:
                if depth >= MAX_DEPTH:
                    raise TlvError(
                        f"STLV nested deeper than {MAX_DEPTH}", path=_segment(tag, items), offset=pos
                    )
                try:
                    value = _decode_list(buf, start, stop, depth + 1)
                except TlvError as exc:
                    raise _nest(exc, _segment(tag, items)) from None
            else:
                try:
                    value = decoder(buf, start, stop)  # type: ignore[misc]
                except _Bad as exc:
                    raise TlvError(str(exc), path=_segment(tag, items), offset=start) from None
        node = _new_node(Tlv)
        _set_tag(node, tag)
        _set_value(node, value)
        append(node)
        if length <= _INTERN_LEN and row is not None and row[2] != _NEST:
            if len(_INTERNED) >= _INTERN_SIZE:
                _INTERNED.clear()
            _INTERNED[key] = node
        pos = stop
    return _new_list(TlvList, items)


# ---------------------------------------------------------------- encode

def encode(items: Iterable[Tlv]) -> bytes:
    """Write TLVs (e.g. ``[Tlv(3, TlvList([...]))]`` for a receipt) to bytes.

    VLN/FVLN mantissas take the fewest bytes; fixed-length strings are padded with spaces;
    datetimes lose microseconds and any tzinfo (the wall-clock time is written, spec §1.2).
    """
    out = bytearray()
    _encode_into(out, items, 1)
    return bytes(out)


def _encode_into(out: bytearray, items: Iterable[Tlv], depth: int) -> None:
    seq = items if isinstance(items, tuple | list) else list(items)
    pack = _HEADER.pack_into
    plan = _ENCODE_PLAN.get
    for index, item in enumerate(seq):
        if type(item) is not Tlv and not isinstance(item, Tlv):
            raise TlvError(f"could not encode: expected Tlv, got {type(item).__name__}", offset=len(out))
        tag, value = item.tag, item.value
        at = len(out)
        if type(tag) is not int or not 0 <= tag <= 0xFFFF:
            raise TlvError(f"could not encode tag {tag!r}: expected 0..65535", offset=at)
        out += b"\0\0\0\0"
        row = plan(tag)
        try:
            if row is None:
                out += _e_bytes(value)
                min_len, max_len = 0, 0xFFFF
            else:
                min_len, max_len, way, encoder, pad = row
                if way == _BYTE and type(value) is int and 0 <= value <= 0xFF:
                    out.append(value)
                elif way == _VLN and type(value) is int and value >= 0:
                    out += value.to_bytes((value.bit_length() + 7) // 8 or 1, "little")
                elif way == _TEXT and type(value) is str and value.isprintable():
                    try:
                        out += _charmap_encode(value, "strict", _CP866_ENCODING)[0]
                    except UnicodeEncodeError as exc:
                        raise _no_cp866(value, exc) from None
                elif way == _NEST:
                    if depth >= MAX_DEPTH:
                        raise _Bad(f"STLV nested deeper than {MAX_DEPTH}")
                    if not isinstance(value, tuple | list):
                        raise _Bad(f"could not encode STLV: expected TlvList, got {type(value).__name__}")
                    try:
                        _encode_into(out, value, depth + 1)
                    except TlvError as exc:
                        raise _nest(exc, _segment(tag, seq[:index])) from None
                else:
                    out += encoder(value)  # type: ignore[misc]
                if pad and len(out) - at - 4 < pad:
                    out += b" " * (pad - (len(out) - at - 4))
        except _Bad as exc:
            raise TlvError(str(exc), path=_segment(tag, seq[:index]), offset=at) from None
        length = len(out) - at - 4
        if not min_len <= length <= max_len:
            raise TlvError(
                f"could not encode tag {tag}: expected {min_len}..{max_len} bytes, got {length}",
                path=_segment(tag, seq[:index]),
                offset=at,
            )
        pack(out, at, tag, length)
