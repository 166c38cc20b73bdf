"""The device side: a virtual FN-M, a byte-level Shtrih-M register, fault injection and serving.

* :mod:`ffd12.emulator.fn` — the virtual FN-M (shift, documents, marking checks, archive, state file),
  with :mod:`~ffd12.emulator.fndocs` (documents as TLV, ФЛК), :mod:`~ffd12.emulator.fnmark` (code
  checks, the FF70 state machine) and :mod:`~ffd12.emulator.fnstate` (the atomic state file);
* :mod:`ffd12.emulator.shtrih` — the Shtrih-M wire protocol v1 and v2 on top of it (sans-I/O), with
  :mod:`~ffd12.emulator.shtrihops` (what each command does) and :mod:`~ffd12.emulator.shtrihkkt`
  (models, error bytes, value maps);
* :mod:`ffd12.emulator.faults` and :mod:`ffd12.emulator.nullmodem` — fault injection and an
  in-process byte pipe;
* :mod:`ffd12.emulator.serve` — serving a device over a pty pair or TCP on 127.0.0.1;
* :mod:`ffd12.emulator.usb_backend` — a pyusb backend that enumerates the emulated device.

Submodules are imported on demand; importing this package costs nothing.
"""
