"""A marked sale through ShtrihRegister against the Shtrih emulator over a real TCP socket and pty,
and every link fault during an exchange: the link recovers or says LinkError, never a wrong answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from ffd12.drivers.shtrih.driver import MarkingRefused, ShtrihRegister
from ffd12.drivers.shtrih.link import FrameDecoder, HostLink, LinkPolicy
from ffd12.drivers.transport import SerialTransport, TcpTransport, Transport
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.fn import Scenario
from ffd12.emulator.serve import PtyServer, TcpServer
from ffd12.emulator.shtrih import DESKTOP, KYA, DeviceModel, ShtrihDevice
from ffd12.enums import Measure, Operation, PaymentMethod, Subject, Taxation, VatRate
from ffd12.errors import LinkError, RegisterError
from ffd12.marking import parse
from ffd12.model import IndustryRequisite, Item, Payments, Receipt
from ffd12.tlv import decode

FAST = LinkPolicy(ack_timeout=0.3, byte_timeout=0.3, stale_timeout=1.0)
CODES = ["0104601234567893215Qbag!\x1d93dGVz", "0104601234567893215Qbag2\x1d93dGVz"]
REQ = IndustryRequisite(foiv="030", doc_date="21.11.2023", doc_number="1944", value="UUID=1&Time=2")


def marked_receipt() -> Receipt:
    items = [
        Item(name=f"Молоко {i}", price=8990, quantity=1, amount=8990, vat=VatRate.VAT10,
             subject=Subject.MARKED_GOODS, payment_method=PaymentMethod.FULL_PAYMENT, measure=Measure.PIECE,
             marking_code=parse(code), industry_requisites=(REQ,))
        for i, code in enumerate(CODES)
    ]
    items.append(Item(name="Хлеб", price=5000, quantity=2, amount=10000, vat=VatRate.VAT10,
                      measure=Measure.PIECE))
    return Receipt(operation=Operation.SALE, taxation=Taxation.OSN, items=tuple(items),
                   payments=Payments(cash=27980), cashier="Иванов И.И.", customer_contact="a@b.ru")


class Tap(Transport):
    """A real transport with a record of what the host wrote (to check command order on the wire)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.written = bytearray()

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def write(self, data: bytes) -> None:
        self.written += data
        self.inner.write(data)

    def read(self, n: int, timeout: float) -> bytes:
        return self.inner.read(n, timeout)

    def commands(self) -> list[int]:
        d = FrameDecoder()
        d.feed(bytes(self.written))
        codes = []
        while (body := d.next_frame()) is not None:
            codes.append(body[0] << 8 | body[1] if body[0] == 0xFF else body[0])
        return codes


@contextmanager
def served(kind: str = "tcp", *, faults: str = "", model: DeviceModel = DESKTOP,
           scenario: Scenario | None = None) -> Iterator[tuple[ShtrihRegister, Tap, ShtrihDevice,
                                                                FaultInjector]]:
    inj = FaultInjector(faults)
    device = ShtrihDevice(model=model, faults=inj, scenario=scenario)
    server: TcpServer | PtyServer = TcpServer(device, 0, faults=inj) if kind == "tcp" else PtyServer(
        device, faults=inj)
    with server:
        inner: Transport = (TcpTransport("127.0.0.1", server.port) if isinstance(server, TcpServer)
                            else SerialTransport(server.path))
        tap = Tap(inner)
        tap.open()
        reg = ShtrihRegister(tap, policy=FAST)
        try:
            yield reg, tap, device, inj
        finally:
            reg.close()
    assert server.error is None


