"""CheckPackage ⇄ Receipt: the 1C samples, the older forms, warnings, errors with line and path."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from onec_samples import A1_CHECK_PACKAGE_12, A8_CHECK_PACKAGE_25, A10_CHECK_PACKAGE_OLD, PERFUME_KM

from ffd12.enums import (
    AgentType,
    CorrectionType,
    Measure,
    Operation,
    PaymentMethod,
    PlannedStatus,
    Subject,
    Taxation,
    VatRate,
)
from ffd12.errors import XmlError
from ffd12.marking import ProductCode
from ffd12.xml import read_check_package, validate, write_check_package
from ffd12.xml.tables import VAT_TOKENS, vat_from_token, vat_to_token


def test_1c_sample_for_ffd12_reads_every_field() -> None:
    receipt, warnings = read_check_package(A1_CHECK_PACKAGE_12.encode())
    assert receipt.operation is Operation.SALE and receipt.taxation is Taxation.OSN
    assert receipt.cashier == "Иванов И.И"
    assert receipt.sale_address == "г.Москва, Дмитровское ш. д.9"
    assert receipt.sale_place == "Торговый островок на 1 этаже"
    assert receipt.customer_contact is None and receipt.customer is None
    assert receipt.correction is not None
    assert receipt.correction.type is CorrectionType.SELF
    assert receipt.correction.date is not None and receipt.correction.date.isoformat() == "2021-09-10"
    assert (receipt.correction.number, receipt.correction.description) == ("101", "Чек ККМ")
    assert receipt.operational is not None
    assert receipt.operational.timestamp.isoformat() == "2021-09-10T18:57:03"
    assert (receipt.operational.operation_id, receipt.operational.data) == (0, "DATA")
    [industry] = receipt.industry_requisites
    assert (industry.foiv, industry.doc_date, industry.doc_number) == ("001", "10.09.2021", "2343243")
    assert industry.value == "Ид1=Знач1&Ид2=Знач2&Ид3=Знач3"

    first, phone, other, perfume, apples = receipt.items
    assert first.product_codes == (ProductCode(tag=1302, value="2900001462105"),)
    assert (first.price, first.amount, first.vat, first.vat_amount) == (10000, 10000, VatRate.NONE, None)
    assert first.discount is None and first.department == 1 and first.measure is Measure.PIECE
    assert phone.vat is VatRate.VAT10 and phone.vat_amount == 909
    assert phone.payment_method is PaymentMethod.PREPAYMENT_FULL and phone.subject is Subject.SERVICE
    assert other.quantity == 2 and other.price == 7500 and other.discount == 5000
    assert perfume.marking_code is not None and perfume.marking_code.canonical == PERFUME_KM
    assert perfume.measure is Measure.OTHER
    assert perfume.planned_status is PlannedStatus.MEASURED_SOLD  # measure 255 is not piece goods
    assert apples.quantity == Decimal("0.61") and apples.amount == 10523 and apples.vat_amount == 1754
    assert all(
        item.agent is None and item.supplier is None and not item.industry_requisites
        for item in receipt.items
    )

    assert receipt.texts[0].text.strip() == "Накопление по карте: 234543443"
    assert {t.position for t in receipt.texts} == {5}
    [barcode] = receipt.barcodes
    assert (barcode.kind, barcode.value, barcode.position) == ("EAN13", b"2900001462105", 5)
    assert receipt.payments.cash == 150000 and receipt.payments.credit == 30000
    assert [(w.path, w.line) for w in warnings] == [
        ("Positions[0].DiscountAmount", 12),
        ("Positions[0].VATAmount", 12),
        ("Positions[1].DiscountAmount", 18),
        ("Positions[3].VATAmount", 28),
        ("Positions[4].DiscountAmount", 33),
    ]


def test_written_form_reads_back_equal_and_is_schema_valid() -> None:
    receipt, _ = read_check_package(A1_CHECK_PACKAGE_12)
    text = write_check_package(receipt)
    assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CheckPackage>\n\t<Parameters ')
    assert validate(text) == []
    again, warnings = read_check_package(text)
    assert again == receipt and warnings == []
    assert write_check_package(again) == text
    assert b'MarkingCode="' + base64.b64encode(PERFUME_KM.encode()) + b'"' in text
    assert b'AttributeValue="\xd0\x98\xd0\xb41=' in text and b"&amp;" in text
    assert b'Quantity="0.61" PriceWithDiscount="172.51" AmountWithDiscount="105.23"' in text


def test_standard_25_sample_reads_with_a_warning_for_each_old_name() -> None:
    receipt, warnings = read_check_package(A8_CHECK_PACKAGE_25.encode())
    [item] = receipt.items
    assert receipt.operation is Operation.SALE and receipt.taxation is Taxation.OSN
    assert receipt.customer is not None and receipt.customer.name == "Иванов"
    assert receipt.customer.inn == "12412341241241"
    assert (item.price, item.amount, item.vat, item.vat_amount) == (2000, 24000, VatRate.VAT10, 2182)
    assert item.measure is Measure.PIECE and item.excise == 1123435
    assert (item.country, item.customs_declaration) == ("460", "12222555666333")
    assert item.supplier is None and item.agent is None
    messages = " | ".join(str(w) for w in warnings)
    for old in (
        "PaymentType",
        "TaxVariant",
        "CashierVATIN",
        "SumWithDiscount",
        "Tax ",
        "TaxSum",
        "SignMethodCalculation",
        "MeasurementUnit",
        "PurveyorData",
        "Credit",
        "CashProvision",
        "CustomerInfo",
    ):
        assert old in messages, old
    out = write_check_package(receipt)
    assert b"PaymentType" not in out and b"Purveyor" not in out and b'MeasureOfQuantity="0"' in out
    assert b"<CustomerDetail Info=" in out and validate(out) == []


def test_oldest_form_with_vat_18_and_cashless_types() -> None:
    receipt, warnings = read_check_package(A10_CHECK_PACKAGE_OLD.encode())
    [item] = receipt.items
    assert item.vat is VatRate.VAT20 and item.price == 3200 and item.amount == 321
    assert item.quantity == Decimal("0.087123") and item.measure is None
    assert [t.position for t in receipt.texts] == [0, 0]
    assert receipt.sender_email == "true"
    assert any("legacy VAT rate '18'" in str(w) for w in warnings)
    assert b'VATRate="20"' in write_check_package(receipt)


def test_legacy_good_code_data_marking_code_and_not_base64() -> None:
    tail_less = "0104601234567893215Qbag!"
    doc = f"""<CheckPackage><Parameters CashierName="К" OperationType="2" TaxationSystem="1"/>
    <Positions>
      <FiscalString Name="Молоко" Quantity="1" PriceWithDiscount="89.9" AmountWithDiscount="89.90"
          VATRate="10" MeasureOfQuantity="0">
        <GoodCodeData MarkingCode="{tail_less}" State="1"/></FiscalString>
      <FiscalString Name="Шины" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" VATRate="20"
          MeasureOfQuantity="0" MarkingCode="0104601234567893215Qbag!93dGVz"/>
      <FiscalString Name="Тест" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" VATRate="20"
          MeasureOfQuantity="0" MarkingCode="11111111111111111111"/>
    </Positions><Payments ElectronicPayment="91.90" Cash="" CashLessType1="0.00"/></CheckPackage>"""
    receipt, warnings = read_check_package(doc)
    legacy, raw, junk = receipt.items
    assert receipt.operation is Operation.SALE_RETURN and receipt.taxation is Taxation.USN_INCOME
    assert legacy.marking_code is not None and legacy.marking_code.gtin == "04601234567893"
    assert legacy.planned_status is PlannedStatus.PIECE_RETURNED
    assert raw.marking_code is not None and raw.marking_code.crypto_code == "dGVz"
    assert junk.marking_code is None
    assert junk.product_codes == (ProductCode(tag=1300, value="11111111111111111111"),)
    assert receipt.payments.electronic == 9190 and receipt.payments.cash == 0
    text = " | ".join(str(w) for w in warnings)
    assert "GoodCodeData/MarkingCode" in text and "State has no FFD 1.2 equivalent" in text
    assert "нераспознанный" in text and text.count("not Base64") == 3


@pytest.mark.parametrize("token", ["True", "true", "TRUE", "1"])
def test_booleans_in_any_case(token: str) -> None:
    doc = (
        f'<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0" '
        f'OperationOnline="{token}"/><Positions/></CheckPackage>'
    )
    assert read_check_package(doc).value.internet is True


def test_vat_token_table_is_one_source_both_ways() -> None:
    current = [t for t in VAT_TOKENS if not t.legacy]
    assert sorted(t.rate for t in current) == sorted(VatRate)
    for row in current:
        assert vat_from_token(row.token) == row and vat_to_token(row.rate) == row.token
    unverified = {t.token for t in VAT_TOKENS if not t.verified}
    assert unverified == {"5", "7", "5/105", "7/107", "22", "22/122"}
    assert vat_from_token(" NONE ") is not None and vat_from_token("18/118") is not None
    assert vat_from_token("110") is None  # "claim B" tokens are refused


@pytest.mark.parametrize(
    ("doc", "path", "line"),
    [
        (
            '<CheckPackage><Parameters CashierName="К" OperationType="7" TaxationSystem="0"/></CheckPackage>',
            "Parameters",
            1,
        ),
        (
            '<CheckPackage>\n<Parameters CashierName="К" OperationType="1" TaxationSystem="0"/>\n'
            '<Positions>\n<FiscalString Name="x" Quantity="abc" PriceWithDiscount="1" AmountWithDiscount="1" '
            'VATRate="20"/>'
            "</Positions></CheckPackage>",
            "Positions[0].Quantity",
            4,
        ),
        (
            '<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0"/><Positions>'
            '<FiscalString Name="x" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" VATRate="33"/>'
            "</Positions></CheckPackage>",
            "Positions[0].VATRate",
            1,
        ),
        (
            '<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0"/><Positions>'
            '<FiscalString Name="x" Quantity="1" PriceWithDiscount="1" VATRate="20"/>'
            "</Positions></CheckPackage>",
            "Positions[0].AmountWithDiscount",
            1,
        ),
        (
            '<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0"/><Positions>'
            '<FiscalString Name="x" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" VATRate="20" '
            'MarkingCode="' + base64.b64encode(b"01" + b"9" * 60).decode() + '"/></Positions></CheckPackage>',
            "Positions[0].MarkingCode",
            1,
        ),
        ("<Check/>", "", 1),
    ],
)
def test_errors_name_path_and_line(doc: str, path: str, line: int) -> None:
    with pytest.raises(XmlError) as info:
        read_check_package(doc)
    assert info.value.path == path and info.value.line == line


def test_money_with_more_than_two_decimals_is_rounded_with_warning() -> None:
    doc = (
        '<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0" AgentType="5"/>'
        '<Positions><FiscalString Name="x" Quantity="1.5" PriceWithDiscount="1.005" '
        'AmountWithDiscount="1.5075" VATRate="20" CalculationAgent="6"/></Positions></CheckPackage>'
    )
    receipt, warnings = read_check_package(doc)
    assert receipt.items[0].price == 101 and receipt.items[0].amount == 151
    assert receipt.agent_type is AgentType.COMMISSION_AGENT
    assert receipt.items[0].agent_type is AgentType.OTHER_AGENT
    assert [w.path for w in warnings] == ["Positions[0].PriceWithDiscount", "Positions[0].AmountWithDiscount"]
    assert b'AgentType="5"' in write_check_package(receipt)


def test_writer_refuses_what_xml_or_1c_cannot_hold() -> None:
    import dataclasses

    receipt, _ = read_check_package(A1_CHECK_PACKAGE_12)
    item = receipt.items[0]
    with pytest.raises(XmlError, match="control"):
        write_check_package(dataclasses.replace(receipt, items=(dataclasses.replace(item, name="a\x01b"),)))
    two_kinds = dataclasses.replace(item, agent_type=AgentType.ATTORNEY | AgentType.COMMISSION_AGENT)
    with pytest.raises(XmlError, match="one agent kind"):
        write_check_package(dataclasses.replace(receipt, items=(two_kinds,)))
