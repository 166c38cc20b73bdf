"""The sale flow: rules → permissive check → register → journal, exactly once (layer 5).

``Till(register, journal).sell(receipt)`` sells one receipt:

1. settle what an earlier run left unfinished (:meth:`Till.recover`), so the journal and the FN
   agree before anything new is sold;
2. check the FFD 1.2 rules (nothing is sent when they fail);
3. check the marking codes in ГИС МТ when a permissive checker is given, and put each item's
   industry requisite 1260 into the receipt;
4. record the sale in the journal, make sure a shift is open, record the *intent* with the FN's
   last document number, and fiscalize (the driver checks every КМ in the FN first);
5. record the result.

When the link fails after the intent, the till asks the FN whether the receipt was fiscalized —
a document after ``fd_before`` whose items and total equal the receipt's — and either completes
the record or cancels what is open and sends again. Two fiscal documents for one sale never come
out of this, and a sale is never dropped silently: it ends ``done``, ``failed`` or ``cancelled``
with the reason in the journal.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol, TypeVar

from ffd12.drivers.base import FiscalDocument, Register, RegisterStatus
from ffd12.errors import Ffd12Error, LinkError, PermissiveError, RegisterError
from ffd12.journal import CANCELLED, CLOSING, DONE, FAILED, PENDING, Journal, SaleRecord
from ffd12.model import IndustryRequisite, Item, Receipt
from ffd12.rules import validate
from ffd12.tlv import Tlv, TlvList, decode, encode
from ffd12.tlv.receipt import to_tlv as receipt_to_tlv

__all__ = ["SaleRefused", "SaleResult", "Till", "default_sale_id", "documents_match"]

log = logging.getLogger("ffd12.till")

_T = TypeVar("_T")

ATTEMPTS: Final = 3  # closing attempts for one sale within one sell() call
LINK_RETRIES: Final = 5  # status reads while settling after a link failure
LINK_PAUSE: Final = 0.2  # seconds between them

# Tags that describe what was sold; the FN adds its own (FD number, ФП, time, shift …).
_ITEM_TAGS: Final = (1030, 1079, 1023, 1043, 1199, 1212, 1214, 2108)
_DOC_TAGS: Final = (1054, 1020, 1055)
_RECEIPT_DOC: Final = 3
_TAG_ITEM: Final = 1059
_TAG_FD: Final = 1040
_TAG_FP: Final = 1077
_TAG_TIME: Final = 1012


class PermissiveCheck(Protocol):
    """What the till needs from :class:`ffd12.permissive.PermissiveChecker`."""

    def check(self, items: Sequence[Any], *, sale: bool = True) -> Any: ...
    def record_sale(self, codes: Sequence[str]) -> None: ...
    def record_return(self, codes: Sequence[str]) -> None: ...


class SaleRefused(PermissiveError):
    """The permissive check refused one or more marking codes; nothing was sent to the register."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("sale refused by the marking check: " + "; ".join(messages))
        self.messages = tuple(messages)


@dataclass(frozen=True, slots=True, kw_only=True)
class SaleResult:
    """A sold receipt: its journal record, the fiscal document, the receipt as sent."""

    sale_id: str
    document: FiscalDocument
    receipt: Receipt
    record: SaleRecord
    recovered: bool = False
    decisions: tuple[Any, ...] = ()


def default_sale_id(data: bytes) -> str:
    """A stable sale id for a receipt file: the same file sells once, whatever happens."""
    return "sha256:" + hashlib.sha256(data).hexdigest()[:32]


def _summary(receipt: Receipt) -> str:
    total = receipt.items_total
    return f"{receipt.operation.name.lower()}, {len(receipt.items)} items, {total // 100}.{total % 100:02d}"


def _fingerprint(doc: TlvList) -> tuple[object, ...]:
    head = tuple(doc.value(tag) for tag in _DOC_TAGS)
    items = tuple(
        tuple(child.value(tag) for tag in _ITEM_TAGS)
        for item in doc.get_all(_TAG_ITEM)
        if isinstance(child := item.value, TlvList)
    )
    return (head, items)


def _body(doc: Tlv | TlvList) -> TlvList:
    if isinstance(doc, TlvList):
        if len(doc) == 1 and isinstance(doc[0].value, TlvList):
            inner = doc[0].value
            assert isinstance(inner, TlvList)
            return inner
        return doc
    value = doc.value
    return value if isinstance(value, TlvList) else TlvList([doc])


def documents_match(fn_document: bytes | TlvList, sent: bytes | TlvList) -> bool:
    """True when an FN document records the receipt that was sent: same operation, taxation,
    total and, item by item, the same name, price, quantity, sum, VAT, subject, method and measure."""
    a = decode(fn_document) if isinstance(fn_document, bytes) else fn_document
    b = decode(sent) if isinstance(sent, bytes) else sent
    return _fingerprint(_body(a)) == _fingerprint(_body(b))


def _fiscal_sign(value: object) -> int:
    if isinstance(value, bytes):
        return int.from_bytes(value[-4:], "big")
    return int(value) if isinstance(value, int) else 0


