//! The invoice XML a Factur-X/ZUGFeRD PDF carries: an embedded file stream whose content is a CII
//! (or, in ZUGFeRD 1 and XRechnung hybrids, UBL) invoice. The PDF's pages are not read.

use lopdf::{Document, LoadOptions, Object};

/// The most an embedded invoice may inflate to (a real one is tens of KB).
const MAX_XML_BYTES: usize = 16 << 20;

/// The embedded invoice XML: the embedded file named as Factur-X, ZUGFeRD or XRechnung name it
/// when there is one, else the first embedded XML that is an invoice.
pub fn embedded_invoice_xml(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_XML_BYTES),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options)
        .map_err(|e| format!("The PDF could not be read: {e}"))?;
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let is_embedded = stream
            .dict
            .get(b"Type")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"EmbeddedFile");
        if !is_embedded {
            continue;
        }
        let content = stream
            .decompressed_content_with_limit(MAX_XML_BYTES)
            .or_else(|_| {
                // Stored without a filter.
                if stream.dict.get(b"Filter").is_err() {
                    Ok(stream.content.clone())
                } else {
                    Err(())
                }
            })
            .map_err(|()| "An embedded file of the PDF could not be decompressed.".to_string())?;
        if looks_like_invoice(&content) {
            candidates.push(content);
        }
    }
    // Prefer the standard names, from the file specifications that point at the streams.
    let named = standard_named_stream(&doc);
    if let Some(content) = named {
        return Ok(content);
    }
    candidates.into_iter().next().ok_or_else(|| {
        "The PDF carries no invoice XML (a Factur-X/ZUGFeRD PDF embeds factur-x.xml or \
         zugferd-invoice.xml)."
            .to_string()
    })
}

/// The content of the embedded file whose file specification names it factur-x.xml,
/// zugferd-invoice.xml, ZUGFeRD-invoice.xml or xrechnung.xml.
fn standard_named_stream(doc: &Document) -> Option<Vec<u8>> {
    const NAMES: [&[u8]; 4] = [
        b"factur-x.xml",
        b"zugferd-invoice.xml",
        b"ZUGFeRD-invoice.xml",
        b"xrechnung.xml",
    ];
    for object in doc.objects.values() {
        let Ok(spec) = object.as_dict() else {
            continue;
        };
        let Ok(name) = spec
            .get(b"UF")
            .or_else(|_| spec.get(b"F"))
            .and_then(Object::as_str)
        else {
            continue;
        };
        if !NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        let stream = spec
            .get(b"EF")
            .and_then(Object::as_dict)
            .and_then(|ef| ef.get(b"F"))
            .and_then(Object::as_reference)
            .and_then(|r| doc.get_object(r))
            .and_then(Object::as_stream);
        let Ok(stream) = stream else {
            continue;
        };
        let content = stream
            .decompressed_content_with_limit(MAX_XML_BYTES)
            .ok()
            .unwrap_or_else(|| stream.content.clone());
        if looks_like_invoice(&content) {
            return Some(content);
        }
    }
    None
}

fn looks_like_invoice(content: &[u8]) -> bool {
    let head = &content[..content.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"CrossIndustryInvoice") || has(b"CrossIndustryDocument") || has(b"Invoice")
}
