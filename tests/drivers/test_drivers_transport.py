"""Transports over real sockets and a real pty; URL parsing."""

from __future__ import annotations

import os
import socket
import threading
import time
import tty

import pytest

from ffd12.drivers.transport import SerialTransport, TcpTransport, UsbTransport, open_transport
from ffd12.errors import InputError, LinkError


def test_tcp_round_trip_timeout_and_close() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    got: list[bytes] = []

    def peer() -> None:
        conn, _ = server.accept()
        with conn:
            got.append(conn.recv(16))
            conn.sendall(b"\x15")
            time.sleep(0.2)
            conn.sendall(b"\x02\x03")
            time.sleep(0.1)

    thread = threading.Thread(target=peer)
    thread.start()
    try:
        tr = open_transport(f"tcp://127.0.0.1:{port}")
        assert isinstance(tr, TcpTransport)
        assert tr._socket().getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        tr.write(b"\x05")
        assert tr.read(10, 1.0) == b"\x15"
        assert tr.read(10, 0.05) == b""  # silence shorter than the pause
        assert tr.read(10, 1.0) == b"\x02\x03"
        with pytest.raises(LinkError, match="closed"):
            tr.read(10, 1.0)
        tr.close()
    finally:
        thread.join()
        server.close()
    assert got == [b"\x05"]


def test_tcp_refused_is_a_link_error() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(LinkError):
        open_transport(f"tcp://127.0.0.1:{port}")


def test_serial_over_a_pty() -> None:
    master, slave = os.openpty()
    tty.setraw(master)
    name = os.ttyname(slave)
    try:
        tr = open_transport(f"serial://{name}?baudrate=115200")
        assert isinstance(tr, SerialTransport) and tr.baudrate == 115200
        tr.write(b"\x05")
        assert os.read(master, 10) == b"\x05"
        os.write(master, b"\x06\x02\x03")
        time.sleep(0.05)
        assert tr.read(2, 1.0) == b"\x06\x02"
        assert tr.read(10, 1.0) == b"\x03"
        assert tr.read(10, 0.05) == b""
        tr.close()
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize("url", ["ftp://x", "tcp://", "usb://zz:01", "serial://", "emu://shtrih",
                                 "serial:///dev/x?baudrate=fast"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(InputError):
        open_transport(url)


def test_usb_url_is_hex_vid_pid() -> None:
    tr = UsbTransport(0x18D1, 0x4EE4, serial="SHM001")
    assert tr.url == "usb://18d1:4ee4?serial=SHM001"
    with pytest.raises(LinkError):
        tr.write(b"\x05")
