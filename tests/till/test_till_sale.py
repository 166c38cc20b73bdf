"""The till end to end over TCP to the emulator: idempotent sale ids, recovery, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from till_helpers import emulator, killed_sale, marked_receipt

from ffd12.errors import ValidationError
from ffd12.journal import Journal
from ffd12.model import Item, Payments, Receipt
from ffd12.till import Till, documents_match

ROOT = Path(__file__).resolve().parents[2]


def test_sale_is_recorded_and_the_fn_holds_it(tmp_path: Path) -> None:
    with emulator(tmp_path) as bench:
        reg = bench.register()
        try:
            with Journal(tmp_path / "j.sqlite") as journal:
                steps: list[str] = []
                result = Till(reg, journal, on_step=steps.append).sell(marked_receipt(), sale_id="a")
                assert steps[:1] == ["rules"] and steps[-1] == "done"
                assert "open shift" in steps
                record = journal.get("a")
                assert record is not None and record.state == "done"
                assert record.fd_number == result.document.fd_number
                [fn_doc] = bench.receipts()
                assert documents_match(fn_doc, record.receipt)
                assert result.document.check_results[0] is not None  # the marked item has its 2106
                assert result.document.check_results[1] is None
        finally:
            reg.close()


def test_same_sale_id_sells_once(tmp_path: Path) -> None:
    with emulator(tmp_path) as bench:
        reg = bench.register()
        try:
            with Journal(tmp_path / "j.sqlite") as journal:
                till = Till(reg, journal)
                first = till.sell(marked_receipt(), sale_id="same")
                again = till.sell(marked_receipt(), sale_id="same")
                assert again.recovered and again.document.fd_number == first.document.fd_number
                other = till.sell(marked_receipt(), sale_id="other")
                assert other.document.fd_number == first.document.fd_number + 1
                assert len(bench.receipts()) == 2
        finally:
            reg.close()


def test_invalid_receipt_sends_nothing(tmp_path: Path) -> None:
    bad = Receipt(
        operation=1, taxation=1,
        items=(Item(name="X", price="10.00", quantity=1, amount="25.00", vat=1, measure=0),),
        payments=Payments(cash="25.00"),
    )
    with emulator(tmp_path) as bench:
        reg = bench.register()
        try:
            with Journal(tmp_path / "j.sqlite") as journal:
                with pytest.raises(ValidationError) as err:
                    Till(reg, journal).sell(bad, sale_id="bad")
                assert any("items[0]" in v.path for v in err.value.violations)
                assert journal.get("bad") is None
                assert bench.receipts() == []
        finally:
            reg.close()


def test_crash_after_intent_is_settled_on_next_start(tmp_path: Path) -> None:
    """A till killed with -9 right after FF45 left its sale 'closing'; the next start finds the
    receipt in the FN and completes the record without selling it twice."""
    with emulator(tmp_path) as bench:
        proc = killed_sale(bench.server.port, tmp_path / "j.sqlite", "FF45")
        assert proc.returncode == -9, proc.stderr
        with Journal(tmp_path / "j.sqlite") as journal:
            [left] = journal.unfinished()
            assert left.state == "closing"
            reg = bench.register()
            try:
                till = Till(reg, journal)
                settled = till.recover()
                assert [r.state for r in settled] == ["done"]
                again = till.sell(marked_receipt(), sale_id="killed")
                assert again.recovered
            finally:
                reg.close()
            assert len(bench.receipts()) == 1


def test_crash_before_close_cancels_the_open_receipt(tmp_path: Path) -> None:
    """Killed after the receipt opened (8D) but before FF45: the next start cancels it, and selling
    the same sale id again fiscalizes it once."""
    with emulator(tmp_path) as bench:
        proc = killed_sale(bench.server.port, tmp_path / "j.sqlite", "FF0C")
        assert proc.returncode == -9, proc.stderr
        with Journal(tmp_path / "j.sqlite") as journal:
            reg = bench.register()
            try:
                till = Till(reg, journal)
                assert reg.status().receipt_open
                settled = till.recover()
                assert [r.state for r in settled] == ["cancelled"]
                assert not reg.status().receipt_open
                result = till.sell(marked_receipt(), sale_id="killed")
                assert not result.recovered
            finally:
                reg.close()
            assert len(bench.receipts()) == 1


def _ffd12(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ffd12.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )


def test_cli_sell_twice_and_journal(tmp_path: Path) -> None:
    xml = ROOT / "ffd12" / "data" / "demo-checkpackage.xml"
    journal = tmp_path / "j.sqlite"
    state = tmp_path / "fn.json"
    device = f"emu://shtrih?state={state}"
    first = _ffd12("sell", str(xml), "--device", device, "--journal", str(journal), "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    assert doc["fd_number"] >= 1 and doc["already_sold"] is False
    assert [i["tag_2106"] is not None for i in doc["items"]] == [True, True, True, False]
    second = _ffd12("sell", str(xml), "--device", device, "--journal", str(journal), "--json", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["already_sold"] is True
    listed = _ffd12("journal", "--journal", str(journal), "--json", cwd=tmp_path)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["state"], r["fd_number"]) for r in rows] == [("done", doc["fd_number"])]


def test_cli_sell_refuses_an_invalid_file(tmp_path: Path) -> None:
    xml = (ROOT / "ffd12" / "data" / "demo-checkpackage.xml").read_text(encoding="utf-8")
    broken = tmp_path / "bad.xml"
    broken.write_text(xml.replace('AmountWithDiscount="45"', 'AmountWithDiscount="46"'), encoding="utf-8")
    args = ("sell", str(broken), "--device", "emu://shtrih", "--journal", str(tmp_path / "j"))
    out = _ffd12(*args, cwd=tmp_path)
    assert out.returncode == 1
    assert "violation" in out.stderr


def test_demo_runs_on_a_pty(tmp_path: Path) -> None:
    out = _ffd12("demo", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "/dev/pts/" in out.stdout
    assert "ФД №" in out.stdout and "1260: 030/21.11.2023/1944 UUID=" in out.stdout
    assert out.stdout.count("2106=") == 3
