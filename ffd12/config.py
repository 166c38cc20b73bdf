"""TOML configuration → the frozen settings of each layer (layer 5: imports down, never imported by them).

The ``[permissive]`` table uses the till vendor's knob names where the vendor has one (seed 002)::

    [permissive]
    base_url = "https://markirovka.sandbox.crptech.ru"   # or "https://cdn.crpt.ru" (production)
    xapikey = "[-1:<token>]"              # vendor syntax; or per INN in [permissive.tokens]
    budget = 1.5                          # seconds for the online answer, ≥ 0.5
    host_timeout = 0.7                    # at most this per host attempt
    fiscal_drive_number = "7281440500123456"
    capslock_retry = true
    history = "permissive-history.sqlite" # relative to the config file
    retention_days = 92
    getInfoTimeout = 10                   # [CRPT] of the vendor
    healthCheckTimeout = 5

    [permissive.tokens]
    "7700000000" = "<token of this INN>"

    [permissive.local_module]
    url = "http://127.0.0.1:5995"
    user = "admin"
    password = "admin"
    api = 1

    [permissive.policy]                   # default for every product group
    mode = "запрет продаж"                # or "предупреждение"
    markVerifyCrptAskConfirmation = false
    ignoreMarkVerifyCrptConnectionErrors = true
    ignoreCrptStatusExpireDate = "deny"

    [permissive.policy.groups.milk]       # overrides for one group (inherits the default)
    ignoreCrptStatusExpireDate = "ask"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ffd12.errors import ConfigError
from ffd12.permissive.check import DOC_DATE, DOC_NUMBER, FOIV, PermissiveSettings
from ffd12.permissive.history import MIN_RETENTION_DAYS
from ffd12.permissive.offline import DEFAULT_URL, LmSettings
from ffd12.permissive.policy import KNOBS, GroupPolicy, Policy, normalise_mode
from ffd12.permissive.pool import PRODUCTION_BASE, PoolSettings
from ffd12.permissive.tokens import parse_xapikey

__all__ = ["Config", "load", "load_permissive", "permissive_from_dict"]

_PERMISSIVE_KEYS: Final = frozenset(
    {
        "base_url",
        "xapikey",
        "budget",
        "host_timeout",
        "fiscal_drive_number",
        "capslock_retry",
        "history",
        "retention_days",
        "getInfoTimeout",
        "healthCheckTimeout",
        "refresh_hours",
        "ban_minutes",
        "tokens",
        "local_module",
        "policy",
        "foiv",
        "documentDate",
        "documentNumber",
    }
)
_POLICY_FLAGS: Final = {
    "markVerifyCrptAskConfirmation": "ask_confirmation",
    "ignoreMarkVerifyCrptConnectionErrors": "ignore_connection_errors",
    "enableMarkVerifyCrpt": "check_online",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The whole configuration file; each layer takes its part."""

    permissive: PermissiveSettings | None


def _number(table: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"could not read {where}.{key}: expected a number, got {type(value).__name__}")
    return float(value)


def _flag(table: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"could not read {where}.{key}: expected true or false")
    return value


def _group_policy(table: Mapping[str, Any], base: GroupPolicy | None, where: str) -> GroupPolicy:
    actions = dict(base.actions) if base else {}
    kwargs: dict[str, Any] = {}
    if base is not None:
        kwargs = {
            "ask_confirmation": base.ask_confirmation,
            "ignore_connection_errors": base.ignore_connection_errors,
            "mode": base.mode,
            "check_online": base.check_online,
        }
    for key, value in table.items():
        if key == "groups" and base is None:
            continue
        if key in _POLICY_FLAGS:
            if not isinstance(value, bool):
                raise ConfigError(f"could not read {where}.{key}: expected true or false")
            kwargs[_POLICY_FLAGS[key]] = value
        elif key == "mode":
            if not isinstance(value, str):
                raise ConfigError(f"could not read {where}.mode: expected a string")
            kwargs["mode"] = normalise_mode(value)
        elif key in KNOBS:
            if not isinstance(value, str):
                raise ConfigError(f"could not read {where}.{key}: expected deny, ask or allow")
            actions[key] = value.strip().lower()
        else:
            raise ConfigError(f"could not read {where}: unknown key {key!r}")
    return GroupPolicy(actions=actions, **kwargs)


def _policy(table: Any) -> Policy:
    if not isinstance(table, dict):
        raise ConfigError("could not read [permissive.policy]: expected a table")
    default = _group_policy(table, None, "permissive.policy")
    groups_raw = table.get("groups", {})
    if not isinstance(groups_raw, dict):
        raise ConfigError("could not read [permissive.policy.groups]: expected tables per group")
    groups = {}
    for name, sub in groups_raw.items():
        if not isinstance(sub, dict):
            raise ConfigError(f"could not read [permissive.policy.groups.{name}]: expected a table")
        groups[str(name)] = _group_policy(sub, default, f"permissive.policy.groups.{name}")
    return Policy(default=default, groups=groups)


