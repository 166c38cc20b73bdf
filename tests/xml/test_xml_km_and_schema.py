"""RequestKM / RequestKMResult / ProcessingKMResult, and XSD validation with line numbers."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from onec_samples import A3_REQUEST_KM_RESULT, A4_PROCESSING_KM_RESULT, A8_CHECK_PACKAGE_25, PERFUME_KM

from ffd12.enums import CheckResult, HandleCode, Measure, PlannedStatus, StatusInfo
from ffd12.errors import XmlError
from ffd12.marking import parse
from ffd12.model import Fraction
from ffd12.xml import (
    ProcessingKMResult,
    RequestKM,
    RequestKMResult,
    read_processing_km_result,
    read_request_km,
    read_request_km_result,
    validate,
    write_processing_km_result,
    write_request_km,
    write_request_km_result,
)
from ffd12.xml.schema import SCHEMAS, schema_path

GUID = "193DDFC8-15DF-4B14-AE84-1D5B741BC0AC"


def test_1c_samples_of_km_results() -> None:
    result, warnings = read_request_km_result(A3_REQUEST_KM_RESULT)
    assert result == RequestKMResult(checking=True, checking_result=True) and warnings == []
    processing, _ = read_processing_km_result(A4_PROCESSING_KM_RESULT.encode())
    assert processing == ProcessingKMResult(
        guid=GUID, result=True, handle_code=HandleCode.OK, status_info=StatusInfo.CORRECT
    )
    assert validate(A3_REQUEST_KM_RESULT) == [] and validate(A4_PROCESSING_KM_RESULT) == []


def test_request_km_round_trip_and_exact_text() -> None:
    request = RequestKM(
        guid=GUID,
        marking_code=parse(PERFUME_KM),
        planned_status=PlannedStatus.MEASURED_SOLD,
        quantity=Decimal("0.500"),
        measure=Measure.LITRE,
        fraction=Fraction(numerator=1, denominator=2),
        wait_for_result=True,
        not_send_to_server=False,
    )
    text = write_request_km(request)
    b64 = base64.b64encode(PERFUME_KM.encode()).decode()
    assert text.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<RequestKM GUID="{GUID}" WaitForResult="true" MarkingCode="{b64}" PlannedStatus="2" Quantity="0.5" '
        'MeasureOfQuantity="41" NotSendToServer="false">\n'
        '\t<FractionalQuantity Numerator="1" Denominator="2"/>\n'
        "</RequestKM>\n"
    )
    assert validate(text) == []
    again, warnings = read_request_km(text)
    assert again == request and warnings == []


def test_request_km_minimal_irp_form() -> None:
    b64 = base64.b64encode(PERFUME_KM.encode()).decode()
    request, _ = read_request_km(f'<RequestKM GUID="g" MarkingCode="{b64}" PlannedStatus="3"/>')
    assert request.planned_status is PlannedStatus.PIECE_RETURNED and request.quantity is None
    assert request.marking_code.gtin == "03660005150840"


def test_processing_result_with_4x_result_code() -> None:
    result = ProcessingKMResult(
        guid="g",
        result=False,
        handle_code=HandleCode.OK,
        result_code=CheckResult(7),
        status_info=StatusInfo.INCORRECT,
    )
    text = write_processing_km_result(result)
    assert b'Result="false" ResultCode="7" StatusInfo="2" HandleCode="0"' in text
    assert read_processing_km_result(text).value == result
    assert write_request_km_result(RequestKMResult(checking=True, checking_result=False)).endswith(
        b'<RequestKMResult Checking="true" CheckingResult="false"/>\n'
    )


@pytest.mark.parametrize(
    "doc",
    [
        '<ProcessingKMResult GUID="g" Result="maybe" HandleCode="0"/>',
        '<ProcessingKMResult GUID="g" Result="true" HandleCode="7"/>',
        '<ProcessingKMResult GUID="g" Result="true" HandleCode="0" ResultCode="64"/>',
        '<ProcessingKMResult Result="true" HandleCode="0"/>',
        '<RequestKM GUID="g" MarkingCode="bm90IGEgY29kZQ==" PlannedStatus="1"/>',
        '<RequestKM GUID="g" MarkingCode="MDEwMzY2MDAwNTE1MDg0MDIxcGpscWE3cClQcVIp" PlannedStatus="9"/>',
        "<RequestKMResult Checking='True'/>",
    ],
)
def test_km_documents_refuse_bad_values(doc: str) -> None:
    reader = {"P": read_processing_km_result, "R": read_request_km}[doc[1]]
    if doc.startswith("<RequestKMResult"):
        reader = read_request_km_result
    with pytest.raises(XmlError):
        reader(doc)


def test_schema_errors_carry_line_numbers() -> None:
    issues = validate(A8_CHECK_PACKAGE_25)
    assert issues[0].line == 3 and "PaymentType" in issues[0].message
    assert any(i.line == 8 and "'Tax'" in i.message for i in issues)
    assert any(i.line == 5 and "PurveyorData" in i.message for i in issues)
    bad_vat = (
        '<CheckPackage>\n<Parameters CashierName="К" OperationType="1" TaxationSystem="0"/>\n<Positions>\n'
        '<FiscalString Name="x" Quantity="1" PriceWithDiscount="1" AmountWithDiscount="1" VATRate="18"/>\n'
        "</Positions></CheckPackage>"
    )
    [issue] = validate(bad_vat)
    assert issue.line == 4 and "VATRate" in issue.message and str(issue).startswith("line 4: ")


def test_schemas_are_package_data() -> None:
    for name in SCHEMAS:
        with open(schema_path(name), encoding="utf-8") as handle:
            assert "xs:schema" in handle.read()
    with pytest.raises(XmlError, match="no schema"):
        validate("<Unknown/>")
