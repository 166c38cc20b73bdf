"""The receipt model: money at the edge, enum coercion, immutability, FFD value tables."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from ffd12.enums import CheckResult, Measure, Operation, PlannedStatus, Subject, Taxation, VatRate
from ffd12.errors import InputError
from ffd12.model import Fraction, Item, Payments, Receipt, kopecks, rubles


def _item(**changes: object) -> Item:
    base: dict[str, object] = dict(
        name="Хлеб", price=4500, quantity=Decimal(1), amount=4500, vat=VatRate.VAT10, measure=Measure.PIECE
    )
    base.update(changes)
    return Item(**base)  # type: ignore[arg-type]


def test_money_int_is_kopecks_decimal_and_str_are_rubles() -> None:
    assert kopecks(150) == 150
    assert kopecks(Decimal("1.50")) == 150
    assert kopecks("172.51") == 17251
    assert kopecks("-0.50") == -50
    assert rubles(17251) == Decimal("172.51")
    assert str(rubles(100)) == "1.00"


@pytest.mark.parametrize("bad", [1.5, "1.005", "abc", Decimal("NaN"), True, "Infinity"])
def test_money_refuses_floats_and_garbage(bad: object) -> None:
    with pytest.raises(InputError):
        kopecks(bad)  # type: ignore[arg-type]


def test_item_converts_once_on_construction() -> None:
    item = _item(price="45.00", amount=Decimal("45"), quantity="1.000", vat=2, subject=33, measure=11)
    assert item.price == 4500 and isinstance(item.price, int)
    assert item.amount == 4500
    assert item.quantity == Decimal(1) and isinstance(item.quantity, Decimal)
    assert item.vat is VatRate.VAT10
    assert item.subject is Subject.MARKED_GOODS
    assert item.measure is Measure.KILOGRAM
    assert item.is_marked


def test_item_refuses_unknown_enum_values_and_float_quantity() -> None:
    with pytest.raises(InputError, match="1199"):
        _item(vat=13)
    with pytest.raises(InputError, match="2108"):
        _item(measure=7)
    with pytest.raises(InputError, match="quantity"):
        _item(quantity=0.5)


def test_models_are_frozen_and_slotted() -> None:
    item = _item()
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.name = "x"  # type: ignore[misc]
    assert not hasattr(item, "__dict__")
    with pytest.raises(TypeError):
        Item("Хлеб", 1, Decimal(1), 1, VatRate.VAT10)  # type: ignore[misc]


def test_receipt_total_and_payments() -> None:
    receipt = Receipt(
        operation=1,
        taxation=Taxation.OSN,
        items=[_item(), _item(price=100, amount=200, quantity=2)],
        payments=Payments(cash="5.00", electronic=4500),
    )
    assert receipt.operation is Operation.SALE
    assert isinstance(receipt.items, tuple)
    assert receipt.items_total == 4700
    assert receipt.payments.total == 5000
    assert not receipt.is_correction


def test_value_tables_carry_russian_wording() -> None:
    assert VatRate.VAT22_122.description == "НДС расч. 22/122"
    assert VatRate(9).description == "НДС расч. 5/105"
    assert Subject(31).description.startswith("подакцизный товар, подлежащий маркировке")
    assert PlannedStatus.PIECE_RETURNED.description == "штучный товар возвращен"
    assert Measure(255).description == "иные единицы"
    assert CheckResult(15).description.count(";") == 3
    assert VatRate.VAT5_105.fraction == (Decimal(5), Decimal(105))
    assert Taxation(32).description == "ПСН"


def test_fraction_text() -> None:
    f = Fraction(numerator=1, denominator=4)
    assert f.text == "1/4"
    assert f.value == Decimal("0.25")
