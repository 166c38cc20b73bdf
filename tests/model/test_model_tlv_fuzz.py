"""from_tlv on hostile input: mutated golden receipts and random trees raise only typed ffd12 errors."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ffd12.errors import InputError
from ffd12.tlv import Tlv, TlvList, decode
from ffd12.tlv.receipt import from_tlv

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
SOURCES = sorted(p.read_bytes() for p in GOLDEN.glob("*/receipt.tlv"))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SOURCES),
    st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), min_size=1, max_size=6),
)
def test_mutated_golden_tlv_gives_only_typed_errors(source: bytes, flips: list[tuple[int, int]]) -> None:
    data = bytearray(source)
    for where, value in flips:
        data[where % len(data)] = value
    try:
        docs = decode(bytes(data))
        for doc in docs:
            from_tlv(doc)
    except InputError:
        pass


TAGS = st.sampled_from(
    [
        1008,
        1020,
        1021,
        1023,
        1030,
        1031,
        1043,
        1054,
        1055,
        1059,
        1079,
        1163,
        1173,
        1174,
        1199,
        1212,
        1214,
        1224,
        1256,
        1260,
        1261,
        1270,
        1291,
        2003,
        2106,
        2108,
        9999,
    ]
)
VALUES = st.one_of(
    st.integers(0, 300),
    st.text(max_size=5),
    st.binary(max_size=4),
    st.decimals(allow_nan=False, allow_infinity=False),
)
TREES = st.recursive(
    st.builds(Tlv, TAGS, VALUES),
    lambda inner: st.builds(Tlv, TAGS, st.lists(inner, max_size=5).map(TlvList)),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([3, 31]), st.lists(TREES, max_size=8))
def test_random_trees_give_only_typed_errors(form: int, children: list[Tlv]) -> None:
    try:
        from_tlv(Tlv(form, TlvList(children)))
    except InputError:
        pass
