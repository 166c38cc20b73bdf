"""The device side of the Shtrih-M wire protocol, sans-I/O (spec/shtrih-m.md §1.2–1.4, §2.1).

:class:`ShtrihDevice` behaves as a real register on the line:

* ENQ is answered with NAK when the device is idle and with ACK when it holds an answer — which it
  then (re)sends, so a host that NAKed an answer gets it again after its next ENQ;
* a good frame is ACKed, executed (:class:`~ffd12.emulator.shtrihops.Operations`) and answered; a
  frame with a bad LRC is NAKed and dropped; an answer stays pending until the host ACKs it;
* a frame that stops half-way is forgotten after :data:`BYTE_TIMEOUT` of silence;
* stray bytes outside a frame (noise, 0xFF) are ignored;
* protocol v2 (0x8F frames with CRC-16 and numbers, §1.4) is picked when a frame starts with 0x8F:
  a request numbered last + 1 is executed, any other number (or an empty sync frame) gets the last
  answer again, so a repeated request never runs twice; ENQ or STX switch back to v1.

No socket and no clock inside: the server calls :meth:`ShtrihDevice.receive` with the bytes and the
current monotonic time, writes :meth:`ShtrihDevice.bytes_to_send`, and calls
:meth:`ShtrihDevice.poll` when :meth:`ShtrihDevice.deadline` passes. Frame faults (NAK a frame,
delay an answer, close the connection, cut the power) come from a
:class:`~ffd12.emulator.faults.FaultInjector`.

>>> dev = ShtrihDevice()
>>> dev.receive(b"\\x05", now=0.0); dev.bytes_to_send().hex()
'15'
>>> dev.receive(bytes.fromhex("02 05 10 1e 00 00 00 0b"), now=0.0); dev.bytes_to_send()[:6].hex(" ")
'06 02 11 10 00 1e'
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable

from ffd12.drivers.shtrih.link import ACK, ENQ, NAK, STX, BadFrame, FrameDecoder, build_frame
from ffd12.drivers.shtrih.link2 import STX2, Frame2Decoder, build_frame2
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.fn import Registration, Scenario, VirtualFn
from ffd12.emulator.shtrihkkt import DESKTOP, KYA, DeviceModel
from ffd12.emulator.shtrihops import Operations

__all__ = ["BYTE_TIMEOUT", "DESKTOP", "KYA", "DeviceModel", "ShtrihDevice"]

log = logging.getLogger("ffd12.emulator.shtrih")

BYTE_TIMEOUT = 0.2
"""Silence after which a half-received frame is dropped. Real devices use 50 ms (§1.1); the
emulator is more lenient so a busy test machine does not split frames."""


class ShtrihDevice:
    """One emulated Shtrih-M register with its FN-M; drive it with bytes and times."""

    def __init__(
        self,
        fn: VirtualFn | None = None,
        *,
        model: DeviceModel = DESKTOP,
        faults: FaultInjector | None = None,
        scenario: Scenario | None = None,
        registration: Registration | None = None,
        state_file: str | os.PathLike[str] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        port: int = 0,
    ) -> None:
        if fn is None:
            fn = VirtualFn(registration=registration, scenario=scenario, clock=clock, state_file=state_file)
        self.fn = fn
        self.ops = Operations(fn, model, port=port)
        self.faults = faults or FaultInjector()
        self._decoder = FrameDecoder()
        self._out = bytearray()
        self._pending: bytes | None = None
        self._due: float | None = None
        self._held = b""
        self._decoder2 = Frame2Decoder()
        self.v2 = False
        """True while the host speaks protocol v2 (0x8F frames, §1.4)."""
        self._v2_number = 0
        self._v2_answer = b""
        self._last_byte = 0.0
        self._off_until = 0.0
        self.hangup = False
        """Set when a ``close`` fault fires: the server must drop the connection, then clear it."""
        self.commands = 0
        self.power_cuts = 0

    # ------------------------------------------------------------------ I/O surface
    def receive(self, data: bytes, now: float) -> None:
        """Bytes from the host, received at monotonic time ``now``."""
        if not data:
            return
        if now < self._off_until:
            log.debug("device is off, %d bytes lost", len(data))
            return
        self.poll(now)
        if self._in_frame and now - self._last_byte > BYTE_TIMEOUT:
            self._decoder.reset()
            self._decoder2.reset()
        self._last_byte = now
        self._choose_protocol(data)
        if self.v2:
            self._receive_v2(data, now)
            return
        self._decoder.feed(data)
        while not self.hangup:
            try:
                unit = self._decoder.next_unit()
            except BadFrame as exc:
                log.debug("NAK: %s", exc.reason)
                self._out.append(NAK)
                continue
            if unit is None:
                break
            if isinstance(unit, int):
                self._control(unit, now)
            else:
                self._frame(unit, now)
                if now < self._off_until:
                    break

    def poll(self, now: float) -> None:
        """Let time pass: release a delayed answer, forget a half frame after the byte timeout."""
        if self._due is not None and now >= self._due:
            self._due = None
            self._out += self._held
            self._held = b""
        if self._in_frame and now - self._last_byte > BYTE_TIMEOUT:
            log.debug("dropping a half-received frame after %.3f s of silence", now - self._last_byte)
            self._decoder.reset()
            self._decoder2.reset()

    def deadline(self) -> float | None:
        """When :meth:`poll` next has something to do (monotonic seconds), or None."""
        times = [t for t in (self._due, self._last_byte + BYTE_TIMEOUT if self._in_frame else None)
                 if t is not None]
        return min(times) if times else None

    def bytes_to_send(self) -> bytes:
        """What the device writes to the line now."""
        out = bytes(self._out)
        self._out.clear()
        if out:
            log.debug("dev -> %s", out.hex(" "))
        return out

    def connection_lost(self) -> None:
        """The host hung up (TCP): half frames are forgotten; a pending answer stays, as on a real KKT."""
        self._decoder.reset()
        self._decoder2.reset()
        self.hangup = False

    @property
    def _in_frame(self) -> bool:
        return self._decoder2.in_frame if self.v2 else self._decoder.in_frame

    def _choose_protocol(self, data: bytes) -> None:
        """Protocol auto-select (§1.4): 0x8F at the start of a frame means v2, ENQ/STX mean v1.

        Judged on the first byte of each chunk that does not continue a frame (stray 0xFF skipped).
        """
        if self._in_frame:
            return
        first = data.lstrip(b"\xff")[:1]
        if first == bytes([STX2]) and not self.v2:
            log.info("protocol v2 selected")
            self.v2 = True
        elif first in (bytes([ENQ]), bytes([STX])) and self.v2:
            log.info("protocol v1 selected")
            self.v2 = False

    # ------------------------------------------------------------------ behaviour
    def execute(self, body: bytes) -> bytes:
        """Run one command body and return its answer body (no link layer)."""
        self.commands += 1
        if log.isEnabledFor(logging.DEBUG):
            log.debug("dev <- %s", _masked(body))
        return self.ops.execute(body)

    def power_cut(self, off_for: float = 0.0, *, now: float = 0.0) -> None:
        """Lose power: RAM (link state, pending answer, KKT tables' session) is gone; the FN reloads
        from its state file — or from its last saved image when it has none."""
        self.power_cuts += 1
        self.fn = self.fn.restarted()
        self.ops = Operations(self.fn, self.ops.model, port=self.ops.port)
        self._decoder.reset()
        self._decoder2.reset()
        self._out.clear()
        self._pending = None
        self._due = None
        self._held = b""
        self.v2 = False
        self._v2_number, self._v2_answer = 0, b""
        self._off_until = now + off_for
        log.info("power cut (off for %.3f s)", off_for)

    def _control(self, byte: int, now: float) -> None:
        if byte == ENQ:
            if self._pending is None:
                self._out.append(NAK)
            else:
                self._out.append(ACK)
                if self._due is None:
                    self._out += build_frame(self._pending)
        elif byte == ACK:
            if self._pending is not None and self._due is None:
                self._pending = None
        # NAK: the host wants the answer again — it will ask with ENQ; other bytes: noise

    def _frame(self, body: bytes, now: float) -> None:
        fault = self.faults.on_frame()
        if fault.blackout is not None:
            self.power_cut(fault.blackout, now=now)
            return
        if fault.nak:
            log.debug("fault: NAK a good frame %s", body[:2].hex(" "))
            self._out.append(NAK)
            return
        self._out.append(ACK)
        answer = self.execute(body)
        if fault.powercut is not None:
            sent = bytes(self._out)  # the ACK already left before the power went
            self.power_cut(fault.powercut, now=now)
            self._out += sent
            return
        self._pending = answer
        if fault.close:
            self.hangup = True
            return
        self._send(build_frame(answer), now, fault.delay)

    def _send(self, wire: bytes, now: float, delay: float) -> None:
        if delay > 0:
            self._held, self._due = wire, now + delay
        else:
            self._out += wire

    # ------------------------------------------------------------------ protocol v2
    def _receive_v2(self, data: bytes, now: float) -> None:
        self._decoder2.feed(data)
        while not self.hangup and now >= self._off_until:
            try:
                frame = self._decoder2.next_frame()
            except BadFrame as exc:  # no NAK in v2: the host resends the same number
                log.debug("v2 frame dropped: %s", exc.reason)
                continue
            if frame is None:
                break
            self._frame2(*frame, now=now)

    def _frame2(self, number: int | None, body: bytes, *, now: float) -> None:
        """Execute a request numbered last + 1; anything else gets the last answer again (§1.4)."""
        if number is None or not body or number != self._v2_number % 0xFFFF + 1:
            self._out += build_frame2(self._v2_number, self._v2_answer)
            return
        fault = self.faults.on_frame()
        if fault.blackout is not None:
            self.power_cut(fault.blackout, now=now)
            return
        if fault.nak:  # v2 has no NAK: the frame is simply lost
            return
        answer = self.execute(body)
        self._v2_number, self._v2_answer = number, answer
        if fault.powercut is not None:
            self.power_cut(fault.powercut, now=now)
            return
        if fault.close:
            self.hangup = True
            return
        self._send(build_frame2(number, answer), now, fault.delay)


def _masked(body: bytes) -> str:
    """Hex of a request body with the 4 password bytes after the command code hidden."""
    code = 2 if body[:1] == b"\xff" else 1
    if body[:1] == b"\xfc" or len(body) < code + 4:
        return body.hex(" ")
    return " ".join([body[:code].hex(" "), "** ** ** **", body[code + 4:].hex(" ")]).strip()
