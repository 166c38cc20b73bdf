"""Shtrih-M protocol v2 ("alternative lower level") for noisy links, sans-I/O (spec/shtrih-m.md §1.4).

A frame is ``8F LEN16 NUM16 DATA CRC16``: ``LEN16`` counts ``NUM16`` and ``DATA`` (0 = an empty
unnumbered sync frame, 1 is invalid); ``NUM16`` numbers requests from 1 and the answer repeats it;
``DATA`` is the same body as in protocol v1; ``CRC16`` is CRC-16/CCITT (init 0xFFFF) over
``LEN16 NUM16 DATA``; everything after ``8F`` is byte-stuffed (8F → 9F 81, 9F → 9F 83).

The device executes a request only when its number is the last one + 1; otherwise it repeats its
last answer. So a lost or damaged frame is simply sent again with the same number, and a command
is never executed twice. :class:`HostLink2` has the same driving interface as the v1
:class:`~ffd12.drivers.shtrih.link.HostLink`.

>>> crc16(bytes.fromhex("03 00 06 00 FC"))
25581
>>> build_frame2(None, b"").hex(" ")
'8f 00 00 0f 1d'
"""

from __future__ import annotations

import enum
import logging
from collections import deque

from ffd12.drivers.shtrih.link import BadFrame, LinkPolicy, command_code, trace
from ffd12.errors import InputError, LinkError

__all__ = ["ESC", "STX2", "Frame2Decoder", "HostLink2", "build_frame2", "crc16"]

log = logging.getLogger("ffd12.drivers.shtrih.link2")

STX2 = 0x8F  # §1.4
ESC = 0x9F
TSTX = 0x81
TESC = 0x83
MAX_LEN2 = 4096  # longest LEN16 we accept; real frames stay under 300 bytes


