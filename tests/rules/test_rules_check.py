"""FFD 1.2 rules: each rule is shown to fire on a broken receipt and stay quiet on a good one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from ffd12.enums import AgentType, Measure, Operation, PlannedStatus, Subject, Taxation, VatRate
from ffd12.errors import ValidationError
from ffd12.marking import parse
from ffd12.model import (
    Correction,
    Customer,
    Fraction,
    IndustryRequisite,
    Item,
    OperationalRequisite,
    Payments,
    Receipt,
    Supplier,
    TextLine,
)
from ffd12.rules import check, inn_ok, validate

MILK = "0104601234567893215Qbag!\x1d93dGVz"
MILK_OTHER_TAIL = "0104601234567893215Qbag!\x1d93AAAA"
SHOES = "010460123456789321ABCDEFGHIJKLM\x1d91EE06\x1d92" + "A" * 44
WEIGHED = "0104601234567893215Qbag!\x1d3103000850\x1d93dGVz"
PERMIT = IndustryRequisite(foiv="030", doc_date="21.11.2023", doc_number="1944", value="UUID=1&Time=2")


def item(**changes: object) -> Item:
    base: dict[str, object] = dict(
        name="Хлеб", price=4500, quantity=Decimal(1), amount=4500, vat=VatRate.NONE, measure=Measure.PIECE
    )
    base.update(changes)
    return Item(**base)  # type: ignore[arg-type]


def receipt(*items: Item, **changes: object) -> Receipt:
    its = items or (item(),)
    total = sum(i.amount for i in its)
    base: dict[str, object] = dict(
        operation=Operation.SALE, taxation=Taxation.OSN, items=its, payments=Payments(cash=total)
    )
    base.update(changes)
    return Receipt(**base)  # type: ignore[arg-type]


def paths(r: Receipt) -> list[str]:
    return [v.path for v in check(r)]


def marked(code: str = SHOES, **changes: object) -> Item:
    base: dict[str, object] = dict(
        name="Кроссовки",
        price=500000,
        amount=500000,
        subject=Subject.MARKED_GOODS,
        marking_code=parse(code),
        planned_status=PlannedStatus.PIECE_SOLD,
    )
    base.update(changes)
    return item(**base)


def test_a_plain_receipt_is_clean() -> None:
    assert (
        check(receipt(item(), marked(), item(quantity="0.61", price=17251, amount=10523, measure=11))) == []
    )
    validate(receipt())


def test_sum_must_be_price_times_quantity_within_one_kopeck() -> None:
    assert paths(receipt(item(quantity="0.61", price=17251, amount=10524))) == []  # 105.2311 → ±1
    assert paths(receipt(item(quantity="0.61", price=17251, amount=10525))) == ["items[0].amount"]
    assert paths(receipt(item(), item(quantity=3, amount=4500))) == ["items[1].amount"]


def test_declared_total_must_match_items() -> None:
    assert paths(receipt(item(), total=4600)) == ["total"]
    assert paths(receipt(item(), total=4500)) == []


def test_payments_cover_total_and_change_only_from_cash() -> None:
    assert paths(receipt(item(), payments=Payments(cash=4499))) == ["payments"]
    assert paths(receipt(item(), payments=Payments(cash=10000))) == []  # change out of cash
    assert paths(receipt(item(), payments=Payments(electronic=5000))) == ["payments"]
    assert paths(receipt(item(), payments=Payments(cash=1000, electronic=4500))) == []
    assert paths(receipt(item(), payments=Payments(cash=-1, electronic=4501))) == [
        "payments.cash",
        "payments",
    ]


def test_vat_amount_consistent_with_rate() -> None:
    ok = [
        item(vat=VatRate.VAT20, price=12000, amount=12000, vat_amount=2000),
        item(vat=VatRate.VAT10_110, price=10000, amount=10000, vat_amount=909),
        item(vat=VatRate.VAT5, price=10500, amount=10500, vat_amount=500),
        item(vat=VatRate.VAT22_122, price=24697, amount=24697, vat_amount=4454),
        item(vat=VatRate.VAT0, vat_amount=0),
    ]
    assert paths(receipt(*ok)) == []
    bad = receipt(
        item(vat=VatRate.VAT20, price=12000, amount=12000, vat_amount=2400),
        item(vat=VatRate.NONE, vat_amount=1),
    )
    assert paths(bad) == ["items[0].vat_amount", "items[1].vat_amount"]
    assert "20/120 of 12000 is 2000" in str(check(bad)[0])


def test_measure_required_on_every_item() -> None:
    assert paths(receipt(item(measure=None))) == ["items[0].measure"]


def test_marked_piece_item_has_quantity_one() -> None:
    r = receipt(marked(quantity=2, amount=1000000))
    assert paths(r) == ["items[0].quantity"]


def test_measured_marked_item_may_have_any_quantity() -> None:
    weighed = marked(
        WEIGHED,
        quantity="0.85",
        price=10000,
        amount=8500,
        measure=Measure.KILOGRAM,
        planned_status=PlannedStatus.MEASURED_SOLD,
    )
    assert paths(receipt(weighed)) == []
    assert paths(receipt(dataclasses.replace(weighed, planned_status=PlannedStatus.PIECE_SOLD))) == [
        "items[0].planned_status"
    ]


def test_fractional_quantity_needs_quantity_one_and_sound_fraction() -> None:
    beer = marked(
        MILK,
        price=40000,
        amount=20000,
        fraction=Fraction(numerator=1, denominator=2),
        planned_status=PlannedStatus.MEASURED_SOLD,
    )
    assert paths(receipt(beer)) == []
    assert paths(receipt(dataclasses.replace(beer, quantity=Decimal("0.5"), amount=10000))) == [
        "items[0].quantity"
    ]
    bad = dataclasses.replace(beer, fraction=Fraction(numerator=3, denominator=2), amount=60000)
    assert paths(receipt(bad)) == ["items[0].fraction"]


def test_marking_code_only_in_sale_and_sale_return() -> None:
    assert paths(receipt(marked(), operation=Operation.EXPENSE)) == ["items[0].marking_code"]
    ret = marked(planned_status=PlannedStatus.PIECE_RETURNED)
    assert paths(receipt(ret, operation=Operation.SALE_RETURN)) == []
    assert paths(receipt(ret)) == ["items[0].planned_status"]


def test_same_marking_code_twice_is_refused() -> None:
    r = receipt(
        marked(MILK, name="Молоко", price=9000, amount=9000),
        item(),
        marked(MILK_OTHER_TAIL, name="Молоко", price=9000, amount=9000),
    )
    found = check(r)
    assert [v.path for v in found] == ["items[2].marking_code"]
    assert "items[0]" in found[0].message


def test_subject_and_code_must_agree() -> None:
    assert paths(receipt(item(subject=Subject.MARKED_GOODS))) == ["items[0].marking_code"]
    assert paths(receipt(marked(subject=Subject.MARKED_GOODS_NO_CODE))) == ["items[0].subject"]


def test_string_lengths_and_cp866() -> None:
    r = receipt(item(name="Ж" * 129), cashier="К" * 65, additional_attribute="x" * 17)
    assert paths(r) == ["cashier", "additional_attribute", "items[0].name"]
    assert "129 bytes" in str(check(r)[2])
    assert paths(receipt(item(name="Хлеб 🍞"))) == ["items[0].name"]
    assert paths(receipt(item(name="Я" * 128))) == []


def test_dates_in_range() -> None:
    r = receipt(
        date_time=dt.datetime(1999, 12, 31, 23, 59),
        operational=OperationalRequisite(operation_id=0, data="x", timestamp=dt.datetime(2100, 1, 2)),
        correction=Correction(type=0, date=dt.date(2021, 9, 10)),
    )
    assert paths(r) == ["operational.timestamp", "date_time"]
    assert paths(receipt(correction=Correction(type=1, date=dt.date(2021, 9, 10)))) == ["correction.number"]
    assert paths(receipt(correction=Correction(type=0))) == ["correction.date"]


def test_industry_requisite_formats() -> None:
    bad = IndustryRequisite(foiv="30", doc_date="2023-11-21", doc_number="", value="x" * 257)
    r = receipt(
        item(industry_requisites=(PERMIT, bad)),
        industry_requisites=(
            IndustryRequisite(foiv="030", doc_date="31.02.2023", doc_number="1", value="v"),
        ),
    )
    assert paths(r) == [
        "industry_requisites[0].doc_date",
        "items[0].industry_requisites[1].foiv",
        "items[0].industry_requisites[1].doc_date",
        "items[0].industry_requisites[1].doc_number",
        "items[0].industry_requisites[1].value",
    ]


def test_inn_checks() -> None:
    assert inn_ok("7707083893") and inn_ok("500100732259")
    assert not inn_ok("7707083894") and not inn_ok("12345")
    r = receipt(cashier_inn="7707083893", customer=Customer(inn="500100732250", citizenship="RU"))
    assert paths(r) == ["cashier_inn", "customer.inn", "customer.citizenship"]


def test_agent_item_needs_supplier() -> None:
    agent = item(agent_type=AgentType.COMMISSION_AGENT)
    assert paths(receipt(agent)) == ["items[0].supplier"]
    ok = dataclasses.replace(
        agent, supplier=Supplier(name="ООО Поставщик", inn="7707083893", phones=("+79990001122",))
    )
    assert paths(receipt(ok)) == []


def test_validate_raises_with_all_violations_and_paths() -> None:
    r = receipt(
        item(measure=None),
        item(quantity=0, amount=0),
        texts=(TextLine(text="x", position=5),),
        taxation=Taxation.OSN | Taxation.PATENT,
    )
    with pytest.raises(ValidationError) as info:
        validate(r)
    assert [v.path for v in info.value.violations] == [
        "taxation",
        "items[0].measure",
        "items[1].quantity",
        "texts[0].position",
    ]
    assert "items[1].quantity" in str(info.value)


def test_control_characters_are_refused() -> None:
    assert paths(receipt(item(name="Хлеб\x01"))) == ["items[0].name"]
