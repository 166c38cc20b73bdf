"""``ffd12 status``, ``ffd12 shift open|close``, ``ffd12 fn read N``: talk to a register by URL."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from ffd12.drivers.base import Register
from ffd12.errors import Ffd12Error

__all__ = ["fn", "shift", "status"]

_T = TypeVar("_T")

device_option = click.option(
    "--device", "-d", "url", required=True, envvar="FFD12_DEVICE", metavar="URL",
    help="Register URL: serial:///dev/ttyACM0?baudrate=115200, tcp://host:7778, usb://VID:PID, "
         "emu://shtrih (also from $FFD12_DEVICE).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@contextmanager
def _register(url: str) -> Iterator[Register]:
    from ffd12.connect import connect

    try:
        reg = connect(url)
    except Ffd12Error as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield reg
    except Ffd12Error as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        reg.close()


def _run(url: str, action: Callable[[Register], _T]) -> _T:
    with _register(url) as reg:
        return action(reg)


def _print_record(record: Any, as_json: bool) -> None:
    data = dataclasses.asdict(record)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))
        return
    for key, value in data.items():
        click.echo(f"{key.replace('_', ' ')}: {value}")


@click.command("status")
@device_option
@json_option
def status(url: str, as_json: bool) -> None:
    """Show the register's mode, shift and FN state."""
    _print_record(_run(url, lambda reg: reg.status()), as_json)


@click.group("shift")
def shift() -> None:
    """Open or close the register's shift (смена)."""


@shift.command("open")
@device_option
@json_option
def shift_open(url: str, as_json: bool) -> None:
    """Open a shift (may take long: the FN-M updates its KM keys)."""
    _print_record(_run(url, lambda reg: reg.open_shift()), as_json)


@shift.command("close")
@device_option
@json_option
def shift_close(url: str, as_json: bool) -> None:
    """Close the shift with a Z-report."""
    _print_record(_run(url, lambda reg: reg.close_shift()), as_json)


@click.group("fn")
def fn() -> None:
    """The fiscal storage (ФН) of a register."""


@fn.command("read")
@click.argument("number", type=click.IntRange(1, 0xFFFFFFFF))
@device_option
@json_option
def fn_read(number: int, url: str, as_json: bool) -> None:
    """Print fiscal document NUMBER from the FN archive as TLV text or JSON."""
    from ffd12.tlv import decode, render_text
    from ffd12.tlv.jsonio import dumps
    from ffd12.tlv.text import to_plain

    raw = _run(url, lambda reg: reg.read_document(number))
    try:
        items = decode(raw)
    except Ffd12Error as exc:
        raise click.ClickException(f"document {number} could not be decoded: {exc}") from None
    if as_json:
        click.echo(dumps(to_plain(items), indent=2))
    else:
        click.echo(render_text(items))
