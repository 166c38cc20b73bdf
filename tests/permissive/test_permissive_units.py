"""Pure parts of the permissive mode: tokens, reasons, expiry, prices, policy, answer readers."""

from __future__ import annotations

import doctest
import importlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ffd12.errors import ConfigError, PermissiveError
from ffd12.permissive.answers import (
    AnswerError,
    CodeStatus,
    parse_cdn_info,
    parse_check_answer,
    parse_error_body,
    parse_health,
    parse_lm_status,
    parse_lm_v2_answer,
)
from ffd12.permissive.decide import expiry_instant, offline_reasons_for, reasons_for
from ffd12.permissive.policy import GroupPolicy, Policy, normalise_mode
from ffd12.permissive.pool import normalise_host
from ffd12.permissive.reasons import FAILURES, REASON_BY_KEY, REASONS
from ffd12.permissive.tokens import Token, parse_xapikey

MSK = timezone(timedelta(hours=3))
GOOD = {"found": True, "valid": True, "utilised": True, "verified": True, "realizable": True, "sold": False}


def status(**kw: object) -> CodeStatus:
    return CodeStatus(cis="x", **{**GOOD, **kw})  # type: ignore[arg-type]


# -- tokens ---------------------------------------------------------------------------------------


def test_xapikey_vendor_syntax() -> None:
    t = parse_xapikey("[-1:tok-all]")
    assert t.for_item(department=7).reveal() == "tok-all"
    t = parse_xapikey("[1.2:tok-a], [3:tok-b]")
    assert t.for_item(department=1).reveal() == "tok-a" and t.for_item(department=2).reveal() == "tok-a"
    assert t.for_item(department=3).reveal() == "tok-b"
    with pytest.raises(ConfigError, match="не найден"):
        t.for_item(department=4)
    t = parse_xapikey("[1:1],[2:tok-b]")  # «1» = no token for department 1
    assert 1 not in t.by_department and t.for_item(department=2).reveal() == "tok-b"
    t = parse_xapikey("", by_inn={"7700000000": "tok-inn"})
    assert t.for_item(inn="7700000000").reveal() == "tok-inn"
    assert t.for_item().reveal() == "tok-inn"  # the only token


@pytest.mark.parametrize("bad", ["[1:tok]", "tok", "[a:b]", "[1:x],[1:y]", "[-1:tok", "[-1:to ken]"])
def test_xapikey_errors_never_show_the_token(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_xapikey(bad)
    assert "tok" not in str(info.value).replace("token", "") and "ken" not in str(info.value).replace(
        "token", ""
    )


def test_token_is_never_printed() -> None:
    tok = Token("super-secret-value")
    assert "super" not in repr(tok) and "secret" not in str(tok) and "secret" not in f"{tok!r}"
    with pytest.raises(ConfigError):
        parse_xapikey("", by_inn={"12": "x"})


# -- reasons and the decision ---------------------------------------------------------------------


def test_reason_table_carries_vendor_codes_and_russian_messages() -> None:
    codes = {r.key: r.vendor_code for r in REASONS}
    assert codes["not_found"] == 751 and codes["not_applied"] == 752 and codes["bad_crypto"] == 753
    assert codes["sold"] == 754 and codes["blocked"] == 755 and codes["not_in_circulation"] == 756
    assert codes["expired"] == 757 and codes["above_mrp"] == codes["below_min_price"] == 758
    assert all(any("а" <= ch <= "я" for ch in r.message.lower()) for r in REASONS)
    assert FAILURES["bad_token"].code == 761 and FAILURES["emergency"].code == 762


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, []),
        ({"found": False}, ["not_found"]),
        ({"utilised": False}, ["not_applied"]),
        ({"verified": False}, ["bad_crypto"]),
        ({"is_blocked": True}, ["blocked"]),
        ({"realizable": False}, ["not_in_circulation"]),
        ({"realizable": False, "sold": True}, ["sold"]),
        ({"valid": False}, ["invalid"]),
        ({"error_code": 6}, ["error_code"]),
        ({"gray_zone": True, "found": False}, ["grey_zone"]),
        ({"found": False, "is_blocked": True, "error_code": 10}, ["not_found", "blocked", "error_code"]),
    ],
)
def test_reasons_in_table_order(fields: dict[str, object], expected: list[str]) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert [r.key for r in reasons_for(status(**fields), now=now)] == expected


def test_sold_is_not_a_reason_on_a_return() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert reasons_for(status(sold=True, realizable=False), now=now, sale=False) == ()


