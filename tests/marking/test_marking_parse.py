"""ffd12.marking.parse on hand-written codes: every input form, every field, every error."""

from __future__ import annotations

import base64
import dataclasses
import datetime

import pytest

import ffd12
from ffd12.marking import MarkingCode, MarkingCodeError, parse

GS = "\x1d"
# GTINs with check digits computed by hand: 0460123456789 → 3, 0460704243920 → 9, 0366000515084 → 0
GTIN = "04601234567893"
SIG44 = "ZmZkMTIgcmVhZG1lIHNhbXBsZSBzaWduYXR1cmUhISEh"
SIG88 = SIG44 + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZn"
MILK = f"01{GTIN}215Qbag!{GS}93dGVz"
COMMON = f"01{GTIN}215Qbag!mP7sX3Y{GS}91FFD0{GS}92{SIG44}"


def test_clean_canonical_code_reads_every_field() -> None:
    code = parse(COMMON)
    assert code.raw == COMMON
    assert code.canonical == COMMON
    assert code.gtin == GTIN
    assert code.serial == "5Qbag!mP7sX3Y"
    assert code.crypto_key == "FFD0"
    assert code.signature == SIG44
    assert code.crypto_code is None
    assert code.group == "common"
    assert code.code_type == 4
    assert code.product_code == ffd12.marking.ProductCode(tag=1305, value=f"01{GTIN}215Qbag!mP7sX3Y")
    assert code.repairs == ()
    assert code.expiry is None and code.weight is None and code.mrp is None
    assert not code.is_measured


def test_model_is_frozen_and_repr_is_masked() -> None:
    code = parse(COMMON)
    with pytest.raises(dataclasses.FrozenInstanceError):
        code.serial = "x"  # type: ignore[misc]
    assert code.masked == f"{GTIN}5Q…"
    assert "mP7sX3Y" not in repr(code) and SIG44 not in repr(code)


def test_control_code_is_crc32_last_four_digits_spec_vectors() -> None:
    # spec/ffd12-tlv.md §4.2 test vectors from the SHTRIH Tag2115 test
    assert ffd12.marking.control_code("29293847568") == "0976"
    assert ffd12.marking.control_code("2938479283749287skdjfhksjdfh") == "1325"
    import zlib

    assert parse(MILK).control_code == f"{zlib.crc32(MILK.encode()) % 10000:04d}"


def test_88_character_signature_is_code_type_2() -> None:
    code = parse(f"01{GTIN}21AK-rO?H!hC2(M{GS}91003A{GS}92{SIG88}")
    assert code.signature == SIG88 and code.code_type == 2 and code.group == "common"


def test_short_tail_is_code_type_5() -> None:
    code = parse(MILK)
    assert (code.crypto_code, code.code_type, code.group) == ("dGVz", 5, "milk")


@pytest.mark.parametrize(
    "text",
    [
        MILK.replace(GS, " "),
        MILK.replace(GS, "|"),
        MILK.replace(GS, "\\u001d"),
        MILK.replace(GS, "\\x1d"),
        MILK.replace(GS, "<GS>"),
        MILK.replace(GS, "{GS}"),
        MILK.replace(GS, "^]"),
        MILK.replace(GS, "{FNC1}"),
        GS + MILK,
        "]d2" + MILK,
        "]C1" + MILK,
        "]Q3" + MILK,
        MILK + "\r\n",
        MILK + "\t",
        MILK.replace(GS, ""),
        base64.b64encode(MILK.encode()).decode(),
        f"(01){GTIN}(21)5Qbag!(93)dGVz",
        MILK.encode(),
    ],
)
def test_damaged_forms_of_a_milk_code(text: str | bytes) -> None:
    code = parse(text)
    assert code.canonical == MILK
    assert code.raw == text
    if text not in (MILK, MILK.encode()):
        assert code.repairs, "every change must be reported"
    assert all(r.message and r.message[0].isupper() for r in code.repairs)


