"""``ffd12 emulate shtrih``: a Shtrih-M register with a virtual FN-M on a pty or on TCP."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click

from ffd12.cli.emulate import emulate
from ffd12.emulator.faults import FaultInjector
from ffd12.emulator.fn import Scenario
from ffd12.emulator.fnmark import OISM_CHOICES
from ffd12.emulator.serve import PtyServer, TcpServer
from ffd12.emulator.shtrih import DESKTOP, KYA, ShtrihDevice
from ffd12.errors import Ffd12Error

__all__ = ["shtrih"]

_MODELS = {"desktop": DESKTOP, "kya": KYA}


@contextmanager
def _until_signal() -> Iterator[threading.Event]:
    """SIGTERM sets the event (installed before anything is printed, so no signal is missed)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


@emulate.command("shtrih")
@click.option("--pty", "use_pty", is_flag=True, help="Serve on a new /dev/pts/N (the default).")
@click.option("--tcp", "tcp_port", type=click.IntRange(0, 65535), help="Serve on 127.0.0.1:PORT (0 = any).")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path),
              help="FN state file: created if missing, survives restarts and power cuts.")
@click.option("--faults", "faults_spec", default="", metavar="SPEC",
              help="Link faults, e.g. 'nak@2,drop:out@40,powercut@5' (see README, Emulators).")
@click.option("--model", type=click.Choice(sorted(_MODELS)), default="desktop", show_default=True,
              help="desktop: FF46 before its tags; kya: Кассовое ядро, tags and FF67 first.")
@click.option("--oism", type=click.Choice(OISM_CHOICES), default="positive", show_default=True,
              help="What the marking server (ОИСМ) answers for every code.")
@click.option("--key-check-fails", is_flag=True, help="The FN's crypto check of every code fails.")
@click.option("--paper-out", is_flag=True, help="No receipt paper: printing commands fail with 0x6B.")
@click.option("--shift-over-24h", is_flag=True, help="An open shift counts as older than 24 hours.")
@click.option("--baud", type=click.IntRange(1), help="Pace the device's output as a serial line at BAUD.")
def shtrih(use_pty: bool, tcp_port: int | None, state_file: Path | None, faults_spec: str, model: str,
           oism: str, key_check_fails: bool, paper_out: bool, shift_over_24h: bool, baud: int | None) -> None:
    """Run a Shtrih-M register with a virtual FN-M until interrupted.

    The first line of output is where to connect: the pty path (open it at any baud rate) or
    tcp://127.0.0.1:PORT. Any Shtrih protocol v1 client can use it.
    """
    if use_pty and tcp_port is not None:
        raise click.UsageError("choose one of --pty and --tcp")
    try:
        faults = FaultInjector(faults_spec)
        scenario = Scenario(oism=oism, key_check_fails=key_check_fails, paper_out=paper_out,
                            shift_over_24h=shift_over_24h)
        device = ShtrihDevice(model=_MODELS[model], faults=faults, scenario=scenario, state_file=state_file,
                              port=128 if tcp_port is not None else 0)
        server: PtyServer | TcpServer
        if tcp_port is not None:
            server = TcpServer(device, tcp_port, faults=faults, baud=baud)
            where = f"tcp://127.0.0.1:{server.port}"
        else:
            server = PtyServer(device, faults=faults, baud=baud)
            where = server.path
    except (Ffd12Error, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    with _until_signal() as stop, server:
        click.echo(where)
        sys.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    if server.error is not None:
        raise click.ClickException(f"the emulator stopped: {server.error}")
