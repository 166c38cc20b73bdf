"""The package's foundation: error hierarchy, CLI entry point, README ⇄ CI agreement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import ffd12
from ffd12.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "cls",
    [
        ffd12.MarkingCodeError,
        ffd12.TlvError,
        ffd12.XmlError,
        ffd12.ValidationError,
        ffd12.ConfigError,
    ],
)
def test_input_errors_are_value_errors(cls: type[Exception]) -> None:
    assert issubclass(cls, ffd12.Ffd12Error)
    assert issubclass(cls, ValueError)


def test_device_and_link_errors_are_not_value_errors() -> None:
    for cls in (ffd12.RegisterError, ffd12.LinkError, ffd12.PermissiveError):
        assert issubclass(cls, ffd12.Ffd12Error)
        assert not issubclass(cls, ValueError)


def test_register_error_carries_code_and_text() -> None:
    err = ffd12.RegisterError(0x4E, "Смена превысила 24 часа", command="FF45")
    assert err.code == 0x4E
    assert "0x4E" in str(err) and "24 часа" in str(err) and "FF45" in str(err)


def test_tlv_error_names_path_and_offset() -> None:
    err = ffd12.TlvError("length runs past the buffer", path="1059[3]/1260/1265", offset=17)
    assert "1059[3]/1260/1265" in str(err) and "offset 17" in str(err)


def test_validation_error_keeps_every_violation() -> None:
    v = [
        ffd12.Violation(path="items[0].quantity", message="must be 1"),
        ffd12.Violation(path="", message="x"),
    ]
    err = ffd12.ValidationError(v)
    assert err.violations == tuple(v)
    assert "items[0].quantity: must be 1" in str(err)


def test_cli_help_and_version() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0 and "ffd12" in result.output
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and ffd12.__version__ in result.output


def test_every_command_has_help() -> None:
    import click

    runner = CliRunner()

    def walk(cmd: click.Command, path: list[str]) -> list[list[str]]:
        found = [path]
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                found += walk(sub, [*path, name])
        return found

    for path in walk(main, []):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    m = re.search(r"```sh\n(?P<main>[^\n]+)\n(?P<tests>[^\n]+)\n```", readme)
    assert m, "README must open its quick start with a sh block of exactly two commands"
    test_cmd = m.group("tests")
    # CI runs the README's test command with its own virtual environment's python.
    assert "pytest" in test_cmd
    assert re.search(r"-m pytest", ci)


def test_readme_names_every_cli_command() -> None:
    import click

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, cmd in main.commands.items():
        assert f"ffd12 {name}" in readme, f"README has no example of `ffd12 {name}`"
        if isinstance(cmd, click.Group):
            for sub in cmd.commands:
                assert f"ffd12 {name} {sub}" in readme, f"README has no example of `ffd12 {name} {sub}`"