def _check_sale(reg: ShtrihRegister) -> None:
    before = reg.status()
    assert not before.shift_open
    reg.open_shift()
    doc = reg.fiscalize(marked_receipt())
    assert doc.fd_number == before.last_fd + 2
    assert doc.fiscal_sign != 0 and doc.date_time is not None
    assert doc.check_results[2] is None
    assert all(r is not None and r & 0x0C == 0x0C for r in doc.check_results[:2])  # ОИСМ: status correct
    stored = decode(reg.read_document(doc.fd_number))
    receipt = stored[0]
    assert receipt.tag == 3
    items = receipt.children.get_all(1059)
    assert [i.children.value(1030) for i in items] == ["Молоко 0", "Молоко 1", "Хлеб"]
    assert [i.children.value(2106) for i in items[:2]] == list(doc.check_results[:2])
    assert items[0].get(1260) is not None and items[0].get(1260).children.value(1265) == "UUID=1&Time=2"
    assert receipt.children.value(1021) == "Иванов И.И."
    assert receipt.children.value(1020) == 27980
    after = reg.status()
    assert after.last_fd == doc.fd_number and after.shift_open and not after.receipt_open


def test_marked_sale_over_tcp() -> None:
    with served("tcp") as (reg, tap, _, _):
        _check_sale(reg)
        codes = tap.commands()
    # §4.10: both codes checked and accepted before 8D; desktop order FF46, FF4D, FF67
    first_open = codes.index(0x8D)
    assert codes[:first_open].count(0xFF61) == 2 and codes[:first_open].count(0xFF69) == 2
    sale = codes[first_open:codes.index(0xFF45) + 1]
    assert sale[:5] == [0x8D, 0xFF46, 0xFF4D, 0xFF67, 0xFF46]
    assert sale[-2:] == [0xFF0C, 0xFF45]


def test_marked_sale_over_pty() -> None:
    with served("pty") as (reg, _, _, _):
        _check_sale(reg)


def test_tags_first_order_on_kassovoe_yadro() -> None:
    with served("tcp", model=KYA) as (reg, tap, _, _):
        reg.open_shift()
        reg.fiscalize(marked_receipt())
        codes = tap.commands()
    sale = codes[codes.index(0x8D):]
    assert sale[:4] == [0x8D, 0xFF4D, 0xFF67, 0xFF46]


def test_refused_code_is_rejected_before_the_receipt_opens() -> None:
    with served("tcp", scenario=Scenario(oism="negative")) as (reg, tap, _, _):
        reg.open_shift()
        with pytest.raises(MarkingRefused) as info:
            reg.fiscalize(marked_receipt())
        assert info.value.item == 0
        assert 0x8D not in tap.commands()
        assert not reg.status().receipt_open


def test_device_refusal_cancels_the_receipt() -> None:
    with served("tcp") as (reg, tap, _, _):
        reg.open_shift()
        receipt = marked_receipt()
        short = Receipt(operation=receipt.operation, taxation=receipt.taxation, items=receipt.items,
                        payments=Payments(cash=100))  # less than the total
        with pytest.raises(RegisterError):
            reg.fiscalize(short)
        assert tap.commands()[-1] == 0x88
        assert not reg.status().receipt_open


def test_no_shift_is_a_register_error_with_russian_text() -> None:
    with served("tcp") as (reg, _, _, _):
        with pytest.raises(RegisterError) as info:
            reg.fiscalize(marked_receipt())
        assert info.value.text and info.value.code != 0


# -- faults during exchanges --------------------------------------------------------------------

RECOVERABLE = [
    "drop:out@1",  # the NAK to the first ENQ is lost
    "drop:out@4",  # a byte of the first answer is lost
    "dup:out@5",
    "corrupt:out@6",  # the answer's data damaged → NAK, ENQ, repeated
    "corrupt:out@6,corrupt:out@45,corrupt:out@90",
    "drop:in@3",  # a byte of the command is lost → no ACK → ENQ → NAK → resend
    "corrupt:in@4",  # the command damaged → device NAKs → resend
    "dup:in@2",
    "nak@1",
    "nak%3",
    "delay:0.2@2",
]


