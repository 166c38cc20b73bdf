"""Industry requisite 1260/1261 helpers (spec §3): build, read, every length limit."""

from __future__ import annotations

import pytest

from ffd12.errors import TlvError
from ffd12.model import IndustryRequisite
from ffd12.tlv import Tlv, TlvList, decode, encode
from ffd12.tlv.industry import from_tlv, to_tlv

REQ = IndustryRequisite(
    foiv="030",
    doc_date="21.11.2023",
    doc_number="1944",
    value="UUID=0d3a9b5e-6f1c-4c9e-9a47-2b8f3c1d5e70&Time=1723181059685",
)


def test_build_item_requisite_bytes() -> None:
    wire = encode([to_tlv(REQ)])
    assert wire[:4] == bytes.fromhex("ec045d00")
    assert wire[4:11] == bytes.fromhex("ee0403003033 30".replace(" ", ""))
    assert len(wire) == 97


def test_receipt_requisite_and_back() -> None:
    node = to_tlv(REQ, tag=1261)
    assert node.tag == 1261 and [c.tag for c in node.children] == [1262, 1263, 1264, 1265]
    assert from_tlv(decode(encode([node]))[0]) == REQ


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"foiv": "0300"}, "1260/1262"),
        ({"doc_number": "1" * 33}, "1260/1264"),
        ({"value": "x" * 257}, "1260/1265"),
        ({"value": "значение ☃"}, "1260/1265"),  # the snowman has no CP866 code
        ({"doc_date": "1.11.2023"}, "1260/1263"),
    ],
)
def test_each_limit_raises_with_path(change: dict[str, str], path: str) -> None:
    fields = {"foiv": REQ.foiv, "doc_date": REQ.doc_date, "doc_number": REQ.doc_number, "value": REQ.value}
    fields.update(change)
    with pytest.raises(TlvError) as err:
        to_tlv(IndustryRequisite(**fields))
    assert err.value.path == path


def test_whole_stlv_limit() -> None:
    # every child at its limit: 4+3 + 4+10 + 4+32 + 4+256 = 317 = INDUSTRY_STLV_MAX (unverified)
    full = IndustryRequisite(foiv="030", doc_date="21.11.2023", doc_number="1" * 32, value="v" * 256)
    wire = encode([to_tlv(full)])
    assert wire[:4] == bytes.fromhex("ec043d01") and len(wire) == 4 + 317
    with pytest.raises(TlvError) as err:
        decode(bytes.fromhex("ec043e01") + wire[4:] + b"\x00")  # one byte more than 317
    assert err.value.path == "1260" and "317" in str(err.value)


def test_wrong_tag_and_missing_child() -> None:
    with pytest.raises(TlvError):
        to_tlv(REQ, tag=1059)
    with pytest.raises(TlvError) as err:
        from_tlv(Tlv(1260, TlvList([Tlv(1262, "030"), Tlv(1263, "21.11.2023"), Tlv(1265, "x")])))
    assert err.value.path == "1260/1264"
    with pytest.raises(TlvError):
        from_tlv(Tlv(1260, b"\x00"))