def test_date_only_expiry_stops_the_sale_at_midnight_of_that_day() -> None:
    s = status(expire_date="2026-03-10")
    assert reasons_for(s, now=datetime(2026, 3, 9, 23, 59, 59, tzinfo=MSK)) == ()
    assert [r.key for r in reasons_for(s, now=datetime(2026, 3, 10, 0, 0, 0, tzinfo=MSK))] == ["expired"]
    # a date with a time is an instant: the UTC value is compared as such
    s = status(expire_date="2026-03-10T12:00:00.000Z")
    assert reasons_for(s, now=datetime(2026, 3, 10, 14, 59, tzinfo=MSK)) == ()
    assert reasons_for(s, now=datetime(2026, 3, 10, 15, 0, tzinfo=MSK))
    assert expiry_instant("2026-03-10T12:00:00+0300", local_now=datetime.now(UTC)) == datetime(
        2026, 3, 10, 9, 0, tzinfo=UTC
    )
    assert expiry_instant("garbage", local_now=datetime.now(UTC)) is None
    assert expiry_instant("2026-02-30", local_now=datetime.now(UTC)) is None


def test_price_checks() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    tobacco = status(mrp=14000, group_ids=(3,))
    assert [r.key for r in reasons_for(tobacco, now=now, unit_price=24800)] == ["above_mrp"]
    assert reasons_for(tobacco, now=now, unit_price=14000) == ()
    assert reasons_for(tobacco, now=now) == ()  # no price given: no price check
    ncp = status(mrp=20000, group_ids=(16,))  # group 16: mrp is a minimum
    assert [r.key for r in reasons_for(ncp, now=now, unit_price=15000)] == ["below_min_price"]
    assert reasons_for(ncp, now=now, unit_price=25000) == ()
    smp = status(smp=12900)
    assert [r.key for r in reasons_for(smp, now=now, unit_price=12000)] == ["below_min_price"]


def test_offline_decides_on_blocked_and_sold_only() -> None:
    s = CodeStatus(cis="x", found=False, is_blocked=True, sold=True)
    assert [r.key for r in offline_reasons_for(s)] == ["blocked", "sold"]
    assert offline_reasons_for(CodeStatus(cis="x", found=False)) == ()


# -- policy ---------------------------------------------------------------------------------------


def test_policy_actions_modes_and_groups() -> None:
    expired, nf = REASON_BY_KEY["expired"], REASON_BY_KEY["not_found"]
    p = GroupPolicy(actions={"ignoreCrptStatusExpireDate": "allow"})
    assert p.action_for([expired]) == "allow" and p.action_for([expired, nf]) == "deny"
    assert GroupPolicy(mode="warn").action_for([nf]) == "ask"
    assert GroupPolicy(ask_confirmation=True).action_for([nf]) == "ask"
    assert GroupPolicy().action_for([REASON_BY_KEY["grey_zone"]]) == "allow"
    pol = Policy(groups={"tobacco": GroupPolicy(mode="warn")})
    assert pol.for_group(["tobacco_pack"]).mode == "warn" and pol.for_group([None, "milk"]) is pol.default
    assert normalise_mode("Предупреждение") == "warn" and normalise_mode("запрет продаж") == "forbid"
    with pytest.raises(ConfigError):
        GroupPolicy(actions={"ignoreCrptStatusFound": "maybe"})
    with pytest.raises(ConfigError):
        GroupPolicy(actions={"noSuchKnob": "deny"})


# -- answer readers -------------------------------------------------------------------------------


def test_reads_the_logged_answer_of_the_samples() -> None:
    # samples/onec-xml.md B2 (inner object), GS escaped as \u001D
    body = (
        b'{"code":0,"description":"ok","codes":[{"cis":"0104670540176099215\'W9Um\\u001D93dGVz","found":true,'
        b'"valid":true,"printView":"0104670540176099215\'W9Um","gtin":"04670540176099","groupIds":[8],'
        b'"verified":true,"realizable":false,"utilised":false,"isBlocked":false,"ogvs":[],"errorCode":0,'
        b'"isTracking":false,"sold":false,"grayZone":false,"packageType":"UNIT","producerInn":"7725344604"}],'
        b'"reqId":"c117ab9a-8514-4084-a690-954af05e9b2b","reqTimestamp":1773404760587,"isCheckedOffline":false}'
    )
    a = parse_check_answer(body)
    assert a.req_id == "c117ab9a-8514-4084-a690-954af05e9b2b" and a.req_timestamp == 1773404760587
    c = a.codes[0]
    assert c.cis == "0104670540176099215'W9Um\x1d93dGVz" and c.group_ids == (8,)
    assert (c.found, c.utilised, c.realizable) == (True, False, False)
    now = datetime(2026, 3, 13, tzinfo=UTC)
    assert [r.key for r in reasons_for(c, now=now)] == ["not_applied", "not_in_circulation"]


