"""Hand-written byte vectors for every FFD TLV type (spec/ffd12-tlv.md §1.2, §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ffd12.errors import TlvError
from ffd12.tlv import TAGS, TagType, Tlv, TlvList, decode, encode, tag_info


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# (tag, value bytes as in the spec, typed value)
CANONICAL = [
    (1054, "03", 3),  # byte: YOFD 03 → 3
    (1213, "10 27", 10000),  # uint16 LE
    (1040, "01 00 00 00", 1),  # uint32: YOFD 01 00 00 00 → 1
    (1020, "84", 132),  # VLN: SHTRIH 84 → 132 (1.32 ₽)
    (1020, "e9 2d 06", 404969),  # VLN: YOFD
    (1020, "31 04 00 01 f0 4f", 87892227523633),  # VLN: YOFD pack in max 6
    (1023, "02 15 cd 5b 07", Decimal("1234567.89")),  # FVLN: YOFD
    (1023, "06 40 42 0f", Decimal("1.000000")),  # FVLN: SHTRIH
    (1023, "06 15 cd 5b 07", Decimal("123.456789")),  # FVLN: SHTRIH
    (1030, "92 a5 e1 e2", "Тест"),  # string CP866: YOFD
    (1012, "8a 02 9e 55", dt.datetime(1970, 1, 1) + dt.timedelta(seconds=1436418698)),  # YOFD
    (1012, "60 73 c2 5a", dt.datetime(2018, 4, 2, 18, 16)),  # SHTRIH, shown as 02.04.2018 18:16:00
    (1077, "21 04 1c 6b 81 a4", h("21041c6b81a4")),  # byte array 6 F: YOFD registration report
]


@pytest.mark.parametrize(("tag", "value_hex", "value"), CANONICAL)
def test_canonical_vectors_decode_and_encode(tag: int, value_hex: str, value: object) -> None:
    raw = h(value_hex)
    wire = tag.to_bytes(2, "little") + len(raw).to_bytes(2, "little") + raw
    assert decode(wire) == TlvList([Tlv(tag, value)])  # type: ignore[arg-type]
    assert encode([Tlv(tag, value)]) == wire  # type: ignore[arg-type]


@pytest.mark.parametrize("value_hex", ["84 00", "84 00 00 00"])
def test_vln_reader_accepts_long_forms(value_hex: str) -> None:
    raw = h(value_hex)
    assert decode(h("fc03") + bytes((len(raw), 0)) + raw) == TlvList([Tlv(1020, 132)])


def test_fvln_reader_accepts_long_mantissa() -> None:
    # YOFD: 02 D7 37 02 00 00 00 00 → 1453.67; the writer drops the high zero bytes.
    wire = h("ff03 0800 02d7370200000000")
    assert decode(wire) == TlvList([Tlv(1023, Decimal("1453.67"))])
    assert encode(decode(wire)) == h("ff03 0400 02d73702")


def test_tag_bytes_are_little_endian() -> None:
    # spec §1.1: 1059 → 23 04, 1163 → 8B 04, 1305 → 19 05, 1260 → EC 04, 2000 → D0 07
    assert encode([Tlv(1059, TlvList())]) == h("2304 0000")
    assert encode([Tlv(1163, TlvList([Tlv(1305, "0104601751002075215")]))])[:6] == h("8b04 1700 1905")
    assert encode([Tlv(2000, "x")]) == h("d007 0100 78")


def test_string_cp866_vector() -> None:
    # «Мама, мыла; раму!_AaE)» — 22 bytes, as in the SHTRIH TLVListTests example (tag 666 there).
    wire = h("0604 1600 8ca0aca0 2c20 aceb aba0 3b20 e0a0ace3 21 5f 41 61 45 29")
    assert decode(wire) == TlvList([Tlv(1030, "Мама, мыла; раму!_AaE)")])
    assert encode([Tlv(1030, "Мама, мыла; раму!_AaE)")]) == wire


def test_fixed_length_string_is_padded_with_spaces() -> None:
    # FNS JSON shows kktRegId "0006828493046904    ": 16 digits + 4 spaces in a 20-byte field.
    wire = h("0d04 1400 30303036383238343933303436393034 20202020")
    assert encode([Tlv(1037, "0006828493046904")]) == wire
    assert decode(wire) == TlvList([Tlv(1037, "0006828493046904")])


def test_industry_requisite_stlv_vector() -> None:
    value = "UUID=0d3a9b5e-6f1c-4c9e-9a47-2b8f3c1d5e70&Time=1723181059685"
    assert len(value) == 60
    wire = (
        h("ec04 5d00")  # 1260, 93 bytes: spec §3 "the whole 1260 TLV is 4 + 93 = 97 bytes"
        + h("ee04 0300 303330")  # 1262 "030"
        + h("ef04 0a00 32312e31312e32303233")  # 1263 "21.11.2023"
        + h("f004 0400 31393434")  # 1264 "1944"
        + h("f104 3c00")  # 1265, 60 bytes
        + value.encode("ascii")
    )
    children = [Tlv(1262, "030"), Tlv(1263, "21.11.2023"), Tlv(1264, "1944"), Tlv(1265, value)]
    tree = Tlv(1260, TlvList(children))
    assert len(wire) == 97
    assert encode([tree]) == wire
    assert decode(wire) == TlvList([tree])
    assert decode(wire)[0].get(1265) == Tlv(1265, value)


def test_document_header_vector() -> None:
    # YOFD test_update_crc: a body starting 01 00 03 01 is tag 1 (отчёт о регистрации), length 259.
    with pytest.raises(TlvError) as err:
        decode(h("0100 0301") + bytes(10))
    assert err.value.path == "1" and err.value.offset == 0
    assert "259" in str(err.value)


def test_unknown_tag_keeps_raw_bytes() -> None:
    wire = h("9a02 0300 010203")  # 666 is not an FFD 1.2 tag
    assert decode(wire) == TlvList([Tlv(666, h("010203"))])
    assert encode(decode(wire)) == wire


def test_typed_access() -> None:
    doc = decode(h("0300 1200 1e04 0100 01 2304 0000 2304 0500 1e04 0100 02"))[0]
    assert doc.tag == 3
    items = doc.value.get_all(1059)  # type: ignore[union-attr]
    assert len(items) == 2 and items[1].get(1054) == Tlv(1054, 2)
    assert doc.value.value(1054) == 1  # type: ignore[union-attr]
    assert doc.value.value(1020, 0) == 0  # type: ignore[union-attr]
    assert [t.tag for t in doc.children] == [1054, 1059, 1059]


def test_dictionary_rows() -> None:
    info = tag_info(1305)
    assert info is not None and info.type is TagType.STRING and info.max_len == 38 and info.parents == (1163,)
    assert info.json_name == "gs1m"
    assert TAGS[1263].fixed_len == 10 and TAGS[1263].parents == (1260, 1261)
    assert TAGS[1260].type is TagType.STLV and TAGS[1260].repeatable
    for number in (1, 2, 3, 4, 5, 6, 11, 21, 31, 41, 81, 82, 83, 84):
        assert TAGS[number].type is TagType.STLV
    for number in (1162, 1163, *range(1300, 1310), *range(1320, 1326), 1260, 1261, *range(1262, 1266)):
        assert number in TAGS
    for number in (1291, 1292, 1293, 1294, *range(2000, 2008), *range(2100, 2117), 2108, 1115, 1119, 1120):
        if number not in (2103,):
            assert number in TAGS, number
    assert TAGS[1115].unverified and TAGS[1119].unverified and not TAGS[1020].unverified
    assert tag_info(666) is None


def test_product_code_1163_with_two_children() -> None:
    # FNSJSON-24 item: ean13 (1302) "4601751002075" and gs1m (1305) "01046017510020752159JHHA"
    wire = (
        h("8b04 2d00")  # 1163, 4+13 + 4+24 = 45 bytes
        + h("1605 0d00")
        + b"4601751002075"
        + h("1905 1800")
        + b"01046017510020752159JHHA"
    )
    node = Tlv(1163, TlvList([Tlv(1302, "4601751002075"), Tlv(1305, "01046017510020752159JHHA")]))
    assert decode(wire) == TlvList([node])
    assert encode([node]) == wire


def test_legacy_1162_is_a_byte_array() -> None:
    # spec §4.3: type 00 05 (tobacco), GTIN 98765432101234 as 6 bytes big-endian 59 D3 9E 7F 19 72, serial
    wire = h("8a04 0f00 0005 59d39e7f1972") + b"ABC1234"
    assert decode(wire) == TlvList([Tlv(1162, h("0005 59d39e7f1972") + b"ABC1234")])
    assert encode(decode(wire)) == wire


def test_typographic_text_made_cp866() -> None:
    from ffd12.tlv.charset import can_encode, to_cp866_text

    name = "ООО «Ромашка» — молоко 3,2 %… 99 ₽"
    with pytest.raises(TlvError) as err:
        encode([Tlv(1048, name)])
    assert "«" in str(err.value) and err.value.path == "1048"
    fixed = to_cp866_text(name)
    assert fixed == 'ООО "Ромашка" - молоко 3,2 %... 99 руб.' and can_encode(fixed)
    assert decode(encode([Tlv(1048, fixed)])) == TlvList([Tlv(1048, fixed)])
