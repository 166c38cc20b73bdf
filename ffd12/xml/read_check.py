"""1C ``CheckPackage`` (ProcessCheck / ProcessCorrectionCheck) → :class:`~ffd12.model.Receipt`.

Reads the FFD 1.2 form of the 1C standard 3.4/4.x (spec/onec-xml.md §4) and the older forms
integrators still send: pre-3.0 attribute names, ``PurveyorData``, FFD 1.05 ``GoodCodeData`` with
the code inside, legacy VAT ``18``/``18/118``, ``MeasurementUnit`` text, ``True``/``true``
booleans, empty numeric attributes and a ``MarkingCode`` that is not Base64. Each conversion is
reported as an :class:`~ffd12.xml.safe.XmlWarning`.

Not carried by a CheckPackage and therefore derived or left empty: ``planned_status`` (2003) is
derived for items with a marking code — 1 or 3 for piece goods in a sale or a return, 2 or 4 for
measured goods or a fractional quantity, as 1C itself sends in RequestKM (spec §2); ``check_result``
(2106), ``date_time`` (1012) and ``total`` (1020) stay None.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as _dt
import logging
from typing import NamedTuple

from lxml import etree

from ffd12.enums import AgentType, CorrectionType, Measure, Operation, PlannedStatus
from ffd12.errors import InputError, XmlError
from ffd12.marking import MarkingCode, ProductCode, parse
from ffd12.model import (
    AgentData,
    Barcode,
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
    UserRequisite,
)
from ffd12.xml import tables
from ffd12.xml.attrs import Attrs
from ffd12.xml.safe import XmlWarning, line_of, parse_xml

__all__ = ["Reading", "read_check_package"]

log = logging.getLogger("ffd12.xml")

MAX_POSITIONS = 5000
"""Most ``Positions`` children read: a fiscal document fits the FN's few kilobytes long before this."""

UNRECOGNISED_MAX = 32
"""Longest value tag 1300 «нераспознанный код товара» holds (spec §2.2)."""

_CODE_CHARS = frozenset(range(0x20, 0x7F)) | {0x1D}


class Reading(NamedTuple):
    """What a reader returns: the value and the list of conversions it made."""

    value: Receipt
    warnings: list[XmlWarning]


def decode_code(a: Attrs, name: str, value: str) -> str:
    """A 1C code attribute (Base64 of the code) → the code text; not Base64 → taken as is."""
    try:
        data = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if data and all(b in _CODE_CHARS for b in data):
        return data.decode("ascii")
    a.warn("not Base64 of a printable code; taken as the code text itself", name)
    return value


def _marking(a: Attrs, name: str, text: str, *, strict: bool = True) -> MarkingCode:
    try:
        return parse(text, strict=strict)
    except InputError as exc:
        raise a.fail(f"could not read {name}: {exc}", name) from None


def _split_phones(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip()) if value else ()


def _agent_bits(a: Attrs, name: str) -> AgentType | None:
    code = a.integer(name)
    if code is None:
        return None
    if not 0 <= code <= 6:
        raise a.fail(f"could not read {name}: expected an agent code 0–6, got {code}", name)
    return AgentType(1 << code)


def _industry(el: etree._Element, path: str, warnings: list[XmlWarning]) -> IndustryRequisite | None:
    a = Attrs(el, path, warnings)
    values = [a.text(n) for n in ("IdentifierFOIV", "DocumentDate", "DocumentNumber", "AttributeValue")]
    a.finish()
    if not any(values):
        return None
    foiv, date, number, value = (v or "" for v in values)
    return IndustryRequisite(foiv=foiv, doc_date=date, doc_number=number, value=value)


def _agent(el: etree._Element, path: str, warnings: list[XmlWarning]) -> AgentData | None:
    a = Attrs(el, path, warnings, tables.LEGACY_AGENT)
    data = AgentData(
        operation=a.text("AgentOperation"),
        phones=_split_phones(a.text("AgentPhone")),
        processor_phones=_split_phones(a.text("PaymentProcessorPhone")),
        operator_phones=_split_phones(a.text("AcquirerOperatorPhone")),
        operator_name=a.text("AcquirerOperatorName"),
        operator_address=a.text("AcquirerOperatorAddress"),
        operator_inn=a.text("AcquirerOperatorINN"),
    )
    a.finish()
    return data or None


