"""The fault campaign: a marked sale survives a fault at every command exchange, exactly once.

For every frame the device receives during a sale (set-up, FF61/FF69, 8D, FF46/FF4D/FF67, FF0C,
FF45) and every fault kind, the sale is run to its end through the till (reconnecting and
retrying the same sale id, as a POS does); then the FN archive holds exactly one receipt, it
equals the receipt that was sent, and the journal records that very document.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from till_helpers import marked_receipt

from ffd12.campaign import FAULT_KINDS, plan_for, random_plan, run_trial


@pytest.fixture(scope="module")
def sale_frames() -> int:
    clean = run_trial(marked_receipt(), "")
    assert clean.consistent and clean.receipts_in_fn == 1 and clean.error is None
    assert clean.frames >= 12  # status, shift, FF61, FF69, 8D, FF46, FF4D, FF67, FF46, FF4D, FF0C, FF45
    return clean.frames


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_fault_at_every_exchange(kind: str, sale_frames: int, tmp_path: Path) -> None:
    for n in range(1, sale_frames + 1):
        case = tmp_path / f"{kind}-{n}"
        case.mkdir()
        trial = run_trial(marked_receipt(), plan_for(kind, n), folder=case)
        assert trial.applied, f"{trial.plan}: the fault never fired"
        assert not trial.duplicate, f"{trial.plan}: {trial.receipts_in_fn} receipts for one sale"
        assert not trial.lost, f"{trial.plan}: no receipt in the FN ({trial.error})"
        assert trial.consistent, f"{trial.plan}: FN, journal and receipt disagree ({trial.journal_state})"


def test_random_faults_small_campaign(sale_frames: int) -> None:
    rng = random.Random(20261123)
    for _ in range(12):
        trial = run_trial(marked_receipt(), random_plan(rng, sale_frames))
        assert (trial.duplicate, trial.lost, trial.inconsistent) == (False, False, False), trial
