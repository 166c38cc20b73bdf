"""``ffd12 convert IN OUT``: one fiscal document from one file format to another.

Formats come from :mod:`ffd12.tlv.formats` (``.tlv``/``.bin`` raw TLV, ``.json`` FNS JSON). A format
defined elsewhere registers itself with ``ffd12.tlv.formats.register_format`` in a module named in
:data:`FORMAT_MODULES`; those modules are imported when they exist.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from ffd12.errors import Ffd12Error
from ffd12.rules import check
from ffd12.tlv.formats import Format, format_by_name, format_for_path
from ffd12.tlv.receipt import DOC_CORRECTION, DOC_RECEIPT, from_tlv

__all__ = ["FORMAT_MODULES", "convert"]

log = logging.getLogger("ffd12.cli.convert")

#: Modules that add formats when imported (missing ones are skipped).
FORMAT_MODULES: tuple[str, ...] = ("ffd12.xml.formats",)


def _load_format_modules() -> None:
    for name in FORMAT_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue  # that format is not installed: nothing to add
            log.warning("format module %s could not be imported: %s", name, exc)
        except ImportError as exc:
            log.warning("format module %s could not be imported: %s", name, exc)


def _pick(path: str, override: str | None, flag: str) -> Format:
    if override is not None:
        return format_by_name(override)
    if path == "-":
        raise click.UsageError(f"{flag} is needed when the file is -")
    return format_for_path(path)


@click.command()
@click.argument("source", metavar="IN")
@click.argument("target", metavar="OUT")
@click.option("--from", "from_fmt", metavar="FORMAT", help="Format of IN (default: by extension).")
@click.option("--to", "to_fmt", metavar="FORMAT", help="Format of OUT (default: by extension).")
@click.option("--no-check", is_flag=True, help="Convert a receipt even if it breaks the FFD 1.2 rules.")
def convert(source: str, target: str, from_fmt: str | None, to_fmt: str | None, no_check: bool) -> None:
    """Convert a document: .tlv/.bin (raw FFD TLV) ⇄ .json (FNS JSON) ⇄ .xml (1C CheckPackage).

    A receipt (document 3 or 31) that breaks the FFD 1.2 rules is refused with every violation
    (exit 1) unless --no-check is given; - is stdin/stdout.
    """
    _load_format_modules()
    try:
        reader = _pick(source, from_fmt, "--from")
        writer = _pick(target, to_fmt, "--to")
        if source == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(source, "rb") as handle:
                data = handle.read()
        document = reader.read(data)
        if not no_check and document.tag in (DOC_RECEIPT, DOC_CORRECTION):
            violations = check(from_tlv(document))
            if violations:
                for violation in violations:
                    click.echo(f"violation: {violation}", err=True)
                raise click.ClickException(
                    f"{len(violations)} FFD 1.2 rule(s) broken; nothing written (--no-check converts anyway)"
                )
        out = writer.write(document)
    except OSError as exc:
        raise click.FileError(source, hint=exc.strerror) from None
    except Ffd12Error as exc:
        raise click.ClickException(str(exc)) from None
    if target == "-":
        sys.stdout.buffer.write(out)
        sys.stdout.buffer.flush()
        return
    try:
        with open(target, "wb") as handle:
            handle.write(out)
    except OSError as exc:
        raise click.FileError(target, hint=exc.strerror) from None