def test_dropped_gs_short_code_that_biip_mis_splits() -> None:
    import biip

    gsless = MILK.replace(GS, "")
    biip_serial = [es.value for es in biip.parse(gsless).gs1_message.element_strings if es.ai.ai == "21"]
    assert biip_serial == ["5Qbag!93dGVz"]  # the generic parser swallows the tail silently
    code = parse(gsless)
    assert code.serial == "5Qbag!" and code.crypto_code == "dGVz"
    assert [r.kind for r in code.repairs] == ["gs_restored"]
    assert "milk-6" in code.repairs[0].message


def test_russian_layout_is_mapped_back() -> None:
    # "5Qbag!" typed on a Russian layout: Q→Й b→и a→ф g→п; tail dGVz → вПМя
    typed = f"01{GTIN}215Йифп!{GS}93вПМя"
    code = parse(typed)
    assert code.canonical == MILK
    assert code.repairs[0].kind == "keyboard_layout"
    assert "ЙЦУКЕН" in code.repairs[0].message


def test_russian_layout_maps_punctuation_too() -> None:
    # '&' is Shift+7, which a Russian layout types as '?'; '/' is typed as '.'
    canonical = f"01{GTIN}21a&b/cd{GS}93Wxyz"
    typed = f"01{GTIN}21ф?и.св{GS}93Цчня"
    assert parse(typed).canonical == canonical


def test_onec_base64_sample_decodes_to_the_perfume_code() -> None:
    # samples/onec-xml.md A1/A12
    b64 = (
        "MDEwMzY2MDAwNTE1MDg0MDIxcGpscWE3cClQcVIpSB05MUVFMDYdOTI2enF3bGJMY2Z5YUZFZWtIU084b1hDZlVQY3hH"
        "czhYbW9HQTFIb0Q4K0VzPQ=="
    )
    code = parse(b64)
    assert code.canonical == (
        "010366000515084021pjlqa7p)PqR)H\x1d91EE06\x1d926zqwlbLcfyaFEekHSO8oXCfUPcxGs8XmoGA1HoD8+Es="
    )
    assert code.group == "common" and code.serial == "pjlqa7p)PqR)H" and code.crypto_key == "EE06"
    assert code.base64() == b64


def test_onec_base64_with_line_breaks_every_76_characters() -> None:
    code = f"01{GTIN}21AK-rO?H!hC2(M{GS}91003A{GS}92{SIG88}"
    wrapped = base64.encodebytes(code.encode()).decode().replace("\n", "\r\n")
    assert wrapped.count("\r\n") >= 2
    assert parse(wrapped).canonical == code


def test_tobacco_pack_29_chars() -> None:
    # samples/onec-xml.md A12, B1 README log: 14-digit GTIN, 7 serial, 4 MRP, 4 check code, no AIs
    code = parse("00840147505712Zz;ZnRbAAAAdGVz")
    assert code.group == "tobacco_pack"
    assert (code.gtin, code.serial, code.crypto_code) == ("00840147505712", "Zz;ZnRb", "dGVz")
    assert code.product_code.tag == 1306 and code.product_code.value == "00840147505712Zz;ZnRb"
    assert code.code_type == 1


def test_tobacco_block_mrp_in_kopecks() -> None:
    code = parse(f"01{GTIN}21Ab3-5x7{GS}8005015000{GS}93AbCd")
    assert code.group == "tobacco_block" and code.mrp == 15000 and code.code_type == 5


def test_milk_with_expiry_and_weight() -> None:
    code = parse(f"01{GTIN}21ABCDEFGHIJKLM{GS}1725033193AbCd{GS}3103001250")
    assert code.group == "milk"
    assert code.expiry == datetime.date(2025, 3, 31)
    assert code.weight == 1250 and code.is_measured


def test_milk_7003_expiry_date_and_time() -> None:
    code = parse(f"01{GTIN}21ABCDEFGHIJKLM{GS}70032512312359{GS}93AbCd")
    assert code.expiry == datetime.date(2025, 12, 31)


def test_day_00_means_last_day_of_month() -> None:
    code = parse(f"01{GTIN}21ABCDEFGHIJKLM{GS}1724020093AbCd")
    assert code.expiry == datetime.date(2024, 2, 29)


