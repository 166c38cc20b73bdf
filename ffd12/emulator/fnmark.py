"""The FN-M side of a marking-code check: code classification, ОИСМ answers, the FF70 state machine.

Spec/shtrih-m.md §4.9 (FF61/FF67/FF69/FF70 and their code tables) and spec/ffd12-tlv.md §2.6
(tags 2004, 2100, 2106, 2109).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ffd12.errors import MarkingCodeError
from ffd12.marking import parse
from ffd12.tlv import Tlv, TlvList, encode

__all__ = [
    "MARK_TRANSITIONS",
    "OISM_CHOICES",
    "CodeCheck",
    "MarkEvent",
    "MarkState",
    "allowed_events",
    "classify_code",
    "with_oism",
]

GS = 0x1D


class MarkState(enum.IntEnum):
    """FF70 byte 0: the KM check state of the FN."""

    BLOCKED = 0
    IDLE = 1
    CODE_GIVEN = 2
    REQUEST_BUILT = 3
    ANSWER_PASSED = 4


class MarkEvent(enum.Enum):
    """The FN-M commands behind the state machine; values are their FF70 "allowed" bits.

    B1h give a code, B2h save the check result (accept/reject), B3h clear the results, B5h build
    the request, B6h pass the answer. The B2h/B3h meanings are [unverified] (spec §4.9 lists only
    the bit numbers).
    """

    GIVE_CODE = 0x01
    SAVE_RESULT = 0x02
    CLEAR = 0x04
    BUILD_REQUEST = 0x08
    PASS_ANSWER = 0x10


MARK_TRANSITIONS: Mapping[tuple[MarkState, MarkEvent], MarkState] = {
    (MarkState.IDLE, MarkEvent.GIVE_CODE): MarkState.CODE_GIVEN,
    (MarkState.IDLE, MarkEvent.CLEAR): MarkState.IDLE,
    (MarkState.CODE_GIVEN, MarkEvent.BUILD_REQUEST): MarkState.REQUEST_BUILT,
    (MarkState.CODE_GIVEN, MarkEvent.SAVE_RESULT): MarkState.IDLE,
    (MarkState.CODE_GIVEN, MarkEvent.CLEAR): MarkState.IDLE,
    (MarkState.REQUEST_BUILT, MarkEvent.PASS_ANSWER): MarkState.ANSWER_PASSED,
    (MarkState.REQUEST_BUILT, MarkEvent.SAVE_RESULT): MarkState.IDLE,
    (MarkState.REQUEST_BUILT, MarkEvent.CLEAR): MarkState.IDLE,
    (MarkState.ANSWER_PASSED, MarkEvent.SAVE_RESULT): MarkState.IDLE,
    (MarkState.ANSWER_PASSED, MarkEvent.CLEAR): MarkState.IDLE,
    (MarkState.BLOCKED, MarkEvent.CLEAR): MarkState.IDLE,
}
"""(state, event) → next state; anything missing is refused with 0xA1."""


def allowed_events(state: MarkState) -> int:
    """FF70 byte 2: bit mask of the events the state accepts."""
    bits = 0
    for (src, event), _dst in MARK_TRANSITIONS.items():
        if src is state:
            bits |= event.value
    return bits


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeCheck:
    """The FN's answer about one marking code (FF61 / FF67 answer block, spec §4.9).

    ``local_status`` is tag 2004 (bit0 checked with the key, bit1 positive); ``local_reason`` why
    the FN did not check it (0 checked, 1 type not checkable, 2 no key, 3 AI 91/92 missing);
    ``code_type`` tag 2100; ``online_code`` 0 answered, 0x20 answer refused (``online_reason``),
    0xFF ОИСМ timeout; ``check_result`` tag 2106; ``oism_status`` tag 2109 (0 = no answer);
    ``answer_tlv`` the server answer as TLV bytes (empty on timeout).
    """

    code: bytes
    planned_status: int
    code_type: int
    local_status: int
    local_reason: int
    online_code: int = 0xFF
    online_reason: int = 0
    check_result: int = 0
    oism_status: int = 0
    answer_tlv: bytes = b""
    product_tag: int | None = None
    product_value: str = ""

    @property
    def gtin_serial(self) -> str:
        """The ``01…21…`` head of a GS1 code (the 1305 value), or the raw code for other kinds."""
        head = self.code.split(bytes([GS]), 1)[0].decode("latin-1")
        return head[:38]

    @property
    def masked(self) -> str:
        """GTIN and the first serial characters, safe for logs."""
        return self.gtin_serial[:20] + "…"


# 2100 code type → reason the FN did not check it locally (0 = checked with its key), spec §4.9.
_LOCAL_REASON: Final[Mapping[int, int]] = {2: 0, 4: 0, 3: 1, 5: 1, 1: 1}


def classify_code(code: bytes, planned_status: int, *, key_fails: bool) -> CodeCheck:
    """Local FN check of a code as scanned: its 2100 type, 2004 status and the reason code.

    The code is read with :func:`ffd12.marking.parse` (leniently: an FN does not refuse a wrong
    GTIN check digit), so the FN classifies a code exactly as the till's marking layer does and
    its 1163 product code is the one the till put in the receipt. A code the marking layer cannot
    read falls back to a structural reading: type 0, reason 3 for a ``01…21…`` head, else 4.
    ``key_fails`` simulates an FN whose verification key rejects the crypto tail.
    """
    try:
        parsed = parse(code.decode("latin-1"), strict=False)
    except MarkingCodeError:
        parsed = None
    if parsed is not None:
        code_type = parsed.code_type
        reason = _LOCAL_REASON.get(code_type, 4)
        product_tag: int | None = parsed.product_code.tag
        product_value = parsed.product_code.value
    else:
        head = code.split(bytes([GS]), 1)[0].decode("latin-1")
        gs1_head = head.startswith("01") and len(head) >= 18 and head[2:16].isdigit() and head[16:18] == "21"
        code_type, reason = 0, 3 if gs1_head else 4
        product_tag, product_value = None, ""
    checked = reason == 0
    local = (0x01 | (0 if key_fails else 0x02)) if checked else 0
    return CodeCheck(
        code=code, planned_status=planned_status, code_type=code_type, local_status=local,
        local_reason=reason, check_result=local, product_tag=product_tag, product_value=product_value,
    )


OISM_ANSWERS = {"positive": 1, "negative": 2, "suspended": 3}
"""Scenario word → tag 2109 (1 planned status correct, 2 incorrect, 3 оборот приостановлен)."""
OISM_CHOICES = (*OISM_ANSWERS, "rejected", "timeout")
"""Every ОИСМ scenario: the three answers, an answer the FN refuses (FN code 0x20, reason 1 = bad
fiscal sign of the answer) and no answer at all (FN code 0xFF)."""
REJECT_REASON = 1


def with_oism(check: CodeCheck, answer: str) -> CodeCheck:
    """Fold the ОИСМ answer into a local check: 2106 bits 2–3, 2109, the answer TLV."""
    if answer == "timeout":  # no answer: 2106 keeps the local bits only
        return dataclasses.replace(check, online_code=0xFF, check_result=check.local_status)
    if answer == "rejected":
        return dataclasses.replace(check, online_code=0x20, online_reason=REJECT_REASON,
                                   check_result=check.local_status)
    status = OISM_ANSWERS[answer]
    result = check.local_status | 0x04 | (0x08 if status == 1 else 0)
    answer_tlv = encode(TlvList([Tlv(2105, 0), Tlv(2109, status)]))
    return dataclasses.replace(
        check, online_code=0, check_result=result, oism_status=status, answer_tlv=answer_tlv
    )
