"""Facts about the emulated Shtrih-M register that are not behaviour: models, error bytes, value maps.

Spec/shtrih-m.md §2.2 (error bytes), §4.4 (receipt types), §4.6 (tax bytes), §4.9 (FF67 answer codes),
§4.12 (tables).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ffd12.drivers.shtrih.errors import error_text
from ffd12.emulator.fnmark import CodeCheck
from ffd12.errors import RegisterError

__all__ = ["DESKTOP", "KYA", "DeviceModel", "KktError"]

# KKT error bytes used here (spec §2.2)
E_NOT_SUPPORTED = 0x37
E_BAD_PARAMS = 0x33
E_SHIFT_CLOSED = 0x3D
E_PAYMENT_SHORT = 0x45
E_RECEIPT_OPEN = 0x4A
E_SHIFT_OVER = 0x4E
E_PASSWORD = 0x4F
E_NO_PAPER = 0x6B
E_BAD_MODE = 0x73
E_ZERO_TOTAL = 0x8E
E_INVALID_OPERATION = 0x5E

READ_BLOCK_SIZE = 200
"""Bytes of document TLV per FF3B answer. [unverified] — firmware picks its own block size."""
EXTENDED_CLOSE_ANSWER = True
"""FF45 answers with DATE_TIME (21 bytes) as with «РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД» = 1 (§4.7)."""
TIMEOUT_BLOCK_PRESENT = True
"""On an ОИСМ timeout the FF61 answer still carries the online block with FN code 0xFF (§4.9 says
both "length 0 when the server did not answer" and "0xFF = server timeout"). [unverified]"""

ADMIN, SYSADMIN = 29, 30

NO_PAY = 0xFFFFFFFFFF
TAX_BYTE_TO_1199 = {0x01: 1, 0x02: 2, 0x04: 5, 0x08: 6, 0x10: 3, 0x20: 4,
                     0x81: 7, 0x82: 8, 0x84: 9, 0x88: 10, 0xCB: 11, 0xCC: 12}
"""FF46 tax byte (desktop firmware, §4.6) → tag 1199."""
CLASSIC_TAX_TO_1199 = {0: 6, 1: 1, 2: 2, 3: 5, 4: 6}
"""Classic 0x80/0x82 tax group (table 6 factory rows: 20 %, 10 %, 0 %, без НДС) → tag 1199."""
RECEIPT_TYPE_TO_1054 = {0: 1, 1: 3, 2: 2, 3: 4}
"""0x8D receipt type (0 sale, 1 buy, 2 sale return, 3 buy return) → tag 1054 (§4.4)."""
OPERATION_TO_MODE_STATUS = {1: 0, 3: 1, 2: 2, 4: 3}


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceModel:
    """What 0xFC reports, and whether FF4D/FF67 come before FF46 (КЯ, §4.10 step 5)."""

    model_id: int
    name: str
    tags_first: bool = False


DESKTOP = DeviceModel(model_id=22, name="РИТЕЙЛ-01Ф")
KYA = DeviceModel(model_id=16, name="КАССОВОЕ ЯДРО", tags_first=True)


class KktError(RegisterError):
    """The emulated KKT refused a command with an error byte of spec §2.2."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, error_text(code) + (f": {detail}" if detail else ""), command="KKT")


def default_tables() -> dict[tuple[int, int, int], bytes]:
    cells = {
        (17, 1, 17): b"\x04",  # FFD version: 4 = 1.2 (§4.10 step 1)
        (17, 1, 7): b"\x00",  # do not print the next receipt
        (1, 1, 41): b"\x01",  # TLV format-logical control on
        (21, 1, 9): b"\x00",  # USB mode
    }
    for op in range(1, 31):
        cells[(2, op, 1)] = op.to_bytes(4, "little")  # factory passwords: operator n has password n
    return cells


def dt5(when: dt.datetime) -> dict[str, int]:
    return {"year": when.year % 100, "month": when.month, "day": when.day, "hour": when.hour,
            "minute": when.minute}


def dmy(when: dt.datetime) -> bytes:
    return bytes([when.day, when.month, when.year % 100])


DM_TYPE = {2: 0, 4: 3, 3: 3, 5: 2}
"""2100 code type → FF67 DataMatrix type (0 KM-88, 2 tobacco, 3 KM-44; others 0xFF)."""


def goods_prefix(check: CodeCheck) -> bytes:
    """FF67 goods-code prefix (§4.9): ``DM`` for GS1 DataMatrix, EAN-13/8, ITF-14, else 00 00."""
    raw = check.code
    if raw.isdigit() and len(raw) in (8, 13, 14):
        return {8: b"\x45\x08", 13: b"\x45\x0d", 14: b"\x49\x0e"}[len(raw)]
    return b"\x44\x4d" if check.code_type else b"\x00\x00"


def item_amount(price: int, quantity: int, scale: int, given: int) -> int:
    """Price × quantity rounded half up; a given sum must be within one kopeck of it (§4.6)."""
    own = (price * quantity * 2 + scale) // (scale * 2)
    if given == NO_PAY:
        return own
    if abs(given - own) > 1:
        raise KktError(E_BAD_PARAMS, f"sum {given} differs from price × quantity {own}")
    return given


def tidy_quantity(quantity: Decimal) -> Decimal:
    """Drop trailing zeros of a quantity without turning 10 into 1E+1."""
    if quantity <= 0:
        raise KktError(E_BAD_PARAMS, "quantity must be positive")
    norm = quantity.normalize()
    return norm.quantize(Decimal(1)) if norm.as_tuple().exponent > 0 else norm  # type: ignore[operator]
