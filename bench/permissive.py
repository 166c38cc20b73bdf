"""Permissive-mode figures against the local ГИС МТ emulator (run: python bench/permissive.py).

(a) client overhead per check: ``PermissiveChecker.check`` of one code vs a bare httpx POST of the
    same body to the same codes/check URL, in the same run (target ≤ 1.2×); also with the history
    (SQLite, synchronous=FULL) switched on, which adds an fsync per check;
(b) time to an answer when the top-ranked host is dead (refuses connections) or stalls, with the
    default budget 1.5 s and host timeout 0.7 s (target: within the budget).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from ffd12.emulator.crpt import CrptEmulator, CrptScenario, HostScenario
from ffd12.permissive.check import PermissiveChecker, PermissiveSettings
from ffd12.permissive.pool import CHECK_PATH, PoolSettings
from ffd12.permissive.tokens import parse_xapikey

TOKEN = "bench-token"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 400


@dataclass(frozen=True, slots=True)
class Code:
    serial: str
    gtin: str = "04601234567893"
    group: str | None = "milk"

    @property
    def canonical(self) -> str:
        return f"01{self.gtin}21{self.serial}\x1d91EE10\x1d92dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXRlc3RrZXk="

    @property
    def masked(self) -> str:
        return f"01{self.gtin}21{self.serial[:3]}…"

    def case_inverted(self) -> Code:
        return Code(self.serial.swapcase())


def settings(base: str, history: Path | None) -> PermissiveSettings:
    return PermissiveSettings(
        tokens=parse_xapikey(f"[-1:{TOKEN}]"),
        pool=PoolSettings(base_url=base, info_timeout=2, health_timeout=1),
        local_module=None,
        fiscal_drive_number="7281440500123456",
        history_path=history,
    )


def per_call(fn: object, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return times


def overhead() -> None:
    scenario = CrptScenario(token=TOKEN, hosts=[HostScenario(name="h")])
    with CrptEmulator(scenario) as emu, tempfile.TemporaryDirectory() as tmp:
        url = emu.host_urls["h"] + CHECK_PATH
        code = Code("5Qbag!mP7sX3Y")
        body = json.dumps({"codes": [code.canonical], "fiscalDriveNumber": "7281440500123456"}).encode()
        headers = {
            "X-API-KEY": TOKEN,
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json",
        }
        with httpx.Client(trust_env=False) as bare:

            def post() -> None:
                r = bare.post(url, content=body, headers=headers, timeout=1.5)
                r.raise_for_status()
                r.json()

            with (
                PermissiveChecker(settings(emu.base_url, None), background_refresh=False) as chk,
                PermissiveChecker(
                    settings(emu.base_url, Path(tmp) / "h.sqlite"), background_refresh=False
                ) as chk_h,
            ):

                def check() -> None:
                    assert chk.check([code]).decisions[0].sell

                def check_h() -> None:
                    assert chk_h.check([code]).decisions[0].sell

                for fn in (post, check, check_h):
                    per_call(fn, 30)  # warm up: connections, CDN list
                rounds = {"bare": [], "check": [], "check+history": []}  # type: dict[str, list[float]]
                for _ in range(5):  # interleave to share any drift of the machine
                    rounds["bare"] += per_call(post, N // 5)
                    rounds["check"] += per_call(check, N // 5)
                    rounds["check+history"] += per_call(check_h, N // 5)
        med = {k: statistics.median(v) * 1000 for k, v in rounds.items()}
        print(
            f"(a) per check, median of {N} (ms): bare httpx POST {med['bare']:.3f}, "
            f"check() {med['check']:.3f}, check() with history {med['check+history']:.3f}"
        )
        print(
            f"    ratio check()/bare = {med['check'] / med['bare']:.2f}× (target ≤ 1.2×); "
            f"with history = {med['check+history'] / med['bare']:.2f}×"
        )


def dead_best(kind: str) -> None:
    first = HostScenario(name="best", avg_time_ms=5, stall=kind == "stall")
    scenario = CrptScenario(token=TOKEN, hosts=[first, HostScenario(name="next", avg_time_ms=50)], stall_s=5)
    with (
        CrptEmulator(scenario) as emu,
        PermissiveChecker(settings(emu.base_url, None), background_refresh=False) as chk,
    ):
        chk.pool.refresh()
        if kind == "refused":
            emu.kill_host("best")
        t0 = time.perf_counter()
        d = chk.check([Code("5Qbag!mP7sX3Y")]).decisions[0]
        first_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        chk.check([Code("5Qbag!mP7sX3Y")])
        second_ms = (time.perf_counter() - t0) * 1000
        assert d.host == emu.host_urls["next"], d
        print(
            f"(b) best host {kind}: answer from the next host in {first_ms:.1f} ms "
            f"(budget 1500 ms, host timeout 700 ms); next check {second_ms:.1f} ms (best host banned)"
        )


if __name__ == "__main__":
    overhead()
    dead_best("refused")
    dead_best("stall")
