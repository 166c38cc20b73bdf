"""Property tests: round trips for every type and random documents; hostile bytes only raise TlvError."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tlv_strategies import documents, scalar_tlvs, tlv_for

from ffd12.errors import TlvError
from ffd12.tlv import TAGS, TagType, Tlv, TlvList, decode, encode, layouts

LENIENT = [HealthCheck.too_slow, HealthCheck.filter_too_much]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scalar_tlvs())
def test_every_scalar_type_round_trips(node: Tlv) -> None:
    wire = encode([node])
    assert decode(wire) == TlvList([node])
    assert encode(decode(wire)) == wire


STLV_TAGS = [1059, 1163, 1260, 1261, 1256, 1270, 1291, 1115, 1174, 1223, 1224, 2007]


@SETTINGS
@given(st.sampled_from(STLV_TAGS).flatmap(tlv_for))
def test_every_stlv_round_trips(node: Tlv) -> None:
    assert decode(encode([node])) == TlvList([node])


@settings(max_examples=150, deadline=None, suppress_health_check=LENIENT)
@given(documents())
def test_random_documents_round_trip(doc: Tlv) -> None:
    wire = encode([doc])
    tree = decode(wire)
    assert tree == TlvList([doc])
    assert encode(tree) == wire  # canonical bytes come back unchanged


@SETTINGS
@given(scalar_tlvs())
def test_codec_agrees_with_construct_layouts(node: Tlv) -> None:
    """The fast loop writes exactly what the construct declarations (spec §1.2) read."""
    wire = encode([node])
    frame = layouts.TLV.parse(wire)
    assert frame.tag == node.tag
    assert layouts.HEADER.build({"tag": node.tag, "length": frame.length}) == wire[:4]
    raw, kind = frame.value, TAGS[node.tag].type
    if kind is TagType.BYTE:
        assert layouts.BYTE.parse(raw) == node.value
    elif kind is TagType.UINT16:
        assert layouts.UINT16.parse(raw) == node.value
    elif kind in (TagType.UINT32,):
        assert layouts.UINT32.parse(raw) == node.value
    elif kind is TagType.UNIXTIME:
        # naive local wall-clock time written as if it were UTC (spec §1.2)
        seconds = (node.value - dt.datetime(1970, 1, 1)) // dt.timedelta(seconds=1)  # type: ignore[operator]
        assert layouts.UNIXTIME.parse(raw) == seconds
    elif kind is TagType.VLN:
        assert layouts.vln(len(raw)).parse(raw) == node.value
        assert layouts.vln(len(raw)).build(node.value) == raw
    elif kind is TagType.FVLN:
        parsed = layouts.fvln(len(raw)).parse(raw)
        assert Decimal(parsed.mantissa).scaleb(-parsed.point) == node.value
    elif kind is TagType.STRING:
        assert layouts.STRING.parse(raw).rstrip(" ") == node.value.rstrip(" ")  # type: ignore[union-attr]
    else:
        assert layouts.BYTES.parse(raw) == node.value


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_arbitrary_bytes_only_raise_tlv_error(data: bytes) -> None:
    _decode_or_tlv_error(data)


@settings(max_examples=200, deadline=None, suppress_health_check=LENIENT)
@given(documents(), st.data())
def test_mutated_documents_only_raise_tlv_error(doc: Tlv, data: st.DataObject) -> None:
    wire = bytearray(encode([doc]))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(wire) - 1))
        wire[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(wire)))
    _decode_or_tlv_error(bytes(wire[:cut]))


def _decode_or_tlv_error(data: bytes) -> None:
    try:
        tree = decode(data)
    except TlvError as exc:
        assert exc.offset is not None and 0 <= exc.offset <= len(data)
        return
    # whatever decodes re-encodes (maybe shorter: VLN/FVLN are written minimal) to the same tree
    assert decode(encode(tree)) == tree


ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.binary(max_size=300),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([*sorted(TAGS), 9999]), ANY_VALUE)
def test_encode_of_any_value_only_raises_tlv_error(tag: int, value: object) -> None:
    try:
        wire = encode([Tlv(tag, value)])  # type: ignore[arg-type]
    except TlvError as exc:
        assert exc.path.startswith(str(tag))
        return
    assert len(decode(wire)) == 1


def test_shared_short_nodes_are_bounded() -> None:
    from ffd12.tlv import codec

    data = b"".join(tlv_bytes(1020, n.to_bytes(3, "little")) for n in range(3 * codec._INTERN_SIZE))
    tree = decode(data)
    assert [t.value for t in tree[:3]] == [0, 1, 2]
    assert len(codec._INTERNED) <= codec._INTERN_SIZE
    again = decode(data[:7] * 2)
    assert again[0] is again[1] and again[0] == Tlv(1020, 0)


def tlv_bytes(tag: int, value: bytes) -> bytes:
    return tag.to_bytes(2, "little") + len(value).to_bytes(2, "little") + value
