"""Protocol v2 end to end: ShtrihRegister with HostLink2 over TCP to the emulator's command set
behind a v2 framing shim (the emulator itself speaks v1), with byte faults on the wire."""

from __future__ import annotations

import pytest

from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.shtrih.link import BadFrame, LinkPolicy
from ffd12.drivers.shtrih.link2 import Frame2Decoder, HostLink2, build_frame2
from ffd12.drivers.transport import TcpTransport
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.serve import TcpServer
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.enums import Measure, Operation, Subject, Taxation, VatRate
from ffd12.marking import parse
from ffd12.model import Item, Payments, Receipt
from ffd12.tlv import decode

FAST = LinkPolicy(ack_timeout=0.3, byte_timeout=0.3)


def marked_receipt() -> Receipt:
    milk = Item(name="Молоко", price=8990, quantity=1, amount=8990, vat=VatRate.VAT10, measure=Measure.PIECE,
                subject=Subject.MARKED_GOODS, marking_code=parse("0104601234567893215Qbag!\x1d93dGVz"))
    bread = Item(name="Хлеб", price=5000, quantity=2, amount=10000, vat=VatRate.VAT10, measure=Measure.PIECE)
    return Receipt(operation=Operation.SALE, taxation=Taxation.OSN, items=(milk, bread, bread),
                   payments=Payments(cash=28990))


class V2Device:
    """Device-side v2 framing of §1.4 over the emulator's commands: executes number last+1 only,
    repeats the last answer otherwise (and for the empty sync frame)."""

    hangup = False

    def __init__(self) -> None:
        self.inner = ShtrihDevice()
        self.decoder = Frame2Decoder()
        self.out = bytearray()
        self.last_number = 0
        self.last_answer = b""
        self.executed = 0

    def receive(self, data: bytes, now: float) -> None:
        self.decoder.feed(data)
        while True:
            try:
                frame = self.decoder.next_frame()
            except BadFrame:
                continue  # a damaged request gets no answer
            if frame is None:
                return
            number, body = frame
            if number is not None and number == self.last_number % 0xFFFF + 1 and body:
                self.last_answer = self.inner.execute(body)
                self.last_number = number
                self.executed += 1
            self.out += build_frame2(self.last_number, self.last_answer)

    def poll(self, now: float) -> None:
        return None

    def deadline(self) -> float | None:
        return None

    def bytes_to_send(self) -> bytes:
        out = bytes(self.out)
        self.out.clear()
        return out

    def connection_lost(self) -> None:
        self.decoder.reset()


def _sale(faults: str) -> tuple[int, int, list[str]]:
    inj = FaultInjector(faults)
    device = V2Device()
    with TcpServer(device, 0, faults=inj) as server:
        transport = TcpTransport("127.0.0.1", server.port)
        transport.open()
        with ShtrihRegister(transport, link=HostLink2(FAST)) as reg:
            reg.open_shift()
            doc = reg.fiscalize(marked_receipt())
            stored = decode(reg.read_document(doc.fd_number))[0]
            assert len(stored.children.get_all(1059)) == 3
        assert server.error is None
    return doc.fd_number, device.executed, inj.applied


def test_v2_marked_sale() -> None:
    fd, executed, _ = _sale("")
    assert fd == 3  # registration 1, shift open 2, receipt 3
    assert executed >= 14  # E0 FF01 FC FF61 FF69 8D 3×(FF46 FF4D) FF67 FF45 FF3A FF3B…


@pytest.mark.parametrize("faults", ["drop:out@3", "corrupt:out@9", "drop:in@12", "corrupt:in@30",
                                    "dup:out@5", "corrupt:out@7,drop:in@50,corrupt:out@120"])
def test_v2_recovers_and_executes_each_command_once(faults: str) -> None:
    clean_fd, clean_executed, _ = _sale("")
    fd, executed, applied = _sale(faults)
    assert applied
    assert fd == clean_fd
    assert executed == clean_executed  # resent frames were never executed twice


@pytest.mark.parametrize("faults", ["", "drop:out@3", "corrupt:in@30", "corrupt:out@9,drop:in@50"])
def test_v2_against_the_emulator_itself(faults: str) -> None:
    from ffd12.connect import connect

    reg = connect(f"emu://shtrih?protocol=v2&faults={faults}", policy=FAST)
    try:
        assert isinstance(reg, ShtrihRegister) and isinstance(reg.link, HostLink2)
        reg.open_shift()
        doc = reg.fiscalize(marked_receipt())
        assert doc.fd_number == 3
        stored = decode(reg.read_document(3))[0]
        assert [i.children.value(1030) for i in stored.children.get_all(1059)] == ["Молоко", "Хлеб", "Хлеб"]
        assert reg.status().last_fd == 3
        assert bool(reg.server.faults.applied) == bool(faults)  # type: ignore[attr-defined]
    finally:
        reg.close()
