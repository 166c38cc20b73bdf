"""Fault plans (the --faults syntax), the injector and the in-process null-modem cable."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ffd12.emulator.faults import Fault, FaultInjector, FrameFault, parse_faults
from ffd12.emulator.nullmodem import NullModem
from ffd12.errors import InputError, LinkError


def test_parse_every_rule_kind() -> None:
    plan = parse_faults(
        "drop:out@12, dup:in@3,corrupt:out%50,nak@2,delay:0.5@1,close@4,powercut:0.25@5,delay:1"
    )
    assert plan == (
        Fault(action="drop", direction="out", at=12),
        Fault(action="dup", direction="in", at=3),
        Fault(action="corrupt", direction="out", every=50),
        Fault(action="nak", at=2),
        Fault(action="delay", at=1, seconds=0.5),
        Fault(action="close", at=4),
        Fault(action="powercut", at=5, seconds=0.25),
        Fault(action="delay", seconds=1.0),
    )
    assert parse_faults("") == () and parse_faults(" , ") == ()


@pytest.mark.parametrize(
    "bad", ["explode@1", "drop@3", "drop:sideways@1", "drop:out", "nak:1@1", "delay@1", "delay:abc@1",
            "nak@0", "corrupt:out%0", "drop:out@-1", "DROP:out@1"],
)
def test_bad_rules_are_input_errors(bad: str) -> None:
    with pytest.raises(InputError, match="could not read fault rule"):
        parse_faults(bad)


def test_byte_faults_count_per_direction() -> None:
    inj = FaultInjector("drop:out@2,dup:in@1,corrupt:out@4")
    assert inj.filter_out(b"\x01\x02\x03") == b"\x01\x03"
    assert inj.filter_in(b"\x05\x06") == b"\x05\x05\x06"
    assert inj.filter_out(b"\x0f\x10") == b"\xf0\x10"  # byte 4 of the device stream flipped
    assert inj.filter_out(b"\x11") == b"\x11"
    assert inj.applied == ["drop:out#2", "dup:in#1", "corrupt:out#4"]


def test_every_kth_byte() -> None:
    inj = FaultInjector("drop:in%3")
    assert inj.filter_in(bytes(range(1, 10))) == bytes([1, 2, 4, 5, 7, 8])


def test_frame_faults() -> None:
    inj = FaultInjector("nak@1,delay:0.5@2,close@3,powercut:1.5@3,blackout@4")
    first, second, third, fourth, fifth = (inj.on_frame() for _ in range(5))
    assert first.nak and not first.close
    assert second.delay == 0.5 and not second.nak
    assert third.close and third.powercut == 1.5
    assert fourth.blackout == 0.0 and fourth.powercut is None
    assert fifth == FrameFault()
    assert not FaultInjector() and FaultInjector("nak@1")


def test_frame_rule_without_position_hits_every_frame() -> None:
    inj = FaultInjector("delay:0.1")
    assert all(inj.on_frame().delay == 0.1 for _ in range(3))


def test_null_modem_carries_bytes_both_ways() -> None:
    cable = NullModem()
    cable.host.write(b"\x05")
    assert cable.device.in_waiting == 1
    assert cable.device.read(timeout=0.5) == b"\x05"
    cable.device.write(b"\x15")
    assert cable.host.read(timeout=0.5) == b"\x15"
    assert cable.host.read(timeout=0.01) == b""
    cable.close()
    with pytest.raises(LinkError):
        cable.device.read(timeout=0.1)
    with pytest.raises(LinkError):
        cable.device.write(b"x")


def test_null_modem_applies_faults_in_flight() -> None:
    cable = NullModem(FaultInjector("corrupt:in@1,drop:out@1"))
    cable.host.write(b"\x05\x05")
    assert cable.device.read(timeout=0.5) == b"\xfa\x05"
    cable.device.write(b"\x06\x15")
    assert cable.host.read(timeout=0.5) == b"\x15"
    cable.close()


def test_null_modem_read_wakes_on_write_from_another_thread() -> None:
    cable = NullModem()
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(cable.device.read(timeout=2)))
    reader.start()
    cable.host.write(b"abc")
    reader.join(3)
    assert got == [b"abc"]
    cable.close()


def test_pending_bytes_are_read_after_hangup() -> None:
    cable = NullModem()
    cable.device.write(b"\x06")
    cable.device.close()
    assert cable.host.read(timeout=0.1) == b"\x06"
    assert cable.host.closed
    with pytest.raises(LinkError):
        cable.host.read(timeout=0.1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_fault_string_parses_or_is_an_input_error(spec: str) -> None:
    try:
        faults = parse_faults(spec)
    except InputError as exc:
        assert "could not read fault rule" in str(exc)
    else:
        actions = {"drop", "dup", "corrupt", "nak", "delay", "close", "powercut", "blackout"}
        assert all(f.action in actions for f in faults)
