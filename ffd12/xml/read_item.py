""":class:`~ffd12.model.Item` from a 1C ``FiscalString`` (spec/onec-xml.md §4.2), current and FFD 1.05 forms.

Used by :mod:`ffd12.xml.read_check`; the conversions it makes are appended as warnings.
"""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from ffd12.enums import AgentType, Measure, Operation, PlannedStatus
from ffd12.errors import InputError, XmlError
from ffd12.marking import MarkingCode, ProductCode, parse
from ffd12.model import (
    AgentData,
    Fraction,
    IndustryRequisite,
    Item,
    Supplier,
)
from ffd12.xml import tables
from ffd12.xml.attrs import Attrs
from ffd12.xml.safe import XmlWarning, line_of

__all__ = ["ItemReader", "agent_bits", "agent_data", "decode_code", "industry_attribute", "vendor_data"]

UNRECOGNISED_MAX = 32
"""Longest value tag 1300 «нераспознанный код товара» holds (spec §2.2)."""

_CODE_CHARS = frozenset(range(0x20, 0x7F)) | {0x1D}


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


def agent_bits(a: Attrs, name: str) -> AgentType | None:
    code = a.integer(name)
    if code is None:
        return None
    if not 0 <= code <= 6:
        raise a.fail(f"could not read {name}: expected an agent code 0–6, got {code}", name)
    return AgentType(1 << code)


def industry_attribute(el: etree._Element, path: str, warnings: list[XmlWarning]) -> IndustryRequisite | None:
    a = Attrs(el, path, warnings)
    values = [a.text(n) for n in ("IdentifierFOIV", "DocumentDate", "DocumentNumber", "AttributeValue")]
    a.finish()
    if not any(values):
        return None
    foiv, date, number, value = (v or "" for v in values)
    return IndustryRequisite(foiv=foiv, doc_date=date, doc_number=number, value=value)


def agent_data(el: etree._Element, path: str, warnings: list[XmlWarning]) -> AgentData | None:
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


def vendor_data(el: etree._Element, path: str, warnings: list[XmlWarning]) -> Supplier | None:
    a = Attrs(el, path, warnings, tables.LEGACY_VENDOR)
    if el.tag == "PurveyorData":
        a.warn("PurveyorData read as VendorData")
    data = Supplier(
        phones=_split_phones(a.text("VendorPhone")), name=a.text("VendorName"), inn=a.text("VendorINN")
    )
    a.finish()
    return data or None


class ItemReader:
    """Reads FiscalString elements; collects warnings in ``self.warnings``."""

    def __init__(self) -> None:
        self.warnings: list[XmlWarning] = []

    def attrs(self, el: etree._Element, path: str, renames: dict[str, str] | None = None) -> Attrs:
        return Attrs(el, path, self.warnings, renames)

    def warn(self, el: etree._Element, path: str, message: str) -> None:
        self.warnings.append(XmlWarning(path=path, line=line_of(el), message=message))

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
            "agent_type": agent_bits(a, "CalculationAgent"),
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
                fields["agent"] = agent_data(child, sub, self.warnings)
            elif child.tag in ("VendorData", "PurveyorData"):
                fields["supplier"] = vendor_data(child, sub, self.warnings)
            elif child.tag == "IndustryAttribute":
                req = industry_attribute(child, sub, self.warnings)
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


def _planned(
    operation: Operation, code: MarkingCode, measure: Measure | None, fraction: bool
) -> PlannedStatus | None:
    measured = fraction or code.is_measured or (measure is not None and measure is not Measure.PIECE)
    if operation is Operation.SALE:
        return PlannedStatus.MEASURED_SOLD if measured else PlannedStatus.PIECE_SOLD
    if operation is Operation.SALE_RETURN:
        return PlannedStatus.MEASURED_RETURNED if measured else PlannedStatus.PIECE_RETURNED
    return None


def _or(value: int | None, default: int) -> int:
    return default if value is None else value