def test_beer_with_volume_and_shoes_with_240() -> None:
    assert parse(f"01{GTIN}21Ab3-5x7{GS}93AbCd{GS}3353000500").group == "beer"
    shoes = parse(f"01{GTIN}21ABCDEFGHIJKLM{GS}240Ab12{GS}91FFD0{GS}92{SIG44}")
    assert shoes.group == "shoes" and shoes.serial == "ABCDEFGHIJKLM"


def test_camera_seafood_water_medicines() -> None:
    assert parse(f"01{GTIN}21ABCDEFGHIJKLMNOPQRST{GS}91FFD0{GS}92{SIG44}").group == "camera"
    assert parse(f"01{GTIN}21ABCDEF{GS}91FFD0{GS}92{SIG44}").group == "seafood"
    assert parse(f"01{GTIN}21ABCDEFGHIJKLM{GS}93AbCd").group == "water"
    med = parse(f"01{GTIN}21ABCDEFGHIJKLM{GS}1727013110LOT-42{GS}91FFD0{GS}92{SIG44}")
    assert med.group == "medicines" and med.expiry == datetime.date(2027, 1, 31)


def test_ambiguous_gsless_code_lists_candidates() -> None:
    # shoes 21(13)+240(4) and camera 21(20) have the same length once the GS are gone
    gsless = f"01{GTIN}21ABCDEFGHIJKLM240Ab1291FFD092{SIG44}"
    with pytest.raises(MarkingCodeError) as err:
        parse(gsless)
    assert set(err.value.candidates) == {"camera", "shoes"}
    assert "camera" in str(err.value) and "shoes" in str(err.value)


def test_wrong_gtin_check_digit_is_an_error_with_position() -> None:
    # seed 002's made-up example carries a wrong check digit (should be 9)
    with pytest.raises(MarkingCodeError) as err:
        parse("010460704243920021nqmQ&IjzWJ+T*93dGVs")
    assert "GTIN check digit should be 9, the code has 0" in str(err.value)
    assert err.value.position == 15 and err.value.ai == "01"


def test_wrong_gtin_check_digit_is_a_warning_when_not_strict() -> None:
    code = parse("010460704243920021nqmQ&IjzWJ+T*93dGVs", strict=False)
    assert code.gtin == "04607042439200" and code.group == "water"
    assert code.repairs[-1].kind == "gtin_check_digit"
    assert "should be 9" in code.repairs[-1].message


@pytest.mark.parametrize(
    ("text", "position", "ai", "fragment"),
    [
        ("xyz", 0, "01", "expected AI 01"),
        (f"01{GTIN[:5]}x", 7, "01", "14 digits of GTIN"),
        (f"01{GTIN}22ABC", 16, "21", "expected AI 21"),
        (f"01{GTIN}21ABCDEF{GS}93AbCd{GS}17251399", 2, None, ""),
        ("", 0, None, "empty"),
        (f"01{GTIN}21ABCDEF€{GS}93AbCd", 24, None, "outside the GS1 character set"),
    ],
)
def test_errors_say_what_and_where(text: str, position: int | None, ai: str | None, fragment: str) -> None:
    with pytest.raises(MarkingCodeError) as err:
        parse(text)
    if fragment:
        assert fragment in str(err.value)
        assert err.value.position == position and err.value.ai == ai


def test_invalid_month_in_ai_17() -> None:
    with pytest.raises(MarkingCodeError) as err:
        parse(f"01{GTIN}21ABCDEFGHIJKLM{GS}1725133193AbCd")
    assert err.value.ai == "17" and "month" in str(err.value)


def test_bad_utf8_bytes() -> None:
    with pytest.raises(MarkingCodeError) as err:
        parse(b"01\xff")
    assert err.value.position == 2


def test_gsless_unknown_shape_is_refused_not_mis_split() -> None:
    # serial of 10 matches no template; biip would read 21 = "ABCDEFGHIJ93AbCd"
    with pytest.raises(MarkingCodeError) as err:
        parse(f"01{GTIN}21ABCDEFGHIJ93AbCd")
    assert err.value.ai == "21" and "crypto tail" in str(err.value)


