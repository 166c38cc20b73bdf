"""`ffd12 km check`, `ffd12 history`, `ffd12 emulate crpt|lm` against real emulator ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from permissive_helpers import Env

from ffd12.cli import main
from ffd12.emulator.crpt import CrptEmulator, CrptScenario, load_scenario
from ffd12.emulator.lm import LmEmulator
from ffd12.errors import ConfigError
from ffd12.permissive.pool import CHECK_PATH

MakeEnv = Callable[..., Env]
TAIL = "<GS>91FFD0<GS>92dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXRlc3RrZXk="
GOOD = "0104601234567893215Qbag!mP7sX3Yq" + TAIL
SOLD = "0104601234567893215SoLd00000001" + TAIL
EXPIRED = "0104601234567893215ExPiReD00001" + TAIL


def write_config(env: Env, tmp: Path, extra: str = "") -> Path:
    lm = f'\n[permissive.local_module]\nurl = "{env.lm.url}"\ntimeout = 0.5\n' if env.lm else ""
    cfg = tmp / "perm.toml"
    cfg.write_text(
        f'[permissive]\nbase_url = "{env.crpt.base_url}"\nxapikey = "[-1:cli-token]"\nbudget = 0.5\n'
        f'host_timeout = 0.2\nhistory = "hist.sqlite"\nfiscal_drive_number = "7281440500123456"\n{extra}{lm}',
        encoding="utf-8",
    )
    return cfg


def scenario() -> CrptScenario:
    return CrptScenario(
        token="cli-token",
        codes={
            "0104601234567893215SoLd00000001": {"preset": "sold"},
            "0104601234567893215ExPiReD00001": {"preset": "expired"},
        },
    )


def test_km_check_prints_decision_reason_and_1265(make_env: MakeEnv, tmp_path: Path) -> None:
    env = make_env(scenario())
    cfg = write_config(env, tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["km", "check", GOOD, SOLD, "--config", str(cfg)])
    assert res.exit_code == 3, res.output
    lines = res.output.splitlines()
    assert "ПРОДАЖА" in lines[0] and "1265: UUID=" in lines[1]
    assert "ОТКАЗ" in lines[2] and "sold [754]" in lines[2] and "выведен из оборота" in lines[3]
    assert "cli-token" not in res.output

    res = runner.invoke(main, ["km", "check", GOOD, "--json", "--config", str(cfg)])
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["decision"] == "sell" and data["source"] == "online" and data["tag_1265"].startswith("UUID=")

    # «ask» prompts the cashier; --yes answers it
    cfg2 = write_config(env, tmp_path, '[permissive.policy]\nignoreCrptStatusExpireDate = "ask"\n')
    res = runner.invoke(main, ["km", "check", EXPIRED, "--config", str(cfg2)], input="y\n")
    assert res.exit_code == 0 and "Продать всё равно?" in res.output
    res = runner.invoke(main, ["km", "check", EXPIRED, "--config", str(cfg2)], input="n\n")
    assert res.exit_code == 3
    res = runner.invoke(main, ["km", "check", SOLD, "--return", "--config", str(cfg)])
    assert res.exit_code == 0 and "via return" in res.output
    res = runner.invoke(
        main, ["km", "check", "-", "--json", "--config", str(cfg)], input=f"{GOOD}\n\n{SOLD}\n"
    )
    assert [json.loads(x)["decision"] for x in res.output.splitlines()] == ["sell", "refuse"]

    # the history shows every check
    res = runner.invoke(main, ["history", "--config", str(cfg), "--json"])
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert res.exit_code == 0 and len(rows) == 8
    assert {r["decision"] for r in rows} == {"sell", "refuse"}
    assert all("cli-token" not in line for line in res.output.splitlines())
    res = runner.invoke(main, ["history", "--history", str(tmp_path / "hist.sqlite"), "--code", SOLD])
    assert res.exit_code == 0 and len(res.output.splitlines()) == 3 and "sold" in res.output
    res = runner.invoke(main, ["history", "--config", str(cfg), "--since", "2999-01-01"])
    assert res.exit_code == 0 and res.output == ""


def test_km_check_reports_config_errors(make_env: MakeEnv, tmp_path: Path) -> None:
    env = make_env(scenario())
    cfg = tmp_path / "bad.toml"
    cfg.write_text(f'[permissive]\nbase_url = "{env.crpt.base_url}"\nxapikey = "[-1:wrong-token]"\n')
    res = CliRunner().invoke(main, ["km", "check", GOOD, "--config", str(cfg)])
    assert res.exit_code == 1 and "401" in res.output and "wrong-token" not in res.output
    res = CliRunner().invoke(main, ["history", "--history", str(tmp_path / "none.sqlite")])
    assert res.exit_code == 1 and "no such file" in res.output


def _start(args: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from ffd12.cli import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline()


def test_emulate_commands_serve_until_terminated(tmp_path: Path, fixtures_dir: Path) -> None:
    crpt, first = _start(
        ["emulate", "crpt", "--port", "0", "--scenario", str(fixtures_dir / "permissive" / "scenario.toml")]
    )
    lm, lm_line = _start(["emulate", "lm", "--port", "0", "--status", "initialization"])
    try:
        assert first.startswith("ГИС МТ emulator: base_url = http://127.0.0.1:"), first
        assert "status initialization" in lm_line
        base = first.rsplit(" ", 1)[1].strip()
        lm_url = lm_line.split(": ", 1)[1].split(" ")[0]
        cfg = tmp_path / "c.toml"
        cfg.write_text(
            f'[permissive]\nbase_url = "{base}"\nxapikey = "[-1:demo-token-not-a-real-one]"\n'
            f'[permissive.local_module]\nurl = "{lm_url}"\n',
            encoding="utf-8",
        )
        res = CliRunner().invoke(main, ["km", "check", SOLD, "--config", str(cfg), "--json"])
        assert json.loads(res.output)["reasons"] == ["sold"]
    finally:
        for proc in (crpt, lm):
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=10)
            assert proc.returncode == 0, err


def test_scenario_files_are_checked(tmp_path: Path, fixtures_dir: Path) -> None:
    sc = load_scenario(fixtures_dir / "permissive" / "scenario.toml")
    assert [h.name for h in sc.hosts] == ["cdn01", "cdn02"] and sc.token == "demo-token-not-a-real-one"
    assert sc.codes["0104601234567893215PrIcE0000001"] == {"preset": "above_mrp", "mrp": 12000}
    for text, match in [
        ('default = "maybe"', "default preset"),
        ('[codes]\n"0104" = "weird"', "unknown preset"),
        ("[[hosts]]\nspeed = 3", "hosts\\[0\\]"),
        ("[codes", "could not read"),
    ]:
        bad = tmp_path / "s.toml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=match):
            load_scenario(bad)


def test_local_module_emulator_state_can_be_changed_while_running() -> None:
    with LmEmulator() as emu, httpx.Client(auth=("admin", "admin")) as client:
        assert client.get(emu.url + "/api/v1/status").json()["status"] == "ready"
        r = client.post(emu.url + "/emu/state", json={"lastSyncAgeHours": 80})
        assert r.status_code == 200 and r.json()["status"] == "sync_error"
        r = client.post(emu.url + "/api/v1/cis/outCheck", json={"cis_list": ["x"]})
        assert r.status_code == 400 and r.json()["errorCode"] == 4050
        state = {"lastSyncAgeHours": 1, "status": "ready", "block": ["01046"]}
        client.post(emu.url + "/emu/state", json=state)
        r = client.get(emu.url + "/api/v1/cis/outCheck", params={"cis": "0104601234567893215Qbag!mP7sX3Yq"})
        assert r.json()["codes"][0]["isBlocked"] is True
        assert client.post(emu.url + "/emu/state", json={"status": "asleep"}).status_code == 400
        assert httpx.get(emu.url + "/api/v1/status").status_code == 401


def test_scenario_host_fields_are_typed(tmp_path: Path) -> None:
    bad = tmp_path / "s.toml"
    for text in ('[[hosts]]\navg_time_ms = "fast"', "[[hosts]]\nstall = 1", "[[hosts]]\nscript = 429"):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match="hosts\\[0\\]"):
            load_scenario(bad)
    bad.write_text('[[hosts]]\nstatus = 503\nscript = [429]\nerror_message = "5000"', encoding="utf-8")
    assert load_scenario(bad).hosts[0].status == 503


_bodies = st.binary(max_size=120) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["codes", "cis_list", "cis"]), inner)
    ),
    max_leaves=8,
).map(lambda v: json.dumps(v).encode())


def test_emulators_answer_any_body_with_json() -> None:
    with CrptEmulator(CrptScenario(token="t")) as crpt, LmEmulator() as lm, httpx.Client() as client:
        targets = [
            (crpt.host_urls["cdn01"] + CHECK_PATH, {"X-API-KEY": "t"}, None),
            (lm.url + "/api/v1/cis/outCheck", {}, ("admin", "admin")),
            (lm.url + "/api/v2/cis/outCheck", {}, ("admin", "admin")),
        ]

        @settings(max_examples=60, deadline=None)
        @given(body=_bodies)
        def probe(body: bytes) -> None:
            for url, headers, auth in targets:
                r = client.post(url, content=body, headers=headers, auth=auth, timeout=5)
                assert r.status_code in (200, 400)
                r.json()

        probe()
