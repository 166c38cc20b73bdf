"""Random fault campaign: N marked sales, each with random link/device faults; count what broke.

    python bench/faults.py 10000        # the issue's target: 0 duplicates / 0 lost / 0 inconsistent

Each trial is one sale through ffd12.till against the Shtrih-M emulator on 127.0.0.1 with one or
two random faults (connection close, power cut, NAK storm, late answer, dropped or corrupted
byte) at a random frame; the FN archive, the journal and the receipt are compared afterwards
(see ffd12.campaign). Prints a progress line every 100 trials and the totals at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ffd12.campaign import POS_RETRIES, random_plan, run_trial
from ffd12.marking import parse
from ffd12.model import Item, Payments, Receipt

SHOES = "0104601234567893215Qbag!mP7sX3Yq\x1d91FFD0\x1d92dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXRlc3RrZXk="
WATER = "0104640069133057215Nwc%ghD8xlVN\x1d93Q2JS"


def receipt() -> Receipt:
    return Receipt(
        operation=1,
        taxation=1,
        cashier="Кассир",
        items=(
            Item(name="Кроссовки", price="2500.00", quantity=1, amount="2500.00", vat=1, subject=33,
                 measure=0, marking_code=parse(SHOES), planned_status=1),
            Item(name="Вода", price="45.00", quantity=1, amount="45.00", vat=1, subject=33, measure=0,
                 marking_code=parse(WATER), planned_status=1),
            Item(name="Яблоки", price="159.90", quantity=Decimal("0.750"), amount="119.93", vat=2,
                 measure=11),
        ),
        payments=Payments(cash="3000.00"),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, nargs="?", default=200, help="number of random trials")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    clean = run_trial(receipt(), "")
    if not clean.consistent:
        sys.exit(f"a clean sale is not consistent: {clean}")
    frames = clean.frames
    counts = {"duplicates": 0, "lost": 0, "inconsistent": 0, "no outcome": 0}
    bad: list[str] = []
    start = time.perf_counter()
    for i in range(1, args.n + 1):
        trial = run_trial(receipt(), random_plan(rng, frames), sale_id=f"sale-{i}")
        for key, hit in (("duplicates", trial.duplicate), ("lost", trial.lost),
                         ("inconsistent", trial.inconsistent), ("no outcome", trial.error is not None)):
            if hit:
                counts[key] += 1
                bad.append(f"{key}: {trial.plan} → {trial.error or trial.journal_state}")
        if i % 100 == 0:
            rate = i / (time.perf_counter() - start)
            print(f"{i}/{args.n} trials, {rate:.1f}/s, {counts}", flush=True)
    elapsed = time.perf_counter() - start
    print(f"frames in a clean sale: {frames}")
    print(f"trials: {args.n} in {elapsed:.1f} s")
    dup, lost, inc = counts["duplicates"], counts["lost"], counts["inconsistent"]
    print(f"duplicates / lost / inconsistent: {dup}/{lost}/{inc}")
    print(f"sales with no outcome after {POS_RETRIES} POS retries: {counts['no outcome']}")
    for line in bad[:20]:
        print("  " + line)


if __name__ == "__main__":
    main()
