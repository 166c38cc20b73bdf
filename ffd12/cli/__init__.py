"""The ``ffd12`` command: thin wrappers that parse arguments, call one function, print.

Each command group lives in its own module of this package and is registered below.
"""

from __future__ import annotations

import logging

import click

from ffd12 import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ffd12")
@click.option("-v", "--verbose", count=True, help="More log output (-v INFO, -vv DEBUG with wire traces).")
def main(verbose: int) -> None:
    """ffd12 — FFD 1.2 receipts with marking codes: parse, convert, check, fiscalize."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    # -- subcommands: one import and one add_command per module, keep sorted --
    from ffd12.cli.km import km

    main.add_command(km)
    import ffd12.cli.emulate_permissive  # noqa: F401  (adds `emulate crpt` and `emulate lm`)
    from ffd12.cli import emulate_shtrih  # noqa: F401  (adds `emulate shtrih`)
    from ffd12.cli.emulate import emulate
    from ffd12.cli.permissive import history  # also adds `km check`

    if "emulate" not in main.commands:
        main.add_command(emulate)
    main.add_command(history)
    from ffd12.cli.convert import convert
    from ffd12.cli.tlv import tlv

    main.add_command(convert)
    main.add_command(tlv)
    from ffd12.cli.validate import validate

    main.add_command(validate)
    from ffd12.cli.device import fn, shift, status

    main.add_command(status)
    main.add_command(shift)
    main.add_command(fn)
    from ffd12.cli.sale import demo, journal, sell

    main.add_command(demo)
    main.add_command(journal)
    main.add_command(sell)
    pass


_register()