class Till:
    """One till: a register, a journal and, optionally, the permissive-mode checker.

    ``reconnect`` builds a fresh register after a link failure that the current one cannot
    survive (a dropped TCP connection); ``on_step`` is told each step by name (for the CLI's
    progress lines and for fault tests); ``sleep`` is injectable for tests.
    """

    def __init__(
        self,
        register: Register,
        journal: Journal,
        *,
        permissive: PermissiveCheck | None = None,
        reconnect: Callable[[], Register] | None = None,
        on_step: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.register = register
        self.journal = journal
        self.permissive = permissive
        self._reconnect = reconnect
        self._on_step = on_step or (lambda step: None)
        self._sleep = sleep

    # -- recovery -----------------------------------------------------------------------------
    def recover(self) -> list[SaleRecord]:
        """Settle every sale an earlier run left unfinished; returns the settled records.

        A ``closing`` sale that the FN holds becomes ``done``; one it does not hold, and every
        ``pending`` sale, becomes ``cancelled`` after whatever is open on the device is
        cancelled. Selling again under the same sale id starts it anew.
        """
        settled = []
        for record in self.journal.unfinished():
            self._step(f"recover {record.sale_id}")
            if record.state == CLOSING:
                found = self._find_in_fn(record)
                if found is not None:
                    settled.append(self._complete_from_fn(record, found))
                    continue
            self._cancel_open()
            if record.state == CLOSING:
                self.journal.reopen(record.sale_id, reason="not in the FN after a crash")
            settled.append(self.journal.cancel(record.sale_id, reason="left unfinished by an earlier run"))
        return settled

    # -- the sale -----------------------------------------------------------------------------
    def sell(self, receipt: Receipt, *, sale_id: str | None = None) -> SaleResult:
        """Sell ``receipt`` exactly once under ``sale_id`` (a new id when None)."""
        self.recover()
        sale_id = sale_id or f"uuid:{uuid.uuid4()}"
        existing = self.journal.get(sale_id)
        if existing is not None and existing.state == DONE:
            self._step("already sold")
            return _result(existing, receipt, (), recovered=True)
        self._step("rules")
        validate(receipt)
        decisions: tuple[Any, ...] = ()
        if self.permissive is not None and any(i.marking_code is not None for i in receipt.items):
            self._step("permissive")
            receipt, decisions = self._permissive(receipt)
        payload = encode([receipt_to_tlv(receipt)])
        record = self.journal.begin(sale_id, payload, summary=_summary(receipt))
        if record.state in (CANCELLED, FAILED):
            record = self.journal.restart(sale_id, payload)
        try:
            status = self._ensure_shift()
        except Ffd12Error as exc:
            self.journal.fail(sale_id, reason=str(exc))
            raise
        last_error: Ffd12Error | None = None
        for attempt in range(1, ATTEMPTS + 1):
            status = self._cancel_open(status if attempt == 1 else None)
            record = self.journal.mark_closing(sale_id, fd_before=status.last_fd)
            self._step(f"fiscalize (attempt {attempt})")
            try:
                document = self.register.fiscalize(receipt)
            except (LinkError, RegisterError) as exc:
                if isinstance(exc, LinkError):
                    log.warning("link failed during sale %s: %s", sale_id, exc.reason)
                    last_error = exc
                    self._replace_register()
                # the FN may hold the receipt even though no answer (or an error) came back
                found = self._find_in_fn(record)
                if found is not None:
                    done = self._complete_from_fn(record, found)
                    self._after_sale(receipt)
                    return _result(done, receipt, decisions, recovered=True)
                self._cancel_open()
                if isinstance(exc, RegisterError):
                    self.journal.cancel(sale_id, reason=str(exc))
                    raise
                self.journal.reopen(sale_id, reason=f"link failed: {exc.reason}")
                continue
            done = self.journal.complete(
                sale_id,
                fd_number=document.fd_number,
                fiscal_sign=document.fiscal_sign,
                fiscal_time=document.date_time.isoformat() if document.date_time else "",
            )
            self._after_sale(receipt)
            self._step("done")
            return _result(done, receipt, decisions, document=document)
        record = self.journal.get(sale_id) or record
        if record.state == PENDING:
            self.journal.cancel(sale_id, reason=f"gave up after {ATTEMPTS} attempts")
        assert last_error is not None
        raise last_error

    # -- steps --------------------------------------------------------------------------------
    def _step(self, name: str) -> None:
        log.info("till: %s", name)
        self._on_step(name)

    def _permissive(self, receipt: Receipt) -> tuple[Receipt, tuple[Any, ...]]:
        from ffd12.permissive import CheckItem

        assert self.permissive is not None
        marked = [(i, item, item.marking_code) for i, item in enumerate(receipt.items) if item.marking_code]
        sale = receipt.operation.value in (1, 3)  # приход / расход; returns are not checked (§4.5)
        result = self.permissive.check(
            [
                CheckItem(code=code, unit_price=item.price, department=item.department)
                for _, item, code in marked
            ],
            sale=sale,
        )
        refused = [d.message for d in result.decisions if not d.sell]
        if refused:
            raise SaleRefused(refused)
        items = list(receipt.items)
        for (i, item, _), decision in zip(marked, result.decisions, strict=True):
            requisite: IndustryRequisite | None = decision.requisite
            if requisite is not None:
                items[i] = _with_requisite(item, requisite)
        return replace(receipt, items=tuple(items)), tuple(result.decisions)

    def _after_sale(self, receipt: Receipt) -> None:
        """Tell the permissive layer which codes left (a sale) or came back (a return) here."""
        if self.permissive is None:
            return
        codes = [i.marking_code.canonical for i in receipt.items if i.marking_code is not None]
        if not codes:
            return
        if receipt.operation.value in (1, 3):
            self.permissive.record_sale(codes)
        else:
            self.permissive.record_return(codes)

    def _ensure_shift(self) -> RegisterStatus:
        """An open shift younger than 24 h; returns the register state after making sure."""
        status = self._status()
        if status.shift_open and status.shift_expired:
            self._step("close expired shift")
            self._once(lambda reg: reg.close_shift(), done=lambda st: not st.shift_open)
            status = self._status()
        if not status.shift_open:
            self._step("open shift")
            self._once(lambda reg: reg.open_shift(), done=lambda st: st.shift_open)
            status = self._status()
        return status

    def _once(self, call: Callable[[Register], object], *, done: Callable[[RegisterStatus], bool]) -> None:
        """Run a state-changing call once: after a link failure, the state read decides whether
        it already took effect before it is sent again."""
        first = True

        def attempt(reg: Register) -> None:
            nonlocal first
            if not first and done(reg.status()):
                return
            first = False
            call(reg)

        self._retry(attempt)

    def _status(self) -> RegisterStatus:
        return self._retry(lambda reg: reg.status())

    def _retry(self, call: Callable[[Register], _T]) -> _T:
        """Run an idempotent register call, riding out a link that is coming back.

        After a link failure the register is rebuilt with ``reconnect`` (when given): a driver
        whose connection dropped mid-exchange is not trusted with the next command.
        """
        error: LinkError | None = None
        for _ in range(LINK_RETRIES):
            try:
                return call(self.register)
            except LinkError as exc:
                error = exc
                self._replace_register()
                self._sleep(LINK_PAUSE)
        assert error is not None
        raise error

    def _replace_register(self) -> None:
        if self._reconnect is None:
            return
        try:
            self.register.close()
        except Ffd12Error:
            pass
        try:
            self.register = self._reconnect()
        except Ffd12Error as exc:
            log.warning("reconnect failed: %s", exc)

    def _cancel_open(self, status: RegisterStatus | None = None) -> RegisterStatus:
        """Cancel whatever receipt or FN document is open; returns the state afterwards."""
        status = status or self._status()
        if status.receipt_open or status.fn_document_open:
            self._step("cancel open receipt")
            self._retry(lambda reg: reg.cancel())
            status = self._status()
        return status

    def _find_in_fn(self, record: SaleRecord) -> TlvList | None:
        """The FN document after ``fd_before`` that records this sale, if there is one."""
        if record.fd_before is None:
            return None
        status = self._status()
        for fd in range(record.fd_before + 1, status.last_fd + 1):
            document = decode(self._retry(functools.partial(_read_document, fd=fd)))
            if document and document[0].tag == _RECEIPT_DOC and documents_match(document, record.receipt):
                body = _body(document)
                if body.value(_TAG_FD) is None:
                    body = TlvList([*body, Tlv(_TAG_FD, fd)])
                return body
        return None

    def _complete_from_fn(self, record: SaleRecord, body: TlvList) -> SaleRecord:
        when = body.value(_TAG_TIME)
        fd = body.value(_TAG_FD)
        self._step("found in the FN")
        return self.journal.complete(
            record.sale_id,
            fd_number=fd if isinstance(fd, int) else 0,
            fiscal_sign=_fiscal_sign(body.value(_TAG_FP)),
            fiscal_time=when.isoformat() if isinstance(when, dt.datetime) else "",
        )


def _read_document(register: Register, *, fd: int) -> bytes:
    return register.read_document(fd)


def _with_requisite(item: Item, requisite: IndustryRequisite) -> Item:
    others = tuple(r for r in item.industry_requisites if r.foiv != requisite.foiv)
    return replace(item, industry_requisites=(*others, requisite))


def _result(
    record: SaleRecord,
    receipt: Receipt,
    decisions: tuple[Any, ...],
    *,
    document: FiscalDocument | None = None,
    recovered: bool = False,
) -> SaleResult:
    return SaleResult(
        sale_id=record.sale_id,
        document=document or _document_of(record),
        receipt=receipt,
        record=record,
        recovered=recovered,
        decisions=decisions,
    )


def _document_of(record: SaleRecord) -> FiscalDocument:
    when = dt.datetime.fromisoformat(record.fiscal_time) if record.fiscal_time else None
    return FiscalDocument(
        fd_number=record.fd_number or 0,
        fiscal_sign=record.fiscal_sign or 0,
        date_time=when,
        check_results=(),
    )
