"""The permissive-mode check of a receipt's marking codes: online, else Local Module, then policy.

Spec crpt-permissive §7.4 (till algorithm), in order:

1. returns are not checked; a code already in the open receipt, twice in this check, or sold
   earlier at this till is refused locally before any request;
2. one codes/check per participant token over the ranked CDN pool within the budget (1.5 s by
   default); 203/418 ⇒ emergency: sell without tag 1260;
3. no online answer in time ⇒ the Local Module, if ``ready`` and synced within 72 h;
4. neither ⇒ ``ignoreMarkVerifyCrptConnectionErrors`` decides;
5. the reasons go through the product group's policy (deny / ask the cashier / allow);
6. every decision is written to the history before :meth:`PermissiveChecker.check` returns.

A sold code carries its industry requisite 1260: 1262 "030", 1263 "21.11.2023", 1264 "1944",
1265 "UUID=<reqId>&Time=<reqTimestamp>" (plus "&Inst=<inst>&Ver=<version>" from the Local Module).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import httpx

from ffd12.errors import PermissiveError
from ffd12.model import IndustryRequisite
from ffd12.permissive.answers import CheckAnswer, CodeStatus
from ffd12.permissive.decide import GROUP_NAMES, offline_reasons_for, reasons_for
from ffd12.permissive.history import History, HistoryRow
from ffd12.permissive.model import (
    DOC_DATE,
    DOC_NUMBER,
    FOIV,
    AskCallback,
    CheckItem,
    CheckResult,
    CodeDecision,
    CodeLike,
    PermissiveSettings,
)
from ffd12.permissive.offline import LmNotReady, LocalModuleClient
from ffd12.permissive.online import ANSWER, NO_ANSWER, OnlineClient, OnlineOutcome
from ffd12.permissive.policy import ALLOW, ASK, DENY
from ffd12.permissive.pool import CdnPool
from ffd12.permissive.reasons import LOCAL_REASONS, Reason
from ffd12.permissive.tokens import Token, TokenRejected

__all__ = [
    "DOC_DATE",
    "DOC_NUMBER",
    "FOIV",
    "CheckItem",
    "CheckResult",
    "CodeDecision",
    "PermissiveChecker",
    "PermissiveSettings",
    "check",
]

log = logging.getLogger("ffd12.permissive.check")


@dataclass(slots=True)
class _Pending:
    index: int
    item: CheckItem
    token: Token | None = None
    decision: CodeDecision | None = None
    net: HistoryRow | None = None  # the network side of the history row


class PermissiveChecker:
    """The till's permissive-mode service. Close it (or use ``with``) to stop its threads."""

    def __init__(
        self,
        settings: PermissiveSettings,
        *,
        ask: AskCallback | None = None,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        local_now: Callable[[], datetime] | None = None,
        background_refresh: bool = True,
    ) -> None:
        self.settings = settings
        self._ask = ask
        self._own_client = client is None
        self._client = client or httpx.Client(trust_env=False)
        self._clock = clock
        self._wall_clock = wall_clock
        self._local_now = local_now or (lambda: datetime.fromtimestamp(self._wall_clock()).astimezone())
        self.pool = CdnPool(settings.pool, self._client, settings.tokens.any_token(), clock=clock)
        self.online = OnlineClient(self.pool, self._client, host_timeout=settings.host_timeout_s, clock=clock)
        lm = settings.local_module
        self.offline = (
            LocalModuleClient(
                lm, self._client, fiscal_drive_number=settings.fiscal_drive_number, wall_clock=wall_clock
            )
            if lm is not None and lm.enabled
            else None
        )
        self.history = (
            History(settings.history_path, retention_days=settings.retention_days, wall_clock=wall_clock)
            if settings.history_path is not None
            else None
        )
        if background_refresh:
            self.pool.start()

    def __enter__(self) -> PermissiveChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.pool.close()
        if self.history is not None:
            self.history.close()
        if self._own_client:
            self._client.close()

    # -- the check -------------------------------------------------------------------------------

    def check(
        self,
        items: Sequence[CheckItem | CodeLike],
        *,
        sale: bool = True,
        open_receipt: Collection[str] = (),
        fiscal_drive_number: str | None = None,
    ) -> CheckResult:
        """Check the codes of one receipt (or of one item being added); see the module docstring."""
        pending = [
            _Pending(i, it if isinstance(it, CheckItem) else CheckItem(code=it)) for i, it in enumerate(items)
        ]
        if not sale:
            for p in pending:
                p.decision = self._decision(p.item, source="return", reasons=(), action=ALLOW, requisite=None)
        else:
            self._refuse_locally(pending, open_receipt)
            policy = self.settings.policy
            for p in pending:
                if p.decision is None and not policy.for_group([p.item.code.group]).check_online:
                    # enableMarkVerifyCrpt = false for this group: sold without a check, no 1260
                    p.decision = self._decision(
                        p.item, source="disabled", reasons=(), action=ALLOW, requisite=None
                    )
            todo = [p for p in pending if p.decision is None]
            for p in todo:
                p.token = self.settings.tokens.for_item(department=p.item.department, inn=p.item.inn)
            deadline = self._clock() + self.settings.budget_s
            fn = fiscal_drive_number or self.settings.fiscal_drive_number
            by_token: dict[Token, list[_Pending]] = {}
            for p in todo:
                assert p.token is not None
                by_token.setdefault(p.token, []).append(p)
            offline: list[_Pending] = []
            for token, batch in by_token.items():
                try:
                    outcome = self.online.check(
                        [p.item.code.canonical for p in batch],
                        token,
                        deadline=deadline,
                        fiscal_drive_number=fn,
                    )
                except TokenRejected as exc:
                    self._write([_error_row(p.item, "bad token (HTTP 401)", exc) for p in batch])
                    raise
                offline += self._apply_online(batch, outcome, token, deadline, fn)
            if offline:
                self._check_offline(offline)
        decisions = [self._apply_policy(p) for p in pending]
        if self.history is not None:
            self.history.record([_row(d, p.net) for d, p in zip(decisions, pending, strict=True)])
        if log.isEnabledFor(logging.INFO):
            for d in decisions:
                reasons = ", ".join(r.key for r in d.reasons) or "ok"
                log.info(
                    "permissive %s: %s via %s (%s)",
                    d.masked,
                    "sell" if d.sell else "refuse",
                    d.source,
                    reasons,
                )
        return CheckResult(decisions=tuple(decisions))

    def record_sale(self, codes: Sequence[str]) -> None:
        """Remember fiscalized codes so a second sale of one code is refused at this till.

        Needs a history file (``history_path``); without one nothing is remembered.
        """
        if self.history is not None:
            self.history.record_sale(codes)

    def record_return(self, codes: Sequence[str]) -> None:
        """Forget returned codes: they may be sold again at this till."""
        if self.history is not None:
            self.history.record_return(codes)

    # -- steps -----------------------------------------------------------------------------------

    def _refuse_locally(self, pending: list[_Pending], open_receipt: Collection[str]) -> None:
        seen = set(open_receipt)
        for p in pending:
            canonical = p.item.code.canonical
            key = None
            if canonical in seen:
                key = "in_receipt"
            elif self.history is not None and self.history.was_sold(canonical):
                key = "sold_here"
            seen.add(canonical)
            if key is not None:
                p.decision = self._decision(
                    p.item, source="local", reasons=(LOCAL_REASONS[key],), action=DENY, requisite=None
                )

    def _requisite(self, answer: CheckAnswer, *, offline: bool) -> IndustryRequisite | None:
        if not answer.req_id or answer.req_timestamp is None:
            return None
        value = f"UUID={answer.req_id}&Time={answer.req_timestamp}"
        if offline:
            value += f"&Inst={answer.inst or ''}&Ver={answer.version or ''}"
        s = self.settings
        return IndustryRequisite(foiv=s.foiv, doc_date=s.doc_date, doc_number=s.doc_number, value=value)

    def _apply_online(
        self,
        batch: list[_Pending],
        outcome: OnlineOutcome,
        token: Token,
        deadline: float,
        fn: str | None,
    ) -> list[_Pending]:
        keep = self.history is not None  # history rows are built only when they are stored
        if outcome.kind == NO_ANSWER:
            for p in batch:
                p.net = _net_row(p.item, outcome, "online") if keep else None
            return batch
        if outcome.kind != ANSWER or outcome.answer is None:  # emergency / cross-border service down
            for p in batch:
                p.decision = self._decision(
                    p.item, source="emergency", reasons=(), action=ALLOW, requisite=None, host=outcome.host
                )
                p.net = _net_row(p.item, outcome, "emergency") if keep else None
            return []
        answer = outcome.answer
        for p in batch:
            p.net = _net_row(p.item, outcome, "online", answer) if keep else None
        if answer.code != 0:
            log.warning(
                "codes/check answered code %d (%s): trying the Local Module",
                answer.code,
                answer.description[:80],
            )
            return batch
        statuses = _match(answer, [p.item.code.canonical for p in batch])
        requisite = self._requisite(answer, offline=False)
        now = self._local_now()
        left: list[_Pending] = []
        for p, status in zip(batch, statuses, strict=True):
            if status is None:
                left.append(p)
                continue
            reasons = reasons_for(status, now=now, unit_price=p.item.unit_price)
            if self.settings.capslock_retry and reasons and reasons[0].key == "not_found":
                reasons = self._capslock(p.item, token, deadline, fn) or reasons
            p.decision = self._decision(
                p.item,
                source="online",
                reasons=reasons,
                action=ALLOW,
                requisite=requisite,
                status=status,
                host=outcome.host,
            )
        return left

    def _capslock(self, item: CheckItem, token: Token, deadline: float, fn: str | None) -> tuple[Reason, ...]:
        try:
            inverted = item.code.case_inverted()
        except PermissiveError:
            return ()
        except ValueError:
            return ()
        outcome = self.online.check([inverted.canonical], token, deadline=deadline, fiscal_drive_number=fn)
        if outcome.kind == ANSWER and outcome.answer is not None and outcome.answer.codes:
            if outcome.answer.codes[0].found:
                return (LOCAL_REASONS["case_inverted"],)
        return ()

    def _check_offline(self, batch: list[_Pending]) -> None:
        why: str | None = "локальный модуль не настроен"
        answer: CheckAnswer | None = None
        started = time.perf_counter()
        if self.offline is not None:
            try:
                lm_status = self.offline.status()
                why = self.offline.why_unusable(lm_status)
                if why is None:
                    cis = [_lm_cis(p.item.code, self.offline.settings.send_full_code) for p in batch]
                    answer = self.offline.check(cis)
            except LmNotReady as exc:
                why = str(exc)
            except PermissiveError as exc:  # an unreadable answer
                why = f"ответ локального модуля не прочитан: {exc}"
        duration = (time.perf_counter() - started) * 1000.0
        if answer is None:
            for p in batch:
                p.decision = self._decision(
                    p.item,
                    source="none",
                    reasons=(LOCAL_REASONS["no_answer"],),
                    action=ALLOW,
                    requisite=None,
                    detail=why,
                )
            return
        requisite = self._requisite(answer, offline=True)
        assert self.offline is not None
        cis = [_lm_cis(p.item.code, self.offline.settings.send_full_code) for p in batch]
        for p, status in zip(batch, _match(answer, cis), strict=True):
            if status is None:
                p.decision = self._decision(
                    p.item,
                    source="none",
                    reasons=(LOCAL_REASONS["no_answer"],),
                    action=ALLOW,
                    requisite=None,
                    detail="код не найден в ответе ЛМ",
                )
                continue
            p.decision = self._decision(
                p.item,
                source="offline",
                reasons=offline_reasons_for(status),
                action=ALLOW,
                requisite=requisite,
                status=status,
                host=self.offline.settings.url,
            )
            online_detail = p.net.detail if p.net is not None else None
            p.net = HistoryRow(
                code=p.item.code.canonical,
                source="offline",
                decision="",
                host=self.offline.settings.url,
                duration_ms=duration,
                http_status=200,
                req_id=answer.req_id,
                req_timestamp=answer.req_timestamp,
                detail=f"online: {online_detail}" if online_detail else None,
            )

    def _apply_policy(self, p: _Pending) -> CodeDecision:
        d = p.decision
        assert d is not None
        if d.source in ("return", "emergency", "disabled") or (d.source == "local" and d.action == DENY):
            return d
        names: list[str | None] = [d.group]
        if d.status is not None and d.status.group_ids:
            names.append(GROUP_NAMES.get(d.status.group_ids[0]))
        policy = self.settings.policy.for_group(names)
        action = policy.action_for(d.reasons)
        confirmed: bool | None = None
        if action == ASK:
            preliminary = replace(d, action=ASK, sell=False)
            confirmed = bool(self._ask(preliminary)) if self._ask is not None else False
            sell = confirmed
        else:
            sell = action == ALLOW
        return replace(d, action=action, sell=sell, confirmed=confirmed)

    def _decision(
        self,
        item: CheckItem,
        *,
        source: str,
        reasons: tuple[Reason, ...],
        action: str,
        requisite: IndustryRequisite | None,
        status: CodeStatus | None = None,
        host: str | None = None,
        detail: str | None = None,
    ) -> CodeDecision:
        message = "; ".join(_message(r, status) for r in reasons)
        if detail:
            message = f"{message} ({detail})" if message else detail
        return CodeDecision(
            code=item.code.canonical,
            masked=item.code.masked,
            group=item.code.group,
            sell=action == ALLOW,
            action=action,
            source=source,
            reasons=reasons,
            message=message,
            requisite=requisite,
            status=status,
            host=host,
        )

    def _write(self, rows: list[HistoryRow]) -> None:
        if self.history is not None and rows:
            self.history.record(rows)


