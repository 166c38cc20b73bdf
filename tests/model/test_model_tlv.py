"""Receipt ⇄ TLV document: bytes written by hand from spec/ffd12-tlv.md §1–2, and reading errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ffd12.enums import Measure, Operation, PlannedStatus, Subject, Taxation, VatRate
from ffd12.errors import TlvError
from ffd12.marking import ProductCode, parse
from ffd12.model import Correction, Fraction, IndustryRequisite, Item, Payments, Receipt
from ffd12.tlv import Tlv, TlvList, decode, encode
from ffd12.tlv.receipt import from_tlv, to_tlv, vat_totals

BREAD = Item(
    name="Хлеб", price=4500, quantity=Decimal(1), amount=4500, vat=VatRate.NONE, measure=Measure.PIECE
)
SMALL = Receipt(
    operation=Operation.SALE,
    taxation=Taxation.OSN,
    items=(BREAD,),
    cashier="Ив",
    payments=Payments(cash=5000),
)

# tag LE | length LE | value — CP866 strings, VLN money in kopecks, FVLN 1023, bytes for enums
SMALL_HEX = "".join(
    [
        "0300 6800",  # document 3, 104 bytes
        "fd03 0200 88a2",  # 1021 кассир «Ив»
        "1e04 0100 01",  # 1054 приход
        "1f04 0100 01",  # 1055 ОСН
        "2304 2e00",  # 1059, 46 bytes
        "0604 0400 95aba5a1",  # 1030 «Хлеб»
        "3704 0200 9411",  # 1079 45.00
        "ff03 0200 0001",  # 1023 = 1 (0 decimals, mantissa 1)
        "1304 0200 9411",  # 1043 45.00
        "af04 0100 06",  # 1199 без НДС
        "bc04 0100 01",  # 1212 товар
        "be04 0100 04",  # 1214 полный расчет
        "3c08 0100 00",  # 2108 шт.
        "fc03 0200 9411",  # 1020 ИТОГ 45.00
        "0704 0200 8813",  # 1031 наличными 50.00
        "3904 0100 00",  # 1081
        "bf04 0100 00",  # 1215
        "c004 0100 00",  # 1216
        "c104 0100 00",  # 1217
        "5104 0200 9411",  # 1105 сумма без НДС
    ]
).replace(" ", "")


def test_small_receipt_bytes_by_hand() -> None:
    assert encode([to_tlv(SMALL)]).hex() == SMALL_HEX
    back = from_tlv(decode(bytes.fromhex(SMALL_HEX))[0])
    assert back.items == SMALL.items and back.total == 4500 and back.cashier == "Ив"


def test_marked_item_with_fraction_and_industry_requisite() -> None:
    code = parse("0104601234567893215Qbag!\x1d93dGVz")
    beer = Item(
        name="Пиво",
        price=40000,
        quantity=Decimal(1),
        amount=20000,
        vat=VatRate.VAT22,
        vat_amount=3607,
        subject=Subject.EXCISE_MARKED,
        measure=Measure.LITRE,
        marking_code=code,
        planned_status=PlannedStatus.MEASURED_SOLD,
        fraction=Fraction(numerator=1, denominator=2),
        industry_requisites=(
            IndustryRequisite(foiv="030", doc_date="21.11.2023", doc_number="1944", value="UUID=x&Time=1"),
        ),
    )
    doc = to_tlv(Receipt(operation=1, taxation=2, items=(beer,), payments=Payments(electronic=20000)))
    item = doc.value.get(1059)
    assert item is not None
    assert item.get(1163) == Tlv(1163, TlvList([Tlv(1305, "0104601234567893215Qbag!")]))
    assert item.children.value(2003) == 2 and item.children.value(2102) == 0
    assert item.get(1291) == Tlv(1291, TlvList([Tlv(1292, "1/2"), Tlv(1293, 1), Tlv(1294, 2)]))
    assert item.children.value(2108) == 41
    assert encode([item.get(1260)]).hex().startswith("ec042e00ee040300303330")
    # 22 % goes to 1115 → 1119 {1199, 1120}, not into 1102 (FNS JSON 2026, spec §2.1)
    assert doc.value.get(1102) is None
    assert doc.value.get(1115) == Tlv(1115, TlvList([Tlv(1119, TlvList([Tlv(1199, 11), Tlv(1120, 3607)]))]))
    back = from_tlv(decode(encode([doc]))[0]).items[0]
    assert back.marking_code is None and back.product_codes == (
        ProductCode(tag=1305, value="0104601234567893215Qbag!"),
    )
    assert back.fraction == beer.fraction and back.industry_requisites == beer.industry_requisites


def test_correction_document_31() -> None:
    r = Receipt(
        operation=1,
        taxation=1,
        items=(BREAD,),
        payments=Payments(cash=4500),
        correction=Correction(type=1, date=dt.date(2021, 9, 10), number="101"),
    )
    doc = to_tlv(r)
    assert doc.tag == 31 and doc.value.value(1173) == 1
    base = doc.value.get(1174)
    assert base is not None
    assert encode([base]).hex() == "96040f00" + "9a040400" + "00a03a61" + "9b040300" + "313031"
    assert from_tlv(doc).correction == r.correction


def test_vat_totals_per_rate() -> None:
    items = (
        Item(name="a", price=12000, quantity=1, amount=12000, vat=VatRate.VAT20, measure=0),
        Item(
            name="b", price=11000, quantity=1, amount=11000, vat=VatRate.VAT10_110, vat_amount=1000, measure=0
        ),
        Item(name="c", price=500, quantity=1, amount=500, vat=VatRate.VAT0, measure=0),
    )
    totals = vat_totals(Receipt(operation=1, taxation=1, items=items))
    assert totals == {VatRate.VAT20: 2000, VatRate.VAT10_110: 1000, VatRate.VAT0: 500}


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (Tlv(5, TlvList()), "5"),
        (Tlv(3, TlvList([Tlv(1055, 1)])), "3/1054"),
        (Tlv(3, TlvList([Tlv(1054, 9), Tlv(1055, 1)])), "3/1054"),
        (
            Tlv(3, TlvList([Tlv(1054, 1), Tlv(1055, 1), Tlv(1059, TlvList([Tlv(1030, "x")]))])),
            "3/1059[0]/1079",
        ),
        (Tlv(3, TlvList([Tlv(1054, 1), Tlv(1055, 1), Tlv(1030, "stray")])), "3/1030"),
        (Tlv(3, TlvList([Tlv(1054, "1"), Tlv(1055, 1)])), "3/1054"),
    ],
)
def test_reading_errors_name_the_tag_path(doc: Tlv, path: str) -> None:
    with pytest.raises(TlvError) as info:
        from_tlv(doc)
    assert info.value.path == path


def test_fn_set_requisites_are_skipped() -> None:
    doc = to_tlv(SMALL)
    stored = Tlv(3, TlvList([*doc.value, Tlv(1040, 17), Tlv(1041, "9999078900012345"), Tlv(1209, 4)]))
    assert from_tlv(stored) == from_tlv(doc)


def test_fns_json_helpers_go_through_the_tlv_document() -> None:
    from ffd12.tlv.receipt import from_fns_json, to_fns_json

    obj = to_fns_json(SMALL)
    assert obj["code"] == 3 and obj["totalSum"] == 4500 and obj["items"][0]["name"] == "Хлеб"
    assert from_fns_json(obj) == from_tlv(to_tlv(SMALL))


def test_item_requisites_formed_by_the_register_are_read_past() -> None:
    doc = to_tlv(SMALL)
    item = doc.value.get(1059)
    assert item is not None
    stored_item = Tlv(1059, TlvList([*item.children, Tlv(2115, "0976"), Tlv(1197, "шт")]))
    stored = Tlv(3, TlvList([stored_item if t.tag == 1059 else t for t in doc.value]))
    assert from_tlv(stored) == from_tlv(doc)
    with pytest.raises(TlvError) as info:
        from_tlv(
            Tlv(
                3,
                TlvList(
                    [
                        Tlv(1059, TlvList([*item.children, Tlv(1008, "x")])) if t.tag == 1059 else t
                        for t in doc.value
                    ]
                ),
            )
        )
    assert info.value.path == "3/1059[0]/1008"


def test_receipt_level_agent_and_vendor_data_move_to_items() -> None:
    from ffd12.xml import read_check_package

    doc = """<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0">
      <VendorData VendorName="ООО Поставщик" VendorINN="7707083893" VendorPhone="+74951112233,+74951112244"/>
      <AgentData AgentOperation="Продажа"/></Parameters><Positions>
      <FiscalString Name="a" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" VATRate="none"/>
      <FiscalString Name="b" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" VATRate="none">
        <VendorData VendorName="Свой"/></FiscalString>
    </Positions></CheckPackage>"""
    receipt, warnings = read_check_package(doc)
    first, second = receipt.items
    assert first.supplier is not None and first.supplier.phones == ("+74951112233", "+74951112244")
    assert first.agent is not None and first.agent.operation == "Продажа"
    assert second.supplier is not None and second.supplier.name == "Свой"
    assert [w.message for w in warnings].count("receipt-level VendorData applied to this item") == 1
