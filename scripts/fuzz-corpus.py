#!/usr/bin/env python3
"""Writes a corpus of malformed import files (CSV/TSV, JSON, XLSX, ODS) into a directory.

    python3 scripts/fuzz-corpus.py OUT_DIR [--seed N]

Every case of issue 11 ("Hostile files") is in it, plus hand-made damage of every kind the
readers must survive and seeded random mutations of valid files. Workbooks are built with zipfile
and hand-written XML so they can be broken in exactly one way each. The same seed writes the same
files, byte for byte. Python's standard library only.

OUT_DIR/cases.tsv lists every file with what an import of it must do:
  refuse  a data error (exit 3 from `matchbook-cli import`), never an import;
  any     imported (exit 0) or a data error (exit 3): the file is damaged in a way a reader may
          or may not notice, but it must never panic, abort or run unbounded.
The largest file is about 14 MB (one million rows of one column); the corpus is about 40 MB.
"""

import io
import json
import os
import random
import struct
import sys
import zipfile

CASES = []


def add(out, name, data, expect="any"):
    """Writes one case; names are numbered so the corpus sorts in the order it was made."""
    fname = "%03d-%s" % (len(CASES) + 1, name)
    with open(os.path.join(out, fname), "wb") as f:
        f.write(data)
    CASES.append((fname, expect))


# ---- text ------------------------------------------------------------------------------------

GOOD_CSV = (
    "po_id,vendor,amount,currency,order_date\n"
    + "".join(
        "PO-%04d,Vendor %d,%d.%02d,EUR,2024-%02d-%02d\n" % (i, i % 7, i * 13, i % 100, i % 12 + 1, i % 28 + 1)
        for i in range(1, 61)
    )
).encode()

GOOD_JSON = json.dumps(
    [{"po_id": "PO-%04d" % i, "vendor": "Vendor %d" % (i % 7), "amount": i * 13.5, "paid": i % 2 == 0} for i in range(1, 41)]
).encode()


def mutate(rng, data, n):
    """n random edits: flip, insert or delete a byte, duplicate or cut a stretch."""
    data = bytearray(data)
    for _ in range(n):
        if not data:
            data.append(rng.randrange(256))
            continue
        op = rng.randrange(6)
        at = rng.randrange(len(data))
        if op == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif op == 1:
            data.insert(at, rng.choice(b'",;\t|\n\r\x00{}[]:\\\xff\xfe\xc3 '))
        elif op == 2:
            del data[at]
        elif op == 3:
            end = min(len(data), at + rng.randrange(1, 64))
            data[at:at] = data[at:end]
        elif op == 4:
            data = data[: max(1, at)]
        else:
            data[at] = rng.randrange(256)
    return bytes(data)


