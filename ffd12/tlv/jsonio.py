"""JSON text with exact decimals: ``Decimal`` is written as a JSON number, read back as ``Decimal``.

The standard ``json`` module cannot write a ``Decimal`` as a number and reads numbers as floats;
quantities (FVLN 1023) must keep every digit, so both directions go through here.

>>> from decimal import Decimal
>>> dumps({"quantity": Decimal("0.610")})
'{"quantity": 0.610}'
>>> loads('{"quantity": 0.610}')["quantity"]
Decimal('0.610')
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]

_MARK = "\u0000dec:"
_MARKED = re.compile(r'"\\u0000dec:([-+0-9.Ee]+)"')


def _mark(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError(f"could not write JSON: {obj} is not a finite number")
        return f"{_MARK}{obj}"
    if isinstance(obj, dict):
        return {key: _mark(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_mark(value) for value in obj]
    return obj


def dumps(obj: Any, *, indent: int | None = None) -> str:
    """``json.dumps`` (UTF-8 text, Cyrillic kept) with ``Decimal`` written as a number."""
    text = json.dumps(_mark(obj), ensure_ascii=False, indent=indent)
    return _MARKED.sub(lambda m: m.group(1), text)


def loads(text: str | bytes) -> Any:
    """``json.loads`` with fractional numbers read as ``Decimal`` (integers stay ``int``)."""
    return json.loads(text, parse_float=Decimal)
