"""``ffd12 emulate shtrih`` in a subprocess: the first stdout line is where to connect, at once."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import serial

CLI = [sys.executable, "-c", "from ffd12.cli import main; main()", "emulate", "shtrih"]
ENQ, NAK = b"\x05", b"\x15"


@contextmanager
def emulator(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        assert ready, "no first line within 15 s"
        first = proc.stdout.readline().strip()
        yield proc, first
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_pty_path_first_and_served_until_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "fn.json"
    with emulator("--pty", "--state", str(state)) as (proc, path):
        assert path.startswith("/dev/pts/")
        port = serial.Serial(path, 115200, timeout=2)
        try:
            port.write(ENQ)
            assert port.read(1) == NAK
            port.write(bytes.fromhex("02 05 10 1e 00 00 00 0b"))  # short status, password 30
            assert port.read(5) == bytes.fromhex("06 02 11 10 00")
        finally:
            port.close()
        assert state.exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_tcp_port_first_and_sigint(tmp_path: Path) -> None:
    with emulator("--tcp", "0", "--faults", "nak@1") as (proc, where):
        assert where.startswith("tcp://127.0.0.1:")
        port = int(where.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(ENQ)
            assert sock.recv(1) == NAK
            sock.sendall(bytes.fromhex("02 05 10 1e 00 00 00 0b"))
            assert sock.recv(1) == NAK  # the fault plan NAKs the first frame
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0


def test_bad_arguments_fail_fast() -> None:
    both = subprocess.run([*CLI, "--pty", "--tcp", "0"], capture_output=True, text=True, timeout=30)
    assert both.returncode == 2 and "choose one of --pty and --tcp" in both.stderr
    bad = subprocess.run([*CLI, "--faults", "explode@1"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "could not read fault rule" in bad.stderr
    assert bad.stdout == ""


def test_first_line_arrives_while_serving() -> None:
    """A reader of the pipe gets the path before the emulator exits (stdout is flushed at once)."""
    start = time.monotonic()
    with emulator("--pty") as (proc, path):
        assert proc.poll() is None and os.path.exists(path)
        assert time.monotonic() - start < 15
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
