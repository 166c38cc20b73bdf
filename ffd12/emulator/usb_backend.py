"""A pyusb backend whose only USB device is an emulated register (CDC-style bulk IN/OUT endpoints).

``usb.core.find(idVendor=…, backend=EmulatedUsbBackend(device))`` enumerates one device; pyusb's own
descriptor, configuration, claim and transfer code then runs against it, and bulk transfers reach
the device through an in-process :class:`~ffd12.emulator.nullmodem.NullModem` served by a
:class:`~ffd12.emulator.serve.PipeServer` thread. The thread starts when pyusb opens the device
and stops when it closes it (``usb.util.dispose_resources``); :meth:`EmulatedUsbBackend.close`
stops whatever is left.

The descriptors follow a USB-serial (CDC data) interface: interface 0, class 0x0A, bulk OUT 0x01
and bulk IN 0x81 of 64 bytes. The VID:PID of real Shtrih devices in CDC mode is not known (spec
§1.5, §7.5) — :data:`DEFAULT_VID`/:data:`DEFAULT_PID` are placeholders. [unverified]
"""

from __future__ import annotations

import array
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import usb.backend
import usb.core

from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.nullmodem import NullModem
from ffd12.emulator.serve import ByteDevice, PipeServer
from ffd12.errors import LinkError

__all__ = ["DEFAULT_PID", "DEFAULT_VID", "EP_IN", "EP_OUT", "EmulatedUsbBackend"]

log = logging.getLogger("ffd12.emulator.usb")

DEFAULT_VID = 0x1FC9
"""Placeholder vendor id (NXP, whose MCUs Shtrih boards use); the real CDC VID:PID is [unverified]."""
DEFAULT_PID = 0x0001
EP_OUT = 0x01
EP_IN = 0x81
PACKET = 64
_GET_DESCRIPTOR = 0x06
_STRING = 3
_ERRNO_TIMEOUT = 110
_ERRNO_NODEV = 19


@dataclass(frozen=True, slots=True)
class _Descriptor:
    """Attribute bag in the shape pyusb reads with ``_set_attr`` (field names are USB's)."""

    fields: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None


class _Dev:
    """The backend's opaque device id."""

    def __repr__(self) -> str:
        return "<emulated USB register>"


class _Handle:
    def __init__(self, cable: NullModem, server: PipeServer) -> None:
        self.cable = cable
        self.server = server
        self.configuration = 1


