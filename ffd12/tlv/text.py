"""Human views of a TLV tree: an indented text dump and a plain list for JSON output.

>>> from ffd12.tlv.nodes import Tlv, TlvList
>>> print(render_text([Tlv(3, TlvList([Tlv(1054, 1), Tlv(1030, "Молоко")]))]))
3 кассовый чек
  1054 признак расчета: 1
  1030 наименование предмета расчета: "Молоко"
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ffd12.tlv.nodes import Tlv, TlvList, TlvValue
from ffd12.tlv.tags import TAGS

__all__ = ["UNKNOWN_NAME", "render_text", "to_plain"]

#: Name shown for a tag the dictionary does not know.
UNKNOWN_NAME = "неизвестный тег"


def _name(tag: int) -> str:
    info = TAGS.get(tag)
    return info.name_ru if info is not None else UNKNOWN_NAME


def _show(value: TlvValue) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # quotes; GS shows as \u001d
    if isinstance(value, bytes):
        return value.hex(" ") if value else "(пусто)"
    if isinstance(value, _dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M:%S")
    return str(value)


def render_text(items: Iterable[Tlv], *, indent: str = "  ") -> str:
    """One line per requisite: tag, Russian name, value; STLV children indented below."""
    lines: list[str] = []

    def walk(nodes: Iterable[Tlv], depth: int) -> None:
        for node in nodes:
            head = f"{indent * depth}{node.tag} {_name(node.tag)}"
            if isinstance(node.value, TlvList):
                lines.append(head)
                walk(node.value, depth + 1)
            else:
                lines.append(f"{head}: {_show(node.value)}")

    walk(items, 0)
    return "\n".join(lines)


def _plain_value(value: TlvValue) -> Any:
    if isinstance(value, TlvList):
        return to_plain(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | int | str):
        return value
    raise TypeError(f"unexpected TLV value {type(value).__name__}")


def to_plain(items: Iterable[Tlv]) -> list[dict[str, Any]]:
    """``[{"tag", "name", "value"}]`` with STLV values nested, bytes as hex, datetimes ISO 8601.

    Decimals stay ``Decimal``: write the result with :func:`ffd12.tlv.jsonio.dumps`.
    """
    return [{"tag": t.tag, "name": _name(t.tag), "value": _plain_value(t.value)} for t in items]
