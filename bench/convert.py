"""Benchmark: 1C CheckPackage XML → receipt model → FFD 1.2 receipt TLV.

1 000 receipts of 20 items (a third of them marked, with a permissive-mode 1260) are written as
CheckPackage XML first; then each is read (XML → model), checked (FFD 1.2 rules) and encoded
(model → TLV document → bytes). Prints receipts per second and the split across the three stages,
and the ratio against a baseline measured in the same run: a bare lxml parse of the same documents
(the floor any XML reader pays).

Run: python bench/convert.py [--receipts N] [--items N]
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from lxml import etree

from ffd12.enums import Measure, PlannedStatus, Subject, Taxation, VatRate
from ffd12.marking import parse
from ffd12.model import IndustryRequisite, Item, Payments, Receipt
from ffd12.rules import check
from ffd12.tlv import encode
from ffd12.tlv.receipt import to_tlv
from ffd12.xml import read_check_package, write_check_package

SERIAL_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
PERMIT = IndustryRequisite(
    foiv="030",
    doc_date="21.11.2023",
    doc_number="1944",
    value="UUID=f7b51a1b-75f0-4c3b-8843-52daa4765dea&Time=1773524146442",
)


def make_receipt(rng: random.Random, items: int) -> Receipt:
    lines = []
    for n in range(items):
        price = rng.randint(100, 500_000)
        if n % 3 == 0:
            serial = "".join(rng.choice(SERIAL_CHARS) for _ in range(6))
            code = parse(f"010460123456789321{serial}\x1d93dGVz")
            lines.append(
                Item(
                    name=f"Молоко 3,2% 0,9 л №{n}",
                    price=price,
                    quantity=Decimal(1),
                    amount=price,
                    vat=VatRate.VAT10,
                    vat_amount=round(price * 10 / 110),
                    subject=Subject.MARKED_GOODS,
                    measure=Measure.PIECE,
                    marking_code=code,
                    planned_status=PlannedStatus.PIECE_SOLD,
                    industry_requisites=(PERMIT,),
                )
            )
        else:
            qty = Decimal(rng.randint(1, 5000)).scaleb(-3)
            amount = int((price * qty).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
            lines.append(
                Item(
                    name=f"Товар весовой №{n}",
                    price=price,
                    quantity=qty,
                    amount=amount,
                    vat=VatRate.VAT20,
                    vat_amount=round(amount * 20 / 120),
                    measure=Measure.KILOGRAM,
                )
            )
    total = sum(i.amount for i in lines)
    return Receipt(
        operation=1,
        taxation=Taxation.OSN,
        items=tuple(lines),
        cashier="Кассир Петрова А.И.",
        sale_address="г. Москва, ул. Тверская, д. 1",
        payments=Payments(electronic=total),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--receipts", type=int, default=1000)
    ap.add_argument("--items", type=int, default=20)
    args = ap.parse_args()
    rng = random.Random(12)
    documents = [write_check_package(make_receipt(rng, args.items)) for _ in range(args.receipts)]
    size = sum(map(len, documents))

    start = time.perf_counter()
    for doc in documents:
        etree.fromstring(doc, etree.XMLParser(resolve_entities=False, no_network=True))
    baseline = time.perf_counter() - start

    t_read = t_check = t_tlv = 0.0
    out = 0
    for doc in documents:
        t0 = time.perf_counter()
        receipt, _ = read_check_package(doc)
        t1 = time.perf_counter()
        assert not check(receipt)
        t2 = time.perf_counter()
        out += len(encode([to_tlv(receipt)]))
        t3 = time.perf_counter()
        t_read += t1 - t0
        t_check += t2 - t1
        t_tlv += t3 - t2
    total = t_read + t_check + t_tlv
    n = args.receipts
    print(f"{n} receipts × {args.items} items: {size / 1e6:.1f} MB of XML in, {out / 1e6:.2f} MB of TLV out")
    print(f"XML → model → rules → TLV: {n / total:,.0f} receipts/s ({total * 1e3 / n:.2f} ms per receipt)")
    for name, spent in (("XML → model", t_read), ("rules", t_check), ("model → TLV", t_tlv)):
        print(f"  {name:<12} {spent * 1e3 / n:6.3f} ms/receipt  {100 * spent / total:5.1f} %")
    print(
        f"baseline: bare lxml parse {n / baseline:,.0f} receipts/s; "
        f"full conversion is {total / baseline:.1f}× slower"
    )


if __name__ == "__main__":
    main()
