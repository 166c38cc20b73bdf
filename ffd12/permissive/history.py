"""The permissive-mode history: every check request, its answer and the decision, in SQLite.

The till must keep the requests and answers of the permissive mode for at least three months
(seed 001). One row per code and check: time, source (online / offline / local / emergency /
return / none), host, duration, HTTP status, reqId, reqTimestamp, decision, reasons and the 1265
value. Codes sold at this till are kept too, so a second sale of one code is refused locally.

Every write is its own transaction with ``synchronous=FULL``: when :meth:`History.record` returns,
the row is on disk, and only then may the sale go on. A full disk or a locked file raises
:class:`~ffd12.errors.JournalError`. Tokens are never given to this module.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     with History(pathlib.Path(d) / "h.sqlite") as h:
...         _ = h.record([HistoryRow(code="010460…", source="online", decision="sell")])
...         [r.decision for r in h.query()]
['sell']
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from types import TracebackType
from typing import Final

from ffd12.errors import ConfigError, JournalError

__all__ = ["MIN_RETENTION_DAYS", "History", "HistoryRow"]

log = logging.getLogger("ffd12.permissive.history")

MIN_RETENTION_DAYS: Final = 92  # «хранить историю … в течение трех месяцев» (seed 001): 3 × 31 − 1
PRUNE_EVERY_S: Final = 3600.0

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS checks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    time          REAL NOT NULL,
    code          TEXT NOT NULL,
    masked        TEXT NOT NULL,
    product_group TEXT,
    source        TEXT NOT NULL,
    host          TEXT,
    duration_ms   REAL,
    http_status   INTEGER,
    req_id        TEXT,
    req_timestamp INTEGER,
    decision      TEXT NOT NULL,
    reasons       TEXT NOT NULL,
    vendor_code   INTEGER,
    value_1265    TEXT,
    detail        TEXT
);
CREATE INDEX IF NOT EXISTS checks_code ON checks(code);
CREATE INDEX IF NOT EXISTS checks_time ON checks(time);
CREATE TABLE IF NOT EXISTS sold (
    code TEXT PRIMARY KEY,
    time REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryRow:
    """One stored check of one code. ``time`` is epoch seconds (filled in on write when 0)."""

    code: str
    source: str
    decision: str
    masked: str = ""
    time: float = 0.0
    product_group: str | None = None
    host: str | None = None
    duration_ms: float | None = None
    http_status: int | None = None
    req_id: str | None = None
    req_timestamp: int | None = None
    reasons: str = ""
    vendor_code: int | None = None
    value_1265: str | None = None
    detail: str | None = None
    id: int | None = None

    def as_json(self) -> dict[str, object]:
        return asdict(self)


_COLUMNS: Final = tuple(f.name for f in fields(HistoryRow) if f.name != "id")


def _journal_error(action: str, exc: sqlite3.Error) -> JournalError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        why = "the history file is locked by another process"
    elif "full" in text:
        why = "the disk (or the history file's size limit) is full"
    else:
        why = text
    return JournalError(f"could not {action} in the permissive history: {why}")


class History:
    """The SQLite history store. Use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        path: str | Path,
        *,
        retention_days: int = MIN_RETENTION_DAYS,
        busy_timeout: float = 2.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if retention_days < MIN_RETENTION_DAYS:
            raise ConfigError(
                "could not use history retention: "
                f"expected at least {MIN_RETENTION_DAYS} days, got {retention_days}"
            )
        self.path = Path(path)
        self.retention_days = retention_days
        self._clock = wall_clock
        self._last_prune = 0.0
        self._lock = threading.RLock()  # one connection, shared by the till's threads
        try:
            self._db = sqlite3.connect(
                str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _journal_error("open the file", exc) from None
        try:
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._db.close()
            raise _journal_error("prepare the file", exc) from None
        self.prune()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _write(self, action: str, statements: Iterable[tuple[str, Sequence[object]]]) -> list[int]:
        with self._lock:
            return self._write_locked(action, statements)

    def _write_locked(self, action: str, statements: Iterable[tuple[str, Sequence[object]]]) -> list[int]:
        ids: list[int] = []
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    cur = self._db.execute(sql, params)
                    ids.append(cur.lastrowid or 0)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _journal_error(action, exc) from None
        return ids

    def record(self, rows: Sequence[HistoryRow]) -> list[HistoryRow]:
        """Store the rows of one check durably (one transaction); returns them with ids and times."""
        now = self._clock()
        stamped = [replace(r, time=r.time or now, masked=r.masked or r.code[:20]) for r in rows]
        sql = f"INSERT INTO checks ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
        ids = self._write("record a check", [(sql, [getattr(r, c) for c in _COLUMNS]) for r in stamped])
        if now - self._last_prune > PRUNE_EVERY_S:
            self.prune()
        return [replace(r, id=i) for r, i in zip(stamped, ids, strict=True)]

    def record_sale(self, codes: Iterable[str]) -> None:
        """Remember codes sold at this till (call after the receipt is fiscalized)."""
        now = self._clock()
        self._write(
            "record a sale",
            [("INSERT OR REPLACE INTO sold (code, time) VALUES (?, ?)", (c, now)) for c in codes],
        )

    def record_return(self, codes: Iterable[str]) -> None:
        """Forget codes that came back with a return receipt."""
        self._write("record a return", [("DELETE FROM sold WHERE code = ?", (c,)) for c in codes])

    def was_sold(self, code: str) -> bool:
        """Whether this code was sold at this till (and not returned)."""
        try:
            with self._lock:
                row = self._db.execute("SELECT 1 FROM sold WHERE code = ?", (code,)).fetchone()
        except sqlite3.Error as exc:
            raise _journal_error("read the sold codes", exc) from None
        return row is not None

    def query(
        self, *, code: str | None = None, since: float | None = None, limit: int = 1000
    ) -> list[HistoryRow]:
        """Stored checks, oldest first; ``code`` matches the canonical code or its masked form."""
        where: list[str] = []
        params: list[object] = []
        if code is not None:
            where.append("(code = ? OR masked = ? OR code LIKE ? ESCAPE '\\')")
            escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [code, code, escaped + "%"]
        if since is not None:
            where.append("time >= ?")
            params.append(since)
        sql = f"SELECT id, {', '.join(_COLUMNS)} FROM checks"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        try:
            with self._lock:
                rows = self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _journal_error("read the history", exc) from None
        return [HistoryRow(id=r[0], **dict(zip(_COLUMNS, r[1:], strict=True))) for r in rows]

    def prune(self) -> int:
        """Delete checks older than the retention; returns how many rows went."""
        now = self._clock()
        cutoff = now - self.retention_days * 86400.0
        self._last_prune = now
        try:
            with self._lock:
                cur = self._db.execute("DELETE FROM checks WHERE time < ?", (cutoff,))
        except sqlite3.Error as exc:
            raise _journal_error("prune old rows", exc) from None
        if cur.rowcount:
            log.info("pruned %d history rows older than %d days", cur.rowcount, self.retention_days)
        return cur.rowcount
