""":class:`~ffd12.model.Receipt` ⇄ the FFD 1.2 receipt TLV document (3 кассовый чек, 31 чек коррекции).

:func:`to_tlv` builds ``Tlv(3, TlvList([...]))`` (or 31 for a correction) in a fixed requisite
order, so the bytes of :func:`ffd12.tlv.encode` are stable; :func:`from_tlv` reads such a document
back. Derived requisites are computed here: 1020 ИТОГ (the declared ``total`` or Σ 1043), the VAT
sums per rate (1102–1107, and 1115/1119/1120 for the 5/7/22 % codes) and 1292 «дробная часть».

What a receipt TLV does not carry, and so does not come back from :func:`from_tlv`:

* the marking code's crypto tail — an item carries only the 1163 product code of its КМ
  (1305 = "01"+GTIN+"21"+serial, spec §4.2), so a receipt read back has that code in
  ``product_codes`` and ``marking_code`` None;
* 1C print-only data: ``department``, ``discount``, ``texts``, ``barcodes``;
* ``correction.description`` (1177 is an FFD 1.05 requisite, spec §2.4).

Requisites the FN adds (1040 ФД, 1041 ФН, 1077 ФП, 1038 смена, 1042, 1209, …) are skipped on
reading; any other unknown tag is refused with a :class:`~ffd12.errors.TlvError`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, TypeVar

from ffd12.enums import (
    AgentType,
    CheckResult,
    CorrectionType,
    Measure,
    Operation,
    PaymentMethod,
    PlannedStatus,
    Subject,
    Taxation,
    VatRate,
)
from ffd12.errors import InputError, TlvError
from ffd12.marking.model import ProductCode
from ffd12.model import (
    AgentData,
    Correction,
    Customer,
    Fraction,
    Item,
    OperationalRequisite,
    Payments,
    Receipt,
    Supplier,
    UserRequisite,
)
from ffd12.tlv import fns_json, industry
from ffd12.tlv.nodes import Tlv, TlvList, TlvValue

__all__ = [
    "DOC_CORRECTION",
    "DOC_RECEIPT",
    "from_fns_json",
    "from_tlv",
    "to_fns_json",
    "to_tlv",
    "vat_totals",
]

DOC_RECEIPT: Final = 3
DOC_CORRECTION: Final = 31

MARKING_PROCESSING_MODE: Final = 0
"""2102 режим обработки кода маркировки: only 0 is seen in real receipts (spec §2.6)."""

VAT_TOTAL_TAGS: Final = {
    VatRate.VAT20: 1102,
    VatRate.VAT10: 1103,
    VatRate.VAT0: 1104,
    VatRate.NONE: 1105,
    VatRate.VAT20_120: 1106,
    VatRate.VAT10_110: 1107,
}
"""Receipt VAT sum per rate (spec §2.1). 1104 and 1105 sum the settlement, not a VAT amount."""

NEW_VAT_TOTAL: Final = (1115, 1119, 1120)
"""1115 суммы НДС чека → 1119 (one rate) → 1199 + 1120, for rate codes 7–12. The tag numbers are
inferred from FNS JSON names (spec §2.1, M/L) — unverified."""

FN_SET_TAGS: Final = frozenset(
    {
        1001,
        1002,
        1011,
        1013,
        1017,
        1018,
        1037,
        1038,
        1040,
        1041,
        1042,
        1046,
        1048,
        1050,
        1051,
        1052,
        1053,
        1056,
        1060,
        1062,
        1077,
        1097,
        1098,
        1108,
        1109,
        1110,
        1126,
        1193,
        1207,
        1209,
        1221,
        2107,
    }
)
"""Requisites the register, the FN or the OFD add to a stored receipt (registration data, counters,
flags, ФП); :func:`from_tlv` skips them."""

ITEM_SKIPPED_TAGS: Final = frozenset({1162, 1197, 1198, 2115})
"""Item requisites read past without a model field: 1162/1197 (FFD 1.05 code and unit), 1198 (VAT
per unit, derivable) and 2115 (контрольный код КМ, formed by the register)."""

_DERIVED: Final = frozenset({*VAT_TOTAL_TAGS.values(), NEW_VAT_TOTAL[0]})
_E = TypeVar("_E")


def _money_share(amount: int, rate: VatRate) -> int:
    num, den = rate.fraction
    return int((amount * num / den).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_totals(receipt: Receipt) -> dict[VatRate, int]:
    """Per rate present: the VAT sum (1200 if given, else computed), or the settlement for 0 %/без НДС."""
    totals: dict[VatRate, int] = {}
    for item in receipt.items:
        if item.vat in (VatRate.VAT0, VatRate.NONE):
            value = item.amount
        else:
            value = item.vat_amount if item.vat_amount is not None else _money_share(item.amount, item.vat)
        totals[item.vat] = totals.get(item.vat, 0) + value
    return dict(sorted(totals.items()))


def _opt(out: list[Tlv], tag: int, value: TlvValue | None) -> None:
    if value is not None:
        out.append(Tlv(tag, value))


def _stlv(tag: int, children: list[Tlv]) -> Tlv:
    return Tlv(tag, TlvList(children))


def _item(item: Item) -> Tlv:
    out: list[Tlv] = [
        Tlv(1030, item.name),
        Tlv(1079, item.price),
        Tlv(1023, item.quantity),
        Tlv(1043, item.amount),
    ]
    out.append(Tlv(1199, int(item.vat)))
    _opt(out, 1200, item.vat_amount)
    out += [Tlv(1212, int(item.subject)), Tlv(1214, int(item.payment_method))]
    _opt(out, 2108, None if item.measure is None else int(item.measure))
    codes = {c.tag: c.value for c in item.product_codes}
    if item.marking_code is not None:
        codes[item.marking_code.product_code.tag] = item.marking_code.product_code.value
    if codes:
        out.append(_stlv(1163, [Tlv(tag, codes[tag]) for tag in sorted(codes)]))
    _opt(out, 2003, None if item.planned_status is None else int(item.planned_status))
    if item.marking_code is not None or item.marking_product_codes:
        out.append(Tlv(2102, MARKING_PROCESSING_MODE))
    _opt(out, 2106, None if item.check_result is None else int(item.check_result))
    if item.fraction is not None:
        f = item.fraction
        out.append(_stlv(1291, [Tlv(1292, f.text), Tlv(1293, f.numerator), Tlv(1294, f.denominator)]))
    _opt(out, 1222, None if item.agent_type is None else int(item.agent_type))
    if item.agent is not None and item.agent:
        a = item.agent
        sub: list[Tlv] = [Tlv(1073, p) for p in a.phones]
        sub += [Tlv(1074, p) for p in a.processor_phones]
        sub += [Tlv(1075, p) for p in a.operator_phones]
        _opt(sub, 1044, a.operation)
        _opt(sub, 1026, a.operator_name)
        _opt(sub, 1005, a.operator_address)
        _opt(sub, 1016, a.operator_inn)
        out.append(_stlv(1223, sub))
    if item.supplier is not None and (item.supplier.phones or item.supplier.name):
        sub = [Tlv(1171, p) for p in item.supplier.phones]
        _opt(sub, 1225, item.supplier.name)
        out.append(_stlv(1224, sub))
    _opt(out, 1226, None if item.supplier is None else item.supplier.inn)
    _opt(out, 1229, item.excise)
    _opt(out, 1230, item.country)
    _opt(out, 1231, item.customs_declaration)
    _opt(out, 1191, item.additional_attribute)
    out += [industry.to_tlv(req, tag=industry.TAG_INDUSTRY_ITEM) for req in item.industry_requisites]
    return _stlv(1059, out)


def to_tlv(receipt: Receipt) -> Tlv:
    """The receipt as one document-level TLV: ``Tlv(3, …)``, or ``Tlv(31, …)`` for a correction."""
    r = receipt
    out: list[Tlv] = []
    _opt(out, 1021, r.cashier)
    _opt(out, 1203, r.cashier_inn)
    out += [Tlv(1054, int(r.operation)), Tlv(1055, int(r.taxation))]
    if r.correction is not None:
        c = r.correction
        out.append(Tlv(1173, int(c.type)))
        base: list[Tlv] = []
        _opt(base, 1178, None if c.date is None else _dt.datetime.combine(c.date, _dt.time()))
        _opt(base, 1179, c.number)
        out.append(_stlv(1174, base))
    _opt(out, 1012, r.date_time)
    _opt(out, 1008, r.customer_contact)
    _opt(out, 1117, r.sender_email)
    _opt(out, 1009, r.sale_address)
    _opt(out, 1187, r.sale_place)
    _opt(out, 1036, r.automat_number)
    _opt(out, 1057, None if r.agent_type is None else int(r.agent_type))
    if r.internet:
        out.append(Tlv(1125, 1))
    if r.customer is not None and r.customer:
        cu = r.customer
        sub: list[Tlv] = []
        for tag, value in (
            (1227, cu.name),
            (1228, cu.inn),
            (1243, cu.birth_date),
            (1244, cu.citizenship),
            (1245, cu.document_code),
            (1246, cu.document_data),
            (1254, cu.address),
        ):
            _opt(sub, tag, value)
        out.append(_stlv(1256, sub))
    out += [_item(item) for item in r.items]
    p = r.payments
    out.append(Tlv(1020, r.items_total if r.total is None else r.total))
    out += [Tlv(1031, p.cash), Tlv(1081, p.electronic), Tlv(1215, p.prepaid), Tlv(1216, p.credit)]
    out.append(Tlv(1217, p.provision))
    new_rates: list[Tlv] = []
    for rate, vat_sum in vat_totals(r).items():
        if rate in VAT_TOTAL_TAGS:
            out.append(Tlv(VAT_TOTAL_TAGS[rate], vat_sum))
        else:
            new_rates.append(_stlv(NEW_VAT_TOTAL[1], [Tlv(1199, int(rate)), Tlv(NEW_VAT_TOTAL[2], vat_sum)]))
    if new_rates:
        out.append(_stlv(NEW_VAT_TOTAL[0], new_rates))
    if r.user_requisite is not None:
        out.append(_stlv(1084, [Tlv(1085, r.user_requisite.name), Tlv(1086, r.user_requisite.value)]))
    _opt(out, 1192, r.additional_attribute)
    out += [industry.to_tlv(req, tag=industry.TAG_INDUSTRY_RECEIPT) for req in r.industry_requisites]
    if r.operational is not None:
        op = r.operational
        out.append(_stlv(1270, [Tlv(1271, op.operation_id), Tlv(1272, op.data), Tlv(1273, op.timestamp)]))
    return Tlv(DOC_CORRECTION if r.correction is not None else DOC_RECEIPT, TlvList(out))


# ------------------------------------------------------------------------------ reading


class _Node:
    """Children of one STLV with typed access; remembers which tags were read."""

    def __init__(self, children: TlvList, path: str) -> None:
        self.children = children
        self.path = path
        self.seen: set[int] = set()

    def fail(self, tag: int, message: str) -> TlvError:
        return TlvError(message, path=f"{self.path}/{tag}")

    def get(self, tag: int, kind: type[Any]) -> Any:
        self.seen.add(tag)
        found = self.children.get(tag)
        if found is None:
            return None
        if not isinstance(found.value, kind):
            raise self.fail(
                tag, f"could not read tag {tag}: expected {kind.__name__}, got {type(found.value).__name__}"
            )
        return found.value

    def need(self, tag: int, kind: type[Any]) -> Any:
        value = self.get(tag, kind)
        if value is None:
            raise self.fail(tag, f"could not read tag {tag}: it is required here")
        return value

    def all(self, tag: int) -> list[Tlv]:
        self.seen.add(tag)
        return list(self.children.get_all(tag))

    def sub(self, tag: int) -> _Node | None:
        value = self.get(tag, TlvList)
        return None if value is None else _Node(value, f"{self.path}/{tag}")

    def enum(self, tag: int, kind: Callable[[int], _E]) -> _E | None:
        value = self.get(tag, int)
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            raise self.fail(tag, f"could not read tag {tag}: unknown value {value}") from None

    def need_enum(self, tag: int, kind: Callable[[int], _E]) -> _E:
        value = self.enum(tag, kind)
        if value is None:
            raise self.fail(tag, f"could not read tag {tag}: it is required here")
        return value

    def strings(self, tag: int) -> tuple[str, ...]:
        values = [t.value for t in self.all(tag)]
        if not all(isinstance(v, str) for v in values):
            raise self.fail(tag, f"could not read tag {tag}: expected str")
        return tuple(str(v) for v in values)

    def finish(self, skip: frozenset[int] = frozenset()) -> None:
        for child in self.children:
            if child.tag not in self.seen and child.tag not in skip:
                raise self.fail(child.tag, f"could not read tag {child.tag}: not expected here")


def _read_item(node: _Node) -> Item:
    codes: list[ProductCode] = []
    code_node = node.sub(1163)
    if code_node is not None:
        for child in code_node.children:
            if not 1300 <= child.tag <= 1325 or not isinstance(child.value, str):
                raise code_node.fail(child.tag, f"could not read tag {child.tag}: not a 1163 product code")
            codes.append(ProductCode(tag=child.tag, value=child.value))
    fraction = None
    fr = node.sub(1291)
    if fr is not None:
        fr.get(1292, str)
        fraction = Fraction(numerator=fr.need(1293, int), denominator=fr.need(1294, int))
        fr.finish()
    agent = None
    ag = node.sub(1223)
    if ag is not None:
        agent = AgentData(
            phones=ag.strings(1073),
            processor_phones=ag.strings(1074),
            operator_phones=ag.strings(1075),
            operation=ag.get(1044, str),
            operator_name=ag.get(1026, str),
            operator_address=ag.get(1005, str),
            operator_inn=ag.get(1016, str),
        )
        ag.finish()
    supplier = None
    su = node.sub(1224)
    inn = node.get(1226, str)
    if su is not None or inn is not None:
        phones = su.strings(1171) if su is not None else ()
        name = su.get(1225, str) if su is not None else None
        if su is not None:
            su.finish()
        supplier = Supplier(phones=phones, name=name, inn=inn)
    node.get(2102, int)
    return Item(
        name=node.need(1030, str),
        price=node.need(1079, int),
        quantity=node.need(1023, Decimal),
        amount=node.need(1043, int),
        vat=node.need_enum(1199, VatRate),
        vat_amount=node.get(1200, int),
        subject=node.enum(1212, Subject) or Subject.GOODS,
        payment_method=node.enum(1214, PaymentMethod) or PaymentMethod.FULL_PAYMENT,
        measure=node.enum(2108, Measure),
        product_codes=tuple(sorted(codes, key=lambda c: c.tag)),
        planned_status=node.enum(2003, PlannedStatus),
        check_result=node.enum(2106, CheckResult),
        fraction=fraction,
        industry_requisites=tuple(industry.from_tlv(t) for t in node.all(1260)),
        agent_type=node.enum(1222, AgentType),
        agent=agent,
        supplier=supplier,
        excise=node.get(1229, int),
        country=node.get(1230, str),
        customs_declaration=node.get(1231, str),
        additional_attribute=node.get(1191, str),
    )


def from_tlv(doc: Tlv) -> Receipt:
    """Read a receipt document (3 or 31) into a :class:`~ffd12.model.Receipt`."""
    if doc.tag not in (DOC_RECEIPT, DOC_CORRECTION) or not isinstance(doc.value, TlvList):
        raise TlvError(
            f"could not read a receipt: expected document 3 or 31, got tag {doc.tag}", path=str(doc.tag)
        )
    root = _Node(doc.value, str(doc.tag))
    try:
        return _read_receipt(root, doc.tag)
    except TlvError:
        raise
    except InputError as exc:
        raise TlvError(f"could not read a receipt: {exc}", path=str(doc.tag)) from None


def _read_receipt(root: _Node, form: int) -> Receipt:
    items: list[Item] = []
    for index, t in enumerate(root.all(1059)):
        if not isinstance(t.value, TlvList):
            raise root.fail(1059, "could not read tag 1059: expected STLV")
        node = _Node(t.value, f"{root.path}/1059[{index}]")
        items.append(_read_item(node))
        node.finish(ITEM_SKIPPED_TAGS)
    correction = None
    if form == DOC_CORRECTION:
        base = root.sub(1174)
        moment = base.get(1178, _dt.datetime) if base is not None else None
        number = base.get(1179, str) if base is not None else None
        if base is not None:
            base.get(1177, str)
            base.finish()
        correction = Correction(
            type=root.need_enum(1173, CorrectionType),
            date=None if moment is None else moment.date(),
            number=number,
        )
    customer = None
    cu = root.sub(1256)
    if cu is not None:
        customer = Customer(
            name=cu.get(1227, str),
            inn=cu.get(1228, str),
            birth_date=cu.get(1243, str),
            citizenship=cu.get(1244, str),
            document_code=cu.get(1245, str),
            document_data=cu.get(1246, str),
            address=cu.get(1254, str),
        )
        cu.finish()
    user = None
    ur = root.sub(1084)
    if ur is not None:
        user = UserRequisite(name=ur.need(1085, str), value=ur.need(1086, str))
        ur.finish()
    operational = None
    op = root.sub(1270)
    if op is not None:
        operational = OperationalRequisite(
            operation_id=op.need(1271, int), data=op.need(1272, str), timestamp=op.need(1273, _dt.datetime)
        )
        op.finish()
    receipt = Receipt(
        operation=root.need_enum(1054, Operation),
        taxation=root.need_enum(1055, Taxation),
        items=tuple(items),
        payments=Payments(
            cash=root.get(1031, int) or 0,
            electronic=root.get(1081, int) or 0,
            prepaid=root.get(1215, int) or 0,
            credit=root.get(1216, int) or 0,
            provision=root.get(1217, int) or 0,
        ),
        cashier=root.get(1021, str),
        cashier_inn=root.get(1203, str),
        customer_contact=root.get(1008, str),
        sender_email=root.get(1117, str),
        customer=customer,
        sale_address=root.get(1009, str),
        sale_place=root.get(1187, str),
        automat_number=root.get(1036, str),
        agent_type=root.enum(1057, AgentType),
        internet=bool(root.get(1125, int)),
        industry_requisites=tuple(industry.from_tlv(t) for t in root.all(1261)),
        operational=operational,
        user_requisite=user,
        additional_attribute=root.get(1192, str),
        correction=correction,
        date_time=root.get(1012, _dt.datetime),
        total=root.get(1020, int),
    )
    root.finish(FN_SET_TAGS | _DERIVED)
    return receipt


def to_fns_json(receipt: Receipt) -> dict[str, Any]:
    """The receipt as FNS JSON (through its TLV document, so the two always agree)."""
    return fns_json.to_fns_json(to_tlv(receipt))


def from_fns_json(obj: dict[str, Any]) -> Receipt:
    """A receipt from FNS JSON (an OFD or ФНС export); service fields that are no tags are skipped."""
    return from_tlv(fns_json.from_fns_json(obj))
