"""Fault campaigns: sell under injected faults and count what went wrong (layer 5).

One *trial* starts the Shtrih-M emulator on 127.0.0.1 with a fault plan (see
:mod:`ffd12.emulator.faults`), sells one receipt through :class:`ffd12.till.Till` the way a POS
does — reconnecting after a dropped link, retrying the same sale id until it has an outcome — and
then compares three things: the FN archive (read back from the FN's state file, not through the
link under test), the journal, and the receipt that was sent.

* **duplicate** — the FN holds more than one receipt for the sale;
* **lost** — the FN holds none, yet the journal says ``done`` (or the sale never got an outcome);
* **inconsistent** — one receipt, but it differs from what was sent, or the journal's FD number
  is not that document's.

``bench/faults.py`` runs thousands of random trials; the test suite runs every fault kind at
every command exchange of one sale.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ffd12.drivers.base import Register
from ffd12.drivers.shtrih.commands import COMMANDS
from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.shtrih.link import LinkPolicy
from ffd12.drivers.transport import TcpTransport
from ffd12.emulator.faults import FaultInjector, FrameFault
from ffd12.emulator.fn import VirtualFn
from ffd12.emulator.serve import TcpServer
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.errors import Ffd12Error
from ffd12.journal import Journal
from ffd12.model import Receipt
from ffd12.till import Till, documents_match
from ffd12.tlv import TlvList, decode

__all__ = ["FAST_POLICY", "FAULT_KINDS", "POS_RETRIES", "Trial", "fn_receipts", "random_plan", "run_trial"]

# Short timeouts so a trial that waits out a silence takes fractions of a second.
FAST_POLICY: Final = LinkPolicy(ack_timeout=0.15, byte_timeout=0.15, stale_timeout=0.5)
ANSWER_TIMEOUT: Final = 0.6
POS_RETRIES: Final = 3

# kind → fault plan for "the n-th frame" (byte faults hit a byte inside that neighbourhood).
FAULT_KINDS: Final[dict[str, str]] = {
    "close": "close@{n}",
    "powercut": "powercut@{n}",
    "nak-storm": "nak@{n},nak@{n1},nak@{n2},nak@{n3},nak@{n4}",
    "delay": "delay:1.0@{n}",
    "drop": "drop:out@{b}",
    "corrupt": "corrupt:out@{b}",
}


def plan_for(kind: str, n: int, *, byte: int | None = None) -> str:
    """The fault plan of ``kind`` at frame ``n`` (byte faults at byte ``byte``, default 7·n)."""
    return FAULT_KINDS[kind].format(n=n, n1=n + 1, n2=n + 2, n3=n + 3, n4=n + 4, b=byte or n * 7)


def random_plan(rng: random.Random, frames: int) -> str:
    """One or two random faults somewhere within a sale of ``frames`` frames."""
    rules = []
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.choice(sorted(FAULT_KINDS))
        rules.append(plan_for(kind, rng.randint(1, frames), byte=rng.randint(1, frames * 12)))
    return ",".join(rules)


@dataclass(frozen=True, slots=True, kw_only=True)
class Trial:
    """What one faulted sale left behind."""

    plan: str
    receipts_in_fn: int
    journal_state: str | None
    consistent: bool
    applied: tuple[str, ...]
    frames: int
    error: str | None = None

    @property
    def duplicate(self) -> bool:
        return self.receipts_in_fn > 1

    @property
    def lost(self) -> bool:
        return self.receipts_in_fn == 0

    @property
    def inconsistent(self) -> bool:
        return self.receipts_in_fn == 1 and not self.consistent


def fn_receipts(state_file: Path) -> list[TlvList]:
    """Every receipt document (tag 3) in an emulated FN's archive, read from its state file."""
    fn = VirtualFn(state_file=state_file)
    docs = [decode(fn.archive[n].tlv) for n in sorted(fn.archive)]
    return [d for d in docs if d and d[0].tag == 3]


class _CountingInjector(FaultInjector):
    """The plan's injector that also counts the good frames the device received."""

    frames = 0

    def __bool__(self) -> bool:  # always consulted, so every frame is counted
        return True

    def on_frame(self) -> FrameFault:
        self.frames += 1
        return super().on_frame()


def _register(port: int) -> ShtrihRegister:
    transport = TcpTransport("127.0.0.1", port)
    transport.open()
    return ShtrihRegister(transport, policy=FAST_POLICY, timeouts=dict.fromkeys(COMMANDS, ANSWER_TIMEOUT))


def run_trial(receipt: Receipt, plan: str, *, folder: Path | None = None, sale_id: str = "sale") -> Trial:
    """Sell ``receipt`` once against an emulator with fault ``plan``; report what the FN holds."""
    with tempfile.TemporaryDirectory(prefix="ffd12-trial-") as tmp:
        where = folder or Path(tmp)
        injector = _CountingInjector(plan)
        state = where / "fn.json"
        server = TcpServer(ShtrihDevice(faults=injector, state_file=state), 0, faults=injector).start()
        registers: list[Register] = []

        def reconnect() -> Register:
            registers.append(_register(server.port))
            return registers[-1]

        error = None
        try:
            with Journal(where / "journal.sqlite") as journal:
                till = Till(reconnect(), journal, reconnect=reconnect, sleep=lambda s: None)
                for _ in range(POS_RETRIES):
                    try:
                        till.sell(receipt, sale_id=sale_id)
                        error = None
                        break
                    except Ffd12Error as exc:
                        error = f"{type(exc).__name__}: {exc}"
                record = journal.get(sale_id)
        finally:
            for reg in registers:
                try:
                    reg.close()
                except Ffd12Error:
                    pass
            server.stop()
        receipts = fn_receipts(state)
        consistent = (
            len(receipts) == 1
            and record is not None
            and record.state == "done"
            and documents_match(receipts[0], record.receipt)
            and _fd_of(receipts[0]) == record.fd_number
        )
        return Trial(
            plan=plan,
            receipts_in_fn=len(receipts),
            journal_state=record.state if record else None,
            consistent=consistent,
            applied=tuple(injector.applied),
            frames=injector.frames,
            error=error,
        )


def _fd_of(document: TlvList) -> int | None:
    body = document[0].value
    value = body.value(1040) if isinstance(body, TlvList) else None
    return value if isinstance(value, int) else None
