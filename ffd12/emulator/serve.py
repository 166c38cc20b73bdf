"""Serving a byte-level device: over a pty pair, over TCP on 127.0.0.1, or over a null-modem cable.

Each server runs one thread that moves bytes between the line and a sans-I/O device (anything with
the :class:`ByteDevice` surface, e.g. :class:`~ffd12.emulator.shtrih.ShtrihDevice`), passing the
monotonic time in. ``stop()`` (or leaving the ``with`` block) wakes the thread, joins it and closes
every descriptor it opened — ptys, sockets and the wake-up pipe.

* :class:`PtyServer` — a real ``/dev/pts/N`` in raw mode that pyserial (or any serial program)
  opens; the server keeps the slave end open too, so clients may come and go.
* :class:`TcpServer` — listens on 127.0.0.1 (``port=0`` picks a free port); one client at a time,
  a new connection replaces the old one; TCP_NODELAY.
* :class:`PipeServer` — the device end of a :class:`~ffd12.emulator.nullmodem.NullModem`.

Byte faults (:class:`~ffd12.emulator.faults.FaultInjector`) are applied here, on the line; ``baud``
paces the device's output as a serial line would (10 bits per byte).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import socket
import threading
import time
import tty
from typing import Protocol, Self

from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.nullmodem import PipeEnd
from ffd12.errors import LinkError

__all__ = ["ByteDevice", "PipeServer", "PtyServer", "TcpServer"]

log = logging.getLogger("ffd12.emulator.serve")

IDLE_WAIT = 0.5
"""Longest sleep of a server thread when the device has no deadline (stop() wakes it anyway)."""


class ByteDevice(Protocol):
    """What a server needs from a device (see :class:`~ffd12.emulator.shtrih.ShtrihDevice`)."""

    hangup: bool

    def receive(self, data: bytes, now: float) -> None: ...
    def poll(self, now: float) -> None: ...
    def deadline(self) -> float | None: ...
    def bytes_to_send(self) -> bytes: ...
    def connection_lost(self) -> None: ...


class _Server:
    """Thread plumbing shared by the servers; ``lock`` guards the device against other threads."""

    name = "device"

    def __init__(self, device: ByteDevice, *, faults: FaultInjector | None = None,
                 baud: int | None = None) -> None:
        self.device = device
        self.faults = faults
        self.baud = baud
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self.error: BaseException | None = None
        """An unexpected exception that ended the thread (tests assert it stays None)."""

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._guarded, name=f"ffd12-{self.name}", daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> Self:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving and close every descriptor; safe to call twice."""
        self._stop.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
            if self._thread.is_alive():  # pragma: no cover - a bug, not a condition
                raise RuntimeError(f"{self.name} server thread did not stop")
            self._thread = None
        self._close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake_r = self._wake_w = -1

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _guarded(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # kept for the owner, then the thread ends
            log.exception("%s server thread failed", self.name)
            self.error = exc

    def _step(self, data: bytes) -> tuple[bytes, bool, float]:
        """Feed the device; return (bytes to write, hang up?, seconds until it needs a poll)."""
        now = time.monotonic()
        with self.lock:
            if data:
                self.device.receive(self.faults.filter_in(data) if self.faults else data, now)
            self.device.poll(now)
            out = self.device.bytes_to_send()
            hang = self.device.hangup
            deadline = self.device.deadline()
        if out and self.faults:
            out = self.faults.filter_out(out)
        wait = IDLE_WAIT if deadline is None else max(0.0, min(IDLE_WAIT, deadline - now))
        return out, hang, wait

    def _pace(self, out: bytes) -> None:
        if self.baud and out:
            time.sleep(len(out) * 10 / self.baud)

    def _run(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


class PtyServer(_Server):
    """A device behind a pseudo-terminal; ``path`` is the ``/dev/pts/N`` clients open."""

    name = "pty"

    def __init__(self, device: ByteDevice, *, faults: FaultInjector | None = None,
                 baud: int | None = None) -> None:
        super().__init__(device, faults=faults, baud=baud)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self._master)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)

    def _run(self) -> None:
        pending = bytearray()
        wait = IDLE_WAIT
        while not self._stop.is_set():
            wlist = [self._master] if pending else []
            readable, writable, _ = select.select([self._master, self._wake_r], wlist, [], wait)
            data = b""
            if self._master in readable:
                try:
                    data = os.read(self._master, 4096)
                except BlockingIOError:
                    data = b""
                except OSError as exc:
                    if exc.errno != errno.EIO:
                        raise
                    data = b""
            out, hang, wait = self._step(data)
            if hang:
                with self.lock:
                    self.device.connection_lost()
                pending.clear()
                continue
            self._pace(out)
            pending += out
            if pending and (writable or out):
                try:
                    written = os.write(self._master, pending)
                    del pending[:written]
                except BlockingIOError:
                    pass

    def _close(self) -> None:
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = -1


class TcpServer(_Server):
    """A device listening on 127.0.0.1:``port`` (0 = a free port, read it back from ``port``)."""

    name = "tcp"

    def __init__(self, device: ByteDevice, port: int = 0, *, host: str = "127.0.0.1",
                 faults: FaultInjector | None = None, baud: int | None = None) -> None:
        super().__init__(device, faults=faults, baud=baud)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind((host, port))
            self._listener.listen(1)
        except OSError:
            self._listener.close()
            os.close(self._wake_r)
            os.close(self._wake_w)
            raise
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self._client: socket.socket | None = None

    def _drop_client(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
            self._client = None
            with self.lock:
                self.device.connection_lost()

    def _run(self) -> None:
        wait = IDLE_WAIT
        while not self._stop.is_set():
            watch: list[socket.socket | int] = [self._listener, self._wake_r]
            if self._client is not None:
                watch.append(self._client)
            readable, _, _ = select.select(watch, [], [], wait)
            if self._listener in readable:
                conn, peer = self._listener.accept()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._drop_client()
                self._client = conn
                log.info("client connected from %s:%d", *peer)
            data = b""
            if self._client is not None and self._client in readable:
                try:
                    data = self._client.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    self._drop_client()
            out, hang, wait = self._step(data)
            if out and self._client is not None:
                self._pace(out)
                try:
                    self._client.sendall(out)
                except OSError:
                    self._drop_client()
            if hang:
                self._drop_client()

    def _close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
            self._client = None
        with contextlib.suppress(OSError):
            self._listener.close()


class PipeServer(_Server):
    """A device on the ``device`` end of a null-modem cable (byte faults belong to the cable)."""

    name = "pipe"

    def __init__(self, device: ByteDevice, end: PipeEnd, *, baud: int | None = None) -> None:
        super().__init__(device, baud=baud)
        self.end = end

    def stop(self) -> None:
        self._stop.set()
        super().stop()

    def _run(self) -> None:
        wait = 0.0
        while not self._stop.is_set():
            try:
                data = self.end.read(timeout=min(max(wait, 0.001), 0.05))
            except LinkError:
                return  # the cable was hung up
            out, hang, wait = self._step(data)
            self._pace(out)
            try:
                self.end.write(out)
            except LinkError:
                return
            if hang:
                self.end.close()
                return

    def _close(self) -> None:
        self.end.close()
