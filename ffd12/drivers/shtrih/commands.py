"""The Shtrih-M command table: one declarative record per command (spec/shtrih-m.md §3–4).

Each :class:`CommandSpec` names the command, its request layout (everything after the command
code, password first), its answer layout (everything after the code and the error byte), the
answer timeout of §1.3 and which password it expects (§3). The table is plain data, shared by the
driver (``encode_request`` / ``decode_answer``) and the emulator (``decode_request`` /
``encode_answer``); no device behaviour lives here.

Integers are little-endian; money is kopecks in 5 bytes; FN dates are ``DATE_TIME`` = YY MM DD hh
mm (§1.2). Printed texts are CP1251.

>>> encode_request(0x10, password=30).hex(" ")
'10 1e 00 00 00'
>>> decode_answer(0xFF69, bytes.fromhex("FF 69 00 0F"))["check_result"]
15
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from construct import Adapter as _Adapter
from construct import (
    Array,
    Bytes,
    BytesInteger,
    Construct,
    GreedyBytes,
    Int8ul,
    Int16ul,
    Int32ul,
    Optional,
    Prefixed,
    Struct,
    this,
)

from ffd12.drivers.shtrih.errors import raise_for_error
from ffd12.errors import InputError, LinkError

__all__ = [
    "COMMANDS",
    "ITEM_NAME_SIZE",
    "PAD_TEXT_FIELDS",
    "CommandSpec",
    "PasswordKind",
    "code_bytes",
    "decode_answer",
    "decode_request",
    "encode_answer",
    "encode_request",
    "spec_for_body",
]

# §4.6 / §7.6: the spec's fixed message sizes imply texts padded with zero bytes (FF46 name to 128,
# FF45 text to 64, classic texts to 40); JavaPOS sends them unpadded. Unverified which every
# firmware accepts — we pad, and the decoders accept both.
PAD_TEXT_FIELDS = True
ITEM_NAME_SIZE = 128  # §4.6: FF46 name field
RECEIPT_TEXT_SIZE = 64  # §4.7: FF45 text field
CLASSIC_TEXT_SIZE = 40  # §4.12 and the classic 0x80…0x87 texts


class PasswordKind(enum.Enum):
    """Which password a command expects (§3); ``NONE`` = the command carries no password."""

    NONE = "none"
    OPERATOR = "operator"
    ADMIN = "admin"
    SYSADMIN = "sysadmin"


class _Text(_Adapter):  # type: ignore[misc]
    """A trailing CP1251 text field: built padded with zeros to ``size``; parsed with zeros stripped."""

    def __init__(self, size: int) -> None:
        super().__init__(GreedyBytes)
        self.size = size

    def _decode(self, obj: bytes, context: Any, path: Any) -> str:
        return bytes(obj[: self.size]).rstrip(b"\x00").decode("cp1251", errors="replace")

    def _encode(self, obj: str, context: Any, path: Any) -> bytes:
        raw = obj.encode("cp1251")
        if len(raw) > self.size:
            raise InputError(f"could not encode a text: expected at most {self.size} bytes, got {len(raw)}")
        return raw.ljust(self.size, b"\x00") if PAD_TEXT_FIELDS else raw


Money = BytesInteger(5, swapped=True)  # §1.2: 5-byte LE kopecks
Quantity6 = BytesInteger(6, swapped=True)  # §4.6: 6 implied decimals
DateTime = Struct("year" / Int8ul, "month" / Int8ul, "day" / Int8ul, "hour" / Int8ul, "minute" / Int8ul)
Password = "password" / Int32ul  # §3: 4 bytes LE
_pw = Struct(Password)
_operator = Struct("operator" / Int8ul)
_empty = Struct()

# §4.9: the online part of an FF61/FF67 answer — FN code of the online check (0x20 → result byte is
# the reason; 0xFF = server timeout), check result 2106, server TLV. The length byte in front counts
# all of it (JavaPOS reads "rest of frame"; unverified whether the TLV is included in the count).
_Online = Struct("fn_code" / Int8ul, "check_result" / Int8ul, "server_tlv" / GreedyBytes)
_CheckBlock = Struct(
    "local_status" / Int8ul,  # 2004
    "local_reason" / Int8ul,
    "km_type" / Int8ul,  # 2100
    "online" / Prefixed(Int8ul, Optional(_Online)),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandSpec:
    """One command: code (0xFF61 for ``FF 61``), name, layouts, answer timeout (s), password kind."""

    code: int
    name: str
    request: Construct
    answer: Construct
    timeout: float = 30.0
    password: PasswordKind = PasswordKind.OPERATOR

    @property
    def code_bytes(self) -> bytes:
        return code_bytes(self.code)


def code_bytes(code: int) -> bytes:
    """Wire bytes of a command code: ``FF xx`` for codes above 0xFF."""
    return bytes([code >> 8, code & 0xFF]) if code > 0xFF else bytes([code])


def _c(code: int, name: str, request: Construct, answer: Construct, timeout: float = 30.0,
       password: PasswordKind = PasswordKind.OPERATOR) -> CommandSpec:
    return CommandSpec(code=code, name=name, request=request, answer=answer, timeout=timeout,
                       password=password)


_OP, _ADM, _SYS, _NO = PasswordKind.OPERATOR, PasswordKind.ADMIN, PasswordKind.SYSADMIN, PasswordKind.NONE
_taxes4 = "taxes" / Array(4, Int8ul)

_TABLE = (
    # §4.1 short status
    _c(0x10, "short status", _pw, Struct(
        "operator" / Int8ul, "flags" / Int16ul, "mode" / Int8ul, "submode" / Int8ul,
        "operations_low" / Int8ul, "battery_voltage" / Int8ul, "supply_voltage" / Int8ul,
        "fm_error" / Int8ul, "ej_error" / Int8ul, "operations_high" / Int8ul, "reserved" / Bytes(3),
        "last_print" / Optional(Int8ul)), 3.0),
    # §4.2 long status (offsets of the vendor decoder)
    _c(0x11, "long status", _pw, Struct(
        "operator" / Int8ul, "firmware_version" / Bytes(2), "firmware_build" / Int16ul,
        "firmware_date" / Bytes(3), "number_in_hall" / Int8ul, "document_number" / Int16ul,
        "flags" / Int16ul, "mode" / Int8ul, "submode" / Int8ul, "port" / Int8ul,
        "fm_version" / Bytes(2), "fm_build" / Int16ul, "fm_date" / Bytes(3), "date" / Bytes(3),
        "time" / Bytes(3), "fm_flags" / Int8ul, "serial" / Int32ul, "last_closed_shift" / Int16ul,
        "fm_free_records" / Int16ul, "registrations" / Int8ul, "registrations_left" / Int8ul,
        "inn" / Bytes(6), "serial_high" / Optional(Int16ul)), 3.0),
    # §4.12 print string
    _c(0x17, "print string", Struct(Password, "flags" / Int8ul, "text" / _Text(CLASSIC_TEXT_SIZE)),
       _operator, 30.0),
    # §4.12 write / read table
    _c(0x1E, "write table", Struct(Password, "table" / Int8ul, "row" / Int16ul, "field" / Int8ul,
                                   "value" / GreedyBytes), _empty, 30.0, _SYS),
    _c(0x1F, "read table", Struct(Password, "table" / Int8ul, "row" / Int16ul, "field" / Int8ul),
       Struct("value" / GreedyBytes), 30.0, _SYS),
    # classic: cut receipt (0 full, 1 partial)
    _c(0x25, "cut", Struct(Password, "cut_type" / Int8ul), _operator),
    # §1.3 table: X report, Z report (close shift)
    _c(0x40, "X report", _pw, _operator, 30.0, _ADM),
    _c(0x41, "Z report", _pw, _operator, 65.0, _ADM),
    # §2.1: error text by code (no password); answer text CP1251
    _c(0x6B, "error text", Struct("error" / Int8ul), Struct("text" / _Text(255)), 3.0, _NO),
    # classic sale / return (§4.6 "older relatives"): qty ×1000 in 5 bytes, price, department, 4 taxes, text
    _c(0x80, "sale", Struct(Password, "quantity" / Money, "price" / Money, "department" / Int8ul,
                            _taxes4, "text" / _Text(CLASSIC_TEXT_SIZE)), _operator),
    _c(0x82, "sale return", Struct(Password, "quantity" / Money, "price" / Money, "department" / Int8ul,
                                   _taxes4, "text" / _Text(CLASSIC_TEXT_SIZE)), _operator),
    # classic close (§4.7 "older relative"): 4 payments, discount u16, 4 taxes, text → operator, change
    _c(0x85, "close receipt", Struct(Password, "payments" / Array(4, Money), "discount" / Int16ul,
                                     _taxes4, "text" / _Text(CLASSIC_TEXT_SIZE)),
       Struct("operator" / Int8ul, "change" / Money)),
    _c(0x86, "discount", Struct(Password, "amount" / Money, _taxes4, "text" / _Text(CLASSIC_TEXT_SIZE)),
       _operator),
    _c(0x87, "surcharge", Struct(Password, "amount" / Money, _taxes4, "text" / _Text(CLASSIC_TEXT_SIZE)),
       _operator),
    # §4.4 cancel / open receipt (type 0 sale, 1 buy, 2 sale return, 3 buy return)
    _c(0x88, "cancel receipt", _pw, _operator, 30.0),
    _c(0x8C, "repeat document", _pw, _operator),
    _c(0x8D, "open receipt", Struct(Password, "receipt_type" / Int8ul), _operator, 30.0),
    # §4.3 open shift
    _c(0xE0, "open shift", _pw, _operator, 120.0),
    # §4.12 device type (no password)
    _c(0xFC, "device type", _empty, Struct(
        "device_type" / Int8ul, "subtype" / Int8ul, "protocol_version" / Int8ul,
        "protocol_subversion" / Int8ul, "model" / Int8ul, "language" / Int8ul,
        "name" / _Text(255)), 3.0, _NO),
    # §4.5 FN status
    _c(0xFF01, "FN status", _pw, Struct(
        "phase" / Int8ul, "document" / Int8ul, "data_received" / Int8ul, "shift_open" / Int8ul,
        "warnings" / Int8ul, "date_time" / DateTime, "fn_serial" / Bytes(16), "last_fd" / Int32ul),
       30.0, _SYS),
    # §4.5 related: FN validity (YY MM DD), registrations left / done
    _c(0xFF03, "FN validity", _pw, Struct(
        "valid_until" / Bytes(3), "registrations_left" / Int8ul, "registrations_done" / Int8ul), 30.0, _SYS),
    # §4.11 find document: type, ticket flag, DATE_TIME, FD, FS, then type-specific bytes
    _c(0xFF0A, "find document", Struct(Password, "fd_number" / Int32ul), Struct(
        "doc_type" / Int8ul, "ticket_received" / Int8ul, "date_time" / DateTime,
        "fd_number" / Int32ul, "fiscal_sign" / Int32ul, "rest" / GreedyBytes), 30.0, _SYS),
    # §4.3 FN-only open shift
    _c(0xFF0B, "FN open shift", _pw, Struct(
        "shift_number" / Int16ul, "fd_number" / Int32ul, "fiscal_sign" / Int32ul), 120.0, _SYS),
    # §4.8 receipt-level TLV
    _c(0xFF0C, "send TLV", Struct(Password, "tlv" / GreedyBytes), _empty, 30.0, _SYS),
    # §4.11 read document: header, then blocks until error 0x08
    _c(0xFF3A, "read document", Struct(Password, "fd_number" / Int32ul),
       Struct("doc_type" / Int16ul, "length" / Int16ul), 30.0, _SYS),
    _c(0xFF3B, "read document block", _pw, Struct("chunk" / GreedyBytes), 30.0, _SYS),
    # §4.7 close receipt V2
    _c(0xFF45, "close receipt V2", Struct(
        Password, "payments" / Array(16, Money), "rounding" / Int8ul, "taxes" / Array(6, Money),
        "tax_system" / Int8ul, "text" / _Text(RECEIPT_TEXT_SIZE)), Struct(
        "change" / Money, "fd_number" / Int32ul, "fiscal_sign" / Int32ul,
        "date_time" / Optional(DateTime)), 30.0, _SYS),
    # §4.6 operation V2
    _c(0xFF46, "operation V2", Struct(
        Password, "operation" / Int8ul, "quantity" / Quantity6, "price" / Money, "amount" / Money,
        "tax_amount" / Money, "tax_rate" / Int8ul, "department" / Int8ul, "payment_method" / Int8ul,
        "subject" / Int8ul, "name" / _Text(ITEM_NAME_SIZE)), _empty, 30.0),
    # §4.8 TLV bound to the current operation
    _c(0xFF4D, "send operation TLV", Struct(Password, "tlv" / GreedyBytes), _empty, 30.0),
    # §4.9 check KM
    _c(0xFF61, "check KM", Struct(
        Password, "planned_status" / Int8ul, "mode" / Int8ul, "km_length" / Int8ul, "tlv_length" / Int8ul,
        "km" / Bytes(this.km_length), "tlv" / Bytes(this.tlv_length)), _CheckBlock, 40.0),
    # §4.9 bind KM to the current item; optional 0xFF = volume-sort accounting
    _c(0xFF67, "bind KM", Struct(
        Password, "km_length" / Int8ul, "km" / Bytes(this.km_length), "volume_sort" / Optional(Int8ul)),
       Struct("goods_prefix" / Bytes(2), "dm_type" / Int8ul, "check" / Optional(_CheckBlock)), 40.0),
    # §4.9 accept (1) / reject (0) the checked KM, 2 = clear the KM buffer
    _c(0xFF69, "accept KM", Struct(Password, "decision" / Int8ul), Struct("check_result" / Int8ul), 30.0),
    # §4.9 marking status
    _c(0xFF70, "marking status", _pw, Struct(
        "km_state" / Int8ul, "notification_state" / Int8ul, "allowed_commands" / Int8ul,
        "saved_results" / Int8ul, "km_in_notification" / Int8ul, "area_warning" / Int8ul,
        "queue" / Int16ul), 30.0),
)

COMMANDS: Mapping[int, CommandSpec] = MappingProxyType({spec.code: spec for spec in _TABLE})


def _plain(obj: Any) -> Any:
    """construct Containers → plain dicts/lists without the private ``_io`` keys."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _spec(code: int) -> CommandSpec:
    try:
        return COMMANDS[code]
    except KeyError:
        raise InputError(f"could not find command 0x{code:X}: expected one of the Shtrih table") from None


