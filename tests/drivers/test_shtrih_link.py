"""Shtrih v1 framing and the host ENQ/ACK/NAK machine, against frames written by hand from spec §1.2–1.3."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from link_fuzz import feed

from ffd12.drivers.shtrih.link import (
    ACK,
    ENQ,
    NAK,
    BadFrame,
    FrameDecoder,
    HostLink,
    LinkPolicy,
    build_frame,
    trace,
)
from ffd12.errors import InputError, LinkError

# §2.1 example: FF45 failed with error 0xB9 — STX, LEN 3, FF 45 B9, LRC 03^FF^45^B9 = 00
FF45_ERROR = bytes.fromhex("02 03 FF 45 B9 00")
# 0x10 short status with password 30: LEN 5, 10 1E 00 00 00, LRC 05^10^1E = 0B
STATUS_30 = bytes.fromhex("02 05 10 1E 00 00 00 0B")
# answer to 0x8D open receipt: 8D 00 1E (operator 30), LRC 03^8D^00^1E = 90
OPEN_OK = bytes.fromhex("02 03 8D 00 1E 90")


def test_build_frame_matches_hand_written_bytes() -> None:
    assert build_frame(bytes.fromhex("10 1E 00 00 00")) == STATUS_30
    assert build_frame(bytes.fromhex("FF 45 B9")) == FF45_ERROR


@pytest.mark.parametrize("size", [0, 256])
def test_build_frame_refuses_bad_sizes(size: int) -> None:
    with pytest.raises(InputError):
        build_frame(b"\x10" * size)


def test_decoder_whole_input() -> None:
    d = FrameDecoder()
    d.feed(bytes([ACK]) + FF45_ERROR + bytes([0xFF, NAK]) + OPEN_OK)
    assert d.next_unit() == ACK
    assert d.next_unit() == bytes.fromhex("FF 45 B9")
    assert d.next_unit() == 0xFF
    assert d.next_unit() == NAK
    assert d.next_unit() == bytes.fromhex("8D 00 1E")
    assert d.next_unit() is None


def test_decoder_byte_by_byte() -> None:
    d = FrameDecoder()
    for byte in FF45_ERROR[:-1]:
        d.feed(bytes([byte]))
        assert d.next_frame() is None
        assert d.in_frame
    d.feed(FF45_ERROR[-1:])
    assert d.next_frame() == bytes.fromhex("FF 45 B9")
    assert not d.in_frame


def test_decoder_trailing_bytes_stay_buffered() -> None:
    d = FrameDecoder()
    d.feed(OPEN_OK + bytes.fromhex("02 05 10"))
    assert d.next_frame() == bytes.fromhex("8D 00 1E")
    assert d.next_frame() is None
    assert d.buffered == 3
    d.feed(bytes.fromhex("1E 00 00 00 0B"))
    assert d.next_frame() == bytes.fromhex("10 1E 00 00 00")


def test_decoder_corrupted_lrc_raises_then_continues() -> None:
    d = FrameDecoder()
    d.feed(bytes.fromhex("02 03 8D 00 1E 91") + OPEN_OK)
    with pytest.raises(BadFrame):
        d.next_unit()
    assert d.next_unit() == bytes.fromhex("8D 00 1E")


def test_decoder_zero_length_is_a_bad_frame() -> None:
    d = FrameDecoder()
    d.feed(bytes.fromhex("02 00 06"))
    with pytest.raises(BadFrame):
        d.next_unit()
    assert d.next_unit() == ACK


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=1, max_value=40))
def test_decoder_fuzz_only_link_errors(data: bytes, chunk: int) -> None:
    d = FrameDecoder()
    for i in range(0, len(data), chunk):
        d.feed(data[i : i + chunk])
        while True:
            try:
                unit = d.next_unit()
            except LinkError:
                continue
            if unit is None:
                break
    assert d.buffered <= 258


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=255))
def test_decoder_reads_back_any_body(body: bytes) -> None:
    d = FrameDecoder()
    d.feed(build_frame(body))
    assert d.next_frame() == body


def test_trace_masks_password() -> None:
    shown = trace("->", build_frame(bytes.fromhex("FF 01 1E 00 00 00")), password_at=2)
    assert "1e" not in shown.split(" ")[5:9]
    assert shown == "-> 02 06 ff 01 ** ** ** ** e6"


# -- the host state machine, stepped by hand --------------------------------------------------

FAST = LinkPolicy(ack_timeout=0.1, byte_timeout=0.1, stale_timeout=0.1)


def _link(body: bytes = bytes.fromhex("8D 1E 00 00 00 00")) -> HostLink:
    link = HostLink(FAST)
    link.start(body, 10.0, password_at=1)
    assert link.bytes_to_send() == bytes([ENQ])
    return link


CMD_8D = bytes.fromhex("02 06 8D 1E 00 00 00 00 95")  # LRC 06^8D^1E = 95


def test_happy_exchange() -> None:
    link = _link()
    link.receive_data(bytes([NAK]))
    assert link.bytes_to_send() == CMD_8D
    link.receive_data(bytes([ACK]))
    assert link.wait_time() == pytest.approx(10.1)
    link.receive_data(OPEN_OK[:3])
    assert link.wait_time() == pytest.approx(0.1)
    link.receive_data(OPEN_OK[3:])
    assert link.done and link.answer == bytes.fromhex("8D 00 1E")
    assert link.bytes_to_send() == bytes([ACK])


def test_stale_answer_is_drained_first_and_stray_ff_skipped() -> None:
    link = _link()
    link.receive_data(bytes([0xFF, ACK]))
    link.receive_data(bytes.fromhex("02 03 10 00 1E 0D"))  # an old 0x10 answer
    assert link.bytes_to_send() == bytes([ACK, ENQ])
    link.receive_data(bytes([0xFF, NAK]))
    assert link.bytes_to_send() == CMD_8D
    link.receive_data(bytes([ACK]) + OPEN_OK)
    assert link.answer == bytes.fromhex("8D 00 1E")


def test_nak_on_command_resends_then_gives_up() -> None:
    link = _link()
    link.receive_data(bytes([NAK]))
    assert link.bytes_to_send() == CMD_8D
    link.receive_data(bytes([NAK]))
    assert link.bytes_to_send() == CMD_8D
    link.receive_data(bytes([NAK]))
    assert link.bytes_to_send() == CMD_8D
    with pytest.raises(LinkError, match="NAKed 3 times"):
        link.receive_data(bytes([NAK]))


def test_bad_answer_is_naked_and_asked_again() -> None:
    link = _link()
    link.receive_data(bytes([NAK]))
    link.bytes_to_send()
    link.receive_data(bytes([ACK]) + bytes.fromhex("02 03 8D 00 1E 91"))
    assert link.bytes_to_send() == bytes([NAK, ENQ])
    link.receive_data(bytes([ACK]) + OPEN_OK)
    assert link.answer == bytes.fromhex("8D 00 1E")


def test_lost_ack_is_resolved_with_enq_not_a_resend() -> None:
    link = _link()
    link.receive_data(bytes([NAK]))
    link.bytes_to_send()
    link.timed_out()  # the ACK of the command never came
    assert link.bytes_to_send() == bytes([ENQ])
    link.receive_data(bytes([ACK]))  # the device has it: wait for the answer, do not resend
    assert link.bytes_to_send() == b""
    link.receive_data(OPEN_OK)
    assert link.answer == bytes.fromhex("8D 00 1E")


def test_truncated_answer_times_out_into_a_repeat() -> None:
    link = _link()
    link.receive_data(bytes([NAK]))
    link.bytes_to_send()
    link.receive_data(bytes([ACK]) + OPEN_OK[:4])
    link.timed_out()
    assert link.bytes_to_send() == bytes([NAK, ENQ])
    link.receive_data(bytes([ACK]) + OPEN_OK)
    assert link.answer == bytes.fromhex("8D 00 1E")


def test_answer_to_another_command_is_refused() -> None:
    link = _link()
    link.receive_data(bytes([NAK]))
    link.bytes_to_send()
    with pytest.raises(LinkError, match="expected an answer to 8D"):
        link.receive_data(bytes([ACK]) + bytes.fromhex("02 03 10 00 1E 0D"))


def test_silent_device_is_no_connection() -> None:
    link = _link()
    for _ in range(FAST.enq_tries - 1):
        link.timed_out()
        assert link.bytes_to_send() == bytes([ENQ])
    with pytest.raises(LinkError, match="no reply to ENQ"):
        link.timed_out()


def test_device_that_lost_the_answer_is_reported() -> None:
    link = _link()
    link.receive_data(bytes([NAK]))
    link.bytes_to_send()
    link.receive_data(bytes([ACK]))
    link.timed_out()  # no answer within the command timeout
    assert link.bytes_to_send() == bytes([ENQ])
    with pytest.raises(LinkError, match="answer lost"):
        link.receive_data(bytes([NAK]))


_PIECES = st.one_of(
    st.binary(max_size=24),
    st.sampled_from([bytes([NAK]), bytes([ACK]), bytes([0xFF]), OPEN_OK, OPEN_OK[:3],
                     bytes.fromhex("02 03 8D 00 1E 91"), bytes.fromhex("02 03 10 00 1E 0D")]),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=80))
def test_host_link_fuzz_never_accepts_a_wrong_answer(events: list[bytes | None]) -> None:
    link = _link()
    if feed(link, events, b"\x8d"):
        return
    # silence after any prefix ends in an answer or a LinkError within bounded steps
    for _ in range(100):
        try:
            link.timed_out()
        except LinkError:
            return
        if link.done:
            return
    raise AssertionError("the link neither finished nor gave up")


def test_ff_err_short_answer_is_passed_up() -> None:
    link = HostLink(FAST)
    link.start(bytes.fromhex("FF 46 1E 00 00 00"), 1.0)
    link.bytes_to_send()
    link.receive_data(bytes([NAK]))
    link.bytes_to_send()
    link.receive_data(bytes([ACK]) + bytes.fromhex("02 02 FF 33 CE"))  # LRC 02^FF^33 = CE
    assert link.answer == bytes.fromhex("FF 33")


def test_passwords_never_reach_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="ffd12.drivers.shtrih.link")
    link = HostLink(LinkPolicy(nak_command_tries=1))
    link.start(bytes.fromhex("FF 01 AA BB CC DD"), 1.0, password_at=2)
    link.receive_data(bytes([NAK]))
    check = 0x06 ^ 0xFF ^ 0x01 ^ 0xAA ^ 0xBB ^ 0xCC ^ 0xDD
    assert link.bytes_to_send().endswith(bytes.fromhex("AA BB CC DD") + bytes([check]))
    with pytest.raises(LinkError) as info:
        link.receive_data(bytes([NAK]))
    assert "aa bb cc dd" not in caplog.text.lower()
    assert "aa bb cc dd" not in str(info.value).lower()
    assert "** ** ** **" in caplog.text