def crc16(data: bytes) -> int:
    """CRC-16/CCITT with init 0xFFFF, no reflection (§1.4 test vectors: ``00 00`` → 0x1D0F)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _stuff(data: bytes) -> bytes:
    return data.replace(bytes([ESC]), bytes([ESC, TESC])).replace(bytes([STX2]), bytes([ESC, TSTX]))


def build_frame2(number: int | None, data: bytes) -> bytes:
    """Wire bytes of a v2 frame; ``number=None`` with empty data is the sync frame (LEN16 = 0)."""
    if number is None:
        if data:
            raise InputError("could not build a v2 frame: data needs a frame number")
        inner = b"\x00\x00"
    else:
        if not 0 <= number <= 0xFFFF or len(data) > MAX_LEN2 - 2:
            raise InputError(f"could not build a v2 frame: number {number} or {len(data)} bytes out of range")
        inner = (len(data) + 2).to_bytes(2, "little") + number.to_bytes(2, "little") + data
    return bytes([STX2]) + _stuff(inner + crc16(inner).to_bytes(2, "little"))


class Frame2Decoder:
    """Splits a v2 byte stream into ``(number, data)`` frames; sync frames give ``(None, b"")``.

    Bytes before a frame start are dropped. A raw 0x8F always starts a new frame (stuffing makes
    it unique), so a damaged frame never swallows the next one. A bad CRC, a bad escape or
    LEN16 = 1 raises :class:`BadFrame` after the frame is consumed.
    """

    def __init__(self) -> None:
        self._raw = bytearray()

    def feed(self, data: bytes) -> None:
        self._raw += data

    def reset(self) -> None:
        self._raw.clear()

    @property
    def in_frame(self) -> bool:
        return bool(self._raw) and self._raw[0] == STX2

    def next_frame(self) -> tuple[int | None, bytes] | None:
        raw = self._raw
        start = raw.find(bytes([STX2]))
        if start < 0:
            raw.clear()
            return None
        del raw[:start]
        out = bytearray()
        i = 1
        need: int | None = None
        while i < len(raw):
            byte = raw[i]
            if byte == STX2:  # a new frame starts: this one was cut short
                del raw[:i]
                raise BadFrame("could not read a v2 frame: it was cut by the next frame start")
            if byte == ESC:
                if i + 1 >= len(raw):
                    return None
                nxt = raw[i + 1]
                if nxt not in (TSTX, TESC):
                    del raw[: i + 2]
                    raise BadFrame(f"could not read a v2 frame: expected 81 or 83 after 9F, got {nxt:02X}")
                out.append(STX2 if nxt == TSTX else ESC)
                i += 2
            else:
                out.append(byte)
                i += 1
            if need is None and len(out) >= 2:
                length = int.from_bytes(out[:2], "little")
                if length == 1 or length > MAX_LEN2:
                    del raw[:i]
                    raise BadFrame("could not read a v2 frame: "
                                   f"expected LEN16 0 or 2..{MAX_LEN2}, got {length}")
                need = 2 + length + 2
            if need is not None and len(out) == need:
                del raw[:i]
                return self._finish(bytes(out))
        return None

    @staticmethod
    def _finish(frame: bytes) -> tuple[int | None, bytes]:
        inner, check = frame[:-2], int.from_bytes(frame[-2:], "little")
        if crc16(inner) != check:
            raise BadFrame(f"could not read a v2 frame: expected CRC {crc16(inner):04X}, got {check:04X}",
                           frames=[frame.hex(" ")])
        length = int.from_bytes(inner[:2], "little")
        if length == 0:
            return None, b""
        return int.from_bytes(inner[2:4], "little"), inner[4:]


class _State(enum.Enum):
    IDLE = "idle"
    SYNC = "waiting for the sync answer"
    ANSWER = "waiting for the answer"
    DONE = "done"


class HostLink2:
    """Host side of protocol v2: sync once, then numbered requests, resent on silence or damage.

    Before the first command (and after any confusion) an empty sync frame asks the device for
    its last number. Retries are bounded by ``policy.nak_answer_tries`` + ``policy.enq_tries``.
    """

    def __init__(self, policy: LinkPolicy | None = None) -> None:
        self.policy = policy or LinkPolicy()
        self._decoder = Frame2Decoder()
        self._out = bytearray()
        self._state = _State.IDLE
        self._number: int | None = None  # last number the device executed, once known
        self._body = b""
        self._code = b""
        self._password_at: int | None = None
        self._timeout = 0.0
        self._tries = 0
        self._waited = 0.0
        self._last_wait = 0.0
        self._frames: deque[str] = deque(maxlen=8)
        self.answer: bytes | None = None
        self.frames_sent = 0
        self.bytes_sent = 0

    @property
    def done(self) -> bool:
        return self._state is _State.DONE

    def start(self, body: bytes, answer_timeout: float, *, password_at: int | None = None) -> None:
        if self._state not in (_State.IDLE, _State.DONE):
            raise InputError(f"could not start a command: expected an idle link, got {self._state.value}")
        self._body, self._code = body, command_code(body)
        self._password_at, self._timeout = password_at, answer_timeout
        self._tries = 0
        self._waited = 0.0
        self.answer = None
        self._decoder.reset()
        if self._number is None:
            self._send_sync()
        else:
            self._send_request()

    def bytes_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def wait_time(self) -> float:
        if self._decoder.in_frame:
            wait = self.policy.byte_timeout
        elif self._state is _State.ANSWER:
            remaining = self._timeout + self.policy.byte_timeout - self._waited
            wait = max(min(self.policy.resend_interval, remaining), 0.0)
        else:
            wait = self.policy.ack_timeout
        self._last_wait = wait
        return wait

    def receive_data(self, data: bytes) -> None:
        if not data:
            return
        self._frames.append(trace("<-", data))
        log.debug("<- %s", data.hex(" "))
        self._decoder.feed(data)
        while self._state in (_State.SYNC, _State.ANSWER):
            try:
                frame = self._decoder.next_frame()
            except BadFrame as exc:
                log.debug("bad v2 frame: %s", exc)
                self._retry(f"damaged frame ({exc.reason})")
                continue
            if frame is None:
                return
            self._frame_in(*frame)

    def timed_out(self) -> None:
        """Silence: resend the same frame; a whole answer timeout of silence counts as a retry."""
        if self._state not in (_State.SYNC, _State.ANSWER):
            return
        if self._state is _State.ANSWER and not self._decoder.in_frame:
            self._waited += self._last_wait or self.policy.resend_interval
            if self._waited < self._timeout + self.policy.byte_timeout:
                self._send_request()  # same number: executed at most once
                return
        self._waited = 0.0
        self._decoder.reset()
        self._retry("no answer")

    # -- internals -----------------------------------------------------------------------------
    def _fail(self, message: str) -> LinkError:
        self._state = _State.IDLE
        self._number = None
        return LinkError(f"could not exchange command {self._code.hex().upper()} (v2): {message}",
                         frames=list(self._frames))

    def _write(self, frame: bytes, *, password_at: int | None = None) -> None:
        self._out += frame
        self.bytes_sent += len(frame)
        self.frames_sent += 1
        shown = f"-> {frame.hex(' ')}" if password_at is None else "-> [v2 frame, password masked]"
        self._frames.append(shown)
        log.debug("%s", shown)

    def _send_sync(self) -> None:
        self._state = _State.SYNC
        self._write(build_frame2(None, b""))

    def _next_number(self) -> int:
        last = self._number or 0
        return last % 0xFFFF + 1

    def _send_request(self) -> None:
        self._state = _State.ANSWER
        self._write(build_frame2(self._next_number(), self._body), password_at=self._password_at)

    def _retry(self, why: str) -> None:
        self._tries += 1
        if self._tries > self.policy.nak_answer_tries + self.policy.enq_tries:
            raise self._fail(f"{why}; gave up after {self._tries - 1} retries")
        self._decoder.reset()
        if self._state is _State.SYNC:
            self._send_sync()
        else:
            self._send_request()

    def _frame_in(self, number: int | None, data: bytes) -> None:
        if number is None:
            return  # a sync frame from the device: nothing to do
        if self._state is _State.SYNC:
            self._number = number
            self._send_request()
            return
        if number != self._next_number():
            # the device repeated an older answer: it did not execute ours; adopt its number and resend
            log.debug("v2 answer number %d, expected %d: resynchronising", number, self._next_number())
            self._number = number
            self._retry("answer to another frame number")
            return
        if not data.startswith(self._code):
            raise self._fail(f"expected an answer to {self._code.hex().upper()}, got one to {data[:2].hex()}")
        self._number = number
        self.answer = data
        self._state = _State.DONE