# -- helpers ------------------------------------------------------------------------------------


def _message(reason: Reason, status: CodeStatus | None) -> str:
    if status is None:
        return reason.message
    if reason.key == "blocked" and status.ogvs:
        return f"{reason.message} ({', '.join(status.ogvs)})"
    if reason.key == "error_code" and status.message:
        return f"{reason.message}: {status.message[:200]}"
    if reason.key in ("above_mrp", "below_min_price") and status.mrp:
        return f"{reason.message}: {status.mrp // 100},{status.mrp % 100:02d} руб."
    return reason.message


def _norm(cis: str) -> str:
    return cis.replace("\\u001d", "\x1d").replace("\\u001D", "\x1d")


def _match(answer: CheckAnswer, asked: Sequence[str]) -> list[CodeStatus | None]:
    """Pair each asked code with its answer item: by ``cis``, else by position when counts agree."""
    by_cis = {_norm(c.cis): c for c in answer.codes}
    matched = [by_cis.get(_norm(a)) for a in asked]
    if any(m is None for m in matched) and len(answer.codes) == len(asked):
        return [m if m is not None else answer.codes[i] for i, m in enumerate(matched)]
    return matched


def _lm_cis(code: CodeLike, full: bool) -> str:
    return code.canonical if full else f"01{code.gtin}21{code.serial}"


