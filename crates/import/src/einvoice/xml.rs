//! The header fields of a UBL 2.1 or a UN/CEFACT CII invoice, read in one pass over the XML: the
//! path of local element names (prefixes vary between senders) decides which field a text is.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Deeper than any real invoice (UBL nests about 8 levels); a hostile file stops here.
const MAX_DEPTH: usize = 128;

/// An invoice's header, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Invoice {
    /// "ubl", "cii" or "factur-x".
    pub format: &'static str,
    pub invoice_number: String,
    /// ISO 8601 (YYYY-MM-DD), whatever the syntax wrote.
    pub invoice_date: String,
    pub due_date: String,
    pub seller_name: String,
    pub seller_vat_id: String,
    pub buyer_name: String,
    pub order_reference: String,
    pub currency: String,
    pub net_amount: String,
    pub tax_amount: String,
    pub gross_amount: String,
    pub payable_amount: String,
}

impl Invoice {
    /// The table row (see `COLUMNS`), the file name as id and file name.
    pub fn row(&self, file: &str) -> Vec<String> {
        [
            file,
            file,
            self.format,
            &self.invoice_number,
            &self.invoice_date,
            &self.due_date,
            &self.seller_name,
            &self.seller_vat_id,
            &self.buyer_name,
            &self.order_reference,
            &self.currency,
            &self.net_amount,
            &self.tax_amount,
            &self.gross_amount,
            &self.payable_amount,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Ubl,
    Cii,
}

/// Where a field is, as the path below the root (local names), per syntax.
const UBL: &[(&str, Field)] = &[
    ("ID", Field::Number),
    ("IssueDate", Field::Date),
    ("DueDate", Field::Due),
    ("PaymentMeans/PaymentDueDate", Field::Due),
    ("DocumentCurrencyCode", Field::Currency),
    ("OrderReference/ID", Field::Order),
    (
        "AccountingSupplierParty/Party/PartyLegalEntity/RegistrationName",
        Field::Seller,
    ),
    (
        "AccountingSupplierParty/Party/PartyName/Name",
        Field::SellerFallback,
    ),
    (
        "AccountingSupplierParty/Party/PartyTaxScheme/CompanyID",
        Field::SellerVat,
    ),
    (
        "AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName",
        Field::Buyer,
    ),
    (
        "AccountingCustomerParty/Party/PartyName/Name",
        Field::BuyerFallback,
    ),
    ("LegalMonetaryTotal/TaxExclusiveAmount", Field::Net),
    ("TaxTotal/TaxAmount", Field::Tax),
    ("LegalMonetaryTotal/TaxInclusiveAmount", Field::Gross),
    ("LegalMonetaryTotal/PayableAmount", Field::Payable),
];

const CII: &[(&str, Field)] = &[
    ("ExchangedDocument/ID", Field::Number),
    ("ExchangedDocument/IssueDateTime/DateTimeString", Field::Date),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeAgreement/SellerTradeParty/Name",
        Field::Seller,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeAgreement/SellerTradeParty/SpecifiedTaxRegistration/ID",
        Field::SellerVat,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeAgreement/BuyerTradeParty/Name",
        Field::Buyer,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeAgreement/BuyerOrderReferencedDocument/IssuerAssignedID",
        Field::Order,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/InvoiceCurrencyCode",
        Field::Currency,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString",
        Field::Due,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/SpecifiedTradeSettlementHeaderMonetarySummation/TaxBasisTotalAmount",
        Field::Net,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/SpecifiedTradeSettlementHeaderMonetarySummation/TaxTotalAmount",
        Field::Tax,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/SpecifiedTradeSettlementHeaderMonetarySummation/GrandTotalAmount",
        Field::Gross,
    ),
    (
        "SupplyChainTradeTransaction/ApplicableHeaderTradeSettlement/SpecifiedTradeSettlementHeaderMonetarySummation/DuePayableAmount",
        Field::Payable,
    ),
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Field {
    Number,
    Date,
    Due,
    Currency,
    Order,
    Seller,
    SellerFallback,
    SellerVat,
    Buyer,
    BuyerFallback,
    Net,
    Tax,
    Gross,
    Payable,
}

/// An element being read: its field, and whether its attributes qualify it (a tax amount in the
/// invoice currency, a VAT registration rather than a tax number).
struct Open {
    field: Field,
    text: String,
    /// `currencyID` (amounts) or `schemeID` (CII tax registrations).
    qualifier: Option<String>,
}

/// Reads the invoice header of a UBL or CII document; the error says what is missing or wrong.
pub fn parse(bytes: &[u8]) -> Result<Invoice, String> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| format!("The XML is not UTF-8 text (byte {}).", e.valid_up_to()))?;
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut syntax = None;
    let mut open: Option<Open> = None;
    let mut invoice = Invoice::default();
    // Amount fields may repeat (a tax total per currency): the first in the invoice currency wins,
    // else the first.
    let mut taxes: Vec<(String, Option<String>)> = Vec::new();
    let mut vat_ids: Vec<(String, Option<String>)> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "The XML is malformed at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = local(&e);
                if path.is_empty() && syntax.is_none() {
                    syntax = Some(root_syntax(&name)?);
                }
                path.push(name);
                if path.len() > MAX_DEPTH {
                    return Err(format!("The XML nests deeper than {MAX_DEPTH} elements."));
                }
                if let Some(field) = syntax.and_then(|s| field_at(s, &path[1..])) {
                    open = Some(Open {
                        field,
                        text: String::new(),
                        qualifier: attribute(&e, b"currencyID")
                            .or_else(|| attribute(&e, b"schemeID")),
                    });
                }
            }
            Event::Empty(e) if path.is_empty() && syntax.is_none() => {
                syntax = Some(root_syntax(&local(&e))?);
            }
            Event::Text(t) => {
                if let Some(o) = open.as_mut() {
                    let s = t.decode().map_err(|e| format!("The XML text: {e}"))?;
                    o.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(o) = open.as_mut() {
                    o.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(o) = open.as_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        o.text.push(c);
                    } else {
                        let name = r.decode().unwrap_or_default();
                        if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                            o.text.push_str(s);
                        }
                    }
                }
            }
            Event::End(_) => {
                if let Some(o) = open.take() {
                    let value = o.text.trim().to_string();
                    match o.field {
                        Field::Tax => taxes.push((value, o.qualifier)),
                        Field::SellerVat => vat_ids.push((value, o.qualifier)),
                        field => set(&mut invoice, field, value),
                    }
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let syntax = syntax.ok_or("The file holds no XML element.")?;
    invoice.format = match syntax {
        Syntax::Ubl => "ubl",
        Syntax::Cii => "cii",
    };
    invoice.tax_amount = pick(&taxes, |q| q == invoice.currency);
    // CII marks VAT registrations with schemeID "VA" ("FC" is a tax number).
    invoice.seller_vat_id = pick(&vat_ids, |q| q == "VA");
    if syntax == Syntax::Cii {
        invoice.invoice_date = cii_date(&invoice.invoice_date);
        invoice.due_date = cii_date(&invoice.due_date);
    }
    if invoice.invoice_number.is_empty() {
        let at = match syntax {
            Syntax::Ubl => "cbc:ID",
            Syntax::Cii => "rsm:ExchangedDocument/ram:ID",
        };
        return Err(format!("The invoice has no invoice number ({at})."));
    }
    Ok(invoice)
}

fn local(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn attribute(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| String::from_utf8_lossy(&a.value).trim().to_string())
}

fn root_syntax(name: &str) -> Result<Syntax, String> {
    match name {
        "Invoice" | "CreditNote" => Ok(Syntax::Ubl),
        "CrossIndustryInvoice" => Ok(Syntax::Cii),
        other => Err(format!(
            "The XML is a <{other}>, not an e-invoice (a UBL Invoice or CreditNote, or a CII \
             CrossIndustryInvoice)."
        )),
    }
}

fn field_at(syntax: Syntax, below_root: &[String]) -> Option<Field> {
    let table = match syntax {
        Syntax::Ubl => UBL,
        Syntax::Cii => CII,
    };
    table.iter().find_map(|(p, f)| {
        let mut parts = p.split('/');
        let same = below_root.iter().all(|n| parts.next() == Some(n.as_str()));
        (same && parts.next().is_none()).then_some(*f)
    })
}

/// The first value of a repeated field: the first qualified one, else the first.
fn pick(values: &[(String, Option<String>)], qualified: impl Fn(&str) -> bool) -> String {
    values
        .iter()
        .find(|(_, q)| q.as_deref().is_some_and(&qualified))
        .or_else(|| values.first())
        .map(|(v, _)| v.clone())
        .unwrap_or_default()
}

/// A field keeps its first value (UBL's `ID` also names the order's and parties' ids, but only
/// the invoice's own sits directly below the root); fallbacks fill only what is empty.
fn set(invoice: &mut Invoice, field: Field, value: String) {
    let slot = match field {
        Field::Number => &mut invoice.invoice_number,
        Field::Date => &mut invoice.invoice_date,
        Field::Due => &mut invoice.due_date,
        Field::Currency => &mut invoice.currency,
        Field::Order => &mut invoice.order_reference,
        Field::Seller => {
            invoice.seller_name = value;
            return;
        }
        Field::SellerFallback => &mut invoice.seller_name,
        Field::Buyer => {
            invoice.buyer_name = value;
            return;
        }
        Field::BuyerFallback => &mut invoice.buyer_name,
        Field::Net => &mut invoice.net_amount,
        Field::Gross => &mut invoice.gross_amount,
        Field::Payable => &mut invoice.payable_amount,
        Field::Tax | Field::SellerVat => return,
    };
    if slot.is_empty() {
        *slot = value;
    }
}

/// CII dates are written in format 102 (YYYYMMDD); shown as ISO dates like UBL's.
fn cii_date(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..])
    } else {
        s.to_string()
    }
}
