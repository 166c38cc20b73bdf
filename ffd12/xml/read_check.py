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

from ffd12.enums import CorrectionType, Operation
from ffd12.errors import InputError, XmlError
from ffd12.model import (
    Barcode,
    Correction,
    Customer,
    IndustryRequisite,
    Item,
    OperationalRequisite,
    Payments,
    Receipt,
    TextLine,
    UserRequisite,
)
from ffd12.xml import tables
from ffd12.xml.attrs import Attrs
from ffd12.xml.read_item import ItemReader, agent_bits, agent_data, industry_attribute, vendor_data
from ffd12.xml.safe import XmlWarning, line_of, parse_xml

__all__ = ["Reading", "read_check_package"]

log = logging.getLogger("ffd12.xml")

MAX_POSITIONS = 5000
"""Most ``Positions`` children read: a fiscal document fits the FN's few kilobytes long before this."""


class Reading(NamedTuple):
    """What a reader returns: the value and the list of conversions it made."""

    value: Receipt
    warnings: list[XmlWarning]


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


class _Reader(ItemReader):
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
            "agent_type": agent_bits(a, "AgentType"),
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
                    agent_data(child, path, self.warnings)
                    if child.tag == "AgentData"
                    else vendor_data(child, path, self.warnings)
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
                req = industry_attribute(child, path, self.warnings)
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


def _replace(item: Item, **changes: object) -> Item:
    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]


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
