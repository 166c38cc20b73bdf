"""``parse``: any scanner output → :class:`MarkingCode`, or a :class:`MarkingCodeError` saying why not.

The hot path is a clean code in canonical form: one precompiled regex per product-group template,
no cleaning, no biip. Damaged input goes through :func:`ffd12.marking.clean.clean`, then the
templates with optional GS (restoring separators a scanner dropped, refusing to guess when two
templates fit), and only then the generic biip fallback for shapes no template knows.
"""

from __future__ import annotations

import datetime
import logging
import re

from ffd12.errors import MarkingCodeError
from ffd12.marking.clean import clean
from ffd12.marking.gs1 import decode_date, diagnose, gtin_check_digit, gtin_valid, parse_generic
from ffd12.marking.model import GS, MarkingCode, ProductCode, Repair, control_code
from ffd12.marking.templates import DISPATCH, PACK, TEMPLATES, Template, separator_required

__all__ = ["NO_TAIL_CODE_TYPE", "PACK_CODE_TYPE", "PACK_PRODUCT_TAG", "SIGNATURE_44_CODE_TYPE", "parse"]

log = logging.getLogger("ffd12.marking")

SIGNATURE_44_CODE_TYPE = 4
"""Tag 2100 for a 44-character check code. FFD has two values for it (3 not checked in the FN,
4 checked); which one applies depends on the FN holding the group's key. We report 4, the
case of every group in circulation today — unverified against the FNS text."""

PACK_CODE_TYPE = 1
"""Tag 2100 for the 29-character tobacco pack code («короткий КМ»). Unverified."""

NO_TAIL_CODE_TYPE = 1
"""Tag 2100 for a GS1 code with 01 + 21 and no crypto tail (e.g. a product code read back from a
receipt). Read as a short code like the pack; unverified — 0 (not identified) is the other reading."""

PACK_PRODUCT_TAG = 1306
"""Tag 1163 child for the tobacco pack code: 1306 КТ КМК (spec §2.2), value GTIN + serial.
The value layout is unverified (the FFD text was not available)."""

_GS1_PRODUCT_TAG = 1305  # spec §4.2: "01" + GTIN + "21" + serial, no GS, no tail
_STRICT = tuple((t, t.strict.fullmatch) for t in TEMPLATES)
_TAIL_AI = re.compile(r"9[123]")
_TAIL_LENGTHS = {"91": (4,), "92": (44, 88), "93": (4,)}  # spec §4.1


def _gtin_checked(gtin: str, position: int, strict: bool, repairs: list[Repair]) -> None:
    want = gtin_check_digit(gtin[:13])
    have = ord(gtin[13]) - 48
    if want == have:
        return
    message = f"GTIN check digit should be {want}, the code has {have}"
    if strict:
        raise MarkingCodeError(f"could not read AI 01: {message}", position=position, ai="01")
    repairs.append(Repair(kind="gtin_check_digit", message=f"Warning: {message}."))


def _code_type(signature: str | None, crypto_code: str | None, crypto_key: str | None) -> int:
    """Tag 2100 from the tail (spec §2.6): 88 → 2, 44 → 4 (see SIGNATURE_44_CODE_TYPE), 93(4) → 5,
    no tail → 1 (short code); a tail of any other shape → 0 (not identified)."""
    if signature is not None:
        if crypto_key is None or crypto_code is not None:
            return 0
        return {88: 2, 44: SIGNATURE_44_CODE_TYPE}.get(len(signature), 0)
    if crypto_code is not None:
        return 5 if len(crypto_code) == 4 and crypto_key is None else 0
    return NO_TAIL_CODE_TYPE if crypto_key is None else 0


def _assemble(
    raw: str | bytes,
    canonical: str,
    group: str,
    values: dict[str, tuple[str, int]],
    repairs: list[Repair],
    strict: bool,
) -> MarkingCode:
    """Build the record from AI → (value, position in the cleaned text) (the generic path)."""
    gtin, pos = values["01"]
    _gtin_checked(gtin, pos + 13, strict, repairs)
    expiry = None
    for ai in ("17", "7003"):
        if ai in values:
            value, at = values[ai]
            expiry = decode_date(value[:6], ai=ai, position=at)
    return _record(
        raw,
        canonical,
        group,
        gtin,
        values["21"][0],
        values["91"][0] if "91" in values else None,
        values["92"][0] if "92" in values else None,
        values["93"][0] if "93" in values else None,
        expiry,
        int(values["3103"][0]) if "3103" in values else None,
        int(values["8005"][0]) if "8005" in values else None,
        repairs,
    )


