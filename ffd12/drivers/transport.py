"""Byte transports to a register, chosen by URL (spec/shtrih-m.md §1.1, §1.5).

* ``serial:///dev/ttyACM0?baudrate=115200`` — pyserial (also a pty such as ``/dev/pts/5``);
* ``tcp://host:7778`` — a TCP socket with TCP_NODELAY and keepalive;
* ``usb://VID:PID[?serial=…]`` — pyusb bulk IN/OUT endpoints (hex VID/PID, e.g. ``usb://18d1:4ee4``).

``emu://…`` URLs are resolved by :func:`ffd12.connect.connect`, which starts an emulator; drivers
never import the emulator.

Every transport has the same small contract: :meth:`Transport.read` returns between 1 and ``n``
bytes as soon as any are available, or ``b""`` when ``timeout`` seconds pass in silence; a lost
connection raises :class:`~ffd12.errors.LinkError`.
"""

from __future__ import annotations

import logging
import select
import socket
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ffd12.errors import InputError, LinkError

__all__ = [
    "SerialTransport",
    "TcpTransport",
    "Transport",
    "UsbTransport",
    "open_transport",
]

log = logging.getLogger("ffd12.drivers.transport")

DEFAULT_BAUDRATE = 115200  # §1.1: factory default of newer models
DEFAULT_TCP_PORT = 7778  # §1.5: RNDIS / Ethernet port of desktop models
CONNECT_TIMEOUT = 5.0


class Transport(ABC):
    """A byte pipe to one device: open, close, write, read with a timeout, flush."""

    url: str = ""

    @abstractmethod
    def open(self) -> None:
        """Open the connection (idempotent)."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection (idempotent)."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send all of ``data``."""

    @abstractmethod
    def read(self, n: int, timeout: float) -> bytes:
        """Up to ``n`` bytes as soon as any arrive; ``b""`` after ``timeout`` seconds of silence."""

    def flush(self) -> None:
        """Drop any input that has arrived but was not read."""
        while self.read(4096, 0.0):
            pass

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class SerialTransport(Transport):
    """A serial port (RS-232, USB CDC, a pty) through pyserial: 8N1, no flow control (§1.1)."""

    def __init__(self, port: str, *, baudrate: int = DEFAULT_BAUDRATE) -> None:
        self.port = port
        self.baudrate = baudrate
        self.url = f"serial://{port}?baudrate={baudrate}"
        self._serial: Any = None

    def open(self) -> None:
        if self._serial is not None:
            return
        import serial

        try:
            self._serial = serial.Serial(self.port, self.baudrate, bytesize=8, parity="N", stopbits=1,
                                         timeout=0, write_timeout=5)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise LinkError(f"could not open serial port {self.port}: {exc}") from None

    def close(self) -> None:
        if self._serial is not None:
            ser, self._serial = self._serial, None
            ser.close()

    def _port(self) -> Any:
        if self._serial is None:
            raise LinkError(f"could not use {self.url}: the port is not open")
        return self._serial

    def write(self, data: bytes) -> None:
        import serial

        try:
            self._port().write(data)
            self._port().flush()
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"could not write to {self.port}: {exc}") from None

    def read(self, n: int, timeout: float) -> bytes:
        import serial

        ser = self._port()
        try:
            if ser.in_waiting:  # bytes already there: no reconfiguring, no waiting
                return bytes(ser.read(min(n, ser.in_waiting)))
            wait = max(timeout, 0.0)
            if ser.timeout != wait:
                ser.timeout = wait
            first = bytes(ser.read(1))
            if not first:
                return b""
            waiting = min(n - 1, ser.in_waiting)
            return first + (bytes(ser.read(waiting)) if waiting > 0 else b"")
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"could not read from {self.port}: {exc}") from None


