"""Every Shtrih command layout against bytes written by hand from spec/shtrih-m.md §2–4."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ffd12.drivers.shtrih.commands import (
    COMMANDS,
    decode_answer,
    decode_request,
    encode_answer,
    encode_request,
)
from ffd12.drivers.shtrih.errors import error_text
from ffd12.errors import InputError, LinkError, RegisterError

KM = b"0104601234567893215Qbag"  # 23 bytes = 0x17, as scanned
KM_HEX = KM.hex(" ")
NAME_CP1251 = "d4 f3 f2 e1 ee eb ea e0"  # «Футболка» in CP1251
PW30 = "1e 00 00 00"


def z(n: int) -> str:
    return " ".join(["00"] * n)


REQUESTS: list[tuple[int, dict[str, Any], str]] = [
    (0x10, {"password": 30}, f"10 {PW30}"),  # §4.1
    (0x11, {"password": 30}, f"11 {PW30}"),  # §4.2
    # §4.12: flags bit1 = receipt tape, text 40 bytes CP1251 ("AБ" then 38 zeros)
    (0x17, {"password": 1, "flags": 2, "text": "AБ"}, f"17 01 00 00 00 02 41 c1 {z(38)}"),
    # §4.12: table 17, row 1, field 7 := 1 (do not print the next receipt)
    (0x1E, {"password": 30, "table": 17, "row": 1, "field": 7, "value": b"\x01"},
     f"1e {PW30} 11 01 00 07 01"),
    (0x1F, {"password": 30, "table": 17, "row": 1, "field": 17}, f"1f {PW30} 11 01 00 11"),  # FFD version
    (0x25, {"password": 30, "cut_type": 1}, f"25 {PW30} 01"),
    (0x40, {"password": 29}, "40 1d 00 00 00"),
    (0x41, {"password": 29}, "41 1d 00 00 00"),  # §4.3 Z report, admin 29
    (0x6B, {"error": 0x4F}, "6b 4f"),
    # classic sale: qty 1.000 = 1000 (e8 03), price 199.00 = 19900 (bc 4d), dept 1, tax 1, "X"
    (0x80, {"password": 1, "quantity": 1000, "price": 19900, "department": 1, "taxes": [1, 0, 0, 0],
            "text": "X"}, f"80 01 00 00 00 e8 03 00 00 00 bc 4d 00 00 00 01 01 00 00 00 58 {z(39)}"),
    (0x85, {"password": 1, "payments": [19900, 0, 0, 0], "discount": 0, "taxes": [0, 0, 0, 0], "text": ""},
     f"85 01 00 00 00 bc 4d 00 00 00 {z(15)} 00 00 00 00 00 00 {z(40)}"),
    (0x86, {"password": 1, "amount": 100, "taxes": [0, 0, 0, 0], "text": ""},
     f"86 01 00 00 00 64 00 00 00 00 00 00 00 00 {z(40)}"),
    (0x88, {"password": 30}, f"88 {PW30}"),  # §4.4
    (0x8C, {"password": 30}, f"8c {PW30}"),
    (0x8D, {"password": 30, "receipt_type": 0}, f"8d {PW30} 00"),  # §4.4 sale
    (0xE0, {"password": 30}, f"e0 {PW30}"),  # §4.3
    (0xFC, {}, "fc"),  # §4.12 no password
    (0xFF01, {"password": 30}, f"ff 01 {PW30}"),  # §4.5
    (0xFF03, {"password": 30}, f"ff 03 {PW30}"),
    (0xFF0A, {"password": 30, "fd_number": 1234}, f"ff 0a {PW30} d2 04 00 00"),  # §4.11
    (0xFF0B, {"password": 30}, f"ff 0b {PW30}"),
    # §4.8: tag 1008 (f0 03), length 5, "a@b.r"
    (0xFF0C, {"password": 30, "tlv": bytes.fromhex("f0 03 05 00 61 40 62 2e 72")},
     f"ff 0c {PW30} f0 03 05 00 61 40 62 2e 72"),
    (0xFF3A, {"password": 30, "fd_number": 7}, f"ff 3a {PW30} 07 00 00 00"),
    (0xFF3B, {"password": 30}, f"ff 3b {PW30}"),
    # §4.7: cash 100.00 = 10000 (10 27), 15 more payments, rounding, 6 taxes, ОСН 0x01, 64-byte text
    (0xFF45, {"password": 30, "payments": [10000] + [0] * 15, "rounding": 0, "taxes": [0] * 6,
              "tax_system": 1, "text": ""},
     f"ff 45 {PW30} 10 27 00 00 00 {z(75)} 00 {z(30)} 01 {z(64)}"),
    # §4.6: приход, 1 pc = 1 000 000 (40 42 0f), 299.00 = 29900 (cc 74), sum/tax "not given", НДС 20% 0x01,
    # dept 1, 1214 = 4, 1212 = 33 (0x21), name padded to 128
    (0xFF46, {"password": 30, "operation": 1, "quantity": 1_000_000, "price": 29900,
              "amount": 0xFFFFFFFFFF, "tax_amount": 0xFFFFFFFFFF, "tax_rate": 1, "department": 1,
              "payment_method": 4, "subject": 33, "name": "Футболка"},
     f"ff 46 {PW30} 01 40 42 0f 00 00 00 cc 74 00 00 00 ff ff ff ff ff ff ff ff ff ff 01 01 04 21 "
     f"{NAME_CP1251} {z(120)}"),
    # §4.8: tag 2108 (3c 08), length 1, value 0 (штуки)
    (0xFF4D, {"password": 30, "tlv": bytes.fromhex("3c 08 01 00 00")}, f"ff 4d {PW30} 3c 08 01 00 00"),
    # §4.9: planned status 1, mode 0, KM length 0x17, TLV length 0, KM
    (0xFF61, {"password": 30, "planned_status": 1, "mode": 0, "km": KM, "tlv": b""},
     f"ff 61 {PW30} 01 00 17 00 {KM_HEX}"),
    (0xFF67, {"password": 30, "km": KM, "volume_sort": None}, f"ff 67 {PW30} 17 {KM_HEX}"),
    (0xFF69, {"password": 30, "decision": 1}, f"ff 69 {PW30} 01"),
    (0xFF70, {"password": 30}, f"ff 70 {PW30}"),
]

ANSWERS: list[tuple[int, str, dict[str, Any]]] = [
    # §4.1: operator 30, flags 0x0002, mode 4 (shift closed), submode 0, … 16 bytes in all
    (0x10, "10 00 1e 02 00 04 00 00 9c 5a 18 01 00 00 00 00",
     {"operator": 30, "flags": 2, "mode": 4, "submode": 0, "fm_error": 0x18, "ej_error": 1,
      "last_print": None}),
    (0x8D, "8d 00 1e", {"operator": 30}),
    (0xE0, "e0 00 1d", {"operator": 29}),
    (0x85, "85 00 01 64 00 00 00 00", {"operator": 1, "change": 100}),
    # §4.12: type 0, subtype 0, protocol 1.13, model 0, language 0, name «ШТРИХ»
    (0xFC, "fc 00 00 00 01 0d 00 00 d8 d2 d0 c8 d5", {"protocol_subversion": 13, "name": "ШТРИХ"}),
    # §4.5: fiscal mode (phase 0b11), no document, shift closed, date 15 07 1d 0b 1d = 2021-07-29 11:29
    (0xFF01, "ff 01 00 03 00 00 00 00 15 07 1d 0b 1d " + b"9999078900012345".hex(" ") + " 2a 00 00 00",
     {"phase": 3, "shift_open": 0, "fn_serial": b"9999078900012345", "last_fd": 42,
      "date_time": {"year": 21, "month": 7, "day": 29, "hour": 11, "minute": 29}}),
    # §4.7: change 0, FD 43, ФП 0x12345678 — 16 bytes; then the 21-byte form with DATE_TIME
    (0xFF45, "ff 45 00 00 00 00 00 00 2b 00 00 00 78 56 34 12",
     {"change": 0, "fd_number": 43, "fiscal_sign": 0x12345678, "date_time": None}),
    (0xFF45, "ff 45 00 00 00 00 00 00 2b 00 00 00 78 56 34 12 1a 0b 17 0c 1e",
     {"date_time": {"year": 26, "month": 11, "day": 23, "hour": 12, "minute": 30}}),
    # §4.11: receipt, ticket received, DATE_TIME, FD 43, ФП, then op 1 and amount 100.00
    (0xFF0A, "ff 0a 00 03 01 1a 0b 17 0c 1e 2b 00 00 00 78 56 34 12 01 10 27 00 00 00",
     {"doc_type": 3, "ticket_received": 1, "fd_number": 43, "rest": bytes.fromhex("01 10 27 00 00 00")}),
    (0xFF0B, "ff 0b 00 05 00 2c 00 00 00 44 33 22 11", {"shift_number": 5, "fd_number": 44,
                                                         "fiscal_sign": 0x11223344}),
    (0xFF3A, "ff 3a 00 03 00 a0 01", {"doc_type": 3, "length": 0x1A0}),
    (0xFF3B, "ff 3b 00 f0 03 01 00 31", {"chunk": bytes.fromhex("f0 03 01 00 31")}),
    # §4.9: 2004 = 3 (checked, positive), reason 0, 2100 = 2; online part: FN code 0, 2106 = 15
    (0xFF61, "ff 61 00 03 00 02 02 00 0f",
     {"local_status": 3, "local_reason": 0, "km_type": 2,
      "online": {"fn_code": 0, "check_result": 15, "server_tlv": b""}}),
    # autonomous mode: no online part
    (0xFF61, "ff 61 00 03 00 02 00", {"online": None}),
    # server timeout: FN code 0xFF
    (0xFF61, "ff 61 00 03 00 02 02 ff 00",
     {"online": {"fn_code": 0xFF, "check_result": 0, "server_tlv": b""}}),
    (0xFF67, "ff 67 00 44 4d 00", {"goods_prefix": b"DM", "dm_type": 0, "check": None}),
    (0xFF69, "ff 69 00 0f", {"check_result": 15}),
    (0xFF70, "ff 70 00 01 00 3f 00 00 00 02 00",
     {"km_state": 1, "allowed_commands": 0x3F, "queue": 2}),
    (0x1F, "1f 00 04", {"value": b"\x04"}),
    (0x6B, "6b 00 cd e5 f2", {"text": "Нет"}),
    (0xFF0C, "ff 0c 00", {}),
]


@pytest.mark.parametrize(("code", "fields", "wire"), REQUESTS, ids=[f"{c:X}" for c, _, _ in REQUESTS])
def test_request_bytes_match_spec(code: int, fields: dict[str, Any], wire: str) -> None:
    assert encode_request(code, **fields) == bytes.fromhex(wire)
    spec, decoded = decode_request(bytes.fromhex(wire))
    assert spec.code == code
    for key, value in fields.items():
        assert decoded[key] == value, key


@pytest.mark.parametrize(("code", "wire", "expected"), ANSWERS, ids=[f"{c:X}" for c, _, _ in ANSWERS])
def test_answer_bytes_match_spec(code: int, wire: str, expected: dict[str, Any]) -> None:
    decoded = decode_answer(code, bytes.fromhex(wire))
    for key, value in expected.items():
        assert decoded[key] == value, key


def test_every_listed_command_is_in_the_table() -> None:
    listed = {0x10, 0x11, 0x17, 0x41, 0x88, 0x8D, 0xE0, 0xFC, 0xFF01, 0xFF0A, 0xFF0C, 0xFF3A, 0xFF3B,
              0xFF45, 0xFF46, 0xFF4D, 0xFF61, 0xFF67, 0xFF69, 0xFF70, 0x1E, 0x1F,
              0x40, 0x80, 0x82, 0x85, 0x86, 0x87, 0x8C, 0x25, 0xFF03, 0xFF0B, 0x6B}
    assert listed <= set(COMMANDS)
    assert {c for c, _, _ in REQUESTS} | {0x11, 0x82, 0x87} >= listed


def test_sizes_stated_by_the_spec() -> None:
    ff46 = encode_request(0xFF46, password=30, operation=1, quantity=1, price=1, amount=1, tax_amount=1,
                          tax_rate=1, department=1, payment_method=4, subject=1, name="x")
    assert len(ff46) == 160  # §4.6 "total 160 bytes incl. FF 46"
    ff45 = encode_request(0xFF45, password=30, payments=[0] * 16, rounding=0, taxes=[0] * 6,
                          tax_system=1, text="")
    assert len(ff45) == 182  # §4.7


def test_error_answer_raises_register_error_with_russian_text() -> None:
    with pytest.raises(RegisterError) as info:
        decode_answer(0xFF45, bytes.fromhex("ff 45 b9"))
    assert info.value.code == 0xB9
    with pytest.raises(RegisterError) as info:
        decode_answer(0x88, bytes.fromhex("88 73"))
    assert info.value.code == 0x73 and info.value.text == error_text(0x73)
    assert "режиме" in info.value.text


def test_error_answer_is_code_and_error_only() -> None:
    assert encode_answer(0xFF45, 0xB9) == bytes.fromhex("ff 45 b9")
    assert encode_answer(0x8D, 0x4A) == bytes.fromhex("8d 4a")


def test_answer_to_another_command_is_a_link_error() -> None:
    with pytest.raises(LinkError):
        decode_answer(0xFF61, bytes.fromhex("ff 67 00 44 4d 00"))
    with pytest.raises(LinkError):
        decode_answer(0x10, bytes.fromhex("10 00 1e"))  # too short for the layout


def test_bad_request_fields_are_input_errors() -> None:
    with pytest.raises(InputError):
        encode_request(0x8D, password=30)
    with pytest.raises(InputError):
        encode_request(0xFF46, password=30, operation=1, quantity=1, price=1, amount=1, tax_amount=1,
                       tax_rate=1, department=1, payment_method=4, subject=1, name="я" * 129)
    with pytest.raises(InputError):
        encode_request(0x99)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(COMMANDS)), st.binary(max_size=300))
def test_answer_decoders_fuzz(code: int, tail: bytes) -> None:
    body = COMMANDS[code].code_bytes + tail
    try:
        result = decode_answer(code, body)
    except (LinkError, RegisterError):
        return
    assert isinstance(result, dict)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_request_decoder_fuzz(body: bytes) -> None:
    try:
        decode_request(body)
    except InputError:
        pass


def test_ff_command_answered_ff_err_is_that_error() -> None:
    # §2.1 JavaPOS tolerance: FF46 answered "FF 33" — 0x33 taken as the error code
    with pytest.raises(RegisterError) as info:
        decode_answer(0xFF46, bytes.fromhex("ff 33"))
    assert info.value.code == 0x33


_u8 = st.integers(0, 0xFF)
_money = st.integers(0, (1 << 40) - 1)
_cp1251 = st.text(alphabet=st.sampled_from("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВ XYZ0123456789%№«»"),
                  max_size=60)


@settings(max_examples=200, deadline=None)
@given(op=st.integers(1, 4), qty=st.integers(0, (1 << 48) - 1), price=_money, amount=_money, tax=_u8,
       dept=_u8, pm=st.integers(1, 7), subj=st.integers(1, 33), name=_cp1251)
def test_ff46_round_trip(op: int, qty: int, price: int, amount: int, tax: int, dept: int, pm: int, subj: int,
                         name: str) -> None:
    fields = dict(password=30, operation=op, quantity=qty, price=price, amount=amount,
                  tax_amount=0xFFFFFFFFFF, tax_rate=tax, department=dept, payment_method=pm, subject=subj,
                  name=name)
    body = encode_request(0xFF46, **fields)
    assert len(body) == 160
    assert decode_request(body)[1] == fields


@settings(max_examples=200, deadline=None)
@given(status=_u8, km=st.binary(min_size=1, max_size=150), tlv=st.binary(max_size=80))
def test_ff61_round_trip(status: int, km: bytes, tlv: bytes) -> None:
    body = encode_request(0xFF61, password=30, planned_status=status, mode=0, km=km, tlv=tlv)
    _, fields = decode_request(body)
    assert (fields["km"], fields["tlv"], fields["planned_status"]) == (km, tlv, status)


@settings(max_examples=200, deadline=None)
@given(local=_u8, reason=_u8, kind=_u8,
       online=st.none() | st.fixed_dictionaries({"fn_code": _u8, "check_result": _u8,
                                                  "server_tlv": st.binary(max_size=60)}))
def test_ff61_answer_round_trip(local: int, reason: int, kind: int, online: dict[str, Any] | None) -> None:
    body = encode_answer(0xFF61, local_status=local, local_reason=reason, km_type=kind, online=online)
    assert decode_answer(0xFF61, body) == {"local_status": local, "local_reason": reason, "km_type": kind,
                                           "online": online}


@settings(max_examples=200, deadline=None)
@given(change=_money, fd=st.integers(0, 0xFFFFFFFF), fs=st.integers(0, 0xFFFFFFFF),
       when=st.none() | st.fixed_dictionaries({k: _u8 for k in ("year", "month", "day", "hour", "minute")}))
def test_ff45_answer_round_trip(change: int, fd: int, fs: int, when: dict[str, int] | None) -> None:
    body = encode_answer(0xFF45, change=change, fd_number=fd, fiscal_sign=fs, date_time=when)
    assert len(body) == (16 if when is None else 21)  # §4.7
    assert decode_answer(0xFF45, body) == {"change": change, "fd_number": fd, "fiscal_sign": fs,
                                           "date_time": when}
