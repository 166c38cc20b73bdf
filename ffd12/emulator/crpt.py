"""A ГИС МТ (True API) emulator: cdn/info, health/check and codes/check on real 127.0.0.1 ports.

One *base* server answers ``/api/v4/true-api/cdn/info`` (the role of ``cdn.crpt.ru``) and lists the
check hosts, each a server of its own on its own port. A scenario (TOML, or built in code) sets
per-code statuses — one preset per reason of :mod:`ffd12.permissive.reasons` — and per-host
behaviour: ``avgTimeMs``, latency, a fixed or scripted HTTP status (429, 5xx, 401, 203, 418), a
stall (accepts and never answers), or ``down`` (listed, but nothing listens on its port).

Scenario file::

    token = "test-token"            # the accepted X-API-KEY (omit: any non-empty key)
    default = "ok"                  # status of codes not listed below

    [[hosts]]
    name = "cdn01"
    avg_time_ms = 20
    script = [429, 429]             # the first two codes/check answers, then normal

    [[hosts]]
    name = "cdn02"
    latency_ms = 10

    [codes]
    "010460123456789321abcdef" = "sold"               # a preset, matched as a prefix of the cis
    "0104601234567893215xyz" = { preset = "above_mrp", mrp = 12000 }
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final

from ffd12.emulator.http import HttpServerThread, JsonHandler
from ffd12.errors import ConfigError
from ffd12.permissive.pool import CDN_INFO_PATH, CHECK_PATH, HEALTH_PATH

__all__ = ["PRESETS", "CrptEmulator", "CrptScenario", "HostScenario", "load_scenario"]

log = logging.getLogger("ffd12.emulator.crpt")

# One preset per reason key of ffd12.permissive.reasons: the fields that differ from a good code.
PRESETS: Final[dict[str, dict[str, Any]]] = {
    "ok": {},
    "grey_zone": {"grayZone": True, "realizable": False},
    "invalid": {"valid": False, "errorCode": 1, "message": "Ошибка валидации КМ"},
    "not_found": {"found": False, "utilised": False, "verified": False, "realizable": False},
    "not_applied": {"utilised": False, "realizable": False},
    "bad_crypto": {"verified": False},
    "blocked": {"isBlocked": True, "ogvs": ["FNS", "RPN"]},
    "not_in_circulation": {"realizable": False, "sold": False},
    "sold": {"realizable": False, "sold": True},
    "expired": {"expireDate": "2024-01-31T00:00:00.000Z"},
    "above_mrp": {"mrp": 10000, "groupIds": [3]},
    "below_min_price": {"mrp": 20000, "groupIds": [16]},
    "error_code": {"errorCode": 6, "message": "Крипто-хвост КМ не валиден"},
}


@dataclass(slots=True, kw_only=True)
class HostScenario:
    """How one CDN host behaves (mutable: tests change it while the emulator runs)."""

    name: str
    avg_time_ms: int = 50
    latency_ms: int = 0
    health_code: int = 0
    status: int | None = None  # answer every codes/check with this HTTP status
    script: list[int] = field(default_factory=list)  # statuses of the next codes/check calls
    error_message: str | None = None  # error_message of 5xx bodies ("5000": cross-border down)
    stall: bool = False
    down: bool = False
    garbage: bool = False  # answer codes/check with HTTP 200 and a body that is not JSON


@dataclass(slots=True, kw_only=True)
class CrptScenario:
    """Codes and hosts of one emulated ГИС МТ."""

    hosts: list[HostScenario] = field(default_factory=lambda: [HostScenario(name="cdn01")])
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    default: str = "ok"
    token: str | None = None
    list_hosts: bool = True  # False: cdn/info lists nothing (as the sandbox may)
    stall_s: float = 30.0


def _code_entry(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"preset": value}
    if not isinstance(value, dict):
        raise ConfigError(f"could not read scenario code {key[:20]!r}: expected a preset name or a table")
    preset = value.get("preset", "ok")
    if preset not in PRESETS:
        raise ConfigError(f"could not read scenario code {key[:20]!r}: unknown preset {preset!r}")
    return dict(value)


def load_scenario(path: str | Path) -> CrptScenario:
    """Read a TOML scenario file (see the module docstring)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"could not read the scenario {Path(path).name}: {exc}") from None
    return scenario_from_dict(data)