class TcpTransport(Transport):
    """A TCP stream carrying the same framing as the serial line (§1.5), with TCP_NODELAY."""

    def __init__(self, host: str, port: int = DEFAULT_TCP_PORT, *,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.url = f"tcp://{host}:{port}"
        self._sock: socket.socket | None = None

    def open(self) -> None:
        if self._sock is not None:
            return
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise LinkError(f"could not connect to {self.url}: {exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setblocking(False)
        self._sock = sock

    def close(self) -> None:
        if self._sock is not None:
            sock, self._sock = self._sock, None
            sock.close()

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise LinkError(f"could not use {self.url}: the connection is not open")
        return self._sock

    def write(self, data: bytes) -> None:
        sock = self._socket()
        view = memoryview(data)
        try:
            while view:
                _, writable, _ = select.select([], [sock], [], self.connect_timeout)
                if not writable:
                    raise LinkError(f"could not write to {self.url}: the peer does not take data")
                sent = sock.send(view)
                view = view[sent:]
        except OSError as exc:
            raise LinkError(f"could not write to {self.url}: {exc}") from None

    def read(self, n: int, timeout: float) -> bytes:
        sock = self._socket()
        try:
            readable, _, _ = select.select([sock], [], [], max(timeout, 0.0))
            if not readable:
                return b""
            data = sock.recv(n)
        except BlockingIOError:
            return b""
        except OSError as exc:
            raise LinkError(f"could not read from {self.url}: {exc}") from None
        if not data:
            raise LinkError(f"could not read from {self.url}: the connection was closed by the device")
        return data


class UsbTransport(Transport):
    """Bulk IN/OUT endpoints of a USB device through pyusb (§1.5: USB serial / CDC mode).

    ``backend`` is a pyusb ``IBackend``; tests pass the emulator's backend so that pyusb's own
    device, configuration and endpoint code runs against it.
    """

    def __init__(self, vid: int, pid: int, *, serial: str | None = None, backend: Any = None,
                 interface: int | None = None) -> None:
        self.vid, self.pid, self.serial, self.backend, self.interface = vid, pid, serial, backend, interface
        self.url = f"usb://{vid:04x}:{pid:04x}" + (f"?serial={serial}" if serial else "")
        self._dev: Any = None
        self._ep_in: Any = None
        self._ep_out: Any = None
        self._pending = bytearray()

    def open(self) -> None:
        if self._dev is not None:
            return
        import usb.core
        import usb.util

        def match(dev: Any) -> bool:
            if self.serial is None:
                return True
            try:
                return bool(usb.util.get_string(dev, dev.iSerialNumber) == self.serial)
            except (usb.core.USBError, ValueError):
                return False

        try:
            dev = usb.core.find(idVendor=self.vid, idProduct=self.pid, backend=self.backend,
                                custom_match=match)
            if dev is None:
                raise LinkError(f"could not open {self.url}: no such USB device")
            try:
                dev.set_configuration()
            except usb.core.USBError as exc:
                log.debug("set_configuration: %s (keeping the active one)", exc)
            cfg = dev.get_active_configuration()
            ep_in = ep_out = None
            for intf in cfg:
                if self.interface is not None and intf.bInterfaceNumber != self.interface:
                    continue
                found_in = usb.util.find_descriptor(intf, custom_match=_bulk_in)
                found_out = usb.util.find_descriptor(intf, custom_match=_bulk_out)
                if found_in is not None and found_out is not None:
                    try:
                        if dev.is_kernel_driver_active(intf.bInterfaceNumber):
                            dev.detach_kernel_driver(intf.bInterfaceNumber)
                    except (NotImplementedError, usb.core.USBError):
                        pass
                    usb.util.claim_interface(dev, intf.bInterfaceNumber)
                    ep_in, ep_out = found_in, found_out
                    break
            if ep_in is None or ep_out is None:
                usb.util.dispose_resources(dev)
                raise LinkError(f"could not open {self.url}: no interface with bulk IN and OUT endpoints")
        except usb.core.USBError as exc:
            raise LinkError(f"could not open {self.url}: {exc}") from None
        self._dev, self._ep_in, self._ep_out = dev, ep_in, ep_out

    def close(self) -> None:
        if self._dev is not None:
            import usb.util

            dev, self._dev = self._dev, None
            usb.util.dispose_resources(dev)
        self._pending.clear()

    def write(self, data: bytes) -> None:
        import usb.core

        if self._dev is None:
            raise LinkError(f"could not use {self.url}: the device is not open")
        try:
            self._ep_out.write(data, timeout=int(CONNECT_TIMEOUT * 1000))
        except usb.core.USBError as exc:
            raise LinkError(f"could not write to {self.url}: {exc}") from None

    def read(self, n: int, timeout: float) -> bytes:
        import usb.core

        if self._dev is None:
            raise LinkError(f"could not use {self.url}: the device is not open")
        if not self._pending:
            size = max(int(self._ep_in.wMaxPacketSize), 64)
            try:
                chunk = self._ep_in.read(size, timeout=max(int(timeout * 1000), 1))
            except usb.core.USBTimeoutError:
                return b""
            except usb.core.USBError as exc:
                if getattr(exc, "errno", None) == 110 or "timed out" in str(exc).lower():
                    return b""
                raise LinkError(f"could not read from {self.url}: {exc}") from None
            self._pending += bytes(chunk)
        out = bytes(self._pending[:n])
        del self._pending[:n]
        return out


def _bulk(ep: Any, direction: int) -> bool:
    import usb.util

    return bool(usb.util.endpoint_direction(ep.bEndpointAddress) == direction
                and usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK)


def _bulk_in(ep: Any) -> bool:
    import usb.util

    return _bulk(ep, usb.util.ENDPOINT_IN)


def _bulk_out(ep: Any) -> bool:
    import usb.util

    return _bulk(ep, usb.util.ENDPOINT_OUT)


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def open_transport(url: str, *, usb_backend: Any = None) -> Transport:
    """A transport for a device URL (``serial://``, ``tcp://``, ``usb://``), opened."""
    parts = urlsplit(url)
    query = _query(url)
    transport: Transport
    if parts.scheme == "serial":
        port = unquote(parts.netloc + parts.path)
        if not port:
            raise InputError(f"could not read device URL {url!r}: expected serial:///dev/ttyXXX")
        try:
            baud = int(query.get("baudrate", DEFAULT_BAUDRATE))
        except ValueError:
            raise InputError(f"could not read device URL {url!r}: baudrate must be a number") from None
        transport = SerialTransport(port, baudrate=baud)
    elif parts.scheme == "tcp":
        try:
            host, port_no = parts.hostname, parts.port or DEFAULT_TCP_PORT
        except ValueError:
            raise InputError(f"could not read device URL {url!r}: bad port") from None
        if not host:
            raise InputError(f"could not read device URL {url!r}: expected tcp://host:port")
        transport = TcpTransport(host, port_no)
    elif parts.scheme == "usb":
        vid_pid = parts.netloc.split(":")
        try:
            vid, pid = (int(x, 16) for x in vid_pid)
        except ValueError:
            raise InputError(f"could not read device URL {url!r}: expected usb://VID:PID in hex") from None
        transport = UsbTransport(vid, pid, serial=query.get("serial"), backend=usb_backend)
    elif parts.scheme == "emu":
        raise InputError(f"could not open {url!r} here: emulator URLs are resolved by ffd12.connect.connect")
    else:
        raise InputError(f"could not read device URL {url!r}: expected serial://, tcp://, usb:// or emu://")
    transport.open()
    return transport
