"""Golden wire frames: every request frame the driver sends for a reference marked sale, byte for
byte (fixtures/frames/shtrih-marked-sale.txt; rewrite with --update-golden)."""

from __future__ import annotations

from pathlib import Path

from ffd12.drivers.shtrih.commands import COMMANDS, spec_for_body
from ffd12.drivers.shtrih.driver import ShtrihRegister
from ffd12.drivers.shtrih.link import FrameDecoder, build_frame
from ffd12.drivers.transport import TcpTransport, Transport
from ffd12.emulator.serve import TcpServer
from ffd12.emulator.shtrih import DESKTOP, KYA, DeviceModel, ShtrihDevice
from ffd12.enums import Measure, Operation, Subject, Taxation, VatRate
from ffd12.marking import parse
from ffd12.model import Fraction, IndustryRequisite, Item, Payments, Receipt

REQ = IndustryRequisite(foiv="030", doc_date="21.11.2023", doc_number="1944",
                        value="UUID=fa7e3d9b-8f14-4a3b-9c1e-2d5f6a7b8c90&Time=1700000000000")


def reference_receipt() -> Receipt:
    milk = Item(name="Молоко 3,2% 1 л", price=8990, quantity=1, amount=8990, vat=VatRate.VAT10,
                measure=Measure.PIECE, subject=Subject.MARKED_GOODS, industry_requisites=(REQ,),
                marking_code=parse("0104601234567893215Qbag!\x1d93dGVz"))
    half = Item(name="Сыр ½ головки", price=90000, quantity="0.5", amount=45000, vat=VatRate.VAT10,
                measure=Measure.PIECE, subject=Subject.MARKED_GOODS,
                fraction=Fraction(numerator=1, denominator=2),
                marking_code=parse("0104601234567893215Qbag2\x1d93dGVz"))
    bread = Item(name="Хлеб", price=5000, quantity=2, amount=10000, vat=VatRate.VAT10, measure=Measure.PIECE)
    return Receipt(operation=Operation.SALE, taxation=Taxation.OSN, items=(milk, half, bread),
                   payments=Payments(cash=50000, electronic=13990), cashier="Иванов И.И.",
                   customer_contact="+79990000000")


class _Tap(Transport):
    def __init__(self, inner: Transport) -> None:
        self.inner, self.written = inner, bytearray()

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def write(self, data: bytes) -> None:
        self.written += data
        self.inner.write(data)

    def read(self, n: int, timeout: float) -> bytes:
        return self.inner.read(n, timeout)


def _frames(model: DeviceModel) -> str:
    with TcpServer(ShtrihDevice(model=model), 0) as server:
        tap = _Tap(TcpTransport("127.0.0.1", server.port))
        tap.open()
        with ShtrihRegister(tap) as reg:
            reg.open_shift()
            reg.status()
            tap.written.clear()
            reg.fiscalize(reference_receipt())
    decoder = FrameDecoder()
    decoder.feed(bytes(tap.written))
    lines = []
    while (body := decoder.next_frame()) is not None:
        spec = spec_for_body(body)
        lines.append(f"{spec.code:04X} {spec.name}: {build_frame(body).hex(' ')}")
    return "\n".join(lines) + "\n"


def _compare(name: str, text: str, fixtures_dir: Path, update_golden: bool) -> None:
    path = fixtures_dir / "frames" / name
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run pytest --update-golden once"
    assert path.read_text(encoding="utf-8") == text


def test_golden_frames_desktop(fixtures_dir: Path, update_golden: bool) -> None:
    text = _frames(DESKTOP)
    assert all(int(line.split()[0], 16) in COMMANDS for line in text.splitlines())
    _compare("shtrih-marked-sale.txt", text, fixtures_dir, update_golden)


def test_golden_frames_tags_first(fixtures_dir: Path, update_golden: bool) -> None:
    _compare("shtrih-marked-sale-kya.txt", _frames(KYA), fixtures_dir, update_golden)
