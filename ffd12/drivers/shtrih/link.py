"""Shtrih-M protocol v1 link layer, sans-I/O (spec/shtrih-m.md §1.2–1.3).

A frame on the wire is ``STX LEN BODY LRC``: ``BODY`` is the command code (one byte, or ``FF xx``)
followed by its parameters — for an answer, the code, the error byte and the data. ``LEN`` counts
the body only; ``LRC`` is the XOR of ``LEN`` and every body byte.

Three pieces, reusable by both ends of the wire (the driver and the emulator):

* :func:`build_frame` turns a body into wire bytes;
* :class:`FrameDecoder` turns a byte stream back into control bytes and frame bodies;
* :class:`HostLink` is the host's ENQ/ACK/NAK exchange for one command at a time. It owns no socket
  and no clock: the caller writes :meth:`HostLink.bytes_to_send`, waits at most
  :meth:`HostLink.wait_time` seconds of silence for more bytes and hands what arrived to
  :meth:`HostLink.receive_data` — or calls :meth:`HostLink.timed_out` when nothing came.

>>> build_frame(bytes([0x10, 0x1E, 0, 0, 0])).hex(" ")
'02 05 10 1e 00 00 00 0b'
>>> d = FrameDecoder(); d.feed(bytes.fromhex("06 02 03 10 00 1e 0d")); d.next_unit(); d.next_unit().hex(" ")
6
'10 00 1e'
"""

from __future__ import annotations

import enum
import logging
from collections import deque
from dataclasses import dataclass

from ffd12.errors import InputError, LinkError

__all__ = [
    "ACK",
    "ENQ",
    "NAK",
    "STX",
    "BadFrame",
    "FrameDecoder",
    "HostLink",
    "LinkPolicy",
    "build_frame",
    "command_code",
    "lrc",
    "trace",
]

log = logging.getLogger("ffd12.drivers.shtrih.link")

STX = 0x02  # §1.1 control characters
ENQ = 0x05
ACK = 0x06
NAK = 0x15
STRAY = 0xFF  # §1.3 RNDIS quirk: a stray 0xFF may precede control bytes; always skipped
MAX_BODY = 255  # §1.2: LEN is one byte


def lrc(body: bytes) -> int:
    """The frame check byte of §1.2: XOR of the length byte and every body byte."""
    value = len(body) & 0xFF
    for byte in body:
        value ^= byte
    return value


def build_frame(body: bytes) -> bytes:
    """Wire bytes ``STX LEN BODY LRC`` for a command or answer body (1…255 bytes)."""
    if not 1 <= len(body) <= MAX_BODY:
        raise InputError(f"could not build a Shtrih frame: expected a body of 1..255 bytes, got {len(body)}")
    return bytes([STX, len(body)]) + body + bytes([lrc(body)])


def command_code(body: bytes) -> bytes:
    """The command code at the head of a body: ``FF xx`` for FN commands, else one byte."""
    if not body:
        raise InputError("could not read a command code: expected at least one byte, got an empty body")
    if body[0] == 0xFF:
        if len(body) < 2:
            raise InputError("could not read a command code: expected FF and a second byte, got FF alone")
        return body[:2]
    return body[:1]


def trace(direction: str, data: bytes, *, password_at: int | None = None) -> str:
    """Hex trace of wire bytes with a 4-byte password at ``password_at`` (body offset) masked."""
    shown = data.hex(" ")
    if password_at is not None and len(data) >= 2 and data[0] == STX:
        start = 2 + password_at
        if len(data) >= start + 4:
            parts = shown.split(" ")
            parts[start : start + 4] = ["**"] * 4
            shown = " ".join(parts)
    return f"{direction} {shown}"


def _short_fn_error(code: bytes, body: bytes) -> bool:
    """§2.1 JavaPOS tolerance: an FF-command answered ``FF err`` (the error in place of the code)."""
    return len(code) == 2 and len(body) == 2 and body[0] == 0xFF


class BadFrame(LinkError):
    """A frame whose LRC does not match (or whose LEN is zero). The frame is already consumed."""


