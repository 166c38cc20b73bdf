"""``ffd12 emulate crpt`` and ``ffd12 emulate lm``: the ГИС МТ and Local Module emulators."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from ffd12.cli.emulate import emulate
from ffd12.emulator.crpt import CrptEmulator, CrptScenario, HostScenario, load_scenario
from ffd12.emulator.lm import LM_STATUSES, LmEmulator, LmState
from ffd12.errors import Ffd12Error

__all__ = ["crpt", "lm"]


def _serve_until_stopped() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


@emulate.command("crpt")
@click.option(
    "--port",
    type=int,
    default=18080,
    show_default=True,
    help="Port of cdn/info; check hosts listen on the next ports.",
)
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML scenario: hosts, code statuses, accepted token.",
)
@click.option(
    "--hosts", type=int, default=2, show_default=True, help="Number of check hosts without a scenario."
)
def crpt(port: int, scenario_path: Path | None, hosts: int) -> None:
    """Run the ГИС МТ (True API) emulator on 127.0.0.1 until interrupted."""
    try:
        scenario = (
            load_scenario(scenario_path)
            if scenario_path
            else CrptScenario(
                hosts=[HostScenario(name=f"cdn{i + 1:02d}", avg_time_ms=20 * (i + 1)) for i in range(hosts)]
            )
        )
        emu = CrptEmulator(scenario, port=port).start()
    except (Ffd12Error, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"ГИС МТ emulator: base_url = {emu.base_url}")
    for name, url in emu.host_urls.items():
        click.echo(f"  host {name}: {url}")
    try:
        _serve_until_stopped()
    finally:
        emu.stop()


@emulate.command("lm")
@click.option("--port", type=int, default=5995, show_default=True, help="Port on 127.0.0.1.")
@click.option("--status", type=click.Choice(LM_STATUSES), default="ready", show_default=True)
@click.option(
    "--last-sync-hours",
    type=float,
    default=0.0,
    show_default=True,
    help="Age of the last sync; 72 or more turns a ready module into sync_error.",
)
@click.option(
    "--clock-offset-hours",
    type=float,
    default=0.0,
    show_default=True,
    help="Shift the module's own clock (for the 72 h rule).",
)
@click.option("--user", default="admin", show_default=True)
@click.option("--password", default="admin", show_default=True)
@click.option("--block", multiple=True, help="A code (or its beginning) on the black list; repeatable.")
def lm(
    port: int,
    status: str,
    last_sync_hours: float,
    clock_offset_hours: float,
    user: str,
    password: str,
    block: tuple[str, ...],
) -> None:
    """Run the Local Module (ЛМ ЧЗ) emulator on 127.0.0.1 until interrupted.

    While it runs, POST /emu/state (same Basic auth) with {"status": …, "lastSyncAgeHours": …,
    "clockOffsetHours": …, "block": [codes]} changes its state.
    """
    state = LmState(
        status=status,
        user=user,
        password=password,
        blocked=set(block),
        clock_offset_s=clock_offset_hours * 3600,
    )
    try:
        emu = LmEmulator(state, port=port)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    emu.set_last_sync_age(last_sync_hours)
    emu.start()
    click.echo(f"Local Module emulator: {emu.url} (status {emu.effective_status()})")
    try:
        _serve_until_stopped()
    finally:
        emu.stop()
