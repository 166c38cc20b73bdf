"""End to end through real HTTP: the checker against the ГИС МТ and Local Module emulators."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest
from permissive_helpers import FN, TOKEN, Env, code, core, policy_all

from ffd12.emulator.crpt import CrptScenario, HostScenario
from ffd12.emulator.lm import LmState
from ffd12.errors import ConfigError, JournalError
from ffd12.marking import parse
from ffd12.permissive.check import CheckItem, CodeDecision, PermissiveChecker
from ffd12.permissive.check import check as check_codes
from ffd12.permissive.offline import LM_ERRORS, LmNotReady, LmSettings, LocalModuleClient
from ffd12.permissive.policy import GroupPolicy, Policy
from ffd12.permissive.pool import CHECK_PATH
from ffd12.permissive.reasons import REASONS
from ffd12.permissive.tokens import TokenRejected, parse_xapikey
from ffd12.tlv.industry import to_tlv

MakeEnv = Callable[..., Env]

# unit price (kopecks) that trips the price presets of the emulator
PRICES = {"above_mrp": 15000, "below_min_price": 15000}


def two_hosts(**first: object) -> list[HostScenario]:
    return [HostScenario(name="best", avg_time_ms=5, **first), HostScenario(name="next", avg_time_ms=80)]  # type: ignore[arg-type]


@pytest.mark.parametrize("reason", [r.key for r in REASONS])
def test_every_reason_under_every_policy(make_env: MakeEnv, reason: str) -> None:
    c = code("R" + reason.upper()[:10])
    env = make_env(CrptScenario(codes={core(c): {"preset": reason}}))
    item = CheckItem(code=c, unit_price=PRICES.get(reason))
    for action, answer, expect_sell in [
        ("deny", None, False),
        ("ask", True, True),
        ("ask", False, False),
        ("allow", None, True),
    ]:
        asked: list[CodeDecision] = []

        def ask(d: CodeDecision, answer: bool | None = answer, asked: list[CodeDecision] = asked) -> bool:
            asked.append(d)
            return bool(answer)

        chk = env.checker(policy=policy_all(action), ask=ask)
        d = chk.check([item]).decisions[0]
        assert d.source == "online"
        assert d.reasons[0].key == reason, d.reasons
        assert d.action == action and d.sell is expect_sell
        assert d.message and d.message.startswith(d.reasons[0].message)
        assert (len(asked) == 1) is (action == "ask")
        assert d.requisite is not None and d.requisite.value.startswith("UUID=")
        assert chk.history is not None
        row = chk.history.query()[-1]
        assert row.reasons.split(",")[0] == reason and row.decision == ("sell" if expect_sell else "refuse")
        assert row.req_id and row.value_1265 == d.requisite.value and row.http_status == 200
        chk.close()


def test_good_code_sells_with_industry_requisite(make_env: MakeEnv) -> None:
    env = make_env()
    c = code("GOOD01")
    chk = env.checker()
    d = chk.check([c]).decisions[0]
    assert d.sell and d.action == "allow" and d.reasons == ()
    req = d.requisite
    assert req is not None and (req.foiv, req.doc_date, req.doc_number) == ("030", "21.11.2023", "1944")
    log = [r for r in env.crpt.requests if r.path == CHECK_PATH]
    assert log[-1].codes == (c.canonical,)  # the GS survived JSON escaping as \u001d
    assert log[-1].fiscal_drive_number == FN
    req_id = req.value.split("&")[0].removeprefix("UUID=")
    assert len(req_id) == 36 and req.value.split("&Time=")[1].isdigit()


def test_several_codes_go_in_one_request(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(codes={core(code("B2")): {"preset": "blocked"}}))
    chk = env.checker()
    result = chk.check([code("B1"), code("B2"), code("B3")])
    assert [d.sell for d in result.decisions] == [True, False, True]
    assert "FNS" in result.decisions[1].message
    assert env.crpt.count("cdn01") == 1
    values = {d.requisite.value for d in result.decisions if d.requisite}
    assert len(values) == 1  # one batch, one reqId for every item


@pytest.mark.parametrize(
    ("failure", "best_calls"),
    [
        ({"kill": True}, 0),
        ({"status": 429}, 2),
        ({"status": 500}, 2),
        ({"status": 503}, 2),
        ({"stall": True}, 1),
    ],
)
def test_failover_to_the_next_host_within_the_budget(
    make_env: MakeEnv, failure: dict[str, object], best_calls: int
) -> None:
    kill = failure.pop("kill", False)
    env = make_env(CrptScenario(hosts=two_hosts(**failure)))
    chk = env.checker(budget=0.5, host_timeout=0.2)
    chk.pool.refresh()
    assert chk.pool.candidates()[0] == env.crpt.host_urls["best"]
    if kill:
        env.crpt.kill_host("best")  # healthy when ranked, refuses connections now
    t0 = time.monotonic()
    d = chk.check([code("F1")]).decisions[0]
    elapsed = time.monotonic() - t0
    assert d.sell and d.source == "online" and d.host == env.crpt.host_urls["next"]
    assert elapsed < 0.5
    assert env.crpt.count("best") == best_calls
    banned = {h.url: h.banned_for_s for h in chk.pool.snapshot()}
    assert banned[env.crpt.host_urls["best"]] > 14 * 60
    # the banned host is skipped on the next check
    chk.check([code("F2")])
    assert env.crpt.count("best") == best_calls
    assert chk.history is not None
    first = chk.history.query()[0]
    assert first.host == env.crpt.host_urls["next"]
    assert env.crpt.host_urls["best"] in (first.detail or "")  # the failed attempt is on record


def test_one_429_is_retried_on_the_same_host(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=two_hosts(script=[429])))
    chk = env.checker()
    chk.pool.refresh()
    d = chk.check([code("S1")]).decisions[0]
    assert d.host == env.crpt.host_urls["best"] and env.crpt.count("best") == 2
    assert all(h.banned_for_s == 0 for h in chk.pool.snapshot())


def test_total_failure_rereads_the_cdn_list_and_retries(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=[HostScenario(name="only", script=[500, 500])]))
    chk = env.checker(budget=1.0)
    d = chk.check([code("T1")]).decisions[0]
    assert d.source == "online" and d.sell
    assert env.crpt.count("only") == 3
    assert env.crpt.count("base", "/api/v4/true-api/cdn/info") == 2


def test_sandbox_without_hosts_uses_the_base(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(list_hosts=False))
    chk = env.checker()
    d = chk.check([code("SB1")]).decisions[0]
    assert d.sell and d.host == env.crpt.base_url


@pytest.mark.parametrize("status", [203, 418])
def test_emergency_sells_without_1260(make_env: MakeEnv, status: int) -> None:
    env = make_env(CrptScenario(hosts=[HostScenario(name="h", status=status)]))
    chk = env.checker(policy=policy_all("deny"))
    d = chk.check([code("E1")]).decisions[0]
    assert d.sell and d.source == "emergency" and d.requisite is None
    assert chk.history is not None
    row = chk.history.query()[-1]
    assert row.http_status == status and row.source == "emergency" and row.value_1265 is None


def test_cross_border_service_down_twice_sells_without_check(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=[HostScenario(name="h", status=500, error_message="5000")]))
    chk = env.checker()
    d = chk.check([code("X1")]).decisions[0]
    assert d.sell and d.source == "emergency" and d.requisite is None
    assert env.crpt.count("h") == 2


def test_bad_token_on_cdn_info_is_a_configuration_error(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(token="the-right-one"))
    chk = env.checker()
    with pytest.raises(TokenRejected) as info:
        chk.check([code("K1")])
    assert TOKEN not in str(info.value) and "401" in str(info.value)


def test_401_on_codes_check_raises_and_is_recorded(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=[HostScenario(name="h", status=401)]))
    chk = env.checker()
    with pytest.raises(TokenRejected) as info:
        chk.check([code("K2")])
    assert TOKEN not in str(info.value) and "401" in str(info.value)
    assert chk.history is not None
    row = chk.history.query()[-1]
    assert row.decision == "error" and row.vendor_code == 761 and TOKEN not in (row.detail or "")


def test_token_of_the_items_department_is_used(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(token="dept2-token"))
    base = env.checker().settings
    settings = replace(base, tokens=parse_xapikey("[2.3:dept2-token],[1:dept1-token]"), local_module=None)
    with PermissiveChecker(settings, background_refresh=False) as chk:
        assert chk.check([CheckItem(code=code("D2"), department=2)]).decisions[0].source == "online"
        assert chk.check([CheckItem(code=code("D3"), department=3)]).decisions[0].source == "online"
        with pytest.raises(TokenRejected) as info:
            chk.check([CheckItem(code=code("D1"), department=1)])
        assert "dept1-token" not in str(info.value)
        with pytest.raises(ConfigError, match="токен для проверки не найден"):
            chk.check([CheckItem(code=code("D4"), department=4)])


def test_online_timeout_falls_back_to_the_local_module(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=[HostScenario(name="h", stall=True)]))
    assert env.lm is not None
    env.lm.state.blocked.add(core(code("L2")))
    chk = env.checker(budget=0.5, host_timeout=0.3)
    t0 = time.monotonic()
    res = chk.check([code("L1"), code("L2")])
    elapsed = time.monotonic() - t0
    ok, blocked = res.decisions
    assert ok.source == "offline" and ok.sell
    assert ok.requisite is not None and "&Inst=lm-emu-1&Ver=1.6.0-emu" in ok.requisite.value
    assert not blocked.sell and blocked.reasons[0].key == "blocked"
    assert 0.45 < elapsed < 1.2
    assert env.lm.requests[-1][2] == FN  # X-ClientId = FN number
    assert chk.history is not None
    rows = chk.history.query()
    assert [r.source for r in rows] == ["offline", "offline"] and "timeout" in (rows[0].detail or "")


def test_local_module_v2(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=[HostScenario(name="h", down=True)]))
    assert env.lm is not None
    env.lm.state.sold.add(core(code("V2")))
    chk = env.checker(lm_api=2)
    res = chk.check([code("V1"), code("V2")])
    assert [(d.source, d.sell) for d in res.decisions] == [("offline", True), ("offline", False)]
    assert res.decisions[1].reasons[0].key == "sold"


@pytest.mark.parametrize("ignore", [True, False])
@pytest.mark.parametrize(
    "lm_case", ["initialization", "not_configured", "sync_error_72h", "stale_ready", "absent"]
)
def test_no_online_answer_and_unusable_lm_follow_the_fallback(
    make_env: MakeEnv, ignore: bool, lm_case: str
) -> None:
    state = LmState()
    if lm_case in ("initialization", "not_configured"):
        state.status = lm_case
    env = make_env(
        CrptScenario(hosts=[HostScenario(name="h", down=True)]), lm=False if lm_case == "absent" else state
    )
    if lm_case == "sync_error_72h":
        assert env.lm is not None
        env.lm.set_last_sync_age(73)
        assert env.lm.effective_status() == "sync_error"
    if lm_case == "stale_ready":  # the module still says ready, our 72 h rule refuses it
        assert env.lm is not None
        env.lm.state.auto_sync_error = False
        env.lm.set_last_sync_age(72.5)
    chk = env.checker(policy=Policy(default=GroupPolicy(ignore_connection_errors=ignore)))
    d = chk.check([code("N1")]).decisions[0]
    assert d.source == "none" and d.requisite is None
    assert d.sell is ignore and d.reasons[0].key == "no_answer" and d.reasons[0].vendor_code == 748
    if env.lm is not None:
        assert not any("outCheck" in r[0] for r in env.lm.requests)
    assert chk.history is not None
    row = chk.history.query()[-1]
    assert row.reasons == "no_answer" and row.decision == ("sell" if ignore else "refuse")


def test_local_refusals_need_no_request(make_env: MakeEnv) -> None:
    env = make_env()
    chk = env.checker()
    a, b = code("LOC1"), code("LOC2")
    res = chk.check([a, a], open_receipt=[b.canonical])
    assert [d.sell for d in res.decisions] == [True, False]
    assert res.decisions[1].reasons[0].key == "in_receipt"
    assert chk.check([b], open_receipt=[b.canonical]).decisions[0].reasons[0].key == "in_receipt"
    chk.record_sale([a.canonical])
    before = env.crpt.count("cdn01")
    d = chk.check([a]).decisions[0]
    assert not d.sell and d.reasons[0].key == "sold_here" and env.crpt.count("cdn01") == before
    # the policy cannot allow a local refusal
    chk2 = env.checker(policy=policy_all("allow", mode="warn"))
    assert not chk2.check([a]).decisions[0].sell
    chk.record_return([a.canonical])
    assert chk.check([a]).decisions[0].sell


def test_returns_are_not_checked(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(codes={core(code("RET")): {"preset": "sold"}}))
    chk = env.checker()
    d = chk.check([code("RET")], sale=False).decisions[0]
    assert d.sell and d.source == "return" and env.crpt.count("cdn01") == 0
    assert chk.history is not None and chk.history.query()[-1].source == "return"


def test_capslock_retry_reports_a_scanner_problem(make_env: MakeEnv) -> None:
    real = code("AbCdEf")
    env = make_env(CrptScenario(default="not_found", codes={core(real): {"preset": "ok"}}))
    scanned = real.case_inverted()
    d = env.checker(capslock=True).check([scanned]).decisions[0]
    assert not d.sell and d.reasons[0].key == "case_inverted" and "CapsLock" in d.message
    d = env.checker(capslock=False).check([scanned]).decisions[0]
    assert d.reasons[0].key == "not_found"
    d = env.checker(capslock=True).check([code("ZZZ")]).decisions[0]
    assert d.reasons[0].key == "not_found"


def test_warning_mode_and_ask_confirmation_turn_deny_into_ask(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(codes={core(code("W1")): {"preset": "expired"}}))
    asked: list[str] = []

    def ask(d: CodeDecision) -> bool:
        asked.append(d.message)
        return True

    for gp in (GroupPolicy(mode="warn"), GroupPolicy(ask_confirmation=True)):
        d = env.checker(policy=Policy(default=gp), ask=ask).check([code("W1")]).decisions[0]
        assert d.action == "ask" and d.sell and d.confirmed is True
    assert asked == ["Истёк срок годности товара"] * 2
    # without a callback an ask is a refusal
    d = env.checker(policy=Policy(default=GroupPolicy(mode="warn"))).check([code("W1")]).decisions[0]
    assert not d.sell and d.confirmed is False


def test_policy_per_product_group(make_env: MakeEnv) -> None:
    codes = {
        core(code("G1")): {"preset": "expired", "groupIds": [8]},
        core(code("G2")): {"preset": "expired", "groupIds": [2]},
    }
    env = make_env(CrptScenario(codes=codes))
    pol = Policy(groups={"milk": GroupPolicy(actions={"ignoreCrptStatusExpireDate": "allow"})})
    chk = env.checker(policy=pol)
    assert chk.check([code("G1", "milk")]).decisions[0].sell
    assert not chk.check([code("G2", "shoes")]).decisions[0].sell
    # no group from the code: the answer's groupIds (8 = milk) choose the policy
    assert chk.check([code("G1", None)]).decisions[0].sell
    assert TOKEN not in repr(chk.settings)


def test_unreadable_answer_bans_the_host_and_tries_the_next(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=two_hosts(garbage=True)))
    chk = env.checker()
    chk.pool.refresh()
    d = chk.check([code("GA1")]).decisions[0]
    assert d.sell and d.host == env.crpt.host_urls["next"]
    assert chk.history is not None and "bad_answer" in (chk.history.query()[-1].detail or "")


def test_hosts_are_ranked_by_avg_time_and_unhealthy_ones_dropped(make_env: MakeEnv) -> None:
    hosts = [
        HostScenario(name="slow", avg_time_ms=300),
        HostScenario(name="sick", avg_time_ms=1, health_code=503),
        HostScenario(name="fast", avg_time_ms=10),
        HostScenario(name="mid", avg_time_ms=90),
    ]
    env = make_env(CrptScenario(hosts=hosts))
    chk = env.checker()
    ranked = chk.pool.refresh()
    urls = env.crpt.host_urls
    assert [h.url for h in ranked] == [urls["fast"], urls["mid"], urls["slow"]]
    assert all(h.latency_ms is not None and h.avg_time_ms is not None for h in ranked)
    # every host got its health/check
    assert all(env.crpt.count(n, "/api/v4/true-api/cdn/health/check") == 1 for n in urls)


def test_background_refresh_runs_in_its_window_and_stops_on_close(make_env: MakeEnv) -> None:
    env = make_env()
    chk = env.checker()
    assert all(6 * 3600 <= chk.pool.next_refresh_in() <= 7 * 3600 for _ in range(50))
    fast = replace(chk.settings.pool, refresh_min_s=0.05, refresh_max_s=0.1)
    settings = replace(chk.settings, pool=fast, history_path=None)
    bg = PermissiveChecker(settings, background_refresh=True)
    try:
        deadline = time.monotonic() + 3
        while env.crpt.count("base", "/api/v4/true-api/cdn/info") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert env.crpt.count("base", "/api/v4/true-api/cdn/info") >= 2
        assert bg.pool.loaded
    finally:
        bg.close()
    assert not any(t.name == "ffd12-cdn-refresh" for t in threading.enumerate())


@pytest.mark.parametrize(
    ("status", "error_code"), [("initialization", 4045), ("not_configured", 4045), ("sync_error", 4050)]
)
def test_local_module_errors_are_explained(make_env: MakeEnv, status: str, error_code: int) -> None:
    env = make_env(lm=LmState(status=status))
    assert env.lm is not None
    with httpx.Client() as client:
        lm = LocalModuleClient(LmSettings(url=env.lm.url), client, fiscal_drive_number=FN)
        assert lm.why_unusable(lm.status()) is not None
        with pytest.raises(LmNotReady) as info:
            lm.check(["0104601234567893215Qbag!mP7sX3Yq"])
        assert info.value.error_code == error_code and LM_ERRORS[error_code] in str(info.value)
        bad = LocalModuleClient(LmSettings(url=env.lm.url, password="wrong"), client)
        with pytest.raises(ConfigError, match="401"):
            bad.status()


def test_real_marking_code_and_its_tag_1260(make_env: MakeEnv) -> None:
    scanned = (
        "0104601234567893215Qbag!mP7sX3Yq<GS>91FFD0<GS>92dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXRlc3RrZXk="
    )
    parsed = parse(scanned)
    env = make_env()
    d = env.checker().check([parsed]).decisions[0]
    assert d.sell and env.crpt.requests[-1].codes == (parsed.canonical,)
    assert d.requisite is not None
    tlv = to_tlv(d.requisite)
    assert tlv.tag == 1260
    assert [(c.tag, c.value) for c in tlv.value] == [
        (1262, "030"),
        (1263, "21.11.2023"),
        (1264, "1944"),
        (1265, d.requisite.value),
    ]
    assert parsed.canonical not in repr(d.masked)


def test_a_history_that_cannot_be_written_stops_the_sale(make_env: MakeEnv) -> None:
    env = make_env()
    chk = env.checker()
    assert chk.history is not None
    locker = sqlite3.connect(chk.history.path, isolation_level=None)
    try:
        chk.history._db.execute("PRAGMA busy_timeout = 100")
        locker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(JournalError, match="locked"):
            chk.check([code("J1")])
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_logs_carry_neither_token_nor_full_code(make_env: MakeEnv, caplog: pytest.LogCaptureFixture) -> None:
    env = make_env(CrptScenario(hosts=two_hosts(status=500)))
    chk = env.checker()
    c = code("LOG1")
    with caplog.at_level(logging.DEBUG, logger="ffd12"):
        chk.check([c])
    assert caplog.records
    assert TOKEN not in caplog.text
    assert c.serial not in " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)


def test_one_checker_serves_several_threads(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(hosts=[HostScenario(name="a"), HostScenario(name="b", avg_time_ms=90)]))
    chk = env.checker(budget=2.0, host_timeout=1.0)
    chk.pool.refresh()
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                assert chk.check([code(f"T{n}x{i}")]).decisions[0].sell
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert chk.history is not None and len(chk.history.query()) == 20


def test_one_shot_check_function(make_env: MakeEnv) -> None:
    env = make_env(CrptScenario(codes={core(code("OS2")): {"preset": "blocked"}}))
    settings = replace(env.checker().settings, history_path=None)
    result = check_codes([code("OS1"), code("OS2")], settings)
    assert [d.sell for d in result.decisions] == [True, False] and not result.sell_all
