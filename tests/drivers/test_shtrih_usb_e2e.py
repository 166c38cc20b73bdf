"""A marked sale over usb:// — pyusb's own device/config/endpoint code against the emulator's
IBackend — and link faults on the USB pipe."""

from __future__ import annotations

import pytest

from ffd12.connect import connect
from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.shtrih.link import LinkPolicy
from ffd12.drivers.transport import UsbTransport, open_transport
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.emulator.usb_backend import DEFAULT_PID, DEFAULT_VID, EmulatedUsbBackend
from ffd12.enums import Measure, Operation, Subject, Taxation, VatRate
from ffd12.errors import LinkError
from ffd12.marking import parse
from ffd12.model import Item, Payments, Receipt
from ffd12.tlv import decode

URL = f"usb://{DEFAULT_VID:04x}:{DEFAULT_PID:04x}"
FAST = LinkPolicy(ack_timeout=0.3, byte_timeout=0.3)


def _receipt() -> Receipt:
    items = tuple(
        Item(name=f"Сыр {i}", price=45000, quantity=1, amount=45000, vat=VatRate.VAT10, measure=Measure.PIECE,
             subject=Subject.MARKED_GOODS, marking_code=parse(f"010460123456789321{i}Qbag!\x1d93dGVz"))
        for i in range(3)
    )
    return Receipt(operation=Operation.SALE, taxation=Taxation.OSN, items=items,
                   payments=Payments(electronic=135000))


def test_marked_sale_over_usb() -> None:
    with EmulatedUsbBackend(ShtrihDevice()) as backend:
        reg = connect(f"{URL}?serial=SHM0001", usb_backend=backend)
        try:
            reg.open_shift()
            doc = reg.fiscalize(_receipt())
            assert doc.fd_number == 3 and len(doc.check_results) == 3
            stored = decode(reg.read_document(3))[0]
            assert stored.children.value(1081) == 135000
            assert [i.children.value(2106) for i in stored.children.get_all(1059)] == list(doc.check_results)
        finally:
            reg.close()


def test_usb_serial_number_must_match() -> None:
    with EmulatedUsbBackend(ShtrihDevice()) as backend:
        with pytest.raises(LinkError, match="no such USB device"):
            open_transport(f"{URL}?serial=OTHER", usb_backend=backend)
        with pytest.raises(LinkError):
            open_transport("usb://1234:5678", usb_backend=backend)


@pytest.mark.parametrize("faults", ["drop:out@5", "corrupt:out@8", "corrupt:in@6", "nak@2"])
def test_usb_link_recovers(faults: str) -> None:
    inj = FaultInjector(faults)
    with EmulatedUsbBackend(ShtrihDevice(faults=inj), faults=inj) as backend:
        transport = UsbTransport(DEFAULT_VID, DEFAULT_PID, backend=backend)
        transport.open()
        with ShtrihRegister(transport, policy=FAST) as reg:
            reg.open_shift()
            doc = reg.fiscalize(_receipt())
            assert doc.fd_number == 3
            assert reg.status().last_fd == 3
        assert inj.applied
