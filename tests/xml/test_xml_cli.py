"""`ffd12 validate` and `ffd12 convert` with .xml, through the real click entry point."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from onec_samples import A8_CHECK_PACKAGE_25

from ffd12.cli import main
from ffd12.tlv import decode

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"


def test_validate_ok_for_a_golden_receipt_in_each_format() -> None:
    runner = CliRunner()
    for name in ("checkpackage.xml", "receipt.tlv", "receipt.json"):
        result = runner.invoke(main, ["validate", str(GOLDEN / "tobacco_mrp" / name)])
        assert result.exit_code == 0, result.output
        assert "OK: receipt with 2 item(s), total 273.45" in result.output


def test_validate_prints_violations_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(A8_CHECK_PACKAGE_25.replace('Quantity="12"', 'Quantity="13"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "customer.inn: 1228 ИНН must be 10 or 12 digits with valid check digits, got '12412341241241'",
        "items[0].amount: 1043 = 24000 but price × quantity = 26000 (±1 kopeck allowed)",
    ]
    assert "warning: Parameters.PaymentType (line 3)" in result.stderr


def test_validate_schema_reports_lines(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["validate", "--schema", str(GOLDEN / "legacy_ffd105" / "checkpackage.xml")]
    )
    assert result.exit_code == 1
    assert "schema: line 3: Element 'Parameters', attribute 'PaymentType'" in result.stdout


def test_validate_unreadable_file_is_a_clean_error(tmp_path: Path) -> None:
    hostile = tmp_path / "x.xml"
    hostile.write_bytes(b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')
    result = CliRunner().invoke(main, ["validate", str(hostile)])
    assert result.exit_code == 1 and "DOCTYPE or ENTITY" in result.output


def test_convert_xml_to_tlv_and_back(tmp_path: Path) -> None:
    runner = CliRunner()
    source = GOLDEN / "marked_shoes" / "checkpackage.xml"
    out = tmp_path / "r.tlv"
    assert runner.invoke(main, ["convert", str(source), str(out)]).exit_code == 0
    assert out.read_bytes() == (GOLDEN / "marked_shoes" / "receipt.tlv").read_bytes()
    back = tmp_path / "r.xml"
    assert runner.invoke(main, ["convert", str(out), str(back)]).exit_code == 0
    [doc] = decode(out.read_bytes())
    assert b'GS1.M="' in back.read_bytes() and doc.tag == 3


def test_convert_refuses_an_invalid_receipt(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(A8_CHECK_PACKAGE_25, encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(bad), str(tmp_path / "bad.tlv")])
    assert result.exit_code == 1 and "customer.inn" in result.output
    assert not (tmp_path / "bad.tlv").exists()


def _wrong_sum(tmp_path: Path) -> Path:
    """The marked-shoes golden input with an item sum that is not price × quantity."""
    text = (GOLDEN / "marked_shoes" / "checkpackage.xml").read_text(encoding="utf-8")
    assert 'AmountWithDiscount="5990"' in text
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace('AmountWithDiscount="5990"', 'AmountWithDiscount="5900"'), encoding="utf-8")
    return bad


def test_convert_no_check_writes_an_invalid_receipt(tmp_path: Path) -> None:
    out = tmp_path / "bad.tlv"
    refused = CliRunner().invoke(main, ["convert", str(_wrong_sum(tmp_path)), str(out)])
    assert refused.exit_code == 1 and "items[0]" in refused.output and not out.exists()
    result = CliRunner().invoke(main, ["convert", "--no-check", str(_wrong_sum(tmp_path)), str(out)])
    assert result.exit_code == 0, result.output
    [doc] = decode(out.read_bytes())
    assert doc.tag == 3


def test_convert_checks_receipts_from_any_format(tmp_path: Path) -> None:
    """An invalid receipt is refused when it comes as TLV too, not only as XML."""
    tlv = tmp_path / "bad.tlv"
    runner = CliRunner()
    assert runner.invoke(main, ["convert", "--no-check", str(_wrong_sum(tmp_path)), str(tlv)]).exit_code == 0
    result = runner.invoke(main, ["convert", str(tlv), str(tmp_path / "bad.json")])
    assert result.exit_code == 1 and "items[0]" in result.output
    assert not (tmp_path / "bad.json").exists()
