"""The emulated Shtrih-M on a real line, byte by byte: a pty that pyserial opens, and TCP.

Every request and expected answer below is written out from spec/shtrih-m.md (§1.2 frame, §2.1
answer layout, §4 command layouts); the only computed byte is the LRC, by the §1.2 rule.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from functools import reduce
from pathlib import Path
from typing import Protocol

import pytest
import serial

from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.fn import Scenario
from ffd12.emulator.serve import PtyServer, TcpServer
from ffd12.emulator.shtrih import ShtrihDevice

STX, ENQ, ACK, NAK = b"\x02", b"\x05", b"\x06", b"\x15"
PW30 = "1e 00 00 00"  # system administrator, §3
GS = b"\x1d"
KM88 = b"0104601234567893215Qbag!mP7sX3Yq" + GS + b"91FFD0" + GS + b"92" + b"A" * 88


def frame(body_hex: str) -> bytes:
    """STX LEN BODY LRC, LRC = XOR of LEN and the body (spec §1.2)."""
    body = bytes.fromhex(body_hex)
    return STX + bytes([len(body)]) + body + bytes([reduce(lambda a, b: a ^ b, body, len(body))])


class Line(Protocol):
    def write(self, data: bytes) -> None: ...
    def read(self, size: int, timeout: float = 2.0) -> bytes: ...


class SerialLine:
    def __init__(self, path: str) -> None:
        self.port = serial.Serial(path, 115200, timeout=0.05)

    def write(self, data: bytes) -> None:
        self.port.write(data)

    def read(self, size: int, timeout: float = 2.0) -> bytes:
        out = b""
        end = time.monotonic() + timeout
        while len(out) < size and time.monotonic() < end:
            out += self.port.read(size - len(out))
        return out

    def close(self) -> None:
        self.port.close()


class SocketLine:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self, size: int, timeout: float = 2.0) -> bytes:
        out = b""
        end = time.monotonic() + timeout
        while len(out) < size and time.monotonic() < end:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                chunk = self.sock.recv(size - len(out))
            except TimeoutError:
                break
            if not chunk:
                break
            out += chunk
        return out

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> SocketLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def clock() -> dt.datetime:
    return dt.datetime(2026, 3, 2, 9, 30, 15)


def make_device(**kw: object) -> ShtrihDevice:
    return ShtrihDevice(clock=clock, **kw)  # type: ignore[arg-type]


@pytest.fixture(params=["pty", "tcp"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[ShtrihDevice, Line]]:
    device = make_device()
    if request.param == "pty":
        pty_server = PtyServer(device).start()
        line: SerialLine | SocketLine = SerialLine(pty_server.path)
        server: PtyServer | TcpServer = pty_server
    else:
        tcp_server = TcpServer(device).start()
        line = SocketLine(tcp_server.port)
        server = tcp_server
    try:
        yield device, line
    finally:
        line.close()
        server.stop()
    assert server.error is None


def ask(line: Line, request: bytes) -> bytes:
    """ENQ → NAK, command → ACK, answer frame (STX LEN, then LEN + 1 bytes), our ACK."""
    line.write(ENQ)
    assert line.read(1) == NAK
    line.write(request)
    assert line.read(1) == ACK
    head = line.read(2)
    answer = head + line.read(head[1] + 1)
    line.write(ACK)
    return answer


def test_pyserial_opens_the_pty_path() -> None:
    with PtyServer(make_device()) as server:
        assert server.path.startswith("/dev/pts/")
        port = serial.Serial(server.path, 115200, timeout=1)
        try:
            port.write(ENQ)
            assert port.read(1) == NAK
        finally:
            port.close()


def test_short_status_byte_by_byte(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    answer = ask(line, frame(f"10 {PW30}"))
    # 10 ERR op | flags 0x0282 (paper) | mode 4 (shift closed) | submode 0 | ops 0 | 9C 8C | 18 01 | 0
    # | reserved 000000 | last print 0
    assert answer == frame("10 00 1e 82 02 04 00 00 9c 8c 18 01 00 00 00 00 00")


def test_frame_sent_one_byte_at_a_time(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    line.write(ENQ)
    assert line.read(1) == NAK
    for byte in frame(f"10 {PW30}"):
        line.write(bytes([byte]))
    assert line.read(1) == ACK
    assert line.read(20)[:5] == bytes.fromhex("02 11 10 00 1e")


def test_bad_lrc_is_naked_and_answer_repeated_after_nak(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    good = frame(f"10 {PW30}")
    line.write(ENQ)
    assert line.read(1) == NAK
    line.write(good[:-1] + bytes([good[-1] ^ 0x55]))
    assert line.read(1) == NAK
    line.write(good)
    assert line.read(1) == ACK
    first = line.read(20)
    line.write(NAK)  # pretend the answer was damaged
    line.write(ENQ)
    assert line.read(1) == ACK  # an answer is pending …
    assert line.read(20) == first  # … and comes again
    line.write(ACK)
    line.write(ENQ)
    assert line.read(1) == NAK  # delivered: idle again


def test_half_frame_is_forgotten_after_silence(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    line.write(frame(f"10 {PW30}")[:4])
    time.sleep(0.35)
    line.write(ENQ)
    assert line.read(1) == NAK


def test_noise_and_stray_ff_are_ignored(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    line.write(b"\xff\x00\x42\xff")
    line.write(ENQ)
    assert line.read(1) == NAK


def test_errors_carry_only_code_and_error_byte(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    assert ask(line, frame("99 1e 00 00 00")) == frame("99 37")  # unknown command
    assert ask(line, frame("10 63 00 00 00")) == frame("10 4f")  # wrong password
    assert ask(line, frame(f"41 {PW30}")) == frame("41 3d")  # Z-report, shift closed
    assert ask(line, frame(f"88 {PW30}")) == frame("88 73")  # cancel, no receipt
    assert ask(line, frame("ff 01 01 00 00 00")) == frame("ff 01 4f")  # FF01 needs sysadmin
    text = ask(line, frame("6b 4f"))
    assert text[2:4] == bytes.fromhex("6b 00") and "пароль" in text[4:-1].decode("cp1251")


def test_marked_sale_in_the_vendor_order(served: tuple[ShtrihDevice, Line]) -> None:
    device, line = served
    assert ask(line, frame(f"e0 {PW30}")) == frame("e0 00 1e")
    km = KM88.hex()
    n = f"{len(KM88):02x}"
    # FF61: planned status 1, mode 0, KM length, TLV length 0, KM → 2004=3, reason 0, 2100=2,
    # online block of 12 bytes: FN code 0, 2106 = 15, TLV 2105=0, 2109=1
    check = ask(line, frame(f"ff 61 {PW30} 01 00 {n} 00 {km}"))
    assert check == frame("ff 61 00 03 00 02 0c 00 0f 39 08 01 00 00 3d 08 01 00 01")
    assert ask(line, frame(f"ff 69 {PW30} 01")) == frame("ff 69 00 0f")
    assert ask(line, frame(f"8d {PW30} 00")) == frame("8d 00 1e")
    # FF46: приход, 1.000000 pc, 199.00, sum by the KKT, tax not given, НДС 20 %, dept 1, full payment,
    # subject 33, «Туфли» (CP1251)
    item = (f"ff 46 {PW30} 01 40 42 0f 00 00 00 bc 4d 00 00 00 ff ff ff ff ff ff ff ff ff ff"
            " 01 01 04 21 d2 f3 f4 eb e8")
    assert ask(line, frame(item)) == frame("ff 46 00")
    assert ask(line, frame(f"ff 4d {PW30} 3c 08 01 00 00")) == frame("ff 4d 00")  # 2108 = 0
    assert ask(line, frame(f"ff 67 {PW30} {n} {km}")) == frame("ff 67 00 44 4d 00")  # GS1 DM, KM-88
    status = ask(line, frame(f"10 {PW30}"))
    assert status[7] == 0x08 and status[9] == 1  # mode 8: sale receipt open; one operation
    # FF45: cash 200.00, 15 empty payments, no rounding, six empty taxes, ОСН, no text
    close = f"ff 45 {PW30} 20 4e 00 00 00" + " 00" * (15 * 5) + " 00" + " 00" * 30 + " 01"
    answer = ask(line, frame(close))
    sign = device.fn.document(3).fiscal_sign.to_bytes(4, "little").hex()
    # change 1.00, FD 3, fiscal sign, DATE_TIME 26-03-02 09:30
    assert answer == frame(f"ff 45 00 64 00 00 00 00 03 00 00 00 {sign} 1a 03 02 09 1e")
    status = ask(line, frame(f"10 {PW30}"))
    assert status[7] == 0x02  # shift open again, receipt closed


def test_read_document_back_as_tlv(served: tuple[ShtrihDevice, Line]) -> None:
    device, line = served
    ask(line, frame(f"e0 {PW30}"))
    header = ask(line, frame(f"ff 3a {PW30} 02 00 00 00"))
    doc = device.fn.document(2).tlv
    length = len(doc) - 4
    assert header == frame(f"ff 3a 00 02 00 {length & 0xFF:02x} {length >> 8:02x}")  # form 2, length
    read = b""
    while True:
        chunk = ask(line, frame(f"ff 3b {PW30}"))
        if chunk == frame("ff 3b 08"):  # no more data
            break
        assert chunk[2:5] == bytes.fromhex("ff 3b 00") and len(chunk) <= 258
        read += chunk[5:-1]
    assert read == doc[4:]
    found = ask(line, frame(f"ff 0a {PW30} 02 00 00 00"))
    sign = device.fn.document(2).fiscal_sign.to_bytes(4, "little").hex()
    # type 2, no OFD ticket, DATE_TIME, FD 2, sign, shift 1
    assert found == frame(f"ff 0a 00 02 00 1a 03 02 09 1e 02 00 00 00 {sign} 01 00")
    assert ask(line, frame(f"ff 0a {PW30} 09 00 00 00")) == frame("ff 0a 08")


def test_fn_status_and_device_type(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    fn_status = ask(line, frame(f"ff 01 {PW30}"))
    # phase 3, no document, no data, shift closed, no warnings, 26-03-02 09:30, FN number, last FD 1
    fn_number = b"9999078900000001".hex()
    assert fn_status == frame(f"ff 01 00 03 00 00 00 00 1a 03 02 09 1e {fn_number} 01 00 00 00")
    device_type = ask(line, frame("fc"))
    # type 0, subtype 0, protocol 1.0, model 22, Russian, «РИТЕЙЛ-01Ф»
    assert device_type == frame("fc 00 00 00 01 00 16 00" + "РИТЕЙЛ-01Ф".encode("cp1251").hex())
    table = ask(line, frame(f"1f {PW30} 11 01 00 11"))
    assert table == frame("1f 00 04")  # table 17 row 1 field 17: FFD 1.2


def test_paper_out_scenario(served: tuple[ShtrihDevice, Line]) -> None:
    device, line = served
    device.fn.scenario.paper_out = True
    assert ask(line, frame(f"e0 {PW30}")) == frame("e0 6b")
    status = ask(line, frame(f"10 {PW30}"))
    assert status[5:7] == bytes.fromhex("00 02") and status[8] == 1  # no paper flags; passive paper-out


def test_nak_fault_then_resend() -> None:
    device = make_device(faults=FaultInjector("nak@1"))
    with TcpServer(device) as server:
        with SocketLine(server.port) as line:
            line.write(ENQ)
            assert line.read(1) == NAK
            line.write(frame(f"10 {PW30}"))
            assert line.read(1) == NAK  # the injected NAK
            line.write(frame(f"10 {PW30}"))
            assert line.read(1) == ACK
            assert line.read(20)[:5] == bytes.fromhex("02 11 10 00 1e")


def test_delayed_answer_is_announced_by_ack() -> None:
    device = make_device(faults=FaultInjector("delay:0.4@1"))
    with TcpServer(device) as server:
        with SocketLine(server.port) as line:
            line.write(ENQ)
            assert line.read(1) == NAK
            line.write(frame(f"10 {PW30}"))
            assert line.read(1) == ACK
            assert line.read(20, timeout=0.15) == b""  # nothing yet
            line.write(ENQ)
            assert line.read(1) == ACK  # preparing the answer
            assert line.read(20, timeout=2)[:5] == bytes.fromhex("02 11 10 00 1e")


def test_close_fault_keeps_the_answer_for_the_next_connection() -> None:
    device = make_device(faults=FaultInjector("close@1"))
    with TcpServer(device) as server:
        with SocketLine(server.port) as line:
            line.write(ENQ)
            assert line.read(1) == NAK
            line.write(frame(f"e0 {PW30}"))
            assert line.read(1) == ACK
            assert line.read(10) == b""  # connection closed, no answer
        with SocketLine(server.port) as line:
            line.write(ENQ)
            assert line.read(1) == ACK
            assert line.read(6) == frame("e0 00 1e")


def test_power_cut_after_a_command_loses_the_answer_not_the_shift(tmp_path: Path) -> None:
    state = tmp_path / "fn.json"
    device = make_device(faults=FaultInjector("powercut:0.2@1"), state_file=state)
    with TcpServer(device) as server:
        with SocketLine(server.port) as line:
            line.write(ENQ)
            assert line.read(1) == NAK
            line.write(frame(f"e0 {PW30}"))
            assert line.read(1) == ACK
            line.write(ENQ)  # the device is off: nothing comes back
            assert line.read(1, timeout=0.1) == b""
            time.sleep(0.25)
            line.write(ENQ)
            assert line.read(1) == NAK  # powered again, no answer held
            fn_status = ask(line, frame(f"ff 01 {PW30}"))
            assert fn_status[8] == 1 and fn_status[-5:-1] == bytes.fromhex("02 00 00 00")  # shift open, FD 2
    assert device.power_cuts == 1
    assert ShtrihDevice(state_file=state).fn.shift_open


def test_oism_timeout_answer_on_the_wire() -> None:
    device = make_device(scenario=Scenario(oism="timeout"))
    with TcpServer(device) as server:
        with SocketLine(server.port) as line:
            n = f"{len(KM88):02x}"
            answer = ask(line, frame(f"ff 61 {PW30} 01 00 {n} 00 {KM88.hex()}"))
            # 2004 = 3, reason 0, 2100 = 2, online block of 2: FN code 0xFF (timeout), 2106 = 3
            assert answer == frame("ff 61 00 03 00 02 02 ff 03")


def test_classic_commands_an_older_client_sends(served: tuple[ShtrihDevice, Line]) -> None:
    device, line = served
    text40 = "c0 e1 e2" + " 00" * 37  # «Абв» padded to 40 bytes, CP1251
    assert ask(line, frame(f"e0 {PW30}")) == frame("e0 00 1e")
    # 0x80 sale: 1.000 × 150.00, dept 1, tax group 1 (НДС 20 %), text
    sale = f"80 {PW30} e8 03 00 00 00 98 3a 00 00 00 01 01 00 00 00 {text40}"
    assert ask(line, frame(sale)) == frame("80 00 1e")
    # 2.500 × 10.00, tax group 2 (НДС 10 %)
    sale = f"80 {PW30} c4 09 00 00 00 e8 03 00 00 00 01 02 00 00 00 {text40}"
    assert ask(line, frame(sale)) == frame("80 00 1e")
    assert ask(line, frame(f"86 {PW30} f4 01 00 00 00 00 00 00 00 {text40}")) == frame("86 00 1e")  # −5.00
    assert ask(line, frame(f"87 {PW30} 64 00 00 00 00 00 00 00 00 {text40}")) == frame("87 00 1e")  # +1.00
    # 0x85 close: cash 200.00, three empty payments, no discount, taxes, text → change 29.00
    close = f"85 {PW30} 20 4e 00 00 00" + " 00" * 15 + f" 00 00 00 00 00 00 {text40}"
    assert ask(line, frame(close)) == frame("85 00 1e 54 0b 00 00 00")
    receipt = device.fn.document(3)
    assert receipt.amount == 17100 and receipt.operation == 1
    from ffd12.tlv import decode

    items = decode(receipt.tlv)[0].children.get_all(1059)
    assert [(i.children.value(1043), str(i.children.value(1023)), i.children.value(1199)) for i in items] == [
        (15000, "1", 1), (2100, "2.5", 2)]
    assert ask(line, frame("40 01 00 00 00")) == frame("40 4f")  # X-report needs the administrator
    assert ask(line, frame("40 1d 00 00 00")) == frame("40 00 1d")
    assert ask(line, frame(f"8c {PW30}")) == frame("8c 00 1e")  # repeat the document
    assert ask(line, frame(f"25 {PW30} 00")) == frame("25 00 1e")  # full cut
    assert ask(line, frame(f"17 {PW30} 02 {text40}")) == frame("17 00 1e")  # print on the receipt tape
    assert ask(line, frame(f"1e {PW30} 11 01 00 07 01")) == frame("1e 00")  # don't print the next receipt
    assert ask(line, frame(f"1f {PW30} 11 01 00 07")) == frame("1f 00 01")
    assert ask(line, frame(f"1f {PW30} 63 01 00 01")) == frame("1f 33")  # no table 99
    # FF03: valid until 29-03-02, 29 registrations left, 1 done
    assert ask(line, frame(f"ff 03 {PW30}")) == frame("ff 03 00 1d 03 02 1d 01")
    assert ask(line, frame(f"ff 0b {PW30}")) == frame("ff 0b 02")  # shift already open
    assert ask(line, frame(f"41 {PW30}")) == frame("41 00 1e")  # Z-report: FD 4
    opened = ask(line, frame(f"ff 0b {PW30}"))
    sign = device.fn.document(5).fiscal_sign.to_bytes(4, "little").hex()
    assert opened == frame(f"ff 0b 00 02 00 05 00 00 00 {sign}")  # shift 2, FD 5
    # 0x82 sale return opens a return receipt; 0x88 cancels it
    back = f"82 {PW30} e8 03 00 00 00 98 3a 00 00 00 01 01 00 00 00 {text40}"
    assert ask(line, frame(back)) == frame("82 00 1e")
    assert ask(line, frame(f"10 {PW30}"))[7] == 0x28  # mode 8, status 2: sale return
    assert ask(line, frame(f"88 {PW30}")) == frame("88 00 1e")
    assert ask(line, frame(f"10 {PW30}"))[7] == 0x02


def test_marking_status_through_a_check(served: tuple[ShtrihDevice, Line]) -> None:
    _, line = served
    # FF70 idle: state 1, notifications none, allowed B1h|B3h, 0 saved, 0 KM, <50 %, queue 0
    assert ask(line, frame(f"ff 70 {PW30}")) == frame("ff 70 00 01 00 05 00 00 00 00 00")
    n = f"{len(KM88):02x}"
    ask(line, frame(f"ff 61 {PW30} 01 00 {n} 00 {KM88.hex()}"))
    # answer passed (4): only B2h (save) and B3h (clear) allowed
    assert ask(line, frame(f"ff 70 {PW30}")) == frame("ff 70 00 04 00 06 00 00 00 00 00")
    assert ask(line, frame(f"ff 61 {PW30} 01 00 {n} 00 {KM88.hex()}")) == frame("ff 61 a1")  # FF69 first
    assert ask(line, frame(f"ff 69 {PW30} 01")) == frame("ff 69 00 0f")
    assert ask(line, frame(f"ff 70 {PW30}")) == frame("ff 70 00 01 00 05 01 00 00 00 00")  # 1 saved
    assert ask(line, frame(f"ff 69 {PW30} 02")) == frame("ff 69 00 00")  # clear the buffer
    assert ask(line, frame(f"ff 70 {PW30}")) == frame("ff 70 00 01 00 05 00 00 00 00 00")


@pytest.mark.parametrize(("cut_at", "receipt_archived"), [(4, False), (5, True)])
def test_power_cut_mid_receipt(tmp_path: Path, cut_at: int, receipt_archived: bool) -> None:
    """Frames: E0 (1), 8D (2), FF46 (3), FF46 (4), FF45 (5). A cut after the 2nd item loses the open
    receipt; a cut after FF45 loses only its answer — the receipt is in the FN archive."""
    state = tmp_path / "fn.json"
    device = make_device(faults=FaultInjector(f"powercut@{cut_at}"), state_file=state)
    item = (f"ff 46 {PW30} 01 40 42 0f 00 00 00 10 27 00 00 00 ff ff ff ff ff ff ff ff ff ff"
            " 01 01 04 01 c0")
    close = f"ff 45 {PW30} a0 86 01 00 00" + " 00" * (15 * 5) + " 00" + " 00" * 30 + " 01"
    with TcpServer(device) as server:
        with SocketLine(server.port) as line:
            script = [f"e0 {PW30}", f"8d {PW30} 00", item, item, close][:cut_at]
            for n, request in enumerate(script, 1):
                line.write(ENQ)
                assert line.read(1) == NAK
                line.write(frame(request))
                assert line.read(1) == ACK
                head = line.read(2, timeout=0.5 if n == cut_at else 2.0)
                if head:
                    line.read(head[1] + 1)
                    line.write(ACK)
            assert head == b""  # the last command lost its answer
            fn_status = ask(line, frame(f"ff 01 {PW30}"))
            last_fd = int.from_bytes(fn_status[-5:-1], "little")
            status = ask(line, frame(f"10 {PW30}"))
            assert status[7] == 0x02  # shift open, no receipt: an open one was annulled
    assert last_fd == (3 if receipt_archived else 2)
    assert ShtrihDevice(state_file=state).fn.last_fd == last_fd


def test_blackout_between_two_commands(tmp_path: Path) -> None:
    state = tmp_path / "fn.json"
    device = make_device(faults=FaultInjector("blackout:0.2@2"), state_file=state)
    with TcpServer(device) as server:
        with SocketLine(server.port) as line:
            assert ask(line, frame(f"e0 {PW30}")) == frame("e0 00 1e")
            line.write(ENQ)
            assert line.read(1) == NAK
            line.write(frame(f"41 {PW30}"))  # Z-report: the power goes as it arrives
            assert line.read(1, timeout=0.1) == b""  # not ACKed
            time.sleep(0.25)
            assert ask(line, frame(f"10 {PW30}"))[7] == 0x02  # shift still open: 0x41 never ran
    assert device.power_cuts == 1 and device.fn.last_fd == 2