def _record(
    raw: str | bytes,
    canonical: str,
    group: str,
    gtin: str,
    serial: str,
    key: str | None,
    signature: str | None,
    check: str | None,
    expiry: datetime.date | None,
    weight: int | None,
    mrp: int | None,
    repairs: list[Repair],
) -> MarkingCode:
    return MarkingCode(
        raw=raw,
        canonical=canonical,
        gtin=gtin,
        serial=serial,
        crypto_key=key,
        signature=signature,
        crypto_code=check,
        expiry=expiry,
        weight=weight,
        mrp=mrp,
        group=group,
        code_type=_code_type(signature, check, key),
        product_code=ProductCode(tag=_GS1_PRODUCT_TAG, value=f"01{gtin}21{serial}"),
        control_code=control_code(canonical),
        repairs=tuple(repairs),
    )


def _canonical(t: Template, m: re.Match[str]) -> str:
    """The element string of a template match, with GS exactly where GS1 needs one."""
    pieces = ["01", m.group(1)]
    prev_var = False
    for i, var in enumerate(t.needs_gs):
        value = m.group(3 + 2 * i)
        if value is None:
            continue
        if prev_var:
            pieces.append(GS)
        pieces += (m.group(2 + 2 * i), value)
        prev_var = var
    return "".join(pieces)


def _from_match(
    raw: str | bytes, t: Template, m: re.Match[str], canonical: str, repairs: list[Repair], strict: bool
) -> MarkingCode:
    """Build the record straight from a template match (the hot path: no dicts of values)."""
    g = m.group
    gtin = g(1)
    if not gtin_valid(gtin):
        _gtin_checked(gtin, m.start(1) + 13, strict, repairs)
    idx = t.index
    expiry = None
    for ai in ("17", "7003"):
        i = idx.get(ai)
        if i is not None:
            expiry = decode_date(g(i)[:6], ai=ai, position=m.start(i))
    i = idx.get("3103")
    weight = int(g(i)) if i is not None and g(i) is not None else None
    i = idx.get("8005")
    mrp = int(g(i)) if i is not None else None
    i = idx.get("91")
    key = g(i) if i is not None else None
    i = idx.get("92")
    signature = g(i) if i is not None else None
    i = idx.get("93")
    check = g(i) if i is not None else None
    return _record(
        raw, canonical, t.group, gtin, g(idx["21"]), key, signature, check, expiry, weight, mrp, repairs
    )


def _pack(raw: str | bytes, m: re.Match[str], repairs: list[Repair], strict: bool) -> MarkingCode:
    gtin, serial, _mrp_code, check = m.groups()
    _gtin_checked(gtin, 13, strict, repairs)
    canonical = m.group()
    return MarkingCode(
        raw=raw,
        canonical=canonical,
        gtin=gtin,
        serial=serial,
        crypto_key=None,
        signature=None,
        crypto_code=check,
        expiry=None,
        weight=None,
        mrp=None,
        group=PACK.group,
        code_type=PACK_CODE_TYPE,
        product_code=ProductCode(tag=PACK_PRODUCT_TAG, value=gtin + serial),
        control_code=control_code(canonical),
        repairs=tuple(repairs),
    )


def _gs_repair(cleaned: str, canonical: str, template: str, repairs: list[Repair]) -> None:
    before, after = cleaned.count(GS), canonical.count(GS)
    if after > before:
        n = after - before
        repairs.append(
            Repair(
                kind="gs_restored",
                message=f"Restored {n} GS separator{'s' if n > 1 else ''} the scanner dropped"
                f" (product-group template {template}).",
            )
        )
    elif after < before:
        n = before - after
        repairs.append(
            Repair(kind="gs_superfluous", message=f"Dropped {n} GS after fixed-length fields (not needed).")
        )


def _by_templates(raw: str | bytes, cleaned: str, repairs: list[Repair], strict: bool) -> MarkingCode | None:
    for t, match in _STRICT:
        m = match(cleaned)
        if m is not None:
            return _from_match(raw, t, m, cleaned, repairs, strict)
    found: dict[str, tuple[Template, re.Match[str]]] = {}
    names: list[str] = []
    for t in TEMPLATES:
        m = t.lenient.fullmatch(cleaned)
        if m is None:
            continue
        found.setdefault(_canonical(t, m), (t, m))
        names.append(t.name)
    if not found:
        return None
    if len(found) > 1:
        raise MarkingCodeError(
            f"could not read marking code: without its GS separators it fits {len(names)} product-group"
            f" templates ({', '.join(names)}); rescan it with GS or set the scanner to send GS",
            candidates=names,
        )
    ((canonical, (t, m)),) = found.items()
    _gs_repair(cleaned, canonical, t.name, repairs)
    return _from_match(raw, t, m, canonical, repairs, strict)


