"""Golden files: fixtures/golden/<case>/checkpackage.xml → receipt.tlv (bytes) and receipt.json (FNS JSON).

Each case is read, checked against the FFD 1.2 rules, converted and compared byte for byte. Cases
named ``legacy_*`` or ``onec_*`` are inputs in older or foreign form: their conversions are kept in
``warnings.txt``; every other input must already be exactly what the writer produces.
``pytest --update-golden`` rewrites the outputs (never the inputs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ffd12.rules import check
from ffd12.tlv import encode
from ffd12.tlv.formats import format_by_name
from ffd12.tlv.receipt import to_tlv
from ffd12.xml import read_check_package, write_check_package
from ffd12.xml.formats import read_xml

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "checkpackage.xml").is_file())


def _compare(path: Path, produced: bytes, update: bool) -> None:
    if update:
        path.write_bytes(produced)
        return
    assert path.is_file(), f"{path} is missing: run pytest --update-golden and review the result"
    assert produced == path.read_bytes(), f"{path.parent.name}/{path.name} differs from the golden file"


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 15
    for needed in (
        "plain_sale",
        "sale_return",
        "marked_shoes",
        "milk_expiry",
        "weighted_milk",
        "draft_beer_fraction",
        "tobacco_mrp",
        "vat_rates",
        "agent_sale",
        "customer_details",
        "correction_receipt",
        "industry_requisites",
        "text_lines_barcode",
        "legacy_ffd105",
    ):
        assert needed in CASES


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: str, update_golden: bool) -> None:
    folder = GOLDEN / case
    source = (folder / "checkpackage.xml").read_bytes()
    receipt, warnings = read_check_package(source)
    assert check(receipt) == []
    doc = to_tlv(receipt)
    tlv = encode([doc])
    _compare(folder / "receipt.tlv", tlv, update_golden)
    _compare(folder / "receipt.json", format_by_name("json").write(doc), update_golden)
    assert read_xml(source) == doc  # what `ffd12 convert case.xml case.tlv` does
    if case.startswith(("legacy_", "onec_")):
        _compare(folder / "warnings.txt", "".join(f"{w}\n" for w in warnings).encode(), update_golden)
    else:
        assert warnings == []
        assert write_check_package(receipt) == source
