"""Golden files: real-looking codes from the seeds, samples and spec (fixtures/km/*.in) and the JSON
that ``ffd12 km parse --json`` must print for each (fixtures/km/*.json), compared byte for byte.

A name ending in ``-lenient`` is parsed with ``strict=False``. An unreadable code's golden JSON holds
the error: message, position, AI and candidates. Rewrite only with ``pytest --update-golden``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ffd12.marking import MarkingCodeError, parse

KM = Path(__file__).resolve().parents[2] / "fixtures" / "km"
CASES = sorted(p.stem for p in KM.glob("*.in"))


def _result(name: str) -> dict[str, Any]:
    data = (KM / f"{name}.in").read_bytes()
    try:
        return parse(data, strict=not name.endswith("-lenient")).as_json()
    except MarkingCodeError as err:
        return {
            "error": str(err),
            "position": err.position,
            "ai": err.ai,
            "candidates": list(err.candidates),
        }


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, update_golden: bool) -> None:
    got = (json.dumps(_result(name), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    golden = KM / f"{name}.json"
    if update_golden:
        golden.write_bytes(got)
    assert golden.exists(), f"no golden file for {name}; run pytest --update-golden once and review it"
    assert got == golden.read_bytes()
