"""A till process that sells the test receipt and kills itself with -9 after its K-th frame.

Run as ``python till_killed.py PORT JOURNAL K``: the K-th command frame the till writes goes out
(K a number), or the first frame of command K (K in hex, e.g. ``FF45``); the process waits a moment
for the device to act on it, then dies without any clean-up — the till kill -9 of the fault
campaign, at a chosen exchange.
"""

from __future__ import annotations

import os
import sys
import time

from till_helpers import marked_receipt

from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.transport import TcpTransport
from ffd12.journal import Journal
from ffd12.till import Till

STX = 0x02


class DyingTransport(TcpTransport):
    def __init__(self, port: int, kill_at: str) -> None:
        super().__init__("127.0.0.1", port)
        self.frame_no = int(kill_at) if kill_at.isdigit() else None
        self.command = None if kill_at.isdigit() else bytes.fromhex(kill_at)
        self.frames = 0

    def write(self, data: bytes) -> None:
        super().write(data)
        if data[:1] != bytes([STX]):
            return
        self.frames += 1
        if self.frames == self.frame_no or (self.command and data[2:].startswith(self.command)):
            time.sleep(0.25)
            os.kill(os.getpid(), 9)


def main() -> None:
    port, journal, kill_at = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    transport = DyingTransport(port, kill_at)
    transport.open()
    with Journal(journal) as j:
        Till(ShtrihRegister(transport), j).sell(marked_receipt(), sale_id="killed")
    print("sold without being killed")


if __name__ == "__main__":
    main()
