"""Arbitrary bytes never crash or hang the emulated Shtrih-M (its input path and its commands)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ffd12.drivers.shtrih.commands import COMMANDS
from ffd12.emulator import fnstate
from ffd12.emulator.nullmodem import NullModem
from ffd12.emulator.serve import PipeServer
from ffd12.emulator.shtrih import BYTE_TIMEOUT, ShtrihDevice

ENQ, ACK, NAK = 0x05, 0x06, 0x15


def clock() -> dt.datetime:
    return dt.datetime(2026, 3, 2, 9, 30)


def check_idle_or_answering(device: ShtrihDevice, now: float) -> None:
    """After any input, an ENQ gets NAK (idle) or ACK followed by one whole frame."""
    device.poll(now)
    device.bytes_to_send()
    device.receive(bytes([ENQ]), now)
    out = device.bytes_to_send()
    assert out[:1] in (bytes([NAK]), bytes([ACK]))
    if out[0] == ACK and len(out) > 1:
        assert out[1] == 0x02 and len(out) == out[2] + 4


chunks = st.lists(st.tuples(st.binary(max_size=80), st.floats(min_value=0, max_value=0.5)), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks)
def test_random_bytes_never_crash_the_device(parts: list[tuple[bytes, float]]) -> None:
    device = ShtrihDevice(clock=clock)
    now = 0.0
    for data, gap in parts:
        now += gap
        device.receive(data, now)
        device.poll(now)
        assert len(device.bytes_to_send()) < 4096
    check_idle_or_answering(device, now + BYTE_TIMEOUT + 0.01)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=255))
def test_any_body_gets_an_answer_to_its_own_code(body: bytes) -> None:
    device = ShtrihDevice(clock=clock)
    answer = device.execute(body)
    head = body[:2] if body[0] == 0xFF and len(body) > 1 else body[:1]
    assert 2 <= len(answer) <= 255
    assert answer.startswith(head) or (body == b"\xff" and answer == b"\xff\x01")


def _body(code: int, tail: bytes) -> bytes:
    head = bytes([code >> 8, code & 0xFF]) if code > 0xFF else bytes([code])
    return head + b"\x1e\x00\x00\x00" + tail


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(sorted(COMMANDS)), st.binary(max_size=60)), max_size=25))
def test_random_command_sequences_keep_the_fn_consistent(script: list[tuple[int, bytes]]) -> None:
    device = ShtrihDevice(clock=clock)
    device.execute(_body(0xE0, b""))  # a shift, so receipts can open
    for code, tail in script:
        answer = device.execute(_body(code, tail))
        assert len(answer) <= 255
    image = fnstate.dump_state(device.fn)
    again = device.fn.restarted()
    assert again.last_fd == device.fn.last_fd
    assert fnstate.dump_state(again)["archive"] == image["archive"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_served_device_survives_garbage(noise: bytes) -> None:
    cable = NullModem()
    device = ShtrihDevice(clock=clock)
    with PipeServer(device, cable.device) as server:
        cable.host.write(noise)
        got = b""
        for _ in range(6):  # a host waits longer than the byte timeout: the device drops a half frame
            cable.host.write(bytes([ENQ]))
            got = cable.host.read(timeout=BYTE_TIMEOUT + 0.05)
            if got[-1:] == bytes([NAK]) or got.startswith(bytes([ACK, 0x02])):
                break
            if got.endswith(bytes([ACK])):  # an answer is held: take it and ACK it
                cable.host.read(timeout=0.2)
                cable.host.write(bytes([ACK]))
        assert got, "device stopped answering"
        assert server.error is None
    cable.close()


ITEM = bytes.fromhex("01 40 42 0f 00 00 00 10 27 00 00 00 ff ff ff ff ff ff ff ff ff ff 01 01 04 01") + b"X"
CLOSE = b"\x10\x27\x00\x00\x00" + bytes(15 * 5 + 1 + 30) + b"\x01"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([0xFF0C, 0xFF4D, 0xFF61, 0xFF67, 0xFF69, 0xFF46]),
                          st.binary(max_size=120)), max_size=10))
def test_fuzzed_tags_and_codes_inside_a_receipt(script: list[tuple[int, bytes]]) -> None:
    from ffd12.tlv import decode

    device = ShtrihDevice(clock=clock)
    assert device.execute(_body(0xE0, b"")) == b"\xe0\x00\x1e"
    assert device.execute(_body(0xFF46, ITEM)) == b"\xff\x46\x00"
    for code, tail in script:
        device.execute(_body(code, tail))
    answer = device.execute(_body(0xFF45, CLOSE))
    if answer[2] == 0:
        doc = device.fn.document(device.fn.last_fd)
        assert decode(doc.tlv)[0].tag == 3


def test_cashier_tags_before_opening_the_shift_land_in_its_report() -> None:
    from ffd12.tlv import Tlv, decode, encode

    device = ShtrihDevice(clock=clock)
    cashier = encode([Tlv(1021, "Иванова И.И."), Tlv(1203, "500100732259")])
    assert device.execute(_body(0xFF0C, cashier)) == b"\xff\x0c\x00"
    assert device.execute(_body(0xFF0C, encode([Tlv(1008, "a@b.c")]))) == b"\xff\x0c\x33"  # not here
    assert device.execute(_body(0xE0, b"")) == b"\xe0\x00\x1e"
    report = decode(device.fn.document(2).tlv)[0]
    assert report.tag == 2 and report.children.value(1021) == "Иванова И.И."
    assert report.children.value(1203) == "500100732259"


def test_refused_close_leaves_the_receipt_untouched() -> None:
    device = ShtrihDevice(clock=clock)
    device.execute(_body(0xE0, b""))
    device.execute(_body(0xFF46, ITEM))  # 100.00
    short = b"\x10\x27\x00\x00\x00" + bytes(15 * 5) + b"\x05" + bytes(30) + b"\x01"  # 100.00 − 0.05 rounding
    device.fn.scenario.paper_out = True
    assert device.execute(_body(0xFF45, short)) == b"\xff\x45\x6b"  # no paper
    assert device.fn.receipt is not None and device.fn.receipt.items[0].amount == 10000
    taxed = short[:-1] + b"\x20"  # ПСН is not registered
    device.fn.scenario.paper_out = False
    assert device.execute(_body(0xFF45, taxed))[2] != 0
    assert device.fn.receipt.items[0].amount == 10000
    answer = device.execute(_body(0xFF45, short))
    assert answer[:8] == b"\xff\x45\x00\x05\x00\x00\x00\x00"  # change 0.05
    assert device.fn.document(device.fn.last_fd).amount == 9995
