"""What the virtual FN-M writes and judges: documents as FFD TLV, code checks, ФЛК, saved state.

Split from :mod:`ffd12.emulator.fn` to keep each module small: ``fn`` holds the state machine,
this module the data it produces (spec/ffd12-tlv.md §1–2, spec/shtrih-m.md §4.9).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ffd12.emulator.fnmark import CodeCheck, classify_code
from ffd12.errors import RegisterError, TlvError
from ffd12.tlv import Tlv, TlvList, decode, encode

if TYPE_CHECKING:
    from ffd12.emulator.fn import VirtualFn

__all__ = ["ArchivedDocument", "CodeCheck", "FnRefused", "Item", "OpenReceipt", "Payments", "classify_code"]

FORM_REGISTRATION = 1
FORM_SHIFT_OPEN = 2
FORM_RECEIPT = 3
FORM_SHIFT_CLOSE = 5

RECEIPT_TAGS = frozenset(
    {1008, 1011, 1021, 1057, 1084, 1117, 1125, 1192, 1203, 1227, 1228, 1256, 1261, 1270, 2107}
)
"""Tags FF0C may add to an open кассовый чек (ФЛК whitelist; spec §4.8 and ffd12-tlv §2.1/2.3)."""

ITEM_TAGS = frozenset(
    {1162, 1163, 1191, 1197, 1222, 1223, 1224, 1226, 1229, 1230, 1231, 1260, 1291, 2108, 2115}
)
"""Tags FF4D may add to the current предмет расчета. 1023 and the other tags the KKT builds from
FF46 itself are refused as repeated (spec §4.8, fr_drv_ng #249)."""

CHECK_TAGS = frozenset({1023, 1291, 2108})
"""Tags FF61 may carry with a code (measured / fractional goods, spec §4.9)."""

# FN error codes (spec §2.2).
E_BAD_STATE = 0x02
E_FN_FAILURE = 0x03
E_NO_DATA = 0x08
E_BAD_PARAM = 0x09
E_SHIFT_24H = 0x16
E_MARKING_OFF = 0xA0
E_MARK_SEQUENCE = 0xA1
E_MARK_BLOCKED = 0xA2
E_MARK_TABLE_FULL = 0xA3
E_TAG_NOT_ALLOWED = 0x33
"""Spec §4.8: tags that don't belong in the open FN document are refused with 0x33."""
E_INVALID_OPERATION = 0x5E

_ERROR_TEXT: Mapping[int, str] = {
    E_BAD_STATE: "ФН в неверном состоянии для этой команды",
    E_FN_FAILURE: "сбой ФН",
    E_NO_DATA: "нет запрошенных данных",
    E_BAD_PARAM: "некорректное значение параметра",
    E_SHIFT_24H: "смена превысила 24 часа",
    E_MARKING_OFF: "работа с маркировкой не разрешена",
    E_MARK_SEQUENCE: "неверная последовательность команд маркировки",
    E_MARK_BLOCKED: "маркировка временно заблокирована (хранилище уведомлений заполнено)",
    E_MARK_TABLE_FULL: "переполнение таблицы проверки КМ",
    E_TAG_NOT_ALLOWED: "реквизит не допустим в открытом документе",
    E_INVALID_OPERATION: "недопустимая операция",
}


class FnRefused(RegisterError):
    """The virtual FN said no: ``code`` is the error byte of spec §2.2."""

    def __init__(self, code: int, detail: str = "") -> None:
        text = _ERROR_TEXT.get(code, "ошибка ФН")
        super().__init__(code, f"{text}: {detail}" if detail else text, command="FN")


@dataclass(slots=True, kw_only=True)
class Item:
    """One предмет расчета as FF46 gave it, plus FF4D tags and the FF67 code."""

    name: str
    price: int
    quantity: Decimal
    amount: int
    vat: int
    subject: int
    method: int
    tags: list[Tlv] = field(default_factory=list)
    code: CodeCheck | None = None


@dataclass(slots=True)
class OpenReceipt:
    """The receipt the FN is building: tag 1054, items, receipt tags, things sent ahead of an item."""

    operation: int
    items: list[Item] = field(default_factory=list)
    tags: list[Tlv] = field(default_factory=list)
    pending_tags: list[Tlv] = field(default_factory=list)
    pending_code: CodeCheck | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchivedDocument:
    """One closed fiscal document: its summary (for FF0A) and its full TLV (for FF3A/FF3B)."""

    number: int
    form: int
    time: dt.datetime
    fiscal_sign: int
    tlv: bytes
    operation: int = 0
    amount: int = 0
    shift: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Payments:
    """Net payments of a receipt in kopecks (change already taken off cash)."""

    cash: int = 0
    electronic: int = 0
    prepaid: int = 0
    credit: int = 0
    provision: int = 0


def check_tags(data: bytes, allowed: frozenset[int]) -> list[Tlv]:
    """Decode TLV bytes sent by the host and refuse any tag the open document may not hold."""
    try:
        pieces = list(decode(data))
    except TlvError as exc:
        raise FnRefused(E_TAG_NOT_ALLOWED, f"malformed TLV: {exc}") from exc
    if not pieces:
        raise FnRefused(E_TAG_NOT_ALLOWED, "empty TLV block")
    for piece in pieces:
        if piece.tag not in allowed:
            raise FnRefused(E_TAG_NOT_ALLOWED, f"tag {piece.tag} not allowed in this document")
    return pieces


def _fixed(text: str, size: int) -> str:
    return text[:size].ljust(size)


def header(fn: VirtualFn, number: int, when: dt.datetime) -> list[Tlv]:
    """Requisites every document of this FN carries."""
    reg = fn.registration
    return [
        Tlv(1048, reg.user),
        Tlv(1018, _fixed(reg.inn, 12)),
        Tlv(1037, _fixed(reg.rn_kkt, 20)),
        Tlv(1041, _fixed(reg.fn_number, 16)),
        Tlv(1040, number),
        Tlv(1012, when.replace(microsecond=0, tzinfo=None)),
        Tlv(1009, reg.address),
        Tlv(1187, reg.place),
        Tlv(1209, 4),
    ]


def registration_body(fn: VirtualFn) -> list[Tlv]:
    return [Tlv(1062, fn.registration.taxation)]


def shift_body(fn: VirtualFn, tags: bytes) -> list[Tlv]:
    body = [Tlv(1038, fn.shift_number)]
    if tags:
        body.extend(check_tags(tags, frozenset({1021, 1203})))
    return body


_VAT_TAGS = {1: (1102, 20, 120), 2: (1103, 10, 110), 3: (1106, 20, 120), 4: (1107, 10, 110),
             5: (1104, 1, 1), 6: (1105, 1, 1)}
"""1199 code → (receipt VAT tag, numerator, denominator); 0 % and без НДС carry the turnover.
Rates 7–12 (5 %, 7 %, 22 %) go to 1115 in the 2026 format, which is not settled — not emitted."""


ITEM_FIELDS = ("name", "price", "quantity", "amount", "vat", "subject", "method")


def product_code(check: CodeCheck) -> Tlv:
    """Tag 1163 for a checked code: the product code the marking layer reads from it (1305 КТ
    GS1.М for GS1 DataMatrix codes, spec ffd12-tlv §4.2), or 1300 «не распознан» with the head
    of a code it cannot read."""
    if check.product_tag is not None:
        return Tlv(1163, TlvList([Tlv(check.product_tag, check.product_value)]))
    return Tlv(1163, TlvList([Tlv(1300, check.gtin_serial[:32])]))


def validate_code(code: bytes) -> None:
    """Refuse a code whose 1163 value cannot be written in FFD (e.g. bytes with no CP866 form)."""
    try:
        encode([product_code(classify_code(code, 1, key_fails=False))])
    except TlvError as exc:
        raise FnRefused(E_TAG_NOT_ALLOWED, f"marking code does not fit tag 1163: {exc.reason}") from exc


def _item_tlv(item: Item) -> Tlv:
    extra = {t.tag for t in item.tags}
    children = [
        Tlv(1030, item.name),
        Tlv(1079, item.price),
        Tlv(1023, item.quantity),
        Tlv(1043, item.amount),
        Tlv(1199, item.vat),
        Tlv(1212, item.subject),
        Tlv(1214, item.method),
    ]
    if 2108 not in extra:
        children.append(Tlv(2108, 0))
    children.extend(item.tags)
    if item.code is not None:
        code = item.code
        if 1163 not in extra:
            children.append(product_code(code))
        children.append(Tlv(2102, 0))
        children.append(Tlv(2106, code.check_result))
    return Tlv(1059, TlvList(children))


def validate_item(item: Item) -> None:
    """ФЛК of an item as FF46 gave it: every value must fit its tag (e.g. the name in CP866)."""
    try:
        encode([_item_tlv(item)])
    except TlvError as exc:
        raise FnRefused(E_TAG_NOT_ALLOWED, f"item does not fit FFD: {exc}") from exc


def _round_div(value: int, num: int, den: int) -> int:
    return (value * num * 2 + den) // (den * 2)


def receipt_body(
    fn: VirtualFn, receipt: OpenReceipt, pay: Payments, taxation: int, *, number: int
) -> list[Tlv]:
    """Requisites of a кассовый чек (form 3) after the common header; ``number`` is tag 1042.

    Raises :class:`FnRefused` (0x33) when a value cannot be written, before anything changes.
    """
    items, tags = receipt.items, receipt.tags
    total = sum(i.amount for i in items)
    body = [Tlv(1038, fn.shift_number), Tlv(1042, number), Tlv(1054, receipt.operation),
            Tlv(1055, taxation)]
    body.extend(_item_tlv(i) for i in items)
    body += [Tlv(1020, total), Tlv(1031, pay.cash), Tlv(1081, pay.electronic), Tlv(1215, pay.prepaid),
             Tlv(1216, pay.credit), Tlv(1217, pay.provision)]
    by_rate: dict[int, int] = {}
    for i in items:
        by_rate[i.vat] = by_rate.get(i.vat, 0) + i.amount
    for rate in sorted(by_rate):
        if rate in _VAT_TAGS:
            tag, num, den = _VAT_TAGS[rate]
            body.append(Tlv(tag, by_rate[rate] if num == den else _round_div(by_rate[rate], num, den)))
    coded = [i.code for i in items if i.code is not None]
    if coded:
        body.append(Tlv(2107, 0 if all(c.check_result == 15 for c in coded) else 1))
    body.extend(tags)
    try:
        encode(body)
    except TlvError as exc:
        raise FnRefused(E_TAG_NOT_ALLOWED, f"receipt does not fit FFD: {exc}") from exc
    return body


def fiscal_sign(key: bytes, number: int, data: list[Tlv] | bytes) -> int:
    """ФПД: HMAC-SHA256 over the FD number and the document bytes, first four bytes, big-endian."""
    raw = data if isinstance(data, bytes) else encode(TlvList(data))
    digest = hmac.new(key, number.to_bytes(4, "little") + raw, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def document(form: int, head: list[Tlv], body: list[Tlv], sign: int) -> bytes:
    """The whole document as one STLV: form code → requisites, 1077 last (6 bytes, ФПД in 2..5)."""
    fpd = b"\x00\x01" + sign.to_bytes(4, "big")
    return encode(TlvList([Tlv(form, TlvList([*head, *body, Tlv(1077, fpd)]))]))


