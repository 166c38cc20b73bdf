"""What the permissive check takes and gives: the code it needs, settings, decisions (no I/O).

``CodeLike`` is the part of :class:`ffd12.marking.MarkingCode` the check reads; tests and callers
may pass any object with these attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from ffd12.errors import ConfigError
from ffd12.model import IndustryRequisite
from ffd12.permissive.answers import CodeStatus
from ffd12.permissive.history import MIN_RETENTION_DAYS
from ffd12.permissive.offline import LmSettings
from ffd12.permissive.policy import Policy
from ffd12.permissive.pool import PoolSettings
from ffd12.permissive.reasons import Reason
from ffd12.permissive.tokens import TokenTable

__all__ = [
    "DOC_DATE",
    "DOC_NUMBER",
    "FOIV",
    "MIN_BUDGET_S",
    "AskCallback",
    "CheckItem",
    "CheckResult",
    "CodeDecision",
    "CodeLike",
    "PermissiveSettings",
]

FOIV: Final = "030"  # 1262: Минпромторг (ПП РФ № 1944)
DOC_DATE: Final = "21.11.2023"  # 1263
DOC_NUMBER: Final = "1944"  # 1264
MIN_BUDGET_S: Final = 0.5


@runtime_checkable
class CodeLike(Protocol):
    """What the check needs of a parsed marking code (``ffd12.marking.MarkingCode``)."""

    @property
    def canonical(self) -> str: ...
    @property
    def gtin(self) -> str: ...
    @property
    def serial(self) -> str: ...
    @property
    def group(self) -> str | None: ...
    @property
    def masked(self) -> str: ...
    def case_inverted(self) -> CodeLike: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckItem:
    """A code to check with what the decision needs: unit price (kopecks), department, INN."""

    code: CodeLike
    unit_price: int | None = None
    department: int | None = None
    inn: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PermissiveSettings:
    """Everything the permissive check needs (built from TOML by ``ffd12.config``)."""

    tokens: TokenTable
    pool: PoolSettings = field(default_factory=PoolSettings)
    policy: Policy = field(default_factory=Policy)
    local_module: LmSettings | None = field(default_factory=LmSettings)
    budget_s: float = 1.5
    host_timeout_s: float = 0.7
    fiscal_drive_number: str | None = None
    capslock_retry: bool = False
    history_path: Path | None = None
    retention_days: int = MIN_RETENTION_DAYS
    foiv: str = FOIV
    doc_date: str = DOC_DATE
    doc_number: str = DOC_NUMBER

    def __post_init__(self) -> None:
        if self.budget_s < MIN_BUDGET_S:
            raise ConfigError(
                f"could not use budget: expected at least {MIN_BUDGET_S} s, got {self.budget_s}"
            )
        if self.host_timeout_s <= 0:
            raise ConfigError("could not use host_timeout: expected positive seconds")
        if not (self.foiv and self.doc_date and self.doc_number):
            raise ConfigError(
                "Честный знак: ошибка в отраслевых реквизитах (foiv, documentDate, documentNumber)"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeDecision:
    """The decision for one code. ``requisite`` is the item's 1260 (None: no check result)."""

    code: str
    masked: str
    group: str | None
    sell: bool
    action: str  # allow / ask / deny
    source: str  # online, offline, emergency, local, return, disabled, none
    reasons: tuple[Reason, ...]
    message: str
    requisite: IndustryRequisite | None
    confirmed: bool | None = None
    status: CodeStatus | None = None
    host: str | None = None

    @property
    def vendor_code(self) -> int | None:
        return self.reasons[0].vendor_code if self.reasons else None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """The decisions of one check, in the order of the items."""

    decisions: tuple[CodeDecision, ...]

    @property
    def sell_all(self) -> bool:
        return all(d.sell for d in self.decisions)


AskCallback = Callable[[CodeDecision], bool]
