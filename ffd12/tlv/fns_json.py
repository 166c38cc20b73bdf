"""TLV document ⇄ FNS JSON, the shape ФНС's receipt service and the OFDs export (spec §2 JSON column).

Keys are the dictionary's ``json_name`` (``items``, ``productCodeNew``, ``itemsIndustryDetails``…);
repeatable requisites (1059, 1260, 1119, 1084) are arrays; a tag without a JSON name is written
under its number as a string key (``"1125": 1``), so nothing is lost. Money stays in kopecks.
Other conventions, as the exports do:

* ``code`` is the document form (3 = кассовый чек, 31 = чек коррекции);
* fixed-length strings keep their space padding (``"userInn": "7825706086  "``);
* 1163 children are objects ``{"rawProductCode", "productIdType", "gtin", "sernum"}`` where only
  ``rawProductCode`` is the tag value (``productIdType = tag − 1299`` is an unverified inference);
* 1077 ``fiscalSign`` is the decimal ФПД, the big-endian uint32 of bytes 2..5; the first two
  bytes are not in the export and read back as zero;
* ``dateTime`` is written ``"YYYY-MM-DDTHH:MM:SS"`` (local time); an integer of seconds is read too;
* 1023 ``quantity`` is a ``Decimal``: write with :func:`ffd12.tlv.jsonio.dumps` to keep its digits.

Exports also carry service fields that are no tags (``metadata``, ``id``, ``region``,
``messageFiscalSign``…). :func:`from_fns_json` skips them and logs one WARNING per field on the
``ffd12.tlv.fns_json`` logger; pass ``skipped=[]`` to collect their JSON paths instead. It never
fails on them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ffd12.errors import TlvError
from ffd12.tlv.codec import MAX_DEPTH
from ffd12.tlv.nodes import Tlv, TlvList, TlvValue
from ffd12.tlv.tags import TAGS, TagInfo, TagType

__all__ = ["from_fns_json", "to_fns_json"]

log = logging.getLogger("ffd12.tlv.fns_json")

_FISCAL_SIGN = 1077
_PRODUCT_CODE = 1163
_GS1M = 1305
_PRODUCT_ID_TYPE_BASE = 1299  # productIdType = tag − 1299 (3 for ean13, 6 for gs1m) — unverified (spec §2.2)
_DEFAULT_DOCUMENT = 3
#: Wrappers some services put around the document: {"document": {"receipt": {...}}}.
_WRAPPER_KEYS = ("ticket", "document")
_DOCUMENT_KEYS = {"receipt": 3, "bso": 4}
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_DIGITS_MAX = 20  # no FFD number has more digits (8-byte VLN < 2**64 ≈ 1.8e19); bigger ones are refused
_EPOCH = _dt.datetime(1970, 1, 1)

# (parent tag, JSON name) → tag; the same name may mean different tags under different parents.
_BY_NAME: dict[tuple[int, str], int] = {}
_GLOBAL: dict[str, list[int]] = {}
for _info in TAGS.values():
    if _info.json_name is not None:
        _GLOBAL.setdefault(_info.json_name, []).append(_info.number)
        for _parent in _info.parents:
            _BY_NAME[(_parent, _info.json_name)] = _info.number


# ---------------------------------------------------------------- TLV → JSON

def to_fns_json(doc: Tlv) -> dict[str, Any]:
    """The FNS JSON object of a document-level TLV (e.g. ``Tlv(3, …)``)."""
    if not isinstance(doc.value, TlvList):
        raise TlvError(
            f"could not convert tag {doc.tag} to FNS JSON: expected a document STLV", path=str(doc.tag)
        )
    obj: dict[str, Any] = {"code": doc.tag}
    obj.update(_object(doc.value))
    return obj


def _object(children: TlvList) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for child in children:
        info = TAGS.get(child.tag)
        key = info.json_name if info is not None and info.json_name else str(child.tag)
        value = _json_value(child, info)
        if info is not None and info.repeatable:
            obj.setdefault(key, []).append(value)
        elif key in obj:
            previous = obj[key]
            obj[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            obj[key] = value
    return obj


def _product_code(tag: int, raw: str) -> dict[str, Any]:
    obj: dict[str, Any] = {"productIdType": tag - _PRODUCT_ID_TYPE_BASE, "rawProductCode": raw}
    if tag == _GS1M and raw.startswith("01") and raw[16:18] == "21":
        obj["gtin"], obj["sernum"] = raw[2:16], raw[18:]
    elif tag in (1301, 1302, 1303) and raw.isdigit():
        obj["gtin"] = raw.zfill(14)
    return obj


def _json_value(node: Tlv, info: TagInfo | None) -> Any:
    value = node.value
    if isinstance(value, TlvList):
        return _object(value)
    if isinstance(value, bytes):
        if node.tag == _FISCAL_SIGN and len(value) == 6:
            return int.from_bytes(value[2:], "big")
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, _dt.datetime):
        return value.strftime(_DATETIME_FORMAT)
    if isinstance(value, str) and info is not None:
        if info.parents == (_PRODUCT_CODE,):
            return _product_code(node.tag, value)
        if info.fixed_len is not None:
            return value.ljust(info.fixed_len)
    return value


# ---------------------------------------------------------------- JSON → TLV

def from_fns_json(obj: dict[str, Any], *, skipped: list[str] | None = None) -> Tlv:
    """A document-level TLV from an FNS JSON object (service fields skipped, see module doc)."""
    obj = _unwrap(obj)
    code = obj.get("code")
    doc_tag = _DEFAULT_DOCUMENT
    if isinstance(code, int) and not isinstance(code, bool) and code in TAGS and not TAGS[code].parents:
        doc_tag = code
    else:
        _skip(skipped, "code", f"no document code {code!r}; reading it as a кассовый чек (3)")
    body = {key: value for key, value in obj.items() if key != "code"}
    return Tlv(doc_tag, _children(body, doc_tag, str(doc_tag), skipped, 1))


def _unwrap(given: Any) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise TlvError(f"could not read FNS JSON: expected an object, got {type(given).__name__}")
    obj: dict[str, Any] = given
    for _ in range(len(_WRAPPER_KEYS) + 1):
        if "code" in obj or len(obj) != 1:
            break
        (key, inner), = obj.items()
        if key in _DOCUMENT_KEYS and isinstance(inner, dict):
            return {"code": _DOCUMENT_KEYS[key], **inner}
        if key in _WRAPPER_KEYS and isinstance(inner, dict):
            obj = inner
    return obj


def _skip(skipped: list[str] | None, where: str, why: str) -> None:
    if skipped is not None:
        skipped.append(where)
    else:
        log.warning("FNS JSON %s: %s", where, why)


def _resolve(parent: int, key: str) -> int | None:
    tag = _BY_NAME.get((parent, key))
    if tag is not None:
        return tag
    if key.isdigit():
        return int(key)
    candidates = _GLOBAL.get(key, [])
    return candidates[0] if len(candidates) == 1 else None


def _children(obj: dict[str, Any], parent: int, path: str, skipped: list[str] | None, depth: int) -> TlvList:
    if depth >= MAX_DEPTH:
        raise TlvError(f"could not read FNS JSON: objects nested deeper than {MAX_DEPTH}", path=path)
    items: list[Tlv] = []
    counts: dict[int, int] = {}
    for key, raw in obj.items():
        tag = _resolve(parent, key)
        if tag is None or not 0 <= tag <= 0xFFFF:
            _skip(skipped, f"{path}/{key}", "not an FFD tag, skipped")
            continue
        for value in raw if isinstance(raw, list) else [raw]:
            index = counts.get(tag, 0)
            counts[tag] = index + 1
            where = f"{path}/{tag}[{index}]" if index or isinstance(raw, list) else f"{path}/{tag}"
            items.append(Tlv(tag, _tlv_value(tag, value, where, skipped, depth)))
    return TlvList(items)


def _fail(where: str, expected: str, value: Any) -> TlvError:
    return TlvError(f"could not read FNS JSON value: expected {expected}, got {value!r}", path=where)


def _as_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail(where, "an integer", value)
    if isinstance(value, Decimal) and (
        not value.is_finite() or value.adjusted() > _DIGITS_MAX or value != value.to_integral_value()
    ):
        raise _fail(where, "an integer", value)
    return int(value)


def _as_decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise _fail(where, "a number", value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _fail(where, "a number", value) from None
    if not number.is_finite() or number.adjusted() > _DIGITS_MAX:
        raise _fail(where, "a finite number of at most 20 digits", value)
    return number


def _as_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "a string", value)
    return value


def _as_datetime(value: Any, where: str) -> _dt.datetime:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFFFFFF:
        return _EPOCH + _dt.timedelta(seconds=value)
    if isinstance(value, str):
        try:
            return _dt.datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            pass
    raise _fail(where, "a date-time YYYY-MM-DDTHH:MM:SS or seconds", value)


def _as_bytes(value: Any, where: str) -> bytes:
    if not isinstance(value, str):
        raise _fail(where, "Base64 text", value)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(where, "Base64 text", value) from None


_READERS: dict[TagType, Callable[[Any, str], TlvValue]] = {
    TagType.BYTE: _as_int,
    TagType.UINT16: _as_int,
    TagType.UINT32: _as_int,
    TagType.VLN: _as_int,
    TagType.FVLN: _as_decimal,
    TagType.STRING: _as_text,
    TagType.UNIXTIME: _as_datetime,
    TagType.BYTES: _as_bytes,
}


def _tlv_value(tag: int, value: Any, where: str, skipped: list[str] | None, depth: int) -> TlvValue:
    info = TAGS.get(tag)
    if info is None:
        return _as_bytes(value, where)
    if info.type is TagType.STLV:
        if not isinstance(value, dict):
            raise _fail(where, "an object", value)
        return _children(value, tag, where, skipped, depth + 1)
    if tag == _FISCAL_SIGN and isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 0xFFFFFFFF:
            raise _fail(where, "a ФПД of at most 10 digits", value)
        return b"\0\0" + value.to_bytes(4, "big")
    if info.parents == (_PRODUCT_CODE,) and isinstance(value, dict):
        return _raw_product_code(value, where)
    result = _READERS[info.type](value, where)
    if isinstance(result, str) and info.fixed_len is not None:
        result = result.rstrip(" ")
    return result


def _raw_product_code(obj: dict[str, Any], where: str) -> str:
    raw = obj.get("rawProductCode")
    if isinstance(raw, str):
        return raw
    gtin, serial = obj.get("gtin"), obj.get("sernum")
    if isinstance(gtin, str) and isinstance(serial, str):
        return f"01{gtin}21{serial}"
    raise _fail(where, "an object with rawProductCode", obj)
