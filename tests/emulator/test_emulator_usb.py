"""The emulated register on a virtual USB bus: pyusb's own code enumerates and talks to it."""

from __future__ import annotations

import time

import pytest
import usb.core
import usb.util

from ffd12.connect import connect
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.emulator.usb_backend import DEFAULT_PID, DEFAULT_VID, EP_IN, EP_OUT, EmulatedUsbBackend


def read_exactly(ep: usb.core.Endpoint, size: int) -> bytes:
    out = b""
    end = time.monotonic() + 2
    while len(out) < size and time.monotonic() < end:
        try:
            out += bytes(ep.read(64, timeout=200))
        except usb.core.USBTimeoutError:
            pass
    return out


def test_pyusb_enumerates_one_cdc_device() -> None:
    with EmulatedUsbBackend(ShtrihDevice(), serial="SHM0042") as backend:
        devices = list(usb.core.find(find_all=True, backend=backend))
        assert len(devices) == 1
        dev = devices[0]
        assert (dev.idVendor, dev.idProduct) == (DEFAULT_VID, DEFAULT_PID)
        assert usb.core.find(idVendor=0x18D1, idProduct=0x4EE4, backend=backend) is None
        assert dev.serial_number == "SHM0042" and dev.manufacturer == "ffd12"
        cfg = dev.get_active_configuration()
        intf = cfg[(0, 0)]
        addresses = sorted(ep.bEndpointAddress for ep in intf)
        assert addresses == [EP_OUT, EP_IN]
        assert all(usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK for ep in intf)
        usb.util.dispose_resources(dev)


def test_hand_written_frames_over_bulk_endpoints() -> None:
    with EmulatedUsbBackend(ShtrihDevice()) as backend:
        dev = usb.core.find(idVendor=DEFAULT_VID, idProduct=DEFAULT_PID, backend=backend)
        assert dev is not None
        dev.set_configuration()
        intf = dev.get_active_configuration()[(0, 0)]
        usb.util.claim_interface(dev, 0)
        ep_out = usb.util.find_descriptor(intf, bEndpointAddress=EP_OUT)
        ep_in = usb.util.find_descriptor(intf, bEndpointAddress=EP_IN)
        try:
            assert ep_out.write(b"\x05") == 1
            assert read_exactly(ep_in, 1) == b"\x15"
            ep_out.write(bytes.fromhex("02 05 10 1e 00 00 00 0b"))  # short status, password 30
            answer = read_exactly(ep_in, 21)
            assert answer[:8] == bytes.fromhex("06 02 11 10 00 1e 82 02")
            with pytest.raises(usb.core.USBTimeoutError):
                ep_in.read(64, timeout=50)
            with pytest.raises(usb.core.USBError):
                dev.write(EP_IN, b"\x05")
        finally:
            usb.util.dispose_resources(dev)


def test_register_over_usb_url() -> None:
    device = ShtrihDevice()
    faults = FaultInjector("corrupt:out@5")
    with EmulatedUsbBackend(device, faults=faults) as backend:
        with connect(f"usb://{DEFAULT_VID:04x}:{DEFAULT_PID:04x}?serial=SHM0001", usb_backend=backend) as reg:
            status = reg.status()  # survives a damaged answer byte: NAK, ENQ, the answer again
            assert status.last_fd == 1 and not status.shift_open
            reg.open_shift()
            assert device.fn.shift_open
        assert faults.applied == ["corrupt:out#5"]
        assert backend._handles == []  # closing the register closed the handle and its thread
