"""FFD 1.2 rules over the receipt model: what must hold before anything goes to a register.

:func:`check` returns every broken rule as a :class:`~ffd12.errors.Violation` with a path into the
model (``items[2].quantity``); :func:`validate` raises :class:`~ffd12.errors.ValidationError`
carrying all of them. Nothing here talks to a device; the rules come from spec/ffd12-tlv.md
(§2 lengths and types, §2.6 value tables, §3 industry requisite, §4 marking) and the 1C standard.

>>> from decimal import Decimal
>>> from ffd12.model import Item, Receipt, Payments
>>> item = Item(name="Хлеб", price=4500, quantity=Decimal(2), amount=9100, vat=6, measure=0)
>>> [str(v) for v in check(Receipt(operation=1, taxation=1, items=[item], payments=Payments(cash=9100)))]
['items[0].amount: 1043 = 9100 but price × quantity = 9000 (±1 kopeck allowed)']
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from ffd12.enums import Measure, Operation, PlannedStatus, Subject, VatRate
from ffd12.errors import ValidationError, Violation
from ffd12.model import MARKING_PRODUCT_TAGS, IndustryRequisite, Item, Receipt

__all__ = ["MAX_LENGTH", "check", "validate"]

AMOUNT_TOLERANCE: Final = 1
"""Kopecks of rounding allowed between 1043 and 1079 × 1023, and between 1200 and the VAT rate."""

MAX_MONEY: Final = 2**48 - 1
"""VLN money requisites are at most 6 bytes (spec §1.2)."""

MAX_QUANTITY_DECIMALS: Final = 6



MAX_1265: Final = 256
"""1265 max length: SHTRIH says 265, the FFD text is recalled as 256 — unverified; keep the safer 256."""

EARLIEST: Final = _dt.datetime(2000, 1, 1)
LATEST: Final = _dt.datetime(2100, 1, 1)
"""Dates outside [EARLIEST, LATEST) are refused: unixtime is uint32 and no FFD 1.2 document predates 2000."""

MAX_LENGTH: Final[dict[str, tuple[int, int]]] = {
    # model field path suffix → (tag, max bytes in CP866); spec §2.1–2.4
    "cashier": (1021, 64),
    "customer_contact": (1008, 64),
    "sender_email": (1117, 64),
    "sale_address": (1009, 256),
    "sale_place": (1187, 256),
    "automat_number": (1036, 20),
    "additional_attribute": (1192, 16),
    "customer.name": (1227, 256),
    "customer.document_code": (1245, 2),
    "customer.document_data": (1246, 64),
    "customer.address": (1254, 256),
    "operational.data": (1272, 64),
    "user_requisite.name": (1085, 64),
    "user_requisite.value": (1086, 256),
    "correction.number": (1179, 32),
    "items.name": (1030, 128),
    "items.additional_attribute": (1191, 64),
    "items.customs_declaration": (1231, 32),
    "items.agent.operation": (1044, 24),
    "items.agent.operator_name": (1026, 64),
    "items.agent.operator_address": (1005, 256),
    "items.supplier.name": (1225, 256),
    "industry.doc_number": (1264, 32),
    "industry.value": (1265, MAX_1265),
}

_PHONE_MAX: Final = 19  # 1073, 1074, 1075, 1171
_DIGITS3 = re.compile(r"[0-9]{3}")
_DDMMYYYY = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")
_INN_WEIGHTS_10: Final = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_11: Final = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_12: Final = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_SALE_STATUSES: Final = {
    Operation.SALE: (PlannedStatus.PIECE_SOLD, PlannedStatus.MEASURED_SOLD),
    Operation.SALE_RETURN: (PlannedStatus.PIECE_RETURNED, PlannedStatus.MEASURED_RETURNED),
}


def inn_ok(inn: str, lengths: tuple[int, ...] = (10, 12)) -> bool:
    """ИНН: 10 digits (organisation) or 12 (person) with valid check digits."""
    if len(inn) not in lengths or not inn.isascii() or not inn.isdigit():
        return False
    digits = [int(c) for c in inn]

    def control(weights: tuple[int, ...]) -> int:
        return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10

    if len(inn) == 10:
        return control(_INN_WEIGHTS_10) == digits[9]
    return control(_INN_WEIGHTS_11) == digits[10] and control(_INN_WEIGHTS_12) == digits[11]


def _ddmmyyyy(text: str) -> _dt.date | None:
    m = _DDMMYYYY.fullmatch(text)
    if m is None:
        return None
    try:
        return _dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


class _Checker:
    def __init__(self) -> None:
        self.found: list[Violation] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Violation(path=path, message=message))

    def text(self, path: str, value: str | None, key: str) -> None:
        if value is None:
            return
        tag, limit = MAX_LENGTH[key]
        try:
            size = len(value.encode("cp866"))
        except UnicodeEncodeError:
            self.add(path, f"{tag} has characters that CP866 cannot carry")
            return
        if size > limit:
            self.add(path, f"{tag} is {size} bytes long, at most {limit} allowed")
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
            self.add(path, f"{tag} has control characters")

    def phones(self, path: str, phones: Iterable[str], tag: int) -> None:
        for i, phone in enumerate(phones):
            if not phone or len(phone) > _PHONE_MAX or not phone.isascii():
                self.add(f"{path}[{i}]", f"{tag} phone must be 1–{_PHONE_MAX} ASCII characters")

    def inn(self, path: str, inn: str | None, tag: int, lengths: tuple[int, ...] = (10, 12)) -> None:
        if inn is not None and not inn_ok(inn.strip(), lengths):
            sizes = " or ".join(str(n) for n in lengths)
            self.add(path, f"{tag} ИНН must be {sizes} digits with valid check digits, got {inn!r}")

    def moment(self, path: str, value: _dt.datetime | _dt.date | None, tag: int) -> None:
        if value is None:
            return
        moment = value if isinstance(value, _dt.datetime) else _dt.datetime.combine(value, _dt.time())
        if not EARLIEST <= moment.replace(tzinfo=None) < LATEST:
            self.add(
                path, f"{tag} date {value.isoformat()} is out of range {EARLIEST.year}–{LATEST.year - 1}"
            )

    def money(self, path: str, value: int | None, tag: int) -> None:
        if value is not None and not 0 <= value <= MAX_MONEY:
            self.add(path, f"{tag} must be 0…{MAX_MONEY} kopecks, got {value}")

    def industry(self, path: str, req: IndustryRequisite, tag: int) -> None:
        if not _DIGITS3.fullmatch(req.foiv):
            self.add(f"{path}.foiv", f"1262 (in {tag}) must be 3 digits, e.g. '030', got {req.foiv!r}")
        date = _ddmmyyyy(req.doc_date)
        if date is None:
            self.add(f"{path}.doc_date", f"1263 (in {tag}) must be a date ДД.ММ.ГГГГ, got {req.doc_date!r}")
        else:
            self.moment(f"{path}.doc_date", date, 1263)
        if not req.doc_number:
            self.add(f"{path}.doc_number", f"1264 (in {tag}) must not be empty")
        self.text(f"{path}.doc_number", req.doc_number, "industry.doc_number")
        if not req.value:
            self.add(f"{path}.value", f"1265 (in {tag}) must not be empty")
        self.text(f"{path}.value", req.value, "industry.value")


def _is_measured(item: Item) -> bool:
    weighed = item.marking_code is not None and item.marking_code.is_measured
    return weighed or (item.measure is not None and item.measure is not Measure.PIECE)


def _check_item(c: _Checker, receipt: Receipt, i: int, item: Item) -> None:
    p = f"items[{i}]"
    c.text(f"{p}.name", item.name, "items.name")
    if not item.name.strip():
        c.add(f"{p}.name", "1030 наименование must not be empty")
    c.money(f"{p}.price", item.price, 1079)
    c.money(f"{p}.amount", item.amount, 1043)
    c.money(f"{p}.vat_amount", item.vat_amount, 1200)
    c.money(f"{p}.excise", item.excise, 1229)
    q = item.quantity
    if q <= 0:
        c.add(f"{p}.quantity", f"1023 must be greater than 0, got {q}")
    elif -q.as_tuple().exponent > MAX_QUANTITY_DECIMALS:  # type: ignore[operator]
        c.add(f"{p}.quantity", f"1023 allows at most {MAX_QUANTITY_DECIMALS} decimals, got {q}")
    effective = q * item.fraction.value if item.fraction is not None else q
    expected = (Decimal(item.price) * effective).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if abs(item.amount - expected) > AMOUNT_TOLERANCE:
        c.add(f"{p}.amount", f"1043 = {item.amount} but price × quantity = {expected} (±1 kopeck allowed)")
    _check_vat(c, p, item)
    if item.measure is None:
        c.add(f"{p}.measure", "2108 мера количества is required on every item in FFD 1.2")
    _check_marking(c, receipt, p, item)
    for k, req in enumerate(item.industry_requisites):
        c.industry(f"{p}.industry_requisites[{k}]", req, 1260)
    if item.country is not None and not _DIGITS3.fullmatch(item.country):
        c.add(f"{p}.country", f"1230 must be a 3-digit ОКСМ code, got {item.country!r}")
    c.text(f"{p}.customs_declaration", item.customs_declaration, "items.customs_declaration")
    c.text(f"{p}.additional_attribute", item.additional_attribute, "items.additional_attribute")
    if item.agent is not None:
        c.text(f"{p}.agent.operation", item.agent.operation, "items.agent.operation")
        c.text(f"{p}.agent.operator_name", item.agent.operator_name, "items.agent.operator_name")
        c.text(f"{p}.agent.operator_address", item.agent.operator_address, "items.agent.operator_address")
        c.inn(f"{p}.agent.operator_inn", item.agent.operator_inn, 1016)
        c.phones(f"{p}.agent.phones", item.agent.phones, 1073)
        c.phones(f"{p}.agent.processor_phones", item.agent.processor_phones, 1074)
        c.phones(f"{p}.agent.operator_phones", item.agent.operator_phones, 1075)
    if item.supplier is not None:
        c.text(f"{p}.supplier.name", item.supplier.name, "items.supplier.name")
        c.inn(f"{p}.supplier.inn", item.supplier.inn, 1226)
        c.phones(f"{p}.supplier.phones", item.supplier.phones, 1171)
    if item.agent_type is not None and (item.supplier is None or not item.supplier.inn):
        c.add(f"{p}.supplier", "an agent item (1222) needs the supplier's data (1224) and ИНН (1226)")


def _check_vat(c: _Checker, p: str, item: Item) -> None:
    if item.vat_amount is None:
        return
    if item.vat in (VatRate.VAT0, VatRate.NONE):
        if item.vat_amount != 0:
            c.add(f"{p}.vat_amount", f"1200 must be 0 for «{item.vat.description}», got {item.vat_amount}")
        return
    num, den = item.vat.fraction
    expected = (item.amount * num / den).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if abs(item.vat_amount - expected) > AMOUNT_TOLERANCE:
        c.add(f"{p}.vat_amount", f"1200 = {item.vat_amount} but {num}/{den} of {item.amount} is {expected}")


def _check_marking(c: _Checker, receipt: Receipt, p: str, item: Item) -> None:
    code = item.marking_code
    carried = item.marking_product_codes
    if code is None and not carried and item.subject in (Subject.EXCISE_MARKED, Subject.MARKED_GOODS):
        c.add(f"{p}.marking_code", f"1212 = {int(item.subject)} («с кодом маркировки») needs a marking code")
    if code is not None and item.subject in (Subject.EXCISE_MARKED_NO_CODE, Subject.MARKED_GOODS_NO_CODE):
        c.add(f"{p}.subject", f"1212 = {int(item.subject)} means «без кода маркировки» but a code is present")
    if code is not None and receipt.operation not in _SALE_STATUSES:
        c.add(f"{p}.marking_code", "a marking code is allowed only in приход and возврат прихода")
    if item.fraction is not None:
        fr = item.fraction
        if not 0 < fr.numerator < fr.denominator:
            c.add(f"{p}.fraction", f"1291 needs 0 < 1293 < 1294, got {fr.text}")
    if not item.is_marked:
        return
    measured = _is_measured(item)
    if item.fraction is not None and item.quantity != 1:
        c.add(f"{p}.quantity", "1023 must be 1 when a fractional quantity (1291) is given")
    elif item.fraction is None and not measured and item.quantity != 1:
        c.add(f"{p}.quantity", f"a marked piece item has 1023 = 1, got {item.quantity} (use 1291 for a part)")
    status = item.planned_status
    allowed = _SALE_STATUSES.get(receipt.operation)
    if status is not None and allowed is not None:
        piece, part = allowed
        want = part if (measured or item.fraction is not None) else piece
        if status is not want:
            c.add(
                f"{p}.planned_status", f"2003 must be {int(want)} («{want.description}»), got {int(status)}"
            )


def check(receipt: Receipt) -> list[Violation]:
    """Every FFD 1.2 rule the receipt breaks, in model order; an empty list means it is fine."""
    c = _Checker()
    if not receipt.items:
        c.add("items", "a receipt needs at least one item (1059)")
    if bin(int(receipt.taxation)).count("1") != 1:
        c.add("taxation", f"1055 must have exactly one system set, got {int(receipt.taxation)}")
    for name in (
        "cashier",
        "customer_contact",
        "sender_email",
        "sale_address",
        "sale_place",
        "automat_number",
        "additional_attribute",
    ):
        c.text(name, getattr(receipt, name), name)
    c.inn("cashier_inn", receipt.cashier_inn, 1203, (12,))
    if receipt.customer is not None:
        cu = receipt.customer
        for name in ("name", "document_code", "document_data", "address"):
            c.text(f"customer.{name}", getattr(cu, name), f"customer.{name}")
        c.inn("customer.inn", cu.inn, 1228)
        if cu.birth_date is not None:
            born = _ddmmyyyy(cu.birth_date)
            if born is None:
                c.add("customer.birth_date", f"1243 must be a date ДД.ММ.ГГГГ, got {cu.birth_date!r}")
            elif born.year < 1900:
                c.add("customer.birth_date", f"1243 date {cu.birth_date} is out of range")
        if cu.citizenship is not None and not _DIGITS3.fullmatch(cu.citizenship):
            c.add("customer.citizenship", f"1244 must be a 3-digit ОКСМ code, got {cu.citizenship!r}")
    if receipt.operational is not None:
        c.text("operational.data", receipt.operational.data, "operational.data")
        c.moment("operational.timestamp", receipt.operational.timestamp, 1273)
        if not 0 <= receipt.operational.operation_id <= 255:
            c.add("operational.operation_id", "1271 is one byte, 0…255")
    if receipt.user_requisite is not None:
        c.text("user_requisite.name", receipt.user_requisite.name, "user_requisite.name")
        c.text("user_requisite.value", receipt.user_requisite.value, "user_requisite.value")
    if receipt.correction is not None:
        corr = receipt.correction
        c.text("correction.number", corr.number, "correction.number")
        if corr.date is None:
            c.add("correction.date", "1178 date of the corrected settlement is required in a correction")
        c.moment("correction.date", corr.date, 1178)
        if int(corr.type) == 1 and not corr.number:
            c.add("correction.number", "1179 order number is required when 1173 = 1 (по предписанию)")
    c.moment("date_time", receipt.date_time, 1012)
    for k, req in enumerate(receipt.industry_requisites):
        c.industry(f"industry_requisites[{k}]", req, 1261)
    seen: dict[str, int] = {}
    for i, item in enumerate(receipt.items):
        _check_item(c, receipt, i, item)
        keys = {c.value for c in item.product_codes if c.tag in MARKING_PRODUCT_TAGS - {1300}}
        if item.marking_code is not None:
            keys = {item.marking_code.product_code.value or item.marking_code.canonical}
        for key in keys:
            if key in seen:
                c.add(f"items[{i}].marking_code", f"the same marking code is already in items[{seen[key]}]")
            else:
                seen[key] = i
    _check_totals(c, receipt)
    printed: list[tuple[str, int]] = [(f"texts[{k}]", t.position) for k, t in enumerate(receipt.texts)]
    printed += [(f"barcodes[{k}]", b.position) for k, b in enumerate(receipt.barcodes)]
    for where, position in printed:
        if not 0 <= position <= len(receipt.items):
            c.add(f"{where}.position", f"must be within 0…{len(receipt.items)}, got {position}")
    return c.found


def _check_totals(c: _Checker, receipt: Receipt) -> None:
    total = receipt.items_total
    if receipt.total is not None and receipt.total != total:
        c.add("total", f"1020 = {receipt.total} but the items sum to {total}")
    pay = receipt.payments
    for name, tag in (
        ("cash", 1031),
        ("electronic", 1081),
        ("prepaid", 1215),
        ("credit", 1216),
        ("provision", 1217),
    ):
        c.money(f"payments.{name}", getattr(pay, name), tag)
    if pay.total < total:
        c.add("payments", f"payments {pay.total} do not cover the total {total}")
    elif pay.total - pay.cash > total:
        c.add("payments", "change can only be given out of cash: non-cash payments exceed the total")


def validate(receipt: Receipt) -> None:
    """Raise :class:`~ffd12.errors.ValidationError` with every violation, or return quietly."""
    found = check(receipt)
    if found:
        raise ValidationError(found)
