"""Test-wide fixtures: golden-file switch and a guard against leaked threads, sockets and ptys."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files under fixtures/ instead of comparing (never in CI)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    flag = bool(request.config.getoption("--update-golden"))
    if flag and os.environ.get("CI"):
        raise pytest.UsageError("--update-golden is refused under CI")
    return flag


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


def _io_fds() -> set[str]:
    """Open sockets and pty ends of this process, by their /proc link text."""
    found: set[str] = set()
    base = Path("/proc/self/fd")
    if not base.is_dir():
        return found
    for entry in base.iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith("socket:") or target.startswith("/dev/pts/") or target == "/dev/ptmx":
            found.add(f"{entry.name}->{target}")
    return found


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail any test that leaves a thread, a socket or a pty behind."""
    threads_before = set(threading.enumerate())
    fds_before = _io_fds()
    yield
    deadline = time.monotonic() + 2.0
    while True:
        leaked_threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
        leaked_fds = _io_fds() - fds_before
        if not leaked_threads and not leaked_fds:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    problems = []
    if leaked_threads:
        problems.append("threads: " + ", ".join(t.name for t in leaked_threads))
    if leaked_fds:
        problems.append("sockets/ptys: " + ", ".join(sorted(leaked_fds)))
    pytest.fail("test leaked " + "; ".join(problems))