def test_unknown_shape_with_gs_goes_through_biip() -> None:
    code = parse(f"01{GTIN}21ABCDEFGHIJ{GS}93AbCd")
    assert code.group == "unknown" and code.serial == "ABCDEFGHIJ" and code.crypto_code == "AbCd"
    assert code.repairs[-1].kind == "generic"


def test_case_inverted_flips_serial_and_tail_only() -> None:
    code = parse(COMMON)
    inv = code.case_inverted()
    assert inv.gtin == GTIN
    assert inv.serial == "5qBAG!Mp7Sx3y"
    assert inv.crypto_key == "ffd0"
    assert inv.canonical == f"01{GTIN}215qBAG!Mp7Sx3y{GS}91ffd0{GS}92{SIG44.swapcase()}"
    assert inv.product_code.value == f"01{GTIN}215qBAG!Mp7Sx3y"
    assert inv.control_code == ffd12.marking.control_code(inv.canonical)
    assert inv.repairs[-1].kind == "case_inverted"
    assert inv.case_inverted().canonical == code.canonical


def test_json_safe_and_as_json() -> None:
    code = parse(MILK)
    assert code.json_safe == f"01{GTIN}215Qbag!\\u001d93dGVz"
    data = code.as_json()
    assert data["tag_2100"] == 5 and data["tag_2115"] == code.control_code
    assert data["product_code"] == {"tag": 1305, "value": f"01{GTIN}215Qbag!"}


def test_marking_code_validates_on_construction() -> None:
    code = parse(MILK)
    with pytest.raises(ValueError):
        dataclasses.replace(code, gtin="123")
    with pytest.raises(ValueError):
        dataclasses.replace(code, code_type=9)
    assert isinstance(code, MarkingCode)


def test_non_text_input_is_a_marking_code_error() -> None:
    with pytest.raises(MarkingCodeError):
        parse(42)  # type: ignore[arg-type]
    assert parse(bytearray(MILK.encode())).canonical == MILK  # type: ignore[arg-type]


def test_too_long_input_is_refused() -> None:
    with pytest.raises(MarkingCodeError):
        parse("0" * 5000)


@pytest.mark.parametrize(
    ("tail", "code_type"),
    [
        (f"{GS}91FFD0{GS}92{SIG44[:43]}", 0),
        (f"{GS}93AbCdE", 0),
        (f"{GS}91FFD0", 0),
        (f"{GS}92{SIG44}", 0),
        ("", 1),
    ],
)
def test_unknown_tail_shapes_are_type_0(tail: str, code_type: int) -> None:
    code = parse(f"01{GTIN}21ABCDEFGHIJK{tail}")
    assert code.group == "unknown" and code.code_type == code_type
    if tail.endswith(SIG44[:43]):
        assert "AI 92 has 43 characters" in code.repairs[-1].message


def test_gsless_code_of_no_known_shape_says_so() -> None:
    with pytest.raises(MarkingCodeError) as err:
        parse(f"01{GTIN}21ABCDEFGHIJKLMN91FFD092{SIG44}")
    assert "no GS ends it" in str(err.value)
    assert err.value.ai == "21" and err.value.position == 38


def test_29_chars_that_read_as_pack_and_as_gs1_pick_the_valid_gtin() -> None:
    gs1_short = f"01{GTIN}21ABCDEFGHIJK"  # also 14 digits + 15 characters, but "01046012345678" fails
    assert len(gs1_short) == 29 and parse(gs1_short).group == "unknown"
    # "01000000000009" (check digit 9) and "00000000000901" (check digit 1) are both valid GTINs
    both = "010000000000090121ABCDEFGHIJK"
    with pytest.raises(MarkingCodeError) as err:
        parse(both)
    assert err.value.candidates == ("tobacco-pack", "gs1-short")


def test_gsless_code_biip_cannot_split_says_why() -> None:
    with pytest.raises(MarkingCodeError) as err:
        parse(f"01{GTIN}21{'A' * 22}")
    assert "no GS separators and fits no product-group template (40 characters)" in str(err.value)
