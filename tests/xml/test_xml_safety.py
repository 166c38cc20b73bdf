"""Hostile and broken XML: every failure is an XmlError, fast, and nothing is read from disk or network."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onec_samples import A1_CHECK_PACKAGE_12, A8_CHECK_PACKAGE_25

from ffd12.errors import XmlError
from ffd12.xml import (
    read_check_package,
    read_processing_km_result,
    read_request_km,
    read_request_km_result,
    validate,
)
from ffd12.xml.safe import MAX_DEPTH, MAX_XML_BYTES, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<CheckPackage><Parameters CashierName="&lol9;" OperationType="1" TaxationSystem="0"/></CheckPackage>"""


def xxe(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{target}">]>'
        '<CheckPackage><Parameters CashierName="&x;" OperationType="1" TaxationSystem="0"/>'
        "</CheckPackage>"
    ).encode()


@pytest.mark.parametrize(
    "doc",
    [
        BILLION_LAUGHS,
        xxe("file:///etc/passwd"),
        xxe("http://127.0.0.1:9/evil"),
        b'<!DOCTYPE CheckPackage SYSTEM "http://127.0.0.1:9/x.dtd"><CheckPackage/>',
        b"<?xml version='1.0'?>\n<!doctype a><a/>",
        BILLION_LAUGHS.decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
        .encode("utf-16"),
    ],
    ids=["billion-laughs", "xxe-file", "xxe-http", "external-dtd", "lowercase-doctype", "utf16-laughs"],
)
def test_hostile_documents_are_refused_quickly(doc: bytes) -> None:
    started = time.monotonic()
    for reader in (read_check_package, read_request_km, validate):
        with pytest.raises(XmlError) as info:
            reader(doc)
        assert "root:" not in str(info.value)  # nothing of /etc/passwd leaks into the message
    assert time.monotonic() - started < 1.0


def test_size_cap() -> None:
    doc = b"<CheckPackage>" + b" " * MAX_XML_BYTES + b"</CheckPackage>"
    with pytest.raises(XmlError, match="limit"):
        read_check_package(doc)


def test_depth_cap() -> None:
    doc = "<a>" * (MAX_DEPTH + 1) + "</a>" * (MAX_DEPTH + 1)
    with pytest.raises(XmlError, match="nested deeper"):
        parse_xml(doc)
    assert parse_xml("<a>" * MAX_DEPTH + "</a>" * MAX_DEPTH).tag == "a"


def test_malformed_document_names_the_line() -> None:
    with pytest.raises(XmlError) as info:
        read_check_package(b"<CheckPackage>\n<Parameters>\n</CheckPackage>")
    assert info.value.line == 3


def test_cp1251_declared_as_utf8_is_read_with_warning() -> None:
    doc = A8_CHECK_PACKAGE_25.encode("cp1251")
    receipt, warnings = read_check_package(doc)
    assert receipt.items[0].name == "Картошка"
    assert warnings[0].message == "not UTF-8 as declared; read as cp1251"


def test_declared_cp1251_is_honoured() -> None:
    doc = A8_CHECK_PACKAGE_25.replace('encoding="UTF-8"', 'encoding="windows-1251"').encode("cp1251")
    receipt, warnings = read_check_package(doc)
    assert receipt.cashier == "Казакова Н.А."
    assert not any("cp1251" in w.message for w in warnings)


READERS = (read_check_package, read_request_km, read_request_km_result, read_processing_km_result)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_fuzz_random_bytes_only_xml_errors(data: bytes) -> None:
    for reader in READERS:
        try:
            reader(data)
        except XmlError:
            pass


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([A1_CHECK_PACKAGE_12.encode(), A8_CHECK_PACKAGE_25.encode()]),
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.binary(max_size=6)), min_size=1, max_size=4
    ),
    st.integers(min_value=0, max_value=8),
)
def test_fuzz_mutated_1c_documents_only_xml_errors(
    base: bytes, edits: list[tuple[int, bytes]], cut: int
) -> None:
    doc = bytearray(base)
    for where, patch in edits:
        at = where % len(doc)
        doc[at : at + cut] = patch
    try:
        read_check_package(bytes(doc))
    except XmlError:
        pass


ATTRIBUTE_VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "1", "0", "-1", "1e400", "NaN", "1.005", "True", "none", "18/118", "99", "  5 "]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["OperationType", "TaxationSystem", "AgentType", "CashierINN", "OperationOnline"]),
    st.sampled_from(
        [
            "Quantity",
            "PriceWithDiscount",
            "VATRate",
            "VATAmount",
            "MeasureOfQuantity",
            "PaymentMethod",
            "CalculationSubject",
            "CalculationAgent",
            "MarkingCode",
            "Department",
        ]
    ),
    ATTRIBUTE_VALUES,
    ATTRIBUTE_VALUES,
)
def test_fuzz_attribute_values_only_xml_errors(head: str, item: str, v1: str, v2: str) -> None:
    from xml.sax.saxutils import quoteattr

    doc = (
        '<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0" '
        f"{head}={quoteattr(v1)}/>"
        f'<Positions><FiscalString Name="x" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" '
        f'VATRate="20" {item}={quoteattr(v2)}/></Positions></CheckPackage>'
    )
    try:
        read_check_package(doc)
    except XmlError:
        pass
    except ValueError as exc:  # lxml refuses some control characters only when building, never here
        raise AssertionError(f"untyped error {exc!r}") from exc


def test_positions_cap() -> None:
    from ffd12.xml.read_check import MAX_POSITIONS

    doc = (
        '<CheckPackage><Parameters CashierName="К" OperationType="1" TaxationSystem="0"/><Positions>'
        + '<TextString Text=""/>' * (MAX_POSITIONS + 1)
        + "</Positions></CheckPackage>"
    )
    with pytest.raises(XmlError, match="at most"):
        read_check_package(doc)