def test_other_readers() -> None:
    assert parse_cdn_info(
        b'{"code":0,"hosts":[{"host":"https://cdn01.crpt.ru"},{"host":"cdn02.crpt.ru"}]}'
    ) == (
        "https://cdn01.crpt.ru",
        "cdn02.crpt.ru",
    )
    assert normalise_host("cdn02.crpt.ru/") == "https://cdn02.crpt.ru"
    with pytest.raises(AnswerError, match="code 5"):
        parse_cdn_info(b'{"code":5,"description":"no"}')
    assert parse_health(b'{"code":0,"avgTimeMs":"120"}') == (0, 120)
    assert parse_error_body(b'{"errorCode":4050}') == (4050, None)
    assert parse_error_body(b"\xff") == (None, None)
    lm = parse_lm_status(b'{"status":"ready","lastSync":1773404760587,"inst":"i","version":"1.4"}')
    assert lm.status == "ready" and lm.last_sync_ms == 1773404760587
    v2 = parse_lm_v2_answer(
        b'{"results":[{"code":0,"codes":[{"cis":"a","isBlocked":true}],"reqId":"r",'
        b'"reqTimestamp":1,"inst":"x","version":"2"}]}'
    )
    assert v2.codes[0].is_blocked and v2.inst == "x"
    with pytest.raises(AnswerError):
        parse_check_answer(b'{"codes":[{"cis":"a","found":"yes"}]}')
    with pytest.raises(AnswerError):
        parse_check_answer(b'{"codes":[{"cis":"a","mrp":1.5}]}')


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=12,
)
_fields = st.sampled_from(
    [
        "cis",
        "found",
        "valid",
        "verified",
        "realizable",
        "utilised",
        "isBlocked",
        "sold",
        "grayZone",
        "ogvs",
        "expireDate",
        "mrp",
        "smp",
        "errorCode",
        "message",
        "gtin",
        "groupIds",
        "printView",
    ]
)
_code_items = st.dictionaries(_fields, _json, max_size=10)
_envelopes = st.fixed_dictionaries(
    {},
    optional={
        "code": _json,
        "description": _json,
        "codes": st.lists(_code_items, max_size=3) | _json,
        "reqId": _json,
        "reqTimestamp": _json,
        "inst": _json,
        "version": _json,
        "hosts": st.lists(st.dictionaries(st.just("host"), _json), max_size=3) | _json,
        "avgTimeMs": _json,
        "status": _json,
        "lastSync": _json,
        "results": st.lists(_json, max_size=2) | _json,
    },
)
_READERS = [parse_check_answer, parse_lm_v2_answer, parse_cdn_info, parse_health, parse_lm_status]


@settings(max_examples=150, deadline=None)
@given(body=st.one_of(st.binary(max_size=200), _envelopes.map(lambda d: json.dumps(d).encode())))
def test_readers_raise_only_typed_errors(body: bytes) -> None:
    for reader in _READERS:
        try:
            reader(body)
        except PermissiveError:
            pass
    parse_error_body(body)


def test_deep_nesting_is_a_typed_error() -> None:
    with pytest.raises(AnswerError):
        parse_check_answer(b"[" * 100000 + b"]" * 100000)
    with pytest.raises(AnswerError):
        parse_check_answer(b" " * (5 * 1024 * 1024))


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="[]-.:,0123456789 abc\t", max_size=40) | st.text(max_size=40))
def test_xapikey_reader_raises_only_config_errors(text: str) -> None:
    try:
        table = parse_xapikey(text)
    except ConfigError:
        return
    for dept, token in table.by_department.items():
        assert isinstance(dept, int) and token.reveal() and "sha256:" in repr(token)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=40)
    | st.from_regex(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?)?")
)
def test_expiry_reader_never_raises(text: str) -> None:
    result = expiry_instant(text, local_now=datetime(2026, 1, 1, tzinfo=MSK))
    assert result is None or result.tzinfo is not None


@pytest.mark.parametrize(
    "module",
    [
        "ffd12.permissive",
        "ffd12.permissive.answers",
        "ffd12.permissive.decide",
        "ffd12.permissive.history",
        "ffd12.permissive.policy",
        "ffd12.permissive.reasons",
        "ffd12.permissive.tokens",
    ],
)
def test_module_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