def encode_request(code: int, **fields: Any) -> bytes:
    """Request body (code + parameters) for ``code``; raises InputError on missing/bad fields."""
    spec = _spec(code)
    data = dict(fields)
    if "km" in data and "km_length" not in data:
        data["km_length"] = len(data["km"])
    if "tlv" in data and "tlv_length" not in data and code == 0xFF61:
        data["tlv_length"] = len(data["tlv"])
    try:
        return spec.code_bytes + bytes(spec.request.build(data))
    except InputError:
        raise
    except Exception as exc:  # construct raises many kinds; we name the command
        raise InputError(f"could not encode {spec.name} (0x{code:X}): {exc}") from None


def spec_for_body(body: bytes) -> CommandSpec:
    """The table record for the command at the head of a request or answer body."""
    if not body:
        raise InputError("could not read a command: expected a code, got an empty body")
    code = body[0]
    if code == 0xFF:
        if len(body) < 2:
            raise InputError("could not read a command: expected FF and a second byte, got FF alone")
        code = 0xFF00 | body[1]
    return _spec(code)


def decode_request(body: bytes) -> tuple[CommandSpec, dict[str, Any]]:
    """Device side: the record and the fields of a request body; InputError if malformed."""
    spec = spec_for_body(body)
    try:
        fields = spec.request.parse(body[len(spec.code_bytes):])
    except Exception as exc:
        raise InputError(f"could not decode {spec.name} request: {exc}") from None
    return spec, _plain(fields)


