"""Journal: the state table, durability across reopen and a killed writer, idempotent begin."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ffd12.errors import JournalError
from ffd12.journal import STATES, Journal, check_transition


def test_happy_path_is_recorded(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        rec = j.begin("s1", b"\x03\x00", summary="one item")
        assert rec.state == "pending" and rec.attempts == 0 and not rec.finished
        rec = j.mark_closing("s1", fd_before=7)
        assert (rec.state, rec.fd_before, rec.attempts) == ("closing", 7, 1)
        rec = j.complete("s1", fd_number=8, fiscal_sign=99, fiscal_time="2026-11-23T10:00")
        assert (rec.state, rec.fd_number, rec.fiscal_sign) == ("done", 8, 99)
        assert rec.finished
        assert j.unfinished() == []


def test_begin_is_idempotent(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        j.begin("s1", b"a", summary="x")
        j.mark_closing("s1", fd_before=1)
        again = j.begin("s1", b"different", summary="y")
        assert again.state == "closing" and again.receipt == b"a"
        assert len(j.records()) == 1


def test_illegal_transitions_are_refused(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        j.begin("s1", b"a", summary="x")
        with pytest.raises(JournalError, match="expected one of"):
            j.complete("s1", fd_number=1, fiscal_sign=1, fiscal_time="t")
        j.fail("s1", reason="rules")
        with pytest.raises(JournalError):
            j.mark_closing("s1", fd_before=0)
        rec = j.restart("s1", b"b")
        assert (rec.state, rec.receipt, rec.reason) == ("pending", b"b", None)
        with pytest.raises(JournalError, match="could not find"):
            j.cancel("nope", reason="x")
        with pytest.raises(JournalError):
            j.begin("", b"", summary="")


@given(st.sampled_from(STATES), st.sampled_from(STATES))
def test_transition_table_is_closed_under_done(current: str, new: str) -> None:
    if current == "done" or (current in ("failed", "cancelled") and new != "pending"):
        with pytest.raises(JournalError):
            check_transition(current, new, sale_id="s")


def test_reopen_after_failed_close_counts_attempts(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        j.begin("s1", b"a", summary="x")
        j.mark_closing("s1", fd_before=5)
        rec = j.reopen("s1", reason="FN last FD still 5")
        assert rec.state == "pending" and rec.reason == "FN last FD still 5"
        rec = j.mark_closing("s1", fd_before=5)
        assert rec.attempts == 2
        assert [r.sale_id for r in j.unfinished()] == ["s1"]


def test_state_survives_a_killed_writer(tmp_path: Path) -> None:
    """A process that recorded the intent and was killed -9 leaves a readable 'closing' row."""
    path = tmp_path / "j.sqlite"
    script = (
        "import os, sys\n"
        "from ffd12.journal import Journal\n"
        "j = Journal(sys.argv[1])\n"
        "j.begin('s1', b'\\x03', summary='x')\n"
        "j.mark_closing('s1', fd_before=3)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert proc.returncode == -9
    with Journal(path) as j:
        [rec] = j.unfinished()
        assert (rec.sale_id, rec.state, rec.fd_before) == ("s1", "closing", 3)


def test_locked_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, timeout=0.1) as j:
        blocker = sqlite3.connect(str(path), isolation_level=None)
        try:
            blocker.execute("BEGIN EXCLUSIVE")
            with pytest.raises(JournalError, match="could not record"):
                j.begin("s2", b"a", summary="x")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()


def test_unwritable_place_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = tmp_path / "no-such-dir" / "j.sqlite"
    else:  # pragma: no cover - depends on the user running the tests
        target = Path("/proc/ffd12-journal.sqlite")
    with pytest.raises(JournalError, match="could not open"):
        Journal(target)
