"""FFD 1.2 value tables as enums, each member with its Russian wording (spec/ffd12-tlv.md §2.6).

Every enum here is an :class:`int` subclass whose value is exactly what goes into the TLV tag;
``member.description`` gives the wording used in the FFD tables. Bit-mask requisites (1055, 1057,
1222, 2106) are :class:`enum.IntFlag`.

>>> VatRate(7).description
'НДС 5 %'
>>> Subject.MARKED_GOODS.value
33
>>> CheckResult(15) == CheckResult.FN_CHECKED | CheckResult.FN_POSITIVE | CheckResult.OISM_CHECKED \\
...     | CheckResult.STATUS_CORRECT
True
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum, IntFlag
from types import MappingProxyType
from typing import Final

__all__ = [
    "AgentType",
    "CheckResult",
    "CorrectionType",
    "FfdVersion",
    "HandleCode",
    "MarkingCodeType",
    "Measure",
    "Operation",
    "PaymentMethod",
    "PlannedStatus",
    "StatusInfo",
    "Subject",
    "Taxation",
    "VatRate",
]


class _Described(IntEnum):
    """An FFD value table: ``description`` is the Russian wording of the member."""

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[type(self).__name__][int(self)]


class _DescribedFlag(IntFlag):
    """An FFD bit mask: ``description`` joins the wording of every bit that is set."""

    @property
    def description(self) -> str:
        words = _DESCRIPTIONS[type(self).__name__]
        return "; ".join(words[bit] for bit in sorted(words) if int(self) & bit) or "—"


class Operation(_Described):
    """1054 признак расчета."""

    SALE = 1
    SALE_RETURN = 2
    EXPENSE = 3
    EXPENSE_RETURN = 4


class Taxation(_DescribedFlag):
    """1055 применяемая система налогообложения (bit mask; a receipt has exactly one bit)."""

    OSN = 1
    USN_INCOME = 2
    USN_INCOME_EXPENSE = 4
    ENVD = 8
    ESHN = 16
    PATENT = 32


class AgentType(_DescribedFlag):
    """1057 признак агента / 1222 признак агента по предмету расчета (bit mask)."""

    BANK_PAYING_AGENT = 1
    BANK_PAYING_SUBAGENT = 2
    PAYING_AGENT = 4
    PAYING_SUBAGENT = 8
    ATTORNEY = 16
    COMMISSION_AGENT = 32
    OTHER_AGENT = 64


class VatRate(_Described):
    """1199 ставка НДС. Codes 7–12 (5 %, 7 %, 22 % and their calculated forms) date from 2025/2026."""

    VAT20 = 1
    VAT10 = 2
    VAT20_120 = 3
    VAT10_110 = 4
    VAT0 = 5
    NONE = 6
    VAT5 = 7
    VAT7 = 8
    VAT5_105 = 9
    VAT7_107 = 10
    VAT22 = 11
    VAT22_122 = 12

    @property
    def fraction(self) -> tuple[Decimal, Decimal]:
        """(numerator, denominator) of the VAT share of a price that includes VAT.

        20 % of a price with VAT is 20/120 of it; "20/120" itself is the same share. For 0 % and
        «без НДС» the share is 0/1.
        """
        return _VAT_SHARE[self]


_VAT_SHARE: Final = MappingProxyType(
    {
        VatRate.VAT20: (Decimal(20), Decimal(120)),
        VatRate.VAT10: (Decimal(10), Decimal(110)),
        VatRate.VAT20_120: (Decimal(20), Decimal(120)),
        VatRate.VAT10_110: (Decimal(10), Decimal(110)),
        VatRate.VAT0: (Decimal(0), Decimal(1)),
        VatRate.NONE: (Decimal(0), Decimal(1)),
        VatRate.VAT5: (Decimal(5), Decimal(105)),
        VatRate.VAT7: (Decimal(7), Decimal(107)),
        VatRate.VAT5_105: (Decimal(5), Decimal(105)),
        VatRate.VAT7_107: (Decimal(7), Decimal(107)),
        VatRate.VAT22: (Decimal(22), Decimal(122)),
        VatRate.VAT22_122: (Decimal(22), Decimal(122)),
    }
)


class Subject(_Described):
    """1212 признак предмета расчета (FFD 1.2, incl. 30–33 for goods subject to marking)."""

    GOODS = 1
    EXCISE_GOODS = 2
    WORK = 3
    SERVICE = 4
    GAMBLING_BET = 5
    GAMBLING_WIN = 6
    LOTTERY_TICKET = 7
    LOTTERY_WIN = 8
    IP_RIGHTS = 9
    PAYMENT = 10
    AGENT_FEE = 11
    COMPOSITE = 12
    OTHER = 13
    PROPERTY_RIGHT = 14
    NON_OPERATING_INCOME = 15
    INSURANCE_CONTRIBUTIONS = 16
    TRADE_FEE = 17
    RESORT_FEE = 18
    DEPOSIT = 19
    EXPENSE = 20
    PENSION_INSURANCE_IP = 21
    PENSION_INSURANCE = 22
    MEDICAL_INSURANCE_IP = 23
    MEDICAL_INSURANCE = 24
    SOCIAL_INSURANCE = 25
    CASINO_PAYMENT = 26
    BANK_AGENT_CASH_OUT = 27
    EXCISE_MARKED_NO_CODE = 30
    EXCISE_MARKED = 31
    MARKED_GOODS_NO_CODE = 32
    MARKED_GOODS = 33


class PaymentMethod(_Described):
    """1214 признак способа расчета."""

    PREPAYMENT_FULL = 1
    PREPAYMENT_PARTIAL = 2
    ADVANCE = 3
    FULL_PAYMENT = 4
    PARTIAL_PAYMENT_CREDIT = 5
    CREDIT = 6
    CREDIT_PAYMENT = 7


class PlannedStatus(_Described):
    """2003 планируемый статус товара (also 2110 присвоенный статус).

    1–4 and 255 are backed by two implementations (spec §2.6). 5 and 6 appear only in the ATOL and
    Mercury driver APIs; whether the FN accepts them is **unverified** — they are listed so a value
    read from such a source is not lost, and :mod:`ffd12.rules` does not accept them in a receipt.
    """

    PIECE_SOLD = 1
    MEASURED_SOLD = 2
    PIECE_RETURNED = 3
    MEASURED_RETURNED = 4
    PIECE_IN_SALE = 5
    MEASURED_IN_SALE = 6
    UNCHANGED = 255


class MarkingCodeType(_Described):
    """2100 тип кода маркировки."""

    UNKNOWN = 0
    SHORT = 1
    CHECK_88 = 2
    CHECK_44_UNCHECKED = 3
    CHECK_44 = 4
    CHECK_4_UNCHECKED = 5


class CheckResult(_DescribedFlag):
    """2106 результат проверки сведений о товаре (bit mask; 15 = everything checked and positive)."""

    FN_CHECKED = 1
    FN_POSITIVE = 2
    OISM_CHECKED = 4
    STATUS_CORRECT = 8
    OFFLINE = 16


class Measure(_Described):
    """2108 мера количества предмета расчета (FFD table 114)."""

    PIECE = 0
    GRAM = 10
    KILOGRAM = 11
    TONNE = 12
    CENTIMETRE = 20
    DECIMETRE = 21
    METRE = 22
    SQ_CENTIMETRE = 30
    SQ_DECIMETRE = 31
    SQ_METRE = 32
    MILLILITRE = 40
    LITRE = 41
    CUBIC_METRE = 42
    KILOWATT_HOUR = 50
    GIGACALORIE = 51
    DAY = 70
    HOUR = 71
    MINUTE = 72
    SECOND = 73
    KILOBYTE = 80
    MEGABYTE = 81
    GIGABYTE = 82
    TERABYTE = 83
    OTHER = 255


class CorrectionType(_Described):
    """1173 тип коррекции."""

    SELF = 0
    ORDER = 1


class StatusInfo(_Described):
    """2109 ответ ОИСМ о статусе товара."""

    CORRECT = 1
    INCORRECT = 2
    SUSPENDED = 3


class HandleCode(_Described):
    """2105 коды обработки запроса."""

    OK = 0
    BAD_REQUEST = 1
    BAD_CODE = 2


class FfdVersion(_Described):
    """1209 версия ФФД."""

    FFD_1_0 = 1
    FFD_1_05 = 2
    FFD_1_1 = 3
    FFD_1_2 = 4


_DESCRIPTIONS: Final[dict[str, dict[int, str]]] = {
    "Operation": {1: "приход", 2: "возврат прихода", 3: "расход", 4: "возврат расхода"},
    "Taxation": {
        1: "ОСН",
        2: "УСН доход",
        4: "УСН доход минус расход",
        8: "ЕНВД",
        16: "ЕСХН",
        32: "ПСН",
    },
    "AgentType": {
        1: "банковский платежный агент",
        2: "банковский платежный субагент",
        4: "платежный агент",
        8: "платежный субагент",
        16: "поверенный",
        32: "комиссионер",
        64: "агент",
    },
    "VatRate": {
        1: "НДС 20 %",
        2: "НДС 10 %",
        3: "НДС расч. 20/120",
        4: "НДС расч. 10/110",
        5: "НДС 0 %",
        6: "без НДС",
        7: "НДС 5 %",
        8: "НДС 7 %",
        9: "НДС расч. 5/105",
        10: "НДС расч. 7/107",
        11: "НДС 22 %",
        12: "НДС расч. 22/122",
    },
    "Subject": {
        1: "товар",
        2: "подакцизный товар",
        3: "работа",
        4: "услуга",
        5: "ставка азартной игры",
        6: "выигрыш азартной игры",
        7: "лотерейный билет",
        8: "выигрыш лотереи",
        9: "предоставление РИД",
        10: "платеж",
        11: "агентское вознаграждение",
        12: "составной предмет расчета",
        13: "иной предмет расчета",
        14: "имущественное право",
        15: "внереализационный доход",
        16: "страховые взносы",
        17: "торговый сбор",
        18: "курортный сбор",
        19: "залог",
        20: "расход",
        21: "взносы на ОПС ИП",
        22: "взносы на ОПС",
        23: "взносы на ОМС ИП",
        24: "взносы на ОМС",
        25: "взносы на ОСС",
        26: "платеж казино",
        27: "выдача денежных средств банковским платежным агентом",
        30: "подакцизный товар, подлежащий маркировке, без кода маркировки",
        31: "подакцизный товар, подлежащий маркировке, с кодом маркировки",
        32: "товар, подлежащий маркировке, без кода маркировки",
        33: "товар, подлежащий маркировке, с кодом маркировки",
    },
    "PaymentMethod": {
        1: "предоплата 100 %",
        2: "частичная предоплата",
        3: "аванс",
        4: "полный расчет",
        5: "частичный расчет и кредит",
        6: "передача в кредит",
        7: "оплата кредита",
    },
    "PlannedStatus": {
        1: "штучный товар реализован",
        2: "мерный товар в стадии реализации",
        3: "штучный товар возвращен",
        4: "часть товара возвращена",
        5: "штучный товар в стадии реализации",
        6: "мерный товар реализован",
        255: "статус товара не изменился",
    },
    "MarkingCodeType": {
        0: "тип КМ не идентифицирован",
        1: "короткий КМ",
        2: "КМ с кодом проверки длиной 88 символов, подлежащим проверке в ФН",
        3: "КМ с кодом проверки длиной 44 символа, не подлежащим проверке в ФН",
        4: "КМ с кодом проверки длиной 44 символа, подлежащим проверке в ФН",
        5: "КМ с кодом проверки длиной 4 символа, не подлежащим проверке в ФН",
    },
    "CheckResult": {
        1: "КМ проверен ФН",
        2: "результат проверки КП КМ положительный",
        4: "проверка статуса ОИСМ выполнена",
        8: "планируемый статус товара корректен",
        16: "результат сформирован ККТ в автономном режиме",
    },
    "Measure": {
        0: "шт.",
        10: "г",
        11: "кг",
        12: "т",
        20: "см",
        21: "дм",
        22: "м",
        30: "кв. см",
        31: "кв. дм",
        32: "кв. м",
        40: "мл",
        41: "л",
        42: "куб. м",
        50: "кВт·ч",
        51: "Гкал",
        70: "сутки",
        71: "час",
        72: "мин",
        73: "с",
        80: "Кбайт",
        81: "Мбайт",
        82: "Гбайт",
        83: "Тбайт",
        255: "иные единицы",
    },
    "CorrectionType": {0: "самостоятельно", 1: "по предписанию"},
    "StatusInfo": {
        1: "планируемый статус товара корректен",
        2: "планируемый статус товара некорректен",
        3: "оборот товара приостановлен",
    },
    "HandleCode": {
        0: "запрос корректен",
        1: "запрос некорректен",
        2: "КМ в запросе имеет некорректный формат",
    },
    "FfdVersion": {1: "1.0", 2: "1.05", 3: "1.1", 4: "1.2"},
}
