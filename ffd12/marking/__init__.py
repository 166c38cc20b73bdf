"""Marking codes (КМ, «Честный знак»): read any scanner output, repair what can be repaired.

>>> from ffd12.marking import parse
>>> code = parse("]d20104601234567893215Qbag!<GS>93dGVz\\r\\n")
>>> code.gtin, code.serial, code.crypto_code, code.group, code.code_type
('04601234567893', '5Qbag!', 'dGVz', 'milk', 5)
>>> code.product_code.tag, code.product_code.value
(1305, '0104601234567893215Qbag!')
>>> [r.kind for r in code.repairs]
['trimmed', 'symbology_id', 'gs_substitute']

Layer 1: pure, no I/O. The only third-party import is biip (GS1 AI table and generic fallback).
"""

from ffd12.errors import MarkingCodeError
from ffd12.marking.model import GS, MarkingCode, ProductCode, Repair, control_code
from ffd12.marking.parse import parse
from ffd12.marking.templates import PACK, TEMPLATES

__all__ = [
    "GS",
    "PACK",
    "TEMPLATES",
    "MarkingCode",
    "MarkingCodeError",
    "ProductCode",
    "Repair",
    "control_code",
    "parse",
]
