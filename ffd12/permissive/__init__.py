"""Permissive mode («разрешительный режим»): ГИС МТ online check over the CDN pool, Local Module
offline check, per-group policy, tag 1260 and a persistent history (spec crpt-permissive).

>>> from ffd12.permissive import parse_xapikey
>>> parse_xapikey("[-1:abc]").for_item(department=5).reveal()
'abc'
"""

from __future__ import annotations

from ffd12.permissive.answers import AnswerError, CheckAnswer, CodeStatus, LmStatus
from ffd12.permissive.check import (
    CheckItem,
    CheckResult,
    CodeDecision,
    PermissiveChecker,
    PermissiveSettings,
)
from ffd12.permissive.history import History, HistoryRow
from ffd12.permissive.offline import LmNotReady, LmSettings
from ffd12.permissive.policy import GroupPolicy, Policy
from ffd12.permissive.pool import NoHostError, PoolSettings
from ffd12.permissive.reasons import REASONS, Reason
from ffd12.permissive.tokens import Token, TokenRejected, TokenTable, parse_xapikey

__all__ = [
    "REASONS",
    "AnswerError",
    "CheckAnswer",
    "CheckItem",
    "CheckResult",
    "CodeDecision",
    "CodeStatus",
    "GroupPolicy",
    "History",
    "HistoryRow",
    "LmNotReady",
    "LmSettings",
    "LmStatus",
    "NoHostError",
    "PermissiveChecker",
    "PermissiveSettings",
    "Policy",
    "PoolSettings",
    "Reason",
    "Token",
    "TokenRejected",
    "TokenTable",
    "parse_xapikey",
]
