"""Fault injection for emulated links: byte faults on the wire and frame faults in the device.

A plan is written as a short string (the ``--faults SPEC`` of ``ffd12 emulate shtrih``): rules
separated by commas, each ``ACTION[:ARG][@N | %K]``.

==================  ======================================================================
rule                effect
==================  ======================================================================
``drop:out@12``     the 12th byte the device sends is lost (``in`` = a byte the host sends)
``dup:in@3``        the 3rd byte from the host arrives twice
``corrupt:out%50``  every 50th byte the device sends has its bits flipped (XOR 0xFF)
``nak@2``           the device answers its 2nd good frame with NAK and drops it
``delay:0.5@1``     the answer to the 1st frame leaves 0.5 s late (no ``@N``: every answer)
``close@4``         the 4th command runs, then the connection closes before its answer
``powercut@4``      the 4th command runs and is saved, then the power goes: the answer is lost,
                    the link state is gone; ``powercut:0.5@4`` stays off (deaf) for 0.5 s
``blackout@4``      the power goes as the 4th frame arrives — between two commands: it is not
                    ACKed and never runs (``blackout:0.5@4``: off for 0.5 s)
==================  ======================================================================

``@N`` counts from 1 (bytes per direction, frames as the device receives them with a good LRC);
``%K`` hits every K-th; a byte rule with neither hits nothing (it must say where). Frame rules
without ``@N``/``%K`` hit every frame.

>>> plan = parse_faults("drop:out@2, nak@1")
>>> inj = FaultInjector(plan)
>>> inj.filter_out(b"\\x06\\x15\\x02").hex(" ")
'06 02'
>>> inj.on_frame().nak, inj.on_frame().nak
(True, False)
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

from ffd12.errors import InputError

__all__ = ["Fault", "FaultInjector", "FrameFault", "parse_faults"]

log = logging.getLogger("ffd12.emulator.faults")

BYTE_ACTIONS = frozenset({"drop", "dup", "corrupt"})
FRAME_ACTIONS = frozenset({"nak", "delay", "close", "powercut", "blackout"})
_RULE = re.compile(r"^(?P<action>[a-z]+)(?::(?P<arg>[a-z0-9.]+))?(?:(?P<mark>[@%])(?P<n>\d+))?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """One rule: ``action``, ``direction`` (byte faults: ``in``/``out``), ``at`` (1-based) or
    ``every`` (K), ``seconds`` (delay / power-off time)."""

    action: str
    direction: str = ""
    at: int | None = None
    every: int | None = None
    seconds: float = 0.0

    def hits(self, n: int) -> bool:
        """Whether the rule applies to the n-th byte or frame (1-based)."""
        if self.at is not None:
            return n == self.at
        if self.every is not None:
            return n % self.every == 0
        return self.action in FRAME_ACTIONS


def _parse_rule(text: str) -> Fault:
    m = _RULE.match(text)
    if m is None:
        raise InputError(f"could not read fault rule {text!r}: expected ACTION[:ARG][@N|%K]")
    action, arg, mark, n = m["action"], m["arg"], m["mark"], m["n"]
    at = int(n) if mark == "@" else None
    every = int(n) if mark == "%" else None
    if (at is not None and at < 1) or (every is not None and every < 1):
        raise InputError(f"could not read fault rule {text!r}: expected a count of 1 or more")
    if action in BYTE_ACTIONS:
        if arg not in ("in", "out"):
            raise InputError(f"could not read fault rule {text!r}: expected direction in or out, got {arg!r}")
        if at is None and every is None:
            raise InputError(f"could not read fault rule {text!r}: a byte fault needs @N or %K")
        return Fault(action=action, direction=arg, at=at, every=every)
    if action in FRAME_ACTIONS:
        seconds = 0.0
        if arg is not None:
            if action not in ("delay", "powercut", "blackout"):
                raise InputError(f"could not read fault rule {text!r}: {action} takes no argument")
            try:
                seconds = float(arg)
            except ValueError:
                raise InputError(
                    f"could not read fault rule {text!r}: expected seconds, got {arg!r}"
                ) from None
        elif action == "delay":
            raise InputError(f"could not read fault rule {text!r}: delay needs seconds, e.g. delay:0.5")
        return Fault(action=action, at=at, every=every, seconds=seconds)
    known = ", ".join(sorted(BYTE_ACTIONS | FRAME_ACTIONS))
    raise InputError(f"could not read fault rule {text!r}: expected one of {known}, got {action!r}")


def parse_faults(spec: str) -> tuple[Fault, ...]:
    """Parse a ``--faults`` string (see the module docstring); an empty string means no faults."""
    rules = [part.strip() for part in spec.split(",") if part.strip()]
    return tuple(_parse_rule(rule) for rule in rules)


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameFault:
    """What the device must do with one good frame it received."""

    nak: bool = False
    close: bool = False
    powercut: float | None = None
    blackout: float | None = None
    delay: float = 0.0


class FaultInjector:
    """Applies a plan to a byte stream and to the frames of a device. Thread-safe counters."""

    def __init__(self, faults: tuple[Fault, ...] | str = ()) -> None:
        self.faults = parse_faults(faults) if isinstance(faults, str) else tuple(faults)
        self._lock = threading.Lock()
        self._count = {"in": 0, "out": 0}
        self._frames = 0
        self.applied: list[str] = []
        """Human-readable log of every fault that fired (for test assertions)."""

    def __bool__(self) -> bool:
        return bool(self.faults)

    def _filter(self, data: bytes, direction: str) -> bytes:
        rules = [f for f in self.faults if f.direction == direction]
        if not rules or not data:
            with self._lock:
                self._count[direction] += len(data)
            return data
        out = bytearray()
        with self._lock:
            for byte in data:
                self._count[direction] += 1
                n = self._count[direction]
                fired = next((f for f in rules if f.hits(n)), None)
                if fired is None:
                    out.append(byte)
                    continue
                self.applied.append(f"{fired.action}:{direction}#{n}")
                log.debug("fault %s on %s byte %d (%02X)", fired.action, direction, n, byte)
                if fired.action == "dup":
                    out += bytes([byte, byte])
                elif fired.action == "corrupt":
                    out.append(byte ^ 0xFF)
                # drop: nothing
        return bytes(out)

    def filter_in(self, data: bytes) -> bytes:
        """Bytes from the host as the device receives them."""
        return self._filter(data, "in")

    def filter_out(self, data: bytes) -> bytes:
        """Bytes from the device as the host receives them."""
        return self._filter(data, "out")

    def on_frame(self) -> FrameFault:
        """Called by the device for every good frame it receives, in order."""
        with self._lock:
            self._frames += 1
            n = self._frames
            hit = [f for f in self.faults if f.action in FRAME_ACTIONS and f.hits(n)]
            for f in hit:
                self.applied.append(f"{f.action}#{n}")
        if not hit:
            return FrameFault()
        actions = {f.action: f for f in hit}
        return FrameFault(
            nak="nak" in actions,
            close="close" in actions,
            powercut=actions["powercut"].seconds if "powercut" in actions else None,
            blackout=actions["blackout"].seconds if "blackout" in actions else None,
            delay=actions["delay"].seconds if "delay" in actions else 0.0,
        )
