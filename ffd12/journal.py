"""The durable record of every fiscal operation: one SQLite file, one row per sale.

The journal is what makes fiscalization exactly-once (DESIGN.md, "Data flow of a sale"): the till
writes the *intent* before it sends the command that closes a receipt, and the *result* after. If the
link or the till dies in between, the row stays in ``closing`` and the next start asks the fiscal
storage (its last document number) whether the receipt made it, before anything new is sold.

States and the only legal moves between them (one table, one function that refuses the rest)::

    pending ──▶ closing ──▶ done
       │  ╲        │  ╲
       │   ╲       │   ╲─▶ pending   (the FN shows the receipt did not close: send again)
       ▼    ▼      ▼
    failed  cancelled ──▶ pending    (sold again under the same sale id: restart)

Every transition is its own transaction with ``synchronous=FULL``: when a method returns, the
state is on disk. A full disk or a locked file is a :class:`~ffd12.errors.JournalError`.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     with Journal(pathlib.Path(d) / "j.sqlite") as j:
...         _ = j.begin("sale-1", b"\\x03\\x00\\x00\\x00", summary="1 item, 100.00")
...         _ = j.mark_closing("sale-1", fd_before=41)
...         rec = j.complete("sale-1", fd_number=42, fiscal_sign=123456, fiscal_time="2026-11-23T12:00")
...         (rec.state, rec.fd_number)
('done', 42)
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final

from ffd12.errors import JournalError

__all__ = ["STATES", "Journal", "SaleRecord"]

log = logging.getLogger("ffd12.journal")

PENDING: Final = "pending"
CLOSING: Final = "closing"
DONE: Final = "done"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"

STATES: Final = (PENDING, CLOSING, DONE, FAILED, CANCELLED)

# state → the states it may move to; every other move is refused.
_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    PENDING: frozenset({CLOSING, FAILED, CANCELLED}),
    CLOSING: frozenset({DONE, PENDING, CANCELLED}),
    DONE: frozenset(),
    FAILED: frozenset({PENDING}),
    CANCELLED: frozenset({PENDING}),
}
_FINAL: Final = frozenset({DONE, FAILED, CANCELLED})

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS sales (
    sale_id      TEXT PRIMARY KEY,
    state        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    receipt      BLOB NOT NULL,
    fd_before    INTEGER,
    fd_number    INTEGER,
    fiscal_sign  INTEGER,
    fiscal_time  TEXT,
    reason       TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created      REAL NOT NULL,
    updated      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sales_state ON sales(state);
"""

