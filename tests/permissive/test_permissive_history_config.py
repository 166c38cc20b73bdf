"""The SQLite history (durability, locking, a full file, retention) and the TOML config loader."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ffd12.config import load, load_permissive, permissive_from_dict
from ffd12.errors import ConfigError, JournalError
from ffd12.permissive.history import MIN_RETENTION_DAYS, History, HistoryRow

DAY = 86400.0


def row(code: str = "010460123456789321AAA\x1d91x", **kw: object) -> HistoryRow:
    fields: dict[str, object] = {"source": "online", "decision": "sell", **kw}
    return HistoryRow(code=code, **fields)  # type: ignore[arg-type]


def test_rows_are_on_disk_when_record_returns(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with History(path) as h:
        stored = h.record([row(req_id="r1", req_timestamp=5, http_status=200, host="http://h")])
        assert stored[0].id is not None and stored[0].time > 0
        # another connection (another process would do the same) sees it at once
        other = sqlite3.connect(path)
        try:
            assert other.execute("SELECT req_id, http_status FROM checks").fetchall() == [("r1", 200)]
        finally:
            other.close()


def test_query_by_code_prefix_and_since(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    with History(tmp_path / "h.sqlite", wall_clock=lambda: clock[0]) as h:
        h.record([row("010460123456789321AAA\x1d91x"), row("010460123456789321BBB\x1d91x")])
        clock[0] += 100
        h.record([row("010460123456789321AAA\x1d91x", decision="refuse")])
        assert [r.decision for r in h.query(code="010460123456789321AAA")] == ["sell", "refuse"]
        assert len(h.query(code="010460123456789321AAA\x1d91x")) == 2
        assert [r.decision for r in h.query(since=1_000_050.0)] == ["refuse"]
        assert h.query(code="0104601234567893_1AAA") == []  # LIKE wildcards are escaped


def test_retention_prunes_old_rows_and_has_a_floor(tmp_path: Path) -> None:
    clock = [100 * DAY * 10]
    with History(tmp_path / "h.sqlite", retention_days=100, wall_clock=lambda: clock[0]) as h:
        h.record([row(time=clock[0] - 101 * DAY), row(time=clock[0] - 99 * DAY), row()])
        assert h.prune() == 1
        assert len(h.query()) == 2
    with pytest.raises(ConfigError, match=str(MIN_RETENTION_DAYS)):
        History(tmp_path / "x.sqlite", retention_days=30)


def test_sold_codes_are_remembered_until_returned(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as h:
        h.record_sale(["A", "B"])
        assert h.was_sold("A") and not h.was_sold("C")
        h.record_return(["A"])
        assert not h.was_sold("A") and h.was_sold("B")


def test_a_locked_file_is_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with History(path, busy_timeout=0.1) as h:
        locker = sqlite3.connect(path, isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            with pytest.raises(JournalError, match="locked"):
                h.record([row()])
            locker.execute("ROLLBACK")
        finally:
            locker.close()
        h.record([row()])  # fine again once the lock is gone
        assert len(h.query()) == 1


def test_a_full_file_is_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with History(path) as h:
        h._db.execute("PRAGMA max_page_count = 8")  # the file may not grow: as good as a full disk
        with pytest.raises(JournalError, match="full"):
            for _ in range(200):
                h.record([row(detail="x" * 4000)])


def test_an_unwritable_place_is_a_journal_error(tmp_path: Path) -> None:
    with pytest.raises(JournalError):
        History(tmp_path / "no-such-dir" / "h.sqlite")


# -- config -------------------------------------------------------------------------------------


def test_sample_config_loads(fixtures_dir: Path) -> None:
    s = load_permissive(fixtures_dir / "permissive" / "config.toml")
    assert s.budget_s == 1.5 and s.fiscal_drive_number == "7281440500123456" and s.capslock_retry
    assert s.policy.default.ignore_connection_errors and s.policy.default.mode == "forbid"
    assert s.policy.groups["milk"].actions["ignoreCrptStatusExpireDate"] == "ask"
    assert s.policy.groups["milk"].actions["ignoreCrptStatusFound"] == "deny"  # inherited
    assert s.local_module is not None and s.local_module.url == "http://127.0.0.1:15995"
    assert "demo-token" not in repr(s)


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ({"xapikey": "[-1:t]", "budget": 0.3}, "at least 0.5"),
        ({}, "no X-API-KEY"),
        ({"xapikey": "[-1:t]", "bogus": 1}, "unknown keys"),
        ({"xapikey": "[-1:t]", "policy": {"ignoreCrptStatusSold": "perhaps"}}, "deny, ask or allow"),
        ({"xapikey": "[-1:t]", "policy": {"mode": "sometimes"}}, "mode"),
        ({"xapikey": "[-1:t]", "retention_days": 10}, None),
        ({"xapikey": "[-1:t]", "local_module": {"api": 3}}, "api"),
        ({"xapikey": "[-1:t]", "fiscal_drive_number": "FN-1"}, "digits"),
        ({"xapikey": "[-1:t]", "foiv": ""}, "отраслевых"),
        ({"xapikey": "[-1:t]", "base_url": "cdn.crpt.ru"}, "http"),
    ],
)
def test_config_errors(table: dict[str, object], match: str | None, tmp_path: Path) -> None:
    if match is None:  # retention is checked when the history opens
        s = permissive_from_dict({**table, "history": "h.sqlite"}, base_dir=tmp_path)
        with pytest.raises(ConfigError):
            History(s.history_path or tmp_path, retention_days=s.retention_days)
        return
    with pytest.raises(ConfigError, match=match):
        permissive_from_dict(table)


def test_config_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[permissive\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load(bad)
    with pytest.raises(ConfigError):
        load(tmp_path / "missing.toml")
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    assert load(empty).permissive is None
    with pytest.raises(ConfigError, match="no \\[permissive\\]"):
        load_permissive(empty)
