"""Benchmark: FFD TLV encode/decode of a 100-item receipt with marking codes and 1260 on every item.

Prints documents per second each way and the ratio of decode against a floor: a plain ``struct``
loop that walks the same bytes (descending into the same STLVs) without typing the values.
Target (issue 3): decode within 3× that floor. Run: ``python bench/tlv.py [--seconds 2] [--no-sharing]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import struct
import time
from collections.abc import Callable
from decimal import Decimal

from ffd12.model import IndustryRequisite
from ffd12.tlv import TAGS, TagType, Tlv, TlvList, codec, decode, encode
from ffd12.tlv.industry import to_tlv

ITEMS = 100
_HEADER = struct.Struct("<HH")
_STLV = frozenset(n for n, i in TAGS.items() if i.type is TagType.STLV)


def receipt(*, distinct: bool = False) -> Tlv:
    """A кассовый чек with ITEMS marked items: 1163/1305, 2102, 2106, 2108 and 1260 on each.

    ``distinct`` gives every item its own price, quantity, VAT sum and 1264, so that no short
    requisite repeats (the decoder shares identical short nodes; this is its worst case).
    """
    items = []
    for n in range(ITEMS):
        k = n if distinct else 0
        serial = f"{n:06d}Qbag!"
        industry = IndustryRequisite(
            foiv="030", doc_date="21.11.2023", doc_number=str(1944 + k),
            value=f"UUID=3f2c8a51-9d0e-4b7a-8c61-{n:012d}&Time={1785764594397 + n}",
        )
        items.append(Tlv(1059, TlvList([
            Tlv(1030, f"Молоко пастеризованное 3,2% 930 мл № {n}"),
            Tlv(1079, 8999 + k),
            Tlv(1023, Decimal("1") + Decimal(k) / 1000),
            Tlv(1043, 8999 + 7 * k),
            Tlv(1199, 11),
            Tlv(1200, 1623 + k),
            Tlv(1214, 4),
            Tlv(1212, 33),
            Tlv(2108, 0),
            Tlv(1163, TlvList([Tlv(1305, f"0104601234567893{'21'}{serial}")])),
            Tlv(2102, 0),
            Tlv(2106, 15),
            to_tlv(industry),
        ])))
    return Tlv(3, TlvList([
        Tlv(1048, 'ООО "Ромашка-Ритейл"'),
        Tlv(1018, "7700000001"),
        Tlv(1012, dt.datetime(2026, 8, 3, 16, 44)),
        Tlv(1037, "0006828493046904"),
        Tlv(1041, "7380440700123456"),
        Tlv(1040, 41234),
        Tlv(1077, bytes.fromhex("0000b417f360")),
        Tlv(1054, 1),
        Tlv(1055, 1),
        Tlv(1209, 4),
        Tlv(1020, 8999 * ITEMS),
        Tlv(1081, 8999 * ITEMS),
        Tlv(2107, 0),
        *items,
    ]))


def struct_walk(buf: bytes, pos: int = 0, end: int | None = None) -> list[tuple[int, object]]:
    """The floor: headers with struct, values left as raw slices, recursion into STLVs."""
    end = len(buf) if end is None else end
    out: list[tuple[int, object]] = []
    unpack = _HEADER.unpack_from
    while pos < end:
        tag, length = unpack(buf, pos)
        start = pos + 4
        pos = start + length
        out.append((tag, struct_walk(buf, start, pos) if tag in _STLV else buf[start:pos]))
    return out


def best_rates(fns: dict[str, Callable[[], object]], seconds: float) -> dict[str, float]:
    """Documents/s of each function: best of many short rounds, interleaved, so that a busy
    machine slows every contender alike and the ratio stays meaningful."""
    best = {name: float("inf") for name in fns}
    deadline = time.perf_counter() + seconds * len(fns)
    while time.perf_counter() < deadline:
        for name, fn in fns.items():
            started = time.perf_counter()
            for _ in range(5):
                fn()
            best[name] = min(best[name], (time.perf_counter() - started) / 5)
    return {name: 1.0 / t for name, t in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument(
        "--no-sharing", action="store_true", help="switch off the decoder's sharing of identical short nodes"
    )
    args = parser.parse_args()
    if args.no_sharing:
        codec._INTERN_LEN = -1
        print("node sharing: off")
    measure("repeated rates/flags/1262-1264", receipt(), args.seconds)
    measure("distinct prices, quantities, 1264", receipt(distinct=True), args.seconds)


def measure(title: str, doc: Tlv, seconds: float) -> None:
    wire = encode([doc])
    assert decode(wire)[0] == doc
    tags = sum(1 for _ in struct_walk(wire)[0][1])  # type: ignore[arg-type]
    print(f"receipt, {title}: {ITEMS} items, {len(wire)} bytes, {tags} top-level requisites")
    rates = best_rates(
        {"floor": lambda: struct_walk(wire), "decode": lambda: decode(wire), "encode": lambda: encode([doc])},
        seconds,
    )
    floor, dec, enc = rates["floor"], rates["decode"], rates["encode"]
    print(f"  struct walk (floor): {floor:8.0f} documents/s")
    print(f"  decode:              {dec:8.0f} documents/s   {floor / dec:.2f}x the floor (target <= 3x)")
    print(f"  encode:              {enc:8.0f} documents/s   {floor / enc:.2f}x the floor")

if __name__ == "__main__":
    main()
