"""Fixtures of the permissive-mode tests: emulators started per test and stopped after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from permissive_helpers import Env

from ffd12.emulator.crpt import CrptEmulator, CrptScenario, HostScenario
from ffd12.emulator.lm import LmEmulator, LmState


@pytest.fixture
def make_env(tmp_path: Path) -> Iterator[Callable[..., Env]]:
    """Start a ГИС МТ emulator (and a Local Module) with the given scenario; stop all at the end."""
    envs: list[Env] = []

    def factory(scenario: CrptScenario | None = None, lm: LmState | bool | None = True) -> Env:
        crpt = CrptEmulator(scenario or CrptScenario(hosts=[HostScenario(name="cdn01")])).start()
        lm_emu = LmEmulator(lm if isinstance(lm, LmState) else None).start() if lm is not False else None
        env = Env(crpt=crpt, lm=lm_emu, tmp=tmp_path)
        envs.append(env)
        return env

    yield factory
    for env in envs:
        for chk in env.checkers:
            chk.close()
        env.crpt.stop()
        if env.lm is not None:
            env.lm.stop()
