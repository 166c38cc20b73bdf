"""Resolve a device URL to a ready :class:`~ffd12.drivers.base.Register` (layer 5).

* ``serial:///dev/ttyACM0?baudrate=115200``, ``tcp://host:7778``, ``usb://VID:PID[?serial=…]`` —
  a real register through :func:`ffd12.drivers.transport.open_transport`;
* ``…&protocol=v2`` (or ``?protocol=v2``) — Shtrih protocol v2 instead of v1;
* ``…&km_check=after`` — check marking codes (FF61/FF69) after the receipt opens, for firmwares
  that want that order (default ``before``, the vendor's order, spec shtrih-m §4.10);
* ``emu://shtrih[?state=FILE&faults=SPEC&model=kya]`` — the bundled Shtrih emulator started in
  this process and served over a loopback TCP socket; closing the register stops it.

Drivers never import the emulator: this module is the one place that wires both together.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from ffd12.drivers.base import Register
from ffd12.drivers.shtrih.driver import Link, ShtrihRegister
from ffd12.drivers.shtrih.link import HostLink, LinkPolicy
from ffd12.drivers.shtrih.link2 import HostLink2
from ffd12.drivers.transport import TcpTransport, open_transport
from ffd12.errors import InputError

__all__ = ["connect"]


def _link(query: dict[str, str], policy: LinkPolicy | None) -> Link:
    protocol = query.get("protocol", "v1")
    if protocol == "v1":
        return HostLink(policy)
    if protocol == "v2":
        return HostLink2(policy)
    raise InputError(f"could not read protocol={protocol!r}: expected v1 or v2")


def _check_after_open(query: dict[str, str]) -> bool:
    order = query.get("km_check", "before")
    if order not in ("before", "after"):
        raise InputError(f"could not read km_check={order!r}: expected before or after")
    return order == "after"


class _EmulatedShtrih(ShtrihRegister):
    """A ShtrihRegister whose close() also stops the in-process emulator server."""

    server: Any = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.server is not None:
                server, self.server = self.server, None
                server.stop()


def _emulator(url: str, query: dict[str, str], policy: LinkPolicy | None) -> Register:
    parts = urlsplit(url)
    if parts.netloc != "shtrih":
        raise InputError(f"could not open {url!r}: the only emulated register is emu://shtrih")
    # layer 5 may start the emulator (layer 4); imported here so real devices never load it
    from ffd12.emulator.faults import FaultInjector
    from ffd12.emulator.serve import TcpServer
    from ffd12.emulator.shtrih import DESKTOP, KYA, ShtrihDevice

    link = _link(query, policy)
    after = _check_after_open(query)
    models = {"desktop": DESKTOP, "kya": KYA}
    name = query.get("model", "desktop")
    if name not in models:
        raise InputError(f"could not read model={name!r}: expected one of {', '.join(models)}")
    faults = FaultInjector(query.get("faults", ""))
    device = ShtrihDevice(model=models[name], faults=faults, state_file=query.get("state"))
    server = TcpServer(device, 0, faults=faults).start()
    try:
        transport = TcpTransport("127.0.0.1", server.port)
        transport.open()
    except BaseException:
        server.stop()
        raise
    register = _EmulatedShtrih(transport, link=link, check_after_open=after)
    register.server = server
    return register


def connect(url: str, *, policy: LinkPolicy | None = None, usb_backend: Any = None) -> Register:
    """A connected register for a device URL; the caller closes it (``with connect(url) as reg``)."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    if urlsplit(url).scheme == "emu":
        return _emulator(url, query, policy)
    transport = open_transport(url, usb_backend=usb_backend)
    try:
        return ShtrihRegister(transport, link=_link(query, policy), check_after_open=_check_after_open(query))
    except BaseException:
        transport.close()
        raise
