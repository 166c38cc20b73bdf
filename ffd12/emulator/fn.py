"""A virtual FN-M (фискальный накопитель с поддержкой маркировки), independent of any wire protocol.

What it keeps, the way a real FN-M does (spec/shtrih-m.md §4.3–4.11, spec/ffd12-tlv.md §2.5–2.6):

* registration data (INN, RN KKT, FN number, taxation systems) and FFD version 1.2 (tag 1209 = 4);
* the shift (closed / open / open for more than 24 h, judged by an injectable clock);
* the fiscal document counter and a deterministic fiscal sign (HMAC-SHA256 of the document,
  truncated to four bytes — a stand-in for the FN's crypto, stable across runs for golden tests);
* the marking-check state machine reported by FF70, as a transition table (:data:`MARK_TRANSITIONS`);
* per-code answers with 2004 / 2100 / 2106 values and the reason codes of spec §4.9;
* format-logical control (ФЛК) of the tags sent for the open document;
* an archive of every closed document as FFD TLV (document form code as the outer tag);
* file-backed state, written atomically after every change, so a power cut between two commands
  leaves a consistent FN behind (:mod:`~ffd12.emulator.fndocs` builds the documents,
  :mod:`~ffd12.emulator.fnmark` judges the codes, :mod:`~ffd12.emulator.fnstate` saves the state).

Every refusal raises :class:`FnRefused` with the error code of spec §2.2; the device layer turns it
into the answer's error byte.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ffd12.emulator import fndocs
from ffd12.emulator.fndocs import (
    E_BAD_PARAM,
    E_BAD_STATE,
    E_FN_FAILURE,
    E_INVALID_OPERATION,
    E_MARK_BLOCKED,
    E_MARK_SEQUENCE,
    E_MARK_TABLE_FULL,
    E_MARKING_OFF,
    E_NO_DATA,
    E_SHIFT_24H,
    E_TAG_NOT_ALLOWED,
    ArchivedDocument,
    FnRefused,
    OpenReceipt,
)
from ffd12.emulator.fnmark import (
    MARK_TRANSITIONS,
    OISM_CHOICES,
    CodeCheck,
    MarkEvent,
    MarkState,
    allowed_events,
    classify_code,
    with_oism,
)
from ffd12.emulator.fnstate import atomic_write, dump_state, load_state
from ffd12.errors import InputError
from ffd12.tlv import Tlv

__all__ = [
    "MARK_TRANSITIONS",
    "ArchivedDocument",
    "CodeCheck",
    "FnRefused",
    "MarkEvent",
    "MarkState",
    "Registration",
    "Scenario",
    "VirtualFn",
    "allowed_events",
]

log = logging.getLogger("ffd12.emulator.fn")

FFD_VERSION = 4
"""Tag 1209: 4 = FFD 1.2."""

SHIFT_LIMIT = dt.timedelta(hours=24)
MAX_SAVED_CHECKS = 128
"""The FN holds at most 128 checked codes per receipt (spec §2.2, error 0xA3)."""

NOTIFICATION_CAPACITY = 1000
"""How many unsent notifications fit before marking blocks. [unverified] — the real figure depends
on the FN model and the size of each notification; 1000 is a plausible order of magnitude."""

RESTORE_OPEN_RECEIPT = False
"""After a power cut with a receipt open the emulated KKT annuls it (the FN never received it).
[unverified] on hardware: some firmware resumes the receipt instead."""

@dataclass(frozen=True, slots=True, kw_only=True)
class Registration:
    """What the FN was registered with (the registration report, document 1)."""

    inn: str = "7700000000"
    rn_kkt: str = "0000000001012345"
    fn_number: str = "9999078900000001"
    taxation: int = 0x01 | 0x02
    """Tag 1062 bit mask of allowed taxation systems (ОСН | УСН доход by default)."""
    user: str = "ООО \"Эмулятор\""
    address: str = "г. Москва, ул. Тестовая, 1"
    place: str = "Магазин 1"
    marking: bool = True
    key: bytes = b"ffd12-emulated-fn-key"
    """Secret of the keyed hash that stands in for the FN's fiscal sign."""


@dataclass(slots=True, kw_only=True)
class Scenario:
    """Knobs a test turns to make the FN (and the device above it) misbehave on purpose.

    ``oism`` is the ОИСМ answer for every code: ``"positive"``, ``"negative"``, ``"suspended"``,
    ``"rejected"`` (the FN refuses the answer) or ``"timeout"``;
    ``oism_by_code`` overrides it for single codes (keyed by the code as scanned).
    """

    oism: str = "positive"
    oism_by_code: dict[bytes, str] = field(default_factory=dict)
    key_check_fails: bool = False
    paper_out: bool = False
    shift_over_24h: bool = False

    def __post_init__(self) -> None:
        for word in (self.oism, *self.oism_by_code.values()):
            if word not in OISM_CHOICES:
                raise InputError(f"could not use ОИСМ answer {word!r}: expected one of "
                                 f"{', '.join(OISM_CHOICES)}")