def _generic(raw: str | bytes, cleaned: str, repairs: list[Repair], strict: bool) -> MarkingCode:
    fault = diagnose(cleaned)
    if fault is not None:
        raise fault
    try:
        pairs = parse_generic(cleaned)
    except MarkingCodeError as err:
        if GS in cleaned:
            raise
        raise MarkingCodeError(
            f"{err}; the code has no GS separators and fits no product-group template"
            f" ({len(cleaned)} characters)"
        ) from None
    values: dict[str, tuple[str, int]] = {}
    pieces: list[str] = []
    pos = 0
    for i, (ai, value) in enumerate(pairs):
        if ai in values:
            raise MarkingCodeError(f"could not read marking code: AI {ai} appears twice", ai=ai)
        pos = cleaned.find(ai + value, pos)
        values[ai] = (value, pos + len(ai))
        pieces.append(ai + value)
        end = pos + len(ai) + len(value)
        if i + 1 < len(pairs) and separator_required(ai):
            if cleaned[end : end + 1] != GS:
                # biip cut a variable-length field at its maximum length: a guess, not a reading
                raise MarkingCodeError(
                    f"could not read AI {ai}: no GS ends it and no product-group template fits, so its"
                    f" length is unknown (a generic split would take {len(value)} characters)",
                    position=end,
                    ai=ai,
                )
            pieces.append(GS)
    serial = values["21"][0] if "21" in values else ""
    if GS not in cleaned and not (values.keys() & {"91", "92", "93"}):
        hit = _TAIL_AI.search(serial, 1)
        if hit is not None:
            raise MarkingCodeError(
                "could not read marking code: it has no GS separators and fits no product-group template;"
                f" AI 21 would swallow {serial[hit.start() :]!r}, which looks like a crypto tail",
                position=values["21"][1] + hit.start(),
                ai="21",
            )
    if "21" not in values:
        raise MarkingCodeError("could not read marking code: it has no serial (AI 21)", ai="21")
    repairs.append(
        Repair(kind="generic", message="No product-group template fits; read as a generic GS1 code.")
    )
    for ai, lengths in _TAIL_LENGTHS.items():
        if ai in values and len(values[ai][0]) not in lengths:
            repairs.append(
                Repair(
                    kind="tail_shape",
                    message=f"Warning: AI {ai} has {len(values[ai][0])} characters where «Честный знак»"
                    f" codes carry {' or '.join(map(str, lengths))}.",
                )
            )
    return _assemble(raw, "".join(pieces), "unknown", values, repairs, strict)


def _is_pack(cleaned: str) -> bool:
    """A 29-character code that also reads as "01" GTIN "21" serial(11): the valid GTIN decides."""
    if not (cleaned.startswith("01") and cleaned[2:16].isdigit() and cleaned[16:18] == "21"):
        return True
    as_pack, as_gs1 = gtin_valid(cleaned[:14]), gtin_valid(cleaned[2:16])
    if as_pack and as_gs1:
        raise MarkingCodeError(
            "could not read marking code: its 29 characters read both as a tobacco pack code and as"
            " AI 01 + AI 21 without a crypto tail, with a valid GTIN either way",
            candidates=(PACK.name, "gs1-short"),
        )
    return as_pack


def parse(text: str | bytes, *, strict: bool = True) -> MarkingCode:
    """Read one marking code from whatever the scanner, 1C or a keyboard wedge produced.

    ``strict=False`` turns a wrong GTIN check digit from an error into a warning in ``repairs``.
    Raises :class:`~ffd12.errors.MarkingCodeError` (with position / AI / candidates) and nothing else.

    >>> parse("0104601234567893215Qbag!\\x1d93dGVz").group
    'milk'
    """
    if isinstance(text, str):
        # hot path: a code already in canonical form; the first GS and the AI after it pick the template
        gs_at = text.find(GS, 18)
        for t in DISPATCH.get((gs_at - 18, text[gs_at + 1 : gs_at + 3]), ()):
            m = t.strict.fullmatch(text)
            if m is not None:
                return _from_match(text, t, m, text, [], strict)
    elif isinstance(text, (bytearray, memoryview)):
        text = bytes(text)
    elif not isinstance(text, bytes):
        raise MarkingCodeError(
            f"could not read marking code: expected str or bytes, got {type(text).__name__}"
        )
    cleaned, repairs = clean(text)
    if GS not in cleaned:
        m = PACK.pattern.fullmatch(cleaned)
        if m is not None and _is_pack(cleaned):
            return _pack(text, m, repairs, strict)
    code = _by_templates(text, cleaned, repairs, strict)
    if code is None:
        code = _generic(text, cleaned, repairs, strict)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("parsed %s as %s with %d repairs", code.masked, code.group, len(code.repairs))
    return code
