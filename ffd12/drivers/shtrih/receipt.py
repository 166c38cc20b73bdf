"""From a ``Receipt`` to Shtrih command fields: pure mapping tables, no I/O (spec/shtrih-m.md §4.4–4.10).

The driver asks this module what to send — FF46 operation fields, FF4D item tags, FF0C receipt
tags, FF45 payments and tax system, FF61 marking-code bytes — so the mapping is testable byte by
byte without a device.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from ffd12.enums import Measure, Operation, PlannedStatus, VatRate
from ffd12.errors import InputError
from ffd12.model import Item, Receipt
from ffd12.tlv import Tlv, TlvList, encode
from ffd12.tlv.industry import to_tlv

__all__ = [
    "NANO_MODELS",
    "NOT_GIVEN",
    "TAGS_FIRST_MODELS",
    "TLV_CHUNK",
    "close_fields",
    "item_tags",
    "km_bytes",
    "measured_check_tlv",
    "operation_fields",
    "planned_status_for",
    "receipt_tags",
    "receipt_type",
    "tlv_chunks",
    "vat_byte",
]

NOT_GIVEN = 0xFF_FF_FF_FF_FF  # §4.6: FF×5 = "let the KKT compute" / "not given"
TLV_CHUNK = 250  # §4.8: FF0C / FF4D carry at most 250 bytes of TLV
QUANTITY_SCALE = 1_000_000  # §4.6: 6 implied decimals
TAGS_FIRST_MODELS = frozenset({16, 19, 20, 21, 45, 46})  # §4.10: КЯ and ШТРИХ-MOBILE-Ф
NANO_MODELS = frozenset({152})  # §4.6: ШТРИХ-NANO-Ф has its own 22 % bytes

# §4.4: 0x8D receipt type by FFD operation 1054
_RECEIPT_TYPE = MappingProxyType({
    Operation.SALE: 0, Operation.EXPENSE: 1, Operation.SALE_RETURN: 2, Operation.EXPENSE_RETURN: 3,
})

# §4.6 tax rate byte by FFD 1199 (desktop firmware; ids 7–12 are [V1], firmware dependent)
_VAT_DESKTOP = MappingProxyType({
    VatRate.VAT20: 0x01, VatRate.VAT10: 0x02, VatRate.VAT0: 0x04, VatRate.NONE: 0x08,
    VatRate.VAT20_120: 0x10, VatRate.VAT10_110: 0x20, VatRate.VAT5: 0x81, VatRate.VAT7: 0x82,
    VatRate.VAT5_105: 0x84, VatRate.VAT7_107: 0x88, VatRate.VAT22: 0xCB, VatRate.VAT22_122: 0xCC,
})
_VAT_NANO = MappingProxyType({**_VAT_DESKTOP, VatRate.VAT22: 0x90, VatRate.VAT22_122: 0xA0})

# §4.7: FF45 payment slot (0-based) per Payments field
_PAYMENT_SLOTS = (("cash", 0), ("electronic", 1), ("prepaid", 13), ("credit", 14), ("provision", 15))


def receipt_type(operation: Operation) -> int:
    """The 0x8D receipt type (0 sale, 1 buy, 2 sale return, 3 buy return) for FFD 1054."""
    return _RECEIPT_TYPE[Operation(operation)]


def vat_byte(vat: VatRate, *, model: int | None = None) -> int:
    """The FF46 tax rate byte of §4.6 for FFD 1199."""
    table = _VAT_NANO if model in NANO_MODELS else _VAT_DESKTOP
    return table[VatRate(vat)]


def _cp1251_name(name: str, size: int) -> str:
    out = name.encode("cp1251", errors="replace")[:size]
    return out.decode("cp1251", errors="ignore")


def _scaled_quantity(quantity: Decimal) -> int:
    scaled = quantity * QUANTITY_SCALE
    if scaled != scaled.to_integral_value() or scaled < 0 or scaled >= 1 << 48:
        raise InputError(f"could not send quantity {quantity}: expected 0..2^48/10^6 with at most 6 decimals")
    return int(scaled)


def operation_fields(item: Item, operation: Operation, *, model: int | None = None) -> dict[str, Any]:
    """FF46 fields (§4.6) for one item; the password is added by the driver."""
    department = 1 if item.department is None else item.department
    if not (0 <= department <= 16 or department == 255):
        raise InputError(f"could not send department {department}: expected 0..16 or 255")
    return {
        "operation": int(operation),
        "quantity": _scaled_quantity(item.quantity),
        "price": item.price,
        "amount": item.amount,
        "tax_amount": NOT_GIVEN if item.vat_amount is None else item.vat_amount,
        "tax_rate": vat_byte(item.vat, model=model),
        "department": department,
        "payment_method": int(item.payment_method),
        "subject": int(item.subject),
        "name": _cp1251_name(item.name, 128),
    }


def item_tags(item: Item) -> list[Tlv]:
    """Tags sent with FF4D for the current item (§4.8): 2108, 1291, 1260…, 1191, 1229–1231, 1222–1226.

    1023 is never sent: FF46 carries the quantity, and КЯ firmware refuses a repeated 1023 (§4.8).
    """
    tags: list[Tlv] = []
    if item.measure is not None:
        tags.append(Tlv(2108, int(item.measure)))
    if item.fraction is not None:
        tags.append(Tlv(1291, TlvList([Tlv(1293, item.fraction.numerator),
                                        Tlv(1294, item.fraction.denominator)])))
    tags.extend(to_tlv(req, tag=1260) for req in item.industry_requisites)
    if item.additional_attribute:
        tags.append(Tlv(1191, item.additional_attribute))
    if item.excise is not None:
        tags.append(Tlv(1229, item.excise))
    if item.country:
        tags.append(Tlv(1230, item.country))
    if item.customs_declaration:
        tags.append(Tlv(1231, item.customs_declaration))
    if item.agent_type is not None:
        tags.append(Tlv(1222, int(item.agent_type)))
    agent = item.agent
    if agent:
        sub = [Tlv(1073, p) for p in agent.phones] + [Tlv(1074, p) for p in agent.processor_phones]
        sub += [Tlv(1075, p) for p in agent.operator_phones]
        sub += [Tlv(t, v) for t, v in ((1044, agent.operation), (1026, agent.operator_name),
                                       (1005, agent.operator_address), (1016, agent.operator_inn)) if v]
        tags.append(Tlv(1223, TlvList(sub)))
    supplier = item.supplier
    if supplier is not None and (supplier.phones or supplier.name):
        sub = [Tlv(1171, p) for p in supplier.phones] + ([Tlv(1225, supplier.name)] if supplier.name else [])
        tags.append(Tlv(1224, TlvList(sub)))
    if supplier is not None and supplier.inn:
        tags.append(Tlv(1226, supplier.inn))
    return tags


def receipt_tags(receipt: Receipt) -> list[Tlv]:
    """Receipt-level tags sent with FF0C (§4.8): cashier, buyer contact, 1261, 1084, 1192, …"""
    tags: list[Tlv] = []
    for tag, value in ((1021, receipt.cashier), (1203, receipt.cashier_inn),
                       (1008, receipt.customer_contact), (1117, receipt.sender_email),
                       (1009, receipt.sale_address), (1187, receipt.sale_place),
                       (1036, receipt.automat_number), (1192, receipt.additional_attribute)):
        if value:
            tags.append(Tlv(tag, value))
    if receipt.agent_type is not None:
        tags.append(Tlv(1057, int(receipt.agent_type)))
    if receipt.internet:
        tags.append(Tlv(1125, 1))
    customer = receipt.customer
    if customer:
        fields = ((1227, customer.name), (1228, customer.inn), (1243, customer.birth_date),
                  (1244, customer.citizenship), (1245, customer.document_code),
                  (1246, customer.document_data), (1254, customer.address))
        tags.append(Tlv(1256, TlvList(Tlv(t, v) for t, v in fields if v)))
    if receipt.user_requisite is not None:
        tags.append(Tlv(1084, TlvList([Tlv(1085, receipt.user_requisite.name),
                                        Tlv(1086, receipt.user_requisite.value)])))
    if receipt.operational is not None:
        op = receipt.operational
        tags.append(Tlv(1270, TlvList([Tlv(1271, op.operation_id), Tlv(1272, op.data),
                                        Tlv(1273, op.timestamp)])))
    tags.extend(to_tlv(req, tag=1261) for req in receipt.industry_requisites)
    return tags


def tlv_chunks(tags: Iterable[Tlv], limit: int = TLV_CHUNK) -> list[bytes]:
    """Encoded tags packed into blocks of at most ``limit`` bytes, never splitting a tag."""
    chunks: list[bytes] = []
    current = b""
    for tag in tags:
        raw = encode([tag])
        if len(raw) > limit:
            raise InputError(f"could not send tag {tag.tag}: {len(raw)} bytes exceed the {limit}-byte block "
                             "(FF32/FF33 buffer loading is not supported)")
        if len(current) + len(raw) > limit:
            chunks.append(current)
            current = b""
        current += raw
    if current:
        chunks.append(current)
    return chunks


def close_fields(receipt: Receipt) -> dict[str, Any]:
    """FF45 fields (§4.7): 16 payment slots, rounding 0, taxes left to the KKT, tax system bit."""
    payments = [0] * 16
    for name, slot in _PAYMENT_SLOTS:
        payments[slot] = getattr(receipt.payments, name)
    return {
        "payments": payments,
        "rounding": 0,
        "taxes": [0] * 6,
        "tax_system": int(receipt.taxation),
        "text": "",
    }


def km_bytes(code: Any) -> bytes:
    """The marking code exactly as scanned, GS kept as 0x1D (§4.9): from a MarkingCode, str or bytes."""
    if isinstance(code, bytes | bytearray):
        raw = bytes(code)
    else:
        text = code if isinstance(code, str) else getattr(code, "canonical", None)
        if not isinstance(text, str):
            raise InputError("could not send a marking code: expected str, bytes or MarkingCode, "
                             f"got {type(code).__name__}")
        try:
            raw = text.encode("ascii")
        except UnicodeEncodeError:
            raise InputError("could not send a marking code: expected ASCII characters only") from None
    if not 1 <= len(raw) <= 255:
        raise InputError(f"could not send a marking code: expected 1..255 bytes, got {len(raw)}")
    return raw


def _is_measured(item: Item) -> bool:
    return item.fraction is not None or (item.measure is not None and item.measure != Measure.PIECE)


def planned_status_for(item: Item, operation: Operation) -> int:
    """Tag 2003 for FF61: the item's own, else piece/measured sold or returned by the operation."""
    if item.planned_status is not None:
        return int(item.planned_status)
    returned = Operation(operation) in (Operation.SALE_RETURN, Operation.EXPENSE_RETURN)
    if _is_measured(item):
        return int(PlannedStatus.MEASURED_RETURNED if returned else PlannedStatus.MEASURED_SOLD)
    return int(PlannedStatus.PIECE_RETURNED if returned else PlannedStatus.PIECE_SOLD)


def measured_check_tlv(planned_status: int, quantity: Decimal, measure: int, fraction: Any = None) -> bytes:
    """FF61 TLV (§4.9): 2108 + 1023 (+1291) only for measured statuses 2 and 4, else empty."""
    if planned_status not in (PlannedStatus.MEASURED_SOLD, PlannedStatus.MEASURED_RETURNED):
        return b""
    tags = [Tlv(2108, int(measure)), Tlv(1023, Decimal(quantity))]
    if fraction is not None:
        tags.append(Tlv(1291, TlvList([Tlv(1293, fraction.numerator), Tlv(1294, fraction.denominator)])))
    return encode(tags)
