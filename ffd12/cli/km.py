"""``ffd12 km``: marking codes (КМ) — read what a scanner or 1C produced, show what was repaired."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click

from ffd12.marking import MarkingCode, MarkingCodeError, parse

__all__ = ["km"]

_TYPE_NAMES = {
    0: "not identified",
    1: "short code",
    2: "check code of 88 characters, checked in the FN",
    3: "check code of 44 characters, not checked in the FN",
    4: "check code of 44 characters, checked in the FN",
    5: "check code of 4 characters, not checked in the FN",
}


@click.group("km")
def km() -> None:
    """Marking codes (КМ, «Честный знак»): read, repair, explain."""


def _inputs(codes: tuple[str, ...]) -> Iterator[str | bytes]:
    for code in codes:
        if code != "-":
            yield code
            continue
        buffer = getattr(sys.stdin, "buffer", None)
        data: bytes = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")
        for line in data.split(b"\n"):
            if line.strip():
                yield line


def _table(code: MarkingCode) -> str:
    rows: list[tuple[str, str]] = [
        ("canonical", code.json_safe),
        ("group", code.group),
        ("gtin", code.gtin),
        ("serial", code.serial),
    ]
    optional = {
        "crypto key (91)": code.crypto_key,
        "signature (92)": code.signature,
        "check code (93)": code.crypto_code,
        "expiry": None if code.expiry is None else code.expiry.isoformat(),
        "weight, g (3103)": None if code.weight is None else str(code.weight),
        "MRP, kopecks (8005)": None if code.mrp is None else str(code.mrp),
    }
    rows += [(k, v) for k, v in optional.items() if v is not None]
    rows += [
        ("tag 2100", f"{code.code_type} ({_TYPE_NAMES[code.code_type]})"),
        (f"tag {code.product_code.tag}", code.product_code.value),
        ("tag 2115", code.control_code),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    if code.repairs:
        lines.append("repairs:")
        lines += [f"  - {r.message}" for r in code.repairs]
    return "\n".join(lines)


@km.command("parse")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per code instead of a table.")
@click.option(
    "--lenient", is_flag=True, help="Accept a wrong GTIN check digit (reported as a warning in repairs)."
)
@click.argument("codes", nargs=-1, required=True)
@click.pass_context
def parse_cmd(ctx: click.Context, codes: tuple[str, ...], as_json: bool, lenient: bool) -> None:
    """Parse marking codes given as arguments, or one per line from stdin with `-`.

    Accepts GS as the byte 0x1D or written as <GS>, {GS}, \\u001d, ^], |, spaces; ]d2 prefixes;
    1C Base64; the (01)…(21)… form; a Russian keyboard layout. Exit status 1 if any code is unreadable.
    """
    failed = 0
    first = True
    for text in _inputs(codes):
        try:
            code = parse(text, strict=not lenient)
        except MarkingCodeError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        if as_json:
            click.echo(json.dumps(code.as_json(), ensure_ascii=False))
        else:
            if not first:
                click.echo()
            click.echo(_table(code))
        first = False
    if failed:
        ctx.exit(1)