def scenario_from_dict(data: Mapping[str, Any]) -> CrptScenario:
    hosts = []
    names = {f.name for f in fields(HostScenario)}
    for i, raw in enumerate(data.get("hosts", [{"name": "cdn01"}])):
        if not isinstance(raw, dict) or not set(raw) <= names:
            raise ConfigError(f"could not read scenario hosts[{i}]: expected keys among {sorted(names)}")
        host = HostScenario(**{"name": f"cdn{i + 1:02d}", **raw})
        for f in fields(HostScenario):
            value, default = getattr(host, f.name), getattr(HostScenario(name="x"), f.name)
            kind = type(default) if default is not None else int
            if f.name == "error_message" and value is not None and not isinstance(value, str):
                raise ConfigError(f"could not read scenario hosts[{i}].error_message: expected a string")
            if f.name not in ("error_message",) and (type(value) is not kind and value is not None):
                raise ConfigError(f"could not read scenario hosts[{i}].{f.name}: expected {kind.__name__}")
        hosts.append(host)
    default = data.get("default", "ok")
    if default not in PRESETS:
        raise ConfigError(f"could not read the scenario: unknown default preset {default!r}")
    codes = {str(k): _code_entry(str(k), v) for k, v in dict(data.get("codes", {})).items()}
    return CrptScenario(
        hosts=hosts,
        codes=codes,
        default=default,
        token=data.get("token"),
        list_hosts=bool(data.get("list_hosts", True)),
        stall_s=float(data.get("stall_s", 30.0)),
    )


# -- the ГИС МТ emulator -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestLog:
    """One request the emulator saw (tests assert on these)."""

    server: str
    path: str
    status: int
    codes: tuple[str, ...] = ()
    fiscal_drive_number: str | None = None


class _CrptHandler(JsonHandler):
    def route(self, method: str, body: bytes) -> None:
        emu: CrptEmulator = self.server.context[0]
        host: HostScenario | None = self.server.context[1]
        emu._serve(self, host, method, body)


