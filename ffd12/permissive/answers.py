"""Readers of the ГИС МТ and Local Module HTTP answers (spec crpt-permissive §3, §4.2–4.3, §7.3).

Every reader takes the raw body bytes and returns frozen records, or raises
:class:`AnswerError` (a :class:`~ffd12.errors.PermissiveError`) naming the field that is wrong.
Fields are optional in practice (real answers omit nulls) and the attribute set may grow, so
unknown fields are ignored and missing ones stay ``None``.

>>> a = parse_check_answer(b'{"code":0,"codes":[{"cis":"x","found":false}],"reqId":"r","reqTimestamp":5}')
>>> (a.req_id, a.req_timestamp, a.codes[0].found)
('r', 5, False)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ffd12.errors import PermissiveError

__all__ = [
    "AnswerError",
    "CheckAnswer",
    "CodeStatus",
    "LmStatus",
    "parse_cdn_info",
    "parse_check_answer",
    "parse_error_body",
    "parse_health",
    "parse_lm_status",
    "parse_lm_v2_answer",
]

MAX_BODY: Final = 4 * 1024 * 1024  # refuse answers larger than this (a check answer is a few KB)


class AnswerError(PermissiveError):
    """An HTTP answer that cannot be read: not JSON, wrong shape, wrong field type."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeStatus:
    """One ``codes[]`` item of a codes/check (or Local Module) answer — spec §4.3."""

    cis: str
    valid: bool | None = None
    found: bool | None = None
    verified: bool | None = None
    realizable: bool | None = None
    utilised: bool | None = None
    is_blocked: bool | None = None
    sold: bool | None = None
    gray_zone: bool | None = None
    ogvs: tuple[str, ...] = ()
    expire_date: str | None = None
    mrp: int | None = None
    smp: int | None = None
    error_code: int | None = None
    message: str | None = None
    gtin: str | None = None
    group_ids: tuple[int, ...] = ()
    print_view: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckAnswer:
    """The envelope of a codes/check or outCheck answer — spec §4.2."""

    code: int
    description: str
    codes: tuple[CodeStatus, ...]
    req_id: str | None
    req_timestamp: int | None
    inst: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LmStatus:
    """The Local Module ``/api/v1/status`` answer — spec §7.3."""

    status: str
    last_sync_ms: int | None
    inst: str | None
    version: str | None
    operation_mode: str | None


def _load(body: bytes, what: str) -> Any:
    if len(body) > MAX_BODY:
        raise AnswerError(
            f"could not read the {what} answer: expected at most {MAX_BODY} bytes, got {len(body)}"
        )
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise AnswerError(f"could not read the {what} answer: not UTF-8 at byte {exc.start}") from None
    except (ValueError, RecursionError) as exc:
        raise AnswerError(
            f"could not read the {what} answer: expected JSON ({exc.__class__.__name__})"
        ) from None


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise AnswerError(f"could not read {where}: expected an object, got {type(value).__name__}")
    return value


def _opt(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = obj.get(key)
    if value is None:
        return None
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) and kind is not bool:
        raise AnswerError(f"could not read {where}.{key}: expected {_name(kind)}, got bool")
    if not isinstance(value, kind):
        raise AnswerError(f"could not read {where}.{key}: expected {_name(kind)}, got {type(value).__name__}")
    return value


def _name(kind: type | tuple[type, ...]) -> str:
    return kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AnswerError(f"could not read {where}.{key}: expected a string, got {type(value).__name__}")
    return str(value)


