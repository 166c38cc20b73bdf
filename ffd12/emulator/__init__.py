"""The device side: a virtual FN-M, a byte-level Shtrih-M register, fault injection and serving.

* :mod:`ffd12.emulator.fn` — the virtual FN-M (shift, documents, marking checks, archive, state file);
* :mod:`ffd12.emulator.shtrih` — the Shtrih-M v1 wire protocol on top of it (sans-I/O);
* :mod:`ffd12.emulator.faults` and :mod:`ffd12.emulator.nullmodem` — fault injection and an
  in-process byte pipe;
* :mod:`ffd12.emulator.serve` — serving a device over a pty pair or TCP on 127.0.0.1;
* :mod:`ffd12.emulator.usb_backend` — a pyusb backend that enumerates the emulated device.

Submodules are imported on demand; importing this package costs nothing.
"""
