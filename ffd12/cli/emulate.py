"""``ffd12 emulate`` — run one of the bundled emulators; each emulator adds its own subcommand."""

from __future__ import annotations

import click

__all__ = ["emulate"]


@click.group()
def emulate() -> None:
    """Run a bundled emulator (a register, ГИС МТ, the Local Module) until interrupted."""
