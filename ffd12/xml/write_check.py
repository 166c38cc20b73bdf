""":class:`~ffd12.model.Receipt` → 1C ``CheckPackage`` in the current FFD 1.2 form (spec/onec-xml.md §4).

The output is deterministic — the same receipt always gives the same bytes — so it can be kept in
golden files: UTF-8, a double-quoted declaration, tab indentation like 1C's own samples, attributes
in the order of the 1C tables, money in rubles ("172.51", whole rubles without decimals),
quantities without trailing zeros, booleans as ``true``/``false``, ``MarkingCode`` and
``GoodCodeData`` values as Base64. Legacy forms are never written.

Print-only lines go where they were: a :class:`~ffd12.model.TextLine` or
:class:`~ffd12.model.Barcode` with ``position`` n is written after the n-th ``FiscalString``
(text lines before barcodes at the same place).
"""

from __future__ import annotations

import base64
import datetime as _dt
from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from ffd12.enums import AgentType
from ffd12.errors import XmlError
from ffd12.model import AgentData, IndustryRequisite, Item, Receipt, Supplier
from ffd12.xml import tables

__all__ = ["format_money", "format_quantity", "write_check_package"]

_HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def format_money(kopecks: int) -> str:
    """Kopecks as 1C writes rubles: ``format_money(17251) == "172.51"``, ``format_money(10000) == "100"``."""
    sign = "-" if kopecks < 0 else ""
    whole, part = divmod(abs(kopecks), 100)
    return f"{sign}{whole}" if part == 0 else f"{sign}{whole}.{part:02d}"


