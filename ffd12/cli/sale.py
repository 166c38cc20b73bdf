"""``ffd12 sell``, ``ffd12 journal`` and ``ffd12 demo`` — the sale flow on the command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from ffd12.errors import Ffd12Error, ValidationError
from ffd12.journal import Journal, SaleRecord

__all__ = ["demo", "journal", "sell"]

JOURNAL_ENV = "FFD12_JOURNAL"


def default_journal() -> Path:
    """``$FFD12_JOURNAL``, else ``$XDG_DATA_HOME/ffd12/journal.sqlite`` (``~/.local/share``)."""
    if os.environ.get(JOURNAL_ENV):
        return Path(os.environ[JOURNAL_ENV])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ffd12" / "journal.sqlite"


def _journal_option(f: Any) -> Any:
    return click.option(
        "--journal",
        "journal_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"SQLite journal of sales (default: ${JOURNAL_ENV} or ~/.local/share/ffd12/journal.sqlite).",
    )(f)


def _open_journal(path: Path | None) -> Journal:
    path = path or default_journal()
    path.parent.mkdir(parents=True, exist_ok=True)
    return Journal(path)


def _record_dict(r: SaleRecord) -> dict[str, Any]:
    return {
        "sale_id": r.sale_id,
        "state": r.state,
        "summary": r.summary,
        "fd_number": r.fd_number,
        "fiscal_sign": r.fiscal_sign,
        "fiscal_time": r.fiscal_time,
        "attempts": r.attempts,
        "reason": r.reason,
    }


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--device", required=True, help="Device URL: serial://…, tcp://host:port, usb://VID:PID, emu://shtrih.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML with a [permissive] section: check the codes in ГИС МТ before selling.")
@click.option("--sale-id", help="Idempotency key (default: a hash of FILE, so one file sells once).")
@click.option("--json", "as_json", is_flag=True, help="Print the fiscal document as JSON.")
@_journal_option
def sell(
    file: Path, device: str, config_path: Path | None, sale_id: str | None, as_json: bool,
    journal_path: Path | None,
) -> None:
    """Sell the receipt of a 1C CheckPackage FILE on a register, exactly once.

    Prints the fiscal document (FD, ФП, time, each item with its 2106); exits 1 with the rule
    violations or the device error otherwise.

    \b
    Example:
      ffd12 sell check.xml --device emu://shtrih
    """
    from ffd12.connect import connect
    from ffd12.demo import describe
    from ffd12.till import Till, default_sale_id
    from ffd12.xml import read_check_package

    data = file.read_bytes()
    try:
        reading = read_check_package(data)
        for warning in reading.warnings:
            click.echo(f"warning: {warning}", err=True)
        checker = None
        if config_path is not None:
            from ffd12.config import load_permissive
            from ffd12.permissive import PermissiveChecker

            checker = PermissiveChecker(load_permissive(config_path), background_refresh=False)
        try:
            register = connect(device)
            try:
                with _open_journal(journal_path) as journal:
                    till = Till(register, journal, permissive=checker)
                    result = till.sell(reading.value, sale_id=sale_id or default_sale_id(data))
            finally:
                register.close()
        finally:
            if checker is not None:
                checker.close()
    except ValidationError as exc:
        for v in exc.violations:
            click.echo(f"violation: {v}", err=True)
        sys.exit(1)
    except Ffd12Error as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    doc = result.document
    if as_json:
        out = {
            "sale_id": result.sale_id,
            "fd_number": doc.fd_number,
            "fiscal_sign": doc.fiscal_sign,
            "date_time": doc.date_time.isoformat() if doc.date_time else None,
            "already_sold": result.recovered,
            "items": [
                {
                    "name": item.name,
                    "amount": item.amount,
                    "tag_2106": doc.check_results[i] if i < len(doc.check_results) else None,
                }
                for i, item in enumerate(result.receipt.items)
            ],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if result.recovered:
        click.echo("already sold: this is the document recorded for that sale")
    for line in describe(result.receipt, doc):
        click.echo(line)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per sale.")
@_journal_option
def journal(as_json: bool, journal_path: Path | None) -> None:
    """Show the recorded sales and their states (pending, closing, done, failed, cancelled).

    \b
    Example:
      ffd12 journal --json
    """
    try:
        with _open_journal(journal_path) as j:
            records = j.records()
    except Ffd12Error as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        for r in records:
            click.echo(json.dumps(_record_dict(r), ensure_ascii=False))
        return
    if not records:
        click.echo("no sales recorded")
        return
    for r in records:
        fd = f"ФД {r.fd_number} ФП {r.fiscal_sign}" if r.fd_number else (r.reason or "")
        click.echo(f"{r.sale_id[:24]:<24}  {r.state:<9}  {r.summary}  {fd}")


@click.command()
def demo() -> None:
    """Sell a bundled marked receipt through the Shtrih-M and ГИС МТ emulators, step by step.

    Starts the Shtrih-M emulator on a pseudo-terminal, opens it with pyserial, checks the codes in
    the emulated ГИС МТ and fiscalizes the bundled CheckPackage (shoes, milk with an expiry date,
    water, a weighted item). Nothing outside this machine is needed.

    \b
    Example:
      ffd12 demo
    """
    from ffd12.demo import run_demo

    try:
        run_demo(click.echo)
    except Ffd12Error as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
