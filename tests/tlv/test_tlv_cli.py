"""`ffd12 tlv dump` and `ffd12 convert` through click, on the shipped fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ffd12.cli import main
from ffd12.tlv import Tlv, TlvList, decode, encode, formats
from ffd12.tlv.formats import Format, format_for_path, register_format

HEX_1260 = (
    "ec 04 1d 00 ee 04 03 00 30 33 30 ef 04 0a 00 32 31 2e 31 31 2e 32 30 32 33 f0 04 04 00 31 39 34 34"
)


def test_dump_hex_text() -> None:
    result = CliRunner().invoke(main, ["tlv", "dump", "--hex", HEX_1260])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "1260 отраслевой реквизит предмета расчета",
        '  1262 идентификатор ФОИВ: "030"',
        '  1263 дата документа основания: "21.11.2023"',
        '  1264 номер документа основания: "1944"',
    ]


def test_dump_file_json_and_stdin(fixtures_dir: Path) -> None:
    path = fixtures_dir / "tlv" / "receipt-marked.tlv"
    result = CliRunner().invoke(main, ["tlv", "dump", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.output)
    assert tree[0]["tag"] == 3 and tree[0]["name"] == "кассовый чек"
    items = [t for t in tree[0]["value"] if t["tag"] == 1059]
    assert len(items) == 3
    assert {"tag": 1023, "name": "количество предмета расчета", "value": 1} in items[0]["value"]
    result = CliRunner().invoke(main, ["tlv", "dump", "-"], input=path.read_bytes())
    assert result.exit_code == 0 and "1305 КТ GS1.М" in result.output


def test_dump_reports_bad_bytes() -> None:
    result = CliRunner().invoke(main, ["tlv", "dump", "--hex", "0300 0900 1e04 0100"])
    assert result.exit_code == 1
    assert "offset 0" in result.output and "3" in result.output
    result = CliRunner().invoke(main, ["tlv", "dump", "--hex", "zz"])
    assert result.exit_code == 2


def test_convert_both_ways(tmp_path: Path, fixtures_dir: Path) -> None:
    runner = CliRunner()
    tlv_out = tmp_path / "r.tlv"
    source = fixtures_dir / "json" / "receipt-marked.json"
    result = runner.invoke(main, ["convert", str(source), str(tlv_out)])
    assert result.exit_code == 0, result.output
    assert tlv_out.read_bytes() == (fixtures_dir / "tlv" / "receipt-marked.tlv").read_bytes()
    json_out = tmp_path / "r.json"
    result = runner.invoke(main, ["convert", str(tlv_out), str(json_out)])
    assert result.exit_code == 0, result.output
    assert json.loads(json_out.read_text(encoding="utf-8"))["totalSum"] == 24697


def test_convert_overrides_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    wire = encode([Tlv(3, TlvList([Tlv(1020, 100)]))])
    args = ["convert", "--no-check", "-", "-", "--from", "tlv", "--to", "json"]
    result = runner.invoke(main, args, input=wire)
    assert result.exit_code == 0 and json.loads(result.output) == {"code": 3, "totalSum": 100}
    result = runner.invoke(main, ["convert", "-", str(tmp_path / "x.tlv")], input=wire)
    assert result.exit_code == 2  # --from is needed for stdin
    (tmp_path / "a.txt").write_bytes(wire)
    result = runner.invoke(main, ["convert", str(tmp_path / "a.txt"), str(tmp_path / "b.json")])
    assert result.exit_code == 1 and "extension" in result.output
    (tmp_path / "two.tlv").write_bytes(wire + wire)
    result = runner.invoke(main, ["convert", str(tmp_path / "two.tlv"), str(tmp_path / "b.json")])
    assert result.exit_code == 1 and "one top-level" in result.output


def test_a_format_registered_elsewhere_is_used(tmp_path: Path) -> None:
    try:
        _register_and_convert(tmp_path)
    finally:
        formats._REGISTRY.pop("hextest", None)


def _register_and_convert(tmp_path: Path) -> None:
    register_format(
        Format(
            name="hextest",
            extensions=(".hextest",),
            read=lambda data: decode(bytes.fromhex(data.decode()))[0],
            write=lambda doc: encode([doc]).hex().encode(),
        )
    )
    assert format_for_path("doc.HEXTEST").name == "hextest"
    src = tmp_path / "doc.hextest"
    src.write_bytes(encode([Tlv(3, TlvList([Tlv(1020, 5)]))]).hex().encode())
    # a bare 1020 is no valid receipt, so the rules check is switched off for this fragment
    result = CliRunner().invoke(main, ["convert", "--no-check", str(src), str(tmp_path / "doc.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "doc.json").read_text(encoding="utf-8"))["totalSum"] == 5


def test_text_dump_matches_golden(fixtures_dir: Path, update_golden: bool) -> None:
    from ffd12.tlv import render_text

    text = render_text(decode((fixtures_dir / "tlv" / "receipt-marked.tlv").read_bytes())) + "\n"
    golden = fixtures_dir / "tlv" / "receipt-marked.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