def _net_row(
    item: CheckItem, outcome: OnlineOutcome, source: str, answer: CheckAnswer | None = None
) -> HistoryRow:
    detail = ", ".join(f"{a.host} {a.outcome} {a.duration_ms:.0f}ms" for a in outcome.attempts)
    return HistoryRow(
        code=item.code.canonical,
        source=source,
        decision="",
        host=outcome.host,
        duration_ms=outcome.duration_ms,
        http_status=outcome.http_status,
        req_id=answer.req_id if answer else None,
        req_timestamp=answer.req_timestamp if answer else None,
        detail=detail[:1000],
    )


def _error_row(item: CheckItem, what: str, exc: TokenRejected) -> HistoryRow:
    detail = ", ".join(f"{a.host} {a.outcome} {a.duration_ms:.0f}ms" for a in exc.attempts)
    return HistoryRow(
        code=item.code.canonical,
        masked=item.code.masked,
        source="online",
        decision="error",
        reasons="bad_token",
        vendor_code=761,
        http_status=401,
        detail=f"{what}: {detail}"[:1000],
    )


def _row(d: CodeDecision, net: HistoryRow | None) -> HistoryRow:
    base = net or HistoryRow(code=d.code, source=d.source, decision="")
    detail = base.detail
    if d.confirmed is not None:
        detail = f"{detail or ''} cashier {'confirmed' if d.confirmed else 'declined'}".strip()
    return replace(
        base,
        masked=d.masked,
        product_group=d.group,
        source=d.source,
        decision="sell" if d.sell else "refuse",
        reasons=",".join(r.key for r in d.reasons),
        vendor_code=d.vendor_code,
        value_1265=d.requisite.value if d.requisite else None,
        detail=(f"{detail}; {d.message}" if detail and d.message else detail or d.message or None),
    )


def check(
    items: Sequence[CheckItem | CodeLike],
    settings: PermissiveSettings,
    *,
    ask: AskCallback | None = None,
    sale: bool = True,
    open_receipt: Collection[str] = (),
    fiscal_drive_number: str | None = None,
) -> CheckResult:
    """One check with a short-lived :class:`PermissiveChecker` (scripts, the CLI, tests).

    A till keeps one checker open instead, so the CDN ranking and the connections are reused.
    """
    with PermissiveChecker(settings, ask=ask, background_refresh=False) as checker:
        return checker.check(
            items, sale=sale, open_receipt=open_receipt, fiscal_drive_number=fiscal_drive_number
        )