_COLUMNS: Final = (
    "sale_id, state, summary, receipt, fd_before, fd_number, fiscal_sign, fiscal_time, reason, attempts,"
    " created, updated"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SaleRecord:
    """One sale as the journal knows it.

    ``receipt`` holds the receipt's FFD TLV bytes as they were to be sent, so a recovered sale can
    be compared with the document the fiscal storage kept. ``fd_before`` is the FN's last document
    number read just before the closing command; ``attempts`` counts closing commands sent.
    """

    sale_id: str
    state: str
    summary: str
    receipt: bytes
    fd_before: int | None
    fd_number: int | None
    fiscal_sign: int | None
    fiscal_time: str | None
    reason: str | None
    attempts: int
    created: float
    updated: float

    @property
    def finished(self) -> bool:
        """True once the sale has an outcome (done, failed or cancelled)."""
        return self.state in _FINAL


def check_transition(current: str, new: str, *, sale_id: str) -> None:
    """Refuse a move the state table does not allow."""
    allowed = _TRANSITIONS.get(current)
    if allowed is None or new not in allowed:
        raise JournalError(
            f"could not move sale {sale_id!r}: expected one of {sorted(allowed or ())} after "
            f"{current!r}, got {new!r}"
        )


class Journal:
    """SQLite-backed journal of sales; safe to reopen after a crash at any point."""

    def __init__(self, path: str | Path, *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise JournalError(f"could not open the journal {self.path.name!r}: {exc}") from exc

    # -- context management -------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------
    def get(self, sale_id: str) -> SaleRecord | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM sales WHERE sale_id = ?", (sale_id,))
        return rows[0] if rows else None

    def records(self) -> list[SaleRecord]:
        """Every sale, oldest first."""
        return self._query(f"SELECT {_COLUMNS} FROM sales ORDER BY created, rowid", ())

    def unfinished(self) -> list[SaleRecord]:
        """Sales left in ``pending`` or ``closing``: what recovery must settle before a new sale."""
        return self._query(
            f"SELECT {_COLUMNS} FROM sales WHERE state IN (?, ?) ORDER BY created, rowid", (PENDING, CLOSING)
        )

    def __iter__(self) -> Iterator[SaleRecord]:
        return iter(self.records())

    # -- writing ------------------------------------------------------------------------------
    def begin(self, sale_id: str, receipt: bytes, *, summary: str) -> SaleRecord:
        """Record a new sale as ``pending``; an existing sale id returns its record unchanged.

        That makes ``begin`` idempotent: a till that retries a sale under the same id finds the
        earlier outcome instead of starting a second receipt.
        """
        if not sale_id:
            raise JournalError("could not record a sale: expected a non-empty sale id, got ''")
        now = time.time()
        self._write(
            "INSERT OR IGNORE INTO sales (sale_id, state, summary, receipt, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (sale_id, PENDING, summary, bytes(receipt), now, now),
            what=f"record sale {sale_id!r}",
        )
        record = self.get(sale_id)
        assert record is not None
        return record

    def mark_closing(self, sale_id: str, *, fd_before: int) -> SaleRecord:
        """The intent: the closing command is about to be sent; the FN's last FD was ``fd_before``."""
        record = self._require(sale_id)
        check_transition(record.state, CLOSING, sale_id=sale_id)
        return self._update(
            sale_id,
            "state = ?, fd_before = ?, attempts = attempts + 1",
            (CLOSING, fd_before),
        )

    def complete(self, sale_id: str, *, fd_number: int, fiscal_sign: int, fiscal_time: str) -> SaleRecord:
        """The result: the fiscal storage holds the receipt as document ``fd_number``."""
        record = self._require(sale_id)
        check_transition(record.state, DONE, sale_id=sale_id)
        return self._update(
            sale_id,
            "state = ?, fd_number = ?, fiscal_sign = ?, fiscal_time = ?, reason = NULL",
            (DONE, fd_number, fiscal_sign, fiscal_time),
        )

    def reopen(self, sale_id: str, *, reason: str) -> SaleRecord:
        """The FN shows the closing command never took effect: the sale goes back to ``pending``."""
        record = self._require(sale_id)
        check_transition(record.state, PENDING, sale_id=sale_id)
        return self._update(sale_id, "state = ?, reason = ?", (PENDING, reason))

    def restart(self, sale_id: str, receipt: bytes) -> SaleRecord:
        """A failed or cancelled sale is sold again under its id: back to ``pending``."""
        record = self._require(sale_id)
        check_transition(record.state, PENDING, sale_id=sale_id)
        return self._update(sale_id, "state = ?, receipt = ?, reason = NULL", (PENDING, bytes(receipt)))

    def fail(self, sale_id: str, *, reason: str) -> SaleRecord:
        """Refused before anything reached the FN (rules, a marking check, a device error)."""
        record = self._require(sale_id)
        check_transition(record.state, FAILED, sale_id=sale_id)
        return self._update(sale_id, "state = ?, reason = ?", (FAILED, reason))

    def cancel(self, sale_id: str, *, reason: str) -> SaleRecord:
        """The open receipt was cancelled on the device; nothing was fiscalized."""
        record = self._require(sale_id)
        check_transition(record.state, CANCELLED, sale_id=sale_id)
        return self._update(sale_id, "state = ?, reason = ?", (CANCELLED, reason))

    # -- internals ----------------------------------------------------------------------------
    def _require(self, sale_id: str) -> SaleRecord:
        record = self.get(sale_id)
        if record is None:
            raise JournalError(f"could not find sale {sale_id!r} in the journal")
        return record

    def _update(self, sale_id: str, assignments: str, params: tuple[object, ...]) -> SaleRecord:
        self._write(
            f"UPDATE sales SET {assignments}, updated = ? WHERE sale_id = ?",
            (*params, time.time(), sale_id),
            what=f"update sale {sale_id!r}",
        )
        record = self.get(sale_id)
        assert record is not None
        log.info("sale %s is now %s", sale_id, record.state)
        return record

    def _write(self, sql: str, params: tuple[object, ...], *, what: str) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise JournalError(f"could not {what}: {exc}") from exc

    def _query(self, sql: str, params: tuple[object, ...]) -> list[SaleRecord]:
        try:
            rows = self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"could not read the journal: {exc}") from exc
        return [
            SaleRecord(
                sale_id=r[0],
                state=r[1],
                summary=r[2],
                receipt=bytes(r[3]),
                fd_before=r[4],
                fd_number=r[5],
                fiscal_sign=r[6],
                fiscal_time=r[7],
                reason=r[8],
                attempts=r[9],
                created=r[10],
                updated=r[11],
            )
            for r in rows
        ]
