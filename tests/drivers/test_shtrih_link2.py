"""Shtrih protocol v2 framing and host link, against frames written by hand from spec §1.4."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from link_fuzz import feed

from ffd12.drivers.shtrih.link import BadFrame, LinkPolicy
from ffd12.drivers.shtrih.link2 import Frame2Decoder, HostLink2, build_frame2, crc16
from ffd12.errors import LinkError

# §1.4 test vectors
SYNC = bytes.fromhex("8f 00 00 0f 1d")  # LEN16 0, CRC16(00 00) = 0x1D0F little-endian
FC_6 = bytes.fromhex("8f 03 00 06 00 fc ed 63")  # LEN 3, NUM 6, FC, CRC 0x63ED


def test_crc_vectors() -> None:
    assert crc16(bytes.fromhex("00 00")) == 0x1D0F
    assert crc16(bytes.fromhex("03 00 06 00 fc")) == 0x63ED


def test_build_matches_hand_frames() -> None:
    assert build_frame2(None, b"") == SYNC
    assert build_frame2(6, b"\xfc") == FC_6


def test_stuffing_of_8f_and_9f() -> None:
    frame = build_frame2(0x8F, bytes([0x9F]))
    inner = bytes.fromhex("03 00 8f 00 9f")
    crc = crc16(inner).to_bytes(2, "little")
    expected = bytes.fromhex("8f 03 00 9f 81 00 9f 83") + crc.replace(b"\x9f", b"\x9f\x83").replace(
        b"\x8f", b"\x9f\x81")
    assert frame == expected
    assert 0x8F not in frame[1:]
    d = Frame2Decoder()
    d.feed(frame)
    assert d.next_frame() == (0x8F, b"\x9f")


def test_decoder_whole_bytewise_trailing_and_corrupt() -> None:
    d = Frame2Decoder()
    d.feed(b"\x00\x15" + SYNC + FC_6)
    assert d.next_frame() == (None, b"")
    assert d.next_frame() == (6, b"\xfc")
    assert d.next_frame() is None
    for byte in FC_6[:-1]:
        d.feed(bytes([byte]))
        assert d.next_frame() is None
    d.feed(FC_6[-1:] + FC_6[:3])
    assert d.next_frame() == (6, b"\xfc")
    assert d.next_frame() is None
    d.reset()
    d.feed(FC_6[:-1] + b"\x00" + FC_6)
    with pytest.raises(BadFrame):
        d.next_frame()
    assert d.next_frame() == (6, b"\xfc")


def test_cut_frame_does_not_swallow_the_next() -> None:
    d = Frame2Decoder()
    d.feed(FC_6[:4] + FC_6)
    with pytest.raises(BadFrame):
        d.next_frame()
    assert d.next_frame() == (6, b"\xfc")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=1, max_value=30))
def test_decoder_fuzz(data: bytes, chunk: int) -> None:
    d = Frame2Decoder()
    for i in range(0, len(data), chunk):
        d.feed(data[i : i + chunk])
        while True:
            try:
                if d.next_frame() is None:
                    break
            except LinkError:
                continue


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=0xFFFF), st.binary(max_size=300))
def test_round_trip(number: int, data: bytes) -> None:
    d = Frame2Decoder()
    d.feed(build_frame2(number, data))
    assert d.next_frame() == (number, data)


FAST = LinkPolicy(ack_timeout=0.1, byte_timeout=0.1)


def test_host_link2_sync_then_numbered_request() -> None:
    link = HostLink2(FAST)
    link.start(b"\xfc", 3.0)
    assert link.bytes_to_send() == SYNC
    link.receive_data(build_frame2(5, b"\x10\x00\x1e"))  # last executed: 5
    assert link.bytes_to_send() == FC_6  # next number 6
    link.timed_out()  # lost: the same frame again, same number
    assert link.bytes_to_send() == FC_6
    link.receive_data(build_frame2(6, b"\xfc\x00\x00\x00\x01"))
    assert link.done and link.answer == b"\xfc\x00\x00\x00\x01"
    link.start(b"\xfc", 3.0)
    assert link.bytes_to_send() == build_frame2(7, b"\xfc")


def test_host_link2_old_answer_resynchronises() -> None:
    link = HostLink2(FAST)
    link.start(b"\xfc", 3.0)
    link.bytes_to_send()
    link.receive_data(build_frame2(5, b""))
    assert link.bytes_to_send() == FC_6
    link.receive_data(build_frame2(9, b"\x10\x00\x1e"))  # the device is at 9: it did not run ours
    assert link.bytes_to_send() == build_frame2(10, b"\xfc")
    link.receive_data(build_frame2(10, b"\xfc\x00"))
    assert link.answer == b"\xfc\x00"


def test_host_link2_gives_up() -> None:
    link = HostLink2(FAST)
    link.start(b"\xfc", 3.0)
    with pytest.raises(LinkError, match="gave up"):
        for _ in range(100):
            link.timed_out()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=24), st.none(),
                          st.sampled_from([build_frame2(1, b"\xfc\x00"), build_frame2(0, b""), SYNC,
                                           build_frame2(1, b"\x10\x00")])), max_size=60))
def test_host_link2_fuzz_never_accepts_a_foreign_answer(events: list[bytes | None]) -> None:
    link = HostLink2(FAST)
    link.start(b"\xfc", 1.0)
    feed(link, events, b"\xfc")
