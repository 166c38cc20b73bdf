"""The FFD 1.2 tag dictionary as data: number, Russian name, FNS JSON name, type, length, parents.

One table (``_ROWS``) built from spec/ffd12-tlv.md §1–§3; the codec, the text rendering and the FNS
JSON mapping all read it, none of them branches on tag numbers. Facts the spec marks L/?/open are
flagged ``unverified=True`` and, where a number had to be chosen, kept in ONE named constant below.
Tags marked "(extra)" in a comment are report/registration requisites the spec's tables do not
list; they are included so that whole documents read from an FN decode, and are unverified.

>>> tag_info(1260).name_ru
'отраслевой реквизит предмета расчета'
>>> tag_info(1037).fixed_len
20
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["TAGS", "TagInfo", "TagType", "tag_info"]


class TagType(enum.Enum):
    """FFD data types (spec §1.2). Bit masks are BYTE or UINT32 by their width."""

    BYTE = "byte"
    UINT16 = "uint16"
    UINT32 = "uint32"
    VLN = "VLN"
    FVLN = "FVLN"
    STRING = "string"
    UNIXTIME = "unixtime"
    BYTES = "byte array"
    STLV = "STLV"


@dataclass(frozen=True, slots=True, kw_only=True)
class TagInfo:
    """One row of the dictionary.

    ``max_len`` is the longest value in bytes; ``fixed_len`` is set when the value is always that
    many bytes (strings are then padded with spaces). ``parents`` lists the tags (documents or
    STLVs) the requisite sits in; ``repeatable`` says it may appear several times in one parent
    (it is a JSON array in FNS JSON).
    """

    number: int
    name_ru: str
    type: TagType
    max_len: int
    fixed_len: int | None = None
    parents: tuple[int, ...] = ()
    json_name: str | None = None
    repeatable: bool = False
    unverified: bool = False


B, U16, U32, VLN, FVLN, S, T, BA, STLV = (
    TagType.BYTE,
    TagType.UINT16,
    TagType.UINT32,
    TagType.VLN,
    TagType.FVLN,
    TagType.STRING,
    TagType.UNIXTIME,
    TagType.BYTES,
    TagType.STLV,
)

#: Largest value a TLV header can announce (u16 length); documents are bounded only by it.
DOCUMENT_MAX = 0xFFFF
#: 1265 max: SHTRIH says 265, the FFD figure recalled is 256; we keep the safer 256 (spec §3, unverified).
INDUSTRY_VALUE_MAX = 256
#: 1260/1261 STLV max: SHTRIH says 302, but four full children take 4+3+4+10+4+32+4+256 = 317, and the
#: fiscal_data crate (FDR in the spec) says 317; we take 317 (spec §3 open point 1, unverified).
INDUSTRY_STLV_MAX = 317
#: 1115/1119/1120 (VAT 2025/2026) lengths are not given anywhere (spec §2.1 "?"): chosen, unverified.
VAT_SUMS_STLV_MAX = 512
VAT_RATE_SUM_STLV_MAX = 64
#: 1245 code of the identity document: SHTRIH says "32 F", the codes are 2 digits (21, 22, …) and the
#: fiscal_data crate says 2; we allow ≤ 2 (unverified).
BUYER_DOC_CODE_MAX = 2

RECEIPTS = (3, 4, 31, 41)  # кассовый чек, БСО, и их коррекции
CORRECTIONS = (31, 41)
REPORTS = (1, 2, 5, 6, 11, 21)  # регистрация, смена, закрытие ФН, состояние расчетов
ALL_DOCS = (1, 2, 3, 4, 5, 6, 11, 21, 31, 41)
MARKING_DOCS = (81, 82, 83, 84)
ITEM = (1059,)
INDUSTRY = (1260, 1261)

_Row = tuple[int, str, TagType, int, tuple[int, ...], str | None]

# Documents (spec §1.1): the whole document is one STLV whose tag is the form code.
_DOCUMENTS: tuple[tuple[int, str], ...] = (
    (1, "отчёт о регистрации"),
    (2, "отчёт об открытии смены"),
    (3, "кассовый чек"),
    (4, "бланк строгой отчетности"),
    (5, "отчёт о закрытии смены"),
    (6, "отчёт о закрытии фискального накопителя"),
    (7, "подтверждение оператора"),
    (11, "отчёт об изменении параметров регистрации"),
    (21, "отчёт о текущем состоянии расчетов"),
    (31, "кассовый чек коррекции"),
    (41, "бланк строгой отчетности коррекции"),
    (81, "запрос о коде маркировки"),
    (82, "уведомление о реализации маркированного товара"),
    (83, "ответ на запрос"),
    (84, "квитанция на уведомление"),
)

# number, Russian name, type, max bytes, parents, FNS JSON name — spec §2.1–§2.5, §3.
# JSON names of the (extra) rows: the FR_Operator tag → FNS JSON map (FRO in the spec), unverified.
_ROWS: tuple[_Row, ...] = (
    # §2.1 receipt header, totals, VAT sums
    (1008, "телефон или электронный адрес покупателя", S, 64, RECEIPTS, "buyerPhoneOrAddress"),
    (1012, "дата, время", T, 4, ALL_DOCS + MARKING_DOCS, "dateTime"),
    (1020, "сумма расчета, указанного в чеке (БСО)", VLN, 6, RECEIPTS, "totalSum"),
    (1021, "кассир", S, 64, ALL_DOCS, "operator"),
    (1031, "сумма по чеку (БСО) наличными", VLN, 6, RECEIPTS, "cashTotalSum"),
    (1037, "регистрационный номер ККТ", S, 20, ALL_DOCS, "kktRegId"),
    (1038, "номер смены", U32, 4, (2, 3, 4, 5, 31, 41), "shiftNumber"),
    (1040, "номер ФД", U32, 4, ALL_DOCS, "fiscalDocumentNumber"),
    (1041, "номер ФН", S, 16, ALL_DOCS, "fiscalDriveNumber"),
    (1042, "номер чека за смену", U32, 4, RECEIPTS, "requestNumber"),
    (1054, "признак расчета", B, 1, RECEIPTS, "operationType"),
    (1055, "применяемая система налогообложения", B, 1, RECEIPTS, "appliedTaxationType"),
    (1057, "признак агента", B, 1, (*RECEIPTS, 1, 11), "paymentAgentType"),
    (1081, "сумма по чеку (БСО) безналичными", VLN, 6, RECEIPTS, "ecashTotalSum"),
    (1102, "сумма НДС чека по ставке 20 %", VLN, 6, RECEIPTS, "nds18"),
    (1103, "сумма НДС чека по ставке 10 %", VLN, 6, RECEIPTS, "nds10"),
    (1104, "сумма расчета по чеку с НДС по ставке 0 %", VLN, 6, RECEIPTS, "nds0"),
    (1105, "сумма расчета по чеку без НДС", VLN, 6, RECEIPTS, "ndsNo"),
    (1106, "сумма НДС чека по расч. ставке 20/120", VLN, 6, RECEIPTS, "nds18118"),
    (1107, "сумма НДС чека по расч. ставке 10/110", VLN, 6, RECEIPTS, "nds10110"),
    (1115, "суммы НДС чека", STLV, VAT_SUMS_STLV_MAX, RECEIPTS, "amountsReceiptNds"),
    (1119, "сумма НДС чека по ставке", STLV, VAT_RATE_SUM_STLV_MAX, (1115,), "amountsNds"),
    (1120, "сумма НДС", VLN, 6, (1119,), "ndsSum"),
    (1187, "место расчетов", S, 256, ALL_DOCS, "retailPlace"),
    (1009, "адрес расчетов", S, 256, ALL_DOCS, "retailPlaceAddress"),
    (1192, "дополнительный реквизит чека (БСО)", S, 16, RECEIPTS, "propertiesData"),
    (1203, "ИНН кассира", S, 12, ALL_DOCS, "operatorInn"),
    (1209, "версия ФФД", B, 1, ALL_DOCS, "fiscalDocumentFormatVer"),
    (1215, "сумма по чеку (БСО) предоплатой (зачетом аванса)", VLN, 6, RECEIPTS, "prepaidSum"),
    (1216, "сумма по чеку (БСО) постоплатой (в кредит)", VLN, 6, RECEIPTS, "creditSum"),
    (1217, "сумма по чеку (БСО) встречным предоставлением", VLN, 6, RECEIPTS, "provisionSum"),
    (1077, "ФП документа (ФПД)", BA, 6, (*ALL_DOCS, 7), "fiscalSign"),
    (1084, "дополнительный реквизит пользователя", STLV, 320, RECEIPTS, "properties"),
    (1085, "наименование дополнительного реквизита пользователя", S, 64, (1084,), "propertyName"),
    (1086, "значение дополнительного реквизита пользователя", S, 256, (1084,), "propertyValue"),
    (1125, "признак расчета в сети «Интернет»", B, 1, RECEIPTS, "internetPayment"),
    (2107, "результаты проверки маркированных товаров", B, 1, RECEIPTS, "checkingLabeledProdResult"),
    # §2.2 предмет расчета and its children
    (1059, "предмет расчета", STLV, 1024, RECEIPTS, "items"),
    (1030, "наименование предмета расчета", S, 128, ITEM, "name"),
    (1079, "цена за единицу предмета расчета с учетом скидок и наценок", VLN, 6, ITEM, "price"),
    (1023, "количество предмета расчета", FVLN, 8, (*ITEM, 81, 82, 2007), "quantity"),
    (1043, "стоимость предмета расчета с учетом скидок и наценок", VLN, 6, ITEM, "sum"),
    (1199, "ставка НДС", B, 1, (*ITEM, 1119), "nds"),
    (1198, "размер НДС за единицу предмета расчета", VLN, 6, ITEM, "unitNds"),
    (1200, "сумма НДС за предмет расчета", VLN, 6, ITEM, "ndsSum"),
    (1212, "признак предмета расчета", B, 1, ITEM, "productType"),
    (1214, "признак способа расчета", B, 1, ITEM, "paymentType"),
    (2108, "мера количества предмета расчета", B, 1, (*ITEM, 81, 82, 2007), "itemsQuantityMeasure"),
    (1197, "единица измерения предмета расчета", S, 16, ITEM, "unit"),
    (1191, "дополнительный реквизит предмета расчета", S, 64, ITEM, "propertiesItem"),
    (1162, "код товарной номенклатуры", BA, 32, ITEM, "productCode"),
    (1163, "код товара", STLV, 64, ITEM, "productCodeNew"),
    (1222, "признак агента по предмету расчета", B, 1, ITEM, "paymentAgentByProductType"),
    (1223, "данные агента", STLV, 512, ITEM + RECEIPTS, "paymentAgentData"),
    (1224, "данные поставщика", STLV, 512, ITEM + RECEIPTS, "providerData"),
    (1226, "ИНН поставщика", S, 12, ITEM, "providerInn"),
    (1229, "акциз", VLN, 8, ITEM, "exciseDuty"),
    (1230, "код страны происхождения товара", S, 3, ITEM, "originCountryCode"),
    (1231, "номер декларации на товар", S, 32, ITEM, "customEntryNum"),
    (1260, "отраслевой реквизит предмета расчета", STLV, INDUSTRY_STLV_MAX, ITEM, "itemsIndustryDetails"),
    (1291, "дробное количество маркированного товара", STLV, 52, (*ITEM, 81, 82, 2007),
     "labeledProdFractionalQuantity"),
    (1292, "дробная часть", S, 24, (1291,), "fractionalPart"),
    (1293, "числитель", VLN, 8, (1291,), "numerator"),
    (1294, "знаменатель", VLN, 8, (1291,), "denominator"),
    (2102, "режим обработки кода маркировки", B, 1, (*ITEM, 81, 82, 2007), "labelCodeProcesMode"),
    (2106, "результат проверки сведений о товаре", B, 1, ITEM, "checkingProdInformationResult"),
    (2115, "контрольный код КМ", S, 4, ITEM, "controlCode"),
    # children of 1163 код товара
    (1300, "нераспознанный код товара", S, 32, (1163,), "undefined"),
    (1301, "КТ EAN-8", S, 8, (1163,), "ean8"),
    (1302, "КТ EAN-13", S, 13, (1163,), "ean13"),
    (1303, "КТ ITF-14", S, 14, (1163,), "itf14"),
    (1304, "КТ GS1.0", S, 38, (1163,), "gs1"),
    (1305, "КТ GS1.М", S, 38, (1163,), "gs1m"),
    (1306, "КТ КМК", S, 38, (1163,), "kmk"),
    (1307, "КТ МИ", S, 20, (1163,), "mi"),
    (1308, "КТ ЕГАИС-2.0", S, 33, (1163,), "egais2"),  # SHTRIH 33 F; fiscal_data says 23 F (unverified)
    (1309, "КТ ЕГАИС-3.0", S, 14, (1163,), "egais3"),
    (1320, "КТ Ф.1", S, 32, (1163,), "f1"),
    (1321, "КТ Ф.2", S, 32, (1163,), "f2"),
    (1322, "КТ Ф.3", S, 32, (1163,), "f3"),
    (1323, "КТ Ф.4", S, 32, (1163,), "f4"),
    (1324, "КТ Ф.5", S, 32, (1163,), "f5"),
    (1325, "КТ Ф.6", S, 32, (1163,), "f6"),
    # children of 1223 данные агента (extra: names of the agent block, spec lists only the numbers)
    (1005, "адрес оператора перевода", S, 256, (1223,), "transferOperatorAddress"),
    (1016, "ИНН оператора перевода", S, 12, (1223,), "transferOperatorInn"),
    (1026, "наименование оператора перевода", S, 64, (1223,), "transferOperatorName"),
    (1044, "операция платежного агента", S, 24, (1223,), "paymentAgentOperation"),
    (1073, "телефон платежного агента", S, 19, (1223,), "paymentAgentPhone"),
    (1074, "телефон оператора по приему платежей", S, 19, (1223,), "paymentOperatorPhone"),
    (1075, "телефон оператора перевода", S, 19, (1223,), "transferOperatorPhone"),
    # children of 1224 данные поставщика
    (1171, "телефон поставщика", S, 19, (1224,), "providerPhone"),
    (1225, "наименование поставщика", S, 256, (1224,), "providerName"),
    # §2.3 сведения о покупателе, отраслевой и операционный реквизиты
    (1256, "сведения о покупателе (клиенте)", STLV, 1024, RECEIPTS, "buyerInformation"),
    (1227, "покупатель (клиент)", S, 256, (1256,), "buyer"),
    (1228, "ИНН покупателя (клиента)", S, 12, (1256,), "buyerInn"),
    (1243, "дата рождения покупателя (клиента)", S, 10, (1256,), "buyerBirthday"),
    (1244, "гражданство", S, 3, (1256,), "buyerCitizenship"),
    (1245, "код вида документа, удостоверяющего личность", S, BUYER_DOC_CODE_MAX, (1256,),
     "buyerDocumentCode"),
    (1246, "данные документа, удостоверяющего личность", S, 64, (1256,), "buyerDocumentData"),
    (1254, "адрес покупателя (клиента)", S, 256, (1256,), "buyerAddress"),
    (1261, "отраслевой реквизит чека", STLV, INDUSTRY_STLV_MAX, RECEIPTS, "industryReceiptDetails"),
    (1262, "идентификатор ФОИВ", S, 3, INDUSTRY, "idFoiv"),
    (1263, "дата документа основания", S, 10, INDUSTRY, "foundationDocDateTime"),
    (1264, "номер документа основания", S, 32, INDUSTRY, "foundationDocNumber"),
    (1265, "значение отраслевого реквизита", S, INDUSTRY_VALUE_MAX, INDUSTRY, "industryPropValue"),
    (1270, "операционный реквизит чека", STLV, 144, RECEIPTS, "operationalDetails"),
    (1271, "идентификатор операции", B, 1, (1270,), "operationId"),
    (1272, "данные операции", S, 64, (1270,), "operationData"),
    (1273, "дата, время операции", T, 4, (1270,), "dateTime"),
    # §2.4 чек коррекции
    (1173, "тип коррекции", B, 1, CORRECTIONS, "correctionType"),
    (1174, "основание для коррекции", STLV, 292, CORRECTIONS, "correctionBase"),
    (1177, "наименование основания для коррекции", S, 256, (1174,), "correctionName"),
    (1178, "дата документа основания для коррекции", T, 4, (1174,), "correctionDocumentDate"),
    (1179, "номер документа основания для коррекции", S, 32, (1174,), "correctionDocumentNumber"),
    # §2.5 marking requests/notifications and FN-M status tags
    (2000, "код маркировки", S, 256, (81, 82, 2007), None),
    (2001, "номер запроса", U32, 4, (81, 83), None),
    (2002, "номер уведомления", U32, 4, (82, 84), None),
    (2003, "планируемый статус товара", B, 1, (81, 82, 2007, *ITEM), None),
    (2004, "результат проверки КМ", B, 1, (81, 82, 2007), None),
    (2005, "результаты обработки запроса", B, 1, (83,), None),
    (2006, "результаты обработки уведомления", B, 1, (84,), None),
    (2007, "данные о маркированном товаре", STLV, 512, (82,), None),
    (2100, "тип кода маркировки", B, 1, (81, 82, 2007), None),
    (2101, "идентификатор товара", S, 34, (81, 82, 2007), None),
    (2104, "количество непереданных уведомлений", U32, 4, REPORTS, "undeliveredNotificationsNumber"),
    (2105, "коды обработки запроса", B, 1, (83,), None),
    (2109, "ответ ОИСМ о статусе товара", B, 1, (83,), None),
    (2110, "присвоенный статус товара", B, 1, (82, 84, 2007), None),
    (2111, "коды обработки уведомления", B, 1, (84,), None),
    (2112, "признак некорректных кодов маркировки", B, 1, REPORTS, "invalidLabelCodesSign"),
    (2113, "признак некорректных запросов и уведомлений", B, 1, REPORTS, "invalidRequestsNotificationsSign"),
    (2114, "дата и время запроса", T, 4, (81, 83), None),
    (2116, "вид операции", B, 1, (82,), None),
    (1011, "часовая зона", B, 1, RECEIPTS, None),
    # (extra) registration, shift and state reports — so whole FN documents decode
    (1001, "признак автоматического режима", B, 1, (1, 11), "autoMode"),
    (1002, "признак автономного режима", B, 1, (1, 11), "offlineMode"),
    (1013, "заводской номер ККТ", S, 20, ALL_DOCS, "kktNumber"),
    (1017, "ИНН ОФД", S, 12, (1, 11), "ofdInn"),
    (1018, "ИНН пользователя", S, 12, ALL_DOCS, "userInn"),
    (1036, "номер автомата", S, 20, ALL_DOCS, "machineNumber"),
    (1046, "наименование ОФД", S, 256, (1, 11), "ofdName"),
    (1048, "наименование пользователя", S, 256, ALL_DOCS, "user"),
    (1056, "признак шифрования", B, 1, (1, 11), "encryptionSign"),
    (1060, "адрес сайта ФНС", S, 256, ALL_DOCS, "fnsUrl"),
    (1062, "системы налогообложения", B, 1, (1, 11), "taxationType"),
    (1097, "количество непереданных ФД", U32, 4, REPORTS, "notTransmittedDocumentsQuantity"),
    (1098, "дата и время первого из непереданных ФД", T, 4, REPORTS, "notTransmittedDocumentsDateTime"),
    (1101, "код причины перерегистрации", B, 1, (11,), None),
    (1108, "признак ККТ для расчетов только в Интернет", B, 1, (1, 11), "internetSign"),
    (1109, "признак расчетов за услуги", B, 1, (1, 11), "serviceSign"),
    (1110, "признак АС БСО", B, 1, (1, 11), "bsoSign"),
    (1111, "общее количество ФД за смену", U32, 4, (5,), "documentsQuantity"),
    (1117, "адрес электронной почты отправителя чека", S, 64, ALL_DOCS, "sellerAddress"),
    (1118, "количество кассовых чеков (БСО) за смену", U32, 4, (5,), "receiptQuantity"),
    (1126, "признак проведения лотереи", B, 1, (1, 11), "lotterySign"),
    (1188, "версия ККТ", S, 8, REPORTS, "kktVersion"),
    (1189, "версия ФФД ККТ", B, 1, REPORTS, "documentKktVersion"),
    (1190, "версия ФФД ФН", B, 1, REPORTS, "documentFdVersion"),
    (1193, "признак проведения азартных игр", B, 1, (1, 11), "gamblingSign"),
    (1205, "коды причин изменения сведений о ККТ", U32, 4, (11,), "correctionKktReasonCode"),
    (1206, "сообщение оператора", B, 1, (2, 5, 21), "operatorMessage"),
    (1207, "признак торговли подакцизными товарами", B, 1, (1, 11), "exciseDutyProductSign"),
    (1213, "ресурс ключей ФП", U16, 2, REPORTS, "fdKeyResource"),
    (1221, "признак установки принтера в автомате", B, 1, (1, 11), "printInMachineSign"),
    (1290, "признаки условий применения ККТ", U32, 4, (1, 11), "usageConditionSigns"),
)

# Strings and byte arrays that are always exactly their length (spec §1.2 "fixed-length strings").
_FIXED = frozenset(
    {1016, 1017, 1018, 1037, 1041, 1077, 1203, 1226, 1228, 1230, 1243, 1244, 1263,
     1301, 1302, 1303, 1307, 1308, 1309, 2115}
)
_REPEATABLE = frozenset({1059, 1119, 1260, 1073})
# Spec confidence L/M-with-doubt, or not in the spec's tables at all.
_UNVERIFIED = frozenset(
    {1115, 1119, 1120, 1125, 1011, 1308, 1177, 1245, 1265, 1260, 1261, 2005, 2101, 2107,
     1005, 1016, 1026, 1044, 1073, 1074, 1075,
     1001, 1002, 1013, 1017, 1018, 1036, 1046, 1048, 1056, 1060, 1062, 1097, 1098, 1101, 1108,
     1109, 1110, 1111, 1117, 1118, 1126, 1188, 1189, 1190, 1193, 1205, 1206, 1207, 1213, 1221, 1290}
)


def _build() -> dict[int, TagInfo]:
    table: dict[int, TagInfo] = {}
    for number, name in _DOCUMENTS:
        table[number] = TagInfo(number=number, name_ru=name, type=STLV, max_len=DOCUMENT_MAX)
    for number, name, kind, max_len, parents, json_name in _ROWS:
        if number in table:
            raise RuntimeError(f"tag {number} is listed twice in the dictionary")
        fixed = number in _FIXED or kind in (TagType.BYTE, TagType.UINT16, TagType.UINT32, TagType.UNIXTIME)
        table[number] = TagInfo(
            number=number,
            name_ru=name,
            type=kind,
            max_len=max_len,
            fixed_len=max_len if fixed else None,
            parents=parents,
            json_name=json_name,
            repeatable=number in _REPEATABLE,
            unverified=number in _UNVERIFIED,
        )
    return table


#: Every known tag, by number (read-only).
TAGS: Mapping[int, TagInfo] = MappingProxyType(_build())


def tag_info(tag: int) -> TagInfo | None:
    """The dictionary row of ``tag``, or None for a tag the dictionary does not know."""
    return TAGS.get(tag)
