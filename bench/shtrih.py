"""Benchmark: a 10-item receipt with 10 marking codes through ShtrihRegister over a 115 200 baud line.

The emulator serves over TCP on 127.0.0.1 and paces its bytes as a serial line would (10 bits per
byte); the host side paces its writes the same way, so both directions cost wire time. Printed:
wall time, round trips (commands), bytes each way, the lower bound (bytes on the wire × 10 / baud),
the emulator's own command latency (the same receipt unpaced), and the ratio

    wall / (lower bound + emulator latency)        — target ≤ 1.3

Run: ``python bench/shtrih.py [--baud 115200] [--runs 3] [--line tcp|pty]``. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.transport import SerialTransport, TcpTransport, Transport
from ffd12.emulator.serve import PtyServer, TcpServer
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.enums import Measure, Operation, Subject, Taxation, VatRate
from ffd12.marking import parse
from ffd12.model import Item, Payments, Receipt


class PacedCounter(Transport):
    """TCP with the host's writes paced like a serial line, counting bytes both ways."""

    def __init__(self, inner: Transport, baud: int | None) -> None:
        self.inner, self.baud = inner, baud
        self.sent = self.received = 0

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def write(self, data: bytes) -> None:
        self.inner.write(data)
        self.sent += len(data)
        if self.baud:
            time.sleep(len(data) * 10 / self.baud)

    def read(self, n: int, timeout: float) -> bytes:
        data = self.inner.read(n, timeout)
        self.received += len(data)
        return data


def receipt() -> Receipt:
    items = tuple(
        Item(name=f"Товар маркированный {i}", price=10000 + i, quantity=1, amount=10000 + i,
             vat=VatRate.VAT20, measure=Measure.PIECE, subject=Subject.MARKED_GOODS,
             marking_code=parse(f"010460123456789321{i}Qbag!\x1d93dGVz"))
        for i in range(10)
    )
    total = sum(i.amount for i in items)
    return Receipt(operation=Operation.SALE, taxation=Taxation.OSN, items=items,
                   payments=Payments(cash=total), cashier="Кассир")


def run(baud: int | None, line: str) -> tuple[float, int, int, int]:
    device = ShtrihDevice()
    server: TcpServer | PtyServer = TcpServer(device, 0, baud=baud) if line == "tcp" else PtyServer(
        device, baud=baud)
    with server:
        inner: Transport = (TcpTransport("127.0.0.1", server.port) if isinstance(server, TcpServer)
                            else SerialTransport(server.path))
        tr = PacedCounter(inner, baud)
        tr.open()
        with ShtrihRegister(tr) as reg:
            reg.open_shift()
            reg.status()  # learn the model before the clock starts
            tr.sent = tr.received = 0
            trips = reg.round_trips
            start = time.perf_counter()
            reg.fiscalize(receipt())
            wall = time.perf_counter() - start
            return wall, reg.round_trips - trips, tr.sent, tr.received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--line", choices=("tcp", "pty"), default="tcp")
    args = parser.parse_args()
    base = [run(None, args.line)[0] for _ in range(args.runs)]
    paced = [run(args.baud, args.line) for _ in range(args.runs)]
    latency = statistics.median(base)
    wall = statistics.median(p[0] for p in paced)
    _, trips, sent, received = paced[0]
    bound = (sent + received) * 10 / args.baud
    print(f"receipt: 10 items, 10 marking codes; {args.line} line at {args.baud} baud; "
          f"median of {args.runs} runs")
    print(f"round trips (commands):     {trips}")
    print(f"bytes host→device / back:   {sent} / {received}")
    print(f"lower bound (bytes×10/baud): {bound * 1000:8.1f} ms")
    print(f"emulator latency (unpaced):  {latency * 1000:8.1f} ms")
    print(f"wall time (paced):           {wall * 1000:8.1f} ms")
    print(f"ratio wall / (bound + latency): {wall / (bound + latency):.2f}  (target ≤ 1.30)")


if __name__ == "__main__":
    main()
