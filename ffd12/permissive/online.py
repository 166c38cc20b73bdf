"""The ГИС МТ codes/check client with failover across the CDN pool inside one time budget.

Spec crpt-permissive §3.3–§4: POST ``{host}/api/v4/true-api/codes/check`` with ``X-API-KEY`` and
``{"codes": [...], "fiscalDriveNumber": "..."}`` (GS escaped as ``\\u001d`` by the JSON encoder).

What each answer does (B-till):

====================  =====================================================================
200                   the answer (read by :func:`~ffd12.permissive.answers.parse_check_answer`)
401                   :class:`TokenRejected` — a configuration error; the token is never shown
203, 418              ГИС МТ emergency: sale allowed without a check, no tag 1260
429, 5xx, other       retry the same host once; on the second failure ban it and go on
5xx "5000" twice      the cross-border check service is down: sale allowed without a check
timeout, refused      ban the host, go on to the next one
====================  =====================================================================

Each attempt gets at most ``host_timeout`` seconds and never more than what is left of the budget,
so a stalled best host still leaves time for the next one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from ffd12.errors import PermissiveError
from ffd12.permissive.answers import AnswerError, CheckAnswer, parse_check_answer, parse_error_body
from ffd12.permissive.pool import CHECK_PATH, CdnPool
from ffd12.permissive.tokens import Token, TokenRejected

__all__ = ["Attempt", "OnlineClient", "OnlineOutcome", "TokenRejected"]

log = logging.getLogger("ffd12.permissive.online")

EMERGENCY_STATUSES: Final = frozenset({203, 418})
CROSS_BORDER_DOWN: Final = "5000"  # error_message of a 5xx: «сервис трансграничной проверки недоступен»
MIN_ATTEMPT_S: Final = 0.02  # do not start an attempt with less time than this left

ANSWER: Final = "answer"
EMERGENCY: Final = "emergency"
CROSS_BORDER: Final = "cross_border_down"
NO_ANSWER: Final = "no_answer"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One HTTP exchange with one host: what happened and how long it took."""

    host: str
    outcome: str  # ok, emergency, 401, 429, 5xx, http_<n>, timeout, connect, bad_answer
    http_status: int | None
    duration_ms: float
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OnlineOutcome:
    """The result of one online check: an answer, an emergency, or nothing within the budget."""

    kind: str  # answer, emergency, cross_border_down, no_answer
    answer: CheckAnswer | None
    host: str | None
    http_status: int | None
    attempts: tuple[Attempt, ...]
    duration_ms: float


class OnlineClient:
    """codes/check over the pool. One instance per till; thread-safe as far as httpx is."""

    def __init__(
        self,
        pool: CdnPool,
        client: httpx.Client,
        *,
        host_timeout: float = 0.7,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self._client = client
        self.host_timeout = host_timeout
        self._clock = clock

    def check(
        self,
        codes: Sequence[str],
        token: Token,
        *,
        deadline: float,
        fiscal_drive_number: str | None = None,
    ) -> OnlineOutcome:
        """Check ``codes`` (canonical, GS as ``\\x1d``) before ``deadline`` (a ``clock()`` value)."""
        started = self._clock()
        payload: dict[str, object] = {"codes": list(codes)}
        if fiscal_drive_number:
            payload["fiscalDriveNumber"] = fiscal_drive_number
        body = json.dumps(payload, ensure_ascii=True).encode("ascii")
        headers = {
            "X-API-KEY": token.reveal(),
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json",
        }
        attempts: list[Attempt] = []
        cross_border_strikes = 0

        def outcome(
            kind: str, answer: CheckAnswer | None, host: str | None, status: int | None
        ) -> OnlineOutcome:
            return OnlineOutcome(
                kind=kind,
                answer=answer,
                host=host,
                http_status=status,
                attempts=tuple(attempts),
                duration_ms=(self._clock() - started) * 1000.0,
            )

        if not self.pool.loaded:
            try:
                self.pool.refresh(timeout=max(MIN_ATTEMPT_S, deadline - self._clock()))
            except PermissiveError as exc:  # NoHostError or AnswerError: no list, no online answer
                log.warning("no CDN list: %s", exc)
                return outcome(NO_ANSWER, None, None, None)

        for round_no in range(2):
            for host in self.pool.candidates():
                for retry in range(2):
                    left = deadline - self._clock()
                    if left < MIN_ATTEMPT_S:
                        return outcome(NO_ANSWER, None, None, None)
                    att, content = self._attempt(host, body, headers, min(self.host_timeout, left))
                    attempts.append(att)
                    if att.outcome == "ok":
                        try:
                            answer = parse_check_answer(content)
                        except AnswerError as exc:
                            attempts[-1] = Attempt(
                                host=host,
                                outcome="bad_answer",
                                http_status=200,
                                duration_ms=att.duration_ms,
                                detail=str(exc)[:200],
                            )
                            self.pool.ban(host)
                            break
                        return outcome(ANSWER, answer, host, 200)
                    if att.outcome == "401":
                        raise TokenRejected(
                            f"ГИС МТ refused the X-API-KEY token ({token.fingerprint}) "
                            f"with HTTP 401 at {host}: "
                            "the token of this participant is wrong or expired",
                            attempts=attempts,
                        )
                    if att.outcome == "emergency":
                        return outcome(EMERGENCY, None, host, att.http_status)
                    if att.outcome == "5xx" and att.detail == CROSS_BORDER_DOWN:
                        cross_border_strikes += 1
                        if cross_border_strikes >= 2:
                            return outcome(CROSS_BORDER, None, host, att.http_status)
                    if att.outcome in ("timeout", "connect"):
                        self.pool.ban(host)
                        break
                    if retry == 1:
                        self.pool.ban(host)
            if round_no == 0:
                left = deadline - self._clock()
                if left < MIN_ATTEMPT_S or not self.pool.refresh_after_total_failure(timeout=left):
                    break
        return outcome(NO_ANSWER, None, None, None)

    def _attempt(
        self, host: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> tuple[Attempt, bytes]:
        t0 = time.perf_counter()
        try:
            resp = self._client.post(host + CHECK_PATH, content=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return Attempt(host=host, outcome="timeout", http_status=None, duration_ms=_ms(t0)), b""
        except httpx.HTTPError as exc:
            return Attempt(
                host=host,
                outcome="connect",
                http_status=None,
                duration_ms=_ms(t0),
                detail=exc.__class__.__name__,
            ), b""
        status = resp.status_code
        log.debug("codes/check %s → HTTP %d in %.1f ms", host, status, _ms(t0))
        return self._classify(host, status, resp.content, _ms(t0)), resp.content

    @staticmethod
    def _classify(host: str, status: int, content: bytes, duration_ms: float) -> Attempt:
        if status == 200:
            return Attempt(host=host, outcome="ok", http_status=200, duration_ms=duration_ms)
        if status == 401:
            return Attempt(host=host, outcome="401", http_status=401, duration_ms=duration_ms)
        if status in EMERGENCY_STATUSES:
            return Attempt(host=host, outcome="emergency", http_status=status, duration_ms=duration_ms)
        _, message = parse_error_body(content)
        if status == 429:
            return Attempt(host=host, outcome="429", http_status=429, duration_ms=duration_ms)
        kind = "5xx" if 500 <= status <= 599 else f"http_{status}"
        return Attempt(
            host=host, outcome=kind, http_status=status, duration_ms=duration_ms, detail=message or ""
        )


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0
