"""Protocol v2 on the emulated Shtrih-M (spec §1.4): 0x8F frames, CRC-16, numbers, resend-safe."""

from __future__ import annotations

import socket
import time

from ffd12.connect import connect
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.serve import TcpServer
from ffd12.emulator.shtrih import ShtrihDevice


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT, init 0xFFFF, polynomial 0x1021, no reflection (§1.4)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def frame2(inner_hex: str) -> bytes:
    """8F + LEN16 NUM16 DATA + CRC16 (LE); none of the test frames needs byte stuffing."""
    inner = bytes.fromhex(inner_hex)
    wire = inner + crc16_ccitt(inner).to_bytes(2, "little")
    assert 0x8F not in wire and 0x9F not in wire
    return b"\x8f" + wire


def test_crc_helper_matches_the_spec_vectors() -> None:
    assert crc16_ccitt(bytes.fromhex("00 00")) == 0x1D0F
    assert crc16_ccitt(bytes.fromhex("03 00 06 00 FC")) == 0x63ED


def test_sync_then_numbered_requests_run_once() -> None:
    device = ShtrihDevice()
    assert frame2("00 00") == bytes.fromhex("8f 00 00 0f 1d")
    device.receive(frame2("00 00"), now=0.0)  # sync: nothing executed yet → number 0, no data
    assert device.bytes_to_send() == frame2("02 00 00 00")
    assert device.v2
    device.receive(frame2("03 00 01 00 fc"), now=0.1)  # FC as request 1
    answer = device.bytes_to_send()
    name = "РИТЕЙЛ-01Ф".encode("cp1251").hex()
    body = f"fc 00 00 00 01 00 16 00 {name}"
    assert answer == frame2(f"{len(bytes.fromhex(body)) + 2:02x} 00 01 00 {body}")
    assert device.commands == 1
    device.receive(frame2("03 00 01 00 fc"), now=0.2)  # the same number again: answer repeated
    assert device.bytes_to_send() == answer and device.commands == 1
    device.receive(frame2("03 00 06 00 fc"), now=0.3)  # out of sequence: last answer, not executed
    assert device.bytes_to_send() == answer and device.commands == 1
    damaged = bytearray(frame2("03 00 02 00 fc"))
    damaged[-1] ^= 0x01
    device.receive(bytes(damaged), now=0.4)  # bad CRC: silence, the host resends
    assert device.bytes_to_send() == b"" and device.commands == 1
    device.receive(b"\x05", now=0.5)  # ENQ switches back to v1
    assert device.bytes_to_send() == b"\x15" and not device.v2


def test_register_over_v2_with_lost_frames() -> None:
    faults = FaultInjector("nak@1,drop:out@3")
    device = ShtrihDevice(faults=faults)
    with TcpServer(device, faults=faults) as server:
        from ffd12.drivers.shtrih.driver import ShtrihRegister
        from ffd12.drivers.shtrih.link import LinkPolicy
        from ffd12.drivers.shtrih.link2 import HostLink2
        from ffd12.drivers.transport import TcpTransport

        transport = TcpTransport("127.0.0.1", server.port)
        transport.open()
        policy = LinkPolicy(ack_timeout=0.3, byte_timeout=0.3)
        with ShtrihRegister(transport, link=HostLink2(policy)) as reg:
            assert not reg.status().shift_open
            reg.open_shift()
            assert reg.status().shift_open
        assert device.v2 and device.fn.last_fd == 2  # the shift was opened exactly once
        assert "nak#1" in faults.applied


def test_emu_url_with_protocol_v2() -> None:
    with connect("emu://shtrih?protocol=v2") as reg:
        start = time.monotonic()
        assert reg.status().last_fd == 1
        assert time.monotonic() - start < 5


def test_v2_over_a_raw_socket() -> None:
    with TcpServer(ShtrihDevice()) as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(2)
        sock.sendall(frame2("00 00"))
        assert sock.recv(16) == frame2("02 00 00 00")
