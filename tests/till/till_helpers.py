"""Shared pieces of the till tests: a marked receipt, an emulator on TCP, a till wired to it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.shtrih.link import LinkPolicy
from ffd12.drivers.transport import TcpTransport
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.fn import VirtualFn
from ffd12.emulator.serve import TcpServer
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.marking import parse
from ffd12.model import Item, Payments, Receipt
from ffd12.tlv import TlvList, decode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

SHOES = "0104601234567893215Qbag!mP7sX3Yq\x1d91FFD0\x1d92dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXRlc3RrZXk="
WATER = "0104640069133057215abcDEF12345\x1d93dGVz"

FAST = LinkPolicy(ack_timeout=0.15, byte_timeout=0.15, stale_timeout=0.5)
ANSWER_TIMEOUT = 0.6  # per command, for every command, in these tests


def marked_receipt() -> Receipt:
    return Receipt(
        operation=1,
        taxation=1,
        cashier="Иванова И.И.",
        items=(
            Item(
                name="Кроссовки", price="2500.00", quantity=Decimal(1), amount="2500.00", vat=1,
                subject=33, measure=0, marking_code=parse(SHOES), planned_status=1,
            ),
            Item(name="Хлеб", price="50.00", quantity=Decimal(2), amount="100.00", vat=2, measure=0),
        ),
        payments=Payments(cash="3000.00"),
    )


@dataclass
class Bench:
    """An emulated Shtrih register on 127.0.0.1 with a file-backed FN."""

    state: Path
    server: TcpServer
    faults: FaultInjector

    def register(self) -> ShtrihRegister:
        from ffd12.drivers.shtrih.commands import COMMANDS

        transport = TcpTransport("127.0.0.1", self.server.port)
        transport.open()
        return ShtrihRegister(
            transport, policy=FAST, timeouts=dict.fromkeys(COMMANDS, ANSWER_TIMEOUT)
        )

    def receipts(self) -> list[TlvList]:
        """Every receipt document (tag 3) the FN holds, read back from its state file."""
        fn = VirtualFn(state_file=self.state)
        docs = [decode(fn.archive[n].tlv) for n in sorted(fn.archive)]
        return [d for d in docs if d and d[0].tag == 3]


@contextlib.contextmanager
def emulator(tmp: Path, faults: str = "") -> Iterator[Bench]:
    injector = FaultInjector(faults)
    state = tmp / "fn.json"
    device = ShtrihDevice(faults=injector, state_file=state)
    server = TcpServer(device, 0, faults=injector).start()
    try:
        yield Bench(state=state, server=server, faults=injector)
    finally:
        server.stop()


def killed_sale(port: int, journal: Path, kill_at: int | str) -> subprocess.CompletedProcess[str]:
    """Run a till that is killed -9 after frame ``kill_at`` (a number, or a command in hex)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    return subprocess.run(
        [sys.executable, str(HERE / "till_killed.py"), str(port), str(journal), str(kill_at)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
