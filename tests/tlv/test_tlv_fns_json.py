"""TLV ⇄ FNS JSON: a realistic export converts to TLV and back with the same values."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tlv_strategies import tlv_for

from ffd12.errors import TlvError
from ffd12.tlv import Tlv, TlvList, decode, encode, jsonio
from ffd12.tlv.fns_json import from_fns_json, to_fns_json

SERVICE = ("numberKkt", "metadata", "redefine_mask", "region", "messageFiscalSign")


def load(fixtures_dir: Path) -> dict[str, Any]:
    return jsonio.loads((fixtures_dir / "json" / "receipt-marked.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_export_round_trips_with_same_values(fixtures_dir: Path) -> None:
    export = load(fixtures_dir)
    skipped: list[str] = []
    doc = from_fns_json(export, skipped=skipped)
    assert skipped == [f"3/{key}" for key in SERVICE]
    again = to_fns_json(decode(encode([doc]))[0])
    expected = {k: v for k, v in export.items() if k not in SERVICE}
    assert json.loads(jsonio.dumps(again)) == json.loads(jsonio.dumps(expected))


def test_export_matches_golden_tlv(fixtures_dir: Path, update_golden: bool) -> None:
    wire = encode([from_fns_json(load(fixtures_dir), skipped=[])])
    golden = fixtures_dir / "tlv" / "receipt-marked.tlv"
    if update_golden:
        golden.write_bytes(wire)
    assert wire == golden.read_bytes()


def test_export_fields_land_on_the_right_tags(fixtures_dir: Path) -> None:
    doc = from_fns_json(load(fixtures_dir), skipped=[])
    body = doc.value
    assert isinstance(body, TlvList) and doc.tag == 3
    assert body.value(1018) == "7700000001"  # padding of a fixed-length INN removed
    assert body.value(1012) == dt.datetime(2026, 8, 3, 16, 44)
    assert body.value(1077) == bytes.fromhex("0000b417f360")  # ФПД 3021468512 = 0xB417F360
    vat = body.get(1115)
    assert vat is not None and vat.get(1119) == Tlv(1119, TlvList([Tlv(1199, 11), Tlv(1120, 4454)]))
    items = body.get_all(1059)
    assert len(items) == 3
    first = items[0]
    assert first.get(1163) == Tlv(1163, TlvList([Tlv(1305, "0104605035006964215OoyE8qxeIOn>")]))
    assert first.get(1023) == Tlv(1023, Decimal(1))
    industry = first.get(1260)
    assert industry is not None and industry.get(1262) == Tlv(1262, "030")
    assert sum(i.get(1200).value for i in items) == 4454  # type: ignore[union-attr,misc]


def test_service_fields_are_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ffd12.tlv.fns_json"):
        doc = from_fns_json({"code": 31, "totalSum": 100, "metadata": {"ofdId": "x"}, "id": 5})
    assert doc == Tlv(31, TlvList([Tlv(1020, 100)]))
    assert "31/metadata" in caplog.text and "31/id" in caplog.text


def test_missing_code_wrappers_and_integer_datetime() -> None:
    skipped: list[str] = []
    doc = from_fns_json({"totalSum": 1, "dateTime": 1_700_000_000}, skipped=skipped)
    assert doc.tag == 3 and skipped == ["code"]
    assert doc.value.value(1012) == dt.datetime(2023, 11, 14, 22, 13, 20)  # type: ignore[union-attr]
    wrapped = from_fns_json({"ticket": {"document": {"receipt": {"totalSum": 7}}}}, skipped=[])
    assert wrapped == Tlv(3, TlvList([Tlv(1020, 7)]))


def test_tags_without_json_name_use_their_number() -> None:
    doc = Tlv(3, TlvList([Tlv(1011, 1), Tlv(9999, b"\x01\x02")]))
    obj = to_fns_json(doc)
    assert obj == {"code": 3, "1011": 1, "9999": "AQI="}
    assert from_fns_json(obj) == doc


def test_fractional_quantity_keeps_digits() -> None:
    obj = {"code": 3, "items": [{"quantity": Decimal("0.610")}]}
    doc = from_fns_json(jsonio.loads(jsonio.dumps(obj)))
    assert encode([doc])[-3:] == bytes.fromhex("036202")  # FVLN: 3 decimals, mantissa 610 = 0x0262
    assert jsonio.dumps(to_fns_json(doc)) == '{"code": 3, "items": [{"quantity": 0.610}]}'


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        ({"code": 3, "items": [{"price": "abc"}]}, "3/1059[0]/1079"),
        ({"code": 3, "totalSum": 1.5}, "3/1020"),
        ({"code": 3, "dateTime": "yesterday"}, "3/1012"),
        ({"code": 3, "items": [{"productCodeNew": {"gs1m": {"x": 1}}}]}, "3/1059[0]/1163/1305"),
        ({"code": 3, "buyerInformation": "not an object"}, "3/1256"),
    ],
)
def test_bad_values_raise_with_path(obj: dict[str, Any], path: str) -> None:
    if "1.5" in json.dumps(obj):
        obj = jsonio.loads(json.dumps(obj))
    with pytest.raises(TlvError) as err:
        from_fns_json(obj)
    assert err.value.path == path


def _sorted(node: Tlv) -> Tlv:
    if isinstance(node.value, TlvList):
        return Tlv(node.tag, TlvList(sorted((_sorted(c) for c in node.value), key=lambda c: c.tag)))
    return node


def _fns_exportable(node: Tlv) -> Tlv:
    if node.tag == 1077 and isinstance(node.value, bytes):
        return Tlv(1077, b"\0\0" + node.value[2:])  # only bytes 2..5 are in the export
    if isinstance(node.value, TlvList):
        return Tlv(node.tag, TlvList(_fns_exportable(c) for c in node.value))
    return node


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.sampled_from([3, 31, 1, 81]).flatmap(tlv_for))
def test_random_documents_survive_fns_json(doc: Tlv) -> None:
    doc = _fns_exportable(doc)
    text = jsonio.dumps(to_fns_json(doc))
    back = from_fns_json(jsonio.loads(text))
    assert _sorted(back) == _sorted(doc)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=40)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["items", "name", "quantity", "productCodeNew", "gs1m", "x", "1059"]),
        inner,
        max_size=4,
    ),
    max_leaves=20,
)
JSON_KEYS = st.sampled_from(
    "code items totalSum dateTime fiscalSign properties userInn 1012 99999 metadata 1023".split()
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(JSON_KEYS, JSON_VALUES, max_size=6))
def test_arbitrary_json_only_raises_tlv_error(obj: dict[str, Any]) -> None:
    try:
        doc = from_fns_json(obj, skipped=[])
    except TlvError:
        return
    try:
        encode([doc])
    except TlvError:
        pass


def test_endless_json_nesting_is_capped() -> None:
    obj: dict[str, Any] = {"name": "x"}
    for _ in range(2000):
        obj = {"items": obj}
    with pytest.raises(TlvError) as err:
        from_fns_json({"code": 3, "items": obj})
    assert "nested deeper" in str(err.value)


@pytest.mark.parametrize("text", ['{"code": 3, "totalSum": 1E999999999}', '{"code": 3, "1023": 1E999999999}'])
def test_huge_numbers_are_refused_fast(text: str) -> None:
    with pytest.raises(TlvError):
        encode([from_fns_json(jsonio.loads(text))])


def test_boolean_code_is_not_a_document() -> None:
    assert from_fns_json({"code": True}, skipped=[]).tag == 3