def text_cases(out, rng):
    refuse = "refuse"
    # Issue 11's text findings.
    add(out, "zeros-1mb.csv", bytes(1 << 20), refuse)
    add(out, "nul-only.csv", b"\x00" * 300, refuse)
    add(out, "nul-one.csv", b"\x00", refuse)
    for i in range(12):
        size = rng.choice([7, 100, 4096, 65536, 300000])
        add(out, "random-%02d.csv" % i, bytes(rng.randrange(256) for _ in range(size)), refuse if size >= 100 else "any")
    header_commas = ",,\n" + "".join("%d,vendor %d,%d.00\n" % (i, i, i) for i in range(1, 41))
    add(out, "header-only-commas.csv", header_commas.encode(), refuse)
    add(out, "header-only-semicolons.csv", header_commas.replace(",", ";").encode(), refuse)
    add(out, "header-only-tabs.tsv", header_commas.replace(",", "\t").encode(), refuse)
    add(out, "header-only.csv", b"po_id,amount\n", refuse)
    add(out, "header-only-crlf-blank.csv", b"po_id,amount\r\n\r\n\r\n", refuse)
    add(out, "empty.csv", b"", refuse)
    add(out, "blank-lines.csv", b"\n\n\r\n  \n", refuse)
    add(out, "bom-only.csv", b"\xef\xbb\xbf", refuse)
    add(out, "utf16-bom-only.csv", b"\xff\xfe", refuse)
    add(out, "zip-as-csv.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200), refuse)
    add(out, "pdf-as-csv.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(64), refuse)
    add(out, "long-value-2mb.csv", b"id,note\n1," + b"x" * (2 << 20) + b"\n", refuse)
    add(out, "unclosed-quote-to-end.csv", b'id,note\n1,"' + b"y" * (1200 << 10) + b"\n", refuse)
    add(out, "columns-5000.csv", (",".join("c%d" % i for i in range(5000)) + "\n" + ",".join("1" for _ in range(5000)) + "\n").encode(), refuse)
    add(out, "late-nul.csv", GOOD_CSV * 40 + bytes(5000), refuse)
    add(out, "utf16-no-bom.csv", GOOD_CSV.decode().encode("utf-16-le"), refuse)
    # One million rows of one column: must import, and quickly.
    add(out, "million-rows-one-column.csv", b"reference\n" + b"".join(b"REF-%07d\n" % i for i in range(1000000)), "any")
    # Hand-made damage.
    hand = {
        "ragged-more.csv": b"a,b\n1,2\n3,4,5\n",
        "ragged-fewer.csv": b"a,b,c\n1,2\n",
        "text-after-quote.csv": b'a,b\n1,"x"y\n',
        "quote-in-header.csv": b'"a"b,c\n1,2\n',
        "duplicate-header.csv": b"a,a\n1,2\n",
        "empty-header-name.csv": b"a,,c\n1,2,3\n",
        "cr-only.csv": b"a,b\r1,2\r3,4\r",
        "mixed-line-ends.csv": b"a,b\r\n1,2\n3,4\r5,6\n",
        "only-newlines.csv": b"\n" * 5000,
        "only-commas.csv": b",,,,\n" * 100,
        "only-quotes.csv": b'"' * 1001,
        "quoted-newlines.csv": b'a,b\n"1\n2\n3",x\n',
        "bom-utf8.csv": b"\xef\xbb\xbfa,b\n1,2\n",
        "bom-utf16le.csv": b"\xff\xfe" + "a,b\r\n1,2\r\n".encode("utf-16-le"),
        "bom-utf16be.csv": b"\xfe\xff" + "a,b\r\n1,2\r\n".encode("utf-16-be"),
        "bom-utf16-odd.csv": b"\xff\xfea\x00,",
        "windows-1252.csv": "a;b\n1;M\u00fcller \u20ac\n".encode("cp1252"),
        "invalid-utf8.csv": b"a,b\n1,\xc3\x28\xa0\xa1\n",
        "control-chars.csv": b"a,b\n1,\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\n" * 20,
        "escape-in-value.csv": b"a,b\n1,x\x1by\n",
        "huge-line-no-newline.csv": b"a" * 300000,
        "single-value.csv": b"x",
        "delimiter-soup.csv": b";|\t,;|\t,\n" * 50,
        "pipes.csv": b"a|b|c\n1|2|3\n",
        "tab-and-comma.tsv": b"a\tb,c\n1\t2,3\n",
        "header-spaces.csv": b"  ,  \n1,2\n",
        "trailing-delims.csv": b"a,b,\n1,2,\n",
        "one-column-many-blank.csv": b"a\n" + b"\n" * 10000 + b"1\n",
        "unicode-header.csv": "\u540d\u524d,\u91d1\u984d\n\u5c71\u7530,1\n".encode(),
        "zero-width.csv": "a\u200b,b\n1,2\n".encode(),
        "rtl-override.csv": "a,\u202eb\n1,2\n".encode(),
        "formula-injection.csv": b"a,b\n=1+1,@SUM(A1)\n",
        "very-many-rows-short.csv": b"a\n" + b"1\n" * 200000,
        "crlf-split.csv": b"a,b\r\r\n1,2\r\r\n",
        "deep-quotes.csv": b'a\n"' + b'""' * 50000 + b'"\n',
        "ff-eof.csv": b"a,b\n1,2\n\x1a",
        "gzip-as-csv.csv": b"\x1f\x8b\x08\x00" + bytes(100),
        "ole-as-csv.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
    }
    for name, data in hand.items():
        add(out, name, data)
    for i in range(110):
        ext = "tsv" if i % 5 == 0 else "csv"
        base = GOOD_CSV.replace(b",", b"\t") if ext == "tsv" else GOOD_CSV
        add(out, "mutated-%03d.%s" % (i, ext), mutate(rng, base, rng.randrange(1, 40)))


def json_cases(out, rng):
    refuse = "refuse"
    add(out, "zeros.json", bytes(100000), refuse)
    add(out, "random.json", bytes(rng.randrange(256) for _ in range(50000)), refuse)
    add(out, "empty.json", b"", refuse)
    add(out, "empty-array.json", b"[]", refuse)
    add(out, "only-empty-objects.json", b"[{}, {}]", refuse)
    add(out, "object.json", b'{"a": 1}', refuse)
    add(out, "null.json", b"null", refuse)
    add(out, "number.json", b"42", refuse)
    add(out, "string.json", b'"text"', refuse)
    add(out, "deep-arrays.json", b"[" * 100000 + b"]" * 100000, refuse)
    add(out, "deep-objects.json", b'{"a":' * 50000 + b"1" + b"}" * 50000, refuse)
    add(out, "deep-in-record.json", b'[{"a": ' + b"[" * 20000 + b"]" * 20000 + b"}]", refuse)
    add(out, "nested-value.json", b'[{"a": 1, "b": {"c": 2}}]', refuse)
    add(out, "list-value.json", b'[{"a": 1, "b": [1, 2]}]', refuse)
    add(out, "non-object-element.json", b'[{"a": 1}, 2]', refuse)
    add(out, "duplicate-key.json", b'[{"a": 1, "a": 2}]', refuse)
    add(out, "empty-key.json", b'[{"": 1}]', refuse)
    add(out, "truncated.json", GOOD_JSON[: len(GOOD_JSON) // 2], refuse)
    add(out, "trailing-comma.json", b'[{"a": 1},]', refuse)
    add(out, "long-value.json", b'[{"a": "' + b"x" * (2 << 20) + b'"}]', refuse)
    add(out, "keys-5000.json", ("[{" + ",".join('"k%d": %d' % (i, i) for i in range(5000)) + "}]").encode(), refuse)
    add(out, "nul-in-string.json", b'[{"a": "x\x00y"}]', refuse)
    # Issue 11: a record of nulls is kept, not dropped.
    add(out, "all-null-record.json", b'[{"a": 1, "b": 2}, {"a": null, "b": null}, {"a": 3, "b": 4}]', "any")
    hand = {
        "bom.json": b"\xef\xbb\xbf" + GOOD_JSON,
        "utf16.json": b"\xff\xfe" + GOOD_JSON.decode().encode("utf-16-le"),
        "big-numbers.json": b'[{"a": 1e999999, "b": -0.0, "c": 123456789012345678901234567890}]',
        "escapes.json": b'[{"a": "\\u0000", "b": "\\ud800", "c": "\\uZZZZ"}]',
        "mixed-keys.json": b'[{"a": 1}, {"b": 2}, {"c": 3, "a": null}]',
        "whitespace.json": b"  \n\t [ \n { \"a\" : 1 } \n ] \n ",
        "garbage-after.json": b'[{"a": 1}] x',
        "two-arrays.json": b'[{"a": 1}][{"a": 2}]',
        "true.json": b"true",
        "unicode-keys.json": '[{"\u540d\u524d": "\u5c71\u7530"}]'.encode(),
        "many-records.json": json.dumps([{"i": i} for i in range(100000)]).encode(),
        "single-quotes.json": b"[{'a': 1}]",
        "comments.json": b'[/* x */ {"a": 1}]',
        "nan.json": b'[{"a": NaN}]',
    }
    for name, data in hand.items():
        add(out, name, data)
    for i in range(70):
        add(out, "mutated-%03d.json" % i, mutate(rng, GOOD_JSON, rng.randrange(1, 30)))


# ---- workbooks -------------------------------------------------------------------------------

def zip_bytes(parts, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


def patch_size(data, name, size):
    """Makes the entry `name` declare `size` bytes uncompressed, in its local and central headers,
    as a zip bomb does; its data stay as they are."""
    data = bytearray(data)
    name = name.encode()
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            break
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", data, at + 24, size)
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        at += 4
    return bytes(data)


WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def sheet_xml(rows, dimension=None):
    dim = '<dimension ref="%s"/>' % dimension if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "%s<sheetData>%s</sheetData></worksheet>" % (dim, rows)
    )


def sst(strings):
    return '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>' % "".join(
        "<si><t>%s</t></si>" % s for s in strings
    )


def xlsx_parts(rows, strings=("id", "name"), dimension=None):
    return [
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", RELS),
        ("xl/worksheets/sheet1.xml", sheet_xml(rows, dimension)),
        ("xl/sharedStrings.xml", sst(strings)),
    ]


def xlsx(rows, strings=("id", "name"), dimension=None, method=zipfile.ZIP_DEFLATED):
    return zip_bytes(xlsx_parts(rows, strings, dimension), method)


GOOD_ROWS = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' + "".join(
    '<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>Vendor %d</t></is></c></row>' % (r, r, r, r, r)
    for r in range(2, 42)
)


def xlsx_cases(out, rng):
    refuse = "refuse"
    head = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    # Issue 11's workbook findings.
    add(out, "shared-string-out-of-range.xlsx", xlsx(head + '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>7</v></c></row>'), refuse)
    add(out, "shared-string-huge-index.xlsx", xlsx(head + '<row r="2"><c r="A2" t="s"><v>18446744073709551615</v></c></row>'), refuse)
    add(out, "shared-string-no-table.xlsx", zip_bytes(xlsx_parts(head)[:3]), refuse)
    add(out, "shared-string-empty-v.xlsx", xlsx(head + '<row r="2"><c r="A2" t="s"><v></v></c></row>', strings=()), refuse)
    add(out, "shared-string-not-number.xlsx", xlsx(head + '<row r="2"><c r="A2" t="s"><v>x</v></c></row>'), refuse)
    add(out, "cell-at-xfd1048576.xlsx", xlsx(head + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), refuse)
    add(out, "only-cell-at-xfd1048576.xlsx", xlsx('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), refuse)
    add(out, "cell-far-right.xlsx", xlsx(head + '<row r="2"><c r="ZZZ2"><v>1</v></c></row>'), refuse)
    add(out, "cell-far-down.xlsx", xlsx(head + '<row r="1000000"><c r="A1000000"><v>1</v></c></row><row r="1000001"><c r="B1000001"><v>1</v></c></row>'), "any")
    for ref in ["XFE1", "A0", "A1048577", "A99999999999", "a1", "1A", "", "AAAA1", "A-1"]:
        add(out, "bad-ref-%s.xlsx" % (ref or "empty"), xlsx(head + '<row r="2"><c r="%s"><v>1</v></c></row>' % ref), refuse)
    for dim in ["A1:XFD1048576", "A1:A99999999999", "A1:ZZZZ1"]:
        add(out, "dimension-%s.xlsx" % dim.replace(":", "-"), xlsx(GOOD_ROWS, dimension=dim), "any")
    add(out, "row-ref-huge.xlsx", xlsx('<row r="99999999999"><c><v>1</v></c></row>'), refuse)
    # Zip bombs: sizes past the limit, sizes that lie, too many entries.
    big = sheet_xml(GOOD_ROWS + " " * (20 << 20))
    parts = xlsx_parts(GOOD_ROWS)
    parts[2] = ("xl/worksheets/sheet1.xml", big)
    add(out, "bomb-lying-size.xlsx", patch_size(zip_bytes(parts), "xl/worksheets/sheet1.xml", 5000), refuse)
    add(out, "bomb-declared-3gb.xlsx", patch_size(xlsx(GOOD_ROWS), "xl/worksheets/sheet1.xml", 3_000_000_000), refuse)
    sst_big = sst(["s"] * 10) + " " * (20 << 20)
    parts = xlsx_parts(GOOD_ROWS)
    parts[3] = ("xl/sharedStrings.xml", sst_big)
    add(out, "bomb-lying-shared-strings.xlsx", patch_size(zip_bytes(parts), "xl/sharedStrings.xml", 100), refuse)
    good = xlsx(GOOD_ROWS)
    eocd = good.rfind(b"PK\x05\x06")
    many = bytearray(good)
    struct.pack_into("<HH", many, eocd + 8, 60000, 60000)
    add(out, "entries-60000.xlsx", bytes(many), refuse)
    # Structure damage.
    add(out, "valid.xlsx", good, "any")
    add(out, "valid-stored.xlsx", xlsx(GOOD_ROWS, method=zipfile.ZIP_STORED), "any")
    add(out, "header-only.xlsx", xlsx(head), refuse)
    add(out, "empty-sheet.xlsx", xlsx(""), refuse)
    add(out, "no-workbook.xlsx", zip_bytes(xlsx_parts(GOOD_ROWS)[1:]), refuse)
    add(out, "no-rels.xlsx", zip_bytes([p for p in xlsx_parts(GOOD_ROWS) if "rels" not in p[0]]), refuse)
    add(out, "no-sheet.xlsx", zip_bytes([p for p in xlsx_parts(GOOD_ROWS) if "worksheets" not in p[0]]), refuse)
    add(out, "rels-to-nowhere.xlsx", zip_bytes([("xl/_rels/workbook.xml.rels", RELS.replace("sheet1", "sheet9"))] + [p for p in xlsx_parts(GOOD_ROWS) if "rels" not in p[0]]), refuse)
    add(out, "empty-zip.xlsx", zip_bytes([]), refuse)
    add(out, "empty-file.xlsx", b"", refuse)
    add(out, "csv-as-xlsx.xlsx", GOOD_CSV, refuse)
    add(out, "zeros.xlsx", bytes(100000), refuse)
    add(out, "random.xlsx", bytes(rng.randrange(256) for _ in range(20000)), refuse)
    for cut in [10, 100, 300, len(good) // 2, len(good) - 10]:
        add(out, "truncated-%d.xlsx" % cut, good[:cut], refuse)
    add(out, "bad-xml-unclosed.xlsx", xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c>'), "any")
    add(out, "bad-xml-garbage.xlsx", xlsx("<row <<< >>> &&&"), "any")
    add(out, "bad-xml-entity.xlsx", xlsx(head + '<row r="2"><c r="A2" t="inlineStr"><is><t>&bogus;</t></is></c></row>'), "any")
    add(out, "error-cell.xlsx", xlsx(head + '<row r="2"><c r="A2" t="e"><v>#DIV/0!</v></c></row>'), refuse)
    add(out, "bad-error-cell.xlsx", xlsx(head + '<row r="2"><c r="A2" t="e"><v>#NOPE</v></c></row>'), "any")
    add(out, "bool-cells.xlsx", xlsx(head + '<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>x</v></c></row>'), "any")
    add(out, "number-garbage.xlsx", xlsx(head + '<row r="2"><c r="A2"><v>1e99999</v></c><c r="B2"><v>abc</v></c></row>'), "any")
    add(out, "cells-out-of-order.xlsx", xlsx(head + '<row r="3"><c r="B3"><v>1</v></c><c r="A3"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c></row>'), "any")
    add(out, "no-refs.xlsx", xlsx("<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row><row><c><v>1</v></c><c><v>2</v></c></row>"), "any")
    add(out, "long-inline-string.xlsx", xlsx(head + '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>%s</t></is></c></row>' % ("x" * (2 << 20))), refuse)
    add(out, "wide-header.xlsx", xlsx('<row r="1">%s</row><row r="2"><c r="A2"><v>1</v></c></row>' % "".join('<c r="%s1" t="inlineStr"><is><t>h%d</t></is></c>' % (col(i), i) for i in range(5000))), refuse)
    add(out, "many-rows.xlsx", xlsx(head + "".join('<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(2, 20002))), "any")
    add(out, "phonetic-strings.xlsx", zip_bytes(xlsx_parts(head + '<row r="2"><c r="A2" t="s"><v>1</v></c></row>')[:3] + [("xl/sharedStrings.xml", '<sst><si><t>id</t></si><si><rPh><t>x</t></rPh></si></sst>')]), refuse)
    add(out, "rich-strings.xlsx", zip_bytes(xlsx_parts(head + '<row r="2"><c r="A2" t="s"><v>2</v></c></row>')[:3] + [("xl/sharedStrings.xml", '<sst><si><t>id</t></si><si><t>name</t></si><si><r><t>a</t></r><r><t>b</t></r></si></sst>')]), "any")
    add(out, "sheet-named-weird.xlsx", zip_bytes([("xl/workbook.xml", WORKBOOK.replace("Orders", "&lt;&amp;&gt;"))] + xlsx_parts(GOOD_ROWS)[1:]), "any")
    for i in range(60):
        base = xlsx(GOOD_ROWS, method=zipfile.ZIP_STORED if i % 2 else zipfile.ZIP_DEFLATED)
        add(out, "mutated-%03d.xlsx" % i, mutate(rng, base, rng.randrange(1, 12)))
    for i in range(25):
        rows = mutate(rng, GOOD_ROWS.encode(), rng.randrange(1, 20)).decode("latin-1")
        add(out, "mutated-xml-%03d.xlsx" % i, xlsx(rows))


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def content(tables):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet>%s</office:spreadsheet></office:body></office:document-content>'
        % "".join('<table:table table:name="%s">%s</table:table>' % t for t in tables)
    )


def ods(rows, more_tables=(), method=zipfile.ZIP_DEFLATED):
    return zip_bytes(
        [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", MANIFEST),
            ("content.xml", content([("Orders", rows)] + list(more_tables))),
        ],
        method,
    )


def tcell(text):
    return '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % text


def ncell(v, repeat=None):
    rep = ' table:number-columns-repeated="%s"' % repeat if repeat is not None else ""
    return '<table:table-cell%s office:value-type="float" office:value="%s"/>' % (rep, v)


def row(cells, repeat=None):
    rep = ' table:number-rows-repeated="%s"' % repeat if repeat is not None else ""
    return "<table:table-row%s>%s</table:table-row>" % (rep, cells)


ODS_HEAD = row(tcell("id") + tcell("amount"))
ODS_GOOD = ODS_HEAD + "".join(row(tcell("PO-%d" % i) + ncell(i * 10)) for i in range(1, 41))


def ods_cases(out, rng):
    refuse = "refuse"
    # Issue 11: table bombs, by rows, by columns and both.
    add(out, "bomb-rows-and-columns.ods", ods(ODS_HEAD + row(ncell(1, 1000), 1000000)), refuse)
    add(out, "bomb-columns.ods", ods(ODS_HEAD + row(ncell(1, 16000000))), refuse)
    add(out, "bomb-rows.ods", ods(ODS_HEAD + row(ncell(1) + ncell(2), 16000000)), refuse)
    add(out, "bomb-empty-rows-between.ods", ods(ODS_HEAD + row("<table:table-cell/>", 16000000) + row(ncell(1) + ncell(2))), refuse)
    add(out, "bomb-empty-cells-before.ods", ods(ODS_HEAD + row('<table:table-cell table:number-columns-repeated="16000000"/>' + ncell(1))), refuse)
    add(out, "bomb-repeat-huge.ods", ods(ODS_HEAD + row(ncell(1, 18446744073709551615))), refuse)
    add(out, "bomb-repeat-rows-huge.ods", ods(ODS_HEAD + row(ncell(1), 18446744073709551615)), refuse)
    add(out, "bomb-many-tables.ods", ods(ODS_GOOD, [("T%d" % i, ODS_HEAD + row(ncell(1, 1000), 5000)) for i in range(20)]), refuse)
    add(out, "bomb-other-sheet.ods", ods(ODS_GOOD, [("Big", row(ncell(1, 10000), 100000))]), refuse)
    add(out, "repeat-zero.ods", ods(ODS_HEAD + row(ncell(1, 0), 0)), "any")
    add(out, "repeat-negative.ods", ods(ODS_HEAD + row(ncell(1, -5))), refuse)
    add(out, "repeat-text.ods", ods(ODS_HEAD + row(ncell(1, "many"))), refuse)
    # What LibreOffice writes: empty rows and columns to the end of the sheet.
    lo = "".join(row(c + '<table:table-cell table:number-columns-repeated="1022"/>') for c in [tcell("id") + tcell("amount")] + [tcell("PO-%d" % i) + ncell(i) for i in range(1, 21)])
    add(out, "libreoffice-trailing.ods", ods(lo + row('<table:table-cell table:number-columns-repeated="1024"/>', 1048555)), "any")
    add(out, "valid.ods", ods(ODS_GOOD), "any")
    add(out, "valid-stored.ods", ods(ODS_GOOD, method=zipfile.ZIP_STORED), "any")
    add(out, "header-only.ods", ods(ODS_HEAD), refuse)
    add(out, "empty-table.ods", ods(""), refuse)
    add(out, "repeated-values-ok.ods", ods(ODS_HEAD + row(tcell("x") + ncell(5), 300)), "any")
    add(out, "covered-cells.ods", ods(ODS_HEAD + row('<table:covered-table-cell table:number-columns-repeated="2" office:value-type="float" office:value="1"/>')), "any")
    add(out, "bad-float.ods", ods(ODS_HEAD + row('<table:table-cell office:value-type="float" office:value="x"/>')), refuse)
    add(out, "no-content.ods", zip_bytes([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("META-INF/manifest.xml", MANIFEST)]), refuse)
    add(out, "no-manifest.ods", zip_bytes([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content([("Orders", ODS_GOOD)]))]), "any")
    add(out, "bad-xml.ods", zip_bytes([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("META-INF/manifest.xml", MANIFEST), ("content.xml", "<office:document-content><<<")]), refuse)
    big = content([("Orders", ODS_GOOD)]) + " " * (20 << 20)
    parts = [("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("META-INF/manifest.xml", MANIFEST), ("content.xml", big)]
    add(out, "bomb-lying-size.ods", patch_size(zip_bytes(parts), "content.xml", 4000), refuse)
    add(out, "bomb-declared-3gb.ods", patch_size(ods(ODS_GOOD), "content.xml", 3_000_000_000), refuse)
    good = ods(ODS_GOOD)
    for cut in [10, 100, len(good) // 2, len(good) - 5]:
        add(out, "truncated-%d.ods" % cut, good[:cut], refuse)
    add(out, "zeros.ods", bytes(50000), refuse)
    add(out, "random.ods", bytes(rng.randrange(256) for _ in range(20000)), refuse)
    for i in range(45):
        base = ods(ODS_GOOD, method=zipfile.ZIP_STORED if i % 2 else zipfile.ZIP_DEFLATED)
        add(out, "mutated-%03d.ods" % i, mutate(rng, base, rng.randrange(1, 12)))
    for i in range(25):
        rows = mutate(rng, ODS_GOOD.encode(), rng.randrange(1, 20)).decode("latin-1")
        add(out, "mutated-xml-%03d.ods" % i, ods(rows))


def main():
    args = sys.argv[1:]
    seed = 11
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    text_cases(out, rng)
    json_cases(out, rng)
    xlsx_cases(out, rng)
    ods_cases(out, rng)
    with open(os.path.join(out, "cases.tsv"), "w") as f:
        f.write("file\texpect\n")
        for name, expect in CASES:
            f.write("%s\t%s\n" % (name, expect))
    print("%d cases written to %s" % (len(CASES), out))


if __name__ == "__main__":
    main()