def _vendor(el: etree._Element, path: str, warnings: list[XmlWarning]) -> Supplier | None:
    a = Attrs(el, path, warnings, tables.LEGACY_VENDOR)
    if el.tag == "PurveyorData":
        a.warn("PurveyorData read as VendorData")
    data = Supplier(
        phones=_split_phones(a.text("VendorPhone")), name=a.text("VendorName"), inn=a.text("VendorINN")
    )
    a.finish()
    return data or None


def _datetime(a: Attrs, name: str) -> _dt.datetime | None:
    value = a.text(name)
    if value is None:
        return None
    try:
        moment = _dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise a.fail(
            f"could not read {name}: expected YYYY-MM-DDThh:mm:ss, got {value[:40]!r}", name
        ) from None
    if moment.tzinfo is not None:
        a.warn("time zone dropped: FFD dates are local wall-clock time", name)
        moment = moment.replace(tzinfo=None)
    return moment


class _Reader:
    def __init__(self) -> None:
        self.warnings: list[XmlWarning] = []

    def attrs(self, el: etree._Element, path: str, renames: dict[str, str] | None = None) -> Attrs:
        return Attrs(el, path, self.warnings, renames)

    def warn(self, el: etree._Element, path: str, message: str) -> None:
        self.warnings.append(XmlWarning(path=path, line=line_of(el), message=message))

    def read(self, root: etree._Element) -> Receipt:
        if root.tag != "CheckPackage":
            raise XmlError(
                f"could not read CheckPackage: the root element is {root.tag!r}", line=line_of(root)
            )
        parameters = root.find("Parameters")
        if parameters is None:
            raise XmlError("could not read CheckPackage: Parameters is missing", line=line_of(root))
        positions = root.find("Positions")
        payments = root.find("Payments")
        for child in root:
            if child.tag not in ("Parameters", "Positions", "Payments"):
                self.warn(child, str(child.tag), "unknown element ignored")
        header = self.parameters(parameters)
        items, texts, barcodes = self.positions(positions, header)
        pays = self.payments(payments) if payments is not None else Payments()
        return Receipt(
            items=tuple(items),
            texts=tuple(texts),
            barcodes=tuple(barcodes),
            payments=pays,
            **header,  # type: ignore[arg-type]
        )

    # -- Parameters ---------------------------------------------------------------------------
    def parameters(self, el: etree._Element) -> dict[str, object]:
        a = self.attrs(el, "Parameters", dict(tables.LEGACY_PARAMETERS))
        operation = a.integer("OperationType")
        if operation is None or operation not in tuple(Operation):
            raise a.fail(f"could not read OperationType: expected 1–4, got {a.raw('OperationType')!r}")
        code = a.integer("TaxationSystem")
        if code is None or code not in tables.TAXATION_CODES:
            raise a.fail(f"could not read TaxationSystem: expected 0–5, got {a.raw('TaxationSystem')!r}")
        email, phone = a.text("CustomerEmail"), a.text("CustomerPhone")
        if email and phone:
            a.warn("1008 holds one contact: CustomerEmail kept, CustomerPhone dropped", "CustomerPhone")
        header: dict[str, object] = {
            "operation": operation,
            "taxation": tables.TAXATION_CODES[code],
            "cashier": a.text("CashierName"),
            "cashier_inn": a.text("CashierINN"),
            "customer_contact": email or phone,
            "sender_email": a.text("SenderEmail"),
            "sale_address": a.text("SaleAddress"),
            "sale_place": a.text("SaleLocation"),
            "agent_type": _agent_bits(a, "AgentType"),
            "additional_attribute": a.text("AdditionalAttribute"),
            "automat_number": a.text("AutomatNumber"),
            "internet": bool(a.boolean("OperationOnline")),
        }
        old_name, old_inn = a.text("CustomerInfo"), a.text("CustomerINN")
        customer: Customer | None = None
        if old_name or old_inn:
            a.warn("CustomerInfo/CustomerINN read as CustomerDetail Info/INN")
            customer = Customer(name=old_name, inn=old_inn)
        a.finish()
        industry: list[IndustryRequisite] = []
        for child in el:
            path = f"Parameters.{child.tag}"
            if child.tag == "CorrectionData":
                header["correction"] = self.correction(child, path)
            elif child.tag == "CustomerDetail":
                customer = self.customer(child, path) or customer
            elif child.tag in ("AgentData", "VendorData", "PurveyorData"):
                found = (
                    _agent(child, path, self.warnings)
                    if child.tag == "AgentData"
                    else _vendor(child, path, self.warnings)
                )
                if found:
                    header[f"_{child.tag}"] = found
            elif child.tag == "UserAttribute":
                c = self.attrs(child, path)
                header["user_requisite"] = UserRequisite(
                    name=c.text("Name") or "", value=c.text("Value") or ""
                )
                c.finish()
            elif child.tag == "OperationalAttribute":
                header["operational"] = self.operational(child, path)
            elif child.tag == "IndustryAttribute":
                req = _industry(child, path, self.warnings)
                if req is not None:
                    industry.append(req)
            else:
                self.warn(child, path, "unknown element ignored")
        header["customer"] = customer
        header["industry_requisites"] = tuple(industry)
        return header

    def correction(self, el: etree._Element, path: str) -> Correction:
        a = self.attrs(el, path, {"Datе": "Date"})  # the 1C text spells it with a Cyrillic «е»
        kind = a.integer("Type")
        if kind not in (0, 1):
            raise a.fail(f"could not read Type: expected 0 or 1, got {a.raw('Type')!r}", "Type")
        moment = _datetime(a, "Date")
        result = Correction(
            type=CorrectionType(kind),
            date=None if moment is None else moment.date(),
            number=a.text("Number"),
            description=a.text("Description"),
        )
        a.finish()
        return result

    def customer(self, el: etree._Element, path: str) -> Customer | None:
        a = self.attrs(el, path)
        found = Customer(
            name=a.text("Info"),
            inn=a.text("INN"),
            birth_date=a.text("DateOfBirth"),
            citizenship=a.text("Citizenship"),
            document_code=a.text("DocumentTypeCode"),
            document_data=a.text("DocumentData"),
            address=a.text("Address"),
        )
        a.finish()
        return found or None

    def operational(self, el: etree._Element, path: str) -> OperationalRequisite | None:
        a = self.attrs(el, path)
        moment, ident, data = _datetime(a, "DateTime"), a.integer("OperationID"), a.text("OperationData")
        a.finish()
        if moment is None and ident is None and data is None:
            return None
        if moment is None:
            raise a.fail("could not read OperationalAttribute: DateTime is required", "DateTime")
        return OperationalRequisite(operation_id=ident or 0, data=data or "", timestamp=moment)

    # -- Positions ----------------------------------------------------------------------------
    def positions(
        self, el: etree._Element | None, header: dict[str, object]
    ) -> tuple[list[Item], list[TextLine], list[Barcode]]:
        items: list[Item] = []
        texts: list[TextLine] = []
        barcodes: list[Barcode] = []
        default_agent = header.pop("_AgentData", None)
        default_vendor = header.pop("_VendorData", None) or header.pop("_PurveyorData", None)
        operation = Operation(int(header["operation"]))  # type: ignore[call-overload]
        if el is None:
            return items, texts, barcodes
        if len(el) > MAX_POSITIONS:
            raise XmlError(
                f"could not read Positions: {len(el)} entries, at most {MAX_POSITIONS} accepted",
                line=line_of(el),
            )
        for index, child in enumerate(el):
            path = f"Positions[{index}]"
            if child.tag == "FiscalString":
                item = self.fiscal_string(child, path, operation)
                if default_agent is not None and item.agent is None:
                    self.warn(child, path, "receipt-level AgentData applied to this item")
                    item = _replace(item, agent=default_agent)
                if default_vendor is not None and item.supplier is None:
                    self.warn(child, path, "receipt-level VendorData applied to this item")
                    item = _replace(item, supplier=default_vendor)
                items.append(item)
            elif child.tag == "TextString":
                a = self.attrs(child, path)
                texts.append(TextLine(text=a.raw("Text") or "", position=len(items)))
                a.finish()
            elif child.tag == "Barcode":
                barcodes.append(self.barcode(child, path, len(items)))
            else:
                self.warn(child, path, "unknown element ignored")
        return items, texts, barcodes

    def barcode(self, el: etree._Element, path: str, position: int) -> Barcode:
        a = self.attrs(el, path)
        kind = a.required("Type")
        encoded, plain = a.text("ValueBase64"), a.text("Value")
        if encoded is not None:
            try:
                value = base64.b64decode(encoded.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise a.fail("could not read ValueBase64: not Base64", "ValueBase64") from None
        elif plain is not None:
            a.warn("Value read as ValueBase64 (older form)", "Value")
            value = plain.encode("utf-8")
        else:
            raise a.fail("could not read Barcode: ValueBase64 is required", "ValueBase64")
        a.finish()
        return Barcode(kind=kind, value=value, position=position)

    def fiscal_string(self, el: etree._Element, path: str, operation: Operation) -> Item:
        a = self.attrs(el, path, dict(tables.LEGACY_FISCAL_STRING))
        token = a.required("VATRate")
        row = tables.vat_from_token(token)
        if row is None:
            raise a.fail(f"could not read VATRate: unknown rate {token[:20]!r}", "VATRate")
        if row.legacy:
            a.warn(f"legacy VAT rate {token!r} read as «{row.rate.description}»", "VATRate")
        quantity = a.decimal("Quantity")
        price, amount = a.money("PriceWithDiscount"), a.money("AmountWithDiscount")
        for name, value in (
            ("Quantity", quantity),
            ("PriceWithDiscount", price),
            ("AmountWithDiscount", amount),
        ):
            if value is None:
                raise a.fail(f"could not read FiscalString: attribute {name} is required", name)
        measure = self.measure(a)
        code, unrecognised = self.marking_code(a)
        fields: dict[str, object] = {
            "name": a.raw("Name") or "",
            "quantity": quantity,
            "price": price,
            "amount": amount,
            "discount": a.money("DiscountAmount"),
            "department": a.integer("Department"),
            "vat": row.rate,
            "vat_amount": a.money("VATAmount"),
            "payment_method": _or(a.integer("PaymentMethod"), 4),
            "subject": _or(a.integer("CalculationSubject"), 1),
            "agent_type": _agent_bits(a, "CalculationAgent"),
            "measure": measure,
            "country": a.text("CountryOfOrigin"),
            "customs_declaration": a.text("CustomsDeclaration"),
            "additional_attribute": a.text("AdditionalAttribute"),
            "excise": a.money("ExciseAmount"),
        }
        if a.values.get("Name") is None:
            raise a.fail("could not read FiscalString: attribute Name is required", "Name")
        a.finish()
        industry: list[IndustryRequisite] = []
        codes: dict[int, ProductCode] = {}
        for child in el:
            sub = f"{path}.{child.tag}"
            if child.tag == "GoodCodeData":
                legacy_code = self.good_code_data(child, sub, codes)
                if legacy_code is not None:
                    code = code or legacy_code
            elif child.tag == "FractionalQuantity":
                c = self.attrs(child, sub)
                num, den = c.integer("Numerator"), c.integer("Denominator")
                c.finish()
                if num is None or den is None:
                    raise c.fail("could not read FractionalQuantity: Numerator and Denominator are required")
                fields["fraction"] = Fraction(numerator=num, denominator=den)
            elif child.tag == "AgentData":
                fields["agent"] = _agent(child, sub, self.warnings)
            elif child.tag in ("VendorData", "PurveyorData"):
                fields["supplier"] = _vendor(child, sub, self.warnings)
            elif child.tag == "IndustryAttribute":
                req = _industry(child, sub, self.warnings)
                if req is not None:
                    industry.append(req)
            else:
                self.warn(child, sub, "unknown element ignored")
        fields["marking_code"] = code
        if unrecognised is not None:
            codes.setdefault(unrecognised.tag, unrecognised)
        fields["product_codes"] = tuple(codes[t] for t in sorted(codes))
        fields["industry_requisites"] = tuple(industry)
        if code is not None:
            fields["planned_status"] = _planned(operation, code, measure, "fraction" in fields)
        try:
            return Item(**fields)  # type: ignore[arg-type]
        except InputError as exc:
            raise XmlError(f"could not read FiscalString: {exc}", line=line_of(el), path=path) from None

    def marking_code(self, a: Attrs) -> tuple[MarkingCode | None, ProductCode | None]:
        """The item's KM; a value that is no marking code at all is kept as 1300 (нераспознанный)."""
        encoded = a.text("MarkingCode")
        if encoded is None:
            return None, None
        text = decode_code(a, "MarkingCode", encoded)
        try:
            return parse(text), None
        except InputError as exc:
            if len(text) > UNRECOGNISED_MAX or not text.isprintable():
                raise a.fail(f"could not read MarkingCode: {exc}", "MarkingCode") from None
        a.warn("not a marking code; kept as нераспознанный код товара (1300)", "MarkingCode")
        return None, ProductCode(tag=1300, value=text)

    def measure(self, a: Attrs) -> Measure | None:
        value = a.integer("MeasureOfQuantity")
        unit = a.text("MeasurementUnit")
        if value is not None:
            try:
                return Measure(value)
            except ValueError:
                raise a.fail(
                    f"could not read MeasureOfQuantity: unknown code {value}", "MeasureOfQuantity"
                ) from None
        if unit is not None:
            found = tables.MEASURE_NAMES.get(unit.strip().lower())
            if found is None:
                a.warn(
                    f"MeasurementUnit {unit[:16]!r} (FFD 1.05) has no 2108 code; dropped", "MeasurementUnit"
                )
            else:
                a.warn(f"MeasurementUnit {unit!r} (FFD 1.05) read as MeasureOfQuantity {int(found)}")
            return found
        return None

    def good_code_data(
        self, el: etree._Element, path: str, codes: dict[int, ProductCode]
    ) -> MarkingCode | None:
        """Current form: product codes by format; FFD 1.05 form: the marking code inside."""
        a = self.attrs(el, path)
        for key, tag in tables.PRODUCT_CODE_KEYS:
            value = a.text(key)
            if value is not None:
                codes[tag] = ProductCode(tag=tag, value=decode_code(a, key, value))
        legacy: MarkingCode | None = None
        inner, gtin, serial = a.text("MarkingCode"), a.text("GTIN"), a.text("SerialNumber")
        if inner is not None:
            a.warn("FFD 1.05 GoodCodeData/MarkingCode read as FiscalString MarkingCode", "MarkingCode")
            legacy = _marking(a, "MarkingCode", decode_code(a, "MarkingCode", inner), strict=False)
        elif gtin is not None and serial is not None:
            a.warn("FFD 1.05 GoodCodeData GTIN/SerialNumber read as a marking code", "GTIN")
            legacy = _marking(a, "GTIN", f"01{gtin.strip()}21{serial.strip()}", strict=False)
        stamp = a.text("Stamp")
        if stamp is not None:
            a.warn("FFD 1.05 Stamp (КиЗ) read as product code МИ (1307)", "Stamp")
            codes[1307] = ProductCode(tag=1307, value=stamp)
        for old in ("StampType", "State"):
            if a.text(old) is not None:
                a.warn(f"FFD 1.05 {old} has no FFD 1.2 equivalent; dropped", old)
        a.finish()
        return legacy

    # -- Payments -----------------------------------------------------------------------------
    def payments(self, el: etree._Element) -> Payments:
        a = self.attrs(el, "Payments", dict(tables.LEGACY_PAYMENTS))
        result = Payments(
            cash=a.money("Cash") or 0,
            electronic=a.money("ElectronicPayment") or 0,
            prepaid=a.money("PrePayment") or 0,
            credit=a.money("PostPayment") or 0,
            provision=a.money("Barter") or 0,
        )
        a.finish()
        return result


def _planned(
    operation: Operation, code: MarkingCode, measure: Measure | None, fraction: bool
) -> PlannedStatus | None:
    measured = fraction or code.is_measured or (measure is not None and measure is not Measure.PIECE)
    if operation is Operation.SALE:
        return PlannedStatus.MEASURED_SOLD if measured else PlannedStatus.PIECE_SOLD
    if operation is Operation.SALE_RETURN:
        return PlannedStatus.MEASURED_RETURNED if measured else PlannedStatus.PIECE_RETURNED
    return None


def _replace(item: Item, **changes: object) -> Item:
    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def read_check_package(data: bytes | str) -> Reading:
    """Read a CheckPackage into a :class:`~ffd12.model.Receipt`, with the conversions made.

    Raises :class:`~ffd12.errors.XmlError` (with line and path) for anything it cannot read.
    """
    reader = _Reader()
    root = parse_xml(data, warnings=reader.warnings)
    try:
        receipt = reader.read(root)
    except XmlError:
        raise
    except InputError as exc:
        raise XmlError(f"could not read CheckPackage: {exc}", line=line_of(root)) from None
    for w in reader.warnings:
        log.info("CheckPackage: %s", w)
    return Reading(receipt, reader.warnings)
