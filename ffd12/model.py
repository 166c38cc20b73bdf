"""The receipt model in FFD vocabulary: pure, frozen, slotted, keyword-only data (layer 1).

No I/O and no serialization here: ``ffd12.tlv`` and ``ffd12.xml`` map these objects to bytes and
XML, ``ffd12.rules`` checks them against FFD 1.2.

Money is an ``int`` of kopecks. At this public edge a :class:`~decimal.Decimal` or a ``str`` is
also taken and read as **rubles** ("149.90" → 14990), converted once on construction; floats are
refused. Quantities are :class:`~decimal.Decimal` (an ``int`` or ``str`` is converted). Enum
fields take a plain ``int`` too and store the enum member.

>>> item = Item(name="Молоко", price="89.90", quantity=2, amount=17980, vat=VatRate.VAT10,
...             subject=Subject.GOODS, payment_method=PaymentMethod.FULL_PAYMENT, measure=0)
>>> item.price, item.quantity, item.measure
(8990, Decimal('2'), <Measure.PIECE: 0>)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

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
from ffd12.errors import InputError

if TYPE_CHECKING:
    from ffd12.marking.model import MarkingCode, ProductCode

__all__ = [
    "MARKING_PRODUCT_TAGS",
    "AgentData",
    "Barcode",
    "Correction",
    "Customer",
    "Fraction",
    "IndustryRequisite",
    "Item",
    "OperationalRequisite",
    "Payments",
    "Receipt",
    "Supplier",
    "TextLine",
    "UserRequisite",
    "kopecks",
    "rubles",
]

_CENT = Decimal("0.01")
_E = TypeVar("_E")

MARKING_PRODUCT_TAGS = frozenset({1300, 1305, 1306, 1307})
"""1163 children that stand for a marking code when the КМ itself (with its crypto tail) is gone, as
in a receipt read back from TLV: нераспознанный, GS1.М, КМК, МИ (spec/ffd12-tlv.md §2.2, §4.2)."""


def kopecks(value: int | Decimal | str) -> int:
    """Money to kopecks: an ``int`` is already kopecks, a ``Decimal``/``str`` is rubles.

    >>> kopecks(150), kopecks(Decimal("1.5")), kopecks("0.07")
    (150, 150, 7)
    """
    if type(value) is int:  # the common case, kept first: this runs for every amount of every item
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise InputError(f"could not read money: expected int kopecks, Decimal or str, got {value!r}")
    if isinstance(value, int):
        return int(value)
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else value
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, AttributeError) as exc:
        raise InputError(f"could not read money: expected rubles like '149.90', got {value!r}") from exc
    if amount.quantize(_CENT, rounding=ROUND_HALF_UP) != amount:
        raise InputError(f"could not read money: more than 2 decimals in {value!r}")
    return int(amount * 100)


def rubles(value: int) -> Decimal:
    """Kopecks to rubles as a two-decimal Decimal: ``rubles(14990) == Decimal("149.90")``."""
    return (Decimal(value) / 100).quantize(_CENT)


def _quantity(value: Decimal | int | str) -> Decimal:
    if type(value) is Decimal and value.is_finite():
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise InputError(f"could not read quantity: expected Decimal, int or str, got {value!r}")
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, AttributeError, TypeError) as exc:
        raise InputError(f"could not read quantity: expected a number, got {value!r}") from exc
    if not result.is_finite():
        raise InputError(f"could not read quantity: expected a finite number, got {value!r}")
    return result


def _enum(kind: Callable[[int], _E], value: Any, what: str) -> _E:
    if type(value) is kind:
        return value  # type: ignore[no-any-return]
    try:
        return kind(int(value))
    except (ValueError, TypeError) as exc:
        raise InputError(f"could not read {what}: unknown value {value!r}") from exc


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class IndustryRequisite:
    """Отраслевой реквизит: 1260 on an item, 1261 on a receipt (tags 1262–1265).

    ``foiv`` (1262) is the 3-digit authority id, e.g. "030"; ``doc_date`` (1263) the date of the
    foundation document as written in FFD, «ДД.ММ.ГГГГ», e.g. "21.11.2023"; ``doc_number`` (1264)
    its number, e.g. "1944"; ``value`` (1265) the requisite itself, e.g.
    "UUID=<reqId>&Time=<reqTimestamp>" in permissive mode. Formats and lengths are checked by
    ``ffd12.rules`` and by the TLV encoder, not here.
    """

    foiv: str
    doc_date: str
    doc_number: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Fraction:
    """1291 дробное количество маркированного товара: 1293 числитель / 1294 знаменатель."""

    numerator: int
    denominator: int

    @property
    def text(self) -> str:
        """Tag 1292 «дробная часть», e.g. "1/2"."""
        return f"{self.numerator}/{self.denominator}"

    @property
    def value(self) -> Decimal:
        return Decimal(self.numerator) / Decimal(self.denominator) if self.denominator else Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentData:
    """1223 данные агента: 1044 операция, 1073/1074/1075 телефоны, 1026/1005/1016 оператор перевода."""

    operation: str | None = None
    phones: tuple[str, ...] = ()
    processor_phones: tuple[str, ...] = ()
    operator_phones: tuple[str, ...] = ()
    operator_name: str | None = None
    operator_address: str | None = None
    operator_inn: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Supplier:
    """1224 данные поставщика (1171 телефоны, 1225 наименование) and 1226 ИНН поставщика."""

    phones: tuple[str, ...] = ()
    name: str | None = None
    inn: str | None = None

    def __bool__(self) -> bool:
        return bool(self.phones or self.name or self.inn)


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """1256 сведения о покупателе: 1227 покупатель, 1228 ИНН, 1243 дата рождения «ДД.ММ.ГГГГ»,
    1244 гражданство (ОКСМ), 1245 код вида документа, 1246 данные документа, 1254 адрес."""

    name: str | None = None
    inn: str | None = None
    birth_date: str | None = None
    citizenship: str | None = None
    document_code: str | None = None
    document_data: str | None = None
    address: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationalRequisite:
    """1270 операционный реквизит чека: 1271 идентификатор, 1272 данные, 1273 дата и время."""

    operation_id: int
    data: str
    timestamp: _dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRequisite:
    """1084 дополнительный реквизит пользователя: 1085 наименование, 1086 значение."""

    name: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """What makes a receipt a чек коррекции: 1173 тип, 1174 основание (1178 дата, 1179 номер).

    ``description`` is the 1C ``CorrectionData/Description`` (1177 in FFD 1.05; not sent in 1.2).
    """

    type: CorrectionType
    date: _dt.date | None = None
    number: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        _set(self, "type", _enum(CorrectionType, self.type, "correction type (1173)"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Payments:
    """How the receipt is paid, in kopecks: 1031 наличными, 1081 безналичными, 1215 предоплатой
    (зачет аванса), 1216 постоплатой (кредит), 1217 встречным предоставлением."""

    cash: int = 0
    electronic: int = 0
    prepaid: int = 0
    credit: int = 0
    provision: int = 0

    def __post_init__(self) -> None:
        for name in ("cash", "electronic", "prepaid", "credit", "provision"):
            _set(self, name, kopecks(getattr(self, name)))

    @property
    def total(self) -> int:
        return self.cash + self.electronic + self.prepaid + self.credit + self.provision


@dataclass(frozen=True, slots=True, kw_only=True)
class TextLine:
    """A non-fiscal text line to print. ``position`` = how many items come before it."""

    text: str
    position: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Barcode:
    """A barcode to print (1C ``Barcode``): ``kind`` EAN8, EAN13, CODE39 or QR; ``value`` bytes."""

    kind: str
    value: bytes
    position: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """1059 предмет расчета.

    Required: ``name`` 1030, ``price`` 1079 (kopecks, with discounts), ``quantity`` 1023,
    ``amount`` 1043 (kopecks), ``vat`` 1199. ``measure`` 2108 is required by FFD 1.2 and checked
    by the rules rather than here, so a model read from an older source can still be reported on.

    Marking: ``marking_code`` is the parsed КМ (1163 is derived from it), ``planned_status`` 2003,
    ``check_result`` 2106, ``fraction`` 1291. ``product_codes`` are further 1163 children (e.g. an
    EAN-13 of a non-marked item). ``industry_requisites`` are the 1260 blocks (several allowed).
    ``department`` and ``discount`` are 1C print-only data, never in the TLV.
    """

    name: str
    price: int
    quantity: Decimal
    amount: int
    vat: VatRate
    vat_amount: int | None = None
    subject: Subject = Subject.GOODS
    payment_method: PaymentMethod = PaymentMethod.FULL_PAYMENT
    measure: Measure | None = None
    marking_code: MarkingCode | None = None
    product_codes: tuple[ProductCode, ...] = ()
    planned_status: PlannedStatus | None = None
    check_result: CheckResult | None = None
    fraction: Fraction | None = None
    industry_requisites: tuple[IndustryRequisite, ...] = ()
    agent_type: AgentType | None = None
    agent: AgentData | None = None
    supplier: Supplier | None = None
    excise: int | None = None
    country: str | None = None
    customs_declaration: str | None = None
    additional_attribute: str | None = None
    department: int | None = None
    discount: int | None = None

    def __post_init__(self) -> None:
        _set(self, "price", kopecks(self.price))
        _set(self, "amount", kopecks(self.amount))
        _set(self, "quantity", _quantity(self.quantity))
        for name in ("vat_amount", "excise", "discount"):
            if getattr(self, name) is not None:
                _set(self, name, kopecks(getattr(self, name)))
        _set(self, "vat", _enum(VatRate, self.vat, "VAT rate (1199)"))
        _set(self, "subject", _enum(Subject, self.subject, "subject (1212)"))
        _set(self, "payment_method", _enum(PaymentMethod, self.payment_method, "payment method (1214)"))
        if self.measure is not None:
            _set(self, "measure", _enum(Measure, self.measure, "measure (2108)"))
        if self.planned_status is not None:
            _set(self, "planned_status", _enum(PlannedStatus, self.planned_status, "planned status (2003)"))
        if self.check_result is not None:
            _set(self, "check_result", _enum(CheckResult, self.check_result, "check result (2106)"))
        if self.agent_type is not None:
            _set(self, "agent_type", _enum(AgentType, self.agent_type, "agent type (1222)"))
        _set(self, "product_codes", tuple(self.product_codes))
        _set(self, "industry_requisites", tuple(self.industry_requisites))

    @property
    def marking_product_codes(self) -> tuple[ProductCode, ...]:
        """The 1163 codes that stand for a marking code (see :data:`MARKING_PRODUCT_TAGS`)."""
        return tuple(c for c in self.product_codes if c.tag in MARKING_PRODUCT_TAGS)

    @property
    def is_marked(self) -> bool:
        """A marking code is present or the subject says «подлежащий маркировке, с КМ» (31/33)."""
        return self.marking_code is not None or self.subject in (Subject.EXCISE_MARKED, Subject.MARKED_GOODS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """Кассовый чек (document 3), or чек коррекции (document 31) when ``correction`` is set.

    Header: ``operation`` 1054, ``taxation`` 1055, ``cashier`` 1021 and ``cashier_inn`` 1203,
    ``customer_contact`` 1008, ``sender_email`` 1117, ``customer`` 1256, ``sale_address`` 1009,
    ``sale_place`` 1187, ``automat_number`` 1036, ``agent_type`` 1057, ``internet`` 1125.
    Requisites: ``industry_requisites`` 1261, ``operational`` 1270, ``user_requisite`` 1084,
    ``additional_attribute`` 1192. ``date_time`` 1012 is normally set by the register; ``total``
    (1020) is the declared total when one was read — the rules compare it with the items.
    ``texts`` and ``barcodes`` are print-only and never reach the TLV.
    """

    operation: Operation
    taxation: Taxation
    items: tuple[Item, ...]
    payments: Payments = field(default_factory=Payments)
    cashier: str | None = None
    cashier_inn: str | None = None
    customer_contact: str | None = None
    sender_email: str | None = None
    customer: Customer | None = None
    sale_address: str | None = None
    sale_place: str | None = None
    automat_number: str | None = None
    agent_type: AgentType | None = None
    internet: bool = False
    industry_requisites: tuple[IndustryRequisite, ...] = ()
    operational: OperationalRequisite | None = None
    user_requisite: UserRequisite | None = None
    additional_attribute: str | None = None
    correction: Correction | None = None
    date_time: _dt.datetime | None = None
    total: int | None = None
    texts: tuple[TextLine, ...] = ()
    barcodes: tuple[Barcode, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "operation", _enum(Operation, self.operation, "operation (1054)"))
        _set(self, "taxation", _enum(Taxation, self.taxation, "taxation system (1055)"))
        if self.agent_type is not None:
            _set(self, "agent_type", _enum(AgentType, self.agent_type, "agent type (1057)"))
        if self.total is not None:
            _set(self, "total", kopecks(self.total))
        for name in ("items", "industry_requisites", "texts", "barcodes"):
            _set(self, name, tuple(getattr(self, name)))

    @property
    def is_correction(self) -> bool:
        return self.correction is not None

    @property
    def items_total(self) -> int:
        """Σ 1043 over the items: the 1020 ИТОГ of the receipt, kopecks."""
        return sum(item.amount for item in self.items)
