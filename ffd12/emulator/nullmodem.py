"""An in-process null-modem cable: two connected byte ends, with optional byte faults on the wire.

What one end writes, the other reads — like a crossed serial cable, but in memory, so tests and
``emu://`` URLs need no pty or socket. A :class:`~ffd12.emulator.faults.FaultInjector` may sit on
the cable: ``in`` faults hit bytes travelling host → device, ``out`` faults device → host.

>>> cable = NullModem()
>>> cable.host.write(b"\\x05")
>>> cable.device.read(timeout=0.1)
b'\\x05'
>>> cable.close()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ffd12.emulator.faults import FaultInjector
from ffd12.errors import LinkError

__all__ = ["NullModem", "PipeEnd"]

MAX_BUFFER = 1 << 20
"""A writer blocks past this many unread bytes (nothing on a Shtrih link comes close)."""


class _Channel:
    """One direction of the cable: a byte buffer guarded by a condition."""

    def __init__(self, transform: Callable[[bytes], bytes] | None) -> None:
        self.buf = bytearray()
        self.cond = threading.Condition()
        self.closed = False
        self.transform = transform

    def put(self, data: bytes) -> None:
        if self.transform is not None:
            data = self.transform(data)
        with self.cond:
            if self.closed:
                raise LinkError("could not write to the null modem: expected an open cable, got a closed one")
            while len(self.buf) > MAX_BUFFER and not self.closed:
                self.cond.wait(0.1)
            self.buf += data
            self.cond.notify_all()

    def get(self, size: int, timeout: float | None) -> bytes:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.cond:
            while not self.buf:
                if self.closed:
                    raise LinkError("could not read from the null modem: the other end closed the cable")
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return b""
                self.cond.wait(left)
            out = bytes(self.buf[:size])
            del self.buf[:size]
            self.cond.notify_all()
            return out

    def waiting(self) -> int:
        with self.cond:
            return len(self.buf)

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


class PipeEnd:
    """One end of the cable: ``write``, ``read`` with a timeout, ``close`` (both sides see it)."""

    def __init__(self, rx: _Channel, tx: _Channel, name: str) -> None:
        self._rx = rx
        self._tx = tx
        self.name = name

    def open(self) -> None:
        """The cable is plugged in from the start (the Transport interface has this step)."""

    def write(self, data: bytes) -> None:
        """Send bytes to the other end; LinkError once the cable is closed."""
        if data:
            self._tx.put(bytes(data))

    def read(self, size: int = 4096, timeout: float | None = None) -> bytes:
        """Up to ``size`` bytes; ``b""`` after ``timeout`` seconds of silence; LinkError if closed."""
        return self._rx.get(size, timeout)

    def flush(self) -> None:
        """Nothing is buffered on our side of the cable."""

    @property
    def in_waiting(self) -> int:
        return self._rx.waiting()

    @property
    def closed(self) -> bool:
        return self._rx.closed and not self._rx.waiting()

    def close(self) -> None:
        """Hang up the cable (both directions); the peer's next read raises LinkError."""
        self._rx.close()
        self._tx.close()


class NullModem:
    """The cable: ``host`` and ``device`` ends; byte faults from ``faults`` applied in flight."""

    def __init__(self, faults: FaultInjector | None = None) -> None:
        self.faults = faults
        to_device = _Channel(faults.filter_in if faults else None)
        to_host = _Channel(faults.filter_out if faults else None)
        self.host = PipeEnd(to_host, to_device, "host")
        self.device = PipeEnd(to_device, to_host, "device")

    def close(self) -> None:
        self.host.close()
