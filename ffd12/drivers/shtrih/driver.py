"""``ShtrihRegister``: the Shtrih-M driver behind :class:`ffd12.drivers.base.Register` (spec §4.10).

The driver owns the I/O loop only: it feeds the sans-I/O link (:class:`HostLink`, protocol v1, or
:class:`~ffd12.drivers.shtrih.link2.HostLink2`, protocol v2) with bytes from a
:class:`~ffd12.drivers.transport.Transport`, and turns answers into results with the command table.

A receipt follows the vendor sequence of §4.10: every marking code is checked (FF61) and accepted
or rejected (FF69) before the receipt opens; then ``8D``; per item ``FF46``, ``FF4D`` item tags,
``FF67`` — or ``FF4D``, ``FF67``, ``FF46`` on the tags-first models; ``FF0C`` receipt tags;
``FF45``. Any failure after ``8D`` cancels the receipt (``88``) before the error is raised.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

from ffd12.drivers.base import FiscalDocument, MarkingCheck, RegisterStatus, ShiftResult
from ffd12.drivers.shtrih import receipt as plan
from ffd12.drivers.shtrih.commands import COMMANDS, PasswordKind, decode_answer, encode_request
from ffd12.drivers.shtrih.link import HostLink, LinkPolicy
from ffd12.drivers.transport import Transport
from ffd12.errors import Ffd12Error, InputError, RegisterError
from ffd12.model import Receipt

__all__ = ["MarkingRefused", "ShtrihRegister"]

log = logging.getLogger("ffd12.drivers.shtrih.driver")

DEFAULT_PASSWORD = 30  # §3: factory system administrator password (also used as operator)
BUSY_ERROR = 0x50  # §1.3: still printing the previous command → wait and repeat
BUSY_PAUSE = 0.333
BUSY_TRIES = 30
NO_MORE_DATA = 0x08  # §4.11: end of FF3B blocks
NO_RECEIPT_OPEN = 0x73  # §4.4: 0x88 with no open receipt
MARKING_SEQUENCE = 0xA1  # §2.2: wrong sequence of the FN marking commands
CHECK_AFTER_OPEN = False
"""§4.10 "Open": the vendor JavaPOS and fr_drv_ng examples check every КМ before ``8D``; user reports
give open → FF61 → FF69 → FF67 on КЯ. We follow the vendor by default; which one a firmware needs is
unverified."""


class Link(Protocol):
    """What the driver needs from a link object (v1 or v2): sans-I/O exchange of one command."""

    answer: bytes | None

    @property
    def done(self) -> bool: ...
    def start(self, body: bytes, answer_timeout: float, *, password_at: int | None = None) -> None: ...
    def bytes_to_send(self) -> bytes: ...
    def wait_time(self) -> float: ...
    def receive_data(self, data: bytes) -> None: ...
    def timed_out(self) -> None: ...


class MarkingRefused(RegisterError):
    """A marking code the FN or ОИСМ said must not be sold; ``code`` holds its 2106 value."""

    def __init__(self, check: MarkingCheck, *, item: int) -> None:
        super().__init__(check.check_result, f"код маркировки позиции {item + 1} не прошёл проверку "
                         f"(2106 = {check.check_result}, 2004 = {check.local_status})", command="check KM")
        self.check = check
        self.item = item


def _date_time(raw: dict[str, int] | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        return dt.datetime(2000 + raw["year"], raw["month"], raw["day"], raw["hour"], raw["minute"])
    except (ValueError, KeyError):
        return None


class ShtrihRegister:
    """A Shtrih-M register with an FN-M over any transport (serial, TCP, USB).

    ``passwords`` maps :class:`PasswordKind` to the 4-byte password (default 30 for all, §3).
    ``link`` defaults to a protocol v1 :class:`HostLink`; pass a ``HostLink2`` for protocol v2.
    ``model`` (0xFC model id) is read on first use unless given; it decides the tags-first item
    order and the VAT bytes of §4.6. ``timeouts`` overrides answer timeouts (seconds) of single
    commands, e.g. ``{0xFF61: 60.0}`` when the KM server is slow; the defaults are those of §1.3.
    ``check_after_open`` moves the FF61/FF69 checks after ``8D`` (see :data:`CHECK_AFTER_OPEN`).
    """

    def __init__(self, transport: Transport, *, passwords: dict[PasswordKind, int] | None = None,
                 link: Link | None = None, policy: LinkPolicy | None = None,
                 model: int | None = None, timeouts: Mapping[int, float] | None = None,
                 check_after_open: bool = CHECK_AFTER_OPEN) -> None:
        self.transport = transport
        self.passwords = {kind: DEFAULT_PASSWORD for kind in PasswordKind} | (passwords or {})
        self.link: Link = link if link is not None else HostLink(policy)
        self._model = model
        self.timeouts = dict(timeouts or {})
        self.check_after_open = check_after_open
        self._model_name = ""
        self.round_trips = 0

    # -- the command loop ----------------------------------------------------------------------
    def _exchange(self, body: bytes, timeout: float, password_at: int | None) -> bytes:
        link, tr = self.link, self.transport
        link.start(body, timeout, password_at=password_at)
        self.round_trips += 1
        while True:
            out = link.bytes_to_send()
            if out:
                tr.write(out)
            if link.done:
                assert link.answer is not None
                return link.answer
            data = tr.read(4096, link.wait_time())
            if data:
                link.receive_data(data)
            else:
                link.timed_out()

    def execute(self, code: int, **fields: Any) -> dict[str, Any]:
        """Send one command from the table and return its decoded answer (RegisterError on refusal)."""
        spec = COMMANDS[code]
        password_at = None
        if spec.password is not PasswordKind.NONE:
            fields.setdefault("password", self.passwords[spec.password])
            password_at = len(spec.code_bytes)
        body = encode_request(code, **fields)
        for attempt in range(BUSY_TRIES):
            answer = self._exchange(body, self.timeouts.get(code, spec.timeout), password_at)
            try:
                return decode_answer(code, answer)
            except RegisterError as exc:
                if exc.code != BUSY_ERROR or attempt == BUSY_TRIES - 1:
                    raise
                time.sleep(BUSY_PAUSE)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- device facts --------------------------------------------------------------------------
    @property
    def model(self) -> int:
        """The 0xFC model id (read once)."""
        if self._model is None:
            info = self.execute(0xFC)
            self._model, self._model_name = info["model"], info["name"]
        return self._model

    @property
    def tags_first(self) -> bool:
        """True for models that want FF4D/FF67 before FF46 (§4.10: КЯ and ШТРИХ-MOBILE-Ф)."""
        return self.model in plan.TAGS_FIRST_MODELS

    def status(self) -> RegisterStatus:
        short = self.execute(0x10)
        fn = self.execute(0xFF01)
        model = self.model
        mode = short["mode"] & 0x0F
        return RegisterStatus(
            model=self._model_name or f"model {model}",
            shift_open=mode in (2, 3, 8),
            shift_expired=mode == 3,
            receipt_open=mode == 8,
            fn_document_open=fn["document"] != 0,
            fn_serial=fn["fn_serial"].decode("ascii", errors="replace").strip("\x00 "),
            last_fd=fn["last_fd"],
            fn_date_time=_date_time(fn["date_time"]),
            mode=short["mode"],
            submode=short["submode"],
        )

    def _last_fd(self) -> int:
        return int(self.execute(0xFF01)["last_fd"])

    def open_shift(self) -> ShiftResult:
        self.execute(0xE0)
        return ShiftResult(shift_open=True, fd_number=self._last_fd())

    def close_shift(self) -> ShiftResult:
        self.execute(0x41)
        return ShiftResult(shift_open=False, fd_number=self._last_fd())

    # -- marking codes -------------------------------------------------------------------------
    def check_marking(self, code: Any, planned_status: int, quantity: Decimal = Decimal(1),
                      measure: int = 0, *, fraction: Any = None, accept: bool | None = None) -> MarkingCheck:
        """FF61 then FF69 (§4.9): the FN's check of one code, accepted unless it came back negative.

        ``accept`` forces the decision (True/False); by default the code is rejected only when the
        2106 bits say so (checked but negative, or status checked and wrong).
        """
        km = plan.km_bytes(code)
        tlv = plan.measured_check_tlv(planned_status, quantity, measure, fraction)
        ans = self.execute(0xFF61, planned_status=planned_status, mode=0, km=km, tlv=tlv)
        online = ans["online"]
        online_code = online["fn_code"] if online else None
        online_reason = online["check_result"] if online and online_code == 0x20 else None
        preliminary = online["check_result"] if online and online_code == 0 else 0
        probe = MarkingCheck(local_status=ans["local_status"], local_reason=ans["local_reason"],
                             km_type=ans["km_type"], online_code=online_code, online_reason=online_reason,
                             check_result=preliminary | (ans["local_status"] & 0x03), accepted=False)
        local_negative = bool(ans["local_status"] & 0x01) and not ans["local_status"] & 0x02
        decision = (not probe.refused and not local_negative) if accept is None else accept
        result = self.execute(0xFF69, decision=1 if decision else 0)["check_result"]
        log.info("KM checked: 2004=%d 2100=%d online=%s 2106=%d %s", probe.local_status, probe.km_type,
                 online_code, result, "accepted" if decision else "rejected")
        return MarkingCheck(local_status=probe.local_status, local_reason=probe.local_reason,
                            km_type=probe.km_type, online_code=online_code, online_reason=online_reason,
                            check_result=result, accepted=decision,
                            server_tlv=online["server_tlv"] if online else b"")

    # -- receipts ------------------------------------------------------------------------------
    def fiscalize(self, receipt: Receipt) -> FiscalDocument:
        if receipt.is_correction:
            raise InputError("could not fiscalize: correction receipts are not supported by this driver yet")
        operation = receipt.operation
        receipt_type = plan.receipt_type(operation)
        tags_first = self.tags_first
        model = self.model
        results: list[int | None] = []
        if not self.check_after_open:
            results = self._check_codes(receipt)  # §4.10 step 3: every КМ before the receipt opens
        self.execute(0x8D, receipt_type=receipt_type)
        try:
            if self.check_after_open:
                results = self._check_codes(receipt)  # the КЯ order some reports give (§4.10 "Open")
            for item in receipt.items:
                fields = plan.operation_fields(item, operation, model=model)
                chunks = plan.tlv_chunks(plan.item_tags(item))
                km = plan.km_bytes(item.marking_code) if item.marking_code is not None else None
                if not tags_first:
                    self.execute(0xFF46, **fields)
                for chunk in chunks:
                    self.execute(0xFF4D, tlv=chunk)
                if km is not None:
                    self.execute(0xFF67, km=km, volume_sort=None)
                if tags_first:
                    self.execute(0xFF46, **fields)
            for chunk in plan.tlv_chunks(plan.receipt_tags(receipt)):
                self.execute(0xFF0C, tlv=chunk)
            closed = self.execute(0xFF45, **plan.close_fields(receipt))
        except Ffd12Error:
            self._cancel_quietly()
            raise
        when = _date_time(closed["date_time"])
        if when is None:
            when = _date_time(self.execute(0xFF0A, fd_number=closed["fd_number"])["date_time"])
        return FiscalDocument(fd_number=closed["fd_number"], fiscal_sign=closed["fiscal_sign"],
                              date_time=when, check_results=tuple(results), change=closed["change"])

    def _check_codes(self, receipt: Receipt) -> list[int | None]:
        """FF61 + FF69 for every marking code of the receipt; 2106 per item (None if unmarked)."""
        results: list[int | None] = []
        first = True
        for index, item in enumerate(receipt.items):
            if item.marking_code is None:
                results.append(None)
                continue
            args = (item.marking_code, plan.planned_status_for(item, receipt.operation), item.quantity,
                    int(item.measure or 0))
            try:
                check = self.check_marking(*args, fraction=item.fraction)
            except RegisterError as exc:
                # a check left half-done by a lost connection (FF61 without FF69) blocks the FN's
                # marking sequence (0xA1): before this receipt's first code, clear it and retry
                if exc.code != MARKING_SEQUENCE or not first:
                    raise
                log.warning("clearing a KM check left unfinished before this receipt (%s)", exc)
                self.execute(0xFF69, decision=2)
                check = self.check_marking(*args, fraction=item.fraction)
            first = False
            if not check.accepted:
                self._clear_marking()
                raise MarkingRefused(check, item=index)
            results.append(check.check_result)
        return results

    def _clear_marking(self) -> None:
        try:
            self.execute(0xFF69, decision=2)
        except Ffd12Error as exc:
            log.warning("could not clear the KM check buffer: %s", exc)

    def _cancel_quietly(self) -> None:
        try:
            self.cancel()
        except Ffd12Error as exc:
            log.warning("could not cancel the receipt after a failure: %s", exc)

    def cancel(self) -> None:
        try:
            self.execute(0x88)
        except RegisterError as exc:
            if exc.code != NO_RECEIPT_OPEN:
                raise

    def read_document(self, fd_number: int) -> bytes:
        """The FN document as TLV: its STLV header (type, length) then the blocks of FF3B (§4.11)."""
        head = self.execute(0xFF3A, fd_number=fd_number)
        data = bytearray()
        while len(data) < head["length"]:
            try:
                chunk = self.execute(0xFF3B)["chunk"]
            except RegisterError as exc:
                if exc.code == NO_MORE_DATA:
                    break
                raise
            if not chunk:
                break
            data += chunk
        doc_type = int(head["doc_type"])
        return doc_type.to_bytes(2, "little") + len(data).to_bytes(2, "little") + bytes(data)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> ShtrihRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
