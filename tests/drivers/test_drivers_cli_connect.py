"""`ffd12 status`, `shift open|close`, `fn read` and ffd12.connect.connect against emu://shtrih."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ffd12.cli import main
from ffd12.connect import connect
from ffd12.drivers.base import Register
from ffd12.errors import InputError, LinkError


def test_connect_emulator_and_close_stops_it() -> None:
    reg = connect("emu://shtrih")
    try:
        assert isinstance(reg, Register)
        status = reg.status()
        assert status.model == "РИТЕЙЛ-01Ф" and status.mode == 4 and status.last_fd == 1
    finally:
        reg.close()  # the no_leaks fixture fails the test if the server thread or socket survives


def test_connect_kya_model() -> None:
    reg = connect("emu://shtrih?model=kya")
    try:
        assert reg.status().model == "КАССОВОЕ ЯДРО"
    finally:
        reg.close()


def test_connect_km_check_order() -> None:
    from ffd12.drivers.shtrih.driver import ShtrihRegister

    for url, after in (("emu://shtrih", False), ("emu://shtrih?km_check=after", True)):
        reg = connect(url)
        try:
            assert isinstance(reg, ShtrihRegister) and reg.check_after_open is after
        finally:
            reg.close()


@pytest.mark.parametrize(
    "url", ["emu://atol", "emu://shtrih?model=x", "emu://shtrih?protocol=v3", "emu://shtrih?km_check=x", "ftp://x"]
)
def test_connect_bad_urls(url: str) -> None:
    with pytest.raises(InputError):
        connect(url)


def test_connect_refused_tcp_is_a_link_error() -> None:
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(LinkError):
        connect(f"tcp://127.0.0.1:{port}")


def test_cli_shift_cycle_and_fn_read(tmp_path: Path) -> None:
    url = f"emu://shtrih?state={tmp_path / 'fn.json'}"
    runner = CliRunner()
    result = runner.invoke(main, ["status", "--device", url])
    assert result.exit_code == 0, result.output
    assert "shift open: False" in result.output and "last fd: 1" in result.output
    result = runner.invoke(main, ["shift", "open", "--device", url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"shift_open": True, "fd_number": 2}
    result = runner.invoke(main, ["shift", "close", "--device", url])
    assert result.exit_code == 0 and "fd number: 3" in result.output
    result = runner.invoke(main, ["fn", "read", "2", "--device", url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 ")  # document type 2: shift open report
    result = runner.invoke(main, ["fn", "read", "1", "--device", url, "--json"])
    doc = json.loads(result.output)
    assert doc[0]["tag"] == 1 and any(t["tag"] == 1209 and t["value"] == 4 for t in doc[0]["value"])


def test_cli_device_errors_exit_1(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"emu://shtrih?state={tmp_path / 'fn.json'}"
    result = runner.invoke(main, ["shift", "close", "--device", url])  # no shift open
    assert result.exit_code == 1
    assert "device error" in result.output
    result = runner.invoke(main, ["fn", "read", "99", "--device", url])
    assert result.exit_code == 1
    result = runner.invoke(main, ["status", "--device", "emu://nothing"])
    assert result.exit_code == 1 and "emu://shtrih" in result.output
