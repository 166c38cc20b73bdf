"""End-to-end time of the demo sale at 115 200 baud against the wire floor.

The bundled demo CheckPackage (4 items, 3 marking codes) is read from XML and sold through
``ffd12.till.Till`` — rules, journal intent and result (SQLite, synchronous=FULL), shift check,
FF61/FF69 per code, 8D, FF46/FF4D/FF67 per item, FF0C, FF45 — against the Shtrih-M emulator on
127.0.0.1, both directions paced like a serial line. Printed, medians of ``--runs``:

* the wire floor: bytes on the wire × 10 / baud;
* the bare driver (``register.fiscalize`` alone) paced, and the whole till sale paced;
* the till's own cost over the bare driver (journal, rules, status reads), and the ratios.

Run: ``python bench/sale.py [--baud 115200] [--runs 5]``. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ffd12.demo import demo_xml
from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.transport import TcpTransport
from ffd12.emulator.serve import TcpServer
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.journal import Journal
from ffd12.till import Till
from ffd12.xml import read_check_package

_spec = importlib.util.spec_from_file_location("bench_shtrih", Path(__file__).with_name("shtrih.py"))
assert _spec is not None and _spec.loader is not None
_shtrih = importlib.util.module_from_spec(_spec)
sys.modules["bench_shtrih"] = _shtrih
_spec.loader.exec_module(_shtrih)
PacedCounter = _shtrih.PacedCounter  # the same paced, byte-counting transport as bench/shtrih.py


def run(baud: int | None, *, through_till: bool) -> tuple[float, int]:
    """One sale: (wall seconds, bytes on the wire both ways)."""
    receipt = read_check_package(demo_xml()).value
    with tempfile.TemporaryDirectory() as tmp, TcpServer(ShtrihDevice(), 0, baud=baud) as server:
        tr = PacedCounter(TcpTransport("127.0.0.1", server.port), baud)
        tr.open()
        with ShtrihRegister(tr) as reg, Journal(Path(tmp) / "j.sqlite") as journal:
            reg.open_shift()
            reg.status()  # learn the model before the clock starts
            tr.sent = tr.received = 0
            start = time.perf_counter()
            if through_till:
                Till(reg, journal).sell(receipt, sale_id="bench")
            else:
                reg.fiscalize(receipt)
            return time.perf_counter() - start, tr.sent + tr.received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bare = [run(args.baud, through_till=False) for _ in range(args.runs)]
    till = [run(args.baud, through_till=True) for _ in range(args.runs)]
    bare_wall = statistics.median(w for w, _ in bare)
    till_wall = statistics.median(w for w, _ in till)
    till_bytes = till[0][1]
    floor = till_bytes * 10 / args.baud
    print(f"demo receipt: 4 items, 3 marking codes; line {args.baud} baud; median of {args.runs} runs")
    print(f"bytes on the wire (till sale):   {till_bytes}  (bare driver: {bare[0][1]})")
    print(f"wire floor (bytes×10/baud):      {floor * 1000:8.1f} ms")
    print(f"bare driver fiscalize:           {bare_wall * 1000:8.1f} ms")
    print(f"whole till sale:                 {till_wall * 1000:8.1f} ms")
    print(f"till over bare driver:           {(till_wall - bare_wall) * 1000:8.1f} ms")
    print(f"ratio till sale / wire floor:    {till_wall / floor:.2f}")


if __name__ == "__main__":
    main()