def format_quantity(quantity: Decimal) -> str:
    """A quantity without exponent or trailing zeros: ``Decimal("0.610") → "0.61"``."""
    text = format(quantity.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _b64(value: str | bytes) -> str:
    data = value.encode("ascii", "replace") if isinstance(value, str) else value
    return base64.b64encode(data).decode("ascii")


def _agent_code(flags: AgentType) -> str:
    """1C agent codes are bit indexes (spec §5.5): exactly one agent kind can be written."""
    value = int(flags)
    if value <= 0 or value & (value - 1):
        raise XmlError(f"could not write an agent code: 1C takes one agent kind, got the flags {value}")
    return str(value.bit_length() - 1)


def _set(el: etree._Element, pairs: Iterable[tuple[str, str | None]]) -> None:
    for name, value in pairs:
        if value is not None:
            el.set(name, value)


def _phones(phones: tuple[str, ...]) -> str | None:
    return ",".join(phones) if phones else None


def _industry(parent: etree._Element, reqs: Iterable[IndustryRequisite]) -> None:
    for req in reqs:
        el = etree.SubElement(parent, "IndustryAttribute")
        _set(
            el,
            (
                ("IdentifierFOIV", req.foiv),
                ("DocumentDate", req.doc_date),
                ("DocumentNumber", req.doc_number),
                ("AttributeValue", req.value),
            ),
        )


def _agent(parent: etree._Element, agent: AgentData) -> None:
    el = etree.SubElement(parent, "AgentData")
    _set(
        el,
        (
            ("AgentOperation", agent.operation),
            ("AgentPhone", _phones(agent.phones)),
            ("PaymentProcessorPhone", _phones(agent.processor_phones)),
            ("AcquirerOperatorPhone", _phones(agent.operator_phones)),
            ("AcquirerOperatorName", agent.operator_name),
            ("AcquirerOperatorAddress", agent.operator_address),
            ("AcquirerOperatorINN", agent.operator_inn),
        ),
    )


def _vendor(parent: etree._Element, supplier: Supplier) -> None:
    el = etree.SubElement(parent, "VendorData")
    _set(
        el,
        (
            ("VendorPhone", _phones(supplier.phones)),
            ("VendorName", supplier.name),
            ("VendorINN", supplier.inn),
        ),
    )


def _datetime(moment: _dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _parameters(root: etree._Element, r: Receipt) -> None:
    el = etree.SubElement(root, "Parameters")
    contact = r.customer_contact
    email = contact if contact is not None and "@" in contact else None
    phone = contact if contact is not None and email is None else None
    _set(
        el,
        (
            ("CashierName", r.cashier or ""),  # required by the 1C table, even when unknown
            ("CashierINN", r.cashier_inn),
            ("OperationType", str(int(r.operation))),
            ("TaxationSystem", str(tables.TAXATION_BY_FLAG[r.taxation])),
            ("CustomerEmail", email),
            ("CustomerPhone", phone),
            ("SenderEmail", r.sender_email),
            ("SaleAddress", r.sale_address),
            ("SaleLocation", r.sale_place),
            ("AgentType", None if r.agent_type is None else _agent_code(r.agent_type)),
            ("AdditionalAttribute", r.additional_attribute),
            ("AutomatNumber", r.automat_number),
            ("OperationOnline", _bool(True) if r.internet else None),
        ),
    )
    if r.correction is not None:
        c = r.correction
        sub = etree.SubElement(el, "CorrectionData")
        _set(
            sub,
            (
                ("Type", str(int(c.type))),
                ("Date", None if c.date is None else f"{c.date.isoformat()}T00:00:00"),
                ("Number", c.number),
                ("Description", c.description),
            ),
        )
    if r.customer is not None and r.customer:
        cu = r.customer
        sub = etree.SubElement(el, "CustomerDetail")
        _set(
            sub,
            (
                ("Info", cu.name),
                ("INN", cu.inn),
                ("DateOfBirth", cu.birth_date),
                ("Citizenship", cu.citizenship),
                ("DocumentTypeCode", cu.document_code),
                ("DocumentData", cu.document_data),
                ("Address", cu.address),
            ),
        )
    if r.user_requisite is not None:
        sub = etree.SubElement(el, "UserAttribute")
        _set(sub, (("Name", r.user_requisite.name), ("Value", r.user_requisite.value)))
    if r.operational is not None:
        op = r.operational
        sub = etree.SubElement(el, "OperationalAttribute")
        _set(
            sub,
            (
                ("DateTime", _datetime(op.timestamp)),
                ("OperationID", str(op.operation_id)),
                ("OperationData", op.data),
            ),
        )
    _industry(el, r.industry_requisites)


def _fiscal_string(parent: etree._Element, item: Item) -> None:
    el = etree.SubElement(parent, "FiscalString")
    _set(
        el,
        (
            ("Name", item.name),
            ("Quantity", format_quantity(item.quantity)),
            ("PriceWithDiscount", format_money(item.price)),
            ("AmountWithDiscount", format_money(item.amount)),
            ("DiscountAmount", None if item.discount is None else format_money(item.discount)),
            ("Department", None if item.department is None else str(item.department)),
            ("VATRate", tables.vat_to_token(item.vat)),
            ("VATAmount", None if item.vat_amount is None else format_money(item.vat_amount)),
            ("PaymentMethod", str(int(item.payment_method))),
            ("CalculationSubject", str(int(item.subject))),
            ("CalculationAgent", None if item.agent_type is None else _agent_code(item.agent_type)),
            ("MeasureOfQuantity", None if item.measure is None else str(int(item.measure))),
            ("MarkingCode", None if item.marking_code is None else item.marking_code.base64()),
            ("CountryOfOrigin", item.country),
            ("CustomsDeclaration", item.customs_declaration),
            ("AdditionalAttribute", item.additional_attribute),
            ("ExciseAmount", None if item.excise is None else format_money(item.excise)),
        ),
    )
    if item.fraction is not None:
        sub = etree.SubElement(el, "FractionalQuantity")
        _set(
            sub,
            (("Numerator", str(item.fraction.numerator)), ("Denominator", str(item.fraction.denominator))),
        )
    if item.product_codes:
        by_tag = {code.tag: code.value for code in item.product_codes}
        sub = etree.SubElement(el, "GoodCodeData")
        _set(
            sub,
            ((key, _b64(by_tag[tag]) if tag in by_tag else None) for key, tag in tables.PRODUCT_CODE_KEYS),
        )
    if item.agent is not None and item.agent:
        _agent(el, item.agent)
    if item.supplier is not None and item.supplier:
        _vendor(el, item.supplier)
    _industry(el, item.industry_requisites)


def _prints(parent: etree._Element, r: Receipt, position: int) -> None:
    for line in r.texts:
        if line.position == position:
            etree.SubElement(parent, "TextString").set("Text", line.text)
    for code in r.barcodes:
        if code.position == position:
            _set(
                etree.SubElement(parent, "Barcode"), (("Type", code.kind), ("ValueBase64", _b64(code.value)))
            )


def write_check_package(receipt: Receipt) -> bytes:
    """The receipt as a 1C CheckPackage (UTF-8 bytes), current FFD 1.2 form only.

    Raises :class:`~ffd12.errors.XmlError` for what XML 1.0 cannot hold (control characters) or
    1C cannot express (several agent kinds on one item).
    """
    try:
        return _write(receipt)
    except ValueError as exc:  # lxml refuses control characters and NUL bytes in text
        if isinstance(exc, XmlError):
            raise
        raise XmlError(f"could not write CheckPackage: {exc}") from None


def _write(receipt: Receipt) -> bytes:
    root = etree.Element("CheckPackage")
    _parameters(root, receipt)
    positions = etree.SubElement(root, "Positions")
    _prints(positions, receipt, 0)
    for index, item in enumerate(receipt.items, start=1):
        _fiscal_string(positions, item)
        _prints(positions, receipt, index)
    p = receipt.payments
    _set(
        etree.SubElement(root, "Payments"),
        (
            ("Cash", format_money(p.cash)),
            ("ElectronicPayment", format_money(p.electronic)),
            ("PrePayment", format_money(p.prepaid)),
            ("PostPayment", format_money(p.credit)),
            ("Barter", format_money(p.provision)),
        ),
    )
    etree.indent(root, space="\t")
    return _HEADER + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"
