"""The virtual FN-M: shift, marking state machine, code answers, ФЛК, archive and its state file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ffd12.emulator.fn import (
    MARK_TRANSITIONS,
    FnRefused,
    MarkEvent,
    MarkState,
    Scenario,
    VirtualFn,
    allowed_events,
)
from ffd12.emulator.fndocs import Item, Payments
from ffd12.emulator.fnmark import classify_code
from ffd12.errors import InputError
from ffd12.tlv import Tlv, TlvList, decode, encode

GS = b"\x1d"
KM88 = b"0104601234567893215Qbag!mP7sX3Yq" + GS + b"91FFD0" + GS + b"92" + b"A" * 88
KM44 = b"0104601234567893215Qbag!mP7sX3Yq" + GS + b"91FFD0" + GS + b"92" + b"B" * 44
TOBACCO = b"04606203098187o=ZRR4dABAAx6VA"  # 29 characters, 4-character check code


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 30)

    def __call__(self) -> dt.datetime:
        return self.now


def shoes(amount: int = 19900) -> Item:
    return Item(name="Туфли", price=amount, quantity=Decimal(1), amount=amount, vat=1, subject=33, method=4)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fn(clock: Clock) -> VirtualFn:
    return VirtualFn(clock=clock)


def test_fresh_fn_is_registered_with_ffd_12(fn: VirtualFn) -> None:
    assert fn.last_fd == 1
    doc = decode(fn.document(1).tlv)[0]
    assert doc.tag == 1  # отчёт о регистрации
    assert doc.children.value(1209) == 4
    assert doc.children.value(1018) == "7700000000"
    assert bytes.fromhex("fa03 0c00") + b"7700000000  " in fn.document(1).tlv  # fixed 12 bytes
    assert doc.children.value(1040) == 1


def test_shift_open_close_and_24_hours(fn: VirtualFn, clock: Clock) -> None:
    with pytest.raises(FnRefused) as exc:
        fn.open_receipt(1)
    assert exc.value.code == 0x02
    fn.open_shift()
    assert fn.shift_open and not fn.shift_expired and fn.last_fd == 2
    with pytest.raises(FnRefused):
        fn.open_shift()
    clock.now += dt.timedelta(hours=23, minutes=59)
    assert not fn.shift_expired
    clock.now += dt.timedelta(minutes=1)
    assert fn.shift_expired
    with pytest.raises(FnRefused) as exc:
        fn.open_receipt(1)
    assert exc.value.code == 0x16
    doc = fn.close_shift()
    assert doc.form == 5 and doc.number == 3 and not fn.shift_open


def test_shift_over_24h_knob(clock: Clock) -> None:
    fn = VirtualFn(clock=clock, scenario=Scenario(shift_over_24h=True))
    fn.open_shift()
    assert fn.shift_expired


def test_transition_table_refuses_what_it_lacks(fn: VirtualFn) -> None:
    for state in MarkState:
        for event in MarkEvent:
            fn.mark_state = state
            if (state, event) in MARK_TRANSITIONS:
                assert fn.mark(event) is MARK_TRANSITIONS[(state, event)]
            else:
                with pytest.raises(FnRefused) as exc:
                    fn.mark(event)
                assert exc.value.code == 0xA1
                assert fn.mark_state is state


def test_allowed_bits_follow_the_table() -> None:
    assert allowed_events(MarkState.IDLE) == MarkEvent.GIVE_CODE.value | MarkEvent.CLEAR.value
    assert allowed_events(MarkState.ANSWER_PASSED) == MarkEvent.SAVE_RESULT.value | MarkEvent.CLEAR.value
    assert allowed_events(MarkState.BLOCKED) == MarkEvent.CLEAR.value


def test_check_must_be_answered_before_the_next(fn: VirtualFn) -> None:
    fn.check_code(KM88, 1)
    assert fn.mark_state is MarkState.ANSWER_PASSED
    with pytest.raises(FnRefused) as exc:
        fn.check_code(KM44, 1)
    assert exc.value.code == 0xA1
    assert fn.decide(1) == 15
    assert fn.mark_state is MarkState.IDLE and len(fn.saved_checks) == 1
    with pytest.raises(FnRefused):
        fn.decide(1)  # nothing to accept


@pytest.mark.parametrize(
    ("code", "code_type", "local", "reason"),
    # the tobacco pack is a short-format code (2100 = 1), as ffd12.marking reads it (PACK_CODE_TYPE)
    [(KM88, 2, 3, 0), (KM44, 4, 3, 0), (TOBACCO, 1, 0, 1), (b"0104601234567893215Qbag!mP7sX3Yq", 1, 0, 1),
     (b"garbage", 0, 0, 4), (b"0104601234567893215Qbag" + GS + b"93abcd", 5, 0, 1)],
)
def test_code_classification(code: bytes, code_type: int, local: int, reason: int) -> None:
    check = classify_code(code, 1, key_fails=False)
    assert (check.code_type, check.local_status, check.local_reason) == (code_type, local, reason)


def test_fn_writes_the_product_code_the_marking_layer_reads() -> None:
    """The FN's 1163 equals the till's: milk with 17 and a 93 tail is a GS1 DataMatrix code (1305)."""
    from ffd12.emulator.fndocs import product_code
    from ffd12.marking import parse

    milk = b"0104650060500291215Pk;VoD;'vV)q" + GS + b"1726113093dGVz"
    check = classify_code(milk, 1, key_fails=False)
    expected = parse(milk.decode("latin-1")).product_code
    assert product_code(check).value.get(expected.tag).value == expected.value  # type: ignore[union-attr]
    assert expected.tag == 1305 and check.code_type == 5


@pytest.mark.parametrize(
    ("oism", "online", "result", "status"),
    [("positive", 0x00, 15, 1), ("negative", 0x00, 7, 2), ("suspended", 0x00, 7, 3), ("timeout", 0xFF, 3, 0),
     ("rejected", 0x20, 3, 0)],
)
def test_oism_answers(clock: Clock, oism: str, online: int, result: int, status: int) -> None:
    fn = VirtualFn(clock=clock, scenario=Scenario(oism=oism))
    check = fn.check_code(KM88, 1)
    assert (check.online_code, check.check_result, check.oism_status) == (online, result, status)
    if status:
        answer = decode(check.answer_tlv)
        assert answer.value(2109) == status
    else:
        assert check.answer_tlv == b""
    if oism == "timeout":
        assert fn.mark_state is MarkState.REQUEST_BUILT
    if oism == "rejected":
        assert check.online_reason == 1


def test_unknown_oism_word_is_refused() -> None:
    with pytest.raises(InputError):
        Scenario(oism="maybe")


def test_key_check_fails_and_per_code_override(clock: Clock) -> None:
    fn = VirtualFn(clock=clock, scenario=Scenario(key_check_fails=True, oism_by_code={KM44: "negative"}))
    check = fn.check_code(KM88, 1)
    assert check.local_status == 0b01 and check.check_result == 0b01 | 0b0100 | 0b1000
    fn.decide(0)
    assert fn.saved_checks == []
    assert fn.check_code(KM44, 1).oism_status == 2


def test_marked_sale_archived_as_tlv(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.check_code(KM88, 1)
    fn.decide(1)
    fn.open_receipt(1)
    fn.add_item(shoes())
    fn.add_item_tags(encode([Tlv(2108, 0)]))
    check, implicit = fn.bind_code(KM88)
    assert not implicit and check.check_result == 15
    fn.add_receipt_tags(encode([Tlv(1008, "buyer@example.com")]))
    doc = fn.close_receipt(payments=Payments(cash=19900), taxation=1)
    assert doc.number == 3 and doc.operation == 1 and doc.amount == 19900
    root = decode(doc.tlv)[0]
    assert root.tag == 3
    body = root.children
    assert body.value(1040) == 3 and body.value(1054) == 1 and body.value(1020) == 19900
    assert body.value(1102) == 3317  # 199.00 × 20/120, half up
    assert body.value(1008) == "buyer@example.com"
    item = body.get(1059)
    assert item is not None
    assert item.children.value(2106) == 15 and item.children.value(2108) == 0
    assert item.get(1163) == Tlv(1163, TlvList([Tlv(1305, "0104601234567893215Qbag!mP7sX3Yq")]))
    fpd = body.value(1077)
    assert isinstance(fpd, bytes) and int.from_bytes(fpd[2:], "big") == doc.fiscal_sign
    assert fn.notifications == 1 and fn.codes_in_notification == 1 and fn.saved_checks == []


def test_fiscal_sign_is_deterministic(clock: Clock) -> None:
    def run(amount: int) -> int:
        fn = VirtualFn(clock=clock)
        fn.open_shift()
        fn.open_receipt(1)
        fn.add_item(shoes(amount))
        return fn.close_receipt(payments=Payments(cash=amount), taxation=1).fiscal_sign

    assert run(100) == run(100)
    assert run(100) != run(101)


def test_implicit_check_on_bind(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.open_receipt(1)
    fn.add_item(shoes())
    check, implicit = fn.bind_code(KM88)
    assert implicit and check.check_result == 15


def test_flk_refuses_tags_not_allowed(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.open_receipt(1)
    with pytest.raises(FnRefused) as exc:
        fn.add_receipt_tags(encode([Tlv(1030, "name is an item tag")]))
    assert exc.value.code == 0x33
    with pytest.raises(FnRefused):
        fn.add_item_tags(encode([Tlv(2108, 0)]))  # no item yet
    fn.add_item(shoes())
    fn.add_item_tags(encode([Tlv(2108, 11)]))
    with pytest.raises(FnRefused) as exc:
        fn.add_item_tags(encode([Tlv(2108, 11)]))
    assert "repeated" in str(exc.value)
    with pytest.raises(FnRefused):
        fn.add_item_tags(encode([Tlv(1023, Decimal(1))]))  # built by the KKT from FF46
    with pytest.raises(FnRefused):
        fn.add_item_tags(b"\x01\x02")  # not TLV at all
    with pytest.raises(FnRefused):
        fn.add_item(Item(name="«кавычки»", price=1, quantity=Decimal(1), amount=1, vat=1, subject=1,
                         method=4))


def test_close_receipt_checks_taxation(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.open_receipt(1)
    fn.add_item(shoes())
    with pytest.raises(FnRefused):
        fn.close_receipt(payments=Payments(cash=19900), taxation=0x20)  # ПСН not registered
    with pytest.raises(FnRefused):
        fn.close_receipt(payments=Payments(cash=19900), taxation=0x03)  # two bits


def test_marking_only_in_sale_receipts(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.open_receipt(3)  # расход
    fn.add_item(shoes())
    with pytest.raises(FnRefused) as exc:
        fn.bind_code(KM88)
    assert exc.value.code == 0x5E


def test_state_survives_a_power_cut_mid_receipt(tmp_path: Path, clock: Clock) -> None:
    state = tmp_path / "fn.json"
    fn = VirtualFn(clock=clock, state_file=state)
    fn.open_shift()
    fn.open_receipt(1)
    fn.add_item(shoes())
    doc = fn.close_receipt(payments=Payments(cash=19900), taxation=1)
    fn.check_code(KM88, 1)
    fn.decide(1)
    fn.open_receipt(1)
    fn.add_item(shoes(500))
    # power cut: the object is gone, only the file remains
    raw = state.read_bytes()
    del fn
    again = VirtualFn(clock=clock, state_file=state)
    assert again.last_fd == doc.number == 3
    assert again.document(3).tlv == doc.tlv and again.document(3).fiscal_sign == doc.fiscal_sign
    assert again.shift_open and again.receipt is None  # the half-built receipt is annulled
    assert len(again.saved_checks) == 1 and again.mark_state is MarkState.IDLE
    assert json.loads(raw)["receipt"]["items"][0]["amount"] == 500
    assert [p.name for p in tmp_path.iterdir()] == ["fn.json"]  # no temp file left behind
    again.open_receipt(1)
    again.add_item(shoes())
    assert again.close_receipt(payments=Payments(cash=19900), taxation=1).number == 4


def test_restart_without_a_file_keeps_the_archive(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.open_receipt(1)
    fn.add_item(shoes())
    fn.check_code(KM88, 1)
    again = fn.restarted()
    assert again.last_fd == 2 and again.receipt is None and again.mark_state is MarkState.IDLE
    assert again.document(2).tlv == fn.document(2).tlv


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["format", "last_fd", "archive", "receipt", "shift_open"]),
                            json_values, max_size=5) | json_values)
def test_any_json_state_is_loaded_or_refused_as_fn_failure(tmp_path: Path, data: object) -> None:
    state = tmp_path / "fuzz.json"
    state.write_text(json.dumps(data))
    try:
        VirtualFn(state_file=state)
    except FnRefused as exc:
        assert exc.code == 0x03


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["last_fd", "shift_number", "shift_open", "shift_opened_at", "receipts_in_shift",
                            "receipt", "saved_checks", "notifications", "codes_in_notification", "archive"]),
       junk=json_values)
def test_a_damaged_field_is_refused_or_survived(tmp_path: Path, key: str, junk: object) -> None:
    state = tmp_path / "real.json"
    state.unlink(missing_ok=True)  # the directory is shared by every example
    fn = VirtualFn(state_file=state)
    fn.open_shift()
    fn.open_receipt(1)
    fn.add_item(shoes())
    data = json.loads(state.read_text())
    data[key] = junk
    state.write_text(json.dumps(data))
    try:
        again = VirtualFn(state_file=state)
    except FnRefused as exc:
        assert exc.code == 0x03
    else:
        assert again.receipt is None  # whatever survived, an open receipt is annulled on restart


def test_unreadable_state_file_is_an_fn_failure(tmp_path: Path) -> None:
    state = tmp_path / "fn.json"
    state.write_text("{not json")
    with pytest.raises(FnRefused) as exc:
        VirtualFn(state_file=state)
    assert exc.value.code == 0x03


def test_notification_area_full_blocks_marking(fn: VirtualFn) -> None:
    from ffd12.emulator import fn as fn_module

    fn.notifications = fn_module.NOTIFICATION_CAPACITY
    assert fn.notification_warning == 4
    with pytest.raises(FnRefused) as exc:
        fn.check_code(KM88, 1)
    assert exc.value.code == 0xA2 and fn.mark_state is MarkState.BLOCKED
    fn.notifications = 0
    assert fn.decide(2) == 0 and fn.mark_state is MarkState.IDLE


def test_code_that_cannot_be_written_is_refused_before_binding(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.open_receipt(1)
    fn.add_item(shoes())
    with pytest.raises(FnRefused) as exc:
        fn.bind_code(b"01046012345678932\xe9\xff" + GS + b"93abcd")
    assert exc.value.code == 0x33
    assert fn.receipt is not None and fn.receipt.items[0].code is None and fn.saved_checks == []


def test_tags_first_model_attaches_to_the_next_item(fn: VirtualFn) -> None:
    fn.open_shift()
    fn.open_receipt(1)
    fn.add_item_tags(encode([Tlv(2108, 11)]), before_item=True)
    fn.bind_code(KM44, before_item=True)
    fn.add_item(shoes())
    assert fn.receipt is not None
    item = fn.receipt.items[0]
    assert item.tags == [Tlv(2108, 11)] and item.code is not None and item.code.code == KM44
    assert fn.receipt.pending_tags == [] and fn.receipt.pending_code is None
    fn.add_item_tags(encode([Tlv(2108, 0)]), before_item=True)  # tags for an item that never comes
    with pytest.raises(FnRefused) as exc:
        fn.close_receipt(payments=Payments(cash=19900), taxation=1)
    assert exc.value.code == 0x02 and fn.receipt is not None


def test_storage_failure_is_an_fn_failure(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    fn = VirtualFn(state_file=folder / "fn.json")
    (folder / "fn.json").unlink()
    folder.rmdir()
    with pytest.raises(FnRefused) as exc:
        fn.open_shift()
    assert exc.value.code == 0x03
