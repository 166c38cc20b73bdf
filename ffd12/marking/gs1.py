"""GS1 pieces the templates need, and the generic fallback through biip.

* :func:`gtin_check_digit` — the GS1 mod-10 check digit (weights 3,1,3,… from the right);
* :func:`decode_date` — AI 17 / 7003 dates (YYMMDD; day 00 = last day of the month);
* :func:`parse_generic` — codes no template knows: biip splits the element string, we keep the
  AIs a marking code uses;
* :func:`diagnose` — the first thing wrong with an unreadable code, with its position.
"""

from __future__ import annotations

import calendar
import datetime
import re

from biip import ParseConfig
from biip.gs1_messages import GS1Message

from ffd12.errors import MarkingCodeError
from ffd12.marking.model import GS
from ffd12.marking.templates import CSET82

__all__ = ["CENTURY", "decode_date", "diagnose", "gtin_check_digit", "gtin_valid", "parse_generic"]

CENTURY = 2000
"""Century for two-digit years in AI 17/7003. GS1 picks it from a window around today; a pure
parser has no clock, and every marking code in circulation is from this century."""

_BIIP_CONFIG = ParseConfig(separator_chars=[GS], gs1_element_strings_verify_date=False)
_BAD_CHAR = re.compile(f"[^{CSET82[1:-1]}{GS}]")


def gtin_check_digit(body: str) -> int:
    """Check digit for the first 13 digits of a GTIN-14 (weights 3,1,3,… from the right).

    >>> gtin_check_digit("0460123456789")
    3
    """
    digits = body.encode("ascii")
    # 13 digits: the 7 at even indices weigh 3, the 6 at odd indices weigh 1; ASCII '0' is 48
    total = 3 * sum(digits[0::2]) + sum(digits[1::2]) - 48 * (3 * 7 + 6)
    return -total % 10


def gtin_valid(gtin: str) -> bool:
    """True when a 14-digit GTIN's last digit is its check digit."""
    return gtin_check_digit(gtin[:13]) == ord(gtin[13]) - 48


def decode_date(value: str, *, ai: str, position: int) -> datetime.date:
    """YYMMDD → date; day 00 means the last day of the month (GS1 General Specifications)."""
    year, month, day = CENTURY + int(value[0:2]), int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise MarkingCodeError(
            f"could not read AI {ai}: expected a month 01–12, got {value[2:4]}", position=position, ai=ai
        )
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last
    if day > last:
        raise MarkingCodeError(
            f"could not read AI {ai}: {value} is not a date (day {day} of a {last}-day month)",
            position=position,
            ai=ai,
        )
    return datetime.date(year, month, day)


def parse_generic(text: str) -> list[tuple[str, str]]:
    """Split an element string with biip; returns (AI, value) pairs. Raises MarkingCodeError."""
    try:
        message = GS1Message.parse(text, config=_BIIP_CONFIG)
    except Exception as exc:  # biip raises ParseError, but a fallback must never leak anything else
        raise MarkingCodeError(f"could not read marking code: {str(exc).rstrip('.')}") from None
    return [(es.ai.ai, es.value) for es in message.element_strings]


def diagnose(text: str) -> MarkingCodeError | None:
    """The first structural fault of a cleaned code, or None when nothing simple is wrong."""
    bad = _BAD_CHAR.search(text)
    if bad is not None:
        ch = bad.group()
        hint = " (a Cyrillic letter)" if "\u0400" <= ch <= "\u04ff" else ""
        return MarkingCodeError(
            f"could not read marking code: character {ch!r}{hint} at position {bad.start()}"
            " is outside the GS1 character set",
            position=bad.start(),
        )
    if not text:
        return MarkingCodeError("could not read marking code: the input is empty", position=0)
    if not text.startswith("01"):
        return MarkingCodeError(
            f"could not read marking code: expected AI 01 (GTIN) at position 0, got {text[:2]!r}",
            position=0,
            ai="01",
        )
    for i in range(2, 16):
        if i >= len(text) or not text[i].isdigit() or not text[i].isascii():
            got = repr(text[i]) if i < len(text) else "the end of the code"
            return MarkingCodeError(
                f"could not read AI 01: expected 14 digits of GTIN, got {got} at position {i}",
                position=i,
                ai="01",
            )
    if text[16:18] != "21":
        return MarkingCodeError(
            f"could not read marking code: expected AI 21 (serial) at position 16, got {text[16:18]!r}",
            position=16,
            ai="21",
        )
    return None