@pytest.mark.parametrize("faults", RECOVERABLE)
def test_link_recovers_from(faults: str) -> None:
    with served("tcp") as (clean, _, _, _):
        clean.open_shift()
        expected = clean.fiscalize(marked_receipt())
    with served("tcp", faults=faults) as (reg, _, _, inj):
        reg.open_shift()
        doc = reg.fiscalize(marked_receipt())
        assert inj.applied, "the fault never fired"
        # the same document as without faults: nothing executed twice, nothing lost
        assert doc.fd_number == expected.fd_number
        assert doc.check_results == expected.check_results
        stored = decode(reg.read_document(doc.fd_number))[0]
        assert len(stored.children.get_all(1059)) == 3
        assert reg.status().last_fd == doc.fd_number


def test_closed_connection_is_a_link_error() -> None:
    with served("tcp", faults="close@2") as (reg, _, _, inj):
        with pytest.raises(LinkError, match="closed"):
            reg.status()  # 0x10 answers, FF01 runs, then the device hangs up
        assert inj.applied == ["close#2"]


def _frame_number_of_ff45() -> int:
    with served("tcp") as (clean, tap, _, _):
        clean.open_shift()
        clean.status()  # the same exchanges as the faulty run below
        clean.fiscalize(marked_receipt())
        return tap.commands().index(0xFF45) + 1


def test_power_cut_after_closing_the_receipt_never_reports_a_wrong_document() -> None:
    n = _frame_number_of_ff45()
    with served("tcp", faults=f"powercut@{n}") as (reg, _, device, inj):
        reg.timeouts[0xFF45] = 1.0  # the answer never comes: do not wait the 30 s of §1.3
        reg.open_shift()
        before = reg.status().last_fd
        with pytest.raises(LinkError, match="answer lost"):
            reg.fiscalize(marked_receipt())
        assert inj.applied == [f"powercut#{n}"] and device.power_cuts == 1
        # the FN kept the receipt: the caller finds it by FD number instead of selling twice
        status = reg.status()
        assert status.last_fd == before + 1 and not status.receipt_open
        assert decode(reg.read_document(status.last_fd))[0].tag == 3


def test_silent_device_is_a_link_error_with_frames() -> None:
    with served("tcp", faults="drop:out%1") as (reg, _, _, _):
        with pytest.raises(LinkError) as info:
            reg.status()
        assert "ENQ" in str(info.value) and info.value.frames


@pytest.mark.parametrize(("oism", "accepted", "online_code"), [
    ("positive", True, 0x00), ("negative", False, 0x00), ("timeout", True, 0xFF),
])
def test_check_marking_answers(oism: str, accepted: bool, online_code: int) -> None:
    with served("tcp", scenario=Scenario(oism=oism)) as (reg, _, _, _):
        reg.open_shift()
        check = reg.check_marking(parse(CODES[0]), 1)
        assert check.accepted is accepted
        assert check.online_code == online_code
        assert check.refused is not accepted
        assert check.km_type == 5  # a 4-character check code (93), not checkable in the FN
        if oism == "timeout":
            assert check.check_result & 0x04 == 0  # ОИСМ did not check the status


def test_check_marking_of_measured_goods_sends_2108_and_1023() -> None:
    with served("tcp") as (reg, tap, _, _):
        reg.open_shift()
        check = reg.check_marking(CODES[1], 2, Decimal("0.5"), 11)
        assert check.accepted
    d = FrameDecoder()
    d.feed(bytes(tap.written))
    bodies = []
    while (body := d.next_frame()) is not None:
        bodies.append(body)
    ff61 = next(b for b in bodies if b[:2] == b"\xff\x61")
    # planned status 2, mode 0, KM length, TLV length 11: 2108 = 11, 1023 = 0.5
    assert ff61[6:8] == b"\x02\x00" and ff61[9] == 11
    assert ff61.endswith(bytes.fromhex("3c 08 01 00 0b ff 03 02 00 01 05"))


