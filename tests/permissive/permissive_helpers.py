"""Helpers of the permissive-mode tests: parsed-code stand-ins and the emulator environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ffd12.emulator.crpt import CrptEmulator
from ffd12.emulator.lm import LmEmulator
from ffd12.permissive.check import PermissiveChecker, PermissiveSettings
from ffd12.permissive.offline import LmSettings
from ffd12.permissive.policy import GroupPolicy, Policy
from ffd12.permissive.pool import PoolSettings
from ffd12.permissive.tokens import parse_xapikey

TOKEN = "emu-token-0123456789"
FN = "7281440500123456"
GTIN = "04601234567893"


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """Stands for ffd12.marking.MarkingCode (the fields the permissive check reads)."""

    gtin: str
    serial: str
    tail: str = "91EE10\x1d92dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXRlc3RrZXk="
    group: str | None = "milk"

    @property
    def canonical(self) -> str:
        return f"01{self.gtin}21{self.serial}\x1d{self.tail}"

    @property
    def masked(self) -> str:
        return f"01{self.gtin}21{self.serial[:3]}…"

    def case_inverted(self) -> Code:
        return Code(gtin=self.gtin, serial=self.serial.swapcase(), tail=self.tail, group=self.group)


def code(serial: str, group: str | None = "milk") -> Code:
    return Code(gtin=GTIN, serial=serial, group=group)


def core(c: Code) -> str:
    return f"01{c.gtin}21{c.serial}"


@dataclass
class Env:
    crpt: CrptEmulator
    lm: LmEmulator | None
    tmp: Path
    checkers: list[PermissiveChecker] = field(default_factory=list)

    def checker(
        self,
        *,
        policy: Policy | None = None,
        budget: float = 0.5,
        host_timeout: float = 0.2,
        history: bool = True,
        capslock: bool = False,
        ask: Callable[[Any], bool] | None = None,
        lm_api: int = 1,
        wall_clock: Callable[[], float] | None = None,
        **kw: Any,
    ) -> PermissiveChecker:
        settings = PermissiveSettings(
            tokens=parse_xapikey(f"[-1:{TOKEN}]"),
            pool=PoolSettings(base_url=self.crpt.base_url, info_timeout=1.0, health_timeout=0.5),
            policy=policy or Policy(),
            local_module=LmSettings(url=self.lm.url, api_version=lm_api, timeout=0.5) if self.lm else None,
            budget_s=budget,
            host_timeout_s=host_timeout,
            fiscal_drive_number=FN,
            capslock_retry=capslock,
            history_path=self.tmp / "history.sqlite" if history else None,
            **kw,
        )
        extra: dict[str, Any] = {}
        if wall_clock is not None:
            extra["wall_clock"] = wall_clock
        chk = PermissiveChecker(settings, ask=ask, background_refresh=False, **extra)
        self.checkers.append(chk)
        return chk


def policy_all(action: str, **kw: Any) -> Policy:
    from ffd12.permissive.policy import KNOBS

    return Policy(default=GroupPolicy(actions={k: action for k in KNOBS}, **kw))
