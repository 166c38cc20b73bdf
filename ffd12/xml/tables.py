"""1C value tokens and attribute names ⇄ FFD values, as data (spec/onec-xml.md §1, §4, §5).

Every mapping the 1C XML needs lives here, in one place:

* :data:`VAT_TOKENS` — ``VATRate`` strings ⇄ tag 1199. The 4.4 tokens for 5 %/7 % and the 2026
  tokens for 22 % could not be read in a 1C text (spec §1 "Open — VAT rate tokens"); the reading
  used here (``"5"``, ``"7"``, ``"5/105"``, ``"7/107"``, ``"22"``, ``"22/122"``) is the one two
  KKT servers accept, and each such row is marked ``verified=False``.
* :data:`TAXATION_CODES` — the 1C ``TaxationSystem`` code (0–5) ⇄ the 1055 bit.
* :data:`LEGACY_*` — pre-3.0 attribute names and what they became.
* :data:`PRODUCT_CODE_KEYS` — ``GoodCodeData`` attribute ⇄ 1163 child tag (1300–1325); tag
  numbers other than those quoted in the 1C text are **unverified** (spec §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from ffd12.enums import Measure, Taxation, VatRate

__all__ = [
    "LEGACY_AGENT",
    "LEGACY_FISCAL_STRING",
    "LEGACY_PARAMETERS",
    "LEGACY_PAYMENTS",
    "LEGACY_VENDOR",
    "MEASURE_NAMES",
    "PRODUCT_CODE_KEYS",
    "TAXATION_CODES",
    "VAT_TOKENS",
    "VatToken",
    "vat_from_token",
    "vat_to_token",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class VatToken:
    """One ``VATRate`` string: its 1199 code, whether 1C still writes it, and if it is confirmed."""

    token: str
    rate: VatRate
    legacy: bool = False
    verified: bool = True


VAT_TOKENS: Final[tuple[VatToken, ...]] = (
    VatToken(token="20", rate=VatRate.VAT20),
    VatToken(token="10", rate=VatRate.VAT10),
    VatToken(token="20/120", rate=VatRate.VAT20_120),
    VatToken(token="10/110", rate=VatRate.VAT10_110),
    VatToken(token="0", rate=VatRate.VAT0),
    VatToken(token="none", rate=VatRate.NONE),
    VatToken(token="5", rate=VatRate.VAT5, verified=False),
    VatToken(token="7", rate=VatRate.VAT7, verified=False),
    VatToken(token="5/105", rate=VatRate.VAT5_105, verified=False),
    VatToken(token="7/107", rate=VatRate.VAT7_107, verified=False),
    VatToken(token="22", rate=VatRate.VAT22, verified=False),
    VatToken(token="22/122", rate=VatRate.VAT22_122, verified=False),
    # 18 % became 20 % in 2019; 1C fixtures still send it and Mitsu maps 18 → 20 (spec §8)
    VatToken(token="18", rate=VatRate.VAT20, legacy=True),
    VatToken(token="18/118", rate=VatRate.VAT20_120, legacy=True),
)

_BY_TOKEN: Final = MappingProxyType({t.token: t for t in VAT_TOKENS})
_BY_RATE: Final = MappingProxyType({t.rate: t.token for t in VAT_TOKENS if not t.legacy})


def vat_from_token(token: str) -> VatToken | None:
    """The row for a ``VATRate`` string (case-insensitive, blanks trimmed), or None if unknown."""
    return _BY_TOKEN.get(token.strip().lower())


def vat_to_token(rate: VatRate) -> str:
    """The current ``VATRate`` string for a 1199 code (never a legacy token)."""
    return _BY_RATE[rate]


TAXATION_CODES: Final = MappingProxyType(
    {
        0: Taxation.OSN,
        1: Taxation.USN_INCOME,
        2: Taxation.USN_INCOME_EXPENSE,
        3: Taxation.ENVD,
        4: Taxation.ESHN,
        5: Taxation.PATENT,
    }
)
"""1C ``TaxationSystem`` code → 1055 bit (spec §5.2: «not the FFD bitmask»)."""

TAXATION_BY_FLAG: Final = MappingProxyType({flag: code for code, flag in TAXATION_CODES.items()})

PRODUCT_CODE_KEYS: Final[tuple[tuple[str, int], ...]] = (
    ("NotIdentified", 1300),
    ("EAN8", 1301),
    ("EAN13", 1302),
    ("ITF14", 1303),
    ("GS1.0", 1304),
    ("GS1.M", 1305),
    ("KMK", 1306),
    ("MI", 1307),
    ("EGAIS20", 1308),
    ("EGAIS30", 1309),
    ("F1", 1320),
    ("F2", 1321),
    ("F3", 1322),
    ("F4", 1323),
    ("F5", 1324),
    ("F6", 1325),
)
"""``GoodCodeData`` attribute name → tag 1163 child (spec §4.2)."""

LEGACY_PARAMETERS: Final = MappingProxyType(
    {
        "PaymentType": "OperationType",
        "TaxVariant": "TaxationSystem",
        "CashierVATIN": "CashierINN",
        "AddressSettle": "SaleAddress",
        "PlaceSettle": "SaleLocation",
    }
)
"""Pre-3.0 ``Parameters`` attributes (spec §1, samples A8, A10, A11)."""

LEGACY_FISCAL_STRING: Final = MappingProxyType(
    {
        "Price": "PriceWithDiscount",
        "Amount": "AmountWithDiscount",
        "SumWithDiscount": "AmountWithDiscount",
        "DiscountSum": "DiscountAmount",
        "Tax": "VATRate",
        "TaxSum": "VATAmount",
        "SignMethodCalculation": "PaymentMethod",
        "SignCalculationObject": "CalculationSubject",
    }
)
"""Pre-3.0 ``FiscalString`` attributes (spec §1)."""

LEGACY_AGENT: Final = MappingProxyType(
    {
        "PayingAgentOperation": "AgentOperation",
        "PayingAgentPhone": "AgentPhone",
        "ReceivePaymentsOperatorPhone": "PaymentProcessorPhone",
        "MoneyTransferOperatorPhone": "AcquirerOperatorPhone",
        "MoneyTransferOperatorName": "AcquirerOperatorName",
        "MoneyTransferOperatorAddress": "AcquirerOperatorAddress",
        "MoneyTransferOperatorVATIN": "AcquirerOperatorINN",
    }
)
"""Pre-3.0 ``AgentData`` attributes (spec §1)."""

LEGACY_VENDOR: Final = MappingProxyType(
    {"PurveyorPhone": "VendorPhone", "PurveyorName": "VendorName", "PurveyorVATIN": "VendorINN"}
)
"""``PurveyorData`` (3.0 and older) → ``VendorData`` attributes."""

LEGACY_PAYMENTS: Final = MappingProxyType(
    {
        "CashLessType1": "ElectronicPayment",
        "CashLessType2": "ElectronicPayment",
        "CashLessType3": "ElectronicPayment",
        "AdvancePayment": "PrePayment",
        "Credit": "PostPayment",
        "CashProvision": "Barter",
    }
)
"""Older ``Payments`` attributes; several may add up into one current attribute."""

MEASURE_NAMES: Final = MappingProxyType(
    {
        "шт": Measure.PIECE,
        "шт.": Measure.PIECE,
        "штука": Measure.PIECE,
        "штук": Measure.PIECE,
        "г": Measure.GRAM,
        "грамм": Measure.GRAM,
        "кг": Measure.KILOGRAM,
        "килограмм": Measure.KILOGRAM,
        "т": Measure.TONNE,
        "м": Measure.METRE,
        "метр": Measure.METRE,
        "м2": Measure.SQ_METRE,
        "кв.м": Measure.SQ_METRE,
        "м3": Measure.CUBIC_METRE,
        "л": Measure.LITRE,
        "литр": Measure.LITRE,
        "мл": Measure.MILLILITRE,
    }
)
"""FFD 1.05 ``MeasurementUnit`` (1197, free text) → 2108, for the names seen in 1C data."""