def _price(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    value = _opt(obj, key, (int, float), where)
    if value is None:
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise AnswerError(f"could not read {where}.{key}: expected whole kopecks, got {value!r}")
        value = int(value)
    if value < 0:
        raise AnswerError(f"could not read {where}.{key}: expected kopecks ≥ 0, got {value}")
    return int(value)


def _code_status(raw: Any, where: str) -> CodeStatus:
    obj = _obj(raw, where)
    cis = _opt(obj, "cis", str, where)
    if cis is None:
        raise AnswerError(f"could not read {where}: expected the field cis")
    ogvs_raw = obj.get("ogvs")
    if ogvs_raw is None:
        ogvs: tuple[str, ...] = ()
    elif isinstance(ogvs_raw, list) and all(isinstance(o, str) for o in ogvs_raw):
        ogvs = tuple(ogvs_raw)
    else:
        raise AnswerError(f"could not read {where}.ogvs: expected a list of strings")
    groups_raw = obj.get("groupIds")
    if groups_raw is None:
        groups: tuple[int, ...] = ()
    elif isinstance(groups_raw, list) and all(type(g) is int for g in groups_raw):
        groups = tuple(groups_raw)
    else:
        raise AnswerError(f"could not read {where}.groupIds: expected a list of integers")
    return CodeStatus(
        cis=cis,
        valid=_opt(obj, "valid", bool, where),
        found=_opt(obj, "found", bool, where),
        verified=_opt(obj, "verified", bool, where),
        realizable=_opt(obj, "realizable", bool, where),
        utilised=_opt(obj, "utilised", bool, where),
        is_blocked=_opt(obj, "isBlocked", bool, where),
        sold=_opt(obj, "sold", bool, where),
        gray_zone=_opt(obj, "grayZone", bool, where),
        ogvs=ogvs,
        expire_date=_opt(obj, "expireDate", str, where),
        mrp=_price(obj, "mrp", where),
        smp=_price(obj, "smp", where),
        error_code=_opt(obj, "errorCode", int, where),
        message=_opt(obj, "message", str, where),
        gtin=_opt(obj, "gtin", str, where),
        group_ids=groups,
        print_view=_opt(obj, "printView", str, where),
    )


def _envelope(obj: Mapping[str, Any], codes_raw: Any, where: str) -> CheckAnswer:
    if codes_raw is None:
        codes_raw = []
    if not isinstance(codes_raw, list):
        raise AnswerError(f"could not read {where}.codes: expected a list, got {type(codes_raw).__name__}")
    code = _opt(obj, "code", int, where)
    return CheckAnswer(
        code=0 if code is None else code,
        description=_opt(obj, "description", str, where) or "",
        codes=tuple(_code_status(c, f"{where}.codes[{i}]") for i, c in enumerate(codes_raw)),
        req_id=_opt_str(obj, "reqId", where),
        req_timestamp=_opt(obj, "reqTimestamp", int, where),
        inst=_opt_str(obj, "inst", where),
        version=_opt_str(obj, "version", where),
    )


def parse_check_answer(body: bytes, *, what: str = "codes/check") -> CheckAnswer:
    """Read a codes/check (or v1 outCheck) answer."""
    obj = _obj(_load(body, what), what)
    return _envelope(obj, obj.get("codes"), what)


def parse_lm_v2_answer(body: bytes) -> CheckAnswer:
    """Read a v2 outCheck answer ``{"results": [<codes/check-shaped object>, …]}`` into one envelope."""
    what = "outCheck v2"
    obj = _obj(_load(body, what), what)
    results = obj.get("results")
    if not isinstance(results, list):
        raise AnswerError(f"could not read {what}.results: expected a list")
    codes: list[CodeStatus] = []
    first: CheckAnswer | None = None
    for i, item in enumerate(results):
        inner = _obj(item, f"{what}.results[{i}]")
        env = _envelope(inner, inner.get("codes"), f"{what}.results[{i}]")
        first = first or env
        codes.extend(env.codes)
    if first is None:
        return CheckAnswer(code=0, description="", codes=(), req_id=None, req_timestamp=None)
    return CheckAnswer(
        code=first.code,
        description=first.description,
        codes=tuple(codes),
        req_id=first.req_id,
        req_timestamp=first.req_timestamp,
        inst=first.inst,
        version=first.version,
    )


def parse_cdn_info(body: bytes) -> tuple[str, ...]:
    """Read cdn/info: the host list (as given; normalised by the pool). ``code`` ≠ 0 is an error."""
    what = "cdn/info"
    obj = _obj(_load(body, what), what)
    code = _opt(obj, "code", int, what)
    if code not in (None, 0):
        desc = _opt(obj, "description", str, what) or ""
        raise AnswerError(f"could not get the CDN list: cdn/info answered code {code} ({desc[:200]})")
    hosts_raw = obj.get("hosts") or []
    if not isinstance(hosts_raw, list):
        raise AnswerError(f"could not read {what}.hosts: expected a list")
    hosts: list[str] = []
    for i, item in enumerate(hosts_raw):
        host = _opt(_obj(item, f"{what}.hosts[{i}]"), "host", str, f"{what}.hosts[{i}]")
        if host:
            hosts.append(host)
    return tuple(hosts)


def parse_health(body: bytes) -> tuple[int, int | None]:
    """Read health/check: ``(code, avgTimeMs)``; ``avgTimeMs`` may come as a string (B-till)."""
    what = "health/check"
    obj = _obj(_load(body, what), what)
    code = _opt(obj, "code", int, what)
    avg = obj.get("avgTimeMs")
    if isinstance(avg, str) and avg.strip().isdigit():
        avg = int(avg.strip())
    elif avg is not None:
        avg = _opt(obj, "avgTimeMs", int, what)
    return (0 if code is None else code), avg


def parse_error_body(body: bytes) -> tuple[int | None, str | None]:
    """Best-effort read of a non-200 body: ``(errorCode, error_message)``; never raises."""
    try:
        obj = json.loads(body[:65536].decode("utf-8"))
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(obj, dict):
        return None, None
    code = obj.get("errorCode", obj.get("code"))
    msg = obj.get("error_message", obj.get("description"))
    return (code if type(code) is int else None), (str(msg)[:200] if isinstance(msg, str | int) else None)


def parse_lm_status(body: bytes) -> LmStatus:
    """Read the Local Module status answer."""
    what = "Local Module status"
    obj = _obj(_load(body, what), what)
    status = _opt(obj, "status", str, what)
    if status is None:
        raise AnswerError(f"could not read {what}: expected the field status")
    last = obj.get("lastSync")
    if isinstance(last, str) and last.isdigit():
        last = int(last)
    elif last is not None:
        last = _opt(obj, "lastSync", int, what)
    return LmStatus(
        status=status,
        last_sync_ms=last,
        inst=_opt_str(obj, "inst", what),
        version=_opt_str(obj, "version", what),
        operation_mode=_opt_str(obj, "operationMode", what),
    )
