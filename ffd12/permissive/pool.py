"""The ranked pool of ГИС МТ CDN hosts: cdn/info, parallel health/check, bans, background refresh.

Spec crpt-permissive §3: the host list comes from ``{base}/api/v4/true-api/cdn/info``; each host's
``/api/v4/true-api/cdn/health/check`` gives ``avgTimeMs``; hosts with ``code == 0`` are ranked by
``avgTimeMs`` and then by the measured round trip of the health call. The list is refreshed in the
background after 6–7 h (a random moment in that window, as the ЦРПТ recommendations ask), and once
more when every host has failed (at most once per ``ALL_FAILED_REFRESH_S``). A host that answered 429
twice or 5xx twice, or timed out, is banned for 15 minutes (B-till).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import httpx

from ffd12.errors import ConfigError, PermissiveError
from ffd12.permissive.answers import AnswerError, parse_cdn_info, parse_health
from ffd12.permissive.tokens import Token, TokenRejected

__all__ = [
    "CDN_INFO_PATH",
    "CHECK_PATH",
    "HEALTH_PATH",
    "PRODUCTION_BASE",
    "SANDBOX_BASE",
    "CdnPool",
    "HostInfo",
    "NoHostError",
    "PoolSettings",
]

log = logging.getLogger("ffd12.permissive.pool")

PRODUCTION_BASE: Final = "https://cdn.crpt.ru"
SANDBOX_BASE: Final = "https://markirovka.sandbox.crptech.ru"
CDN_INFO_PATH: Final = "/api/v4/true-api/cdn/info"
HEALTH_PATH: Final = "/api/v4/true-api/cdn/health/check"
CHECK_PATH: Final = "/api/v4/true-api/codes/check"
ALL_FAILED_REFRESH_S: Final = 60.0  # re-read cdn/info after a total failure at most this often
MAX_HOSTS: Final = 64  # a cdn/info answer with more hosts is cut to this many


class NoHostError(PermissiveError):
    """No CDN host is available (vendor codes 747/764)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolSettings:
    """Where the host list comes from and how hosts are probed, ranked and banned."""

    base_url: str = PRODUCTION_BASE
    info_timeout: float = 10.0  # getInfoTimeout
    health_timeout: float = 5.0  # healthCheckTimeout
    refresh_min_s: float = 6 * 3600.0
    refresh_max_s: float = 7 * 3600.0
    ban_s: float = 15 * 60.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"could not use base_url: expected http(s)://host, got {self.base_url!r}")
        if not 0 < self.refresh_min_s <= self.refresh_max_s:
            raise ConfigError("could not use the CDN refresh window: expected 0 < min ≤ max")
        if self.info_timeout <= 0 or self.health_timeout <= 0 or self.ban_s < 0:
            raise ConfigError("could not use the CDN timeouts: expected positive seconds")


@dataclass(frozen=True, slots=True, kw_only=True)
class HostInfo:
    """One host as ranked: its base URL, ``avgTimeMs``, the measured health round trip, ban state."""

    url: str
    healthy: bool
    avg_time_ms: int | None
    latency_ms: float | None
    banned_for_s: float


def normalise_host(value: str) -> str:
    """A cdn/info host value as a base URL: bare names get ``https://``; no trailing slash."""
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        value = "https://" + value
    parts = urlsplit(value)
    if not parts.hostname:
        raise AnswerError(f"could not read cdn/info: host {value[:100]!r} has no host name")
    return value


