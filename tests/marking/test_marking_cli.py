"""`ffd12 km parse`: table, JSON, stdin, exit status and stderr for unreadable codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from ffd12.cli import main

GTIN = "04601234567893"
MILK_GSLESS = f"01{GTIN}215Qbag!93dGVz"
MILK_JSON_SAFE = f"01{GTIN}215Qbag!\\u001d93dGVz"


def test_table_output() -> None:
    result = CliRunner().invoke(main, ["km", "parse", MILK_GSLESS])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["canonical", MILK_JSON_SAFE]
    assert any(line.split()[:2] == ["group", "milk"] for line in lines)
    assert any(line.startswith("tag 2100") and " 5 " in line for line in lines)
    assert any(line.split()[:3] == ["tag", "1305", f"01{GTIN}215Qbag!"] for line in lines)
    assert "Restored 1 GS separator" in result.output


def test_json_output_one_object_per_code() -> None:
    result = CliRunner().invoke(main, ["km", "parse", "--json", MILK_GSLESS, f"(01){GTIN}(21)5Qbag!(93)dGVz"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert MILK_JSON_SAFE in lines[0]  # GS written as \u001d in the JSON text
    first = json.loads(lines[0])
    assert first["canonical"] == f"01{GTIN}215Qbag!\x1d93dGVz"
    assert first["tag_2100"] == 5
    assert first["product_code"] == {"tag": 1305, "value": f"01{GTIN}215Qbag!"}
    assert len(first["tag_2115"]) == 4
    assert first["repairs"][0]["kind"] == "gs_restored"
    assert json.loads(lines[1])["repairs"][0]["kind"] == "human_readable"


def test_stdin_one_code_per_line() -> None:
    data = f"{MILK_GSLESS}\r\n\n]d2{MILK_GSLESS}\n".encode()
    result = CliRunner().invoke(main, ["km", "parse", "--json", "-"], input=data)
    assert result.exit_code == 0
    objs = [json.loads(line) for line in result.output.splitlines()]
    assert [o["group"] for o in objs] == ["milk", "milk"]


def test_unreadable_code_exit_1_and_one_line_on_stderr() -> None:
    result = CliRunner().invoke(main, ["km", "parse", "010460704243920021nqmQ&IjzWJ+T*93dGVs", MILK_GSLESS])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "GTIN check digit should be 9, the code has 0" in result.stderr
    assert "group" in result.stdout  # the good code is still printed


def test_lenient_turns_check_digit_into_warning() -> None:
    result = CliRunner().invoke(
        main, ["km", "parse", "--lenient", "--json", "010460704243920021nqmQ&IjzWJ+T*93dGVs"]
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["repairs"][-1]["kind"] == "gtin_check_digit"


def test_readme_quick_start_code_reads_cleanly() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    m = re.search(r"ffd12 km parse '([^']+)'", readme)
    assert m, "the quick start must run `ffd12 km parse '<code>'`"
    proc = subprocess.run(
        [sys.executable, "-c", "from ffd12.cli import main; main()", "km", "parse", "--json", m.group(1)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["group"] == "common" and out["tag_2100"] == 4
    assert [r["kind"] for r in out["repairs"]] == ["gs_substitute"]
