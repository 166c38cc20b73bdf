"""Why a marking code may not be sold: the reason table of the permissive mode, as data.

Each :class:`Reason` names one failing condition of the ГИС МТ answer (spec crpt-permissive §4.5),
the till vendor's policy knob that governs it (``ignoreCrptStatus*``, seed 002), the register
vendor's error code (seed 000: 751–758) and a message a cashier understands. ``REASONS`` keeps the
order in which :func:`ffd12.permissive.decide.reasons_for` reports them.

A few reasons have no vendor knob (price, grey zone, ``errorCode``); they get knob names of ours in
the same style, marked in the table. Conditions that are not about the code but about the check
itself (no connection, emergency, bad token …) live in ``FAILURES`` with their vendor codes.

>>> REASON_BY_KEY["not_found"].vendor_code
751
>>> [r.key for r in REASONS][:3]
['grey_zone', 'invalid', 'not_found']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "FAILURES",
    "LOCAL_REASONS",
    "REASONS",
    "REASON_BY_KEY",
    "Failure",
    "Reason",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """One reason a code fails the check.

    ``key`` is our stable name (used in config, history and the emulator scenario), ``knob`` the
    policy setting that governs it, ``vendor_code`` the register vendor's code (None when it has
    none), ``message`` the Russian text for the cashier, ``default_action`` the policy when the
    config is silent.
    """

    key: str
    knob: str
    vendor_code: int | None
    message: str
    default_action: str = "deny"


# Order of spec §4.5 (B-till): grey zone first (it switches the check off), then found → utilised →
# verified → blocked → circulation → sold → expiry → price → errorCode.  ``invalid`` (valid=false)
# comes from the till vendor's list (ignoreCrptStatusValid) and is placed before ``not_found``.
REASONS: Final[tuple[Reason, ...]] = (
    Reason(
        key="grey_zone",
        knob="ignoreCrptStatusGrayZone",  # ours: no vendor knob; the check is off for grey-zone tobacco
        vendor_code=None,
        message="Табак из «серой зоны»: проверка в ГИС МТ не проводится",
        default_action="allow",
    ),
    Reason(
        key="invalid",
        knob="ignoreCrptStatusValid",
        vendor_code=760,
        message="Код маркировки некорректен (ошибка структуры кода)",
    ),
    Reason(
        key="not_found",
        knob="ignoreCrptStatusFound",
        vendor_code=751,
        message="Код маркировки не найден в ГИС МТ",
    ),
    Reason(
        key="not_applied",
        knob="ignoreCrptStatusUtilised",
        vendor_code=752,
        message="Код маркировки эмитирован, но нет сведений о его нанесении на упаковку",
    ),
    Reason(
        key="bad_crypto",
        knob="ignoreCrptStatusVerified",
        vendor_code=753,
        message="Код маркировки не прошёл криптографическую проверку",
    ),
    Reason(
        key="blocked",
        knob="ignoreCrptStatusIsBlocked",
        vendor_code=755,
        message="Продажа заблокирована по решению органа власти",
    ),
    Reason(
        key="not_in_circulation",
        knob="ignoreCrptStatusRealizable",
        vendor_code=756,
        message="Товар не введён в оборот",
    ),
    Reason(
        key="sold",
        knob="ignoreCrptStatusSold",
        vendor_code=754,
        message="Код маркировки выведен из оборота (товар уже продан)",
    ),
    Reason(
        key="expired",
        knob="ignoreCrptStatusExpireDate",
        vendor_code=757,
        message="Истёк срок годности товара",
    ),
    Reason(
        key="above_mrp",
        knob="ignoreCrptStatusPrice",  # ours: price checks have no vendor knob
        vendor_code=758,
        message="Цена выше максимальной розничной цены (МРЦ)",
    ),
    Reason(
        key="below_min_price",
        knob="ignoreCrptStatusPrice",
        vendor_code=758,
        message="Цена ниже минимальной цены продажи",
    ),
    Reason(
        key="error_code",
        knob="ignoreCrptStatusErrorCode",  # ours: errorCode ≠ 0 in the answer
        vendor_code=760,
        message="ГИС МТ вернула ошибку проверки кода",
    ),
)

REASON_BY_KEY: Final[dict[str, Reason]] = {r.key: r for r in REASONS}

# Refused at this till before any request; no policy knob can allow them.
LOCAL_REASONS: Final[dict[str, Reason]] = {
    r.key: r
    for r in (
        Reason(
            key="sold_here",
            knob="",
            vendor_code=754,
            message="Этот код уже продан на этой кассе",
        ),
        Reason(
            key="in_receipt",
            knob="",
            vendor_code=None,
            message="Этот код уже есть в открытом чеке",
        ),
        Reason(
            key="case_inverted",
            knob="",
            vendor_code=None,
            message="Сканер передал код в неверном регистре: выключите CapsLock и отсканируйте снова",
        ),
        Reason(
            key="no_answer",
            knob="ignoreMarkVerifyCrptConnectionErrors",
            vendor_code=748,
            message="Не удалось выполнить проверку кода маркировки (нет ответа ГИС МТ и локального модуля)",
        ),
    )
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """A vendor code about the check itself, not about a code (seed 000)."""

    code: int
    message: str


FAILURES: Final[dict[str, Failure]] = {
    "no_cdn_host": Failure(code=747, message="Нет активной (выбранной) площадки CDN"),
    "no_connection": Failure(code=748, message="Нет соединения с сервером ГИС МТ"),
    "bad_settings": Failure(code=749, message="Ошибка настроек ГИС МТ"),
    "bad_answer": Failure(code=750, message="Ошибка разбора ответа от ГИС МТ"),
    "remote_error": Failure(code=760, message="Удалённая ошибка, полученная в ответе от сервера"),
    "bad_token": Failure(code=761, message="Недействительный токен"),
    "emergency": Failure(code=762, message="Аварийная ситуация ГИС МТ: продажа без проверки"),
    "no_host_left": Failure(code=764, message="Нет доступной площадки CDN"),
    "bad_request": Failure(code=765, message="Неверный запрос"),
    "cross_border_down": Failure(code=766, message="Сервис трансграничной проверки кодов недоступен"),
    "attempts_exhausted": Failure(code=768, message="Закончились попытки установить соединение"),
}
