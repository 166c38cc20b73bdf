"""Which reasons a ГИС МТ answer gives against selling a code (spec crpt-permissive §4.5, seed 002).

Pure functions of one ``codes[]`` item, the unit price and the time: no I/O, no policy. The policy
(:mod:`ffd12.permissive.policy`) turns the reasons into deny / ask / allow.

Expiry: a ``expireDate`` with a time is compared as an instant; a date without a time expires at
the midnight that starts that day, in the till's local time (seed 002: «будет запрещен к продаже в
полночь того же дня»). Which midnight is meant is **unverified**; see ``DATE_ONLY_EXPIRES_AT_START``.

>>> from datetime import datetime, timezone
>>> s = CodeStatus(cis="x", found=True, utilised=True, verified=True, realizable=True, sold=False)
>>> reasons_for(s, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
()
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

from ffd12.permissive.answers import CodeStatus
from ffd12.permissive.reasons import REASON_BY_KEY, Reason

__all__ = [
    "DATE_ONLY_EXPIRES_AT_START",
    "GROUP_NAMES",
    "MIN_PRICE_GROUP",
    "expiry_instant",
    "offline_reasons_for",
    "reasons_for",
]

# Unverified reading of seed 002: a date-only expiry stops the sale at 00:00 of that date (True) —
# not at the end of it (False).
DATE_ONLY_EXPIRES_AT_START: Final = True

# groupIds of the ГИС МТ answer → product-group name (spec §4.6, B-till dictionary).
GROUP_NAMES: Final[dict[int, str]] = {
    1: "lp",
    2: "shoes",
    3: "tobacco",
    4: "perfumery",
    5: "tires",
    6: "electronics",
    7: "pharma",
    8: "milk",
    9: "bicycle",
    10: "wheelchairs",
    12: "otp",
    13: "water",
    14: "furs",
    15: "beer",
    16: "ncp",
    17: "bio",
    19: "antiseptic",
    20: "petfood",
    21: "seafood",
    22: "nabeer",
    23: "softdrinks",
    26: "vetpharma",
    32: "conserve",
    33: "vegetable_oil",
}

# Group 16 (nicotine products): ``mrp`` is a minimum price, not a maximum (B-till, ЦРПТ case 5.26).
MIN_PRICE_GROUP: Final = 16

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?"
)


def expiry_instant(text: str, *, local_now: datetime) -> datetime | None:
    """When a code with this ``expireDate`` stops being sellable (aware), or None if unreadable."""
    text = text.strip()
    try:
        m = _DATETIME.fullmatch(text)
        if m:
            year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
            second = int(m.group(6) or 0)
            frac = (m.group(7) or "0")[:6].ljust(6, "0")
            tz_text = m.group(8)
            if tz_text is None:
                tz = local_now.tzinfo or UTC
            elif tz_text in ("Z", "UTC"):
                tz = UTC
            else:
                sign = 1 if tz_text[0] == "+" else -1
                digits = tz_text[1:].replace(":", "")
                tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
            return datetime(year, month, day, hour, minute, second, int(frac), tzinfo=tz)
        m = _DATE.fullmatch(text)
        if m:
            day_start = datetime(
                int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=local_now.tzinfo or UTC
            )
            return day_start if DATE_ONLY_EXPIRES_AT_START else day_start + timedelta(days=1)
    except (ValueError, OverflowError):
        return None
    return None


def _r(key: str) -> Reason:
    return REASON_BY_KEY[key]


def reasons_for(
    status: CodeStatus,
    *,
    now: datetime,
    unit_price: int | None = None,
    group_id: int | None = None,
    sale: bool = True,
) -> tuple[Reason, ...]:
    """Every failing condition of one online answer, in the order of the reason table.

    ``now`` must be timezone-aware (the till's local time); ``unit_price`` is in kopecks (price
    checks are skipped without it); ``group_id`` overrides ``groupIds`` of the answer.
    """
    if status.gray_zone:
        return (_r("grey_zone"),)  # spec §4.5.1: the check is switched off for grey-zone tobacco
    found: list[Reason] = []
    if status.valid is False:
        found.append(_r("invalid"))
    if status.found is False:
        found.append(_r("not_found"))
    if status.utilised is False:
        found.append(_r("not_applied"))
    if status.verified is False:
        found.append(_r("bad_crypto"))
    if status.is_blocked:
        found.append(_r("blocked"))
    if status.sold is not True and status.realizable is False:
        found.append(_r("not_in_circulation"))
    if sale and status.sold:
        found.append(_r("sold"))
    if sale and status.expire_date:
        until = expiry_instant(status.expire_date, local_now=now)
        if until is not None and until <= now:
            found.append(_r("expired"))
    if unit_price is not None:
        group = group_id if group_id is not None else (status.group_ids[0] if status.group_ids else None)
        if status.mrp:
            if group == MIN_PRICE_GROUP:
                if unit_price < status.mrp:
                    found.append(_r("below_min_price"))
            elif unit_price > status.mrp:
                found.append(_r("above_mrp"))
        if status.smp and unit_price < status.smp and _r("below_min_price") not in found:
            found.append(_r("below_min_price"))
    if status.error_code not in (None, 0):
        found.append(_r("error_code"))
    return tuple(found)


def offline_reasons_for(status: CodeStatus, *, sale: bool = True) -> tuple[Reason, ...]:
    """The Local Module knows only black lists and replicated sales: decide on isBlocked and sold."""
    found: list[Reason] = []
    if status.is_blocked:
        found.append(_r("blocked"))
    if sale and status.sold:
        found.append(_r("sold"))
    return tuple(found)
