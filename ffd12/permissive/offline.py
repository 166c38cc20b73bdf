"""The Local Module (ЛМ ЧЗ) client: the offline check when ГИС МТ did not answer in time.

Spec crpt-permissive §7: ``http://127.0.0.1:5995`` with HTTP Basic auth (``admin:admin`` by
default) and ``X-ClientId`` = the fiscal drive (FN) number. ``GET /api/v1/status`` must say
``ready`` and ``lastSync`` must be younger than 72 h; then ``POST /api/v1/cis/outCheck``
``{"cis_list": [...]}`` (or ``/api/v2/cis/outCheck`` ``{"cis_list": [{"cis": ...}]}``) answers in the
codes/check shape. A check in any other status gets HTTP 400 with ``errorCode`` 4045
(not_configured / initialization) or 4050 (sync_error, 72 h without a sync).

The Local Module only knows black lists and replicated sales, so the decision uses ``isBlocked``
and ``sold`` only (:func:`ffd12.permissive.decide.offline_reasons_for`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from ffd12.errors import ConfigError, PermissiveError
from ffd12.permissive.answers import (
    CheckAnswer,
    LmStatus,
    parse_check_answer,
    parse_error_body,
    parse_lm_status,
    parse_lm_v2_answer,
)

__all__ = [
    "DEFAULT_URL",
    "LM_ERRORS",
    "SYNC_LIMIT_S",
    "LmNotReady",
    "LmSettings",
    "LocalModuleClient",
]

log = logging.getLogger("ffd12.permissive.offline")

DEFAULT_URL: Final = "http://127.0.0.1:5995"
SYNC_LIMIT_S: Final = 72 * 3600.0  # spec §7.3: no sync for 72 h ⇒ the LM may not be used
READY: Final = "ready"

# errorCode of an HTTP 400 from a check (spec §7.3) → what it means for the cashier
LM_ERRORS: Final[dict[int, str]] = {
    4045: "локальный модуль не настроен или ещё инициализируется (статус not_configured / initialization)",
    4050: "локальный модуль не синхронизировался с ГИС МТ более 72 часов (статус sync_error)",
}


class LmNotReady(PermissiveError):
    """The Local Module cannot check codes now (status, 72 h rule, 4045/4050, no connection)."""

    def __init__(self, message: str, *, status: str | None = None, error_code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code


@dataclass(frozen=True, slots=True, kw_only=True)
class LmSettings:
    """How to reach the Local Module."""

    url: str = DEFAULT_URL
    user: str = "admin"
    password: str = "admin"
    api_version: int = 1
    timeout: float = 1.0
    enabled: bool = True
    # Unverified (spec §7.2): send the code without its crypto tail unless this is True.
    send_full_code: bool = False

    def __post_init__(self) -> None:
        if self.api_version not in (1, 2):
            raise ConfigError(f"could not use the Local Module: api must be 1 or 2, got {self.api_version}")
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(
                f"could not use the Local Module url: expected http://host:port, got {self.url!r}"
            )
        if self.timeout <= 0:
            raise ConfigError("could not use the Local Module timeout: expected positive seconds")

    def __repr__(self) -> str:  # never show the password
        return f"LmSettings(url={self.url!r}, user={self.user!r}, api_version={self.api_version})"


class LocalModuleClient:
    """Status and outCheck of the Local Module. ``wall_clock`` is epoch seconds (for the 72 h rule)."""

    def __init__(
        self,
        settings: LmSettings,
        client: httpx.Client,
        *,
        fiscal_drive_number: str | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._client = client
        self._auth = httpx.BasicAuth(settings.user, settings.password)
        self._headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if fiscal_drive_number:
            self._headers["X-ClientId"] = fiscal_drive_number
        self._wall_clock = wall_clock

    def _url(self, path: str) -> str:
        return self.settings.url.rstrip("/") + f"/api/v{self.settings.api_version}/" + path

    def _request(
        self, method: str, path: str, *, content: bytes | None = None, timeout: float | None
    ) -> httpx.Response:
        """One call to the module: LmNotReady when it does not answer, ConfigError on HTTP 401."""
        try:
            resp = self._client.request(
                method,
                self._url(path),
                content=content,
                headers=self._headers,
                auth=self._auth,
                timeout=timeout or self.settings.timeout,
            )
        except httpx.HTTPError as exc:
            raise LmNotReady(
                f"the Local Module at {self.settings.url} does not answer ({exc.__class__.__name__})"
            ) from None
        if resp.status_code == 401:
            raise ConfigError(
                "the Local Module refused the login (HTTP 401): check [permissive.local_module] user/password"
            )
        return resp

    def status(self, *, timeout: float | None = None) -> LmStatus:
        """The status answer; :class:`LmNotReady` when the module does not answer."""
        resp = self._request("GET", "status", timeout=timeout)
        if resp.status_code != 200:
            raise LmNotReady(f"the Local Module status answered HTTP {resp.status_code}")
        return parse_lm_status(resp.content)

    def why_unusable(self, status: LmStatus) -> str | None:
        """None if the module may be used now, else the reason (status ≠ ready or lastSync ≥ 72 h)."""
        if status.status != READY:
            return f"локальный модуль не готов (статус {status.status})"
        if status.last_sync_ms is None:
            return "локальный модуль не сообщил время последней синхронизации (lastSync)"
        age = self._wall_clock() - status.last_sync_ms / 1000.0
        if age >= SYNC_LIMIT_S:
            return f"локальный модуль не синхронизировался {age / 3600:.0f} ч (больше 72 ч)"
        return None

    def check(self, cis_list: Sequence[str], *, timeout: float | None = None) -> CheckAnswer:
        """outCheck of the given codes; :class:`LmNotReady` for 4045/4050 and connection failures."""
        v2 = self.settings.api_version == 2
        items: list[object] = [{"cis": c} for c in cis_list] if v2 else list(cis_list)
        body = json.dumps({"cis_list": items}, ensure_ascii=True).encode("ascii")
        resp = self._request("POST", "cis/outCheck", content=body, timeout=timeout)
        if resp.status_code != 200:
            code, _ = parse_error_body(resp.content)
            meaning = LM_ERRORS.get(code or 0, "неизвестная ошибка")
            raise LmNotReady(
                f"the Local Module refused the check: HTTP {resp.status_code}, errorCode {code}: {meaning}",
                error_code=code,
            )
        return parse_lm_v2_answer(resp.content) if v2 else parse_check_answer(resp.content, what="outCheck")
