"""``ffd12 km check`` (permissive-mode check of codes) and ``ffd12 history`` (what was checked)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from ffd12.cli.km import km
from ffd12.config import load_permissive
from ffd12.errors import ConfigError, Ffd12Error, JournalError, MarkingCodeError
from ffd12.marking import parse
from ffd12.permissive.check import CheckItem, CodeDecision, PermissiveChecker
from ffd12.permissive.history import History

__all__ = ["check_cmd", "history"]


def _kopecks(price: str | None) -> int | None:
    if price is None:
        return None
    try:
        value = Decimal(price.replace(",", "."))
    except InvalidOperation:
        raise click.BadParameter(f"expected a price in roubles like 150.00, got {price!r}") from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise click.BadParameter(f"expected a price in roubles with at most 2 decimals, got {price!r}")
    return int(value * 100)


def _codes(args: tuple[str, ...]) -> list[str]:
    """The arguments, with ``-`` replaced by the lines of stdin (one code per line)."""
    found: list[str] = []
    for arg in args:
        if arg == "-":
            found += [line.rstrip("\r\n") for line in sys.stdin.read().splitlines() if line.strip()]
        else:
            found.append(arg)
    return found


def _ask(decision: CodeDecision) -> bool:
    return click.confirm(
        f"{decision.masked}: {decision.message}. Продать всё равно?", default=False, err=True
    )


def _as_dict(d: CodeDecision) -> dict[str, object]:
    return {
        "code": d.masked,
        "decision": "sell" if d.sell else "refuse",
        "action": d.action,
        "source": d.source,
        "reasons": [r.key for r in d.reasons],
        "vendor_code": d.vendor_code,
        "message": d.message,
        "tag_1265": d.requisite.value if d.requisite else None,
        "confirmed": d.confirmed,
    }


@km.command("check")
@click.argument("codes", nargs=-1, required=True)
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file with a [permissive] table.",
)
@click.option("--price", help="Unit price in roubles (for the MRP / minimum-price checks).")
@click.option("--department", type=int, help="Department of the items (chooses the token).")
@click.option("--inn", help="INN of the seller of the items (chooses the token).")
@click.option("--return", "is_return", is_flag=True, help="A return: codes are not checked in ГИС МТ.")
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="History file (overrides the config).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per code.")
@click.option("--yes", "assume_yes", is_flag=True, help="Answer «sell» to every question (no prompt).")
def check_cmd(
    codes: tuple[str, ...],
    config_path: Path,
    price: str | None,
    department: int | None,
    inn: str | None,
    is_return: bool,
    history_path: Path | None,
    as_json: bool,
    assume_yes: bool,
) -> None:
    """Check marking codes in ГИС МТ (or the Local Module) and print the decision per code.

    CODES are marking codes as scanned (GS as <GS>, \\u001d, …); - reads one per line from stdin.

    Exit status 0 when every code may be sold, 3 when at least one is refused.
    """
    try:
        settings = load_permissive(config_path)
        if history_path is not None:
            settings = replace(settings, history_path=history_path)
        parsed = [parse(c) for c in _codes(codes)]
        unit_price = _kopecks(price)
        items = [CheckItem(code=c, unit_price=unit_price, department=department, inn=inn) for c in parsed]
        ask = (lambda d: True) if assume_yes else _ask
        with PermissiveChecker(settings, ask=ask, background_refresh=False) as checker:
            result = checker.check(items, sale=not is_return)
    except Ffd12Error as exc:
        raise click.ClickException(str(exc)) from None
    for d in result.decisions:
        if as_json:
            click.echo(json.dumps(_as_dict(d), ensure_ascii=False))
            continue
        verdict = "ПРОДАЖА" if d.sell else "ОТКАЗ"
        reasons = ", ".join(f"{r.key}" + (f" [{r.vendor_code}]" if r.vendor_code else "") for r in d.reasons)
        click.echo(f"{d.masked}  {verdict}  via {d.source}" + (f"  {reasons}" if reasons else ""))
        if d.message:
            click.echo(f"    {d.message}")
        click.echo(f"    1265: {d.requisite.value if d.requisite else '—'}")
    if not result.sell_all:
        raise SystemExit(3)


def _since(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"expected a date like 2026-11-23 or 2026-11-23T10:00, got {text!r}"
        ) from None
    return moment.astimezone().timestamp()


@click.command("history")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file whose [permissive] history names the file.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The history file itself.",
)
@click.option("--code", help="Only this code (full, or its beginning: 01<GTIN>21<serial>).")
@click.option("--since", help="Only checks at or after this local date/time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row.")
def history(
    config_path: Path | None, history_path: Path | None, code: str | None, since: str | None, as_json: bool
) -> None:
    """Show the permissive-mode history: every check, its host, status, reqId and decision."""
    try:
        path = history_path
        if path is None and config_path is not None:
            path = load_permissive(config_path).history_path
        if path is None:
            raise ConfigError(
                "could not find the history: give --history FILE or a config with [permissive] history"
            )
        if not path.exists():
            raise ConfigError(f"could not open the history {path.name}: no such file")
        needle = code
        if code is not None:
            try:
                needle = parse(code).canonical
            except MarkingCodeError:
                needle = code  # a beginning of a code: matched as a prefix
        with History(path) as store:
            rows = store.query(code=needle, since=_since(since))
    except (Ffd12Error, JournalError) as exc:
        raise click.ClickException(str(exc)) from None
    for row in rows:
        if as_json:
            data = row.as_json()
            click.echo(json.dumps(data, ensure_ascii=False))
            continue
        when = datetime.fromtimestamp(row.time).astimezone().isoformat(timespec="seconds")
        status = row.http_status if row.http_status is not None else "—"
        click.echo(
            f"{when}  {row.masked}  {row.decision:<6} {row.source:<9} HTTP {status}  "
            f"{row.reasons or 'ok'}  {row.value_1265 or '—'}"
        )