class CrptEmulator:
    """The emulated ГИС МТ. ``base_url`` goes into the config; ``start``/``stop`` or ``with``."""

    def __init__(
        self, scenario: CrptScenario | None = None, *, port: int = 0, clock: Callable[[], float] = time.time
    ) -> None:
        self.scenario = scenario or CrptScenario()
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.requests: list[RequestLog] = []
        self._base = HttpServerThread(_CrptHandler, (self, None), port=port, stop=self._stop)
        self._hosts: list[HttpServerThread] = []
        self.host_urls: dict[str, str] = {}
        for i, h in enumerate(self.scenario.hosts):
            hport = port + 1 + i if port else 0
            if h.down:
                self.host_urls[h.name] = f"http://127.0.0.1:{_free_port() if not hport else hport}"
                continue
            srv = HttpServerThread(_CrptHandler, (self, h), port=hport, stop=self._stop)
            self._hosts.append(srv)
            self.host_urls[h.name] = srv.url

    @property
    def base_url(self) -> str:
        return self._base.url

    def kill_host(self, name: str) -> None:
        """Stop one host's server: from now on its port refuses connections."""
        url = self.host_urls[name]
        for srv in self._hosts:
            if srv.url == url:
                srv.stop()
                self._hosts.remove(srv)
                return

    def host(self, name: str) -> HostScenario:
        return next(h for h in self.scenario.hosts if h.name == name)

    def start(self) -> CrptEmulator:
        for srv in (self._base, *self._hosts):
            srv.start()
        return self

    def stop(self) -> None:
        for srv in (self._base, *self._hosts):
            srv.stop()

    def __enter__(self) -> CrptEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def count(self, name: str, path: str = CHECK_PATH) -> int:
        """How many requests host ``name`` got on ``path``."""
        with self._lock:
            return sum(1 for r in self.requests if r.server == name and r.path == path)

    # -- serving ---------------------------------------------------------------------------------

    def _log(self, entry: RequestLog) -> None:
        with self._lock:
            self.requests.append(entry)

    def _serve(self, h: JsonHandler, host: HostScenario | None, method: str, body: bytes) -> None:
        sc = self.scenario
        name = host.name if host else "base"
        path = h.path.split("?", 1)[0]
        key = h.headers.get("X-API-KEY")
        if not key or (sc.token is not None and key != sc.token):
            self._log(RequestLog(server=name, path=path, status=401))
            h.send_json(401, {"error_message": "Unauthorized"})
            return
        if path == CDN_INFO_PATH and method == "GET":
            hosts = [{"host": u} for u in self.host_urls.values()] if sc.list_hosts else []
            self._log(RequestLog(server=name, path=path, status=200))
            h.send_json(200, {"code": 0, "description": "ok", "hosts": hosts})
        elif path == HEALTH_PATH and method == "GET":
            avg = host.avg_time_ms if host else 100
            code = host.health_code if host else 0
            self._log(RequestLog(server=name, path=path, status=200))
            h.send_json(
                200, {"code": code, "description": "ok" if code == 0 else "unavailable", "avgTimeMs": avg}
            )
        elif path == CHECK_PATH and method == "POST":
            self._codes_check(h, host, name, body)
        else:
            self._log(RequestLog(server=name, path=path, status=404))
            h.send_json(404, {"error_message": "not found"})

    def _codes_check(self, h: JsonHandler, host: HostScenario | None, name: str, body: bytes) -> None:
        sc = self.scenario
        try:
            req = json.loads(body.decode("utf-8"))
            codes = req["codes"]
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise TypeError
            fn = req.get("fiscalDriveNumber")
        except (ValueError, KeyError, TypeError):
            self._log(RequestLog(server=name, path=CHECK_PATH, status=400))
            h.send_json(400, {"error_message": "Неверный запрос"})
            return
        status = 200
        if host is not None:
            if host.stall:
                self._log(RequestLog(server=name, path=CHECK_PATH, status=0, codes=tuple(codes)))
                self._stop.wait(sc.stall_s)
                return  # no answer at all; the connection is cut at stop
            if host.latency_ms:
                self._stop.wait(host.latency_ms / 1000.0)
            with self._lock:
                scripted = host.script.pop(0) if host.script else None
            status = scripted or host.status or 200
        self._log(
            RequestLog(
                server=name, path=CHECK_PATH, status=status, codes=tuple(codes), fiscal_drive_number=fn
            )
        )
        if status == 200 and host is not None and host.garbage:
            data = b"<html>502 Bad Gateway</html>"
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
            return
        if status != 200:
            msg = host.error_message if host and host.error_message else f"HTTP {status}"
            h.send_json(status, {"error_message": msg} if status >= 400 else {})
            return
        now_ms = int(self._clock() * 1000)
        h.send_json(
            200,
            {
                "code": 0,
                "description": "ok",
                "codes": [self._status_of(c) for c in codes],
                "reqId": str(uuid.uuid4()),
                "reqTimestamp": now_ms,
            },
        )

    def _status_of(self, cis: str) -> dict[str, Any]:
        sc = self.scenario
        entry: dict[str, Any] = {"preset": sc.default}
        best = -1
        for key, value in sc.codes.items():
            if (cis == key or cis.startswith(key)) and len(key) > best:
                entry, best = value, len(key)
        core = cis.split("\x1d", 1)[0]
        gtin = core[2:16] if core.startswith("01") else ""
        item: dict[str, Any] = {
            "cis": cis,
            "valid": True,
            "printView": core,
            "gtin": gtin,
            "groupIds": [8],
            "verified": True,
            "found": True,
            "realizable": True,
            "utilised": True,
            "isBlocked": False,
            "errorCode": 0,
            "isTracking": False,
            "sold": False,
            "grayZone": False,
            "packageType": "UNIT",
            "expireDate": "2099-12-31T00:00:00.000Z",
        }
        item.update(PRESETS[entry.get("preset", "ok")])
        item.update({k: v for k, v in entry.items() if k != "preset"})
        return item


def _free_port() -> int:
    """A port nothing listens on (bound and released at once): a «down» host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