class CdnPool:
    """Thread-safe ranked host list. ``close()`` stops the background refresh thread."""

    def __init__(
        self,
        settings: PoolSettings,
        client: httpx.Client,
        token: Token,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._client = client
        self._token = token
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._ranked: list[HostInfo] = []
        self._banned: dict[str, float] = {}
        self._loaded_at: float | None = None
        self._last_forced: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- loading ---------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"X-API-KEY": self._token.reveal(), "Accept": "application/json"}

    def _health(self, url: str, timeout: float) -> HostInfo:
        started = time.perf_counter()
        try:
            resp = self._client.get(url + HEALTH_PATH, headers=self._headers(), timeout=timeout)
            latency = (time.perf_counter() - started) * 1000.0
            if resp.status_code != 200:
                log.info("health/check of %s: HTTP %d", url, resp.status_code)
                return HostInfo(url=url, healthy=False, avg_time_ms=None, latency_ms=latency, banned_for_s=0)
            code, avg = parse_health(resp.content)
        except (httpx.HTTPError, AnswerError) as exc:
            log.info("health/check of %s failed: %s", url, exc.__class__.__name__)
            return HostInfo(url=url, healthy=False, avg_time_ms=None, latency_ms=None, banned_for_s=0)
        return HostInfo(url=url, healthy=code == 0, avg_time_ms=avg, latency_ms=latency, banned_for_s=0)

    def refresh(self, *, timeout: float | None = None) -> tuple[HostInfo, ...]:
        """Read cdn/info, probe every host in parallel, rank them. Raises :class:`NoHostError`."""
        s = self.settings
        started = time.monotonic()
        info_timeout = min(s.info_timeout, timeout) if timeout else s.info_timeout
        try:
            resp = self._client.get(s.base_url + CDN_INFO_PATH, headers=self._headers(), timeout=info_timeout)
        except httpx.HTTPError as exc:
            raise NoHostError(
                f"could not get the CDN list from {s.base_url}: {exc.__class__.__name__}"
            ) from None
        if resp.status_code == 401:
            raise TokenRejected(
                f"ГИС МТ refused the X-API-KEY token ({self._token.fingerprint}) with HTTP 401 "
                f"at {s.base_url} (cdn/info): the token is wrong or expired"
            )
        if resp.status_code != 200:
            raise NoHostError(f"could not get the CDN list from {s.base_url}: HTTP {resp.status_code}")
        hosts = [normalise_host(h) for h in parse_cdn_info(resp.content)][:MAX_HOSTS]
        if not hosts:
            hosts = [s.base_url.rstrip("/")]  # sandbox: cdn/info may list nothing; use the base itself
        hosts = list(dict.fromkeys(hosts))
        health_timeout = s.health_timeout
        if timeout:  # cdn/info and health/check together stay within ``timeout``
            health_timeout = max(0.01, min(health_timeout, timeout - (time.monotonic() - started)))
        with ThreadPoolExecutor(max_workers=min(8, len(hosts)), thread_name_prefix="ffd12-health") as ex:
            infos = list(ex.map(lambda h: self._health(h, health_timeout), hosts))
        healthy = [i for i in infos if i.healthy]
        ranked = sorted(
            healthy or infos,
            key=lambda i: (
                i.avg_time_ms if i.avg_time_ms is not None else 10**9,
                i.latency_ms if i.latency_ms is not None else 10**9,
            ),
        )
        with self._lock:
            self._ranked = ranked
            self._loaded_at = self._clock()
        log.info(
            "CDN pool ranked %d of %d hosts: %s", len(ranked), len(infos), ", ".join(i.url for i in ranked)
        )
        return self.snapshot()

    # -- choosing --------------------------------------------------------------------------------

    def snapshot(self) -> tuple[HostInfo, ...]:
        """The ranked hosts with their remaining ban time."""
        now = self._clock()
        with self._lock:
            return tuple(
                HostInfo(
                    url=i.url,
                    healthy=i.healthy,
                    avg_time_ms=i.avg_time_ms,
                    latency_ms=i.latency_ms,
                    banned_for_s=max(0.0, self._banned.get(i.url, now) - now),
                )
                for i in self._ranked
            )

    @property
    def loaded(self) -> bool:
        return self._loaded_at is not None

    def candidates(self) -> list[str]:
        """Hosts that are not banned, best first."""
        now = self._clock()
        with self._lock:
            return [i.url for i in self._ranked if self._banned.get(i.url, 0.0) <= now]

    def ban(self, url: str) -> None:
        """Take a host out for ``ban_s`` seconds."""
        with self._lock:
            self._banned[url] = self._clock() + self.settings.ban_s
        log.warning("CDN host %s banned for %.0f s", url, self.settings.ban_s)

    def refresh_after_total_failure(self, *, timeout: float) -> bool:
        """Re-read cdn/info once after every host failed (rate-limited); lifts the bans on success."""
        now = self._clock()
        with self._lock:
            if self._last_forced is not None and now - self._last_forced < ALL_FAILED_REFRESH_S:
                return False
            self._last_forced = now
        try:
            self.refresh(timeout=timeout)
        except PermissiveError as exc:
            log.warning("CDN list re-read after a total failure did not work: %s", exc)
            return False
        with self._lock:
            self._banned.clear()
        return True

    # -- background refresh ----------------------------------------------------------------------

    def next_refresh_in(self) -> float:
        """Seconds until the next background refresh: a random point of the 6–7 h window."""
        return self._rng.uniform(self.settings.refresh_min_s, self.settings.refresh_max_s)

    def start(self) -> None:
        """Start the background refresh thread (idempotent)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="ffd12-cdn-refresh", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if not self.loaded:  # at start, as a till does when it opens: rank the hosts before the first sale
            try:
                self.refresh()
            except (PermissiveError, ConfigError) as exc:
                log.warning("CDN list not loaded at start (the first check will retry): %s", exc)
        while not self._stop.wait(self.next_refresh_in()):
            try:
                self.refresh()
            except (PermissiveError, ConfigError) as exc:
                log.warning("background CDN refresh failed, keeping the old list: %s", exc)

    def close(self) -> None:
        """Stop the background thread and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