def encode_answer(code: int, error: int = 0, **fields: Any) -> bytes:
    """Device side: answer body ``code ERR data``; with an error only ``code ERR`` (§2.1)."""
    spec = _spec(code)
    if error:
        return spec.code_bytes + bytes([error])
    try:
        return spec.code_bytes + b"\x00" + bytes(spec.answer.build(fields))
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"could not encode the {spec.name} answer: {exc}") from None


def decode_answer(code: int, body: bytes) -> dict[str, Any]:
    """Host side: the fields of an answer body to ``code``.

    Raises :class:`RegisterError` (code + Russian text) when the error byte is set — also for the
    two-byte ``FF err`` form some firmwares use for FF-commands (§2.1) — and
    :class:`LinkError` when the body is not an answer to ``code`` or is too short for its layout.
    """
    spec = _spec(code)
    head = spec.code_bytes
    if len(head) == 2 and len(body) == 2 and body[0] == 0xFF and body != head:
        raise_for_error(body[1], command=spec.name)  # §2.1: "FF err" — the error in place of the code
    if not body.startswith(head) or len(body) < len(head) + 1:
        raise LinkError(f"could not read the {spec.name} answer: expected {head.hex()} and an error byte, "
                        f"got {body[:4].hex()}")
    raise_for_error(body[len(head)], command=spec.name)
    try:
        fields = spec.answer.parse(body[len(head) + 1:])
    except Exception as exc:
        raise LinkError(f"could not read the {spec.name} answer: {exc}", frames=[body.hex(" ")]) from None
    return dict(_plain(fields))