def permissive_from_dict(table: Mapping[str, Any], *, base_dir: Path = Path(".")) -> PermissiveSettings:
    """Build :class:`PermissiveSettings` from the ``[permissive]`` table."""
    where = "permissive"
    unknown = set(table) - _PERMISSIVE_KEYS
    if unknown:
        raise ConfigError(f"could not read [permissive]: unknown keys {sorted(unknown)}")
    xapikey = table.get("xapikey", "")
    by_inn = table.get("tokens", {})
    if not isinstance(xapikey, str) or not isinstance(by_inn, dict):
        raise ConfigError("could not read tokens: xapikey must be a string and [permissive.tokens] a table")
    if not all(isinstance(v, str) for v in by_inn.values()):
        raise ConfigError("could not read [permissive.tokens]: every token must be a string")
    tokens = parse_xapikey(xapikey, by_inn={str(k): v for k, v in by_inn.items()})
    if not tokens:
        raise ConfigError("could not read [permissive]: no X-API-KEY token (xapikey or [permissive.tokens])")
    refresh = table.get("refresh_hours", [6, 7])
    if not (
        isinstance(refresh, list) and len(refresh) == 2 and all(isinstance(x, int | float) for x in refresh)
    ):
        raise ConfigError("could not read permissive.refresh_hours: expected [min, max] hours")
    pool = PoolSettings(
        base_url=str(table.get("base_url", PRODUCTION_BASE)).rstrip("/"),
        info_timeout=_number(table, "getInfoTimeout", 10, where),
        health_timeout=_number(table, "healthCheckTimeout", 5, where),
        refresh_min_s=float(refresh[0]) * 3600,
        refresh_max_s=float(refresh[1]) * 3600,
        ban_s=_number(table, "ban_minutes", 15, where) * 60,
    )
    lm_table = table.get("local_module", {})
    if not isinstance(lm_table, dict):
        raise ConfigError("could not read [permissive.local_module]: expected a table")
    lm = LmSettings(
        url=str(lm_table.get("url", DEFAULT_URL)),
        user=str(lm_table.get("user", "admin")),
        password=str(lm_table.get("password", "admin")),
        api_version=int(_number(lm_table, "api", 1, "permissive.local_module")),
        timeout=_number(lm_table, "timeout", 1.0, "permissive.local_module"),
        enabled=_flag(lm_table, "enabled", True, "permissive.local_module"),
        send_full_code=_flag(lm_table, "send_full_code", False, "permissive.local_module"),
    )
    history = table.get("history")
    if history is not None and not isinstance(history, str):
        raise ConfigError("could not read permissive.history: expected a file path")
    fn = table.get("fiscal_drive_number")
    if fn is not None and not (isinstance(fn, str) and fn.isdigit()):
        raise ConfigError("could not read permissive.fiscal_drive_number: expected the FN number as digits")
    return PermissiveSettings(
        tokens=tokens,
        pool=pool,
        policy=_policy(table.get("policy", {})),
        local_module=lm,
        budget_s=_number(table, "budget", 1.5, where),
        host_timeout_s=_number(table, "host_timeout", 0.7, where),
        fiscal_drive_number=fn,
        capslock_retry=_flag(table, "capslock_retry", False, where),
        history_path=(base_dir / history) if history else None,
        retention_days=int(_number(table, "retention_days", MIN_RETENTION_DAYS, where)),
        foiv=str(table.get("foiv", FOIV)),
        doc_date=str(table.get("documentDate", DOC_DATE)),
        doc_number=str(table.get("documentNumber", DOC_NUMBER)),
    )


def _read(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"could not read the config {p.name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"could not read the config {p.name}: expected UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"could not read the config {p.name}: {exc}") from None


def load(path: str | Path) -> Config:
    """Read a configuration file."""
    data = _read(path)
    perm = data.get("permissive")
    if perm is not None and not isinstance(perm, dict):
        raise ConfigError("could not read [permissive]: expected a table")
    base = Path(path).resolve().parent
    return Config(permissive=permissive_from_dict(perm, base_dir=base) if perm is not None else None)


def load_permissive(path: str | Path) -> PermissiveSettings:
    """Read the ``[permissive]`` table of a configuration file (it must be there)."""
    cfg = load(path)
    if cfg.permissive is None:
        raise ConfigError(f"could not read the config {Path(path).name}: no [permissive] table")
    return cfg.permissive
