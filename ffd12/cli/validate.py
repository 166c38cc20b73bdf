"""``ffd12 validate FILE``: check a receipt against the FFD 1.2 rules; exit 1 when it breaks any.

FILE is a 1C CheckPackage (``.xml``), raw receipt TLV (``.tlv``/``.bin``) or FNS JSON (``.json``);
``-`` reads standard input (then ``--from`` names the format). Conversions of older 1C forms are
printed as warnings on stderr; ``--schema`` also checks a ``.xml`` file against the shipped XSD.
"""

from __future__ import annotations

import sys

import click

from ffd12.errors import Ffd12Error
from ffd12.model import Receipt
from ffd12.rules import check

__all__ = ["validate"]


def _load(data: bytes, kind: str) -> tuple[Receipt, list[str]]:
    if kind == "xml":
        from ffd12.xml import read_check_package

        receipt, warnings = read_check_package(data)
        return receipt, [str(w) for w in warnings]
    from ffd12.tlv.formats import format_by_name
    from ffd12.tlv.receipt import from_tlv

    return from_tlv(format_by_name(kind).read(data)), []


def _kind(path: str, override: str | None) -> str:
    if override is not None:
        return override.lower()
    if path == "-":
        raise click.UsageError("--from is needed when FILE is -")
    lower = path.lower()
    for suffix, kind in ((".xml", "xml"), (".tlv", "tlv"), (".bin", "tlv"), (".json", "json")):
        if lower.endswith(suffix):
            return kind
    raise click.UsageError(f"cannot tell the format of {path!r}: use --from xml|tlv|json")


@click.command()
@click.argument("path", metavar="FILE")
@click.option("--from", "from_fmt", type=click.Choice(["xml", "tlv", "json"]), help="Format of FILE.")
@click.option("--schema", is_flag=True, help="Also validate a 1C XML file against its XSD (line numbers).")
def validate(path: str, from_fmt: str | None, schema: bool) -> None:
    """Print every FFD 1.2 rule a receipt breaks, with its path; exit 1 when there are any."""
    kind = _kind(path, from_fmt)
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror) from None
    problems = 0
    try:
        if schema and kind == "xml":
            from ffd12.xml import validate as validate_schema

            for issue in validate_schema(data):
                click.echo(f"schema: {issue}")
                problems += 1
        receipt, warnings = _load(data, kind)
    except Ffd12Error as exc:
        raise click.ClickException(str(exc)) from None
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    violations = check(receipt)
    for violation in violations:
        click.echo(str(violation))
    problems += len(violations)
    if problems:
        click.echo(f"{problems} problem(s) found", err=True)
        sys.exit(1)
    kind_name = "correction receipt" if receipt.is_correction else "receipt"
    click.echo(f"OK: {kind_name} with {len(receipt.items)} item(s), total {receipt.items_total / 100:.2f}")
