"""Bad TLV input: each case raises TlvError naming the tag path and the byte offset, in bounded time."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

import pytest

from ffd12.errors import TlvError
from ffd12.tlv import MAX_DEPTH, Tlv, TlvList, decode, encode


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def tlv(tag: int, value: bytes) -> bytes:
    return tag.to_bytes(2, "little") + len(value).to_bytes(2, "little") + value


ITEM = tlv(1030, b"abc")  # a harmless 1059 content, 7 bytes


def test_truncated_header() -> None:
    with pytest.raises(TlvError) as err:
        decode(h("0300 0000 1e04 01"))
    assert err.value.offset == 4 and "truncated" in str(err.value)


def test_truncated_header_inside_stlv_names_the_path() -> None:
    with pytest.raises(TlvError) as err:
        decode(tlv(3, tlv(1059, ITEM + h("0604"))))
    assert err.value.path == "3/1059[0]" and err.value.offset == 15


def test_length_past_buffer_deep_path() -> None:
    good = tlv(1059, ITEM)
    bad_1265 = h("f104 0a00") + b"abc"  # announces 10 bytes, 3 present inside the 1260
    industry = tlv(1260, tlv(1262, b"030") + bad_1265)
    data = good * 3 + tlv(1059, ITEM + industry)
    with pytest.raises(TlvError) as err:
        decode(data)
    offset_1265 = 3 * 11 + 4 + 7 + 4 + 7
    assert err.value.path == "1059[3]/1260/1265"
    assert err.value.offset == offset_1265
    assert "(at 1059[3]/1260/1265, offset 55)" in str(err.value)


@pytest.mark.parametrize(
    ("wire", "path"),
    [
        (tlv(1054, b"\x01\x02"), "1054"),  # byte must be 1 byte
        (tlv(1040, b"\x01\x02"), "1040"),  # uint32 must be 4 bytes
        (tlv(1020, b"\x01" * 7), "1020"),  # VLN over its max 6
        (tlv(1020, b""), "1020"),  # VLN needs at least one byte
        (tlv(1023, b"\x02"), "1023"),  # FVLN needs point + mantissa
        (tlv(1030, b"a" * 129), "1030"),  # string over 128
        (tlv(1037, b"12345"), "1037"),  # fixed 20
        (tlv(1077, b"\x00" * 5), "1077"),  # byte array fixed 6
        (tlv(1012, b"\x00" * 3), "1012"),  # unixtime 4
        (tlv(1260, tlv(9999, b"x" * 314)), "1260"),  # STLV over 317
    ],
)
def test_length_against_the_dictionary(wire: bytes, path: str) -> None:
    with pytest.raises(TlvError) as err:
        decode(wire)
    assert err.value.path == path and err.value.offset == 0 and "bad length" in str(err.value)


def test_endless_nesting_is_capped() -> None:
    data = ITEM
    for _ in range(MAX_DEPTH + 5):
        data = tlv(1059, data)
    with pytest.raises(TlvError) as err:
        decode(data)
    assert "nested deeper" in str(err.value)
    assert err.value.path.count("/") == MAX_DEPTH - 1
    assert err.value.offset == 4 * (MAX_DEPTH - 1)


def test_undecodable_cp866_text() -> None:
    with pytest.raises(TlvError) as err:
        decode(tlv(3, tlv(1059, tlv(1030, b"ab\x00c"))))
    assert err.value.path == "3/1059[0]/1030" and err.value.offset == 12
    assert "CP866" in str(err.value)


def test_gs_is_allowed_in_text() -> None:
    code = "0104601234567893215Qbag!\x1d93dGVz"
    assert decode(tlv(2000, code.encode("ascii")))[0].value == code


@pytest.mark.parametrize(
    ("node", "path"),
    [
        (Tlv(1054, "1"), "1054"),
        (Tlv(1054, 256), "1054"),
        (Tlv(1020, -1), "1020"),
        (Tlv(1020, 256**6), "1020"),  # does not fit VLN max 6
        (Tlv(1023, Decimal("-1.5")), "1023"),
        (Tlv(1023, Decimal("NaN")), "1023"),
        (Tlv(1023, 1.5), "1023"),
        (Tlv(1023, Decimal("1E+999999999")), "1023"),
        (Tlv(1030, b"bytes"), "1030"),
        (Tlv(1030, "☃"), "1030"),
        (Tlv(1030, "a\x00b"), "1030"),
        (Tlv(1037, "1" * 21), "1037"),
        (Tlv(1012, 1500000000), "1012"),
        (Tlv(1012, dt.datetime(1969, 12, 31)), "1012"),
        (Tlv(1059, "not a list"), "1059[0]"),
        (Tlv(666, "unknown tags carry bytes"), "666"),
    ],
)
def test_encode_refuses_wrong_values(node: Tlv, path: str) -> None:
    with pytest.raises(TlvError) as err:
        encode([node])
    assert err.value.path == path


def test_encode_error_path_and_offset_inside_document() -> None:
    items = [Tlv(1059, TlvList([Tlv(1030, "ok")])) for _ in range(2)]
    bad = Tlv(1059, TlvList([Tlv(1030, "ok"), Tlv(1260, TlvList([Tlv(1262, "0300")]))]))
    with pytest.raises(TlvError) as err:
        encode([Tlv(3, TlvList([Tlv(1054, 1), *items, bad]))])
    assert err.value.path == "3/1059[2]/1260/1262"
    assert err.value.offset == 4 + 5 + 2 * 10 + 4 + 6 + 4


def test_encode_refuses_non_tlv_and_bad_tag() -> None:
    with pytest.raises(TlvError):
        encode(["x"])  # type: ignore[list-item]
    with pytest.raises(TlvError):
        encode([Tlv(70000, b"")])


def test_hostile_64k_buffers_are_bounded() -> None:
    rng = random.Random(1234)
    cases = [
        bytes(rng.getrandbits(8) for _ in range(65536)),
        tlv(9999, b"") * (65536 // 4),  # 16 384 empty unknown TLVs
        tlv(1059, b"") * (65536 // 4),  # 16 384 empty items
        (h("2304 fbff") + b"\x00" * 65531),  # one item announcing its full length, filled with zeros
        b"".join(tlv(1059, tlv(1059, tlv(1059, b""))) for _ in range(65536 // 12)),
    ]
    for data in cases:
        started = time.perf_counter()
        try:
            tree = decode(data)
        except TlvError:
            tree = TlvList()
        assert time.perf_counter() - started < 2.0
        assert len(tree) <= len(data) // 4
