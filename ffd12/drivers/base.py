"""The one interface every register driver implements, and the results it returns (layer 3).

A ``Register`` speaks to one cash register (ККТ) with its fiscal storage (ФН). Results are frozen
records in FFD vocabulary: ``check_result`` is tag 2106, ``local_status`` 2004, ``km_type`` 2100.
Drivers raise :class:`~ffd12.errors.RegisterError` when the device refuses a command and
:class:`~ffd12.errors.LinkError` when the link fails; they never return a half-done result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "FiscalDocument",
    "MarkingCheck",
    "Register",
    "RegisterStatus",
    "ShiftResult",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterStatus:
    """What a register reports about itself and its FN.

    ``mode``/``submode`` are the vendor's raw codes (kept for diagnostics); the booleans are what
    the sale flow needs: is the shift open, is it older than 24 h, is a receipt or an FN document
    open. ``last_fd`` is the number of the last fiscal document in the FN.
    """

    model: str
    shift_open: bool
    shift_expired: bool
    receipt_open: bool
    fn_document_open: bool
    fn_serial: str
    last_fd: int
    fn_date_time: dt.datetime | None
    mode: int
    submode: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftResult:
    """Outcome of opening or closing a shift: the FN document that recorded it."""

    shift_open: bool
    fd_number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkingCheck:
    """The register's check of one marking code (КМ) before it is sold.

    ``local_status`` (2004) bit0 = checked by the FN with its key, bit1 = positive;
    ``local_reason`` why the FN could not check it (0 = it did); ``km_type`` (2100);
    ``online_code`` the FN code of the online check (None = no online answer, 0xFF = server
    timeout, 0x20 = answer not accepted, then ``online_reason`` says why); ``check_result`` (2106)
    as the FN recorded it after the code was accepted or rejected; ``accepted`` whether the
    driver accepted the code for the receipt; ``server_tlv`` the raw TLV of the server answer.
    """

    local_status: int
    local_reason: int
    km_type: int
    online_code: int | None
    online_reason: int | None
    check_result: int
    accepted: bool
    server_tlv: bytes = b""

    @property
    def refused(self) -> bool:
        """True when the register or ОИСМ said the code must not be sold (2106 rule, §4.9)."""
        checked, positive = bool(self.check_result & 0x01), bool(self.check_result & 0x02)
        status_checked, status_ok = bool(self.check_result & 0x04), bool(self.check_result & 0x08)
        return (checked and not positive) or (status_checked and not status_ok)


@dataclass(frozen=True, slots=True, kw_only=True)
class FiscalDocument:
    """A fiscalized receipt: FD number, fiscal sign (ФП), FN date-time and 2106 per item.

    ``check_results`` has one entry per receipt item, None for items without a marking code.
    ``change`` is in kopecks.
    """

    fd_number: int
    fiscal_sign: int
    date_time: dt.datetime | None
    check_results: tuple[int | None, ...]
    change: int = 0


@runtime_checkable
class Register(Protocol):
    """A cash register with an FN: what the sale flow (``ffd12.till``) needs from any vendor."""

    def status(self) -> RegisterStatus:
        """Read the device and FN state."""
        ...

    def open_shift(self) -> ShiftResult:
        """Open a shift (may contact the KM key server; long timeout)."""
        ...

    def close_shift(self) -> ShiftResult:
        """Close the shift with a Z-report."""
        ...

    def check_marking(
        self, code: Any, planned_status: int, quantity: Decimal = Decimal(1), measure: int = 0
    ) -> MarkingCheck:
        """Check one marking code in the FN (and online through it) and accept or reject it."""
        ...

    def fiscalize(self, receipt: Any) -> FiscalDocument:
        """Register a receipt and return its fiscal document; cancels it on any failure inside."""
        ...

    def read_document(self, fd_number: int) -> bytes:
        """A stored fiscal document from the FN archive as FFD TLV bytes."""
        ...

    def cancel(self) -> None:
        """Cancel the open receipt, if any."""
        ...

    def close(self) -> None:
        """Release the transport."""
        ...
