"""Till kill -9 between any two exchanges: the next start settles the sale, exactly once.

For every command frame K the till writes during a sale, a till process is killed right after
frame K; a new till on the same journal and register then recovers and sells the same sale id.
The FN must hold exactly one receipt equal to what was sent, and the journal must say so.
"""

from __future__ import annotations

from pathlib import Path

from till_helpers import emulator, killed_sale, marked_receipt

from ffd12.journal import Journal
from ffd12.till import Till, documents_match


def test_kill_after_every_frame(tmp_path: Path) -> None:
    kill_at = 1
    while True:
        case = tmp_path / f"k{kill_at}"
        case.mkdir()
        with emulator(case) as bench:
            proc = killed_sale(bench.server.port, case / "j.sqlite", kill_at)
            if proc.returncode == 0:
                assert "sold without being killed" in proc.stdout
                assert kill_at > 12, "a marked sale takes more frames than that"
                break
            assert proc.returncode == -9, proc.stderr
            reg = bench.register()
            try:
                with Journal(case / "j.sqlite") as journal:
                    till = Till(reg, journal)
                    till.recover()
                    assert journal.unfinished() == []
                    till.sell(marked_receipt(), sale_id="killed")
                    record = journal.get("killed")
                    assert record is not None and record.state == "done"
                    receipts = bench.receipts()
                    assert len(receipts) == 1, f"killed after frame {kill_at}: {len(receipts)} receipts"
                    assert documents_match(receipts[0], record.receipt)
            finally:
                reg.close()
        kill_at += 1