class VirtualFn:
    """The FN-M. Not thread-safe: one device thread drives it.

    ``state_file`` (optional) makes the FN survive restarts; ``clock`` returns the local wall time.
    """

    def __init__(
        self,
        *,
        registration: Registration | None = None,
        scenario: Scenario | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        state_file: str | os.PathLike[str] | None = None,
    ) -> None:
        self.registration = registration or Registration()
        self.scenario = scenario or Scenario()
        self.clock: Callable[[], dt.datetime] = clock or (lambda: dt.datetime.now().replace(microsecond=0))
        self.state_file = Path(state_file) if state_file is not None else None
        self.last_fd = 0
        self.shift_number = 0
        self.shift_open = False
        self.shift_opened_at: dt.datetime | None = None
        self.receipts_in_shift = 0
        self.receipt: OpenReceipt | None = None
        self.mark_state = MarkState.IDLE
        self.current_check: CodeCheck | None = None
        self.saved_checks: list[CodeCheck] = []
        self.notifications: int = 0
        self.codes_in_notification: int = 0
        self.archive: dict[int, ArchivedDocument] = {}
        if self.state_file is not None and self.state_file.exists():
            self._load()
        else:
            self._register()

    # ----------------------------------------------------------------- shift
    @property
    def shift_expired(self) -> bool:
        """True when the open shift is older than 24 h (or the scenario says so)."""
        if not self.shift_open:
            return False
        if self.scenario.shift_over_24h:
            return True
        return self.shift_opened_at is not None and self.clock() - self.shift_opened_at >= SHIFT_LIMIT

    def open_shift(self, tags: bytes = b"") -> ArchivedDocument:
        """Отчёт об открытии смены (form 2)."""
        if self.shift_open or self.receipt is not None:
            raise FnRefused(E_BAD_STATE, "shift already open")
        self.shift_number += 1
        self.shift_open = True
        self.shift_opened_at = self.clock()
        self.receipts_in_shift = 0
        return self._close_document(fndocs.FORM_SHIFT_OPEN, fndocs.shift_body(self, tags))

    def close_shift(self, tags: bytes = b"") -> ArchivedDocument:
        """Отчёт о закрытии смены (form 5); allowed also after 24 h."""
        if not self.shift_open or self.receipt is not None:
            raise FnRefused(E_BAD_STATE, "no open shift" if not self.shift_open else "receipt open")
        self.shift_open = False
        self.shift_opened_at = None
        return self._close_document(fndocs.FORM_SHIFT_CLOSE, fndocs.shift_body(self, tags))

    # --------------------------------------------------------------- receipt
    def open_receipt(self, operation: int) -> None:
        """Start a кассовый чек; ``operation`` is tag 1054 (1 приход … 4 возврат расхода)."""
        if operation not in (1, 2, 3, 4):
            raise FnRefused(E_BAD_PARAM, f"operation type {operation}")
        if not self.shift_open or self.receipt is not None:
            raise FnRefused(E_BAD_STATE, "no open shift" if not self.shift_open else "receipt already open")
        if self.shift_expired:
            raise FnRefused(E_SHIFT_24H)
        self.receipt = OpenReceipt(operation=operation)
        self._save()

    def cancel_receipt(self) -> None:
        if self.receipt is None:
            raise FnRefused(E_BAD_STATE, "no open receipt")
        self.receipt = None
        self._save()

    def add_item(self, item: fndocs.Item) -> None:
        """A предмет расчета; tags and a code sent before it (tags-first models) attach to it."""
        receipt = self._open_receipt()
        candidate = fndocs.Item(**{**{f: getattr(item, f) for f in fndocs.ITEM_FIELDS},
                                   "tags": [*item.tags, *receipt.pending_tags],
                                   "code": receipt.pending_code or item.code})
        fndocs.validate_item(candidate)
        item.tags, item.code = candidate.tags, candidate.code
        receipt.pending_tags.clear()
        receipt.pending_code = None
        receipt.items.append(item)
        self._save()

    def touch(self) -> None:
        """Persist a change the device made to an open item (a classic discount or surcharge)."""
        self._save()

    def add_receipt_tags(self, tlv: bytes) -> None:
        """FF0C: receipt-level tags, checked against the receipt whitelist (ФЛК)."""
        receipt = self._open_receipt()
        receipt.tags.extend(fndocs.check_tags(tlv, fndocs.RECEIPT_TAGS))
        self._save()

    def add_item_tags(self, tlv: bytes, *, before_item: bool = False) -> None:
        """FF4D: tags of the current item (or of the next one on tags-first models)."""
        receipt = self._open_receipt()
        pieces = fndocs.check_tags(tlv, fndocs.ITEM_TAGS)
        if before_item:
            target = receipt.pending_tags
        elif receipt.items:
            target = receipt.items[-1].tags
        else:
            raise FnRefused(E_TAG_NOT_ALLOWED, "item tags before any item")
        have = {p.tag for p in target}
        for piece in pieces:
            if piece.tag in have:
                raise FnRefused(E_TAG_NOT_ALLOWED, f"tag {piece.tag} repeated in operation")
        target.extend(pieces)
        self._save()

    def close_receipt(self, *, payments: fndocs.Payments, taxation: int) -> ArchivedDocument:
        """Close the receipt: totals, taxation system (1055 bit), FD number and fiscal sign."""
        receipt = self._open_receipt()
        if bin(taxation).count("1") != 1 or not taxation & self.registration.taxation:
            raise FnRefused(E_BAD_PARAM, f"taxation system 0x{taxation:02X} not registered")
        if not receipt.items:
            raise FnRefused(E_BAD_STATE, "receipt has no items")
        if receipt.pending_tags or receipt.pending_code is not None:
            raise FnRefused(E_BAD_STATE, "item tags or a code were sent for an item that never came")
        codes = sum(1 for item in receipt.items if item.code is not None)
        body = fndocs.receipt_body(self, receipt, payments, taxation, number=self.receipts_in_shift + 1)
        total = sum(item.amount for item in receipt.items)
        self.receipts_in_shift += 1
        self.receipt = None
        self.saved_checks.clear()
        if codes:
            self.notifications += 1
            self.codes_in_notification = codes
        return self._close_document(fndocs.FORM_RECEIPT, body, operation=receipt.operation, amount=total)

    def _open_receipt(self) -> OpenReceipt:
        if self.receipt is None:
            raise FnRefused(E_BAD_STATE, "no open receipt")
        return self.receipt

    # --------------------------------------------------------------- marking
    def mark(self, event: MarkEvent) -> MarkState:
        """Apply one FN-M event through the transition table; refuse what it lacks with 0xA1."""
        nxt = MARK_TRANSITIONS.get((self.mark_state, event))
        if nxt is None:
            raise FnRefused(E_MARK_SEQUENCE, f"{event.name} in state {self.mark_state.name}")
        self.mark_state = nxt
        return nxt

    @property
    def notification_warning(self) -> int:
        """FF70 byte 5: 0 below 50 %, 1 50–80 %, 2 80–90 %, 3 above 90 %, 4 full."""
        fill = self.notifications * 100 // NOTIFICATION_CAPACITY
        return 4 if fill >= 100 else 3 if fill > 90 else 2 if fill >= 80 else 1 if fill >= 50 else 0

    def check_code(self, code: bytes, planned_status: int, tlv: bytes = b"") -> CodeCheck:
        """FF61: local check in the FN (B1h), request to ОИСМ (B5h), its answer (B6h)."""
        if not self.registration.marking:
            raise FnRefused(E_MARKING_OFF)
        if planned_status not in (1, 2, 3, 4, 255):
            raise FnRefused(E_BAD_PARAM, f"planned status {planned_status}")
        if not code:
            raise FnRefused(E_BAD_PARAM, "empty marking code")
        if self.notifications >= NOTIFICATION_CAPACITY:
            self.mark_state = MarkState.BLOCKED
            raise FnRefused(E_MARK_BLOCKED)
        if len(self.saved_checks) >= MAX_SAVED_CHECKS:
            raise FnRefused(E_MARK_TABLE_FULL)
        if tlv:
            fndocs.check_tags(tlv, fndocs.CHECK_TAGS)
        self.mark(MarkEvent.GIVE_CODE)
        answer = self.scenario.oism_by_code.get(code, self.scenario.oism)
        check = classify_code(code, planned_status, key_fails=self.scenario.key_check_fails)
        self.mark(MarkEvent.BUILD_REQUEST)
        if answer != "timeout":
            self.mark(MarkEvent.PASS_ANSWER)
        check = with_oism(check, answer)
        self.current_check = check
        self._save()
        return check

    def decide(self, decision: int) -> int:
        """FF69: 1 accept, 0 reject the last checked code, 2 clear every result; returns 2106."""
        if decision == 2:
            self.mark(MarkEvent.CLEAR)
            self.saved_checks.clear()
            self.current_check = None
            self._save()
            return 0
        if decision not in (0, 1):
            raise FnRefused(E_BAD_PARAM, f"decision {decision}")
        check = self.current_check
        self.mark(MarkEvent.SAVE_RESULT)
        assert check is not None  # SAVE_RESULT is only legal after GIVE_CODE
        if decision == 1:
            self.saved_checks.append(check)
        self.current_check = None
        self._save()
        return check.check_result

    def bind_code(self, code: bytes, *, before_item: bool = False) -> tuple[CodeCheck, bool]:
        """FF67: bind a code to the current item; returns (check, whether it was checked here).

        A code that was not checked and accepted first is checked implicitly (the KKT runs FF61
        itself and accepts), as field reports describe (seed 004).
        """
        receipt = self._open_receipt()
        if receipt.operation not in (1, 2):
            raise FnRefused(E_INVALID_OPERATION, "marking codes only in приход / возврат прихода")
        fndocs.validate_code(code)
        implicit = False
        check = next((c for c in self.saved_checks if c.code == code), None)
        if check is None:
            planned = 1 if receipt.operation == 1 else 3
            self.check_code(code, planned)
            self.decide(1)
            check = self.saved_checks[-1]
            implicit = True
        if before_item:
            receipt.pending_code = check
        elif receipt.items:
            receipt.items[-1].code = check
        else:
            raise FnRefused(E_BAD_STATE, "no item to bind the code to")
        self._save()
        return check, implicit

    # --------------------------------------------------------------- archive
    def document(self, number: int) -> ArchivedDocument:
        try:
            return self.archive[number]
        except KeyError:
            raise FnRefused(E_NO_DATA, f"document {number} not in the archive") from None

    @property
    def current_document(self) -> int:
        """FF01 byte 1: 0x04 while a receipt is open, else 0."""
        return 0x04 if self.receipt is not None else 0x00

    def _register(self) -> None:
        self.last_fd = 0
        self._close_document(fndocs.FORM_REGISTRATION, fndocs.registration_body(self))

    def _close_document(
        self, form: int, body: list[Tlv], *, operation: int = 0, amount: int = 0
    ) -> ArchivedDocument:
        number = self.last_fd + 1
        when = self.clock()
        head = fndocs.header(self, number, when)
        sign = fndocs.fiscal_sign(self.registration.key, number, [*head, *body])
        tlv = fndocs.document(form, head, body, sign)
        doc = ArchivedDocument(
            number=number, form=form, time=when, fiscal_sign=sign, tlv=tlv,
            operation=operation, amount=amount, shift=self.shift_number,
        )
        self.archive[number] = doc
        self.last_fd = number
        self._save()
        log.debug("FN closed document %d form %d sign %d", number, form, sign)
        return doc

    # ----------------------------------------------------------- persistence
    def _save(self) -> None:
        if self.state_file is None:
            return
        data = dump_state(self)
        try:
            atomic_write(self.state_file, json.dumps(data, ensure_ascii=False, sort_keys=True).encode())
        except OSError as exc:  # the storage failed: the FN reports a failure, the device stays up
            raise FnRefused(E_FN_FAILURE, f"could not write {self.state_file.name}: {exc.strerror}") from exc

    def _load(self) -> None:
        assert self.state_file is not None
        try:
            data: dict[str, Any] = json.loads(self.state_file.read_bytes())
            load_state(self, data)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise FnRefused(E_FN_FAILURE, f"state file {self.state_file.name} unreadable: {exc}") from exc
        self._after_restart()

    def _after_restart(self) -> None:
        if self.receipt is not None and not RESTORE_OPEN_RECEIPT:
            log.info("FN restart: annulling the receipt left open by a power cut")
            self.receipt = None
        self.mark_state = MarkState.IDLE
        self.current_check = None
        self._save()

    def restarted(self) -> VirtualFn:
        """The FN after a power cut: what was saved survives, the open check does not.

        With a state file the new object reads it back from disk; without one it is rebuilt from
        the in-memory image (every change is saved at once, so both give the same FN).
        """
        if self.state_file is not None:
            return VirtualFn(registration=self.registration, scenario=self.scenario, clock=self.clock,
                             state_file=self.state_file)
        image = dump_state(self)
        fresh = VirtualFn.__new__(VirtualFn)
        fresh.registration, fresh.scenario, fresh.clock, fresh.state_file = (
            self.registration, self.scenario, self.clock, None)
        fresh.mark_state = MarkState.IDLE
        fresh.current_check = None
        load_state(fresh, image)
        fresh._after_restart()
        return fresh


