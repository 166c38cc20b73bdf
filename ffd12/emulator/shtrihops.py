"""What the emulated Shtrih-M register does with each command (spec/shtrih-m.md §2–4).

Layouts come from the shared command table (:mod:`ffd12.drivers.shtrih.commands`); this module only
holds device behaviour: modes, passwords, paper, the receipt on top of the virtual FN, tables.
:meth:`Operations.execute` turns a request body into an answer body and never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ffd12.drivers.shtrih.commands import (
    CommandSpec,
    PasswordKind,
    decode_request,
    encode_answer,
)
from ffd12.drivers.shtrih.errors import error_text
from ffd12.drivers.shtrih.link import command_code
from ffd12.emulator.fn import MarkState, VirtualFn, allowed_events
from ffd12.emulator.fndocs import (
    FORM_RECEIPT,
    FORM_SHIFT_CLOSE,
    FORM_SHIFT_OPEN,
    CodeCheck,
    FnRefused,
    Item,
    Payments,
    check_tags,
)
from ffd12.emulator.shtrihkkt import (
    ADMIN,
    CLASSIC_TAX_TO_1199,
    DESKTOP,
    DM_TYPE,
    E_BAD_MODE,
    E_BAD_PARAMS,
    E_INVALID_OPERATION,
    E_NO_PAPER,
    E_NOT_SUPPORTED,
    E_PASSWORD,
    E_PAYMENT_SHORT,
    E_RECEIPT_OPEN,
    E_SHIFT_CLOSED,
    E_SHIFT_OVER,
    E_ZERO_TOTAL,
    EXTENDED_CLOSE_ANSWER,
    NO_PAY,
    OPERATION_TO_MODE_STATUS,
    READ_BLOCK_SIZE,
    RECEIPT_TYPE_TO_1054,
    SYSADMIN,
    TAX_BYTE_TO_1199,
    TIMEOUT_BLOCK_PRESENT,
    DeviceModel,
    KktError,
    default_tables,
    dmy,
    dt5,
    goods_prefix,
    item_amount,
    tidy_quantity,
)
from ffd12.errors import InputError, RegisterError

__all__ = ["Operations"]

log = logging.getLogger("ffd12.emulator.shtrih")

class Operations:
    """The register's command set over one :class:`VirtualFn`."""

    def __init__(self, fn: VirtualFn, model: DeviceModel = DESKTOP, *, port: int = 0) -> None:
        self.fn = fn
        self.model = model
        self.port = port
        self.tables = default_tables()
        self.last_error = 0
        self.last_command = b""
        self.next_doc_tags = b""
        self._reading: tuple[bytes, int] | None = None
        self._handlers: dict[int, Callable[[dict[str, Any], int], dict[str, Any]]] = {
            0x10: self._short_status, 0x11: self._long_status, 0x17: self._printing,
            0x1E: self._write_table, 0x1F: self._read_table, 0x25: self._printing,
            0x40: self._x_report, 0x41: self._z_report, 0x80: self._classic_sale,
            0x82: self._classic_sale, 0x85: self._classic_close, 0x86: self._adjust,
            0x87: self._adjust, 0x88: self._cancel, 0x8C: self._printing, 0x8D: self._open_receipt,
            0xE0: self._open_shift, 0xFC: self._device_type, 0xFF01: self._fn_status,
            0xFF03: self._fn_validity, 0xFF0A: self._find_document, 0xFF0B: self._fn_open_shift,
            0xFF0C: self._receipt_tags, 0xFF3A: self._read_document, 0xFF3B: self._read_block,
            0xFF45: self._close_receipt, 0xFF46: self._operation, 0xFF4D: self._item_tags,
            0xFF61: self._check_code, 0xFF67: self._bind_code, 0xFF69: self._decide,
            0xFF70: self._marking_status,
        }

    # ------------------------------------------------------------------ dispatch
    def execute(self, body: bytes) -> bytes:
        """Request body → answer body (``code ERR data``); every failure becomes an error byte."""
        try:
            code = command_code(body)
        except InputError:
            return bytes([0xFF, 0x01])
        self.last_command = code
        if body == b"\x6b":  # bare 6B: extended text of the last error (§2.1)
            return self._text_answer(0x6B, error_text(self.last_error) if self.last_error else "Ошибок нет")
        number = int.from_bytes(code, "big")
        handler = self._handlers.get(number) if number != 0x6B else None
        try:
            if number == 0x6B:
                spec, fields = decode_request(body)
                return self._text_answer(0x6B, error_text(fields["error"]))
            if handler is None:
                raise KktError(E_NOT_SUPPORTED, f"command {code.hex().upper()}")
            spec, fields = decode_request(body)
            operator = self._check_password(spec, fields)
            answer = handler(fields, operator)
            self.last_error = 0
            return self._encode(spec, answer)
        except RegisterError as exc:
            log.debug("command %s refused: %s", code.hex(), exc)
            self.last_error = exc.code
            return code + bytes([exc.code])
        except InputError as exc:
            log.debug("command %s malformed: %s", code.hex(), exc)
            self.last_error = E_BAD_PARAMS
            return code + bytes([E_BAD_PARAMS])

    def _encode(self, spec: CommandSpec, answer: dict[str, Any]) -> bytes:
        if spec.code == 0xFC:
            return self._text_answer(0xFC, answer.pop("name"), **answer)
        return encode_answer(spec.code, 0, **answer)

    @staticmethod
    def _text_answer(code: int, text: str, **fields: Any) -> bytes:
        """Adapter: the shared layouts pad trailing texts of 0x6B/0xFC to 255 bytes, which would not
        fit a frame; a device sends only the text's own bytes, so the padding is cut off here."""
        raw = text.encode("cp1251", errors="replace")[:200]
        full = encode_answer(code, 0, text=text, **fields) if code == 0x6B else encode_answer(
            code, 0, name=text, **fields)
        return full[: len(full) - 255 + len(raw)]

    def _check_password(self, spec: CommandSpec, fields: dict[str, Any]) -> int:
        if spec.password is PasswordKind.NONE:
            return 0
        pw = int(fields.get("password", 0))
        allowed = {PasswordKind.OPERATOR: range(1, 31), PasswordKind.ADMIN: (ADMIN, SYSADMIN),
                   PasswordKind.SYSADMIN: (SYSADMIN,)}[spec.password]
        for op in allowed:
            if self.tables[(2, op, 1)] == pw.to_bytes(4, "little"):
                return op
        raise KktError(E_PASSWORD)

    # ------------------------------------------------------------------ state helpers
    @property
    def mode(self) -> int:
        fn = self.fn
        if fn.receipt is not None:
            return 0x08 | (OPERATION_TO_MODE_STATUS[fn.receipt.operation] << 4)
        if not fn.shift_open:
            return 4
        return 3 if fn.shift_expired else 2

    def _need_paper(self) -> None:
        if self.fn.scenario.paper_out:
            raise KktError(E_NO_PAPER)

    def _need_shift(self) -> None:
        mode = self.mode
        if mode == 4:
            raise KktError(E_SHIFT_CLOSED)
        if mode == 3:
            raise KktError(E_SHIFT_OVER)
        if mode & 0x0F == 8:
            raise KktError(E_RECEIPT_OPEN)

    def _doc_tags(self) -> bytes:
        tags, self.next_doc_tags = self.next_doc_tags, b""
        return tags

    # ------------------------------------------------------------------ status
    def _short_status(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        items = len(self.fn.receipt.items) if self.fn.receipt else 0
        paper = not self.fn.scenario.paper_out
        submode = 0 if paper else (2 if self.fn.receipt else 1)
        return dict(operator=op, flags=0x0200 | (0x0082 if paper else 0), mode=self.mode, submode=submode,
                    operations_low=items & 0xFF, battery_voltage=0x9C, supply_voltage=0x8C, fm_error=0x18,
                    ej_error=0x01, operations_high=items >> 8, reserved=b"\x00\x00\x00", last_print=0)

    def _long_status(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        now = self.fn.clock()
        reg = self.fn.registration
        inn = int(reg.inn) if reg.inn.isdigit() else 0
        serial = int(reg.rn_kkt[-9:]) if reg.rn_kkt[-9:].isdigit() else 1
        paper = not self.fn.scenario.paper_out
        return dict(
            operator=op, firmware_version=b"C1", firmware_build=21012, firmware_date=b"\x0f\x06\x17",
            number_in_hall=1, document_number=self.fn.last_fd & 0xFFFF,
            flags=0x0200 | (0x0082 if paper else 0), mode=self.mode, submode=0 if paper else 1,
            port=self.port, fm_version=b"C1", fm_build=21012, fm_date=b"\x0f\x06\x17", date=dmy(now),
            time=bytes([now.hour, now.minute, now.second]), fm_flags=0, serial=serial & 0xFFFFFFFF,
            last_closed_shift=max(0, self.fn.shift_number - (1 if self.fn.shift_open else 0)),
            fm_free_records=0, registrations=1, registrations_left=29,
            inn=inn.to_bytes(6, "little"), serial_high=0,
        )

    def _device_type(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        return dict(device_type=0, subtype=0, protocol_version=1, protocol_subversion=0,
                    model=self.model.model_id, language=0, name=self.model.name)

    # ------------------------------------------------------------------ printing & tables
    def _printing(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        self._need_paper()
        return dict(operator=op)

    def _write_table(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        key = (f["table"], f["row"], f["field"])
        if key not in self.tables:
            raise KktError(E_BAD_PARAMS, f"no table cell {key}")
        self.tables[key] = bytes(f["value"])
        return {}

    def _read_table(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        key = (f["table"], f["row"], f["field"])
        if key not in self.tables:
            raise KktError(E_BAD_PARAMS, f"no table cell {key}")
        return dict(value=self.tables[key])

    def _x_report(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if self.fn.receipt is not None:
            raise KktError(E_RECEIPT_OPEN)
        self._need_paper()
        return dict(operator=op)

    # ------------------------------------------------------------------ shift
    def _open_shift(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if self.mode != 4:
            raise KktError(E_RECEIPT_OPEN if self.fn.receipt else E_BAD_MODE, "shift already open")
        self._need_paper()
        self.fn.open_shift(self._doc_tags())
        return dict(operator=op)

    def _fn_open_shift(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if self.mode != 4:
            raise FnRefused(0x02, "shift already open")
        doc = self.fn.open_shift(self._doc_tags())
        return dict(shift_number=self.fn.shift_number & 0xFFFF, fd_number=doc.number,
                    fiscal_sign=doc.fiscal_sign)

    def _z_report(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        mode = self.mode
        if mode == 4:
            raise KktError(E_SHIFT_CLOSED)
        if mode & 0x0F == 8:
            raise KktError(E_RECEIPT_OPEN)
        self._need_paper()
        self.fn.close_shift(self._doc_tags())
        return dict(operator=op)

    # ------------------------------------------------------------------ receipt
    def _begin(self, operation: int) -> None:
        """Open a receipt for tag 1054 ``operation`` unless one of that kind is open."""
        receipt = self.fn.receipt
        if receipt is not None:
            if receipt.operation != operation:
                raise KktError(E_INVALID_OPERATION, "another receipt type is open")
            return
        self._need_shift()
        self.fn.open_receipt(operation)

    def _open_receipt(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if f["receipt_type"] not in RECEIPT_TYPE_TO_1054:
            raise KktError(E_BAD_PARAMS, f"receipt type {f['receipt_type']}")
        self._need_shift()
        self._need_paper()
        self.fn.open_receipt(RECEIPT_TYPE_TO_1054[f["receipt_type"]])
        return dict(operator=op)

    def _cancel(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if self.fn.receipt is None:
            raise KktError(E_BAD_MODE, "no open receipt")
        self.fn.cancel_receipt()
        return dict(operator=op)

    def _operation(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if f["operation"] not in (1, 2, 3, 4):
            raise KktError(E_BAD_PARAMS, f"operation {f['operation']}")
        vat = TAX_BYTE_TO_1199.get(f["tax_rate"])
        if vat is None:
            raise KktError(E_BAD_PARAMS, f"tax byte 0x{f['tax_rate']:02X}")
        quantity = Decimal(f["quantity"]).scaleb(-6)
        amount = item_amount(f["price"], f["quantity"], 1_000_000, f["amount"])
        name = f["name"][2:] if f["name"].startswith("//") else f["name"]
        self._begin(f["operation"])
        self.fn.add_item(Item(name=name, price=f["price"], quantity=tidy_quantity(quantity), amount=amount,
                              vat=vat, subject=f["subject"], method=f["payment_method"]))
        return {}

    def _classic_sale(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        operation = 1 if self.last_command == b"\x80" else 2
        amount = item_amount(f["price"], f["quantity"], 1000, NO_PAY)
        quantity = tidy_quantity(Decimal(f["quantity"]).scaleb(-3))
        vat = CLASSIC_TAX_TO_1199.get(f["taxes"][0])
        if vat is None:
            raise KktError(E_BAD_PARAMS, f"tax group {f['taxes'][0]}")
        self._need_paper()
        self._begin(operation)
        self.fn.add_item(Item(name=f["text"] or "Товар", price=f["price"], quantity=quantity, amount=amount,
                              vat=vat, subject=1, method=4))
        return dict(operator=op)

    def _adjust(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        receipt = self.fn.receipt
        if receipt is None or not receipt.items:
            raise KktError(E_BAD_MODE, "no item to discount")
        item = receipt.items[-1]
        sign = -1 if self.last_command == b"\x86" else 1
        new = item.amount + sign * f["amount"]
        if new <= 0:
            raise KktError(E_BAD_PARAMS, "discount exceeds the item")
        item.amount = new
        item.price = int((Decimal(new) / item.quantity).to_integral_value())
        self.fn.touch()
        return dict(operator=op)

    def _finish(self, payments: list[int], tax_system: int, cut: int) -> tuple[int, Any]:
        """Close the open receipt; ``cut`` (rounding or a receipt discount, kopecks) comes off the
        last item. Every check runs first, and a refusal leaves the receipt as it was."""
        receipt = self.fn.receipt
        if receipt is None:
            raise KktError(E_BAD_MODE, "no open receipt")
        last = receipt.items[-1] if receipt.items else None
        total = sum(i.amount for i in receipt.items) - cut
        if total <= 0 or (last is not None and cut >= last.amount):
            raise KktError(E_ZERO_TOTAL if total <= 0 else E_BAD_PARAMS, "nothing left to pay")
        payments = payments + [0] * (16 - len(payments))
        cash = payments[0]
        paid = sum(payments)
        if paid < total:
            raise KktError(E_PAYMENT_SHORT)
        change = paid - total
        if change > cash:
            raise KktError(E_BAD_PARAMS, "non-cash payments exceed the total")
        self._need_paper()
        pay = Payments(cash=cash - change, electronic=sum(payments[1:13]), prepaid=payments[13],
                       credit=payments[14], provision=payments[15])
        if last is not None and cut:
            last.amount -= cut
        try:
            doc = self.fn.close_receipt(payments=pay, taxation=tax_system)
        except BaseException:
            if last is not None and cut:
                last.amount += cut
            raise
        return change, doc

    def _close_receipt(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        change, doc = self._finish(list(f["payments"]), f["tax_system"], f["rounding"])
        return dict(change=change, fd_number=doc.number, fiscal_sign=doc.fiscal_sign,
                    date_time=dt5(doc.time) if EXTENDED_CLOSE_ANSWER else None)

    def _classic_close(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        receipt = self.fn.receipt
        cut = 0
        if receipt is not None and f["discount"]:  # percent with two decimals, on the whole receipt
            cut = sum(i.amount for i in receipt.items) * min(f["discount"], 9999) // 10000
        taxation = self.fn.registration.taxation & -self.fn.registration.taxation  # lowest registered bit
        change, _doc = self._finish(list(f["payments"]), taxation, cut)
        return dict(operator=op, change=change)

    def _receipt_tags(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if self.fn.receipt is None:
            if self.mode & 0x0F not in (2, 3, 4):
                raise FnRefused(0x02)
            check_tags(f["tlv"], frozenset({1021, 1203}))  # cashier tags for the next shift document
            self.next_doc_tags += f["tlv"]
            return {}
        self.fn.add_receipt_tags(f["tlv"])
        return {}

    def _item_tags(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        self.fn.add_item_tags(f["tlv"], before_item=self.model.tags_first)
        return {}

    # ------------------------------------------------------------------ marking
    @staticmethod
    def _check_block(check: CodeCheck) -> dict[str, Any]:
        online: dict[str, Any] | None
        if check.online_code == 0:
            online = dict(fn_code=0, check_result=check.check_result, server_tlv=check.answer_tlv)
        elif check.online_code == 0x20:  # answer refused: the next byte is the reason (§4.9)
            online = dict(fn_code=0x20, check_result=check.online_reason, server_tlv=b"")
        elif TIMEOUT_BLOCK_PRESENT:
            online = dict(fn_code=check.online_code, check_result=check.check_result, server_tlv=b"")
        else:
            online = None
        return dict(local_status=check.local_status, local_reason=check.local_reason,
                    km_type=check.code_type, online=online)

    def _check_code(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        check = self.fn.check_code(bytes(f["km"]), f["planned_status"], bytes(f["tlv"]))
        log.info("FF61 %s: 2004=%d 2100=%d 2106=%d", check.masked, check.local_status, check.code_type,
                 check.check_result)
        return self._check_block(check)

    def _bind_code(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        code = bytes(f["km"])
        check, implicit = self.fn.bind_code(code, before_item=self.model.tags_first)
        return dict(goods_prefix=goods_prefix(check), dm_type=DM_TYPE.get(check.code_type, 0xFF),
                    check=self._check_block(check) if implicit else None)

    def _decide(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        return dict(check_result=self.fn.decide(f["decision"]))

    def _marking_status(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        fn = self.fn
        warning = fn.notification_warning
        allowed = allowed_events(fn.mark_state) if fn.mark_state != MarkState.BLOCKED else 0
        return dict(km_state=int(fn.mark_state), notification_state=2 if warning == 4 else 0,
                    allowed_commands=allowed,
                    saved_results=len(fn.saved_checks), km_in_notification=fn.codes_in_notification & 0xFF,
                    area_warning=warning, queue=min(fn.notifications, 0xFFFF))

    # ------------------------------------------------------------------ FN reading
    def _fn_status(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        fn = self.fn
        return dict(phase=0x03, document=fn.current_document, data_received=0, shift_open=int(fn.shift_open),
                    warnings=0, date_time=dt5(fn.clock()), fn_serial=fn.registration.fn_number.encode()[:16]
                    .ljust(16, b" "), last_fd=fn.last_fd)

    def _fn_validity(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        first = self.fn.archive[min(self.fn.archive)].time
        return dict(valid_until=bytes([(first.year + 3) % 100, first.month, min(first.day, 28)]),
                    registrations_left=29, registrations_done=1)

    def _find_document(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        doc = self.fn.document(f["fd_number"])
        if doc.form == FORM_RECEIPT:
            rest = bytes([doc.operation]) + doc.amount.to_bytes(5, "little")
        elif doc.form in (FORM_SHIFT_OPEN, FORM_SHIFT_CLOSE):
            rest = (doc.shift & 0xFFFF).to_bytes(2, "little")
        else:
            rest = b""
        return dict(doc_type=doc.form, ticket_received=0, date_time=dt5(doc.time), fd_number=doc.number,
                    fiscal_sign=doc.fiscal_sign, rest=rest)

    def _read_document(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        doc = self.fn.document(f["fd_number"])
        value = doc.tlv[4:]
        self._reading = (value, 0)
        return dict(doc_type=doc.form, length=len(value))

    def _read_block(self, f: dict[str, Any], op: int) -> dict[str, Any]:
        if self._reading is None:
            raise FnRefused(0x02, "no document being read")
        data, pos = self._reading
        if pos >= len(data):
            self._reading = None
            raise FnRefused(0x08)
        self._reading = (data, pos + READ_BLOCK_SIZE)
        return dict(chunk=data[pos : pos + READ_BLOCK_SIZE])
