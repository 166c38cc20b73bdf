# ruff: noqa: E501, W291
"""1C sample documents (verbatim from the 1C standard 3.4 draft and 2.5/2.x drivers) used by the XML tests."""

A1_CHECK_PACKAGE_12 = """<?xml version="1.0" encoding="UTF-8"?>
<CheckPackage>
	<Parameters CashierName="Иванов И.И" OperationType="1" TaxationSystem="0" SaleAddress="г.Москва, Дмитровское ш. д.9" SaleLocation="Торговый островок на 1 этаже" CustomerEmail="" CustomerPhone="">
		<CorrectionData Type="0" Date="2021-09-10T00:00:00" Number="101" Description="Чек ККМ"/>
		<AgentData/>
		<VendorData/>
		<CustomerDetail/>
		<OperationalAttribute DateTime="2021-09-10T18:57:03" OperationID="0" OperationData="DATA"/>
		<IndustryAttribute IdentifierFOIV="001" DocumentDate="10.09.2021" DocumentNumber="2343243" AttributeValue="Ид1=Знач1&amp;Ид2=Знач2&amp;Ид3=Знач3"/>
	</Parameters>
	<Positions>
		<FiscalString Name="Товарная позиция" Quantity="1" PriceWithDiscount="100" AmountWithDiscount="100" DiscountAmount="" Department="1" VATRate="none" VATAmount="" PaymentMethod="4" CalculationSubject="1" MeasureOfQuantity="0">
			<GoodCodeData EAN13="MjkwMDAwMTQ2MjEwNQ=="/>
			<AgentData/>
			<VendorData/>
			<IndustryAttribute/>
		</FiscalString>
		<FiscalString Name="Оплата за телефон" Quantity="1" PriceWithDiscount="100" AmountWithDiscount="100" DiscountAmount="" Department="1" VATRate="10" VATAmount="9.09" PaymentMethod="1" CalculationSubject="4" MeasureOfQuantity="0">
			<AgentData/>
			<VendorData/>
			<IndustryAttribute/>
		</FiscalString>
		<FiscalString Name="Другая товарная позиция c очень длинным наименование для проверки" Quantity="2" PriceWithDiscount="75" AmountWithDiscount="150" DiscountAmount="50" Department="1" VATRate="20" VATAmount="25" PaymentMethod="3" CalculationSubject="1" MeasureOfQuantity="11">
			<AgentData/>
			<VendorData/>
			<IndustryAttribute/>
		</FiscalString>
		<FiscalString Name="Духи на разлив" Quantity="1" PriceWithDiscount="30" AmountWithDiscount="30" DiscountAmount="0" Department="3" VATRate="none" VATAmount="" PaymentMethod="4" CalculationSubject="1" MarkingCode="MDEwMzY2MDAwNTE1MDg0MDIxcGpscWE3cClQcVIpSB05MUVFMDYdOTI2enF3bGJMY2Z5YUZFZWtIU084b1hDZlVQY3hHczhYbW9HQTFIb0Q4K0VzPQ==" MeasureOfQuantity="255">
			<AgentData/>
			<VendorData/>
			<IndustryAttribute/>
		</FiscalString>
		<FiscalString Name="Яблоки на развес" Quantity="0.61" PriceWithDiscount="172.51" AmountWithDiscount="105.23" DiscountAmount="" Department="3" VATRate="20" VATAmount="17.54" PaymentMethod="4" CalculationSubject="1" MeasureOfQuantity="11">
			<AgentData/>
			<VendorData/>
			<IndustryAttribute/>
		</FiscalString>
		<TextString Text="Накопление по карте: 234543443                  "/>
		<TextString Text="Другая товарная позиция c очень длинным наименов"/>
		<TextString Text="ание для проверки                               "/>
		<TextString Text="                    Другая f                    "/>
		<Barcode Type="EAN13" ValueBase64="MjkwMDAwMTQ2MjEwNQ=="/>
	</Positions>
	<Payments Cash="1500" ElectronicPayment="0" PrePayment="0" PostPayment="300" Barter="0"/>
</CheckPackage>
"""

A8_CHECK_PACKAGE_25 = """<?xml version="1.0" encoding="UTF-8"?>
<CheckPackage>
	<Parameters PaymentType="1" TaxVariant="0" CashierName="Казакова Н.А." CashierVATIN="" CustomerEmail="" CustomerPhone="" CustomerInfo="Иванов" CustomerINN="12412341241241">
		<AgentData/>
		<PurveyorData/>
	</Parameters>
	<Positions>
		<FiscalString Name="Картошка" Quantity="12" PriceWithDiscount="20" SumWithDiscount="240" DiscountSum="0" Department="1" Tax="10" SignMethodCalculation="4" TaxSum="21.82" MeasurementUnit="Штука" ExciseAmount="11234.35" CountryOfOrigin="460" CustomsDeclaration="12222555666333">
			<AgentData/>
			<PurveyorData/>
		</FiscalString>
	</Positions>
	<Payments Cash="240" ElectronicPayment="0" Credit="0" AdvancePayment="0" CashProvision="0"/>
</CheckPackage>
"""

A10_CHECK_PACKAGE_OLD = """<?xml version="1.0" encoding="UTF-8"?>
<CheckPackage>
	<Parameters PaymentType="1" TaxVariant="0" CashierName="Кужелева Ольга Сергеевна" SenderEmail="true"/>
	<Positions>
		<TextString Text="Накладная № 614176 от 18.10.18:     "/>
		<TextString Text="                                    "/>
		<FiscalString Name="1) Плитка 25*35 Jungle белый  (C-JUM051R) уп.1,4м2 (м2)" Quantity="0.087123" Price="32" Amount="3.21" Department="1" Tax="18"/>
	</Positions>
	<Payments Cash="1110" CashLessType1="0" CashLessType2="0" CashLessType3="0"/>
</CheckPackage>
"""

A3_REQUEST_KM_RESULT = """<?xml version="1.0" encoding="UTF-8"?> 
<RequestKMResult Checking="True" CheckingResult="True"/>
"""

A4_PROCESSING_KM_RESULT = """<?xml version="1.0" encoding="UTF-8"?> 
<ProcessingKMResult GUID="193DDFC8-15DF-4B14-AE84-1D5B741BC0AC" Result="True" StatusInfo="1" HandleCode="0"/>
"""

PERFUME_KM = "010366000515084021pjlqa7p)PqR)H\x1d91EE06\x1d926zqwlbLcfyaFEekHSO8oXCfUPcxGs8XmoGA1HoD8+Es="
