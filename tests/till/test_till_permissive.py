"""The till with the permissive check: 1260 on each marked item, refusals stop the sale,
a code sold here is refused the second time until it comes back in a return."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from till_helpers import emulator, marked_receipt

from ffd12.emulator.crpt import CrptEmulator, scenario_from_dict
from ffd12.enums import Operation, PlannedStatus
from ffd12.journal import Journal
from ffd12.permissive import PermissiveChecker, PermissiveSettings, PoolSettings, Token, TokenTable
from ffd12.till import SaleRefused, Till


def _checker(crpt: CrptEmulator, tmp: Path) -> PermissiveChecker:
    settings = PermissiveSettings(
        tokens=TokenTable(by_department={-1: Token("t")}),
        pool=PoolSettings(base_url=crpt.base_url),
        local_module=None,
        history_path=tmp / "history.sqlite",
    )
    return PermissiveChecker(settings, background_refresh=False)


def test_sale_carries_1260_and_a_second_sale_of_the_code_is_refused(tmp_path: Path) -> None:
    with CrptEmulator() as crpt, emulator(tmp_path) as bench, _checker(crpt, tmp_path) as checker:
        reg = bench.register()
        try:
            with Journal(tmp_path / "j.sqlite") as journal:
                till = Till(reg, journal, permissive=checker)
                result = till.sell(marked_receipt(), sale_id="one")
                [req] = result.receipt.items[0].industry_requisites
                assert (req.foiv, req.doc_date, req.doc_number) == ("030", "21.11.2023", "1944")
                assert req.value.startswith("UUID=") and "&Time=" in req.value
                fn_item = bench.receipts()[0][0].value.get(1059).value  # type: ignore[union-attr]
                assert fn_item.get(1260) is not None
                with pytest.raises(SaleRefused):
                    till.sell(marked_receipt(), sale_id="two")
                returned = replace(
                    marked_receipt(),
                    operation=Operation.SALE_RETURN,
                    items=tuple(
                        replace(i, planned_status=PlannedStatus.PIECE_RETURNED) if i.marking_code else i
                        for i in marked_receipt().items
                    ),
                )
                till.sell(returned, sale_id="return")
                again = till.sell(marked_receipt(), sale_id="three")
                assert again.document.fd_number > result.document.fd_number
        finally:
            reg.close()


def test_refused_code_sends_nothing_to_the_register(tmp_path: Path) -> None:
    scenario = scenario_from_dict({"codes": {"0104601234567893215Qbag": "sold"}})
    with CrptEmulator(scenario) as crpt, emulator(tmp_path) as bench, _checker(
        crpt, tmp_path
    ) as checker:
        reg = bench.register()
        try:
            with Journal(tmp_path / "j.sqlite") as journal:
                with pytest.raises(SaleRefused) as err:
                    Till(reg, journal, permissive=checker).sell(marked_receipt(), sale_id="x")
                assert err.value.messages
                assert journal.get("x") is None
                assert bench.receipts() == []
        finally:
            reg.close()
