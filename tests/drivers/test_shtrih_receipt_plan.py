"""Receipt → Shtrih command fields (spec §4.4–4.10), bytes written by hand from the spec."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ffd12.drivers.shtrih import receipt as plan
from ffd12.drivers.shtrih.commands import encode_request
from ffd12.enums import Measure, Operation, PaymentMethod, Subject, Taxation, VatRate
from ffd12.errors import InputError
from ffd12.marking import parse
from ffd12.model import Fraction, IndustryRequisite, Item, Payments, Receipt
from ffd12.tlv import Tlv

CODE = parse("0104601234567893215Qbag!\x1d93dGVz")
REQ = IndustryRequisite(foiv="030", doc_date="21.11.2023", doc_number="1944", value="UUID=1&Time=2")


def _item(**kw: object) -> Item:
    base: dict[str, object] = dict(name="Молоко", price=8990, quantity=1, amount=8990, vat=VatRate.VAT10,
                                   subject=Subject.MARKED_GOODS, payment_method=PaymentMethod.FULL_PAYMENT,
                                   measure=Measure.PIECE, marking_code=CODE)
    base.update(kw)
    return Item(**base)  # type: ignore[arg-type]


def test_ff46_bytes_for_a_marked_item() -> None:
    fields = plan.operation_fields(_item(), Operation.SALE)
    body = encode_request(0xFF46, password=30, **fields)
    # §4.6: приход; 1 pc = 40 42 0f; 89.90 = 8990 = 1e 23; sum 8990; tax not given; НДС 10% = 0x02;
    # dept 1; 1214 = 4; 1212 = 33 (0x21); «Молоко» CP1251 cc ee eb ee ea ee, padded to 128
    expected = bytes.fromhex(
        "ff 46 1e 00 00 00 01 40 42 0f 00 00 00 1e 23 00 00 00 1e 23 00 00 00 ff ff ff ff ff 02 01 04 21"
        " cc ee eb ee ea ee") + bytes(122)
    assert body == expected


@pytest.mark.parametrize(("vat", "desktop", "nano"), [
    (VatRate.VAT20, 0x01, 0x01), (VatRate.VAT10, 0x02, 0x02), (VatRate.VAT0, 0x04, 0x04),
    (VatRate.NONE, 0x08, 0x08), (VatRate.VAT20_120, 0x10, 0x10), (VatRate.VAT10_110, 0x20, 0x20),
    (VatRate.VAT5, 0x81, 0x81), (VatRate.VAT7, 0x82, 0x82), (VatRate.VAT5_105, 0x84, 0x84),
    (VatRate.VAT7_107, 0x88, 0x88), (VatRate.VAT22, 0xCB, 0x90), (VatRate.VAT22_122, 0xCC, 0xA0),
])
def test_vat_bytes_of_spec_table(vat: VatRate, desktop: int, nano: int) -> None:
    assert plan.vat_byte(vat) == desktop
    assert plan.vat_byte(vat, model=152) == nano


def test_receipt_types_of_8d() -> None:
    assert [plan.receipt_type(op) for op in (1, 2, 3, 4)] == [0, 2, 1, 3]


def test_item_tags_measure_fraction_and_1260() -> None:
    item = _item(fraction=Fraction(numerator=1, denominator=2), industry_requisites=(REQ,))
    chunks = plan.tlv_chunks(plan.item_tags(item))
    assert len(chunks) == 1
    raw = chunks[0]
    # 2108 = 0x083c, len 1, 0 (штуки); 1291 = 0x050b, len 10: 1293 (0x050d) 1, 1294 (0x050e) 2
    assert raw.startswith(bytes.fromhex("3c 08 01 00 00 0b 05 0a 00 0d 05 01 00 01 0e 05 01 00 02"))
    # then 1260 = 0x04ec with 1262 (0x04ee) "030"
    assert raw[19:21] == bytes.fromhex("ec 04") and bytes.fromhex("ee 04 03 00 30 33 30") in raw


def test_tlv_chunks_never_split_a_tag() -> None:
    tags = [Tlv(1191, "x" * 60) for _ in range(10)]  # 64 bytes each
    chunks = plan.tlv_chunks(tags)
    assert [len(c) for c in chunks] == [192, 192, 192, 64]
    with pytest.raises(InputError):
        plan.tlv_chunks([Tlv(1009, "x" * 256)])


def test_close_fields_payment_slots_and_tax_system() -> None:
    receipt = Receipt(operation=Operation.SALE, taxation=Taxation.USN_INCOME, items=(_item(),),
                      payments=Payments(cash=5000, electronic=3990, prepaid=1, credit=2, provision=3))
    fields = plan.close_fields(receipt)
    assert fields["payments"][0] == 5000 and fields["payments"][1] == 3990
    assert fields["payments"][13:] == [1, 2, 3]
    assert fields["tax_system"] == 0x02  # §4.7 УСН доход


def test_receipt_tags_cashier_and_contact() -> None:
    receipt = Receipt(operation=Operation.SALE, taxation=Taxation.OSN, items=(_item(),), cashier="Иванов",
                      customer_contact="a@b.ru")
    raw = b"".join(plan.tlv_chunks(plan.receipt_tags(receipt)))
    # 1021 = 0x03fd, «Иванов» in CP866 = 88 a2 a0 ad ae a2; 1008 = 0x03f0 "a@b.ru"
    assert raw == bytes.fromhex("fd 03 06 00 88 a2 a0 ad ae a2 f0 03 06 00 61 40 62 2e 72 75")


def test_km_bytes_keep_gs() -> None:
    assert plan.km_bytes(CODE) == b"0104601234567893215Qbag!\x1d93dGVz"
    assert plan.km_bytes("abc") == b"abc"
    with pytest.raises(InputError):
        plan.km_bytes("код")
    with pytest.raises(InputError):
        plan.km_bytes(b"")


def test_planned_status_and_measured_tlv() -> None:
    assert plan.planned_status_for(_item(), Operation.SALE) == 1
    assert plan.planned_status_for(_item(), Operation.SALE_RETURN) == 3
    weighed = _item(measure=Measure.KILOGRAM, quantity=Decimal("0.5"))
    assert plan.planned_status_for(weighed, Operation.SALE) == 2
    assert plan.measured_check_tlv(1, Decimal(1), 0) == b""
    # 2108 = 11 (кг); 1023 (0x03ff) FVLN 0.5 = point 1, mantissa 5
    assert plan.measured_check_tlv(2, Decimal("0.5"), 11) == bytes.fromhex("3c 08 01 00 0b ff 03 02 00 01 05")


def test_quantity_with_seven_decimals_is_refused() -> None:
    with pytest.raises(InputError):
        plan.operation_fields(_item(quantity=Decimal("0.0000001")), Operation.SALE)


def test_agent_and_supplier_tags() -> None:
    from ffd12.model import AgentData, Supplier

    item = _item(marking_code=None, agent_type=64, agent=AgentData(phones=("+79990000001",)),
                 supplier=Supplier(name="ООО", inn="7700000000  "))
    raw = b"".join(plan.tlv_chunks(plan.item_tags(item)))
    # 1222 = 0x04c6 value 64; 1223 = 0x04c7 ⊃ 1073 (0x0431) phone; 1224 = 0x04c8 ⊃ 1225 (0x04c9) «ООО» CP866
    assert bytes.fromhex("c6 04 01 00 40") in raw
    assert bytes.fromhex("c7 04 10 00 31 04 0c 00") + b"+79990000001" in raw
    assert bytes.fromhex("c8 04 07 00 c9 04 03 00 8e 8e 8e") in raw
    assert bytes.fromhex("ca 04 0c 00") + b"7700000000  " in raw  # 1226 = 0x04ca
