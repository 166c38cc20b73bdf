"""A Local Module (ЛМ ЧЗ) emulator on a real 127.0.0.1 port (spec crpt-permissive §7).

Answers ``/api/v{1,2}/status``, ``/api/v{1,2}/cis/outCheck`` (POST, and GET ``?cis=``) and
``/api/v1/cis/check`` with HTTP Basic auth. Its status is settable (``not_configured``,
``initialization``, ``ready``, ``sync_error``) and so is its clock: a ``ready`` module whose
``lastSync`` is 72 h old or more reports ``sync_error`` itself (``auto_sync_error``). A check in any
status but ``ready`` answers HTTP 400 with ``errorCode`` 4045 or 4050. ``POST /emu/state`` (an
emulator-only hook, same Basic auth) changes ``status``, ``lastSyncAgeHours``, ``clockOffsetHours``
and adds codes to the black list (``block``) while it runs.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from ffd12.emulator.http import HttpServerThread, JsonHandler
from ffd12.permissive.offline import SYNC_LIMIT_S

__all__ = ["LM_STATUSES", "LmEmulator", "LmState"]

LM_STATUSES: Final = ("not_configured", "initialization", "ready", "sync_error")
CONTROL_PATH: Final = "/emu/state"  # POST: change the emulated state while it runs


@dataclass(slots=True, kw_only=True)
class LmState:
    """The module's state, changed by tests and by ``ffd12 emulate lm`` options."""

    status: str = "ready"
    last_sync_ms: int | None = None  # None: "just now" at start
    blocked: set[str] = field(default_factory=set)  # codes (or prefixes) on the black list
    sold: set[str] = field(default_factory=set)  # replicated sales
    inst: str = "lm-emu-1"
    version: str = "1.6.0-emu"
    user: str = "admin"
    password: str = "admin"
    auto_sync_error: bool = True
    clock_offset_s: float = 0.0  # shift of the module's own clock (the "settable clock")


class _LmHandler(JsonHandler):
    def route(self, method: str, body: bytes) -> None:
        emu: LmEmulator = self.server.context
        emu._serve(self, method, body)


class LmEmulator:
    """The emulated Local Module; ``url`` goes into ``[permissive.local_module]``."""

    def __init__(
        self, state: LmState | None = None, *, port: int = 0, clock: Callable[[], float] = time.time
    ) -> None:
        self.state = state or LmState()
        self._clock = clock
        self._lock = threading.Lock()
        if self.state.last_sync_ms is None:
            self.state.last_sync_ms = int(self.now() * 1000)
        self.requests: list[tuple[str, int, str | None]] = []  # (path, status, X-ClientId)
        self._srv = HttpServerThread(_LmHandler, self, port=port)

    @property
    def url(self) -> str:
        return self._srv.url

    def now(self) -> float:
        return self._clock() + self.state.clock_offset_s

    def set_last_sync_age(self, hours: float) -> None:
        """Pretend the last successful sync was ``hours`` ago."""
        self.state.last_sync_ms = int((self.now() - hours * 3600.0) * 1000)

    def effective_status(self) -> str:
        st = self.state
        if st.status == "ready" and st.auto_sync_error and st.last_sync_ms is not None:
            if self.now() - st.last_sync_ms / 1000.0 >= SYNC_LIMIT_S:
                return "sync_error"
        return st.status

    def start(self) -> LmEmulator:
        self._srv.start()
        return self

    def stop(self) -> None:
        self._srv.stop()

    def __enter__(self) -> LmEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------------

    def _authorised(self, h: JsonHandler) -> bool:
        expected = base64.b64encode(f"{self.state.user}:{self.state.password}".encode()).decode()
        return h.headers.get("Authorization", "") == f"Basic {expected}"

    def _serve(self, h: JsonHandler, method: str, body: bytes) -> None:
        parts = urlsplit(h.path)
        path = parts.path
        client_id = h.headers.get("X-ClientId")

        def answer(status: int, obj: Any) -> None:
            with self._lock:
                self.requests.append((path, status, client_id))
            h.send_json(status, obj)

        if not self._authorised(h):
            answer(401, {"error": "Unauthorized"})
            return
        if path == CONTROL_PATH and method == "POST":
            answer(*self._control(body))
            return
        version = "v2" if path.startswith("/api/v2/") else "v1"
        tail = path.split("/", 3)[-1] if path.startswith("/api/v") else path
        if tail == "status" and method == "GET":
            answer(200, self._status_body())
        elif tail in ("cis/outCheck", "cis/check"):
            self._check(answer, version, method, body, parse_qs(parts.query).get("cis", []))
        else:
            answer(404, {"error": "not found"})

    def _control(self, body: bytes) -> tuple[int, Any]:
        """Test hook (not part of the real module): change status, sync age, clock, black list."""
        try:
            req = json.loads(body.decode("utf-8"))
            if not isinstance(req, dict):
                raise TypeError
            if "status" in req:
                if req["status"] not in LM_STATUSES:
                    raise ValueError
                self.state.status = req["status"]
            if "clockOffsetHours" in req:
                self.state.clock_offset_s = float(req["clockOffsetHours"]) * 3600.0
            if "lastSyncAgeHours" in req:
                self.set_last_sync_age(float(req["lastSyncAgeHours"]))
            for c in req.get("block", []):
                self.state.blocked.add(str(c))
        except (ValueError, TypeError, KeyError):
            return 400, {"error": "expected {status, clockOffsetHours, lastSyncAgeHours, block}"}
        return 200, self._status_body()

    def _status_body(self) -> dict[str, Any]:
        st = self.state
        return {
            "status": self.effective_status(),
            "operationMode": "active",
            "lastSync": st.last_sync_ms,
            "lastUpdate": st.last_sync_ms,
            "version": st.version,
            "inst": st.inst,
            "name": "regime",
            "dbVersion": "emu",
            "requiresDownload": False,
        }

    def _check(
        self, answer: Callable[[int, Any], None], version: str, method: str, body: bytes, query: list[str]
    ) -> None:
        status = self.effective_status()
        if status != "ready":
            code = 4050 if status == "sync_error" else 4045
            answer(400, {"errorCode": code, "description": f"status {status}"})
            return
        cis_list: list[str] = list(query)
        if method == "POST":
            try:
                req = json.loads(body.decode("utf-8"))
                raw = req["cis_list"]
                for item in raw:
                    cis_list.append(item["cis"] if isinstance(item, dict) else str(item))
            except (ValueError, KeyError, TypeError):
                answer(400, {"errorCode": 400, "description": "bad request"})
                return
        envelope = {
            "code": 0,
            "description": "ok",
            "codes": [self._item(c) for c in cis_list],
            "reqId": str(uuid.uuid4()),
            "reqTimestamp": int(self.now() * 1000),
            "inst": self.state.inst,
            "version": self.state.version,
        }
        answer(200, {"results": [envelope]} if version == "v2" else envelope)

    def _item(self, cis: str) -> dict[str, Any]:
        st = self.state
        blocked = any(cis.startswith(b) for b in st.blocked)
        sold = any(cis.startswith(s) for s in st.sold)
        return {"cis": cis, "isBlocked": blocked, "sold": sold, "ogvs": ["RPN"] if blocked else []}
