"""What the till does with each failing reason: deny, ask the cashier, or allow — per product group.

The knobs are the till vendor's (seed 002): ``ignoreCrptStatus*`` = ``deny`` / ``ask`` / ``allow`` per
status, ``markVerifyCrptAskConfirmation`` (every failure becomes a question to the cashier; the
per-status knobs then only matter when they say ``allow``), ``ignoreMarkVerifyCrptConnectionErrors``
(no answer from ГИС МТ nor from the Local Module: sell without a check, or refuse). The register
vendor's mode switch (seed 000) «запрет продаж» vs «предупреждение» turns every ``deny`` into ``ask``
in the warning mode.

A code sold earlier at this till, already in the open receipt, or mangled by CapsLock is refused
whatever the knobs say.

>>> p = GroupPolicy(actions={"ignoreCrptStatusExpireDate": "ask"})
>>> from ffd12.permissive.reasons import REASON_BY_KEY as R
>>> p.action_for([R["expired"]]), p.action_for([R["expired"], R["not_found"]])
('ask', 'deny')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from ffd12.errors import ConfigError
from ffd12.permissive.reasons import LOCAL_REASONS, REASONS, Reason

__all__ = ["ACTIONS", "KNOBS", "MODES", "GroupPolicy", "Policy", "normalise_mode"]

DENY: Final = "deny"
ASK: Final = "ask"
ALLOW: Final = "allow"
ACTIONS: Final = (DENY, ASK, ALLOW)
_RANK: Final = {ALLOW: 0, ASK: 1, DENY: 2}

FORBID: Final = "forbid"  # «запрет продаж»
WARN: Final = "warn"  # «предупреждение»
MODES: Final[dict[str, str]] = {
    "forbid": FORBID,
    "запрет продаж": FORBID,
    "warn": WARN,
    "предупреждение": WARN,
}

KNOBS: Final = tuple(dict.fromkeys(r.knob for r in REASONS))
_ALWAYS_DENY: Final = frozenset({"sold_here", "in_receipt", "case_inverted"})


def normalise_mode(text: str) -> str:
    """``forbid``/«запрет продаж» or ``warn``/«предупреждение» → ``forbid`` / ``warn``."""
    mode = MODES.get(text.strip().lower())
    if mode is None:
        raise ConfigError(f"could not read mode: expected one of {sorted(MODES)}, got {text!r}")
    return mode


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupPolicy:
    """The policy of one product group (or the default one)."""

    actions: Mapping[str, str] = field(default_factory=dict)
    ask_confirmation: bool = False  # markVerifyCrptAskConfirmation
    ignore_connection_errors: bool = False  # ignoreMarkVerifyCrptConnectionErrors
    mode: str = FORBID
    check_online: bool = True  # enableMarkVerifyCrpt

    def __post_init__(self) -> None:
        for knob, action in self.actions.items():
            if knob not in KNOBS:
                raise ConfigError(
                    f"could not read the policy: unknown knob {knob!r} (known: {', '.join(KNOBS)})"
                )
            if action not in ACTIONS:
                raise ConfigError(
                    f"could not read the policy: {knob} must be deny, ask or allow, got {action!r}"
                )
        if self.mode not in (FORBID, WARN):
            raise ConfigError(f"could not read the policy: mode must be forbid or warn, got {self.mode!r}")

    def action_of(self, reason: Reason) -> str:
        """The action for one reason."""
        if reason.key in _ALWAYS_DENY:
            return DENY
        if reason.key == "no_answer":
            action = ALLOW if self.ignore_connection_errors else DENY
        else:
            action = self.actions.get(reason.knob, reason.default_action)
            if self.ask_confirmation and action == DENY:
                action = ASK
        if self.mode == WARN and action == DENY:
            action = ASK
        return action

    def action_for(self, reasons: Iterable[Reason]) -> str:
        """The strictest action over all reasons (``allow`` when there is none)."""
        result = ALLOW
        for reason in reasons:
            action = self.action_of(reason)
            if _RANK[action] > _RANK[result]:
                result = action
        return result


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The default policy and the overrides per product-group name (``milk``, ``tobacco`` …)."""

    default: GroupPolicy = field(default_factory=GroupPolicy)
    groups: Mapping[str, GroupPolicy] = field(default_factory=dict)

    def for_group(self, names: Sequence[str | None]) -> GroupPolicy:
        """The first group policy whose name (or name before ``_``, e.g. ``tobacco_pack``) matches."""
        for name in names:
            if not name:
                continue
            if name in self.groups:
                return self.groups[name]
            base = name.split("_", 1)[0]
            if base in self.groups:
                return self.groups[base]
        return self.default


# the reasons only the till itself can give (re-exported for the table of the README)
LOCAL: Final = LOCAL_REASONS
