"""Hypothesis strategies that build valid TLV trees from the tag dictionary itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from ffd12.errors import TlvError
from ffd12.tlv import TAGS, TagInfo, TagType, Tlv, TlvList, encode

# CP866 text without the control bytes the codec refuses (GS, TAB, LF, CR are allowed).
_CP866 = bytes(range(256)).decode("cp866")
ALPHABET = "".join(c for c in _CP866 if c in "\t\n\r\x1d" or ord(c) >= 0x20)

CHILDREN: dict[int, list[int]] = {}
for _info in TAGS.values():
    for _parent in _info.parents:
        CHILDREN.setdefault(_parent, []).append(_info.number)
DOCUMENTS = sorted(n for n, i in TAGS.items() if not i.parents)
SCALAR_TAGS = sorted(n for n, i in TAGS.items() if i.type is not TagType.STLV)


def value_for(info: TagInfo, *, cap: int | None = None) -> st.SearchStrategy[object]:
    """A value that fits ``info`` (strings at most ``cap`` chars when given)."""
    kind, max_len = info.type, info.max_len
    if kind is TagType.BYTE:
        return st.integers(0, 0xFF)
    if kind is TagType.UINT16:
        return st.integers(0, 0xFFFF)
    if kind is TagType.UINT32:
        return st.integers(0, 0xFFFFFFFF)
    if kind is TagType.VLN:
        return st.integers(0, 256**max_len - 1)
    if kind is TagType.FVLN:
        return st.builds(
            lambda m, p: Decimal(m).scaleb(-p), st.integers(0, 256 ** (max_len - 1) - 1), st.integers(0, 12)
        )
    if kind is TagType.UNIXTIME:
        return st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2106, 2, 7)).map(
            lambda d: d.replace(microsecond=0)
        )
    if kind is TagType.BYTES:
        if info.fixed_len is not None:
            return st.binary(min_size=info.fixed_len, max_size=info.fixed_len)
        return st.binary(max_size=max_len)
    if kind is TagType.STRING:
        size = min(max_len, cap) if cap is not None else max_len
        text = st.text(ALPHABET, max_size=size)
        if info.fixed_len is not None:
            return text.map(lambda s: s.rstrip(" "))
        return text
    raise AssertionError(kind)


def _fits(node: Tlv) -> bool:
    try:
        encode([node])
    except TlvError:
        return False
    return True


def tlv_for(tag: int, depth: int = 0) -> st.SearchStrategy[Tlv]:
    info = TAGS[tag]
    if info.type is not TagType.STLV:
        return value_for(info, cap=24 if depth else None).map(lambda v: Tlv(tag, v))  # type: ignore[arg-type]
    kids = CHILDREN.get(tag, [])
    if not kids or depth >= 3:
        return st.just(Tlv(tag, TlvList()))
    child = st.sampled_from(kids).flatmap(lambda k: tlv_for(k, depth + 1))
    return st.lists(child, max_size=6).map(lambda xs: Tlv(tag, TlvList(xs))).filter(_fits)


def documents() -> st.SearchStrategy[Tlv]:
    """A whole document (3, 31, 81, …) with random requisites from the dictionary."""
    return st.sampled_from(DOCUMENTS).flatmap(tlv_for)


def scalar_tlvs() -> st.SearchStrategy[Tlv]:
    return st.sampled_from(SCALAR_TAGS).flatmap(tlv_for)
