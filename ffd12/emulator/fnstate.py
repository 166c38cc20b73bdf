"""The virtual FN's state on disk: JSON written atomically (temp file, fsync, rename, fsync dir).

A power cut between two commands therefore leaves either the old or the new state, never a torn
file; :func:`load_state` refuses anything it did not write (KeyError/ValueError/TypeError).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ffd12.emulator.fndocs import ArchivedDocument, Item, OpenReceipt
from ffd12.emulator.fnmark import CodeCheck
from ffd12.tlv import Tlv, TlvList, decode, encode

if TYPE_CHECKING:
    from ffd12.emulator.fn import VirtualFn

__all__ = ["atomic_write", "dump_state", "load_state"]


def _check_to_json(c: CodeCheck) -> dict[str, Any]:
    d = dataclasses.asdict(c)
    d["code"] = c.code.hex()
    d["answer_tlv"] = c.answer_tlv.hex()
    return d


def _check_from_json(d: dict[str, Any]) -> CodeCheck:
    return CodeCheck(**{**d, "code": bytes.fromhex(d["code"]), "answer_tlv": bytes.fromhex(d["answer_tlv"])})


def _tags_hex(tags: list[Tlv]) -> str:
    return encode(TlvList(tags)).hex()


def _tags_from(text: str) -> list[Tlv]:
    return list(decode(bytes.fromhex(text))) if text else []


def dump_state(fn: VirtualFn) -> dict[str, Any]:
    """Everything a restart needs, as JSON-ready data."""
    receipt = None
    if fn.receipt is not None:
        r = fn.receipt
        receipt = {
            "operation": r.operation,
            "tags": _tags_hex(r.tags),
            "pending_tags": _tags_hex(r.pending_tags),
            "pending_code": _check_to_json(r.pending_code) if r.pending_code else None,
            "items": [
                {
                    **{k: getattr(i, k) for k in ("name", "price", "amount", "vat", "subject", "method")},
                    "quantity": str(i.quantity),
                    "tags": _tags_hex(i.tags),
                    "code": _check_to_json(i.code) if i.code else None,
                }
                for i in r.items
            ],
        }
    return {
        "format": 1,
        "last_fd": fn.last_fd,
        "shift_number": fn.shift_number,
        "shift_open": fn.shift_open,
        "shift_opened_at": fn.shift_opened_at.isoformat() if fn.shift_opened_at else None,
        "receipts_in_shift": fn.receipts_in_shift,
        "receipt": receipt,
        "saved_checks": [_check_to_json(c) for c in fn.saved_checks],
        "notifications": fn.notifications,
        "codes_in_notification": fn.codes_in_notification,
        "archive": [
            {"number": d.number, "form": d.form, "time": d.time.isoformat(), "sign": d.fiscal_sign,
             "tlv": d.tlv.hex(), "operation": d.operation, "amount": d.amount, "shift": d.shift}
            for d in fn.archive.values()
        ],
    }


def load_state(fn: VirtualFn, data: dict[str, Any]) -> None:
    """Restore what :func:`dump_state` wrote (KeyError/ValueError/TypeError on a bad file)."""
    if data.get("format") != 1:
        raise ValueError(f"unknown state format {data.get('format')!r}")
    fn.last_fd = int(data["last_fd"])
    fn.shift_number = int(data["shift_number"])
    fn.shift_open = bool(data["shift_open"])
    opened = data["shift_opened_at"]
    fn.shift_opened_at = dt.datetime.fromisoformat(opened) if opened else None
    fn.receipts_in_shift = int(data["receipts_in_shift"])
    fn.saved_checks = [_check_from_json(c) for c in data["saved_checks"]]
    fn.notifications = int(data["notifications"])
    fn.codes_in_notification = int(data["codes_in_notification"])
    fn.archive = {}
    for d in data["archive"]:
        doc = ArchivedDocument(
            number=int(d["number"]), form=int(d["form"]), time=dt.datetime.fromisoformat(d["time"]),
            fiscal_sign=int(d["sign"]), tlv=bytes.fromhex(d["tlv"]), operation=int(d["operation"]),
            amount=int(d["amount"]), shift=int(d["shift"]),
        )
        fn.archive[doc.number] = doc
    r = data["receipt"]
    fn.receipt = None
    if r is not None:
        receipt = OpenReceipt(operation=int(r["operation"]))
        receipt.tags = _tags_from(r["tags"])
        receipt.pending_tags = _tags_from(r["pending_tags"])
        receipt.pending_code = _check_from_json(r["pending_code"]) if r["pending_code"] else None
        for i in r["items"]:
            receipt.items.append(
                Item(
                    name=i["name"], price=int(i["price"]), quantity=Decimal(i["quantity"]),
                    amount=int(i["amount"]), vat=int(i["vat"]), subject=int(i["subject"]),
                    method=int(i["method"]), tags=_tags_from(i["tags"]),
                    code=_check_from_json(i["code"]) if i["code"] else None,
                )
            )
        fn.receipt = receipt


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new bytes, never a torn file."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
