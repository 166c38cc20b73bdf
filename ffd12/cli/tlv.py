"""``ffd12 tlv``: look inside FFD TLV bytes (a document read from an FN, an OFD, a golden file)."""

from __future__ import annotations

import re
import sys

import click

from ffd12.errors import TlvError
from ffd12.tlv import decode, jsonio, render_text
from ffd12.tlv.text import to_plain

__all__ = ["tlv"]

_HEX_NOISE = re.compile(r"[\s:,_-]|0x", re.IGNORECASE)


@click.group()
def tlv() -> None:
    """FFD TLV: dump the tags of a fiscal document."""


def _read_input(file: str | None, hex_text: str | None) -> bytes:
    if hex_text is not None:
        if file is not None:
            raise click.UsageError("give FILE or --hex, not both")
        try:
            return bytes.fromhex(_HEX_NOISE.sub("", hex_text))
        except ValueError:
            hint = "expected hex digits, e.g. '1e 04 01 00 01'"
            raise click.BadParameter(hint, param_hint="--hex") from None
    if file is None:
        raise click.UsageError("give FILE (or - for stdin) or --hex")
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise click.FileError(file, hint=exc.strerror) from None


@tlv.command()
@click.argument("file", required=False)
@click.option("--hex", "hex_text", metavar="HEX", help="Read TLV from a hex string (spaces ignored).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: tag, Russian name, value; json: a list of {tag, name, value}.",
)
def dump(file: str | None, hex_text: str | None, fmt: str) -> None:
    """Print the tags of FILE (raw TLV bytes; - for stdin) or of --hex."""
    data = _read_input(file, hex_text)
    try:
        tree = decode(data)
    except TlvError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(jsonio.dumps(to_plain(tree), indent=2))
    else:
        click.echo(render_text(tree))