class EmulatedUsbBackend(usb.backend.IBackend):  # type: ignore[misc]
    """One emulated register on a virtual USB bus, for ``usb.core.find(..., backend=...)``."""

    def __init__(self, device: ByteDevice, *, vid: int = DEFAULT_VID, pid: int = DEFAULT_PID,
                 serial: str = "SHM0001", product: str = "Shtrih-M emulator",
                 faults: FaultInjector | None = None) -> None:
        self.device = device
        self.faults = faults
        self.strings = {1: "ffd12", 2: product, 3: serial}
        self._dev = _Dev()
        self._lock = threading.Lock()
        self._handles: list[_Handle] = []
        self._device_desc = _Descriptor({
            "bLength": 18, "bDescriptorType": 1, "bcdUSB": 0x0200, "bDeviceClass": 0x02,
            "bDeviceSubClass": 0, "bDeviceProtocol": 0, "bMaxPacketSize0": PACKET, "idVendor": vid,
            "idProduct": pid, "bcdDevice": 0x0100, "iManufacturer": 1, "iProduct": 2, "iSerialNumber": 3,
            "bNumConfigurations": 1, "address": 1, "bus": 1, "port_number": 1, "port_numbers": (1,),
            "speed": 2,
        })
        self._config_desc = _Descriptor({
            "bLength": 9, "bDescriptorType": 2, "wTotalLength": 9 + 9 + 7 + 7, "bNumInterfaces": 1,
            "bConfigurationValue": 1, "iConfiguration": 0, "bmAttributes": 0x80, "bMaxPower": 50,
            "extra_descriptors": [],
        })
        self._intf_desc = _Descriptor({
            "bLength": 9, "bDescriptorType": 4, "bInterfaceNumber": 0, "bAlternateSetting": 0,
            "bNumEndpoints": 2, "bInterfaceClass": 0x0A, "bInterfaceSubClass": 0, "bInterfaceProtocol": 0,
            "iInterface": 0, "extra_descriptors": [],
        })
        self._ep_desc = [
            _Descriptor({"bLength": 7, "bDescriptorType": 5, "bEndpointAddress": address, "bmAttributes": 2,
                         "wMaxPacketSize": PACKET, "bInterval": 0, "bRefresh": 0, "bSynchAddress": 0,
                         "extra_descriptors": []})
            for address in (EP_OUT, EP_IN)
        ]

    # ----------------------------------------------------------------- enumeration
    def enumerate_devices(self) -> Any:
        yield self._dev

    def get_device_descriptor(self, dev: Any) -> _Descriptor:
        return self._device_desc

    def get_configuration_descriptor(self, dev: Any, config: int) -> _Descriptor:
        if config != 0:
            raise usb.core.USBError(f"no configuration {config}", errno=_ERRNO_NODEV)
        return self._config_desc

    def get_interface_descriptor(self, dev: Any, intf: int, alt: int, config: int) -> _Descriptor:
        if (intf, alt, config) != (0, 0, 0):
            raise usb.core.USBError(f"no interface {intf}/{alt}", errno=_ERRNO_NODEV)
        return self._intf_desc

    def get_endpoint_descriptor(self, dev: Any, ep: int, intf: int, alt: int, config: int) -> _Descriptor:
        if (intf, alt, config) != (0, 0, 0) or not 0 <= ep < len(self._ep_desc):
            raise usb.core.USBError(f"no endpoint {ep}", errno=_ERRNO_NODEV)
        return self._ep_desc[ep]

    # ----------------------------------------------------------------- handles
    def open_device(self, dev: Any) -> _Handle:
        cable = NullModem(self.faults)
        server = PipeServer(self.device, cable.device).start()
        handle = _Handle(cable, server)
        with self._lock:
            self._handles.append(handle)
        log.debug("emulated USB device opened")
        return handle

    def close_device(self, dev_handle: _Handle) -> None:
        dev_handle.cable.close()
        dev_handle.server.stop()
        with self._lock:
            if dev_handle in self._handles:
                self._handles.remove(dev_handle)
        log.debug("emulated USB device closed")

    def close(self) -> None:
        """Stop every device thread still running (a handle pyusb never closed)."""
        with self._lock:
            handles, self._handles = self._handles, []
        for handle in handles:
            handle.cable.close()
            handle.server.stop()

    def __enter__(self) -> EmulatedUsbBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_configuration(self, dev_handle: _Handle, config_value: int) -> None:
        if config_value not in (0, 1):
            raise usb.core.USBError(f"no configuration value {config_value}", errno=22)
        dev_handle.configuration = config_value

    def get_configuration(self, dev_handle: _Handle) -> int:
        return dev_handle.configuration

    def set_interface_altsetting(self, dev_handle: _Handle, intf: int, altsetting: int) -> None:
        if (intf, altsetting) != (0, 0):
            raise usb.core.USBError(f"no alternate setting {intf}/{altsetting}", errno=22)

    def claim_interface(self, dev_handle: _Handle, intf: int) -> None:
        if intf != 0:
            raise usb.core.USBError(f"no interface {intf}", errno=_ERRNO_NODEV)

    def release_interface(self, dev_handle: _Handle, intf: int) -> None:
        return None

    def is_kernel_driver_active(self, dev_handle: _Handle, intf: int) -> bool:
        return False

    def detach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        return None

    def attach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        return None

    def clear_halt(self, dev_handle: _Handle, ep: int) -> None:
        return None

    def reset_device(self, dev_handle: _Handle) -> None:
        return None

    # ----------------------------------------------------------------- transfers
    def bulk_write(self, dev_handle: _Handle, ep: int, intf: int, data: Any, timeout: int) -> int:
        if ep != EP_OUT:
            raise usb.core.USBError(f"endpoint 0x{ep:02x} is not bulk OUT", errno=22)
        payload = bytes(data)
        try:
            dev_handle.cable.host.write(payload)
        except LinkError as exc:
            raise usb.core.USBError(str(exc), errno=_ERRNO_NODEV) from None
        return len(payload)

    def bulk_read(self, dev_handle: _Handle, ep: int, intf: int, buff: Any, timeout: int) -> int:
        if ep != EP_IN:
            raise usb.core.USBError(f"endpoint 0x{ep:02x} is not bulk IN", errno=22)
        try:
            data = dev_handle.cable.host.read(len(buff), timeout / 1000 if timeout else None)
        except LinkError as exc:
            raise usb.core.USBError(str(exc), errno=_ERRNO_NODEV) from None
        if not data:
            raise usb.core.USBTimeoutError("Operation timed out", errno=_ERRNO_TIMEOUT)
        buff[: len(data)] = array.array("B", data)
        return len(data)

    def ctrl_transfer(self, dev_handle: _Handle, bmRequestType: int, bRequest: int,
                      wValue: int, wIndex: int, data: Any, timeout: int) -> int:
        """Only GET_DESCRIPTOR for strings (language list and UTF-16LE strings) is answered."""
        if bRequest != _GET_DESCRIPTOR or wValue >> 8 != _STRING or not bmRequestType & 0x80:
            raise usb.core.USBError("control request not supported", errno=32)
        index = wValue & 0xFF
        if index == 0:
            desc = bytes([4, _STRING, 0x09, 0x04])  # English (US)
        elif index in self.strings:
            text = self.strings[index].encode("utf-16-le")
            desc = bytes([2 + len(text), _STRING]) + text
        else:
            raise usb.core.USBError(f"no string {index}", errno=32)
        desc = desc[: len(data)]
        data[: len(desc)] = array.array("B", desc)
        return len(desc)