def test_sale_return_of_marked_goods() -> None:
    sale = marked_receipt()
    back = Receipt(operation=Operation.SALE_RETURN, taxation=sale.taxation, items=sale.items[:1],
                   payments=Payments(cash=sale.items[0].amount))
    with served("tcp") as (reg, tap, _, _):
        reg.open_shift()
        reg.fiscalize(sale)
        tap.written.clear()
        doc = reg.fiscalize(back)
        stored = decode(reg.read_document(doc.fd_number))[0]
    assert stored.children.value(1054) == 2
    d = FrameDecoder()
    d.feed(bytes(tap.written))
    bodies = []
    while (body := d.next_frame()) is not None:
        bodies.append(body)
    assert next(b for b in bodies if b[:2] == b"\xff\x61")[6] == 3  # 2003: piece returned
    assert next(b for b in bodies if b[:1] == b"\x8d")[5] == 2  # 8D type 2: sale return
    assert next(b for b in bodies if b[:2] == b"\xff\x46")[6] == 2  # FF46 operation 2


def test_late_answer_is_drained_as_stale_before_the_next_command() -> None:
    with served("tcp", faults="delay:0.5@1") as (reg, tap, _, inj):
        reg.link = HostLink(LinkPolicy(ack_timeout=0.3, byte_timeout=0.1, nak_answer_tries=0))
        reg.timeouts[0x10] = 0.05
        with pytest.raises(LinkError, match="no answer"):
            reg.execute(0x10)
        time.sleep(0.8)  # the 0x10 answer arrives now, after the host gave up on it
        tap.written.clear()
        answer = reg.execute(0xFF01)
        assert answer["last_fd"] == 1 and inj.applied == ["delay#1"]
    # ENQ, the stale 0x10 answer is ACKed and dropped, ENQ again, then the FF01 frame
    assert bytes(tap.written[:3]) == bytes([0x05, 0x06, 0x05])


def test_check_left_half_done_by_a_lost_connection_is_cleared() -> None:
    # frames: E0 1, FF01 2, FC 3, FF61 4, FF69 5 — the connection drops after FF61 ran
    inj = FaultInjector("close@4")
    with TcpServer(ShtrihDevice(faults=inj), 0, faults=inj) as server:
        first = TcpTransport("127.0.0.1", server.port)
        first.open()
        with ShtrihRegister(first, policy=FAST) as reg:
            reg.open_shift()
            with pytest.raises(LinkError):
                reg.fiscalize(marked_receipt())
        again = Tap(TcpTransport("127.0.0.1", server.port))
        again.open()
        with ShtrihRegister(again, policy=FAST) as reg:
            doc = reg.fiscalize(marked_receipt())
            assert doc.fd_number == 3
        codes = again.commands()
    assert inj.applied == ["close#4"]
    # FC, FF61 refused (0xA1: the FN still waits for FF69), FF69 2 clears, then the normal sequence
    assert codes[:4] == [0xFC, 0xFF61, 0xFF69, 0xFF61]


class _BusyOnce(ShtrihDevice):
    """The emulator, but still printing (0x50) the first time it is asked for the FN status."""

    busy_left = 1

    def execute(self, body: bytes) -> bytes:
        if body[:2] == b"\xff\x01" and self.busy_left:
            self.busy_left -= 1
            return body[:2] + b"\x50"
        return super().execute(body)


def test_busy_printing_is_waited_out_and_repeated() -> None:
    device = _BusyOnce()
    with TcpServer(device, 0) as server:
        tap = Tap(TcpTransport("127.0.0.1", server.port))
        tap.open()
        with ShtrihRegister(tap, policy=FAST) as reg:
            started = time.monotonic()
            assert reg.execute(0xFF01)["last_fd"] == 1
            assert time.monotonic() - started >= 0.3  # §1.3: ~333 ms pause before the repeat
        assert tap.commands() == [0xFF01, 0xFF01] and device.busy_left == 0


def test_checks_after_opening_when_asked() -> None:
    with served("tcp", model=KYA) as (reg, tap, _, _):
        reg.check_after_open = True
        reg.open_shift()
        doc = reg.fiscalize(marked_receipt())
        codes = tap.commands()
        assert doc.check_results[0] is not None
    sale = codes[codes.index(0x8D):]
    assert sale[:5] == [0x8D, 0xFF61, 0xFF69, 0xFF61, 0xFF69]
