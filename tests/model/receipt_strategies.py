"""Hypothesis strategies for receipts that satisfy every FFD 1.2 rule of ffd12.rules.

``receipts(for_xml=True)`` leaves out what a CheckPackage cannot carry (2106, 1012, 1020);
``receipts(for_tlv=True)`` leaves out what a receipt TLV cannot carry (print-only 1C data).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import strategies as st

from ffd12.enums import (
    AgentType,
    CheckResult,
    CorrectionType,
    Measure,
    Operation,
    PaymentMethod,
    PlannedStatus,
    Subject,
    Taxation,
    VatRate,
)
from ffd12.marking import ProductCode, parse
from ffd12.model import (
    AgentData,
    Barcode,
    Correction,
    Customer,
    Fraction,
    IndustryRequisite,
    Item,
    OperationalRequisite,
    Payments,
    Receipt,
    Supplier,
    TextLine,
    UserRequisite,
)

CYRILLIC = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюяё"
ALPHABET = CYRILLIC + "ABCxyz0189 .,-№%&<>\"'/=()"

MARKING_CODES = (
    "0104601234567893215Qbag!\x1d93dGVz",
    "0104601234567893215Qbag?\x1d93dGVz",
    "010460123456789321ABCDEFGHIJKLM\x1d91EE06\x1d92" + "A" * 44,
    "010366000515084021pjlqa7p)PqR)H\x1d91EE06\x1d926zqwlbLcfyaFEekHSO8oXCfUPcxGs8XmoGA1HoD8+Es=",
    "0104607010350246215Ds>JRjNE!jZ!\x1d93dGVz",
)
PARSED = tuple(parse(code) for code in MARKING_CODES)


@functools.cache
def text(min_size: int = 1, max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(ALPHABET, min_size=min_size, max_size=max_size).filter(
        lambda s: s.strip() == s and s != ""
    )


@functools.cache
def opt(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


def _inn_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10


@st.composite
def inns(draw: st.DrawFn, length: int | None = None) -> str:
    size = length or draw(st.sampled_from([10, 12]))
    if size == 10:
        digits = draw(st.lists(st.integers(0, 9), min_size=9, max_size=9))
        digits.append(_inn_digit(digits, (2, 4, 10, 3, 5, 9, 4, 6, 8)))
    else:
        digits = draw(st.lists(st.integers(0, 9), min_size=10, max_size=10))
        digits.append(_inn_digit(digits, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)))
        digits.append(_inn_digit(digits, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)))
    return "".join(map(str, digits))


phones = st.from_regex(r"\+7[0-9]{10}", fullmatch=True)
dates = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2030, 12, 31))
moments = st.datetimes(min_value=dt.datetime(2021, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda m: m.replace(microsecond=0)
)
industry = st.builds(
    IndustryRequisite,
    foiv=st.from_regex(r"[0-9]{3}", fullmatch=True),
    doc_date=dates.map(lambda d: d.strftime("%d.%m.%Y")),
    doc_number=text(max_size=10),
    value=text(max_size=60),
)


AGENTS = opt(
    st.builds(
        AgentData,
        operation=opt(text(max_size=20)),
        phones=st.lists(phones, max_size=2).map(tuple),
        processor_phones=st.lists(phones, max_size=1).map(tuple),
        operator_phones=st.lists(phones, max_size=1).map(tuple),
        operator_name=opt(text()),
        operator_address=opt(text()),
        operator_inn=opt(inns()),
    ).filter(bool)
)
CUSTOMERS = opt(
    st.builds(
        Customer,
        name=opt(text()),
        inn=opt(inns()),
        birth_date=opt(
            st.dates(dt.date(1930, 1, 1), dt.date(2005, 1, 1)).map(lambda d: d.strftime("%d.%m.%Y"))
        ),
        citizenship=opt(st.just("643")),
        document_code=opt(st.just("21")),
        document_data=opt(text(max_size=30)),
        address=opt(text()),
    ).filter(bool)
)


def _share(amount: int, rate: VatRate) -> int:
    num, den = rate.fraction
    return int((amount * num / den).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@st.composite
def items(draw: st.DrawFn, operation: Operation, code_index: int | None, for_xml: bool) -> Item:
    price = draw(st.integers(0, 10_000_000))
    vat = draw(st.sampled_from(list(VatRate)))
    fraction = None
    planned = None
    code = None
    if code_index is not None:
        code = PARSED[code_index]
        measure = Measure.PIECE
        quantity = Decimal(1)
        subject = draw(st.sampled_from([Subject.MARKED_GOODS, Subject.EXCISE_MARKED, Subject.GOODS]))
        if draw(st.booleans()):
            den = draw(st.integers(2, 20))
            fraction = Fraction(numerator=draw(st.integers(1, den - 1)), denominator=den)
        sale = operation is Operation.SALE
        if fraction is None:
            planned = PlannedStatus.PIECE_SOLD if sale else PlannedStatus.PIECE_RETURNED
        else:
            planned = PlannedStatus.MEASURED_SOLD if sale else PlannedStatus.MEASURED_RETURNED
    else:
        measure = draw(st.sampled_from(list(Measure)))
        quantity = Decimal(draw(st.integers(1, 10**7))).scaleb(-draw(st.integers(0, 3)))
        subject = draw(
            st.sampled_from([s for s in Subject if s not in (Subject.MARKED_GOODS, Subject.EXCISE_MARKED)])
        )
        if subject in (Subject.MARKED_GOODS_NO_CODE, Subject.EXCISE_MARKED_NO_CODE):
            subject = Subject.GOODS
    effective = quantity * (fraction.value if fraction else 1)
    amount = int((price * effective).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    agent_type = draw(opt(st.sampled_from([AgentType(1 << n) for n in range(7)])))
    supplier = None
    agent = None
    if agent_type is not None:
        supplier = Supplier(
            phones=tuple(draw(st.lists(phones, max_size=1))), name=draw(opt(text())), inn=draw(inns())
        )
        agent = draw(AGENTS)
    codes = draw(st.sampled_from([(), (ProductCode(tag=1302, value="4601234567893"),)]))
    return Item(
        name=draw(text(max_size=60)),
        price=price,
        quantity=quantity,
        amount=amount,
        vat=vat,
        vat_amount=draw(st.sampled_from([None, _share(amount, vat)])),
        subject=subject,
        payment_method=draw(st.sampled_from(list(PaymentMethod))),
        measure=measure,
        marking_code=code,
        product_codes=codes,
        planned_status=planned,
        check_result=None
        if for_xml
        else draw(opt(st.sampled_from([CheckResult(15), CheckResult(0), CheckResult(3)]))),
        fraction=fraction,
        industry_requisites=tuple(draw(st.lists(industry, max_size=2))),
        agent_type=agent_type,
        agent=agent,
        supplier=supplier,
        excise=draw(opt(st.integers(0, 10**6))),
        country=draw(opt(st.sampled_from(["643", "156", "860"]))),
        customs_declaration=draw(opt(text(max_size=32))),
        additional_attribute=draw(opt(text(max_size=60))),
        department=draw(opt(st.integers(0, 16))) if for_xml else None,
        discount=draw(opt(st.integers(-1000, 10**6))) if for_xml else None,
    )


@st.composite
def receipts(draw: st.DrawFn, *, for_xml: bool = False, for_tlv: bool = False) -> Receipt:
    operation = draw(st.sampled_from(list(Operation)))
    count = draw(st.integers(1, 5))
    code_slots: list[int | None] = [None] * count
    if operation in (Operation.SALE, Operation.SALE_RETURN):
        picks = draw(st.lists(st.integers(0, len(PARSED) - 1), unique=True, max_size=count))
        for slot, pick in zip(draw(st.permutations(range(count))), picks, strict=False):
            code_slots[slot] = pick
    its = tuple(draw(items(operation, slot, for_xml)) for slot in code_slots)
    total = sum(i.amount for i in its)
    electronic = draw(st.integers(0, total))
    rest = total - electronic
    prepaid = draw(st.integers(0, rest))
    cash = rest - prepaid + draw(st.integers(0, 10_000))
    correction = draw(
        opt(
            st.builds(
                Correction,
                type=st.sampled_from(list(CorrectionType)),
                date=dates,
                number=text(max_size=20),
                description=opt(text()) if for_xml else st.none(),
            )
        )
    )
    texts: tuple[TextLine, ...] = ()
    barcodes: tuple[Barcode, ...] = ()
    if not for_tlv:
        texts = tuple(
            draw(
                st.lists(
                    st.builds(TextLine, text=text(0, 40) | st.just("   "), position=st.integers(0, count)),
                    max_size=3,
                )
            )
        )
        texts = tuple(sorted(texts, key=lambda t: t.position))
        barcodes = tuple(
            draw(
                st.lists(
                    st.builds(
                        Barcode,
                        kind=st.sampled_from(["EAN13", "QR"]),
                        value=st.binary(min_size=1, max_size=20),
                        position=st.integers(0, count),
                    ),
                    max_size=2,
                )
            )
        )
        barcodes = tuple(sorted(barcodes, key=lambda b: b.position))
    return Receipt(
        operation=operation,
        taxation=draw(st.sampled_from([Taxation(1 << n) for n in range(6)])),
        items=its,
        payments=Payments(cash=cash, electronic=electronic, prepaid=prepaid),
        cashier=draw(opt(text(max_size=40))),
        cashier_inn=draw(opt(inns(12))),
        customer_contact=draw(opt(st.sampled_from(["buyer@example.ru", "+79990001122"]))),
        sender_email=draw(opt(st.just("shop@example.ru"))),
        customer=draw(CUSTOMERS),
        sale_address=draw(opt(text(max_size=80))),
        sale_place=draw(opt(text(max_size=80))),
        automat_number=draw(opt(st.from_regex(r"[0-9]{1,10}", fullmatch=True))),
        agent_type=draw(opt(st.sampled_from([AgentType(1 << n) for n in range(7)]))),
        internet=draw(st.booleans()),
        industry_requisites=tuple(draw(st.lists(industry, max_size=1))),
        operational=draw(
            opt(
                st.builds(
                    OperationalRequisite,
                    operation_id=st.integers(0, 255),
                    data=text(max_size=40),
                    timestamp=moments,
                )
            )
        ),
        user_requisite=draw(opt(st.builds(UserRequisite, name=text(max_size=30), value=text(max_size=60)))),
        additional_attribute=draw(opt(text(max_size=16))),
        correction=correction,
        date_time=None if for_xml else draw(opt(moments)),
        total=total if for_tlv else None,
        texts=texts,
        barcodes=barcodes,
    )