class FrameDecoder:
    """Splits a Shtrih v1 byte stream into control bytes and frame bodies.

    Contract: :meth:`next_unit` returns one unit at a time — an ``int`` for any byte met outside a
    frame (ENQ, ACK, NAK, a stray 0xFF, noise), ``bytes`` for a whole frame body whose LRC matched,
    or ``None`` when more bytes are needed. A frame with a wrong LRC (or LEN = 0) is consumed and
    reported by raising :class:`BadFrame` — the receiver must answer it with NAK — after which
    decoding continues with the next byte. :meth:`next_frame` is the same but drops control bytes.
    A frame is never longer than 258 bytes, so the decoder never holds more than that per frame.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        """Append received bytes."""
        self._buf += data

    def reset(self) -> None:
        """Forget every buffered byte (e.g. after a timeout in the middle of a frame)."""
        self._buf.clear()

    @property
    def in_frame(self) -> bool:
        """True when the buffer holds the start of a frame that is not complete yet."""
        return bool(self._buf) and self._buf[0] == STX

    @property
    def buffered(self) -> int:
        """Number of bytes waiting to be decoded."""
        return len(self._buf)

    def next_unit(self) -> int | bytes | None:
        """The next control byte, frame body, or None; raises :class:`BadFrame` on a bad frame."""
        buf = self._buf
        if not buf:
            return None
        if buf[0] != STX:
            byte = buf[0]
            del buf[0]
            return byte
        if len(buf) < 2:
            return None
        length = buf[1]
        if length == 0:
            del buf[:2]
            raise BadFrame("could not read a frame: expected LEN 1..255, got 0")
        if len(buf) < length + 3:
            return None
        body = bytes(buf[2 : 2 + length])
        check = buf[2 + length]
        del buf[: length + 3]
        if check != lrc(body):
            raise BadFrame(
                f"could not read a frame: expected LRC {lrc(body):02X}, got {check:02X}",
                frames=[body.hex(" ")],
            )
        return body

    def next_frame(self) -> bytes | None:
        """The next good frame body, skipping control bytes; None if incomplete."""
        while True:
            unit = self.next_unit()
            if unit is None or isinstance(unit, bytes):
                return unit


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkPolicy:
    """Retry counts and silence timeouts (seconds) of the host link (§1.3 "defaults seen in the wild").

    ``ack_timeout`` bounds the wait for a control byte (reply to ENQ, ACK of a command);
    ``byte_timeout`` the silence inside a frame; ``stale_timeout`` the wait for a pending stale
    answer after ENQ → ACK. Retry counts follow the JavaPOS defaults (10 ENQ, 3 NAK, 3 stale).
    ``resend_interval`` (protocol v2 only) is the silence after which a numbered request is sent
    again while its answer is awaited — safe because the device never runs a number twice; the
    value is ours, not the vendor's (unverified).
    """

    enq_tries: int = 10
    nak_command_tries: int = 3
    nak_answer_tries: int = 3
    stale_answers: int = 3
    ack_timeout: float = 1.0
    byte_timeout: float = 1.0
    stale_timeout: float = 30.0
    resend_interval: float = 1.0


class _State(enum.Enum):
    IDLE = "idle"
    ENQ = "waiting for the reply to ENQ"
    DRAIN = "reading a stale answer"
    CMD_ACK = "waiting for ACK of the command"
    PROBE = "asking with ENQ whether the command arrived"
    ANSWER = "waiting for the answer"
    REPEAT = "asking with ENQ for the answer again"
    DONE = "done"


class HostLink:
    """The host side of one Shtrih v1 command exchange at a time (§1.3), without I/O.

    ``start(body, timeout)`` queues ENQ. Replies drive it: NAK → the command frame is sent;
    ACK → a stale answer is read, acknowledged and dropped, then ENQ again. The command frame is
    resent on NAK; a missing ACK is resolved with ENQ (NAK → resend, ACK → the answer is coming),
    so a command that arrived is never sent twice. A bad or truncated answer is NAKed and asked for
    again with ENQ. Stray 0xFF bytes are skipped everywhere. When the answer is in, ``answer``
    holds its body (already ACKed in :meth:`bytes_to_send`). Retry limits exceeded, an answer to
    another command, or a device that lost an accepted command's answer raise :class:`LinkError`.
    """

    def __init__(self, policy: LinkPolicy | None = None) -> None:
        self.policy = policy or LinkPolicy()
        self._decoder = FrameDecoder()
        self._out = bytearray()
        self._state = _State.IDLE
        self._frame = b""
        self._code = b""
        self._password_at: int | None = None
        self._answer_timeout = 0.0
        self._enq = self._cmd_naks = self._ans_naks = self._stale = 0
        self._frames: deque[str] = deque(maxlen=8)
        self.answer: bytes | None = None
        self.frames_sent = 0
        self.bytes_sent = 0

    # -- driving -------------------------------------------------------------------------------
    def start(self, body: bytes, answer_timeout: float, *, password_at: int | None = None) -> None:
        """Begin an exchange for command ``body``; ``password_at`` marks a password for masking."""
        if self._state not in (_State.IDLE, _State.DONE):
            raise InputError(f"could not start a command: expected an idle link, got {self._state.value}")
        self._frame = build_frame(body)
        self._code = command_code(body)
        self._password_at = password_at
        self._answer_timeout = answer_timeout
        self._decoder.reset()
        self._enq = self._cmd_naks = self._ans_naks = self._stale = 0
        self.answer = None
        self._send_enq(_State.ENQ)

    @property
    def done(self) -> bool:
        """True once the answer is in."""
        return self._state is _State.DONE

    @property
    def state(self) -> str:
        """What the link waits for, in words (for logs and errors)."""
        return self._state.value

    def bytes_to_send(self) -> bytes:
        """Bytes the caller must write now (may be empty)."""
        out = bytes(self._out)
        self._out.clear()
        return out

    def wait_time(self) -> float:
        """Longest silence (seconds) to wait before calling :meth:`timed_out`."""
        p = self.policy
        if self._decoder.in_frame:
            return p.byte_timeout
        if self._state is _State.ANSWER:
            return self._answer_timeout + p.byte_timeout
        if self._state is _State.DRAIN:
            return p.stale_timeout
        return p.ack_timeout

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the device."""
        if not data:
            return
        self._frames.append(trace("<-", data))
        log.debug("<- %s", data.hex(" "))
        self._decoder.feed(data)
        while self._state not in (_State.IDLE, _State.DONE):
            try:
                unit = self._decoder.next_unit()
            except BadFrame as exc:
                self._bad_frame(exc)
                continue
            if unit is None:
                return
            if isinstance(unit, int):
                self._control(unit)
            else:
                self._frame_in(unit)

    def timed_out(self) -> None:
        """The caller waited :meth:`wait_time` seconds and nothing arrived."""
        st = self._state
        if st in (_State.IDLE, _State.DONE):
            return
        if self._decoder.in_frame:
            self._decoder.reset()
            self._bad_frame(BadFrame("could not read a frame: it stopped before its LRC"))
            return
        if st is _State.CMD_ACK:
            self._send_enq(_State.PROBE)
        elif st is _State.ANSWER:
            self._count_answer_retry("no answer within the command timeout")
            self._send_enq(_State.REPEAT)
        else:  # ENQ, PROBE, REPEAT, DRAIN: ask again
            self._send_enq(st if st is not _State.DRAIN else _State.ENQ)

    # -- internals -----------------------------------------------------------------------------
    def _fail(self, message: str) -> LinkError:
        self._state = _State.IDLE
        self._decoder.reset()
        return LinkError(f"could not exchange command {self._code.hex().upper()}: {message}",
                         frames=list(self._frames))

    def _write(self, data: bytes, *, password_at: int | None = None) -> None:
        self._out += data
        self.bytes_sent += len(data)
        shown = trace("->", data, password_at=password_at)
        self._frames.append(shown)
        log.debug("%s", shown)

    def _send_enq(self, state: _State) -> None:
        self._enq += 1
        if self._enq > self.policy.enq_tries:
            raise self._fail(f"no reply to ENQ after {self.policy.enq_tries} tries ({self._state.value})")
        self._state = state
        self._write(bytes([ENQ]))

    def _send_command(self) -> None:
        self._state = _State.CMD_ACK
        self.frames_sent += 1
        self._write(self._frame, password_at=self._password_at)

    def _count_answer_retry(self, why: str) -> None:
        self._ans_naks += 1
        if self._ans_naks > self.policy.nak_answer_tries:
            raise self._fail(f"{why}; gave up after {self.policy.nak_answer_tries} retries")

    def _control(self, byte: int) -> None:
        st = self._state
        if byte == STRAY:
            return
        if st is _State.ENQ:
            if byte == NAK:
                self._cmd_naks = 1
                self._send_command()
            elif byte == ACK:
                self._state = _State.DRAIN
        elif st in (_State.CMD_ACK, _State.PROBE):
            if byte == ACK:
                self._state = _State.ANSWER
            elif byte == NAK:
                self._cmd_naks += 1
                if self._cmd_naks > self.policy.nak_command_tries:
                    raise self._fail(f"command NAKed {self.policy.nak_command_tries} times")
                self._send_command()
        elif st is _State.REPEAT:
            if byte == ACK:
                self._state = _State.ANSWER
            elif byte == NAK:
                raise self._fail("the device accepted the command but holds no answer (answer lost)")
        # other bytes (noise, a late ACK while waiting for the answer) are ignored

    def _frame_in(self, body: bytes) -> None:
        st = self._state
        if st in (_State.ENQ, _State.DRAIN):
            self._stale += 1
            log.debug("dropping a stale answer %s", body[:3].hex(" "))
            self._write(bytes([ACK]))
            if self._stale > self.policy.stale_answers:
                raise self._fail(f"more than {self.policy.stale_answers} stale answers pending")
            self._send_enq(_State.ENQ)
            return
        # CMD_ACK / PROBE (the ACK was lost but the answer came), ANSWER, REPEAT
        self._write(bytes([ACK]))
        if not body.startswith(self._code) and not _short_fn_error(self._code, body):
            raise self._fail(f"expected an answer to {self._code.hex().upper()}, got one to {body[:2].hex()}")
        self.answer = body
        self._state = _State.DONE

    def _bad_frame(self, exc: BadFrame) -> None:
        self._decoder.reset()
        st = self._state
        log.debug("bad frame in state %s: %s", st.value, exc)
        if st in (_State.ENQ, _State.DRAIN):
            self._stale += 1
            if self._stale > self.policy.stale_answers + self.policy.nak_answer_tries:
                raise self._fail(f"stale answers keep arriving damaged ({exc.reason})")
            self._write(bytes([NAK]))
            self._send_enq(_State.ENQ)
            return
        self._count_answer_retry(f"damaged answer ({exc.reason})")
        self._write(bytes([NAK]))
        self._send_enq(_State.REPEAT)
