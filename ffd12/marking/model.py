"""The marking code (КМ) as the rest of ffd12 sees it: one frozen record per scanned code.

A :class:`MarkingCode` keeps what was scanned (``raw``), the repaired GS1 element string
(``canonical``, GS = 0x1D), every field the receipt and the FN-M need, and the list of
:class:`Repair` steps that turned the one into the other.

FFD facts used here (spec/ffd12-tlv.md):

* tag 2100 «тип кода маркировки» values (§2.6): 0 not identified, 1 short, 2 check code of 88
  characters checked in the FN, 3 44 characters not checked, 4 44 characters checked, 5 4
  characters not checked;
* tag 1163 «код товара» children 1300–1325 (§2.2); for GS1 DataMatrix codes the child is 1305
  = "01" + GTIN + "21" + serial, without GS and without the crypto tail (§4.2);
* tag 2115 «контрольный код КМ» = the last four decimal digits of the standard CRC-32 of the
  bytes of tag 2000 (the code as handed to the FN, GS included), zero-padded (§4.2).
"""

from __future__ import annotations

import base64 as _b64
import dataclasses
import datetime
import zlib
from dataclasses import dataclass
from typing import Any

__all__ = ["GS", "MarkingCode", "ProductCode", "Repair", "control_code"]

GS = "\x1d"
"""The GS1 group separator (FNC1 inside the element string)."""

_MASK_SERIAL_CHARS = 2


def control_code(code: str) -> str:
    """Tag 2115 for a code: last four decimal digits of CRC-32 over its bytes (spec §4.2).

    >>> control_code("29293847568")
    '0976'
    >>> control_code("2938479283749287skdjfhksjdfh")
    '1325'
    """
    return f"{zlib.crc32(code.encode('ascii', 'replace')) % 10000:04d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Repair:
    """One thing fixed (or only noticed) on the way in; ``message`` is a sentence for a person."""

    kind: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductCode:
    """Tag 1163's child: the tag number (1300–1325) and its string value."""

    tag: int
    value: str

    def __post_init__(self) -> None:
        if not 1300 <= self.tag <= 1325:
            raise ValueError(f"product code tag must be within 1300–1325, got {self.tag}")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class MarkingCode:
    """A parsed marking code. Build it with :func:`ffd12.marking.parse`, not by hand.

    ``repr()`` shows only the masked form, so a code never lands whole in a log by accident.
    """

    raw: str | bytes
    canonical: str
    gtin: str
    serial: str
    crypto_key: str | None
    signature: str | None
    crypto_code: str | None
    expiry: datetime.date | None
    weight: int | None
    mrp: int | None
    group: str
    code_type: int
    product_code: ProductCode
    control_code: str
    repairs: tuple[Repair, ...]

    def __post_init__(self) -> None:
        if len(self.gtin) != 14 or not self.gtin.isdigit():
            raise ValueError(f"GTIN must be 14 digits, got {len(self.gtin)} characters")
        if not 0 <= self.code_type <= 5:
            raise ValueError(f"tag 2100 value must be 0–5, got {self.code_type}")

    def __repr__(self) -> str:
        return f"MarkingCode({self.masked!r}, group={self.group!r}, code_type={self.code_type})"

    @property
    def masked(self) -> str:
        """A loggable form: GTIN and the first characters of the serial, never the whole code."""
        return f"{self.gtin}{self.serial[:_MASK_SERIAL_CHARS]}…"

    @property
    def json_safe(self) -> str:
        """The canonical code with each GS written as the six characters ``\\u001d``."""
        return self.canonical.replace(GS, "\\u001d")

    @property
    def is_measured(self) -> bool:
        """True for a weighed item: the code carries a net weight (AI 3103)."""
        return self.weight is not None

    def base64(self) -> str:
        """The canonical code in Base64, the way 1C passes ``MarkingCode`` to a driver."""
        return _b64.b64encode(self.canonical.encode("ascii")).decode("ascii")

    def case_inverted(self) -> MarkingCode:
        """The same code with letter case flipped in serial and tail (a CapsLock retry).

        AIs, the GTIN and dates are digits, so flipping the whole element string flips exactly
        the letters of the serial and the crypto tail.
        """
        canonical = self.canonical.swapcase()

        def flip(value: str | None) -> str | None:
            return None if value is None else value.swapcase()

        return dataclasses.replace(
            self,
            canonical=canonical,
            serial=self.serial.swapcase(),
            crypto_key=flip(self.crypto_key),
            signature=flip(self.signature),
            crypto_code=flip(self.crypto_code),
            product_code=ProductCode(tag=self.product_code.tag, value=self.product_code.value.swapcase()),
            control_code=control_code(canonical),
            repairs=(
                *self.repairs,
                Repair(kind="case_inverted", message="Letter case was flipped (CapsLock retry)."),
            ),
        )

    def as_json(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict (``canonical`` keeps a real GS; json.dumps escapes it)."""
        return {
            "canonical": self.canonical,
            "gtin": self.gtin,
            "serial": self.serial,
            "crypto_key": self.crypto_key,
            "signature": self.signature,
            "crypto_code": self.crypto_code,
            "expiry": None if self.expiry is None else self.expiry.isoformat(),
            "weight": self.weight,
            "mrp": self.mrp,
            "group": self.group,
            "tag_2100": self.code_type,
            "product_code": {"tag": self.product_code.tag, "value": self.product_code.value},
            "tag_2115": self.control_code,
            "base64": self.base64(),
            "repairs": [{"kind": r.kind, "message": r.message} for r in self.repairs],
        }
