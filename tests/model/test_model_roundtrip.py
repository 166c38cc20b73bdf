"""Properties: valid random receipts pass the rules and survive XML and TLV round trips."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from receipt_strategies import receipts

from ffd12.model import Item, Receipt
from ffd12.rules import check
from ffd12.tlv import decode, encode
from ffd12.tlv.fns_json import from_fns_json, to_fns_json
from ffd12.tlv.receipt import from_tlv, to_tlv
from ffd12.xml import read_check_package, validate, write_check_package

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tlv_view(receipt: Receipt) -> Receipt:
    """What the TLV carries: a marking code only as its 1163 product code (spec §4.2)."""

    def item(i: Item) -> Item:
        if i.marking_code is None:
            return i
        codes = {c.tag: c for c in i.product_codes}
        codes[i.marking_code.product_code.tag] = i.marking_code.product_code
        return dataclasses.replace(i, marking_code=None, product_codes=tuple(codes[t] for t in sorted(codes)))

    return dataclasses.replace(receipt, items=tuple(item(i) for i in receipt.items))


@SETTINGS
@given(receipts(for_xml=True))
def test_xml_round_trip_equals_original_and_text_is_stable(receipt: Receipt) -> None:
    assert check(receipt) == []
    text = write_check_package(receipt)
    back, warnings = read_check_package(text)
    assert warnings == []
    assert back == receipt
    assert write_check_package(back) == text
    assert validate(text) == []


@SETTINGS
@given(receipts(for_tlv=True))
def test_tlv_and_fns_json_round_trip_equal_what_tlv_carries(receipt: Receipt) -> None:
    assert check(receipt) == []
    data = encode([to_tlv(receipt)])
    [doc] = decode(data)
    back = from_tlv(doc)
    assert back == tlv_view(receipt)
    assert check(back) == []
    assert encode([to_tlv(back)]) == data
    assert from_tlv(from_fns_json(to_fns_json(doc))) == back  # and through FNS JSON
