"""``ffd12 demo``: a whole marked sale against the bundled emulators, nothing else needed (layer 5).

What runs, all on this machine:

* the Shtrih-M emulator with its virtual FN-M, served on a real pseudo-terminal that the driver
  opens through pyserial as ``serial:///dev/pts/N`` at 115 200 baud;
* the ГИС МТ emulator (``cdn/info``, ``health/check``, ``codes/check``) on 127.0.0.1 ports;
* a journal and a permissive-mode history in a temporary folder.

The bundled 1C CheckPackage (``ffd12/data/demo-checkpackage.xml``) has shoes, milk with an
expiry date, water and a weighted item; it is read, checked against the FFD 1.2 rules, its codes
checked in the emulated ГИС МТ (each marked item gets its 1260 requisite), checked again in the
FN (FF61/FF69) and fiscalized. Every step is reported through ``echo``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from ffd12.drivers.base import FiscalDocument
from ffd12.drivers.shtrih.commands import COMMANDS
from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.transport import SerialTransport
from ffd12.emulator.crpt import CrptEmulator
from ffd12.emulator.serve import PtyServer
from ffd12.emulator.shtrih import ShtrihDevice
from ffd12.journal import Journal
from ffd12.model import Receipt
from ffd12.permissive import PermissiveChecker, PermissiveSettings, PoolSettings, Token, TokenTable
from ffd12.till import SaleResult, Till, default_sale_id
from ffd12.tlv import decode, render_text
from ffd12.xml import read_check_package

__all__ = ["demo_xml", "describe", "printed_mark", "run_demo"]

DEMO_TOKEN = "demo-token"  # the emulated ГИС МТ accepts any non-empty key; this one is not secret
BAUDRATE = 115_200


class _TracedRegister(ShtrihRegister):
    """The Shtrih driver, telling the demo each command it sends (code and name, no data)."""

    echo: Callable[[str], None] = print

    def execute(self, code: int, **fields: Any) -> dict[str, Any]:
        self.echo(f"    {code:X} {COMMANDS[code].name}")
        return super().execute(code, **fields)


def demo_xml() -> bytes:
    """The bundled sample CheckPackage."""
    return resources.files("ffd12").joinpath("data/demo-checkpackage.xml").read_bytes()


def _money(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def printed_mark(check_result: int) -> str:
    """The mark a register prints for tag 2106 (spec shtrih-m §4.9): M- refused, M+ all checks
    done and positive, M when a check was not done (e.g. the FN holds no key for this code type)."""
    checked, positive = bool(check_result & 0x01), bool(check_result & 0x02)
    status_checked, status_ok = bool(check_result & 0x04), bool(check_result & 0x08)
    if (checked and not positive) or (status_checked and not status_ok):
        return "M-"
    return "M+" if checked and status_checked else "M"


def describe(receipt: Receipt, document: FiscalDocument) -> list[str]:
    """Human lines for a fiscalized receipt: FD, ФП, time, and each item with its 2106."""
    lines = [
        f"ФД № {document.fd_number}   ФП {document.fiscal_sign}   "
        f"{document.date_time:%d.%m.%Y %H:%M}" if document.date_time else
        f"ФД № {document.fd_number}   ФП {document.fiscal_sign}",
    ]
    results = list(document.check_results) + [None] * (len(receipt.items) - len(document.check_results))
    for n, (item, result) in enumerate(zip(receipt.items, results, strict=False), start=1):
        mark = ""
        if item.marking_code is not None:
            mark = f"  КМ {item.marking_code.masked}"
            if result is not None:
                mark += f"  2106={result} [{printed_mark(result)}]"
        for req in item.industry_requisites:
            mark += f"  1260: {req.foiv}/{req.doc_date}/{req.doc_number} {req.value}"
        lines.append(
            f"  {n}. {item.name}  {item.quantity} × {_money(item.price)} = {_money(item.amount)}{mark}"
        )
    lines.append(f"  ИТОГ {_money(receipt.items_total)}")
    if document.change:
        lines.append(f"  СДАЧА {_money(document.change)}")
    return lines


def run_demo(echo: Callable[[str], None] = print, *, workdir: Path | None = None) -> SaleResult:
    """Run the demo sale; returns its result. Everything started here is stopped on return."""
    with tempfile.TemporaryDirectory(prefix="ffd12-demo-") as tmp:
        folder = workdir or Path(tmp)
        xml = demo_xml()
        reading = read_check_package(xml)
        receipt = reading.value
        echo(f"read CheckPackage: {len(receipt.items)} items, total {_money(receipt.items_total)}")
        device = ShtrihDevice(state_file=folder / "fn.json")
        server = PtyServer(device, baud=None).start()
        crpt = CrptEmulator().start()
        try:
            echo(f"Shtrih-M emulator on {server.path}; ГИС МТ emulator at {crpt.base_url}")
            transport = SerialTransport(server.path, baudrate=BAUDRATE)
            transport.open()
            register = _TracedRegister(transport)
            register.echo = echo
            settings = PermissiveSettings(
                tokens=TokenTable(by_department={-1: Token(DEMO_TOKEN)}),
                pool=PoolSettings(base_url=crpt.base_url),
                local_module=None,
                history_path=folder / "history.sqlite",
            )
            try:
                with Journal(folder / "journal.sqlite") as journal, PermissiveChecker(
                    settings, background_refresh=False
                ) as checker:
                    till = Till(register, journal, permissive=checker, on_step=lambda s: echo(f"→ {s}"))
                    result = till.sell(receipt, sale_id=default_sale_id(xml))
                    for line in describe(result.receipt, result.document):
                        echo(line)
                    echo("document in the FN archive:")
                    echo(render_text(decode(register.read_document(result.document.fd_number))))
                    return result
            finally:
                register.close()
        finally:
            crpt.stop()
            server.stop()
